// Every command shown in README.md ("$ gpugap ...") runs and exits 0: the
// README's tour is an end-to-end test, so it cannot drift from the tool.
#include <gtest/gtest.h>

#include <fstream>

#include "cli_helpers.hpp"

using gpugap::test::run_cli_in;

namespace {
std::vector<std::string> readme_commands() {
  std::ifstream in(gpugap::test::source_dir() + "/README.md");
  std::vector<std::string> cmds;
  std::string line;
  bool in_code = false;
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) { in_code = !in_code; continue; }
    if (in_code && line.rfind("$ gpugap ", 0) == 0) cmds.push_back(line.substr(9));
  }
  return cmds;
}
}  // namespace

TEST(Readme, HasCommandTour) { EXPECT_GE(readme_commands().size(), 8u); }

TEST(Readme, EveryCommandRuns) {
  for (const auto& c : readme_commands()) {
    // Commands writing files write to a temp folder, not the source tree.
    std::string args = c;
    for (const std::string flag : {"-o out/", "--out out/", "--xlsx out/", "--json out/"}) {
      const std::string to = flag.substr(0, flag.size() - 4) + "/tmp/gpugap-readme-out/";
      for (auto pos = args.find(flag); pos != std::string::npos; pos = args.find(flag, pos + to.size()))
        args.replace(pos, flag.size(), to);
    }
    // README commands are written for the repository root (data/measurements/ holds the measurement files).
    const auto r = run_cli_in(gpugap::test::source_dir(), args + " -q");
    EXPECT_EQ(r.rc, 0) << "gpugap " << c << "\n" << r.err;
    EXPECT_TRUE(r.err.empty() || r.rc == 0) << r.err;
  }
}
