// Every command's flags come from declared settings: each command starts and
// prints its help, a name no setting declares stops mish-lab at startup
// instead of silently dropping a flag, and docs/LAB.md documents the flags
// as declared.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "commands/commands.hpp"
#include "commands/experiment.hpp"

namespace mishlab {
namespace {

std::string lab_doc() {
  std::ifstream in(MISHLAB_LAB_DOC);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// docs/LAB.md's table of the common flags, from their declarations.
std::string common_flags_table() {
  std::string table = "| flag | what it sets |\n|---|---|\n";
  const std::vector<SettingInfo> infos = setting_infos();
  for (const std::string& name : kCommonFlags) {
    const auto info =
        std::find_if(infos.begin(), infos.end(),
                     [&](const SettingInfo& i) { return i.name == name; });
    std::string cell = "`";  // "--quiet,-q" -> "`--quiet`, `-q`"
    for (const char* c = info->flag; *c != '\0'; ++c) {
      cell += *c == ',' ? std::string("`, `") : std::string(1, *c);
    }
    std::string help;  // what Markdown would take for HTML or emphasis
    for (const char* c = info->help; *c != '\0'; ++c) {
      if (*c == '<' || *c == '*' || *c == '|') help += '\\';
      help += *c;
    }
    table += "| " + cell + "` | " + help + " |\n";
  }
  return table;
}

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

// Between the two markers in docs/LAB.md: what common_flags_table() gives.
TEST(Flags, TheCommonFlagsTableIsGeneratedFromTheDeclarations) {
  const std::string doc = lab_doc();
  const std::string begin = "<!-- common flags: generated -->\n";
  const std::string end = "<!-- end of common flags -->";
  const size_t from = doc.find(begin);
  const size_t to = doc.find(end, from);
  ASSERT_NE(from, std::string::npos) << MISHLAB_LAB_DOC << " has no " << begin;
  ASSERT_NE(to, std::string::npos) << MISHLAB_LAB_DOC << " has no " << end;
  EXPECT_EQ(doc.substr(from + begin.size(), to - from - begin.size()),
            common_flags_table())
      << "paste the table above into " << MISHLAB_LAB_DOC;
}

// A flag docs/LAB.md names is one some command offers.
TEST(Flags, EveryFlagTheLabDocNamesIsOffered) {
  std::set<std::string> offered = {"--help", "--version"};  // main()'s own
  CLI::App app;
  register_commands(app);
  for (const CLI::App* command : app.get_subcommands({})) {
    for (const CLI::Option* option : command->get_options()) {
      for (const std::string& n : option->get_lnames())
        offered.insert("--" + n);
    }
  }
  // The launchers' own, in the cluster section.
  const std::set<std::string> foreign = {
      "--array",         // sbatch
      "--max_restarts",  // torchrun, from here on
      "--master_addr",  "--master_port",    "--nnodes",    "--node_rank",
      "--no_python",    "--nproc_per_node", "--redirects", "--tee"};
  const std::string doc = lab_doc();
  const std::regex flag("--[a-z][a-z0-9_-]*");
  int named = 0;
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), flag);
       it != std::sregex_iterator(); ++it) {
    const std::string f = it->str();
    ++named;
    EXPECT_TRUE(offered.count(f) || foreign.count(f))
        << MISHLAB_LAB_DOC << " names " << f << ", which no command offers";
  }
  EXPECT_GT(named, 30);
}

}  // namespace
}  // namespace mishlab
