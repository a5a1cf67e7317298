#include "train/cspdarknet.hpp"

#include <torch/torch.h>

#include <array>
#include <mish/torch.hpp>

#include "train/activations.hpp"

namespace mishlab {
namespace {

namespace nn = torch::nn;

// conv (no bias) -> BatchNorm2d -> activation, or conv -> BatchNormMish2d
// under the batch norm's name: the same parameter names either way.
class ConvBnActImpl : public nn::Module {
 public:
  ConvBnActImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                const CSPDarknetOptions& o)
      : conv_(register_module("conv",
                              nn::Conv2d(nn::Conv2dOptions(in, out, kernel)
                                             .stride(stride)
                                             .padding(kernel / 2)
                                             .bias(false)))) {
    if (o.fused_bn_mish) {
      fused_ = register_module("bn", mish::nn::BatchNormMish2d(out));
    } else {
      bn_ = register_module("bn", nn::BatchNorm2d(out));
      act_ = make_activation(o.activation);
      register_module("act", act_.ptr());
    }
  }

  torch::Tensor forward(const torch::Tensor& x) {
    if (fused_) return fused_(conv_(x));
    return act_.forward(bn_(conv_(x)));
  }

 private:
  nn::Conv2d conv_;
  nn::BatchNorm2d bn_{nullptr};
  nn::AnyModule act_;
  mish::nn::BatchNormMish2d fused_{nullptr};
};
TORCH_MODULE(ConvBnAct);

// x + (3x3 conv (1x1 conv (x))), each with its batch norm and activation;
// YOLOv4 adds after the activation, so nothing follows the sum.
class ResidualImpl : public nn::Module {
 public:
  ResidualImpl(int64_t channels, int64_t hidden, const CSPDarknetOptions& o)
      : convs_(register_module(
            "convs", nn::Sequential(ConvBnAct(channels, hidden, 1, 1, o),
                                    ConvBnAct(hidden, channels, 3, 1, o)))) {}

  torch::Tensor forward(const torch::Tensor& x) {
    return x + convs_->forward(x);
  }

 private:
  nn::Sequential convs_;
};
TORCH_MODULE(Residual);

// Downsampling, then a 1x1 route and a main path (1x1, residual blocks,
// 1x1 transition) concatenated and merged by a 1x1 convolution. The first
// stage's paths keep all channels, and its blocks halve them inside.
class StageImpl : public nn::Module {
 public:
  StageImpl(int64_t in, int64_t out, int blocks, bool first, int64_t stride,
            const CSPDarknetOptions& o)
      : down_(register_module("down", ConvBnAct(in, out, 3, stride, o))) {
    const int64_t part = first ? out : out / 2;
    const int64_t hidden = first ? out / 2 : part;
    route_ = register_module("route", ConvBnAct(out, part, 1, 1, o));
    main_ = nn::Sequential(ConvBnAct(out, part, 1, 1, o));
    for (int b = 0; b < blocks; ++b) {
      main_->push_back(Residual(part, hidden, o));
    }
    main_->push_back(ConvBnAct(part, part, 1, 1, o));
    register_module("main", main_);
    merge_ = register_module("merge", ConvBnAct(2 * part, out, 1, 1, o));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    const torch::Tensor d = down_->forward(x);
    return merge_->forward(
        torch::cat({main_->forward(d), route_->forward(d)}, 1));
  }

 private:
  ConvBnAct down_;
  ConvBnAct route_{nullptr};
  nn::Sequential main_{nullptr};
  ConvBnAct merge_{nullptr};
};
TORCH_MODULE(Stage);

}  // namespace

CSPDarknet53Impl::CSPDarknet53Impl(const CSPDarknetOptions& o) {
  const auto w = [&](int64_t width) {
    return std::max<int64_t>(
        2, static_cast<int64_t>(static_cast<double>(width) * o.widen + 0.5));
  };
  body = nn::Sequential(ConvBnAct(o.in_channels, w(32), 3, 1, o));
  const std::array<int64_t, 5> widths = {64, 128, 256, 512, 1024};
  const std::array<int, 5> blocks = {1, 2, 8, 8, 4};
  int64_t in = w(32);
  for (size_t s = 0; s < widths.size(); ++s) {
    const int64_t stride = s == 0 && o.small_input ? 1 : 2;
    body->push_back(Stage(in, w(widths[s]), blocks[s], s == 0, stride, o));
    in = w(widths[s]);
  }
  body->push_back(nn::AdaptiveAvgPool2d(1));
  body->push_back(nn::Flatten());
  register_module("body", body);
  head = register_module("head", nn::Sequential(nn::Linear(in, o.classes)));
}

torch::Tensor CSPDarknet53Impl::forward(const torch::Tensor& x) {
  return head->forward(body->forward(x));
}

}  // namespace mishlab
