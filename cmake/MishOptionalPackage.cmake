# mish_find_optional_package(<name>): find_package(<name> CONFIG) for a peer
# the build can do without (oneDNN in the benchmarks). A package's own config
# may abort the configure (Debian's oneDNN requires OpenCL, which it only
# recommends), so it is first loaded by a separate CMake process: when that
# fails, the peer is skipped with a one-line message and <name>_FOUND stays
# false.
function(mish_find_optional_package name)
  set(probe_dir ${CMAKE_BINARY_DIR}/CMakeFiles/mish-probe-${name})
  execute_process(
    COMMAND ${CMAKE_COMMAND} -S ${PROJECT_SOURCE_DIR}/cmake/probe
            -B ${probe_dir} -G ${CMAKE_GENERATOR}
            -DMISH_PROBE_PACKAGE=${name}
            "-DCMAKE_PREFIX_PATH=${CMAKE_PREFIX_PATH}"
            -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}
            -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
    RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE log)
  if(NOT rc EQUAL 0)
    string(REGEX REPLACE "[ \n]+" " " log "${log}")
    string(REGEX MATCH "Could NOT find [^ ]+ \\([^)]*\\)|provided by \"[^\"]+\""
                 why "${log}")
    if(why MATCHES "^provided by")
      string(REPLACE "provided by" "no CMake config for" why "${why}")
    endif()
    message(STATUS "mish: optional ${name} skipped: ${why}")
    return()
  endif()
  find_package(${name} CONFIG QUIET)
  set(${name}_FOUND ${${name}_FOUND} PARENT_SCOPE)
  set(${name}_VERSION ${${name}_VERSION} PARENT_SCOPE)
endfunction()
