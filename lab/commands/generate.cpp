// `mish-lab generate`: activations x seeds on a generative model, scored on
// the test images against a baseline.
#include <filesystem>

#include "commands/commands.hpp"
#include "commands/experiment.hpp"
#include "report/table.hpp"
#include "run/samples.hpp"
#include "train/task.hpp"

namespace mishlab {

namespace {

// A DCGAN's sample grids, seed 0 of each activation, side by side.
std::string samples_section(const Finished& f) {
  if (task_name(f.config.train.model) != "adversarial") return "";
  const auto& activations = f.config.experiment.activations;
  Table table(activations);
  std::vector<std::string> cells;
  for (const std::string& a : activations) {
    std::string cell;
    for (const RunResult& r : f.outcome.results) {
      const std::string file = "runs/" + samples_file(r.spec);
      if (r.spec.activation == a && r.spec.seed == 0 &&
          std::filesystem::exists(f.outcome.dir / file)) {
        cell = "![" + a + ", seed 0](" + file + ")";
      }
    }
    cells.push_back(cell.empty() ? "(no samples)" : cell);
  }
  table.add(cells);
  return "## Samples (seed 0; every grid from the same noise)\n\n" +
         table.markdown() + "\n";
}

}  // namespace

void register_generate(CLI::App& app) {
  ExperimentDefinition def;
  def.name = "generate";
  def.help =
      "Generation: activations x seeds on a generative model, with Welch "
      "p-values against a baseline. --model autoencoder (default): a "
      "convolutional autoencoder (--width channels; the activation after "
      "every encoder and decoder layer but the output's sigmoid), scored by "
      "the test images' reconstruction MSE (pixels in [0, 1]). --model "
      "dcgan: the DCGAN scaled to 28x28 (the activation in the generator's "
      "and the discriminator's hidden layers; the original used lr 2e-4), "
      "scored by the Fréchet distance between generated and test images in "
      "the features of a classifier trained once per data set (--cache), "
      "with a grid of samples per run. --data: IDX or CIFAR files";
  def.flags = {"baseline", "width", "cache"};
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
        f,
        "mish-lab generate: " + f.config.train.model + ", " +
            std::to_string(f.config.experiment.activations.size()) +
            " activations x " + std::to_string(f.config.experiment.seeds) +
            " seeds",
        samples_section(f));
  };
  add_experiment(app, std::move(def));
}

}  // namespace mishlab
