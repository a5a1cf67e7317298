# Installs headers, libraries, tools, a CMake package (find_package(mish)
# gives mish::mish; the components cuda and torch give mish::cuda and
# mish::torch when they were built) and a pkg-config file.
include(CMakePackageConfigHelpers)

set(MISH_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/mish)
install(FILES include/mish/mish.h include/mish/mish.hpp include/mish/export.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mish)
# One export set per component, so that a C or C++ user of mish::mish never
# needs LibTorch or CUDA to be findable: find_package(mish COMPONENTS cuda
# torch) loads the others and their dependencies.
set(mish_components)
if(TARGET mish_cuda)
  list(APPEND mish_components cuda)
  install(FILES include/mish/mish_cuda.h
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mish)
endif()
set(mish_torch_needs_cuda FALSE)
if(TARGET mish_torch)
  list(APPEND mish_components torch)
  get_target_property(torch_links mish_torch LINK_LIBRARIES)
  if("mish::cuda" IN_LIST torch_links)
    set(mish_torch_needs_cuda TRUE)
  endif()
  install(FILES include/mish/torch.hpp
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mish)
  install(DIRECTORY include/mish/torch
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mish)
  # Debian's Python looks in <prefix>/lib/python3/dist-packages; the package
  # finds libmish_torch.so in <prefix>/lib from there.
  install(DIRECTORY python/mish_torch
          DESTINATION lib/python3/dist-packages
          PATTERN __pycache__ EXCLUDE)
endif()
foreach(component core ${mish_components})
  set(target mish_${component})
  string(SUBSTRING ${component} 0 1 first)
  string(TOUPPER ${first} first)
  string(SUBSTRING ${component} 1 -1 rest)
  set(export mish${first}${rest}Targets)  # mishCudaTargets, mishTorchTargets
  if(component STREQUAL "core")
    set(target mish)
    set(export mishTargets)
  endif()
  install(TARGETS ${target} EXPORT ${export}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT ${export} NAMESPACE mish:: DESTINATION ${MISH_CMAKE_DIR})
  # Installed libraries find each other in their own directory.
  set_target_properties(${target} PROPERTIES INSTALL_RPATH "$ORIGIN")
endforeach()
if(TARGET mish-accuracy)
  install(TARGETS mish-accuracy RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
foreach(tool mish-accuracy mish-lab)  # mish-lab installs itself (lab/)
  if(TARGET ${tool})
    set_target_properties(${tool} PROPERTIES
      INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
  endif()
endforeach()

configure_package_config_file(cmake/mishConfig.cmake.in
  ${PROJECT_BINARY_DIR}/mishConfig.cmake INSTALL_DESTINATION ${MISH_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mishConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/mishConfig.cmake
              ${PROJECT_BINARY_DIR}/mishConfigVersion.cmake
        DESTINATION ${MISH_CMAKE_DIR})

configure_file(cmake/mish.pc.in ${PROJECT_BINARY_DIR}/mish.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/mish.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
