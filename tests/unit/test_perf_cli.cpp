// End-to-end tests of `gpugap perf | search | validate | calibrate`, and the
// golden JSON of perf and search (commands in tests/golden/goldens.tsv; compared with
// relative tolerance 1e-4 and absolute 1e-9, strings exactly). Only `make goldens`
// writes the golden files; test_golden_refs.cpp checks some of their values against
// hand computations and cited figures.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli_helpers.hpp"
#include "golden_helpers.hpp"

using gpugap::test::run_cli;
using gpugap::test::source_dir;
namespace fs = std::filesystem;

namespace {

constexpr double kRelTol = 1e-4;
constexpr double kAbsTol = 1e-9;

// The vendored measurement files (data/measurements, README there): a clean clone has them,
// so a missing one fails the test that needs it (never a skip).
std::string shared_data(const std::string& file) {
  const std::string path = source_dir() + "/data/measurements/" + file;
  EXPECT_TRUE(fs::exists(path)) << path << " missing: the perf validation tests need the vendored measurement files";
  return fs::exists(path) ? path : "";
}

void compare_json(const nlohmann::json& want, const nlohmann::json& got, const std::string& where) {
  if (want.is_number() && got.is_number()) {
    const double a = want.get<double>(), b = got.get<double>();
    EXPECT_LE(std::fabs(a - b), kAbsTol + kRelTol * std::fabs(a)) << where << ": want " << a << " got " << b;
    return;
  }
  ASSERT_EQ(want.type_name(), std::string(got.type_name())) << where;
  if (want.is_object()) {
    for (auto it = want.begin(); it != want.end(); ++it) {
      ASSERT_TRUE(got.contains(it.key())) << where << "." << it.key() << " missing";
      compare_json(it.value(), got[it.key()], where + "." + it.key());
    }
    for (auto it = got.begin(); it != got.end(); ++it) EXPECT_TRUE(want.contains(it.key())) << where << "." << it.key() << " unexpected";
  } else if (want.is_array()) {
    ASSERT_EQ(want.size(), got.size()) << where;
    for (std::size_t i = 0; i < want.size(); ++i) compare_json(want[i], got[i], where + "[" + std::to_string(i) + "]");
  } else {
    EXPECT_EQ(want, got) << where;
  }
}

// Runs golden NAME's command (tests/golden/goldens.tsv) and compares with the stored file.
void golden(const std::string& name) {
  const std::string args = gpugap::test::golden_args(name);
  ASSERT_FALSE(args.empty());
  const auto want = gpugap::test::read_golden(name);
  ASSERT_FALSE(want.is_null());
  const auto r = run_cli(args);
  ASSERT_EQ(r.rc, 0) << r.err;
  compare_json(want, r.json(), name);
}

}  // namespace

TEST(PerfGolden, PerfH200Llama70bChat) { golden("perf_h200_llama70b_chat"); }

TEST(PerfGolden, PerfAscend910cDeepseekDisagg) { golden("perf_910c_dsr1_disagg"); }

TEST(PerfGolden, SearchDeepseekR1Chat) { golden("search_dsr1_chat"); }

