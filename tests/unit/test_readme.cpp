// Every command shown in README.md ("$ gpugap ...") runs and exits 0, and what the
// README shows under it is what the command prints: the README's tour is an end-to-end
// test, so neither the commands nor the numbers can drift from the tool (`make readme`
// rewrites the shown output from a run: tools/update_readme.py).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "cli_helpers.hpp"

using gpugap::test::run_cli_in;

namespace {

struct Shown {
  std::string command;             // the arguments after "$ gpugap "
  std::vector<std::string> lines;  // the output lines the README shows under it
  int elided = -1;                 // N of a closing "... (N lines)", -1 if the output is shown whole
};

std::vector<Shown> readme_commands() {
  std::ifstream in(gpugap::test::source_dir() + "/README.md");
  std::vector<Shown> cmds;
  std::string line;
  bool in_code = false, in_cmd = false;
  const std::regex elided(R"(^\.\.\. \((\d+) lines\)$)");
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) {
      in_code = !in_code;
      in_cmd = false;
      continue;
    }
    if (!in_code) continue;
    if (line.rfind("$ gpugap ", 0) == 0) {
      cmds.push_back({line.substr(9), {}, -1});
      in_cmd = true;
    } else if (in_cmd) {
      std::smatch m;
      if (std::regex_match(line, m, elided)) cmds.back().elided = std::stoi(m[1]);
      else if (cmds.back().elided < 0) cmds.back().lines.push_back(line);
    }
  }
  return cmds;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream ss(text);
  for (std::string l; std::getline(ss, l);) out.push_back(l);
  return out;
}

// What may differ between the README's run and this one: the checkout's absolute path
// (catalog show names the file it read) and a wall-clock time ("evaluated in 0.022 s").
std::string normalise(const std::string& line) {
  static const std::regex path(R"((/[^ ()]*)?/catalog/)");
  static const std::regex secs(R"(evaluated in [0-9.]+ s)");
  std::string s = std::regex_replace(line, path, "catalog/");
  s = std::regex_replace(s, secs, "evaluated in T s");
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

TEST(Readme, HasCommandTour) { EXPECT_GE(readme_commands().size(), 8u); }

TEST(Readme, EveryCommandRunsAndPrintsWhatTheReadmeShows) {
  std::size_t compared = 0;
  for (const auto& c : readme_commands()) {
    // Commands writing files write to a temp folder, not the source tree.
    std::string args = c.command;
    for (const std::string flag : {"-o out/", "--out out/", "--xlsx out/", "--json out/"}) {
      const std::string to = flag.substr(0, flag.size() - 4) + "/tmp/gpugap-readme-out/";
      for (auto pos = args.find(flag); pos != std::string::npos; pos = args.find(flag, pos + to.size()))
        args.replace(pos, flag.size(), to);
    }
    // README commands are written for the repository root (data/measurements/ holds the measurement files).
    const auto r = run_cli_in(gpugap::test::source_dir(), args);
    EXPECT_EQ(r.rc, 0) << "gpugap " << c.command << "\n" << r.err;
    // Every line the README shows is the line gpugap prints there (numbers included), and
    // "... (N lines)" says how many lines were left out.
    const auto got = split_lines(r.out);
    for (std::size_t i = 0; i < c.lines.size(); ++i) {
      ASSERT_LT(i, got.size()) << "gpugap " << c.command << ": the README shows more lines than it prints";
      EXPECT_EQ(normalise(c.lines[i]), normalise(got[i])) << "gpugap " << c.command << ", line " << i + 1;
      ++compared;
    }
    if (c.elided >= 0) EXPECT_EQ(c.lines.size() + c.elided, got.size()) << "gpugap " << c.command << ": the count of lines left out";
    else EXPECT_EQ(c.lines.size(), got.size()) << "gpugap " << c.command << ": the README shows the whole output";
  }
  // The tour shows output for most commands (the validate and report runs write files).
  EXPECT_GE(compared, 100u);
}
