// `mish-lab segment`: activations x seeds on a U-Net, scored by mean IoU and
// pixel accuracy against a baseline.
#include "commands/commands.hpp"
#include "commands/experiment.hpp"

namespace mishlab {

void register_segment(CLI::App& app) {
  add_experiment(
      app,
      {"segment",
       "Segmentation: activations x seeds on a U-Net (--width channels at "
       "the first level), per-pixel cross-entropy (mask value 255 = "
       "ignore); mean IoU and pixel accuracy with Welch p-values against a "
       "baseline. --data: an IDX data set made into 64x64 scenes of 1-4 "
       "items (default: Fashion-MNIST, 11 classes with the background) or "
       "{train,val}/images/NAME.{png,jpg} with {train,val}/masks/NAME.png",
       {"baseline", "width", "size", "classes"},
       {"model"},
       {},
       [](RunConfig& c) {
         c.train.model = "unet";
         c.train.width = 8;
         c.train.epochs = 3;
         c.train.batch_size = 32;
         c.experiment.seeds = 3;
         c.experiment.train_limit = 1000;
         c.experiment.test_limit = 500;
       },
       check_baseline,
       [](const RunConfig& c) { return grid(c, {{}}); },
       [](const Finished& f) {
         write_task_report(
             f, "mish-lab segment: U-Net, " +
                    std::to_string(f.config.experiment.activations.size()) +
                    " activations x " +
                    std::to_string(f.config.experiment.seeds) + " seeds");
       }});
}

}  // namespace mishlab
