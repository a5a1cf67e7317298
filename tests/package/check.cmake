# Installs the build tree into a scratch prefix, then configures, builds and
# runs consumer projects against it as users would: a C project and a C++14
# project that find mish::mish with LibTorch and CUDA hidden, and (when the
# operator was built) a project asking for the torch component. Arguments:
# BUILD_DIR, SOURCE_DIR, WORK_DIR, PREFIX_PATH (where the build found its
# dependencies, e.g. Torch; ':'-separated), TORCH (ON when built).
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
set(ENV{CMAKE_PREFIX_PATH} ${prefix}:${PREFIX_PATH})
foreach(consumer c cxx14)
  set(build ${WORK_DIR}/${consumer})
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/${consumer} -B ${build} -G Ninja
      --no-warn-unused-cli
      -DCMAKE_BUILD_RPATH=${prefix}/lib
      -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON
      -DCMAKE_DISABLE_FIND_PACKAGE_CUDAToolkit=ON)
  run(${CMAKE_COMMAND} --build ${build})
endforeach()
run(${WORK_DIR}/c/consumer_c)
run(${WORK_DIR}/c/consumer_c_pkgconfig)
run(${WORK_DIR}/cxx14/consumer_cxx14)
if(TORCH)
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/torch -B ${WORK_DIR}/torch -G Ninja)
  # Where LibTorch is missing (a TorchConfig.cmake that says so) the
  # component is refused with a message, not an error inside the package.
  file(WRITE ${WORK_DIR}/no-torch/TorchConfig.cmake
       "set(Torch_FOUND FALSE)\nset(Torch_NOT_FOUND_MESSAGE \"hidden\")\n")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/torch -B ${WORK_DIR}/no-torch
            -G Ninja -DTorch_DIR=${WORK_DIR}/no-torch
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(rc EQUAL 0 OR NOT out MATCHES "package \"Torch\" is considered to be NOT")
    message(FATAL_ERROR "COMPONENTS torch without LibTorch:\n${out}")
  endif()
endif()
