// `mish-lab segment`: activations x seeds on a U-Net, scored by mean IoU and
// pixel accuracy against a baseline.
#include "commands/commands.hpp"
#include "commands/experiment.hpp"

namespace mishlab {

void register_segment(CLI::App& app) {
  ExperimentDefinition def;
  def.name = "segment";
  def.help =
      "Segmentation: activations x seeds on a U-Net (--width channels at "
      "the first level), per-pixel cross-entropy (mask value 255 = "
      "ignore); mean IoU and pixel accuracy with Welch p-values against a "
      "baseline. --data: an IDX data set made into 64x64 scenes of 1-4 "
      "items (default: Fashion-MNIST, 11 classes with the background) or "
      "{train,val}/images/NAME.{png,jpg} with {train,val}/masks/NAME.png";
  def.flags = {"baseline", "width", "size", "classes"};
  def.hidden = {"model"};
  def.defaults = [](RunConfig& c) {
    c.train.model = "unet";
    c.train.width = 8;
    c.train.epochs = 3;
    c.train.batch_size = 32;
    c.experiment.seeds = 3;
    c.experiment.train_limit = 1000;
    c.experiment.test_limit = 500;
  };
  def.check = check_baseline;
  def.runs = [](const RunConfig& c) { return grid(c, {{}}); };
  def.report = [](const Finished& f) {
    write_task_report(
        f, "mish-lab segment: U-Net, " +
               std::to_string(f.config.experiment.activations.size()) +
               " activations x " + std::to_string(f.config.experiment.seeds) +
               " seeds");
  };
  add_experiment(app, std::move(def));
}

}  // namespace mishlab
