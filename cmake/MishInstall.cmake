# Installs headers, libraries, tools, a CMake package (find_package(mish)
# gives mish::mish, and mish::cuda / mish::torch when they were built) and a
# pkg-config file.
include(CMakePackageConfigHelpers)

set(MISH_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/mish)
set(mish_install_targets mish)
install(FILES include/mish/mish.h include/mish/mish.hpp include/mish/export.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mish)
if(TARGET mish_cuda)
  list(APPEND mish_install_targets mish_cuda)
  install(FILES include/mish/mish_cuda.h
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mish)
endif()
if(TARGET mish_torch)
  list(APPEND mish_install_targets mish_torch)
  install(FILES include/mish/torch.hpp
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mish)
  # Debian's Python looks in <prefix>/lib/python3/dist-packages; the package
  # finds libmish_torch.so in <prefix>/lib from there.
  install(DIRECTORY python/mish_torch
          DESTINATION lib/python3/dist-packages
          PATTERN __pycache__ EXCLUDE)
endif()
install(TARGETS ${mish_install_targets} EXPORT mishTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# Installed libraries find each other in their own directory.
set_target_properties(${mish_install_targets} PROPERTIES INSTALL_RPATH "$ORIGIN")
if(TARGET mish-accuracy)
  install(TARGETS mish-accuracy RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
foreach(tool mish-accuracy mish-lab)  # mish-lab installs itself (lab/)
  if(TARGET ${tool})
    set_target_properties(${tool} PROPERTIES
      INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
  endif()
endforeach()

install(EXPORT mishTargets NAMESPACE mish:: DESTINATION ${MISH_CMAKE_DIR})
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
