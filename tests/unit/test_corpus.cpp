// The bad-input corpus (tests/corpus/cases.yaml): every case runs the real
// gpugap binary and must fail the way a user can act on: exit code 2, exactly
// one line on stderr naming file, line and key (and a "did you mean" where
// the manifest expects one), nothing on stdout, nothing written to -o.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "cli_helpers.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"

namespace fs = std::filesystem;
using gpugap::test::run_cli;

namespace {

struct Case {
  std::string name;
  std::string args;                 // shell text after `gpugap -o OUT`
  std::vector<std::string> stderr;  // substrings that must appear
  int exit_code = 2;
  std::string generate;             // input written at test time (too big to commit)
  std::string error;                // manifest problem: the case fails with it
};

// Printed by gtest and ctest beside the test name: the case name, not a byte dump.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::string corpus_dir() { return gpugap::test::source_dir() + "/tests/corpus"; }

std::vector<Case> load_cases() {
  std::vector<Case> out;
  try {
    const YAML::Node root = YAML::LoadFile(corpus_dir() + "/cases.yaml");
    for (const auto& n : root["cases"]) {
      Case c;
      c.name = n["name"].as<std::string>();
      c.args = n["args"].as<std::string>();
      if (n["stderr"])
        for (const auto& s : n["stderr"]) c.stderr.push_back(s.as<std::string>());
      if (n["exit"]) c.exit_code = n["exit"].as<int>();
      if (n["generate"]) c.generate = n["generate"].as<std::string>();
      out.push_back(c);
    }
  } catch (const std::exception& e) {
    out.push_back(Case{"manifest_error", "", {}, 2, "", e.what()});
  }
  return out;
}

const std::vector<Case>& cases() {
  static const std::vector<Case> c = load_cases();
  return c;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

std::string shell_quote(const fs::path& p) { return "'" + p.string() + "'"; }

// Inputs too large (or too deep) to commit. Each is a chip entry under {tmp}/chips.
void generate(const std::string& what, const fs::path& tmp) {
  constexpr std::size_t kHugeBytes = (8u << 20) + 4096;  // just over the 8 MB catalog limit
  constexpr std::size_t kDeepLevels = 100000;
  fs::create_directories(tmp / "chips");
  std::ofstream f(tmp / "chips" / (what + ".yaml"), std::ios::binary);
  f << "id: " << what << "\nvendor: nvidia\n";
  if (what == "huge") {
    f << "notes: \"" << std::string(kHugeBytes, 'x') << "\"\n";
  } else if (what == "deep-flow-list") {
    f << "notes: " << std::string(kDeepLevels, '[') << std::string(kDeepLevels, ']') << "\n";
  } else if (what == "deep-flow-map") {
    for (std::size_t i = 0; i < kDeepLevels; ++i) f << "{a: ";
    f << "1" << std::string(kDeepLevels, '}') << "\n";
  } else if (what == "deep-block") {
    // Block nesting: a long chain of one-space indents under an unknown key.
    constexpr std::size_t kBlockLevels = 3000;
    for (std::size_t i = 0; i < kBlockLevels; ++i) f << std::string(i, ' ') << "k:\n";
  } else if (what == "many-keys") {
    // Width rather than depth: 200k distinct unknown keys under one mapping.
    f << "memory:\n";
    for (int i = 0; i < 200000; ++i) f << "  k" << i << ": 1\n";
  } else {
    ADD_FAILURE() << "unknown generator '" << what << "'";
  }
}

class CorpusCase : public testing::TestWithParam<Case> {};

TEST_P(CorpusCase, FailsCleanly) {
  const Case& c = GetParam();
  ASSERT_TRUE(c.error.empty()) << "tests/corpus/cases.yaml: " << c.error;
  const fs::path tmp = fs::temp_directory_path() / ("gpugap-corpus-" + std::to_string(::getpid()) + "-" + c.name);
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  if (!c.generate.empty()) generate(c.generate, tmp);
  const fs::path out = tmp / "out" / "result.txt";

  std::string args = replace_all(c.args, "{corpus}", shell_quote(corpus_dir()));
  args = replace_all(args, "{tmp}", shell_quote(tmp));
  const auto r = run_cli("-o " + shell_quote(out) + " " + args);

  EXPECT_EQ(r.rc, c.exit_code) << "gpugap " << args << "\nstderr: " << r.err;
  EXPECT_EQ(r.out, "") << "nothing on stdout when failing";
  // One message, one line, in the CLI's format.
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("gpugap: ", 0), 0u) << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  for (const auto& s : c.stderr) EXPECT_NE(r.err.find(s), std::string::npos) << "missing '" << s << "' in: " << r.err;
  // Nothing written: neither the output nor a temporary next to it.
  EXPECT_FALSE(fs::exists(out.parent_path())) << "a failing run created " << out.parent_path();
  fs::remove_all(tmp);
}

std::string test_name(const testing::TestParamInfo<Case>& info) {
  std::string n = info.param.name;
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusCase, testing::ValuesIn(cases()), test_name);

TEST(CorpusManifest, AtLeastFortyUniqueCases) {
  EXPECT_GE(cases().size(), 40u);
  std::set<std::string> names;
  for (const auto& c : cases()) EXPECT_TRUE(names.insert(test_name({c, 0})).second) << "duplicate case " << c.name;
}

TEST(CorpusManifest, EveryCaseNamesWhatItExpects) {
  // A case must check more than the exit code: at least a location or key.
  for (const auto& c : cases()) EXPECT_FALSE(c.stderr.empty()) << c.name;
}

TEST(CorpusManifest, EveryCorpusFileIsUsed) {
  // A file no case runs is a test that silently stopped running.
  std::string all_args;
  for (const auto& c : cases()) all_args += c.args + "\n";
  for (const auto& e : fs::recursive_directory_iterator(corpus_dir())) {
    if (!e.is_regular_file()) continue;
    const std::string rel = fs::relative(e.path(), corpus_dir()).string();
    if (rel == "cases.yaml" || rel == "README.md") continue;
    // An overlay folder is used as a whole: tests/corpus/overlays/<case>/...
    std::string used = rel;
    if (rel.starts_with("overlays/")) used = rel.substr(0, rel.find('/', std::string("overlays/").size()));
    EXPECT_NE(all_args.find("{corpus}/" + used), std::string::npos) << "no case uses tests/corpus/" << rel;
  }
}

// Regression tests for what the corpus and the fuzzers found.

TEST(CorpusRegression, ContainmentHintNeverBeatsACloseTypo) {
  // 'nvidia' contains the start of 'nvidia-h2O' but 'nvidia-h20' is one edit away.
  EXPECT_EQ(gpugap::suggest("nvidia-h2O", {"nvidia-h20", "nvidia"}), "nvidia-h20");
  EXPECT_EQ(gpugap::suggest("nvidia-h2O", {"nvidia", "nvidia-h20"}), "nvidia-h20");
  EXPECT_EQ(gpugap::suggest("h20", {"nvidia-h20", "amd"}), "nvidia-h20");  // containment still hints
}

TEST(CorpusRegression, LoadTextRunsTheFileChecks) {
  using gpugap::catalog::Catalog;
  const auto c = Catalog::load_text("id: x\nvendor: nvidia\nmemory:\n  bandwidth: {value: 4 TB/s, source: t}\n",
                                    "mem/chips/x.yaml", "chips");
  EXPECT_DOUBLE_EQ(c.params().value("chips.x.memory.bandwidth"), 4e12);
  try {
    (void)Catalog::load_text("id: x\nvendor: nvidia\nmemory:\n  bandwidth: {value: 4 TB, source: t}\n",
                             "mem/chips/x.yaml", "chips");
    FAIL();
  } catch (const gpugap::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("mem/chips/x.yaml:4: chips.x.memory.bandwidth"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)Catalog::load_text(std::string("id: x\nname: \xc0\xaf\n"), "x.yaml", "chips"), gpugap::UserError);
  EXPECT_THROW((void)Catalog::load_text(std::string("id: x\nname: \xed\xa0\x80\n"), "x.yaml", "chips"), gpugap::UserError);
  EXPECT_THROW((void)Catalog::load_text(std::string(9u << 20, ' '), "x.yaml", "chips"), gpugap::UserError);
}

TEST(CorpusRegression, InvalidUtf8InMeasurementsStillGivesValidJson) {
  // CSV text goes into JSON output; invalid UTF-8 there must not become an internal error.
  const fs::path dir = fs::temp_directory_path() / ("gpugap-utf8-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path csv = dir / "m.csv";
  std::ofstream(csv, std::ios::binary)
      << "id,source,date,trust,chip,n_chips,model,backend,precision,kv_precision,mode,isl,osl,concurrency,tp_size,"
         "pp_size,attention_dp_size,moe_tp_size,moe_ep_size,prefill_num_workers,prefill_tp_size,prefill_moe_ep_size,"
         "decode_num_workers,decode_tp_size,decode_moe_ep_size,mtp_tokens,ttft_ms,tpot_ms,output_tps_per_chip,"
         "input_tps_per_chip,notes\n"
      << "r\xff-1,src \xfe,2025-01-01,high,nvidia-h200-sxm,8,meta-llama/Llama-3.1-8B-Instruct,trtllm,fp8,fp8,agg,1024,"
         "1024,64,1,1,1,,,,,,,,,0,100,20,1000,,bad \xc0 bytes\n";
  const auto r = run_cli("--format json validate --measurements " + shell_quote(csv));
  fs::remove_all(dir);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(nlohmann::json::accept(r.out)) << "not valid JSON";
}

}  // namespace
