# Installs the build tree into a scratch prefix, then configures, builds and
# runs the consumer project against it. Arguments: BUILD_DIR, SOURCE_DIR,
# WORK_DIR, PREFIX_PATH (where the build found its dependencies, e.g. Torch;
# ':'-separated).
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
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -G Ninja
    -DCMAKE_BUILD_RPATH=${prefix}/lib)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer_cpp)
run(${WORK_DIR}/build/consumer_c)
