// Internal: how many threads the _mt entry points use (threads.cc).
#ifndef MISH_SRC_CORE_THREADS_H_
#define MISH_SRC_CORE_THREADS_H_

#include <stddef.h>

namespace mish::detail {

// Threads for n elements when the caller asks for `threads` (<= 0: all):
// at least one, at most the hardware threads, none for small shares.
size_t ThreadsFor(size_t n, int threads);

}  // namespace mish::detail

#endif  // MISH_SRC_CORE_THREADS_H_
