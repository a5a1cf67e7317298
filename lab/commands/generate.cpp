// `mish-lab generate`: activations x seeds on a generative model, scored on
// the test images against a baseline.
#include "commands/commands.hpp"
#include "commands/experiment.hpp"

namespace mishlab {

void register_generate(CLI::App& app) {
  ExperimentDefinition def;
  def.name = "generate";
  def.help =
      "Generation: activations x seeds on a convolutional autoencoder "
      "(--model autoencoder, --width channels; the activation after every "
      "encoder and decoder layer but the output's sigmoid), scored by the "
      "test images' reconstruction MSE (pixels in [0, 1]) with Welch "
      "p-values against a baseline. --data: IDX or CIFAR files";
  def.flags = {"baseline", "width"};
  def.defaults = [](RunConfig& c) {
    c.train.model = "autoencoder";
    c.train.width = 16;
    c.train.epochs = 3;
    c.experiment.seeds = 3;
  };
  def.check = check_baseline;
  def.runs = [](const RunConfig& c) { return grid(c, {{}}); };
  def.report = [](const Finished& f) {
    write_task_report(
        f, "mish-lab generate: " + f.config.train.model + ", " +
               std::to_string(f.config.experiment.activations.size()) +
               " activations x " + std::to_string(f.config.experiment.seeds) +
               " seeds");
  };
  add_experiment(app, std::move(def));
}

}  // namespace mishlab
