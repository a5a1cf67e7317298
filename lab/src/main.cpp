#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "mishlab/error.hpp"
#include "mishlab/lab.hpp"
#include "mishlab/options.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "mish-lab: reruns the evidence for the Mish activation (activation "
      "zoo, depth, noise and initialiser tests, many-seed comparisons) on "
      "LibTorch. Start with `mish-lab compare`."};
  app.require_subcommand(1);
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("mish-lab: ") + e.what() + " (see --help)\n";
  });
  mishlab::set_command_line(argc, argv);
  try {
    mishlab::register_builtin_commands(app);
#ifdef MISHLAB_HAVE_RECIPE
    mishlab::recipe::register_commands(app);
#endif
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
