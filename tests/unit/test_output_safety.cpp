// Nothing lost: -o writes a temporary file and renames it, a failing run
// leaves a previous output as it was, and gpugap never writes into the
// catalog folders it reads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli_helpers.hpp"
#include "core/error.hpp"
#include "core/output.hpp"

namespace fs = std::filesystem;
using gpugap::test::run_cli;

namespace {

using gpugap::test::TempDir;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// Every file and folder under `dir` with its size and modification time.
std::map<std::string, std::pair<std::uintmax_t, fs::file_time_type>> snapshot(const fs::path& dir) {
  std::map<std::string, std::pair<std::uintmax_t, fs::file_time_type>> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string rel = fs::relative(e.path(), dir).string();
    out[rel] = {e.is_regular_file() ? e.file_size() : 0, e.last_write_time()};
  }
  out["."] = {0, fs::last_write_time(dir)};
  return out;
}

const std::string kBadChip = "id: bad-chip\nvendor: nvidia\nsource: test\nmemory:\n  bandwidth: 4 TB\n";

}  // namespace

TEST(OutputSafety, WritesTheTargetAndNoTemporary) {
  TempDir t("ok");
  const fs::path out = t.path() / "sub" / "list.json";
  auto r = run_cli("--format json -o " + q(out) + " catalog list chips");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "") << "with -o, nothing on stdout";
  // Same bytes as printed to stdout (determinism, and nothing lost on the way).
  auto direct = run_cli("--format json catalog list chips");
  ASSERT_EQ(direct.rc, 0);
  EXPECT_EQ(read(out), direct.out);
  EXPECT_EQ(listing(out.parent_path()), std::vector<std::string>{"list.json"});
}

TEST(OutputSafety, FailingRunKeepsPreviousOutput) {
  TempDir t("keep");
  const fs::path bad = t.path() / "chips" / "bad-chip.yaml";
  write(bad, kBadChip);
  const fs::path out = t.path() / "out" / "result.json";
  write(out, "PREVIOUS RESULT\n");
  auto r = run_cli("-o " + q(out) + " catalog validate " + q(bad));
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_NE(r.err.find("bad-chip.yaml:5:"), std::string::npos) << r.err;
  EXPECT_EQ(read(out), "PREVIOUS RESULT\n");
  EXPECT_EQ(listing(out.parent_path()), std::vector<std::string>{"result.json"}) << "a temporary file was left behind";
}

TEST(OutputSafety, FailingOverrideKeepsPreviousOutput) {
  TempDir t("keep-set");
  const fs::path out = t.path() / "params.csv";
  write(out, "PREVIOUS\n");
  auto r = run_cli("--scenario " + q(gpugap::test::source_dir() + "/tests/corpus/scenarios/corpus-ok.yaml") +
                   " --set regions.cn.pue=-1 --format csv -o " + q(out) + " params regions.cn");
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_EQ(read(out), "PREVIOUS\n");
  EXPECT_EQ(listing(t.path()), std::vector<std::string>{"params.csv"});
}

TEST(OutputSafety, SuccessfulRunReplacesPreviousOutputWhole) {
  TempDir t("replace");
  const fs::path out = t.path() / "list.csv";
  // A longer previous file: a non-truncating write would leave its tail.
  write(out, std::string(1 << 20, 'z'));
  auto r = run_cli("--format csv -o " + q(out) + " catalog list regions");
  ASSERT_EQ(r.rc, 0) << r.err;
  const std::string text = read(out);
  EXPECT_EQ(text.find('z'), std::string::npos);
  EXPECT_EQ(text.rfind("kind,id,name", 0), 0u) << text;
  EXPECT_EQ(listing(t.path()), std::vector<std::string>{"list.csv"});
}

TEST(OutputSafety, UnwritableTargetIsAUserError) {
  TempDir t("unwritable");
  // The output's folder is a file: cannot be created.
  write(t.path() / "afile", "x");
  auto r = run_cli("-o " + q(t.path() / "afile" / "out.json") + " catalog list regions");
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("afile/out.json"), std::string::npos) << r.err;
  EXPECT_EQ(read(t.path() / "afile"), "x");
  // The target is an existing folder: the rename fails, the folder is untouched.
  fs::create_directories(t.path() / "adir" / "keep");
  r = run_cli("-o " + q(t.path() / "adir") + " catalog list regions");
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_TRUE(fs::is_directory(t.path() / "adir" / "keep"));
  EXPECT_EQ(listing(t.path()), (std::vector<std::string>{"adir", "afile"})) << "a temporary file was left behind";
}

TEST(OutputSafety, AtomicWriteLeavesOldFileWhenRenameFails) {
  TempDir t("atomic");
  const fs::path target = t.path() / "report.json";
  gpugap::atomic_write(target.string(), "one\n");
  EXPECT_EQ(read(target), "one\n");
  gpugap::atomic_write(target.string(), "two\n");
  EXPECT_EQ(read(target), "two\n");
  EXPECT_EQ(listing(t.path()), std::vector<std::string>{"report.json"});
  fs::create_directories(t.path() / "dir" / "x");
  EXPECT_THROW(gpugap::atomic_write((t.path() / "dir").string(), "three\n"), gpugap::UserError);
  EXPECT_EQ(listing(t.path()), (std::vector<std::string>{"dir", "report.json"}));
  EXPECT_EQ(read(target), "two\n");
}

