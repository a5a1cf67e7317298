#include "train/dcgan.hpp"

#include <ATen/ATen.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/utils.h>

#include "common/error.hpp"
#include "train/activations.hpp"

namespace mishlab {

namespace nn = torch::nn;

DcganImpl::DcganImpl(const RunSpec& s, const DataShape& shape) {
  if (shape.height % 4 != 0 || shape.width % 4 != 0) {
    throw Error("the DCGAN needs image sides that are multiples of 4, not " +
                std::to_string(shape.height) + " x " +
                std::to_string(shape.width));
  }
  const int64_t w = s.train.width;
  const std::vector<int64_t> quarter = {shape.height / 4, shape.width / 4};
  nn::Sequential g;
  g->push_back(nn::ConvTranspose2d(
      nn::ConvTranspose2dOptions(kNoise, 4 * w, quarter).bias(false)));
  g->push_back(nn::BatchNorm2d(4 * w));
  g->push_back(make_activation(s.activation));
  g->push_back(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(4 * w, 2 * w, 4)
                                       .stride(2)
                                       .padding(1)
                                       .bias(false)));
  g->push_back(nn::BatchNorm2d(2 * w));
  g->push_back(make_activation(s.activation));
  g->push_back(
      nn::ConvTranspose2d(nn::ConvTranspose2dOptions(2 * w, shape.channels, 4)
                              .stride(2)
                              .padding(1)));
  nn::Sequential d;
  d->push_back(nn::Conv2d(
      nn::Conv2dOptions(shape.channels, 2 * w, 4).stride(2).padding(1)));
  d->push_back(make_activation(s.activation));
  d->push_back(nn::Conv2d(
      nn::Conv2dOptions(2 * w, 4 * w, 4).stride(2).padding(1).bias(false)));
  d->push_back(nn::BatchNorm2d(4 * w));
  d->push_back(make_activation(s.activation));
  d->push_back(nn::Conv2d(nn::Conv2dOptions(4 * w, 1, quarter)));
  generator_ = register_module("generator", g);
  discriminator_ = register_module("discriminator", d);
  torch::NoGradGuard no_grad;
  for (auto& m : modules(false)) {
    if (auto* bn = m->as<nn::BatchNorm2d>()) {
      nn::init::normal_(bn->weight, 1, 0.02);
      nn::init::zeros_(bn->bias);
    } else if (m->as<nn::Conv2d>() || m->as<nn::ConvTranspose2d>()) {
      nn::init::normal_(m->named_parameters(false)["weight"], 0, 0.02);
    }
  }
}

at::Tensor DcganImpl::forward(const at::Tensor& x) {
  return generate(x.size(0));
}

at::Tensor DcganImpl::generate(const at::Tensor& noise) {
  return at::tanh(generator_->forward(noise));
}

at::Tensor DcganImpl::generate(int64_t n) {
  const at::Tensor any = parameters().front();
  return generate(at::randn({n, kNoise, 1, 1}, any.options()));
}

at::Tensor DcganImpl::discriminate(const at::Tensor& images) {
  return discriminator_->forward(images).flatten();
}

nn::AnyModule dcgan(const RunSpec& spec, const DataShape& shape) {
  return nn::AnyModule(Dcgan(spec, shape));
}

}  // namespace mishlab
