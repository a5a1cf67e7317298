#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "commands/commands.hpp"
#include "commands/experiment.hpp"
#include "common/error.hpp"
#include "common/version.hpp"

namespace {

// CLI11 says "A subcommand is required" for a misspelt one: name it.
void check_subcommand(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return;
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name() == argv[1]) return;
  }
  std::string names;
  for (const CLI::App* sub : app.get_subcommands({})) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  throw mishlab::Error("unknown command '" + std::string(argv[1]) +
                       "' (commands: " + names + ")");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "mish-lab: reruns the evidence for the Mish activation (activation "
      "zoo, depth, noise and initialiser tests, many-seed comparisons, the "
      "fastai recipe) on LibTorch. Start with `mish-lab compare`."};
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       std::string("mish-lab ") + mishlab::version());
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("mish-lab: ") + e.what() + " (see --help)\n";
  });
  mishlab::set_command_line(argc, argv);
  try {
    mishlab::register_commands(app);
    check_subcommand(app, argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const mishlab::Error& e) {
    std::fprintf(stderr, "mish-lab: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    // LibTorch errors carry a backtrace after the first line.
    const std::string what = e.what();
    std::fprintf(stderr, "mish-lab: internal error: %s\n",
                 what.substr(0, what.find('\n')).c_str());
    return 2;
  }
  return 0;
}
