#include "train/models.hpp"

#include <torch/nn/init.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>
#include <torch/utils.h>

#include <cmath>
#include <functional>
#include <map>
#include <mish/torch.hpp>

#include "common/error.hpp"
#include "train/activations.hpp"
#include "train/cspdarknet.hpp"
#include "train/dcgan.hpp"
#include "train/fused_shortcut.hpp"
#include "train/pixel_models.hpp"
#include "train/run_spec.hpp"
#include "train/xresnet.hpp"

namespace mishlab {

namespace nn = torch::nn;

namespace {

using ModelFactory =
    std::function<nn::AnyModule(const RunSpec&, const DataShape&)>;

// Sequential's forward is a template, which AnyModule cannot hold.
class NetImpl : public nn::Module {
 public:
  explicit NetImpl(nn::Sequential layers)
      : layers_(register_module("layers", std::move(layers))) {}
  at::Tensor forward(const at::Tensor& x) { return layers_->forward(x); }

 private:
  nn::Sequential layers_;
};
TORCH_MODULE(Net);

// Whether the run's batch norms and Mish train as one fused layer.
bool fused(const RunSpec& s) {
  return s.train.fused_bn_mish && s.activation == "mish";
}

nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride = 1) {
  return nn::Conv2d(
      nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

// Adds a classifier head after `features`, sizing its input by running one
// blank image through them.
nn::AnyModule with_head(nn::Sequential features, const DataShape& shape,
                        const std::vector<int64_t>& hidden,
                        const std::string& activation, double dropout = 0) {
  int64_t width = shape.channels * shape.height * shape.width;
  if (!features->is_empty()) {
    torch::NoGradGuard no_grad;
    features->eval();
    width =
        features
            ->forward(at::zeros({1, shape.channels, shape.height, shape.width}))
            .numel();
    features->train();
  }
  features->push_back(nn::Flatten());
  for (int64_t h : hidden) {
    features->push_back(nn::Linear(width, h));
    features->push_back(make_activation(activation));
    if (dropout > 0) features->push_back(nn::Dropout(dropout));
    width = h;
  }
  features->push_back(nn::Linear(width, shape.classes));
  return nn::AnyModule(Net(features));
}

// Two conv blocks with batch norm: quick, and good enough to rank activations.
nn::AnyModule small_cnn(const RunSpec& s, const DataShape& shape) {
  nn::Sequential f;
  int64_t in = shape.channels;
  for (int64_t out : {16, 32}) {
    f->push_back(conv3x3(in, out));
    if (fused(s)) {
      f->push_back(mish::nn::BatchNormMish2d(out));
    } else {
      f->push_back(nn::BatchNorm2d(out));
      f->push_back(make_activation(s.activation));
    }
    f->push_back(nn::MaxPool2d(2));
    in = out;
  }
  return with_head(f, shape, {64}, s.activation, 0.25);
}

nn::AnyModule mlp(const RunSpec& s, const DataShape& shape) {
  return with_head(nn::Sequential(), shape, {256, 128}, s.activation);
}

// The depth test of the paper: D blocks of Linear(500), BatchNorm,
// activation, Dropout(0.25); the width can be lowered where matrix products
// are slow (LibTorch on the reference BLAS).
nn::AnyModule deep_mlp(const RunSpec& s, const DataShape& shape) {
  if (s.depth < 1) throw Error("model 'deep' needs a depth of at least 1");
  const int64_t width = s.train.width;
  nn::Sequential m;
  m->push_back(nn::Flatten());
  int64_t in = shape.channels * shape.height * shape.width;
  for (int i = 0; i < s.depth; ++i) {
    m->push_back(nn::Linear(in, width));
    m->push_back(nn::BatchNorm1d(width));
    m->push_back(make_activation(s.activation));
    m->push_back(nn::Dropout(0.25));
    in = width;
  }
  m->push_back(nn::Linear(in, shape.classes));
  return nn::AnyModule(Net(m));
}

// Plain CNNs without batch norm, so that inputs (noise) and initial weights
// reach the activations unmodified: 5 weight layers, and 6.
nn::Sequential plain_convs(const RunSpec& s, const DataShape& shape,
                           const std::vector<int64_t>& widths,
                           const std::vector<bool>& pool_after) {
  nn::Sequential f;
  int64_t in = shape.channels;
  for (size_t i = 0; i < widths.size(); ++i) {
    f->push_back(nn::Conv2d(nn::Conv2dOptions(in, widths[i], 3).padding(1)));
    f->push_back(make_activation(s.activation));
    if (pool_after[i]) f->push_back(nn::MaxPool2d(2));
    in = widths[i];
  }
  return f;
}

nn::AnyModule cnn5(const RunSpec& s, const DataShape& shape) {
  return with_head(
      plain_convs(s, shape, {16, 32, 64, 64}, {true, true, false, true}), shape,
      {}, s.activation);
}

nn::AnyModule cnn6(const RunSpec& s, const DataShape& shape) {
  return with_head(
      plain_convs(s, shape, {16, 32, 32, 64}, {true, false, true, false}),
      shape, {64}, s.activation);
}

// ResNet basic block (two 3x3 convs) with a 1x1 projection when the shape
// changes. Fused, each batch norm and the Mish after it (after the residual
// addition for the second, together with the projection's batch norm) are
// one BatchNormMish2d under the batch norm's name.
class BasicBlockImpl : public nn::Module {
 public:
  BasicBlockImpl(int64_t in, int64_t out, int64_t stride,
                 const std::string& activation, bool fused)
      : conv1_(register_module("conv1", conv3x3(in, out, stride))) {
    if (fused) {
      fused1_ = register_module("bn1", mish::nn::BatchNormMish2d(out));
      conv2_ = register_module("conv2", conv3x3(out, out));
      fused2_ = register_module("bn2", mish::nn::BatchNormMish2d(out));
    } else {
      bn1_ = register_module("bn1", nn::BatchNorm2d(out));
      conv2_ = register_module("conv2", conv3x3(out, out));
      bn2_ = register_module("bn2", nn::BatchNorm2d(out));
      act1_ = make_activation(activation);
      act2_ = make_activation(activation);
      register_module("act1", act1_.ptr());
      register_module("act2", act2_.ptr());
    }
    if (stride != 1 || in != out) {
      shortcut_ = register_module(
          "shortcut",
          nn::Sequential(
              nn::Conv2d(
                  nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)),
              nn::BatchNorm2d(out)));
    }
  }

  at::Tensor forward(const at::Tensor& x) {
    if (fused1_) {
      return fused_add_mish(fused2_, conv2_(fused1_(conv1_(x))), x, shortcut_);
    }
    const at::Tensor id = shortcut_ ? shortcut_->forward(x) : x;
    const at::Tensor y = act1_.forward(bn1_(conv1_(x)));
    return act2_.forward(bn2_(conv2_(y)) + id);
  }

 private:
  nn::Conv2d conv1_;
  nn::Conv2d conv2_{nullptr};
  nn::BatchNorm2d bn1_{nullptr};
  nn::BatchNorm2d bn2_{nullptr};
  nn::AnyModule act1_;
  nn::AnyModule act2_;
  mish::nn::BatchNormMish2d fused1_{nullptr};
  mish::nn::BatchNormMish2d fused2_{nullptr};
  nn::Sequential shortcut_{nullptr};
};
TORCH_MODULE(BasicBlock);

// ResNet-20 for CIFAR (He et al. 2016): 3 stages of 3 blocks, 16-32-64
// channels, global average pooling.
nn::AnyModule resnet20(const RunSpec& s, const DataShape& shape) {
  nn::Sequential m(conv3x3(shape.channels, 16));
  if (fused(s)) {
    m->push_back(mish::nn::BatchNormMish2d(16));
  } else {
    m->push_back(nn::BatchNorm2d(16));
    m->push_back(make_activation(s.activation));
  }
  int64_t in = 16;
  for (int64_t out : {16, 32, 64}) {
    for (int b = 0; b < 3; ++b) {
      m->push_back(BasicBlock(in, out, b == 0 && out != 16 ? 2 : 1,
                              s.activation, fused(s)));
      in = out;
    }
  }
  m->push_back(nn::AdaptiveAvgPool2d(1));
  m->push_back(nn::Flatten());
  m->push_back(nn::Linear(64, shape.classes));
  return nn::AnyModule(Net(m));
}

// fastai's XResNet (train/xresnet.hpp) of the given depth.
ModelFactory xresnet(int depth) {
  return [depth](const RunSpec& s, const DataShape& shape) {
    XResNetOptions o;
    o.depth = depth;
    o.in_channels = shape.channels;
    o.classes = shape.classes;
    o.widen = s.train.widen;
    o.small_input = shape.height < 64;  // MNIST, CIFAR
    o.self_attention = s.train.sa;
    o.activation = [act = s.activation] { return make_activation(act); };
    o.fused_bn_mish = fused(s);
    return nn::AnyModule(XResNet(o));
  };
}

nn::AnyModule cspdarknet53(const RunSpec& s, const DataShape& shape) {
  CSPDarknetOptions o;
  o.in_channels = shape.channels;
  o.classes = shape.classes;
  o.widen = s.train.widen;
  o.small_input = shape.height < 64;  // MNIST, CIFAR
  o.activation = s.activation;
  o.fused_bn_mish = fused(s);
  return nn::AnyModule(CSPDarknet53(o));
}

struct Model {
  ModelFactory build;
  // Whether it has BatchNorm2d + Mish pairs that --fused-bn-mish fuses.
  bool fuses_bn_mish;
};

const std::map<std::string, Model>& models() {
  static const std::map<std::string, Model> table = {
      {"cnn", {small_cnn, true}},
      {"cspdarknet53", {cspdarknet53, true}},
      {"mlp", {mlp, false}},
      {"deep", {deep_mlp, false}},
      {"cnn5", {cnn5, false}},
      {"cnn6", {cnn6, false}},
      {"resnet20", {resnet20, true}},
      {"xresnet18", {xresnet(18), true}},
      {"xresnet34", {xresnet(34), true}},
      {"xresnet50", {xresnet(50), true}},
      {"unet", {unet, false}},
      {"autoencoder", {autoencoder, false}},
      {"dcgan", {dcgan, false}},
  };
  return table;
}

using Init = std::function<void(at::Tensor&, double fan_in)>;

// Keras' names and defaults, which the paper's initialiser test used.
const std::map<std::string, Init>& inits() {
  static const std::map<std::string, Init> table = {
      {"default", nullptr},
      {"he_normal",
       [](at::Tensor& w, double) {
         nn::init::kaiming_normal_(w, 0, torch::kFanIn, torch::kReLU);
       }},
      {"he_uniform",
       [](at::Tensor& w, double) {
         nn::init::kaiming_uniform_(w, 0, torch::kFanIn, torch::kReLU);
       }},
      {"glorot_normal",
       [](at::Tensor& w, double) { nn::init::xavier_normal_(w); }},
      {"glorot_uniform",
       [](at::Tensor& w, double) { nn::init::xavier_uniform_(w); }},
      {"lecun_normal",
       [](at::Tensor& w, double fan_in) {
         w.normal_(0, 1 / std::sqrt(fan_in));
       }},
      {"lecun_uniform",
       [](at::Tensor& w, double fan_in) {
         const double a = std::sqrt(3 / fan_in);
         w.uniform_(-a, a);
       }},
      {"orthogonal", [](at::Tensor& w, double) { nn::init::orthogonal_(w); }},
      {"random_normal", [](at::Tensor& w, double) { w.normal_(0, 0.05); }},
      {"random_uniform",
       [](at::Tensor& w, double) { w.uniform_(-0.05, 0.05); }},
      {"truncated_normal",
       [](at::Tensor& w, double) {
         // Redraw values beyond two standard deviations, as Keras does.
         w.normal_(0, 0.05);
         for (at::Tensor out = w.abs() > 0.1; out.any().item<bool>();
              out = w.abs() > 0.1) {
           w.masked_scatter_(out, at::empty_like(w).normal_(0, 0.05));
         }
       }},
  };
  return table;
}

}  // namespace

nn::AnyModule build_model(const RunSpec& spec, const DataShape& shape) {
  const auto it = models().find(spec.train.model);
  if (it == models().end()) {
    throw Error("unknown model '" + spec.train.model + "'");
  }
  return it->second.build(spec, shape);
}

bool fuses_bn_mish(const std::string& model) {
  const auto it = models().find(model);
  return it != models().end() && it->second.fuses_bn_mish;
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const auto& [name, model] : models()) names.push_back(name);
  return names;
}

std::vector<std::string> init_names() {
  std::vector<std::string> names;
  for (const auto& [name, init] : inits()) names.push_back(name);
  return names;
}

void init_weights(nn::Module& model, const std::string& init) {
  const auto it = inits().find(init);
  if (it == inits().end()) throw Error("unknown initialiser '" + init + "'");
  if (!it->second) return;
  torch::NoGradGuard no_grad;
  for (const auto& m : model.modules()) {
    auto params = m->named_parameters(/*recurse=*/false);
    at::Tensor* w = params.find("weight");
    if (w == nullptr || w->dim() < 2) continue;
    it->second(*w, static_cast<double>(w->numel() / w->size(0)));
    if (at::Tensor* b = params.find("bias")) b->zero_();
  }
}

}  // namespace mishlab
