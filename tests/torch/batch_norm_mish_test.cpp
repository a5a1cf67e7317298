// The fused batch norm + Mish against ATen's batch_norm + mish in float64:
// outputs, the four gradients and the running statistics, in training and
// evaluation, without residual, with a plain one and with one through its
// own batch norm, NCHW and channels-last, every dtype, odd shapes; the
// module against BatchNorm2d; bad arguments.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "inputs.hpp"
#include "mish/torch.hpp"
#include "tests/core/contract.h"

namespace {

enum class Residual { kNone, kPlain, kNormalized };

struct Case {
  std::vector<int64_t> shape;
  at::ScalarType type;
  bool channels_last;
  bool training;
  Residual residual;
  // The residual's batch norm: the same mode as the input's, or the other.
  bool residual_mode_differs = false;
};

std::string name(const Case& c) {
  std::ostringstream out;
  out << c10::IntArrayRef(c.shape) << " " << c.type
      << (c.channels_last ? " channels-last" : " NCHW")
      << (c.training ? " training" : " eval")
      << (c.residual == Residual::kPlain ? " residual" : "")
      << (c.residual == Residual::kNormalized ? " normalized residual" : "")
      << (c.residual_mode_differs ? " in the other mode" : "");
  return out.str();
}

// max |actual - expected| <= tol * max(1, max |expected|).
void expect_close(const at::Tensor& actual, const at::Tensor& expected,
                  double tol, const std::string& what) {
  ASSERT_TRUE(actual.defined()) << what;
  ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
  const at::Tensor a = actual.to(at::kDouble);
  const at::Tensor e = expected.to(at::kDouble);
  const double scale = std::max(1.0, e.abs().max().item<double>());
  const double err = (a - e).abs().max().item<double>();
  EXPECT_LE(err, tol * scale)
      << what << ": max error " << err << " at scale " << scale;
}

// Relative tolerance of the whole layer (output, gradients through autograd,
// statistics) against the float64 composite: the 16-bit types within four
// steps of their format (contract.h's: one rounding of each stored tensor),
// float32 within 2^8 of its own (the gradients' batch sums cancel).
double tolerance(at::ScalarType type) {
  const auto steps = [](int digits, int count) {
    return count * std::ldexp(1.0, 1 - digits);
  };
  switch (type) {
    case at::kDouble:
      return 1e-10;
    case at::kFloat:
      return steps(24, 256);
    case at::kHalf:
      return steps(mish::contract::kF16.digits, 4);
    default:
      return steps(mish::contract::kBf16.digits, 4);
  }
}

// Runs the fused operator and the float64 reference on the same rounded
// inputs; compares outputs, gradients and running statistics.
void check(const Case& c, const at::Device& device = at::kCPU) {
  SCOPED_TRACE(name(c));
  at::manual_seed(0);
  const auto format = c.channels_last ? at::MemoryFormat::ChannelsLast
                                      : at::MemoryFormat::Contiguous;
  // Copies, so that the running statistics of the reference stay as drawn.
  const auto on = [&](const at::Tensor& t, at::ScalarType type) {
    return t.to(device, type, /*non_blocking=*/false, /*copy=*/true)
        .contiguous(t.dim() == 4 ? format : at::MemoryFormat::Contiguous);
  };
  const int64_t channels = c.shape[1];
  const at::Tensor x0 = at::randn(c.shape) * 3 + 1.5;
  const at::Tensor r0 = at::randn(c.shape);
  const at::Tensor dy0 = at::randn(c.shape);
  const at::Tensor w0 = at::rand({channels}) + 0.5;
  const at::Tensor b0 = at::randn({channels});
  const at::Tensor rm0 = at::randn({channels});
  const at::Tensor rv0 = at::rand({channels}) + 0.5;
  const double momentum = 0.3;
  const double eps = 1e-3;
  // The residual's batch norm.
  const at::Tensor r_w0 = at::rand({channels}) + 0.5;
  const at::Tensor r_b0 = at::randn({channels});
  const at::Tensor r_rm0 = at::randn({channels});
  const at::Tensor r_rv0 = at::rand({channels}) + 0.5;
  const bool r_training = c.training != c.residual_mode_differs;
  const double r_momentum = 0.2;
  const double r_eps = 1e-4;
  const bool normalized = c.residual == Residual::kNormalized;

  // Ours, in the case's dtype (float32 parameters and statistics).
  const at::ScalarType param = c.type == at::kDouble ? at::kDouble : at::kFloat;
  at::Tensor x = on(x0, c.type).requires_grad_();
  at::Tensor r = on(r0, c.type).requires_grad_();
  at::Tensor w = on(w0, param).requires_grad_();
  at::Tensor b = on(b0, param).requires_grad_();
  at::Tensor rm = on(rm0, param);
  at::Tensor rv = on(rv0, param);
  at::Tensor r_w = on(r_w0, param).requires_grad_();
  at::Tensor r_b = on(r_b0, param).requires_grad_();
  at::Tensor r_rm = on(r_rm0, param);
  at::Tensor r_rv = on(r_rv0, param);
  c10::optional<mish::torch::ResidualNorm> r_norm;
  if (normalized) {
    r_norm = mish::torch::ResidualNorm{r_w,        r_b,        r_rm, r_rv,
                                       r_training, r_momentum, r_eps};
  }
  const at::Tensor y = mish::torch::batch_norm_mish(
      x, c.residual != Residual::kNone ? r : c10::optional<at::Tensor>(), w, b,
      rm, rv, c.training, momentum, eps, r_norm);
  EXPECT_EQ(y.scalar_type(), c.type);
  EXPECT_TRUE(y.is_contiguous(format));
  y.backward(on(dy0, c.type));

  // The reference in float64 from the same (rounded) values.
  const auto ref = [&](const at::Tensor& t) {
    return t.detach().to(at::kCPU, at::kDouble).contiguous();
  };
  at::Tensor xr = ref(x).requires_grad_();
  at::Tensor rr = ref(r).requires_grad_();
  at::Tensor wr = ref(w).requires_grad_();
  at::Tensor br = ref(b).requires_grad_();
  at::Tensor rmr = ref(rm0.to(param));
  at::Tensor rvr = ref(rv0.to(param));
  at::Tensor r_wr = ref(r_w).requires_grad_();
  at::Tensor r_br = ref(r_b).requires_grad_();
  at::Tensor r_rmr = ref(r_rm0.to(param));
  at::Tensor r_rvr = ref(r_rv0.to(param));
  at::Tensor z = at::batch_norm(xr, wr, br, rmr, rvr, c.training, momentum, eps,
                                /*cudnn_enabled=*/false);
  if (normalized) {
    z = z + at::batch_norm(rr, r_wr, r_br, r_rmr, r_rvr, r_training, r_momentum,
                           r_eps, /*cudnn_enabled=*/false);
  } else if (c.residual == Residual::kPlain) {
    z = z + rr;
  }
  const at::Tensor yr = at::mish(z);
  yr.backward(ref(on(dy0, c.type)));

  const double tol = tolerance(c.type);
  expect_close(y.cpu(), yr, tol, "output");
  expect_close(x.grad().cpu(), xr.grad(), tol, "grad input");
  expect_close(w.grad().cpu(), wr.grad(), tol, "grad weight");
  expect_close(b.grad().cpu(), br.grad(), tol, "grad bias");
  if (c.residual != Residual::kNone) {
    expect_close(r.grad().cpu(), rr.grad(), tol, "grad residual");
  } else {
    EXPECT_FALSE(r.grad().defined());
  }
  // The statistics are float32 in every case but float64.
  const double stats_tol = c.type == at::kDouble ? 1e-12 : 1e-5;
  expect_close(rm.cpu(), rmr, stats_tol, "running_mean");
  expect_close(rv.cpu(), rvr, stats_tol, "running_var");
  if (normalized) {
    expect_close(r_w.grad().cpu(), r_wr.grad(), tol, "grad residual weight");
    expect_close(r_b.grad().cpu(), r_br.grad(), tol, "grad residual bias");
    expect_close(r_rm.cpu(), r_rmr, stats_tol, "residual running_mean");
    expect_close(r_rv.cpu(), r_rvr, stats_tol, "residual running_var");
  } else {
    EXPECT_FALSE(r_w.grad().defined());
    expect_close(r_rm.cpu(), r_rm0, 0, "residual running_mean untouched");
  }
}

constexpr Residual kResiduals[] = {Residual::kNone, Residual::kPlain,
                                   Residual::kNormalized};

class BatchNormMishAgreement : public ::testing::TestWithParam<at::ScalarType> {
};

TEST_P(BatchNormMishAgreement, EveryModeAndLayout) {
  for (const bool channels_last : {false, true}) {
    for (const bool training : {true, false}) {
      for (const Residual residual : kResiduals) {
        check({{4, 6, 5, 7}, GetParam(), channels_last, training, residual});
      }
      check({{4, 6, 5, 7},
             GetParam(),
             channels_last,
             training,
             Residual::kNormalized,
             /*residual_mode_differs=*/true});
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, BatchNormMishAgreement,
                         ::testing::Values(at::kFloat, at::kDouble,
                                           at::kBFloat16, at::kHalf));

TEST(BatchNormMish, OddShapes) {
  for (const bool channels_last : {false, true}) {
    // N = 1 in evaluation (training needs two values per channel).
    for (const Residual residual : kResiduals) {
      check({{1, 3, 4, 5}, at::kFloat, channels_last, false, residual});
      // H = W = 1, as after global pooling.
      check({{9, 5, 1, 1}, at::kFloat, channels_last, true, residual});
      // C not a multiple of any vector width; rows longer than a chunk.
      check({{2, 7, 19, 23}, at::kFloat, channels_last, true, residual});
      check({{3, 301, 2, 3}, at::kFloat, channels_last, true, residual});
      // Channels-last rows longer than a chunk.
      check({{2, 1030, 2, 1}, at::kFloat, channels_last, true, residual});
    }
  }
}

TEST(BatchNormMish, StridedInputComesOutContiguous) {
  const at::Tensor x = at::randn({3, 4, 10, 12}).slice(3, 0, 12, 2);
  ASSERT_FALSE(x.is_contiguous());
  const at::Tensor y =
      mish::torch::batch_norm_mish(x, c10::nullopt, c10::nullopt, c10::nullopt,
                                   c10::nullopt, c10::nullopt, true, 0.1, 1e-5);
  EXPECT_TRUE(y.is_contiguous());
  const at::Tensor expected =
      at::mish(at::batch_norm(x, {}, {}, {}, {}, true, 0.1, 1e-5, false));
  expect_close(y, expected, 2e-5, "strided");
}

TEST(BatchNormMish, InferenceModeAndNoGrad) {
  const at::Tensor x = at::randn({2, 3, 4, 4});
  const at::Tensor rm = at::zeros({3});
  const at::Tensor rv = at::ones({3});
  const at::Tensor expected = at::mish(x / std::sqrt(1 + 1e-5));
  {
    c10::InferenceMode guard;
    expect_close(
        mish::torch::batch_norm_mish(x, {}, {}, {}, rm, rv, false, 0.1, 1e-5),
        expected, 1e-6, "inference mode");
  }
  at::NoGradGuard no_grad;
  expect_close(
      mish::torch::batch_norm_mish(x, {}, {}, {}, rm, rv, false, 0.1, 1e-5),
      expected, 1e-6, "no grad");
}

// The module against torch::nn::BatchNorm2d + Mish, sharing a state dict.
TEST(BatchNormMishModule, MatchesBatchNorm2dAndSharesItsStateDict) {
  torch::manual_seed(0);
  torch::nn::BatchNorm2d bn(torch::nn::BatchNormOptions(5).momentum(0.2));
  mish::nn::BatchNormMish2d fused(torch::nn::BatchNormOptions(5).momentum(0.2));
  std::vector<std::string> bn_keys;
  std::vector<std::string> fused_keys;
  for (const auto& item : bn->named_parameters()) bn_keys.push_back(item.key());
  for (const auto& item : bn->named_buffers()) bn_keys.push_back(item.key());
  for (const auto& item : fused->named_parameters()) {
    fused_keys.push_back(item.key());
  }
  for (const auto& item : fused->named_buffers()) {
    fused_keys.push_back(item.key());
  }
  EXPECT_EQ(bn_keys, fused_keys);
  {
    torch::NoGradGuard no_grad;
    bn->weight.uniform_(0.5, 1.5);
    bn->bias.normal_();
    fused->weight.copy_(bn->weight);
    fused->bias.copy_(bn->bias);
  }
  for (int step = 0; step < 3; ++step) {
    const at::Tensor x = torch::randn({4, 5, 6, 6});
    const at::Tensor r = torch::randn({4, 5, 6, 6});
    expect_close(fused(x, r), torch::mish(bn(x) + r), 2e-5, "training");
    expect_close(fused(x), torch::mish(bn(x)), 2e-5, "training");
  }
  expect_close(fused->running_mean, bn->running_mean, 1e-6, "running_mean");
  expect_close(fused->running_var, bn->running_var, 1e-6, "running_var");
  EXPECT_EQ(fused->num_batches_tracked.item<int64_t>(), 6);
  bn->eval();
  fused->eval();
  const at::Tensor x = torch::randn({1, 5, 3, 3});
  expect_close(fused(x), torch::mish(bn(x)), 2e-5, "eval");
}

TEST(BatchNormMishModule, TrainsInSequential) {
  torch::manual_seed(0);
  torch::nn::Sequential net(
      torch::nn::Conv2d(torch::nn::Conv2dOptions(2, 8, 3)),
      mish::nn::BatchNormMish2d(8), torch::nn::Flatten(),
      torch::nn::Linear(8 * 4 * 4, 1));
  torch::optim::SGD optimizer(net->parameters(), 0.05);
  const at::Tensor x = torch::randn({32, 2, 6, 6});
  const at::Tensor target = x.mean({1, 2, 3}).unsqueeze(1).sin();
  float first = 0;
  float last = 0;
  for (int step = 0; step < 40; ++step) {
    optimizer.zero_grad();
    const at::Tensor loss = torch::mse_loss(net->forward(x), target);
    loss.backward();
    optimizer.step();
    (step == 0 ? first : last) = loss.item<float>();
  }
  EXPECT_LT(last, first * 0.5);
}

TEST(BatchNormMishModule, PrintsAndClones) {
  mish::nn::BatchNormMish2d m(
      torch::nn::BatchNormOptions(3).momentum(c10::nullopt));
  std::ostringstream out;
  out << *m;
  EXPECT_EQ(out.str(),
            "mish::nn::BatchNormMish2d(3, eps=1e-05, momentum=None, "
            "affine=true, track_running_stats=true)");
  const auto copy =
      std::dynamic_pointer_cast<mish::nn::BatchNormMish2dImpl>(m->clone());
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->options.num_features(), 3);
}

using mish::testing::expect_error;

TEST(BatchNormMishErrors, SayWhatIsWrong) {
  const at::Tensor x = at::randn({2, 3, 4, 4});
  const at::Tensor c3 = at::ones({3});
  const auto call = [&](const at::Tensor& input,
                        const c10::optional<at::Tensor>& residual,
                        const c10::optional<at::Tensor>& weight,
                        bool training = true) {
    return mish::torch::batch_norm_mish(input, residual, weight, {}, c3.clone(),
                                        c3.clone(), training, 0.1, 1e-5);
  };
  expect_error([&] { call(at::randn({2, 3, 4}), {}, {}); }, "4-D input");
  expect_error([&] { call(x, {}, at::ones({4})); },
               "weight must have shape [3]");
  expect_error(
      [&] {
        call(x, at::randn({2, 3, 4, 5}), {});
      },
      "residual must have the input's shape");
  expect_error(
      [&] {
        call(x, at::randn({2, 3, 4, 4}, at::kDouble), {});
      },
      "residual must have the input's dtype");
  expect_error(
      [&] {
        call(x, at::empty({2, 3, 4, 4}, at::kMeta), {});
      },
      "residual must be on the input's device");
  expect_error([&] { call(x.to(at::kInt), {}, {}); },
               "input must be a floating-point tensor (Float, Double, BFloat16 "
               "or Half)");
  expect_error(
      [&] {
        call(at::randn({1, 3, 1, 1}), {}, {});
      },
      "more than 1 value per channel");
  expect_error(
      [&] {
        mish::torch::batch_norm_mish(x, {}, {}, {}, {}, {}, false, 0.1, 1e-5);
      },
      "needs running_mean and running_var");
  expect_error(
      [&] {
        mish::torch::batch_norm_mish(x, {}, {}, {}, c3, {}, true, 0.1, 1e-5);
      },
      "given together");
  const auto call_normalized = [&](const c10::optional<at::Tensor>& residual,
                                   const mish::torch::ResidualNorm& norm) {
    return mish::torch::batch_norm_mish(x, residual, {}, {}, c3.clone(),
                                        c3.clone(), true, 0.1, 1e-5, norm);
  };
  mish::torch::ResidualNorm wrong_weight;
  wrong_weight.weight = at::ones({4});
  expect_error([&] { call_normalized(x, wrong_weight); },
               "residual_weight must have shape [3]");
  expect_error([&] { call_normalized({}, {}); },
               "normalize_residual needs a residual");
  mish::torch::ResidualNorm eval_without_running;
  eval_without_running.training = false;
  expect_error([&] { call_normalized(x, eval_without_running); },
               "needs residual_running_mean and residual_running_var");
  mish::nn::BatchNormMish2d module(3);
  expect_error([&] { module(at::randn({2, 3, 4})); }, "expected 4-D input");
}

// CUDA against the CPU, every dtype and layout; skips without a device.
TEST(BatchNormMishCuda, MatchesCpu) {
  if (!torch::cuda::is_available()) {
    GTEST_SKIP() << "no CUDA device or LibTorch without CUDA: GPU test skipped";
  }
  for (const at::ScalarType type : {at::kFloat, at::kBFloat16, at::kHalf}) {
    for (const bool channels_last : {false, true}) {
      for (const bool training : {true, false}) {
        for (const Residual residual : kResiduals) {
          check({{8, 37, 9, 11}, type, channels_last, training, residual},
                at::kCUDA);
        }
        check({{4, 64, 8, 8}, type, channels_last, training, Residual::kNone},
              at::kCUDA);
      }
    }
  }
}

}  // namespace
