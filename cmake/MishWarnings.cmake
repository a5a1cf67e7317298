# Warning flags shared by every target of the project (not by dependencies).
add_library(mish_warnings INTERFACE)
target_compile_options(mish_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:C,CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion>
  $<$<AND:$<BOOL:${MISH_WERROR}>,$<COMPILE_LANGUAGE:C,CXX>>:-Werror>
  # GCC's flow analysis under the sanitizers flags LibTorch's inlined
  # c10::optional as maybe uninitialized (a known false positive).
  $<$<AND:$<BOOL:${MISH_SANITIZE}>,$<CXX_COMPILER_ID:GNU>,$<COMPILE_LANGUAGE:CXX>>:-Wno-maybe-uninitialized>
  $<$<AND:$<BOOL:${MISH_WERROR}>,$<COMPILE_LANGUAGE:CUDA>>:-Werror=all-warnings>)

if(MISH_SANITIZE)
  # -g1: line tables are all a sanitizer's report needs, and build faster.
  add_compile_options($<$<COMPILE_LANGUAGE:C,CXX>:-g1>
                      $<$<COMPILE_LANGUAGE:C,CXX>:-fsanitize=address,undefined>
                      $<$<COMPILE_LANGUAGE:C,CXX>:-fno-sanitize-recover=all>
                      $<$<COMPILE_LANGUAGE:C,CXX>:-fno-omit-frame-pointer>)
  add_link_options(-fsanitize=address,undefined)
endif()
