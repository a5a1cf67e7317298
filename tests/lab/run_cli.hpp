// Runs mish-lab's command line in this process: the subcommands' callbacks
// run inside app.parse, as in main().
#ifndef MISHLAB_TESTS_RUN_CLI_HPP_
#define MISHLAB_TESTS_RUN_CLI_HPP_

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "commands/commands.hpp"

namespace mishlab {

inline void run_cli(std::vector<std::string> args) {
  CLI::App app;
  register_commands(app);
  args.insert(args.begin(), "mish-lab");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
}

}  // namespace mishlab

#endif  // MISHLAB_TESTS_RUN_CLI_HPP_