TEST(OutputSafety, NeverWritesIntoCatalogFolders) {
  TempDir t("catalog");
  // An overlay that a user owns, and the shipped catalog: both read, never written.
  const fs::path overlay = t.path() / "overlay";
  write(overlay / "chips" / "nvidia-h20.yaml",
        "id: nvidia-h20\nnotes: overlay used by the output-safety test\n");
  write(overlay / "regions" / "cn.yaml",
        "id: cn\npue: {value: 1.25, source: test}\n");
  const fs::path shipped = gpugap::test::source_dir() + "/catalog";
  const auto before_overlay = snapshot(overlay);
  const auto before_shipped = snapshot(shipped);
  // Filesystem timestamps can be coarse: let any write be visible as a change.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));

  const std::string cat = "--catalog " + q(overlay) + " ";
  const fs::path out = t.path() / "out";
  for (const std::string cmd : {"catalog validate", "catalog list", "catalog show nvidia-h20", "params regions.cn",
                                "--format json catalog show cn", "--format csv catalog list chips"}) {
    auto r = run_cli(cat + cmd);
    EXPECT_EQ(r.rc, 0) << cmd << ": " << r.err;
    r = run_cli(cat + "-o " + q(out / "x.txt") + " " + cmd);
    EXPECT_EQ(r.rc, 0) << cmd << ": " << r.err;
  }
  // A failing run against the overlay as well.
  write(t.path() / "bad" / "chips" / "bad-chip.yaml", kBadChip);
  auto r = run_cli(cat + "--catalog " + q(t.path() / "bad") + " catalog validate");
  EXPECT_EQ(r.rc, 2) << r.err;

  EXPECT_EQ(snapshot(overlay), before_overlay) << "gpugap wrote into the --catalog folder";
  EXPECT_EQ(snapshot(shipped), before_shipped) << "gpugap wrote into the shipped catalog";
  EXPECT_EQ(listing(out), std::vector<std::string>{"x.txt"});
}

TEST(OutputSafety, RefusesAnOutputPathInsideACatalogFolder) {
  TempDir t("into-catalog");
  const fs::path overlay = t.path() / "overlay";
  write(overlay / "regions" / "cn.yaml", "id: cn\npue: {value: 1.25, source: test}\n");
  const auto before = snapshot(overlay);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  // Into the --catalog overlay (a new file, and through a '..' detour) and into the shipped catalog.
  for (const fs::path& target : {overlay / "chips" / "out.yaml", overlay / "x" / ".." / "regions" / "cn.yaml",
                                 fs::path(gpugap::test::source_dir()) / "catalog" / "gpugap-safety-out.json"}) {
    const auto r = run_cli("--catalog " + q(overlay) + " -o " + q(target) + " catalog list");
    EXPECT_EQ(r.rc, 2) << target;
    EXPECT_NE(r.err.find("outside the catalog folders"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_FALSE(fs::exists(fs::path(gpugap::test::source_dir()) / "catalog" / "gpugap-safety-out.json"));
  EXPECT_EQ(snapshot(overlay), before) << "gpugap wrote into the --catalog folder";
  // Next to the catalog (not inside it) is fine.
  const auto ok = run_cli("--catalog " + q(overlay) + " -o " + q(t.path() / "overlay-out.txt") + " catalog list");
  EXPECT_EQ(ok.rc, 0) << ok.err;
}

TEST(OutputSafety, EveryWritingOptionRefusesACatalogFolder) {
  // report's --xlsx/--json and calibrate's --overlay write files too: the same rule as -o, checked before any work.
  TempDir t("into-catalog-options");
  const fs::path overlay = t.path() / "overlay";
  write(overlay / "regions" / "cn.yaml", "id: cn\npue: {value: 1.25, source: test}\n");
  const auto before = snapshot(overlay);
  const std::string cat = "--catalog " + q(overlay) + " ";
  for (const std::string& args : {"report -q -o " + q(t.path() / "r.html") + " --xlsx " + q(overlay / "r.xlsx"),
                                  "report -q -o " + q(t.path() / "r.html") + " --json " + q(overlay / "chips" / "r.json"),
                                  "calibrate --measurements " + q(fs::path(gpugap::test::source_dir()) / "data" / "measurements" /
                                                                  "measurements-shared.csv") +
                                      " --folds 2 --overlay " + q(overlay / "stacks")}) {
    const auto r = run_cli(cat + args);
    EXPECT_EQ(r.rc, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find("outside the catalog folders"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(t.path() / "r.html")) << "the report ran before refusing its --xlsx/--json path";
  EXPECT_EQ(snapshot(overlay), before) << "gpugap wrote into the --catalog folder";
}
