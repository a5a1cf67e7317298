// CPU passes of the fused batch norm + Mish: the core's SIMD passes through
// the C ABI of mish.h (mish_bn_*), on LibTorch's threads: at::parallel_for
// splits the activations as mish.h allows (channels-last rows; NCHW planes,
// cut at images, with the per-channel arrays offset), and the sums passes
// add their blocks' sums in a fixed order, so that results do not depend on
// the scheduling. float64, which the core does not take, goes through ATen
// ops and the exact scalar functions.
#include <ATen/ATen.h>
#include <c10/util/BFloat16.h>
#include <torch/library.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "batch_norm_mish.hpp"
#include "batch_norm_mish_c_abi.hpp"
#include "dtypes.hpp"
#include "mish/mish.h"
#include "parallel.hpp"

namespace mish::torch::detail {
namespace {

// Elements per parallel task, as for the elementwise operator.
constexpr int64_t kGrain = int64_t{1} << 15;

// A part of the activations: elements from `offset`, channels from
// `channel` on.
struct Part {
  int64_t offset;
  mish_bn_shape shape;
  int64_t channel;
};

mish_bn_channels offset_by(mish_bn_channels p, int64_t c) {
  for (const float** a :
       {&p.scale, &p.shift, &p.mean, &p.g_dz, &p.g_xc, &p.g_0, &p.r_scale,
        &p.r_mean, &p.r_g_dz, &p.r_g_xc, &p.r_g_0}) {
    if (*a != nullptr) *a += c;
  }
  return p;
}

// fn(part) for units [begin, end) of the shape's rows: channels-last rows
// of C, or NCHW planes of HW (whole images in one part).
template <class Fn>
void for_each_part(const BnShape& s, int64_t begin, int64_t end, Fn fn) {
  const auto c = static_cast<size_t>(s.channels);
  if (s.channels_last) {
    fn(Part{
        begin * s.row_length, {1, c, static_cast<size_t>(end - begin), 1}, 0});
    return;
  }
  const auto hw = static_cast<size_t>(s.row_length);
  for (int64_t p = begin; p < end;) {
    const int64_t first = p % s.channels;
    int64_t count;
    if (first == 0 && end - p >= s.channels) {
      const int64_t images = (end - p) / s.channels;
      count = images * s.channels;
      fn(Part{p * s.row_length, {static_cast<size_t>(images), c, hw, 0}, 0});
    } else {
      count = std::min(s.channels - first, end - p);
      fn(Part{p * s.row_length, {1, static_cast<size_t>(count), hw, 0}, first});
    }
    p += count;
  }
}

template <class Fn>
void parallel_parts(const BnShape& s, Fn fn) {
  const int64_t grain = std::max<int64_t>(1, kGrain / s.row_length);
  at::parallel_for(0, s.rows, grain, [&](int64_t begin, int64_t end) {
    for_each_part(s, begin, end, fn);
  });
}

void check(int status, const char* pass) {
  TORCH_INTERNAL_ASSERT(status == 0, "batch_norm_mish: the core's ", pass,
                        " refused its arguments");
}

// kSums per-channel sums (into out, float64 [C]): one block of rows per
// thread, each with its own sums, added in block order. fn(part, sums)
// runs a pass over the part into sums[k] ([part's channels] each).
template <int kSums, class Fn>
void parallel_sums(const BnShape& s, const std::array<at::Tensor, kSums>& out,
                   Fn fn) {
  const int64_t c = s.channels;
  const int64_t blocks =
      std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), s.rows));
  std::vector<double> partial(static_cast<size_t>(blocks * kSums * c), 0.0);
  at::parallel_for(0, blocks, 1, [&](int64_t first, int64_t last) {
    std::vector<double> sums(static_cast<size_t>(kSums * c));
    for (int64_t block = first; block < last; ++block) {
      double* total = partial.data() + block * kSums * c;
      for_each_part(s, s.rows * block / blocks, s.rows * (block + 1) / blocks,
                    [&](const Part& part) {
                      const auto pc = static_cast<int64_t>(part.shape.c);
                      std::array<double*, kSums> p;
                      for (int k = 0; k < kSums; ++k) {
                        p[k] = sums.data() + k * c;
                      }
                      fn(part, p);
                      for (int k = 0; k < kSums; ++k) {
                        for (int64_t j = 0; j < pc; ++j) {
                          total[k * c + part.channel + j] += p[k][j];
                        }
                      }
                    });
    }
  });
  for (int k = 0; k < kSums; ++k) {
    double* sum = out[k].template data_ptr<double>();
    std::fill(sum, sum + c, 0.0);
    for (int64_t block = 0; block < blocks; ++block) {
      const double* p = partial.data() + (block * kSums + k) * c;
      for (int64_t j = 0; j < c; ++j) sum[j] += p[j];
    }
  }
}

