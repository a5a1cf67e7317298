// CPU passes of the fused batch norm + Mish. The activations go in chunks of
// at most kChunk elements; a chunk forms z in a float32 (float64) buffer that
// stays in L1, runs the core's SIMD mish or mish' over it through the C ABI
// (float64: the exact scalar functions), and rounds once into its output.
// Short NCHW rows (small images) share a chunk, so that the SIMD calls stay
// long. Sums are accumulated in 8 lanes per run of a channel (NCHW) or per
// lane over 64 chunks (channels-last), then in float64 per thread. For
// float32 and float64 the backward's sums pass leaves dz in dr (or dx), so
// mish' is computed once per element (16-bit types recompute it: dz rounded
// to 16 bits would cost accuracy).
#include <ATen/ATen.h>
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "batch_norm_mish.hpp"
#include "dtypes.hpp"
#include "mish/mish.h"
#include "parallel.hpp"

namespace mish::torch::detail {
namespace {

constexpr int64_t kChunk = 1024;
// Elements per parallel task, as for the elementwise operator.
constexpr int64_t kGrain = int64_t{1} << 15;

// Arithmetic type of storage type T.
template <class T>
using Acc = std::conditional_t<std::is_same_v<T, double>, double, float>;

void mish_in_place(float* z, int64_t n) {
  mish_forward_f32(z, z, static_cast<size_t>(n));
}

void mish_in_place(double* z, int64_t n) {
  for (int64_t j = 0; j < n; ++j) z[j] = mish_f64(z[j]);
}

// d *= mish'(z).
void times_mish_grad(const float* z, float* d, int64_t n) {
  mish_backward_f32(z, d, d, static_cast<size_t>(n));
}

void times_mish_grad(const double* z, double* d, int64_t n) {
  for (int64_t j = 0; j < n; ++j) d[j] *= mish_grad_f64(z[j]);
}

// Channels-last chunks hold whole rows of C channels, tile_rows(s) of them
// (C < kTile), so that the per-channel arrays, repeated that many times
// (tiled), line up with the chunk; longer rows are a tile of their own (cut
// at kChunk). kTile is smaller than kChunk: the tiled arrays and the chunk's
// buffers then stay well inside L1 (256 against 1024 elements: channels-last
// layer 25% faster, measured).
constexpr int64_t kTile = 256;
int64_t tile_rows(const BnShape& s) {
  return s.channels_last && s.row_length < kTile ? kTile / s.row_length : 1;
}

// t [C] repeated tile_rows(s) times.
at::Tensor tiled(const at::Tensor& t, const BnShape& s) {
  const int64_t tile = tile_rows(s);
  return tile > 1 ? t.repeat({tile}) : t;
}

// fn(offset, n, channel) for every chunk of rows [begin, end): elements
// offset .. offset + n - 1, the first in `channel`. With kStep = 1
// (channels-last) element j of the chunk is in channel + j of the tiled
// arrays; with kStep = 0 (NCHW) a chunk is part of a row, or several short
// rows whole (runs of one channel each: for_each_run), so that Mish goes
// over up to kChunk elements at once.
template <class Fn>
void for_each_chunk(const BnShape& s, int64_t begin, int64_t end, Fn fn) {
  const int64_t tile = tile_rows(s);
  if (tile > 1) {
    for (int64_t row = begin; row < end; row += tile) {
      fn(row * s.row_length, std::min(tile, end - row) * s.row_length,
         int64_t{0});
    }
    return;
  }
  if (!s.channels_last && s.row_length < kChunk) {
    const int64_t rows = kChunk / s.row_length;
    for (int64_t row = begin; row < end; row += rows) {
      fn(row * s.row_length, std::min(rows, end - row) * s.row_length,
         row % s.channels);
    }
    return;
  }
  for (int64_t row = begin; row < end; ++row) {
    const int64_t base = row * s.row_length;
    const int64_t row_channel = s.channels_last ? 0 : row % s.channels;
    for (int64_t j = 0; j < s.row_length; j += kChunk) {
      fn(base + j, std::min(kChunk, s.row_length - j),
         s.channels_last ? j : row_channel);
    }
  }
}

// fn(first, n, channel) for each run of a chunk's elements that share their
// per-channel values: elements first .. first + n - 1 of the chunk, with
// their values at `channel` (kStep = 0), or at channel + j for element j
// (kStep = 1: one run, the whole chunk).
template <int kStep, class Fn>
void for_each_run(const BnShape& s, int64_t n, int64_t channel, Fn fn) {
  if (kStep == 1 || n <= s.row_length) {
    fn(int64_t{0}, n, channel);
    return;
  }
  for (int64_t first = 0; first < n; first += s.row_length) {
    fn(first, std::min(s.row_length, n - first), channel);
    if (++channel == s.channels) channel = 0;
  }
}

template <class Fn>
void parallel_rows(const BnShape& s, Fn fn) {
  const int64_t grain = std::max<int64_t>(1, kGrain / s.row_length);
  at::parallel_for(0, s.rows, grain, fn);
}

// z = x * scale + shift (+ r, or + r * r_scale) for n elements of one run;
// the per-channel pointers point at the run's channel.
template <int kStep, class T, class A>
void affine(const T* x, const T* r, const A* scale, const A* shift,
            const A* r_scale, A* z, int64_t n) {
  // One loop per case, each a plain vectorizable loop.
  const auto bn = [&](int64_t j) {
    return static_cast<A>(x[j]) * scale[kStep * j] + shift[kStep * j];
  };
  if (r == nullptr) {
    for (int64_t j = 0; j < n; ++j) z[j] = bn(j);
  } else if (r_scale == nullptr) {
    for (int64_t j = 0; j < n; ++j) z[j] = bn(j) + static_cast<A>(r[j]);
  } else {
    for (int64_t j = 0; j < n; ++j) {
      z[j] = bn(j) + static_cast<A>(r[j]) * r_scale[kStep * j];
    }
  }
}

// z for the chunk of n elements at off whose first is in channel c.
template <int kStep, class T, class A>
void chunk_z(const BnShape& s, const T* x, const T* r, const A* scale,
             const A* shift, const A* r_scale, int64_t off, int64_t n,
             int64_t c, A* z) {
  for_each_run<kStep>(s, n, c, [&](int64_t j, int64_t len, int64_t ch) {
    affine<kStep>(x + off + j, r ? r + off + j : nullptr, scale + ch,
                  shift + ch, r_scale ? r_scale + ch : nullptr, z + j, len);
  });
}

// sums[0] += sum(a), sums[1 + t] += sum(a * b[t]) over n elements, in
// partial sums of 8 lanes. float goes through 4-float vectors (GCC and Clang
// vector extensions, SSE2 in the baseline target): written as loops over
// lanes, GCC vectorizes across iterations instead, with shuffles.
using Float4 = float __attribute__((vector_size(16)));

inline Float4 load4(const float* p) {
  Float4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <int kTerms>
void add_sums(const float* a, const float* const* b, int64_t n,
              double* const* sums) {
  Float4 sa[2] = {};
  Float4 sb[kTerms][2] = {};
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    for (int h = 0; h < 2; ++h) {
      const Float4 va = load4(a + j + 4 * h);
      sa[h] += va;
      for (int t = 0; t < kTerms; ++t) sb[t][h] += va * load4(b[t] + j + 4 * h);
    }
  }
  double tail[1 + kTerms] = {};
  for (; j < n; ++j) {
    tail[0] += a[j];
    for (int t = 0; t < kTerms; ++t) tail[1 + t] += a[j] * b[t][j];
  }
  for (int l = 0; l < 4; ++l) {
    tail[0] += static_cast<double>(sa[0][l]) + static_cast<double>(sa[1][l]);
    for (int t = 0; t < kTerms; ++t) {
      tail[1 + t] +=
          static_cast<double>(sb[t][0][l]) + static_cast<double>(sb[t][1][l]);
    }
  }
  for (int k = 0; k < 1 + kTerms; ++k) *sums[k] += tail[k];
}

// float64 (the exact reference path): plain float64 sums.
template <int kTerms>
void add_sums(const double* a, const double* const* b, int64_t n,
              double* const* sums) {
  for (int64_t j = 0; j < n; ++j) {
    *sums[0] += a[j];
    for (int t = 0; t < kTerms; ++t) *sums[1 + t] += a[j] * b[t][j];
  }
}

// Per channel sum(a) and sum(a * b[t]) for t < kTerms, into out[0] and
// out[1 + t], where fill(offset, n, channel, a, b) computes a chunk's a and
// returns where its terms b[t] are (in b, or a itself), at least kTerms. One
// block of rows per thread, each with its own float64 sums, added in a fixed
// order: the result does not depend on the scheduling.
template <class A, int kStep, int kTerms, class Fill>
void channel_sums(const BnShape& s, Fill fill,
                  const std::array<at::Tensor, kTerms + 1>& out) {
  static_assert(kTerms == 1 || kTerms == 2);
  constexpr int kSums = kTerms + 1;
  const int64_t c = s.channels;
  // Channels-last sums go to the tiled channels, folded at the end.
  const int64_t width = kStep == 1 ? c * tile_rows(s) : c;
  const int64_t blocks =
      std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), s.rows));
  std::vector<double> partial(static_cast<size_t>(blocks * kSums * width), 0.0);
  at::parallel_for(0, blocks, 1, [&](int64_t first, int64_t last) {
    A a[kChunk];
    // Room for both terms whatever kTerms: fill decides at run time.
    A b[2][kChunk];
    // Channels-last: per-lane sums in A over up to kFlush chunks, added to
    // the float64 ones then (the same error bound as the NCHW lanes).
    constexpr int kFlush = 64;
    std::vector<A> lanes(kStep == 1 ? static_cast<size_t>(kSums * width) : 0);
    int pending = 0;
    const auto flush = [&](double* p) {
      for (size_t j = 0; j < lanes.size(); ++j) {
        p[j] += lanes[j];
        lanes[j] = 0;
      }
      pending = 0;
    };
    for (int64_t block = first; block < last; ++block) {
      double* p = partial.data() + block * kSums * width;
      const int64_t begin = s.rows * block / blocks;
      const int64_t end = s.rows * (block + 1) / blocks;
      for_each_chunk(s, begin, end, [&](int64_t off, int64_t n, int64_t ch) {
        // The first kTerms of the terms fill points at.
        const auto bt = fill(off, n, ch, a, b);
        if constexpr (kStep == 0) {
          for_each_run<0>(s, n, ch, [&](int64_t j, int64_t len, int64_t rc) {
            double* sums[kSums];
            for (int k = 0; k < kSums; ++k) sums[k] = p + k * width + rc;
            const A* terms[kTerms];
            for (int t = 0; t < kTerms; ++t) terms[t] = bt[t] + j;
            add_sums<kTerms>(a + j, terms, len, sums);
          });
        } else {
          A* sum_a = lanes.data() + ch;
          for (int64_t j = 0; j < n; ++j) sum_a[j] += a[j];
          for (int t = 0; t < kTerms; ++t) {
            A* sum_ab = lanes.data() + (1 + t) * width + ch;
            for (int64_t j = 0; j < n; ++j) sum_ab[j] += a[j] * bt[t][j];
          }
          if (++pending == kFlush) flush(p);
        }
      });
      if constexpr (kStep == 1) flush(p);
    }
  });
  for (int k = 0; k < kSums; ++k) {
    double* total = out[k].template data_ptr<double>();
    std::fill(total, total + c, 0.0);
    for (int64_t block = 0; block < blocks; ++block) {
      const double* p = partial.data() + (block * kSums + k) * width;
      for (int64_t j = 0; j < width; ++j) total[j % c] += p[j];
    }
  }
}

