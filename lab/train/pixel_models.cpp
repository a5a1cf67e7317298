#include "train/pixel_models.hpp"

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/pooling.h>

#include "common/error.hpp"
#include "train/activations.hpp"

namespace mishlab {

namespace nn = torch::nn;

namespace {

// Two 3x3 convolutions, each with batch norm and the activation.
nn::Sequential double_conv(int64_t in, int64_t out,
                           const std::string& activation) {
  nn::Sequential s;
  for (int64_t c : {in, out}) {
    s->push_back(
        nn::Conv2d(nn::Conv2dOptions(c, out, 3).padding(1).bias(false)));
    s->push_back(nn::BatchNorm2d(out));
    s->push_back(make_activation(activation));
  }
  return s;
}

class UNetImpl : public nn::Module {
 public:
  UNetImpl(const RunSpec& s, const DataShape& shape) {
    int levels = 0;
    for (int64_t h = shape.height, w = shape.width;
         levels < 3 && h % 2 == 0 && w % 2 == 0; h /= 2, w /= 2) {
      ++levels;
    }
    const int64_t width = s.train.width;
    int64_t in = shape.channels;
    for (int i = 0; i <= levels; ++i) {
      const int64_t out = width << i;
      down_.push_back(register_module("down" + std::to_string(i),
                                      double_conv(in, out, s.activation)));
      in = out;
    }
    for (int i = levels - 1; i >= 0; --i) {
      const int64_t out = width << i;
      up_.push_back(register_module(
          "upsample" + std::to_string(i),
          nn::ConvTranspose2d(
              nn::ConvTranspose2dOptions(in, out, 2).stride(2))));
      // The upsampled map and the encoder's skip, concatenated.
      merge_.push_back(register_module(
          "up" + std::to_string(i), double_conv(2 * out, out, s.activation)));
      in = out;
    }
    head_ = register_module(
        "head", nn::Conv2d(nn::Conv2dOptions(in, shape.classes, 1)));
  }

  at::Tensor forward(at::Tensor x) {
    std::vector<at::Tensor> skips;
    for (size_t i = 0; i < down_.size(); ++i) {
      if (i > 0) x = at::max_pool2d(x, 2);
      x = down_[i]->forward(x);
      skips.push_back(x);
    }
    for (size_t i = 0; i < up_.size(); ++i) {
      x = up_[i]->forward(x);
      x = merge_[i]->forward(at::cat({x, skips[skips.size() - 2 - i]}, 1));
    }
    return head_->forward(x);
  }

 private:
  std::vector<nn::Sequential> down_;
  std::vector<nn::ConvTranspose2d> up_;
  std::vector<nn::Sequential> merge_;
  nn::Conv2d head_{nullptr};
};
TORCH_MODULE(UNet);

class AutoencoderImpl : public nn::Module {
 public:
  AutoencoderImpl(const RunSpec& s, const DataShape& shape) {
    if (shape.height % 4 != 0 || shape.width % 4 != 0) {
      throw Error(
          "the autoencoder needs image sides that are multiples of "
          "4, not " +
          std::to_string(shape.height) + " x " + std::to_string(shape.width));
    }
    const int64_t w = s.train.width;
    nn::Sequential e;
    e->push_back(nn::Conv2d(
        nn::Conv2dOptions(shape.channels, w, 3).stride(2).padding(1)));
    e->push_back(make_activation(s.activation));
    e->push_back(
        nn::Conv2d(nn::Conv2dOptions(w, 2 * w, 3).stride(2).padding(1)));
    e->push_back(make_activation(s.activation));
    nn::Sequential d;
    d->push_back(nn::ConvTranspose2d(
        nn::ConvTranspose2dOptions(2 * w, w, 4).stride(2).padding(1)));
    d->push_back(make_activation(s.activation));
    d->push_back(nn::ConvTranspose2d(
        nn::ConvTranspose2dOptions(w, shape.channels, 4).stride(2).padding(1)));
    encoder_ = register_module("encoder", e);
    decoder_ = register_module("decoder", d);
  }

  at::Tensor forward(const at::Tensor& x) {
    return at::sigmoid(decoder_->forward(encoder_->forward(x)));
  }

 private:
  nn::Sequential encoder_{nullptr};
  nn::Sequential decoder_{nullptr};
};
TORCH_MODULE(Autoencoder);

}  // namespace

nn::AnyModule unet(const RunSpec& spec, const DataShape& shape) {
  return nn::AnyModule(UNet(spec, shape));
}

nn::AnyModule autoencoder(const RunSpec& spec, const DataShape& shape) {
  return nn::AnyModule(Autoencoder(spec, shape));
}

}  // namespace mishlab