// The C ABI functions of one storage type S.
template <class S>
struct CFunctions {
  int (*statistics)(const S*, const float*, mish_bn_shape, double*, double*);
  int (*forward)(const S*, const S*, mish_bn_channels, S*, mish_bn_shape);
  int (*backward_sums)(const S*, const S*, const S*, mish_bn_channels,
                       mish_bn_shape, double*, double*, double*);
  int (*backward)(const S*, const S*, const S*, mish_bn_channels, S*, S*,
                  mish_bn_shape);
};

constexpr CFunctions<float> kF32{mish_bn_statistics_f32, mish_bn_forward_f32,
                                 mish_bn_backward_sums_f32,
                                 mish_bn_backward_f32};
constexpr CFunctions<uint16_t> kBF16{
    mish_bn_statistics_bf16, mish_bn_forward_bf16, mish_bn_backward_sums_bf16,
    mish_bn_backward_bf16};
constexpr CFunctions<uint16_t> kF16{mish_bn_statistics_f16, mish_bn_forward_f16,
                                    mish_bn_backward_sums_f16,
                                    mish_bn_backward_f16};

// float64: the passes as ATen ops on [C] values viewed per channel, with
// mish and mish' from the exact scalar functions.
namespace f64 {

at::Tensor per_channel(const at::Tensor& t) { return t.view({1, -1, 1, 1}); }

// fn applied to every element of a float64 tensor, into a new one.
at::Tensor map(const at::Tensor& t, double (*fn)(double)) {
  at::Tensor out = t.contiguous().clone();
  double* p = out.data_ptr<double>();
  at::parallel_for(0, out.numel(), kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) p[i] = fn(p[i]);
  });
  return out;
}

at::Tensor z(const at::Tensor& x, const at::Tensor& r, const BnChannels& ch) {
  at::Tensor z = x * per_channel(ch.scale) + per_channel(ch.shift);
  if (!r.defined()) return z;
  return ch.r_scale.defined() ? z + r * per_channel(ch.r_scale) : z + r;
}

at::Tensor dz(const at::Tensor& dy, const at::Tensor& x, const at::Tensor& r,
              const BnChannels& ch) {
  return dy * map(z(x, r, ch), mish_grad_f64);
}

// Per-channel sums of a 4-D tensor.
at::Tensor channel_sum(const at::Tensor& t) { return t.sum({0, 2, 3}); }

at::Tensor grad(const at::Tensor& dz, const at::Tensor& v,
                const at::Tensor& mean, const BnInputGrad& g) {
  return dz * per_channel(g.g_dz) +
         (v - per_channel(mean)) * per_channel(g.g_xc) + per_channel(g.g_0);
}

}  // namespace f64

// fn(functions, storage tag) for x's dtype; false for float64.
template <class Fn>
bool dispatch(const at::Tensor& x, Fn fn) {
  bool core = true;
  Dtypes::visit(x.scalar_type(), [&](auto dtype) {
    using T = typename decltype(dtype)::type;
    if constexpr (std::is_same_v<T, double>) {
      core = false;
    } else if constexpr (std::is_same_v<T, float>) {
      fn(kF32, static_cast<float*>(nullptr));
    } else if constexpr (std::is_same_v<T, c10::BFloat16>) {
      fn(kBF16, static_cast<uint16_t*>(nullptr));
    } else {
      fn(kF16, static_cast<uint16_t*>(nullptr));
    }
  });
  return core;
}

void statistics(const BnShape& s, const at::Tensor& x, const at::Tensor& k,
                const at::Tensor& sum, const at::Tensor& sum_sq) {
  const bool core = dispatch(x, [&](const auto& f, auto tag) {
    using S = std::remove_pointer_t<decltype(tag)>;
    const S* xp = data<const S>(x);
    const float* kp = floats(k);
    parallel_sums<2>(s, {sum, sum_sq}, [&](const Part& p, auto out) {
      check(
          f.statistics(xp + p.offset, kp + p.channel, p.shape, out[0], out[1]),
          "statistics");
    });
  });
  if (core) return;
  const at::Tensor xc = x - f64::per_channel(k);
  sum.copy_(f64::channel_sum(xc));
  sum_sq.copy_(f64::channel_sum(xc * xc));
}

