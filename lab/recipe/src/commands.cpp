#include "mishlab/recipe/commands.hpp"

#include <memory>
#include <string>
#include <vector>

#include "mishlab/lab.hpp"
#include "mishlab/nn.hpp"
#include "mishlab/recipe/radam.hpp"
#include "mishlab/recipe/ranger.hpp"
#include "mishlab/recipe/schedule.hpp"
#include "mishlab/recipe/xresnet.hpp"

namespace mishlab::recipe {
namespace {

// The XResNet models, Ranger and RAdam, flat_cos and one_cycle, in the lab's
// registries (registering twice replaces the entries).
void register_components() {
  for (int depth : {18, 34, 50}) {
    register_model("xresnet" + std::to_string(depth),
                   [depth](const RunSpec& s, const DataShape& shape) {
                     XResNetOptions o;
                     o.depth = depth;
                     o.in_channels = shape.channels;
                     o.classes = shape.classes;
                     o.widen = s.extra.value("widen", 1.0);
                     o.small_input = shape.height < 64;  // MNIST, CIFAR
                     o.self_attention = s.extra.value("sa", false);
                     o.activation = [act = s.activation] {
                       return make_activation(act);
                     };
                     return torch::nn::AnyModule(XResNet(o));
                   });
  }
  register_optimizer("ranger", [](std::vector<torch::Tensor> p,
                                  const RunSpec& s) {
    return std::make_unique<Ranger>(
        std::move(p), RangerOptions()
                          .lr(s.lr)
                          .weight_decay(s.weight_decay)
                          .centralize_gradients(s.extra.value("gc", false)));
  });
  register_optimizer("radam", [](std::vector<torch::Tensor> p,
                                 const RunSpec& s) {
    return std::make_unique<RAdam>(
        std::move(p), RAdamOptions(s.lr)
                          .weight_decay(s.weight_decay)
                          .centralize_gradients(s.extra.value("gc", false)));
  });
  register_schedule("flat_cos", [](double t) { return flat_cos(t); });
  register_schedule("one_cycle", [](double t) { return one_cycle(t); });
}

}  // namespace

void register_commands(CLI::App& app) {
  register_components();
  register_train(app);
  register_ablate(app);
}

}  // namespace mishlab::recipe
