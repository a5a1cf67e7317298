# Checks that the shipped library exports exactly the functions declared in
# include/mish/mish.h: no Highway, C++ runtime, template or internal symbol.
#   cmake -DNM=nm -DLIB=libmish.so -DHEADER=mish.h -P exports.cmake
execute_process(COMMAND ${NM} -D --defined-only ${LIB}
                OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -D --defined-only ${LIB} failed (${rc})")
endif()
string(REGEX MATCHALL "[^\n]+" lines "${out}")
set(exported "")
foreach(line IN LISTS lines)
  string(REGEX MATCH "[^ ]+$" name "${line}")
  list(APPEND exported "${name}")
endforeach()

file(READ ${HEADER} header)
string(REGEX MATCHALL "(mish_[a-z0-9_]+)\\(" calls "${header}")
set(declared "")
foreach(call IN LISTS calls)
  string(REPLACE "(" "" name "${call}")
  list(APPEND declared "${name}")
endforeach()

list(SORT exported)
list(SORT declared)
list(REMOVE_DUPLICATES declared)
if(NOT exported STREQUAL declared)
  set(extra ${exported})
  list(REMOVE_ITEM extra ${declared})
  set(missing ${declared})
  list(REMOVE_ITEM missing ${exported})
  message(FATAL_ERROR "exported symbols differ from mish.h\n"
                      "  not declared: ${extra}\n  missing: ${missing}")
endif()
list(LENGTH exported count)
message(STATUS "${LIB}: exports the ${count} functions of mish.h only")
