#pragma once

// mish-lab's command line. Each subcommand is a function that adds itself to
// the CLI11 app: it declares its flags (add_common_options gives the shared
// ones), and its callback builds an Experiment (a list of RunSpecs, see
// runner.hpp), runs it with run_experiment (output folder, checkpoints,
// --resume, results.csv) and writes its report (experiment.hpp).
//
// To plug in a new subcommand from another library, e.g. lab/recipe:
//   1. define `void mishlab::recipe::register_commands(CLI::App& app)` that
//      registers its models, optimizers and schedules (nn.hpp) and adds its
//      subcommands the same way;
//   2. build it as the static library `mish_lab_recipe` (linking
//      mish_lab_core) with
//        target_compile_definitions(mish_lab_recipe INTERFACE
//                                   MISHLAB_HAVE_RECIPE)
//      lab/CMakeLists.txt links it into mish-lab, and main() then calls
//      recipe::register_commands after the built-in commands.
// Training itself goes through Trainer::step (trainer.hpp), the one place
// with the gradient-sync seam for data-parallel runs.

namespace CLI {
class App;
}

namespace mishlab {

void register_compare(CLI::App& app);
void register_depth(CLI::App& app);
void register_noise(CLI::App& app);
void register_init(CLI::App& app);
// `activations` (the list) and `plot-activations` (their curves).
void register_activation_commands(CLI::App& app);

// All of the above.
void register_builtin_commands(CLI::App& app);

namespace recipe {
void register_commands(CLI::App& app);
}  // namespace recipe

}  // namespace mishlab