void forward(const BnShape& s, const at::Tensor& x, const at::Tensor& r,
             const BnChannels& ch, const at::Tensor& y) {
  const bool core = dispatch(x, [&](const auto& f, auto tag) {
    using S = std::remove_pointer_t<decltype(tag)>;
    const S* xp = data<const S>(x);
    const S* rp = data<const S>(r);
    S* yp = data<S>(y);
    const mish_bn_channels c = c_channels(ch, nullptr, nullptr);
    parallel_parts(s, [&](const Part& p) {
      check(f.forward(xp + p.offset, rp ? rp + p.offset : nullptr,
                      offset_by(c, p.channel), yp + p.offset, p.shape),
            "forward");
    });
  });
  if (!core) y.copy_(f64::map(f64::z(x, r, ch), mish_f64));
}

void backward_sums(const BnShape& s, const at::Tensor& dy, const at::Tensor& x,
                   const at::Tensor& r, const BnChannels& ch,
                   const at::Tensor& sum_dz, const at::Tensor& sum_dz_xc,
                   const at::Tensor& sum_dz_rc, const at::Tensor& /*scratch*/) {
  const bool core = dispatch(x, [&](const auto& f, auto tag) {
    using S = std::remove_pointer_t<decltype(tag)>;
    const S* dyp = data<const S>(dy);
    const S* xp = data<const S>(x);
    const S* rp = data<const S>(r);
    const mish_bn_channels c = c_channels(ch, nullptr, nullptr);
    const auto run = [&](const Part& p, double* a, double* b, double* rc) {
      check(f.backward_sums(dyp + p.offset, xp + p.offset,
                            rp ? rp + p.offset : nullptr,
                            offset_by(c, p.channel), p.shape, a, b, rc),
            "backward sums");
    };
    if (sum_dz_rc.defined()) {
      parallel_sums<3>(
          s, {sum_dz, sum_dz_xc, sum_dz_rc},
          [&](const Part& p, auto out) { run(p, out[0], out[1], out[2]); });
    } else {
      parallel_sums<2>(s, {sum_dz, sum_dz_xc}, [&](const Part& p, auto out) {
        run(p, out[0], out[1], nullptr);
      });
    }
  });
  if (core) return;
  const at::Tensor dz = f64::dz(dy, x, r, ch);
  sum_dz.copy_(f64::channel_sum(dz));
  sum_dz_xc.copy_(f64::channel_sum(dz * (x - f64::per_channel(ch.mean))));
  if (sum_dz_rc.defined()) {
    sum_dz_rc.copy_(f64::channel_sum(dz * (r - f64::per_channel(ch.r_mean))));
  }
}

void backward(const BnShape& s, const at::Tensor& dy, const at::Tensor& x,
              const at::Tensor& r, const BnChannels& ch,
              const BnInputGrad& grad, const BnInputGrad& r_grad,
              const at::Tensor& dx, const at::Tensor& dr) {
  const bool core = dispatch(x, [&](const auto& f, auto tag) {
    using S = std::remove_pointer_t<decltype(tag)>;
    const S* dyp = data<const S>(dy);
    const S* xp = data<const S>(x);
    const S* rp = data<const S>(r);
    S* dxp = data<S>(dx);
    S* drp = data<S>(dr);
    const mish_bn_channels c = c_channels(ch, &grad, &r_grad);
    parallel_parts(s, [&](const Part& p) {
      check(f.backward(dyp + p.offset, xp + p.offset,
                       rp ? rp + p.offset : nullptr, offset_by(c, p.channel),
                       dxp + p.offset, drp ? drp + p.offset : nullptr, p.shape),
            "backward");
    });
  });
  if (core) return;
  const at::Tensor dz = f64::dz(dy, x, r, ch);
  dx.copy_(f64::grad(dz, x, ch.mean, grad));
  if (dr.defined()) {
    dr.copy_(ch.r_mean.defined() ? f64::grad(dz, r, ch.r_mean, r_grad) : dz);
  }
}

constexpr BnMishKernels kCpu{statistics, forward, backward_sums, backward};

}  // namespace
}  // namespace mish::torch::detail

TORCH_LIBRARY_IMPL(mish, CPU, m) {
  mish::torch::detail::register_batch_norm_mish<mish::torch::detail::kCpu>(m);
}
