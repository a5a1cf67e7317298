#include "mishlab/recipe/commands.hpp"

#include "mishlab/lab.hpp"
#include "mishlab/recipe/settings.hpp"

namespace mishlab::recipe {

void register_commands(CLI::App& app) {
  register_components();
  register_train(app);
  register_ablate(app);
}

}  // namespace mishlab::recipe
