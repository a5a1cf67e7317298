#pragma once

// mish-lab's subcommands. The experiments (compare, depth, noise, init,
// train, ablate, segment, generate, suite) are definitions run by one driver
// (experiment.hpp); `activations` and `plot-activations` only list and draw.

namespace CLI {
class App;
}

namespace mishlab {

void register_compare(CLI::App& app);
void register_depth(CLI::App& app);
void register_noise(CLI::App& app);
void register_init(CLI::App& app);
// The fastai recipe: XResNet, Ranger, flat+cosine, self-attention.
void register_train(CLI::App& app);
// Activation x optimizer+schedule x self-attention.
void register_ablate(CLI::App& app);
// Segmentation (U-Net) and generation (autoencoder).
void register_segment(CLI::App& app);
void register_generate(CLI::App& app);
// Many benchmarks x activations x seeds: wins, ties and losses.
void register_suite(CLI::App& app);
// `activations` (the list) and `plot-activations` (their curves).
void register_activation_commands(CLI::App& app);

// All of the above.
void register_commands(CLI::App& app);

}  // namespace mishlab