TEST(PerfCli, PerfPrintsTheHeadline) {
  const auto r = run_cli("perf --chip h200_sxm --model meta-llama/Llama-3.1-70B-Instruct --isl 1024 --osl 256 --tp 4");
  ASSERT_EQ(r.rc, 0) << r.err;
  for (const char* s : {"output tokens/s per chip", "TTFT", "TPOT", "bottleneck", "per-operator breakdown", "attention"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
}

TEST(PerfCli, PerfJsonHasTheContractKeys) {
  const auto r = run_cli("perf --chip nvidia-h100-sxm --model qwen3-32b --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  for (const char* k : {"chip", "model", "deployment", "feasible", "ttft_ms", "tpot_ms", "tokens_per_s_per_user",
                        "output_tps_per_chip", "input_tps_per_chip", "batch", "memory", "bottleneck", "breakdown"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_TRUE(j["memory"].contains("used_gb"));
  EXPECT_TRUE(j["memory"].contains("capacity_gb"));
  EXPECT_TRUE(j["bottleneck"].contains("prefill"));
  EXPECT_TRUE(j["bottleneck"].contains("decode"));
}

TEST(PerfCli, InfeasibleIsReportedWithExitTwo) {
  const auto r = run_cli("perf --chip nvidia-h20 --model deepseek-r1 --tp 1 --precision bf16 --batch 1 --format json");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("does not fit in memory"), std::string::npos) << r.err;
  const auto j = r.json();
  EXPECT_FALSE(j["feasible"].get<bool>());
  EXPECT_GT(j["memory_shortfall_gb"].get<double>(), 1000.0);
}

TEST(PerfCli, AttentionDpWithoutTpKeepsTheInstanceItNames) {
  // 8 B200 as DP-attention 8 x EP 8 hold Qwen3-235B FP4 (about 20 GB per chip): TP 1, 8 chips.
  auto r = run_cli("perf --chip nvidia-b200 --model qwen3-235b-a22b --precision fp4 --attention-dp 8 --isl 1000 --osl 1000 --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  auto j = r.json();
  EXPECT_EQ(j["deployment"]["tp"], 1);
  EXPECT_EQ(j["deployment"]["ep"], 8);
  EXPECT_EQ(j["deployment"]["chips_per_instance"], 8);
  // DeepSeek-R1 FP8 (671 GB) on H100 with DP-attention 4: 4 or 8 chips cannot hold it, 16 can.
  r = run_cli("perf --chip nvidia-h100-sxm --model deepseek-r1 --attention-dp 4 --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  j = r.json();
  EXPECT_EQ(j["deployment"]["tp"], 4);
  EXPECT_EQ(j["deployment"]["chips_per_instance"], 16);
  EXPECT_TRUE(j["feasible"].get<bool>());
  r = run_cli("perf --chip nvidia-h100-sxm --model deepseek-r1 --tp 2 --attention-dp 4 --batch 1 --format json");
  EXPECT_EQ(r.rc, 2);  // the next smaller TP does not fit: the default is the smallest that does
}

TEST(PerfCli, InsufficientDataNamesThePath) {
  const auto r = run_cli("perf --chip huawei-ascend-910b --model qwen3-32b");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("insufficient data: chips.huawei-ascend-910b."), std::string::npos) << r.err;
}

TEST(PerfCli, BadInputSuggests) {
  auto r = run_cli("perf --chip nvidia-h2O --model qwen3-32b");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("did you mean"), std::string::npos) << r.err;
  r = run_cli("perf --chip nvidia-h20 --model qwen3-32b --precision fp9");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("fp8"), std::string::npos) << r.err;
  r = run_cli("perf --chip nvidia-h20 --model qwen3-32b --tp 3");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("tp 3 must divide"), std::string::npos) << r.err;
}

TEST(PerfCli, ADeploymentIsRunAsStatedOrRefused) {
  // Each of these once ran a different deployment (EP 8, EP 2, EP 1) without a word.
  const std::string base = "perf --chip nvidia-h20 --model deepseek-r1 --batch 1 --format json";
  struct Case {
    std::string args, message;
  };
  for (const Case& c : {Case{"--tp 8 --ep 64", "deployment: expected a valid deployment, found ep 64 must divide tp x attention_dp = 8"},
                        Case{"--tp 8 --ep 3", "ep 3 must divide tp x attention_dp = 8"},
                        Case{"--ep 3", "ep 3 must divide tp x attention_dp = 8"},
                        Case{"--tp 1 --ep 160", "ep 160 must divide tp x attention_dp = 1"},
                        Case{"--tp 8 --ep 8 --mode disagg --prefill-tp 4 --prefill-ep 8",
                             "prefill ep 8 must divide prefill tp x attention_dp = 4"}}) {
    const auto r = run_cli(base + " " + c.args);
    EXPECT_EQ(r.rc, 2) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args;
  }
  // A stated EP that divides the group runs as stated.
  auto r = run_cli(base + " --tp 8 --ep 4");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.json()["deployment"]["ep"], 4);
  EXPECT_EQ(r.json()["deployment"]["moe_tp"], 2);
  // Under attention DP without a TP, a stated EP wider than the group widens the TP to hold it.
  r = run_cli("perf --chip nvidia-h20 --model deepseek-r1 --attention-dp 2 --ep 16 --batch 1 --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.json()["deployment"]["ep"], 16);
  EXPECT_EQ(r.json()["deployment"]["tp"], 8);
}

