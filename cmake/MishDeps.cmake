# Finds the dependencies of each layer. Optional layers (CUDA, LibTorch) are
# switched on when found (AUTO), required (ON) or skipped (OFF); each decision
# is printed so a newcomer sees what will be built.

find_package(hwy 1.0 CONFIG REQUIRED)
find_package(Threads REQUIRED)

# CUDA kernels.
set(MISH_HAVE_CUDA OFF)
if(NOT MISH_CUDA STREQUAL "OFF")
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 80 90)
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    set(MISH_HAVE_CUDA ON)
    message(STATUS "mish: CUDA kernels ON (${CMAKE_CUDA_COMPILER_VERSION}, "
                   "architectures ${CMAKE_CUDA_ARCHITECTURES})")
  elseif(MISH_CUDA STREQUAL "ON")
    message(FATAL_ERROR "mish: MISH_CUDA=ON but no CUDA compiler was found")
  else()
    message(STATUS "mish: CUDA kernels OFF (no CUDA compiler found)")
  endif()
else()
  message(STATUS "mish: CUDA kernels OFF (MISH_CUDA=OFF)")
endif()

# ATen's at::parallel_for is a header template. With ATen's OpenMP backend
# (AT_PARALLEL_OPENMP in ATen/Config.h) it is `#pragma omp parallel`, so code
# compiled without OpenMP runs every range on the calling thread; PyTorch's
# cpp_extension adds -fopenmp for this reason. Sets MISH_TORCH_OPENMP; the
# mish::torch target hands OpenMP on to everything that links it.
macro(mish_torch_threading)
  foreach(_mish_dir IN LISTS TORCH_INCLUDE_DIRS)
    if(EXISTS "${_mish_dir}/ATen/Config.h")
      file(STRINGS "${_mish_dir}/ATen/Config.h" _mish_openmp
           REGEX "^#define AT_PARALLEL_OPENMP 1")
      if(NOT _mish_openmp STREQUAL "")
        set(MISH_TORCH_OPENMP ON)
      endif()
      break()
    endif()
  endforeach()
  if(MISH_TORCH_OPENMP)
    find_package(OpenMP REQUIRED COMPONENTS CXX)
    message(STATUS "mish: LibTorch's parallel backend is OpenMP: its code "
                   "builds with ${OpenMP_CXX_FLAGS}")
  endif()
endmacro()

# LibTorch operator (and the lab, which needs it). MISH_TORCH_PYTHON names
# the Python whose torch is the LibTorch to build against (PyPI's wheels carry
# their LibTorch; the pypi preset uses .venv's) and runs the Python tests.
set(MISH_TORCH_PYTHON "" CACHE FILEPATH
    "Python whose torch to build against and test with (empty: a python3 with the same torch)")
set(MISH_HAVE_TORCH OFF)
set(MISH_TORCH_OPENMP OFF)
if(NOT MISH_TORCH STREQUAL "OFF" AND MISH_TORCH_PYTHON)
  execute_process(
    COMMAND ${MISH_TORCH_PYTHON} -c
            "import os, torch; print(torch.utils.cmake_prefix_path); print(os.path.dirname(torch.__file__))"
    OUTPUT_VARIABLE _mish_torch_prefix ERROR_VARIABLE _mish_error
    RESULT_VARIABLE _mish_rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _mish_rc EQUAL 0)
    message(FATAL_ERROR "mish: MISH_TORCH_PYTHON=${MISH_TORCH_PYTHON} cannot "
                        "import torch (for PyPI's torch: scripts/"
                        "install-deps.sh --pypi):\n${_mish_error}")
  endif()
  # Its CMake package, and its own folder: TorchConfig.cmake looks for
  # libc10 and the other libraries in the system's folders before its own,
  # and would take Debian's LibTorch where both are installed (two c10 in
  # one process, which corrupt each other's heap at exit).
  string(REPLACE "\n" ";" _mish_torch_prefix "${_mish_torch_prefix}")
  list(GET _mish_torch_prefix 0 _mish_torch_cmake)
  if(IS_DIRECTORY "${_mish_torch_cmake}")  # Debian's is in the system path
    list(PREPEND CMAKE_PREFIX_PATH ${_mish_torch_prefix})
  endif()
endif()
if(NOT MISH_TORCH STREQUAL "OFF")
  # A CUDA LibTorch's CMake package sets CMAKE_CUDA_ARCHITECTURES to OFF and
  # takes TORCH_CUDA_ARCH_LIST instead: it gets ours, and ours stay.
  set(_mish_cuda_architectures "${CMAKE_CUDA_ARCHITECTURES}")
  if(MISH_HAVE_CUDA AND NOT DEFINED TORCH_CUDA_ARCH_LIST
     AND CMAKE_CUDA_ARCHITECTURES MATCHES "^[0-9;]+$")
    string(REGEX REPLACE "([0-9])(;|$)" ".\\1\\2" TORCH_CUDA_ARCH_LIST
                         "${CMAKE_CUDA_ARCHITECTURES}")
  endif()
  find_package(Torch QUIET)
  set(CMAKE_CUDA_ARCHITECTURES "${_mish_cuda_architectures}")
  if(Torch_FOUND)
    set(MISH_HAVE_TORCH ON)
    message(STATUS "mish: LibTorch operator ON (Torch ${Torch_VERSION})")
    mish_torch_threading()
    # PyPI's CUDA torch finds its CUDA libraries (NCCL, cuDNN, ...) in the
    # nvidia/ packages beside it, through its RPATH; the linker must find
    # them there too, not the toolkit's older NCCL (and c10d's nccl.h is
    # theirs: lab/cmake/c10d.cmake).
    file(GLOB _mish_wheel_libs LIST_DIRECTORIES true
         "${TORCH_INSTALL_PREFIX}/../nvidia/*/lib")
    if(_mish_wheel_libs)
      list(JOIN _mish_wheel_libs ":" _mish_wheel_libs)
      add_link_options("LINKER:-rpath-link,${_mish_wheel_libs}")
    endif()
  elseif(MISH_TORCH STREQUAL "ON")
    message(FATAL_ERROR "mish: MISH_TORCH=ON but LibTorch was not found; "
                        "install libtorch-dev or set CMAKE_PREFIX_PATH")
  else()
    message(STATUS "mish: LibTorch operator OFF (LibTorch not found; "
                   "install libtorch-dev or set CMAKE_PREFIX_PATH)")
  endif()
else()
  message(STATUS "mish: LibTorch operator OFF (MISH_TORCH=OFF)")
endif()
