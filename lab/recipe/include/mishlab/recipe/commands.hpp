// The recipe's subcommands; mishlab::recipe::register_commands (lab.hpp)
// registers its components and adds both.
#pragma once

namespace CLI {
class App;
}

namespace mishlab::recipe {

// `train`: the leaderboard protocol (XResNet, Ranger, flat_cos, SA).
void register_train(CLI::App& app);
// `ablate`: activation x optimizer+schedule x self-attention.
void register_ablate(CLI::App& app);

}  // namespace mishlab::recipe