TEST(PerfCli, ACountWhereZeroHasNoMeaningMustBePositive) {
  struct Case {
    std::string args, message;
  };
  const std::string perf = "perf --chip nvidia-h20 --model qwen3-32b ";
  for (const Case& c : {Case{perf + "--tp -1", "--tp: expected a whole number >= 1, found '-1'"},
                        Case{perf + "--tp 0", "--tp: expected a whole number >= 1, found '0'"},
                        Case{perf + "--pp 0", "--pp: expected a whole number >= 1"},
                        Case{perf + "--batch 0", "--batch: expected a whole number >= 1"},
                        Case{perf + "--batch 2.5", "--batch: expected a whole number >= 1, found '2.5'"},
                        Case{perf + "--isl -5", "--isl: expected a whole number >= 1"},
                        Case{perf + "--mtp -2", "--mtp: expected a whole number >= 0"},
                        Case{perf + "--ttft-ms 0", "--ttft-ms: expected a number > 0, found '0'"},
                        Case{perf + "--concurrency -3", "--concurrency: expected a whole number >= 1"},
                        Case{"search --model qwen3-32b --top 0", "--top: expected a whole number >= 1"},
                        Case{"search --model qwen3-32b --tpot-ms -1", "--tpot-ms: expected a number > 0"},
                        Case{"mc --metric market.tam_usd_bn.2030 --bins 0", "--bins: expected a whole number >= 1"},
                        Case{"--threads -1 catalog list chips", "--threads: expected a whole number >= 0"},
                        Case{"validate --measurements x.csv --folds 1", "--folds: expected a whole number >= 2, found '1'"}}) {
    const auto r = run_cli(c.args);
    EXPECT_EQ(r.rc, 2) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args;
  }
}

TEST(PerfCli, SetOverridesChangeTheResult) {
  const std::string base = "perf --chip nvidia-h20 --model qwen3-32b --batch 8 --format json";
  const auto a = run_cli(base);
  const auto b = run_cli(base + " --set 'chips.nvidia-h20.memory.bandwidth=8 TB/s'");
  ASSERT_EQ(a.rc, 0) << a.err;
  ASSERT_EQ(b.rc, 0) << b.err;
  EXPECT_LT(b.json()["tpot_ms"].get<double>(), a.json()["tpot_ms"].get<double>());
}

