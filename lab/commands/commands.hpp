#pragma once

// mish-lab's subcommands. Each is a function that adds itself to the CLI11
// app: it declares its flags, and its callback builds an Experiment (a list
// of RunSpecs, see run/runner.hpp), runs it with run_experiment and writes
// its report (commands/experiment_report.hpp).

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

// `train` and `ablate` (the fastai recipe), with its models, optimizers and
// schedules in the registries.
void register_recipe_commands(CLI::App& app);

}  // namespace mishlab
