# A package whose config fails the way Debian's oneDNN does without OpenCL:
# a required dependency of its own is missing.
include(FindPackageHandleStandardArgs)
set(MissingDependency_FIND_REQUIRED TRUE)
find_package_handle_standard_args(MissingDependency
                                  REQUIRED_VARS MISSING_DEPENDENCY_LIBRARY)