template <class T>
const T* data_or_null(const at::Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

// t [C] tiled, and its data (null for an undefined t).
template <class A>
struct Tiled {
  at::Tensor tensor;
  const A* data;

  Tiled(const at::Tensor& t, const BnShape& s)
      : tensor(t.defined() ? tiled(t, s) : at::Tensor()),
        data(data_or_null<A>(tensor)) {}
};

template <class T, int kStep>
void statistics_pass(const BnShape& s, const at::Tensor& xt,
                     const at::Tensor& kt, const at::Tensor& sum,
                     const at::Tensor& sum_sq) {
  using A = Acc<T>;
  const T* x = xt.data_ptr<T>();
  const Tiled<A> k(kt, s);
  // sum(x - k) and sum((x - k)^2): the one term is a itself.
  const auto fill = [&](int64_t off, int64_t n, int64_t ch, A* a,
                        A(*)[kChunk]) {
    for_each_run<kStep>(s, n, ch, [&](int64_t j, int64_t len, int64_t c) {
      for (int64_t i = 0; i < len; ++i) {
        a[j + i] = static_cast<A>(x[off + j + i]) - k.data[c + kStep * i];
      }
    });
    return std::array<const A*, 1>{a};
  };
  channel_sums<A, kStep, 1>(s, fill, {sum, sum_sq});
}

template <class T, int kStep>
void forward_pass(const BnShape& s, const at::Tensor& xt, const at::Tensor& rt,
                  const BnChannels& ch, const at::Tensor& yt) {
  using A = Acc<T>;
  const T* x = xt.data_ptr<T>();
  const T* r = data_or_null<T>(rt);
  T* y = yt.data_ptr<T>();
  const Tiled<A> scale(ch.scale, s);
  const Tiled<A> shift(ch.shift, s);
  const Tiled<A> r_scale(ch.r_scale, s);
  parallel_rows(s, [&](int64_t begin, int64_t end) {
    A z[kChunk];
    for_each_chunk(s, begin, end, [&](int64_t off, int64_t n, int64_t c) {
      chunk_z<kStep>(s, x, r, scale.data, shift.data, r_scale.data, off, n, c,
                     z);
      mish_in_place(z, n);
      for (int64_t j = 0; j < n; ++j) y[off + j] = static_cast<T>(z[j]);
    });
  });
}

// What the backward passes read, as pointers (per-channel arrays tiled).
template <class T>
struct BackwardInputs {
  using A = Acc<T>;
  Tiled<A> scale;
  Tiled<A> shift;
  Tiled<A> mean;
  Tiled<A> r_scale;
  Tiled<A> r_mean;
  const T* dy;
  const T* x;
  const T* r;
  const BnShape& s;

  BackwardInputs(const BnShape& shape, const at::Tensor& dyt,
                 const at::Tensor& xt, const at::Tensor& rt,
                 const BnChannels& ch)
      : scale(ch.scale, shape),
        shift(ch.shift, shape),
        mean(ch.mean, shape),
        r_scale(ch.r_scale, shape),
        r_mean(ch.r_mean, shape),
        dy(dyt.data_ptr<T>()),
        x(xt.data_ptr<T>()),
        r(data_or_null<T>(rt)),
        s(shape) {}

  // dz = dy * mish'(z) for the chunk at off (n elements from channel c).
  template <int kStep>
  void dz(int64_t off, int64_t n, int64_t c, A* out) const {
    A z[kChunk];
    chunk_z<kStep>(s, x, r, scale.data, shift.data, r_scale.data, off, n, c, z);
    for (int64_t j = 0; j < n; ++j) out[j] = static_cast<A>(dy[off + j]);
    times_mish_grad(z, out, n);
  }

  // v - mean per element of the chunk at off (v: x or r).
  template <int kStep>
  void centred(const T* v, const A* means, int64_t off, int64_t n, int64_t c,
               A* out) const {
    for_each_run<kStep>(s, n, c, [&](int64_t j, int64_t len, int64_t ch) {
      for (int64_t i = 0; i < len; ++i) {
        out[j + i] = static_cast<A>(v[off + j + i]) - means[ch + kStep * i];
      }
    });
  }
};

// Where the storage type is the arithmetic one (float32, float64), the sums
// pass leaves dz, exactly, in dr (or dx without a residual), and the backward
// pass reads it there instead of computing z and mish'(z) again: for a plain
// residual dr = dz is then already written. 16-bit types recompute dz.
template <class T>
constexpr bool kKeepsDz = std::is_same_v<T, Acc<T>>;

template <class T, int kStep>
void backward_sums_pass(const BnShape& s, const at::Tensor& dyt,
                        const at::Tensor& xt, const at::Tensor& rt,
                        const BnChannels& ch, const at::Tensor& sum_dz,
                        const at::Tensor& sum_dz_xc,
                        const at::Tensor& sum_dz_rc,
                        const at::Tensor& scratch_t) {
  using A = Acc<T>;
  using In = BackwardInputs<T>;
  const In in(s, dyt, xt, rt, ch);
  T* scratch = scratch_t.data_ptr<T>();
  const auto fill = [&](int64_t off, int64_t n, int64_t c, A* dz,
                        A(*b)[kChunk]) {
    in.template dz<kStep>(off, n, c, dz);
    if constexpr (kKeepsDz<T>) std::copy(dz, dz + n, scratch + off);
    in.template centred<kStep>(in.x, in.mean.data, off, n, c, b[0]);
    if (sum_dz_rc.defined()) {
      in.template centred<kStep>(in.r, in.r_mean.data, off, n, c, b[1]);
    }
    // x - mean, and r - r_mean for a normalized residual.
    return std::array<const A*, 2>{b[0], b[1]};
  };
  if (sum_dz_rc.defined()) {
    channel_sums<A, kStep, 2>(s, fill, {sum_dz, sum_dz_xc, sum_dz_rc});
  } else {
    channel_sums<A, kStep, 1>(s, fill, {sum_dz, sum_dz_xc});
  }
}

// Per-channel factors of one input's gradient, tiled.
template <class A>
struct GradFactors {
  Tiled<A> g_dz;
  Tiled<A> g_xc;
  Tiled<A> g_0;

  GradFactors(const BnInputGrad& g, const BnShape& s)
      : g_dz(g.g_dz, s), g_xc(g.g_xc, s), g_0(g.g_0, s) {}

  // out = dz g_dz + (v - mean) g_xc + g_0 for the chunk of n elements at
  // v and out whose first is in channel c.
  template <int kStep, class T>
  void apply(const BnShape& s, const A* dz, const T* v, const A* mean,
             int64_t c, int64_t n, T* out) const {
    for_each_run<kStep>(s, n, c, [&](int64_t j, int64_t len, int64_t ch) {
      for (int64_t i = 0; i < len; ++i) {
        const int64_t k = ch + kStep * i;
        const A vc = static_cast<A>(v[j + i]) - mean[k];
        out[j + i] = static_cast<T>(dz[j + i] * g_dz.data[k] +
                                    vc * g_xc.data[k] + g_0.data[k]);
      }
    });
  }
};

template <class T, int kStep>
void backward_pass(const BnShape& s, const at::Tensor& dyt,
                   const at::Tensor& xt, const at::Tensor& rt,
                   const BnChannels& ch, const BnInputGrad& grad,
                   const BnInputGrad& r_grad, const at::Tensor& dxt,
                   const at::Tensor& drt) {
  using A = Acc<T>;
  const BackwardInputs<T> in(s, dyt, xt, rt, ch);
  T* dx = dxt.data_ptr<T>();
  T* dr = drt.defined() ? drt.data_ptr<T>() : nullptr;
  const GradFactors<A> gx(grad, s);
  const GradFactors<A> gr(r_grad, s);
  parallel_rows(s, [&](int64_t begin, int64_t end) {
    A buffer[kChunk];
    for_each_chunk(s, begin, end, [&](int64_t off, int64_t n, int64_t c) {
      const A* dz = buffer;
      if constexpr (kKeepsDz<T>) {
        // Left by the sums pass; overwritten element by element below,
        // dx first.
        dz = (dr != nullptr ? dr : dx) + off;
      } else {
        in.template dz<kStep>(off, n, c, buffer);
      }
      gx.template apply<kStep>(s, dz, in.x + off, in.mean.data, c, n, dx + off);
      if (dr != nullptr && in.r_mean.data != nullptr) {
        gr.template apply<kStep>(s, dz, in.r + off, in.r_mean.data, c, n,
                                 dr + off);
      } else if (dr != nullptr && !kKeepsDz<T>) {
        for (int64_t j = 0; j < n; ++j) dr[off + j] = static_cast<T>(dz[j]);
      }
    });
  });
}

// fn(Dtype<T>{}, integral_constant<int, kStep>{}) for the tensor's dtype and
// the layout's step.
template <class Fn>
void dispatch(const at::Tensor& x, const BnShape& s, Fn fn) {
  Dtypes::visit(x.scalar_type(), [&](auto dtype) {
    if (s.channels_last) {
      fn(dtype, std::integral_constant<int, 1>{});
    } else {
      fn(dtype, std::integral_constant<int, 0>{});
    }
  });
}

void statistics(const BnShape& s, const at::Tensor& x, const at::Tensor& k,
                const at::Tensor& sum, const at::Tensor& sum_sq) {
  dispatch(x, s, [&](auto type, auto step) {
    statistics_pass<typename decltype(type)::type, decltype(step)::value>(
        s, x, k, sum, sum_sq);
  });
}

void forward(const BnShape& s, const at::Tensor& x, const at::Tensor& r,
             const BnChannels& ch, const at::Tensor& y) {
  dispatch(x, s, [&](auto type, auto step) {
    forward_pass<typename decltype(type)::type, decltype(step)::value>(s, x, r,
                                                                       ch, y);
  });
}

void backward_sums(const BnShape& s, const at::Tensor& dy, const at::Tensor& x,
                   const at::Tensor& r, const BnChannels& ch,
                   const at::Tensor& sum_dz, const at::Tensor& sum_dz_xc,
                   const at::Tensor& sum_dz_rc, const at::Tensor& scratch) {
  dispatch(x, s, [&](auto type, auto step) {
    backward_sums_pass<typename decltype(type)::type, decltype(step)::value>(
        s, dy, x, r, ch, sum_dz, sum_dz_xc, sum_dz_rc, scratch);
  });
}

void backward(const BnShape& s, const at::Tensor& dy, const at::Tensor& x,
              const at::Tensor& r, const BnChannels& ch,
              const BnInputGrad& grad, const BnInputGrad& r_grad,
              const at::Tensor& dx, const at::Tensor& dr) {
  dispatch(x, s, [&](auto type, auto step) {
    backward_pass<typename decltype(type)::type, decltype(step)::value>(
        s, dy, x, r, ch, grad, r_grad, dx, dr);
  });
}

constexpr BnMishKernels kCpu{statistics, forward, backward_sums, backward};

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, CPU, m) {
  mish::torch::detail::register_batch_norm_mish<mish::torch::detail::kCpu>(m);
}
