/* Symbol visibility for the mish shared library. */
#ifndef MISH_EXPORT_H_
#define MISH_EXPORT_H_

#if defined(_WIN32)
#if defined(MISH_BUILDING_LIBRARY)
#define MISH_API __declspec(dllexport)
#else
#define MISH_API __declspec(dllimport)
#endif
#else
#define MISH_API __attribute__((visibility("default")))
#endif

#endif /* MISH_EXPORT_H_ */
