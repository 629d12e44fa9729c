// The layering of src/ (docs/architecture.md), checked on the sources: a
// folder includes only the folders below it, engines never reach the
// registry or evaluate metric paths (they call each other's typed functions),
// and no file or function grows past the size a reader can hold.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>
#include "cli_helpers.hpp"
#include "studies/evaluate.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kSrc = fs::path(gpugap::test::source_dir()) / "src";

// What each folder may include besides itself (the standard library and
// third-party headers are not checked). One direction: a folder never
// includes a folder that includes it.
const std::map<std::string, std::set<std::string>>& allowed() {
  static const std::map<std::string, std::set<std::string>> a = {
      {"core", {}},
      {"catalog", {"core"}},
      {"analysis", {"core", "catalog"}},
      {"supply", {"core", "catalog", "analysis"}},
      {"market", {"core", "catalog", "analysis", "supply"}},
      {"perf", {"core", "catalog", "analysis"}},
      {"serve", {"core", "catalog", "analysis", "perf"}},
      {"econ", {"core", "catalog", "analysis", "perf"}},
      {"score", {"core", "catalog", "analysis", "perf", "econ", "supply"}},
      {"gap", {"core", "catalog", "analysis", "perf", "econ", "supply", "market", "score"}},
      {"studies", {"core", "catalog", "analysis", "supply", "market", "perf", "serve", "econ", "score", "gap"}},
      {"report", {"core", "catalog", "analysis", "supply", "market", "perf", "serve", "econ", "score", "gap", "studies"}},
      {"web", {"core", "catalog", "analysis", "supply", "market", "perf", "serve", "econ", "score", "gap", "studies", "report"}},
      {"cli", {"core", "catalog", "analysis", "supply", "market", "perf", "serve", "econ", "score", "gap", "studies", "report",
               "web"}},
  };
  return a;
}

const std::set<std::string> kEngines = {"supply", "market", "perf", "serve", "econ", "score", "gap"};

struct Source {
  std::string folder;  // first component under src/
  std::string rel;     // path under src/
  std::vector<std::string> lines;
};

std::vector<Source> sources() {
  std::vector<Source> out;
  for (const auto& e : fs::recursive_directory_iterator(kSrc)) {
    if (!e.is_regular_file()) continue;
    const auto ext = e.path().extension();
    if (ext != ".cpp" && ext != ".hpp") continue;
    Source s;
    s.rel = fs::relative(e.path(), kSrc).generic_string();
    s.folder = s.rel.substr(0, s.rel.find('/'));
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);) s.lines.push_back(line);
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const Source& a, const Source& b) { return a.rel < b.rel; });
  return out;
}

TEST(Architecture, SourcesFound) {
  // Guards the checks below against an empty scan (a wrong source path).
  const auto src = sources();
  ASSERT_GT(src.size(), 50u);
  std::set<std::string> folders;
  for (const auto& s : src) folders.insert(s.folder);
  for (const auto& [f, _] : allowed()) EXPECT_TRUE(folders.count(f)) << f;
  for (const auto& f : folders) EXPECT_TRUE(allowed().count(f)) << "folder without a layer: src/" << f;
}

TEST(Architecture, IncludesGoDownwardOnly) {
  const std::regex inc(R"re(^\s*#\s*include\s+"([a-z_]+)/)re");
  for (const auto& s : sources()) {
    const auto& ok = allowed().at(s.folder);
    for (std::size_t i = 0; i < s.lines.size(); ++i) {
      std::smatch m;
      if (!std::regex_search(s.lines[i], m, inc)) continue;
      const std::string to = m[1];
      if (to == s.folder) continue;
      EXPECT_TRUE(ok.count(to)) << "src/" << s.rel << ":" << i + 1 << " includes " << to << "/ (src/" << s.folder
                                << " may include: core, catalog, ... see allowed())";
    }
  }
}

TEST(Architecture, EnginesDoNotEvaluateMetricPaths) {
  // The registry and path evaluation sit above the engines (src/studies/):
  // an engine that needs another's figures calls its typed function.
  const std::regex banned(R"(\b(provider_for|providers|evaluate_all|params_read)\s*\(|studies::evaluate\b|studies::)");
  for (const auto& s : sources()) {
    if (!kEngines.count(s.folder)) continue;
    for (std::size_t i = 0; i < s.lines.size(); ++i)
      EXPECT_FALSE(std::regex_search(s.lines[i], banned)) << "src/" << s.rel << ":" << i + 1 << ": " << s.lines[i];
  }
}

TEST(Architecture, NoFileAbove600Lines) {
  constexpr std::size_t kMaxLines = 600;
  for (const auto& s : sources()) EXPECT_LE(s.lines.size(), kMaxLines) << "src/" << s.rel;
}

// A function body: a line at column 0 that opens a definition ("...) {" or
// "...) const {"), closed by the next "}" at column 0. A comment line
// containing "long function:" right above the definition says why it may be
// longer.
TEST(Architecture, NoFunctionAbove120Lines) {
  constexpr std::size_t kMaxBody = 120;
  const std::regex opens(R"(^[A-Za-z].*\)\s*(const\s*)?(noexcept\s*)?(override\s*)?\{\s*$)");
  for (const auto& s : sources()) {
    for (std::size_t i = 0; i < s.lines.size(); ++i) {
      if (!std::regex_search(s.lines[i], opens)) continue;
      std::size_t j = i + 1;
      while (j < s.lines.size() && !s.lines[j].starts_with("}")) ++j;
      // The head of a definition may span lines: look above it for the reason.
      bool excused = false;
      for (std::size_t k = i; k > 0 && k + 4 > i; --k)
        if (s.lines[k - 1].find("long function:") != std::string::npos) excused = true;
      if (!excused) {
        EXPECT_LE(j - i - 1, kMaxBody) << "src/" << s.rel << ":" << i + 1 << ": " << s.lines[i];
      }
      i = j;
    }
  }
}

}  // namespace
