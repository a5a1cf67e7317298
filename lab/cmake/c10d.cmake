# Data-parallel training uses LibTorch's own distributed engine, c10d. Its
# Gloo process group (CPU) is declared in a header that includes Gloo's
# headers, which LibTorch does not ship (Debian: libgloo-dev); its NCCL
# process group (CUDA) needs a LibTorch built with NCCL and nccl.h. The
# headers compile only with the USE_C10D_* switches LibTorch was built with.
# Only train/distributed.cpp includes them: it alone gets these flags (and
# skips the layers' shared precompiled header, built without them).
# LibTorch's own copy first (pip wheels may ship one), then the system's.
find_path(MISH_GLOO_INCLUDE_DIR gloo/algorithm.h PATHS ${TORCH_INCLUDE_DIRS}
  NO_DEFAULT_PATH)
find_path(MISH_GLOO_INCLUDE_DIR gloo/algorithm.h)
if(NOT MISH_GLOO_INCLUDE_DIR)
  message(FATAL_ERROR "mish: mish-lab needs Gloo's headers for c10d's "
                      "process group: install libgloo-dev")
endif()
# (-isystem on the compiler's own /usr/include would break libstdc++.)
set(c10d_options)
if(NOT MISH_GLOO_INCLUDE_DIR IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
  list(APPEND c10d_options -isystem ${MISH_GLOO_INCLUDE_DIR})
endif()
set(c10d_definitions USE_C10D_GLOO)

# NCCL's header: the one LibTorch was built with first (PyPI's torch: the
# nvidia-nccl package beside it), then the CUDA toolkit's.
find_path(MISH_NCCL_INCLUDE_DIR nccl.h
  HINTS ${TORCH_INCLUDE_DIRS} ${TORCH_INSTALL_PREFIX}/../nvidia/nccl/include
        ${CUDAToolkit_INCLUDE_DIRS} ENV NCCL_INCLUDE_DIR)
if(TARGET torch_cuda AND MISH_NCCL_INCLUDE_DIR)
  list(APPEND c10d_options -isystem ${MISH_NCCL_INCLUDE_DIR})
  list(APPEND c10d_definitions USE_C10D_NCCL MISHLAB_HAVE_NCCL)
  message(STATUS "mish: mish-lab data-parallel on Gloo (CPU) and NCCL (CUDA)")
else()
  message(STATUS "mish: mish-lab data-parallel on Gloo (CPU) only (NCCL: "
                 "needs a CUDA LibTorch and nccl.h)")
endif()
set_source_files_properties(train/distributed.cpp PROPERTIES
  SKIP_PRECOMPILE_HEADERS ON
  COMPILE_OPTIONS "${c10d_options}"
  COMPILE_DEFINITIONS "${c10d_definitions}")
