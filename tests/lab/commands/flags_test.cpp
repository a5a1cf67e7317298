// Every command's flags come from declared settings: each command starts and
// prints its help, and a name no setting declares stops mish-lab at startup
// instead of silently dropping a flag.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <stdexcept>

#include "commands/commands.hpp"
#include "commands/experiment.hpp"

namespace mishlab {
namespace {

TEST(Flags, EveryCommandStartsAndPrintsItsHelp) {
  CLI::App all;
  register_commands(all);
  const std::vector<CLI::App*> commands = all.get_subcommands({});
  EXPECT_GE(commands.size(), 12u);
  for (const CLI::App* command : commands) {
    const std::string name = command->get_name();
    CLI::App app;  // an App parses once
    register_commands(app);
    const char* argv[] = {"mish-lab", name.c_str(), "--help"};
    EXPECT_THROW(app.parse(3, argv), CLI::CallForHelp) << name;
    EXPECT_NE(command->help().find("--help"), std::string::npos) << name;
  }
}

TEST(Flags, AnExperimentHidesOnlyCommonFlags) {
  ExperimentDefinition def;
  def.name = "typo";
  def.hidden = {"modle"};
  CLI::App app;
  try {
    add_experiment(app, std::move(def));
    ADD_FAILURE() << "hidden 'modle' accepted";
  } catch (const std::logic_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "mish-lab typo hides 'modle', which is no common flag");
  }
}

}  // namespace
}  // namespace mishlab
