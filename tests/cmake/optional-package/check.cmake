# Configures ./CMakeLists.txt with a broken package on CMAKE_PREFIX_PATH and
# checks that the configure succeeds and says in one line what was skipped.
# Arguments: MISH_SOURCE_DIR, WORK_DIR, GENERATOR (the build's own: no other
# build tool is installed).
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${CMAKE_CURRENT_LIST_DIR} -B ${WORK_DIR}
          -G ${GENERATOR} -DMISH_SOURCE_DIR=${MISH_SOURCE_DIR}
          -DCMAKE_PREFIX_PATH=${CMAKE_CURRENT_LIST_DIR}/../broken-package
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configure failed on a broken optional package:\n${out}")
endif()
set(expected "mish: optional brokenpeer skipped: Could NOT find MissingDependency (missing: MISSING_DEPENDENCY_LIBRARY)")
string(FIND "${out}" "${expected}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "expected the line\n  ${expected}\nin:\n${out}")
endif()
