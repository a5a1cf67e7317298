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

# LibTorch operator (and the lab, which needs it).
set(MISH_HAVE_TORCH OFF)
if(NOT MISH_TORCH STREQUAL "OFF")
  find_package(Torch QUIET)
  if(Torch_FOUND)
    set(MISH_HAVE_TORCH ON)
    message(STATUS "mish: LibTorch operator ON (Torch ${Torch_VERSION})")
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
