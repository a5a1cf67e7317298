#include "train/xresnet.hpp"

#include <torch/torch.h>

#include <array>
#include <mish/torch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "train/fused_shortcut.hpp"
#include "train/self_attention.hpp"

namespace mishlab {
namespace {

namespace nn = torch::nn;

struct Layout {
  int expansion;
  std::array<int, 4> blocks;
};

Layout layout_for(int depth) {
  switch (depth) {
    case 18:
      return {1, {2, 2, 2, 2}};
    case 34:
      return {1, {3, 4, 6, 3}};
    case 50:
      return {4, {3, 4, 6, 3}};
    default:
      throw std::invalid_argument("XResNet depth must be 18, 34 or 50, not " +
                                  std::to_string(depth));
  }
}

int64_t scaled(double widen, int64_t width) {
  return std::max<int64_t>(
      1, static_cast<int64_t>(static_cast<double>(width) * widen + 0.5));
}

nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, kernel)
                        .stride(stride)
                        .padding(kernel / 2)
                        .bias(false));
}

// A batch norm (BatchNorm2d or the fused BatchNormMish2d) whose gamma
// starts at 1, or 0.
template <class Norm>
Norm with_gamma(Norm bn, bool zero_gamma) {
  nn::init::constant_(bn->weight, zero_gamma ? 0.0 : 1.0);
  return bn;
}

// Appends conv (no bias) -> BatchNorm -> optional activation to `seq`; the
// batch norm and the activation (Mish) fused into one layer when `fused`.
void conv_bn(nn::Sequential& seq, int64_t in, int64_t out, int64_t kernel,
             int64_t stride, bool zero_gamma, const ActivationFactory* act,
             bool fused = false) {
  seq->push_back(conv(in, out, kernel, stride));
  if (act && fused) {
    seq->push_back(with_gamma(mish::nn::BatchNormMish2d(out), zero_gamma));
    return;
  }
  seq->push_back(with_gamma(nn::BatchNorm2d(out), zero_gamma));
  if (act) seq->push_back((*act)());
}

class ResBlockImpl : public nn::Module {
 public:
  // Fused, the last batch norm and the activation after the addition (and
  // the shortcut's batch norm) are one layer, unless self-attention sits
  // between them.
  ResBlockImpl(int expansion, int64_t in, int64_t hidden, int64_t stride,
               bool self_attention, bool symmetric,
               const ActivationFactory& act, bool fused) {
    const int64_t out = hidden * expansion;
    const bool fuse_last = fused && !self_attention;
    nn::Sequential convs;
    if (expansion == 1) {
      conv_bn(convs, in, hidden, 3, stride, false, &act, fused);
    } else {
      conv_bn(convs, in, hidden, 1, 1, false, &act, fused);
      conv_bn(convs, hidden, hidden, 3, stride, false, &act, fused);
    }
    const int64_t last_kernel = expansion == 1 ? 3 : 1;
    if (fuse_last) {
      convs->push_back(conv(hidden, out, last_kernel, 1));
    } else {
      conv_bn(convs, hidden, out, last_kernel, 1, true, nullptr);
    }
    if (self_attention) convs->push_back(SimpleSelfAttention(out, symmetric));
    convs_ = register_module("convs", convs);
    nn::Sequential shortcut;
    if (stride != 1) {
      shortcut->push_back(
          nn::AvgPool2d(nn::AvgPool2dOptions(2).stride(2).ceil_mode(true)));
    }
    if (in != out) conv_bn(shortcut, in, out, 1, 1, false, nullptr);
    if (!shortcut->is_empty()) shortcut_ = register_module("idpath", shortcut);
    if (fuse_last) {
      last_ = register_module("bn_act",
                              with_gamma(mish::nn::BatchNormMish2d(out), true));
    } else {
      act_ = act();
      register_module("act", act_.ptr());
    }
  }

  torch::Tensor forward(const torch::Tensor& x) {
    if (last_) return fused_add_mish(last_, convs_->forward(x), x, shortcut_);
    const auto id = shortcut_ ? shortcut_->forward(x) : x;
    return act_.forward(convs_->forward(x) + id);
  }

 private:
  nn::Sequential convs_{nullptr};
  nn::Sequential shortcut_{nullptr};
  nn::AnyModule act_;
  mish::nn::BatchNormMish2d last_{nullptr};
};
TORCH_MODULE(ResBlock);

// fastai's init_cnn: He-normal for every conv and linear weight, zero biases.
void init_cnn(nn::Module& module) {
  for (auto& m : module.modules(/*include_self=*/false)) {
    if (auto* conv = m->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight);
    } else if (auto* linear = m->as<nn::Linear>()) {
      nn::init::kaiming_normal_(linear->weight);
      nn::init::zeros_(linear->bias);
    }
  }
}

}  // namespace

XResNetImpl::XResNetImpl(const XResNetOptions& options) {
  TORCH_CHECK(options.activation, "XResNet needs an activation factory");
  const auto layout = layout_for(options.depth);
  const auto& act = options.activation;
  const auto w = [&](int64_t width) { return scaled(options.widen, width); };

  body = nn::Sequential();
  const std::array<int64_t, 4> stem = {options.in_channels, w(32), w(32),
                                       w(64)};
  for (size_t i = 0; i + 1 < stem.size(); ++i) {
    const int64_t stride = (i == 0 && !options.small_input) ? 2 : 1;
    conv_bn(body, stem[i], stem[i + 1], 3, stride, false, &act,
            options.fused_bn_mish);
  }
  body->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1)));

  const std::array<int64_t, 4> widths = {w(64), w(128), w(256), w(512)};
  int64_t in = stem.back();
  for (size_t stage = 0; stage < widths.size(); ++stage) {
    const int n = layout.blocks[stage];
    for (int b = 0; b < n; ++b) {
      const int64_t stride = (stage > 0 && b == 0) ? 2 : 1;
      const bool sa = options.self_attention && stage == 0 && b == n - 1;
      body->push_back(ResBlock(layout.expansion, in, widths[stage], stride, sa,
                               options.symmetric_attention, act,
                               options.fused_bn_mish));
      in = widths[stage] * layout.expansion;
    }
  }
  body->push_back(nn::AdaptiveAvgPool2d(1));
  body->push_back(nn::Flatten());
  register_module("body", body);
  head =
      register_module("head", nn::Sequential(nn::Linear(in, options.classes)));
  init_cnn(*this);
}

torch::Tensor XResNetImpl::forward(const torch::Tensor& x) {
  return head->forward(body->forward(x));
}

}  // namespace mishlab