TEST(PerfCli, SearchRanksAndHonoursTop) {
  const auto r = run_cli("search --model qwen3-32b --chips nvidia-h100-sxm,nvidia-h20,huawei-ascend-910b,nvidia-l40s "
                         "--top 3 -q --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  ASSERT_EQ(j["rows"].size(), 3u);
  // H100 and H20 have every input: found, best first, within the TPOT target. The 910B
  // lacks its BF16 compute in the catalog: ranked after them with the missing path named.
  const auto& rows = j["rows"];
  EXPECT_EQ(rows[0]["chip"], "nvidia-h100-sxm");
  EXPECT_EQ(rows[1]["chip"], "nvidia-h20");
  for (int i : {0, 1}) {
    ASSERT_TRUE(rows[i]["found"].get<bool>()) << rows[i].dump();
    EXPECT_LE(rows[i]["tpot_ms"].get<double>(), j["targets"]["tpot_ms"].get<double>() + 1e-9);
  }
  EXPECT_GT(rows[0]["output_tps_per_chip"].get<double>(), rows[1]["output_tps_per_chip"].get<double>());
  EXPECT_EQ(rows[2]["chip"], "huawei-ascend-910b");
  EXPECT_FALSE(rows[2]["found"].get<bool>());
  EXPECT_EQ(rows[2]["status"], "insufficient data: chips.huawei-ascend-910b.compute.bf16");
}

TEST(PerfCli, SearchIsDeterministic) {
  const std::string args = "search --model deepseek-r1 --chips nvidia-h20,huawei-ascend-910c -q --format json";
  const auto a = run_cli(args + " --threads 1");
  const auto b = run_cli(args + " --threads 2");
  ASSERT_EQ(a.rc, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
}

TEST(PerfCli, ValidateSharedMeasurements) {
  const std::string csv = shared_data("measurements-shared.csv");
  ASSERT_FALSE(csv.empty());
  const auto r = run_cli("validate --measurements " + csv + " --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  // Progress (core/progress) on stderr: off a terminal, one line when the rows are done.
  EXPECT_NE(r.err.find("validate: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" rows in "), std::string::npos) << r.err;
  const auto j = r.json();
  EXPECT_GT(j["summary"]["n"].get<int>(), 40);
  EXPECT_TRUE(j["summary"].contains("median_abs_error_pct"));
  EXPECT_TRUE(j["summary"].contains("p90_abs_error_pct"));
  EXPECT_TRUE(j["summary"]["by"].is_object());
  // Rows whose chip lacks data are listed with the reason, not dropped silently.
  bool saw_missing = false;
  for (const auto& s : j["skipped"])
    if (s["reason"].get<std::string>().find("insufficient data") != std::string::npos) saw_missing = true;
  EXPECT_TRUE(saw_missing);
  for (const auto& row : j["rows"])
    for (const char* k : {"id", "metric", "measured", "predicted", "error_pct"}) ASSERT_TRUE(row.contains(k)) << k;
  // The NIM genai-perf sweep (4 TTFT rows) has a wave share of its own, fitted in-sample.
  ASSERT_EQ(j["harness"].size(), 1u) << j["harness"].dump();
  EXPECT_EQ(j["harness"][0]["source"], "docs.nvidia.com/nim/benchmarking/llm/1.0.0/performance");
  EXPECT_EQ(j["harness"][0]["ttft_rows"], 4);
  EXPECT_GE(j["harness"][0]["benchmark_burst"].get<double>(), 0.0);
  EXPECT_LE(j["harness"][0]["benchmark_burst"].get<double>(), 1.0);
  // The error itself is bounded in PerfValidation.InSampleErrorWithinTheDocumentedFigures.
}

namespace {

// One row of a "| metric | n | median |err| % | p90 |err| % |" table of docs/validation.md.
struct DocFigure {
  const char* metric;  // "all" or a metric
  int n;
  double median_pct;
};

// The rows of the table under `heading` in the section of `file` in docs/validation.md.
std::string doc_table(const std::string& file, const std::string& heading) {
  std::ifstream in(fs::path(source_dir()) / "docs" / "validation.md");
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto sec = doc.find("## " + file);
  if (sec == std::string::npos) return "";
  const auto h = doc.find(heading, sec);
  if (h == std::string::npos) return "";
  return doc.substr(h, doc.find("\n\n**error by family", h) - h);
}

// In-sample error of `csv` with the shipped catalog: each figure within the documented
// median plus the margin, with the documented row count.
void expect_in_sample(const std::string& csv, const std::vector<DocFigure>& figures, double margin) {
  const std::string path = shared_data(csv);
  ASSERT_FALSE(path.empty());
  const auto r = run_cli("validate --measurements " + path + " --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto s = r.json()["summary"];
  const std::string table = doc_table(csv, "### In-sample error with the shipped catalog");
  ASSERT_FALSE(table.empty()) << "docs/validation.md has no in-sample table for " << csv;
  for (const auto& f : figures) {
    // The bound is the figure docs/validation.md states (so the two cannot drift apart).
    EXPECT_NE(table.find(fmt::format("| {} | {} | {:.1f} |", f.metric, f.n, f.median_pct)), std::string::npos)
        << csv << " " << f.metric << ": docs/validation.md no longer states " << f.median_pct << "% over " << f.n << " rows";
    const auto& got = std::string(f.metric) == "all" ? s : s["by_metric"][f.metric];
    EXPECT_EQ(got["n"].get<int>(), f.n) << csv << " " << f.metric;
    EXPECT_LE(got["median_abs_error_pct"].get<double>(), f.median_pct + margin) << csv << " " << f.metric;
  }
}

}  // namespace

// The perf model's in-sample error (shipped catalog, fitted on both measurement files) stays
// at the figures docs/validation.md states ("In-sample error with the shipped catalog", by
// metric), plus a margin of 1 percentage point: the doc rounds to 0.1, and a change that
// moves a median by more must regenerate docs/validation.md and these figures with it, in a
// commit that says why. (The k-fold and held-out-by-model figures need the refits over both
// files, about 10 minutes on the 2-core CI machine: not bounded here, see docs/robustness.md.)
TEST(PerfValidation, InSampleErrorWithinTheDocumentedFigures) {
  constexpr double kMargin = 1.0;
  expect_in_sample("measurements-shared.csv",
                   {{"input_tps_per_chip", 5, 18.0}, {"output_tps_per_chip", 46, 13.7}, {"tpot_ms", 23, 16.9},
                    {"ttft_ms", 5, 3.7}, {"all", 79, 16.5}},
                   kMargin);
  // Up from 13.3% (all) when the catalog was refitted on the kernel tables (no per-model groups)
  // and AIC TTFT came from its harness replay instead of a wave share fitted on these rows.
  // 3555 rows: the sample's runs exported twice count once (2026-12-08); the fits now start from
  // one fixed start rather than the previous catalog (TTFT 40.4 -> 43.1%).
  expect_in_sample("aic-silicon-sample.csv", {{"tpot_ms", 3555, 17.9}, {"ttft_ms", 3555, 43.1}, {"all", 7110, 28.5}}, kMargin);
}

TEST(PerfCli, ValidateReadsTheAicSchema) {
  const std::string src = shared_data("aic-silicon-sample.csv");
  ASSERT_FALSE(src.empty());
  // A copy away from harness-map.csv: the schema is what is read here, not the harness replay
  // (minutes under the sanitizers; the replay is tested in ServeValidate.*).
  const gpugap::test::TempDir tmp("aic-schema");
  const std::string csv = (tmp.path() / "aic-silicon-sample.csv").string();
  fs::copy_file(src, csv);
  const auto r = run_cli("validate --measurements " + csv + " --by backend --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  EXPECT_GT(j["summary"]["n"].get<int>(), 3000);
  EXPECT_TRUE(j["summary"]["by"].contains("trtllm"));
  EXPECT_TRUE(j["summary"]["by_metric"].contains("tpot_ms"));
  EXPECT_TRUE(j["summary"]["by_metric"].contains("ttft_ms"));
}

TEST(PerfCli, CalibrateWritesALoadableOverlay) {
  const std::string csv = shared_data("measurements-shared.csv");
  ASSERT_FALSE(csv.empty());
  const auto dir = fs::temp_directory_path() / ("gpugap-cal-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  // --no-kernels: the efficiencies of every group fitted (the default fits kernel-table rows' overheads only).
  const auto r = run_cli("calibrate --measurements " + csv + " --folds 3 --date 2026-01-01 --no-kernels -o " + dir.string() +
                         " --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  ASSERT_FALSE(j["groups"].empty());
  bool cann = false;
  const nlohmann::json* cuda = nullptr;
  for (const auto& g : j["groups"]) {
    if (g["stack"] == "cann") cann = true;
    if (g["stack"] == "cuda" && g["family"] == "" && g["backend"] == "" && g["model"] == "") cuda = &g;
  }
  EXPECT_TRUE(cann) << "Ascend rows must calibrate the CANN stack";
  // The overlay holds the stack-level fit the JSON reports (4 decimals as written), with
  // its provenance: the number of rows it was fitted on and the date.
  ASSERT_NE(cuda, nullptr) << j["groups"].dump();
  ASSERT_TRUE(fs::exists(dir / "stacks" / "cuda.yaml"));
  std::ifstream in(dir / "stacks" / "cuda.yaml");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* k : {"eta_compute", "eta_memory"})
    EXPECT_NE(text.find(fmt::format("{}:\n  value: {:.4f}\n", k, (*cuda)[k].get<double>())), std::string::npos) << k << "\n"
                                                                                                                   << text.substr(0, 600);
  EXPECT_NE(text.find(fmt::format("fitted on {} rows of measurements-shared.csv, 2026-01-01", (*cuda)["rows"].get<int>())),
            std::string::npos);
  // The overlay loads and marks the chips calibrated.
  const auto show = run_cli("--catalog " + dir.string() + " catalog show nvidia-h20 --format json");
  ASSERT_EQ(show.rc, 0) << show.err;
  EXPECT_EQ(show.json()["calibration"].get<std::string>().rfind("calibrated", 0), 0u);
  fs::remove_all(dir);
}

// The column line of aic-silicon-sample.csv.
constexpr const char* kAicHeader =
    "id,silicon_data_source,backend,backend_version,model_path,system,precision,mode,isl,osl,gemm_quant_mode,"
    "moe_quant_mode,batch_size,tp_size,pp_size,attention_dp_size,moe_tp_size,moe_ep_size,prefill_batch_size,"
    "prefill_num_workers,prefill_tp_size,prefill_pp_size,prefill_attention_dp_size,prefill_moe_tp_size,"
    "prefill_moe_ep_size,decode_batch_size,decode_num_workers,decode_tp_size,decode_pp_size,"
    "decode_attention_dp_size,decode_moe_tp_size,decode_moe_ep_size,silicon_ttft_ms,silicon_tpot_ms\n";

// `validate --format json` on AIC-schema rows (CSV lines) written to a fresh folder.
gpugap::test::CliResult validate_aic_rows(const std::string& tag, const std::string& rows) {
  const gpugap::test::TempDir tmp(tag);
  const auto csv = tmp.path() / "aic.csv";
  std::ofstream(csv) << kAicHeader << rows;
  return run_cli("validate --measurements " + csv.string() + " --format json");
}

// AIC rows of two models on one (family, backend): each model with enough rows gets
// its own fit under the pair's, written under model.<id> ('.' as '_') in the overlay.
std::string aic_two_models(const fs::path& dir, std::size_t per_model) {
  const std::string src = shared_data("aic-silicon-sample.csv");
  if (src.empty()) return "";
  std::ifstream in(src);
  std::ofstream out(dir / "two.csv");
  std::string line;
  std::getline(in, line);
  out << line << "\n";
  std::map<std::string, std::size_t> n;
  while (std::getline(in, line))
    for (const char* key : {",Qwen/Qwen3-32B,h100_sxm,", ",meta-llama/Llama-3.1-8B-Instruct,h100_sxm,"})
      if (line.find(key) != std::string::npos && line.find(",trtllm,") != std::string::npos && n[key]++ < per_model)
        out << line << "\n";
  return (dir / "two.csv").string();
}

TEST(PerfCli, CalibrateFitsAModelOfItsOwn) {
  const gpugap::test::TempDir tmp("calm");
  const fs::path& dir = tmp.path();
  const std::string csv = aic_two_models(dir, 45);
  ASSERT_FALSE(csv.empty());
  // --no-kernels: with the H100 kernel tables a row is predicted by its (family, backend) group, never its model's.
  const auto r = run_cli("calibrate --measurements " + csv + " --folds 2 --date 2026-01-01 --no-kernels -o " + (dir / "ov").string() +
                         " --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  std::set<std::string> models;
  const auto j = r.json();
  for (const auto& g : j["groups"]) {
    EXPECT_LE(g["eta_compute"].get<double>(), 0.95);  // the physical bound of the fit
    if (!g["model"].get<std::string>().empty()) {
      EXPECT_EQ(g["family"], "nvidia-hopper");
      EXPECT_EQ(g["backend"], "trtllm");
      EXPECT_GE(g["rows"].get<int>(), 40);
      models.insert(g["model"].get<std::string>());
    }
  }
  EXPECT_EQ(models, (std::set<std::string>{"llama-3.1-8b", "qwen3-32b"}));
  std::ifstream y(dir / "ov" / "stacks" / "cuda.yaml");
  const std::string text((std::istreambuf_iterator<char>(y)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("        model:\n          llama-3_1-8b:\n"), std::string::npos) << text.substr(0, 2000);
  // The overlay loads, and validation on it reads the model's own values.
  const auto v = run_cli("--catalog " + (dir / "ov").string() + " validate --measurements " + csv + " --no-kernels --format json");
  ASSERT_EQ(v.rc, 0) << v.err;
  EXPECT_LT(v.json()["summary"]["median_abs_error_pct"].get<double>(), 25.0);
}

// The most specific calibrated values apply: a model's own, found under its key with '.'
// written '_', moves that model's rows and no other's.
TEST(PerfCli, ValidateUsesTheModelsOwnCalibration) {
  const gpugap::test::TempDir tmp("valm");
  const fs::path& dir = tmp.path();
  // The shipped catalog's H100 TensorRT-LLM values are kernel-table fits without model groups
  // (tools/refit_catalog.py): an overlay fitted without the tables gives the models their own.
  const std::string csv = aic_two_models(dir, 45);
  ASSERT_FALSE(csv.empty());
  const auto cal = run_cli("calibrate --measurements " + csv + " --folds 2 --date 2026-01-01 --no-kernels -o " + (dir / "ov").string() +
                           " --format json");
  ASSERT_EQ(cal.rc, 0) << cal.err;
  auto ttft = [&](const std::string& set) {
    const auto r = run_cli("--catalog " + (dir / "ov").string() + " " + set + " validate --measurements " + csv + " --no-kernels --format json");
    EXPECT_EQ(r.rc, 0) << r.err;
    std::map<std::string, double> out;
    const auto j = r.json();
    for (const auto& row : j["rows"])
      if (row["metric"] == "ttft_ms") out[row["id"].get<std::string>()] = row["predicted"].get<double>();
    return out;
  };
  const auto base = ttft("");
  const auto slow = ttft("--set stacks.cuda.family.nvidia-hopper.backend.trtllm.model.qwen3-32b.eta_compute=0.05");
  ASSERT_EQ(base.size(), 90u);
  for (const auto& [id, t] : base) {
    if (id.find("qwen3_32b") != std::string::npos) EXPECT_GT(slow.at(id), 1.5 * t) << id;
    else EXPECT_DOUBLE_EQ(slow.at(id), t) << id;
  }
}

// Held-out folds drawn by model keep every row of a model out of its own fit: the
// error a model without measurements can expect, larger than with folds by row.
// (Two folds: the two models' ids hash to different ones.)
TEST(PerfCli, ValidateFoldsByModel) {
  const gpugap::test::TempDir tmp("fbm");
  const fs::path& dir = tmp.path();
  const std::string csv = aic_two_models(dir, 45);
  ASSERT_FALSE(csv.empty());
  const auto by_row = run_cli("validate --measurements " + csv + " --folds 2 --format json");
  const auto by_model = run_cli("validate --measurements " + csv + " --folds 2 --folds-by model --format json");
  ASSERT_EQ(by_row.rc, 0) << by_row.err;
  ASSERT_EQ(by_model.rc, 0) << by_model.err;
  EXPECT_EQ(by_row.json()["heldout"]["folds_by"], "row");
  EXPECT_EQ(by_model.json()["heldout"]["folds_by"], "model");
  const auto bad = run_cli("validate --measurements " + csv + " --folds 2 --folds-by chip");
  EXPECT_EQ(bad.rc, 2);
  const auto jr = by_row.json(), jm = by_model.json();
  EXPECT_EQ(jm["heldout"]["summary"]["n"], jr["heldout"]["summary"]["n"]);  // every row predicted either way
  EXPECT_GT(jm["heldout"]["summary"]["median_abs_error_pct"].get<double>(), jr["heldout"]["summary"]["median_abs_error_pct"].get<double>());
}

// An unstated KV cache that must be 8-bit to hold the measured concurrency is read as
// 8-bit (the row's TTFT shows no wait for a slot): a 16-bit cache of MiniMax-M2.5 at
// 8192+1024 tokens x 256 clients does not fit on 4 B200.
TEST(PerfCli, ValidateInfersAnFp8CacheFromTheConcurrency) {
  const auto r = validate_aic_rows(
      "kv8",
      // A row of aic-silicon-sample.csv (NVIDIA AIConfigurator, Apache-2.0), unchanged.
      "minimaxm2_5_b200_vllm_fp8_agg_8192x1024_c256_cfg634,db-dump/2026-04-27; config_id=634; silicon_concurrency=256; "
      "measured=2026-04-22T00:00:00.000Z; workflow_run_id=799; vllm/vllm-openai:v0.19.0-cu130,vllm,0.19.0,"
      "MiniMaxAI/MiniMax-M2.5,b200_sxm,fp8,agg,8192,1024,fp8,fp8,256,4,1,1,4,1,,,,,,,,,,,,,,,1696.8950110933292,"
      "51.63708456498108\n");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  ASSERT_FALSE(j["rows"].empty()) << j["skipped"].dump();
  for (const auto& row : j["rows"]) {
    EXPECT_NE(row["method"].get<std::string>().find("kv fp8 (not stated; a 16-bit cache cannot hold the measured concurrency 256)"),
              std::string::npos)
        << row["method"];
    // Without the inference the 68 clients beyond a 16-bit cache's 188 slots would wait ~17 s.
    if (row["metric"] == "ttft_ms") {
      EXPECT_LT(row["predicted"].get<double>(), 5000.0);
    }
  }
}

TEST(PerfCli, CatalogShowSaysCalibratedOrSpecOnly) {
  const auto a = run_cli("catalog show nvidia-h20 --format json");
  ASSERT_EQ(a.rc, 0) << a.err;
  EXPECT_EQ(a.json()["calibration"].get<std::string>().rfind("calibrated", 0), 0u);
  const auto b = run_cli("catalog show cambricon-mlu590 --format json");
  ASSERT_EQ(b.rc, 0) << b.err;
  EXPECT_EQ(b.json()["calibration"].get<std::string>().rfind("spec-only", 0), 0u);
}

// AIC export conventions are read as what ran (docs/model-perf.md, "Validation rows"):
// EP folded into tp_size, and tp_size as the world size of a DP-attention deployment.
TEST(PerfCli, ValidateReadsAicLayoutConventions) {
  const auto r = validate_aic_rows(
      "aic",
      // Rows of aic-silicon-sample.csv (NVIDIA AIConfigurator, Apache-2.0), unchanged.
      "dsr1_h200_trtllm_fp8_agg_1024x1024_c16_cfg181,db-dump/2026-04-27; config_id=181; silicon_concurrency=16,trtllm,"
      "1.1.0rc2.post2,deepseek-ai/DeepSeek-V3,h200_sxm,fp8,agg,1024,1024,fp8,fp8,16,64,1,1,8,8,,,,,,,,,,,,,,,"
      "668.8403705309611,20.188270979495872\n"
      "2026_04_06_deepseek_r1_gb200_trtllm_fp4_agg_1024x1024_c32_tp36_ep1_11,source_file=2026-04-06.csv; "
      "silicon_concurrency=32,trtllm,,deepseek-ai/DeepSeek-R1,gb200,fp4,agg,1024,1024,nvfp4,nvfp4,32,36,1,1,36,1,,,,,,,,,,"
      ",,,,,232.46199020786662,8.444456925206435\n");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  EXPECT_TRUE(j["skipped"].empty()) << j["skipped"].dump();
  bool folded = false, world = false;
  for (const auto& row : j["rows"]) {
    const std::string method = row["method"].get<std::string>();
    if (method.find("layout read as TP 8 x EP 8") != std::string::npos) folded = true;
    if (method.find("tp_size 36 read as the world size: DP-attention 36 x EP 36") != std::string::npos) world = true;
  }
  EXPECT_TRUE(folded);
  EXPECT_TRUE(world);
}

// docs/validation.md is generated by the tool: generation works on a small file and
// the shipped document says how it was made.
TEST(PerfCli, ValidationDocIsGenerated) {
  const std::string shared = shared_data("measurements-shared.csv");
  ASSERT_FALSE(shared.empty());
  const auto dir = fs::temp_directory_path() / ("gpugap-vdoc-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  // The TensorRT-LLM perf-overview rows: enough for a 2-fold fit of the cuda stack.
  std::ifstream in(shared);
  std::ofstream out(dir / "m.csv");
  std::string line;
  std::getline(in, line);
  out << line << "\n";
  while (std::getline(in, line))
    if (line.rfind("TRTLLM-PO-", 0) == 0) out << line << "\n";
  out.close();
  const auto doc = dir / "validation.md";
  const auto r = run_cli("validate --measurements " + (dir / "m.csv").string() + " --folds 2 --doc " + doc.string());
  ASSERT_EQ(r.rc, 0) << r.err;
  // The JSON carries each held-out prediction (one per row and metric), so a change of the
  // held-out median can be traced to the rows that moved.
  const auto rj = run_cli("validate --measurements " + (dir / "m.csv").string() + " --folds 2 --format json");
  ASSERT_EQ(rj.rc, 0) << rj.err;
  const auto jj = rj.json();
  ASSERT_TRUE(jj["heldout"].contains("rows"));
  const auto& hr = jj["heldout"]["rows"];
  EXPECT_EQ(hr.size(), jj["heldout"]["summary"]["n"].get<std::size_t>());
  for (const auto& row : hr) {
    ASSERT_EQ(row["id"].get<std::string>().rfind("TRTLLM-PO-", 0), 0u);
    const double meas = row["measured"].get<double>(), pred = row["predicted"].get<double>();
    EXPECT_NEAR(row["error_pct"].get<double>(), (pred - meas) / meas * 100.0, 0.05 + 1e-3 * std::fabs(pred / meas) * 100.0);
  }
  std::ifstream d(doc);
  const std::string text((std::istreambuf_iterator<char>(d)), std::istreambuf_iterator<char>());
  fs::remove_all(dir);
  for (const char* s : {"# Validation of the perf model", "Held-out (k-fold) error", "In-sample error", "Fitted efficiencies"})
    EXPECT_NE(text.find(s), std::string::npos) << s;
  std::ifstream shipped(fs::path(source_dir()) / "docs" / "validation.md");
  const std::string st((std::istreambuf_iterator<char>(shipped)), std::istreambuf_iterator<char>());
  // The documented command reads the vendored files, so it works from a clean clone.
  EXPECT_NE(st.find("gpugap validate --measurements data/measurements/measurements-shared.csv --measurements "
                    "data/measurements/aic-silicon-sample.csv"),
            std::string::npos);
  EXPECT_NE(st.find("Held-out (k-fold) error"), std::string::npos);
}
