// Token economics end to end: `gpugap econ` keys (cli.md), reconciliation of
// cost per token with the TCO breakdown, missing data shown as such, metric
// paths, crossovers, and the golden table.
//
// Golden file: tests/golden/econ-deepseek-r1-chat-cn.json (its command in
// tests/golden/goldens.tsv). Regenerate after an intended change of the model or the
// catalog with `make goldens` (never from a test run) and review the diff;
// test_golden_refs.cpp checks its TCO against a hand computation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "analysis/scenario.hpp"
#include "catalog/catalog.hpp"
#include "catalog/specs.hpp"
#include "cli_helpers.hpp"
#include "golden_helpers.hpp"
#include "econ/table.hpp"
#include "studies/engines.hpp"

using namespace gpugap;
using gpugap::test::run_cli;
using nlohmann::json;

namespace {

const catalog::Catalog& shipped() {
  static const catalog::Catalog c = catalog::Catalog::load({analysis::default_catalog_dir()});
  return c;
}

// The "done when" command, run once for the tests that read it.
const json& done_when_table() {
  static const json j = [] {
    auto r = run_cli("econ --model deepseek-r1 --workload chat --region cn --format json");
    EXPECT_EQ(r.rc, 0) << r.err;
    return r.rc == 0 ? r.json() : json::object();
  }();
  return j;
}

const json* row_of(const json& t, const std::string& chip) {
  for (const auto& r : t["rows"])
    if (r["chip"] == chip) return &r;
  return nullptr;
}

// Golden comparison: same keys and shapes, strings equal, numbers within tolerance.
void compare_json(const json& want, const json& got, const std::string& where, std::vector<std::string>& diffs) {
  constexpr double kRel = 1e-6, kAbs = 1e-9;
  if (want.is_number() && got.is_number()) {
    const double a = want.get<double>(), b = got.get<double>();
    if (std::abs(a - b) > kAbs + kRel * std::max(std::abs(a), std::abs(b)))
      diffs.push_back(where + ": " + want.dump() + " != " + got.dump());
    return;
  }
  if (want.type() != got.type()) {
    diffs.push_back(where + ": type " + want.dump().substr(0, 40) + " vs " + got.dump().substr(0, 40));
    return;
  }
  if (want.is_object()) {
    for (auto it = want.begin(); it != want.end(); ++it) {
      if (!got.contains(it.key())) diffs.push_back(where + "." + it.key() + ": missing");
      else compare_json(it.value(), got[it.key()], where + "." + it.key(), diffs);
    }
    for (auto it = got.begin(); it != got.end(); ++it)
      if (!want.contains(it.key())) diffs.push_back(where + "." + it.key() + ": unexpected");
  } else if (want.is_array()) {
    if (want.size() != got.size()) {
      diffs.push_back(where + ": " + std::to_string(want.size()) + " elements vs " + std::to_string(got.size()));
      return;
    }
    for (std::size_t i = 0; i < want.size(); ++i) compare_json(want[i], got[i], where + "[" + std::to_string(i) + "]", diffs);
  } else if (want != got) {
    diffs.push_back(where + ": " + want.dump() + " != " + got.dump());
  }
}

double hours_to_mtok(double tps) { return tps * 3600.0 / 1e6; }

}  // namespace

TEST(EconCli, DoneWhenCommandHasCliKeysForEveryRow) {
  const json& t = done_when_table();
  ASSERT_TRUE(t.contains("rows"));
  EXPECT_EQ(t["region"], "cn");
  EXPECT_EQ(t["model"], "deepseek-r1");
  EXPECT_EQ(t["workload"], "chat");
  // The report's set is always shown, data or not.
  const auto ctx = studies::make_context({analysis::default_catalog_dir()}, "ms-2025", {});
  const auto report_set = econ::report_chips(ctx);
  EXPECT_EQ(report_set.size(), 13u);
  for (const auto& id : report_set) EXPECT_NE(row_of(t, id), nullptr) << id;
  for (const auto& r : t["rows"]) {
    for (const char* k : {"chip", "output_tps_per_chip", "power_w", "tps_per_watt", "price_usd", "tps_per_watt_per_kusd",
                          "usd_per_hour", "usd_per_mtok_output", "usd_per_mtok_input", "deployment", "status"})
      EXPECT_TRUE(r.contains(k)) << r["chip"] << " lacks " << k;
    const std::string status = r["status"];
    if (status == "ok") {
      EXPECT_TRUE(r["usd_per_mtok_output"].is_number()) << r["chip"];
      EXPECT_TRUE(r["deployment"].contains("tp")) << r["chip"];
    } else if (status.starts_with("insufficient data: ")) {
      // Never a made-up number: a missing input leaves the values that need it null.
      EXPECT_FALSE(r["missing"].empty());
      EXPECT_TRUE(r["usd_per_mtok_output"].is_null()) << r["chip"];
    }
  }
}

TEST(EconCli, H200BeatsH20OnThroughput) {
  const json& t = done_when_table();
  const json* h200 = row_of(t, "nvidia-h200-sxm");
  const json* h20 = row_of(t, "nvidia-h20");
  ASSERT_TRUE(h200 && h20);
  ASSERT_TRUE((*h200)["output_tps_per_chip"].is_number()) << (*h200)["status"];
  ASSERT_TRUE((*h20)["output_tps_per_chip"].is_number()) << (*h20)["status"];
  EXPECT_GT((*h200)["output_tps_per_chip"].get<double>(), (*h20)["output_tps_per_chip"].get<double>());
}

TEST(EconCli, CostPerTokenReconcilesWithTcoBreakdown) {
  const json& t = done_when_table();
  int checked = 0;
  for (const auto& r : t["rows"]) {
    // A row without every input says so in its status; a row whose status is ok has every figure.
    if (r["status"] != "ok") {
      EXPECT_TRUE(r["usd_per_mtok_output"].is_null()) << r["chip"];
      continue;
    }
    ASSERT_TRUE(r["usd_per_mtok_output"].is_number()) << r["chip"];
    ++checked;
    const double per_hour = r["usd_per_hour"];
    double sum = 0;
    for (const auto& it : r["tco"]["breakdown"]) sum += it["usd_per_hour"].get<double>();
    EXPECT_NEAR(sum, per_hour, 1e-9 * per_hour) << r["chip"];
    EXPECT_NEAR(r["tco"]["usd_per_hour"].get<double>(), per_hour, 1e-12 * per_hour);
    const double out = r["output_tps_per_chip"], in = r["input_tps_per_chip"];
    // Input and output tokens together pay exactly one chip-hour per hour.
    const double paid = r["usd_per_mtok_output"].get<double>() * hours_to_mtok(out) +
                        r["usd_per_mtok_input"].get<double>() * hours_to_mtok(in);
    EXPECT_NEAR(paid, per_hour, 1e-9 * per_hour) << r["chip"];
    EXPECT_NEAR(r["usd_per_mtok_output_all_in"].get<double>() * hours_to_mtok(out), per_hour, 1e-9 * per_hour);
    // RMB figures are the USD ones at regions.cn.fx_per_usd.
    EXPECT_NEAR(r["rmb_per_mtok_output"].get<double>(), r["usd_per_mtok_output"].get<double>() * 7.15, 1e-9);
    // W and J: joules per output token = wall watts / tokens per second.
    EXPECT_NEAR(r["joules_per_output_token"].get<double>(), r["power_w"].get<double>() / out, 1e-9);
    EXPECT_NEAR(r["tps_per_watt_per_kusd"].get<double>(),
                r["tps_per_watt"].get<double>() / (r["price_usd"].get<double>() / 1000), 1e-12);
  }
  EXPECT_GE(checked, 2) << "at least H20 and H200 have every input";
}

TEST(EconCli, ChartsAndCrossoversAreThere) {
  const json& t = done_when_table();
  const auto& ch = t["charts"];
  EXPECT_EQ(ch["usd_per_mtok_by_chip"]["x"].size(), t["rows"].size());
  EXPECT_EQ(ch["tps_per_watt_by_chip"]["y"].size(), t["rows"].size());
  EXPECT_FALSE(ch["frontier"]["series"].empty());
  EXPECT_EQ(t["crossovers_vs"], "nvidia-h20");
  EXPECT_FALSE(t["price_comparison"].empty());
}

TEST(EconCli, CrossoverIsWhereCostsMeet) {
  // A crossover is the parameter value at which a chip's all-in cost per
  // token equals the reference's; re-running at that value must give equal costs.
  const std::string chips = "--chips nvidia-h20,nvidia-h200-sxm,huawei-ascend-910c --no-frontier";
  auto r = run_cli("econ --model deepseek-r1 --workload chat --region cn --vs nvidia-h200-sxm --format json " + chips);
  ASSERT_EQ(r.rc, 0) << r.err;
  const json t = r.json();
  const json* cross = nullptr;
  for (const auto& c : t["crossovers"])
    if (c["crossover_value"].is_number() && !cross) cross = &c;
  ASSERT_NE(cross, nullptr) << t["crossovers"].dump();
  const std::string param = (*cross)["param"], unit = (*cross)["unit"], chip = (*cross)["chip"];
  const double v = (*cross)["crossover_value"];
  auto again = run_cli("econ --model deepseek-r1 --workload chat --region cn --vs nvidia-h200-sxm --format json " + chips +
                       " --set " + param + "='" + fmt::format("{:.12g}", v) + " " + unit + "'");
  ASSERT_EQ(again.rc, 0) << again.err;
  const json j = again.json();
  const double a = (*row_of(j, chip))["usd_per_mtok_output_all_in"];
  const double b = (*row_of(j, "nvidia-h200-sxm"))["usd_per_mtok_output_all_in"];
  EXPECT_NEAR(a, b, 1e-6 * b) << param << " = " << v;
}

TEST(EconCli, MissingChipPriceIsInsufficientDataNotZero) {
  auto r = run_cli("econ --model deepseek-r1 --region cn --chips amd-mi300x --no-frontier --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const json t = r.json();
  const auto& row = t["rows"][0];
  EXPECT_EQ(row["status"], "insufficient data: chips.amd-mi300x.price.cn");
  EXPECT_TRUE(row["usd_per_hour"].is_null());
  EXPECT_TRUE(row["price_usd"].is_null());
}

TEST(EconCli, UnknownIdsAreUserErrors) {
  auto r = run_cli("econ --model deepseek-r2 --region cn --chips nvidia-h20");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("deepseek-r1"), std::string::npos) << r.err;
  r = run_cli("econ --model deepseek-r1 --region eu --chips nvidia-h20");
  EXPECT_EQ(r.rc, 2);
  r = run_cli("econ --model deepseek-r1 --region cn --chips nvidia-h2O");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("nvidia-h20"), std::string::npos) << r.err;
}

TEST(EconCli, MetricPathsMatchTheTable) {
  const json& t = done_when_table();
  const json* h20 = row_of(t, "nvidia-h20");
  ASSERT_TRUE(h20 && (*h20)["usd_per_mtok_output"].is_number());
  auto r = run_cli(
      "eval econ.cn.nvidia-h20.deepseek-r1.chat.usd_per_mtok_output econ.cn.nvidia-h20.usd_per_hour "
      "econ.cn.nvidia-h20.deepseek-r1.chat.tps_per_watt --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto m = r.json()["metrics"];
  EXPECT_NEAR(m["econ.cn.nvidia-h20.deepseek-r1.chat.usd_per_mtok_output"].get<double>(),
              (*h20)["usd_per_mtok_output"].get<double>(), 1e-12);
  EXPECT_NEAR(m["econ.cn.nvidia-h20.usd_per_hour"].get<double>(), (*h20)["usd_per_hour"].get<double>(), 1e-12);
  EXPECT_NEAR(m["econ.cn.nvidia-h20.deepseek-r1.chat.tps_per_watt"].get<double>(), (*h20)["tps_per_watt"].get<double>(),
              1e-12);
  // A metric whose input is missing names it.
  r = run_cli("eval econ.cn.amd-mi300x.deepseek-r1.chat.usd_per_mtok_output");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("insufficient data: chips.amd-mi300x.price.cn"), std::string::npos) << r.err;
}

TEST(EconCli, OverridesMoveTheCost) {
  // Doubling the subsidised electricity price raises a domestic chip's energy item, and only it, by 2x.
  auto base = run_cli("econ --model deepseek-r1 --region cn --chips huawei-ascend-910c --no-frontier --format json");
  auto dbl = run_cli("econ --model deepseek-r1 --region cn --chips huawei-ascend-910c --no-frontier --format json "
                     "--set regions.cn.electricity_price='0.112 USD/kWh'");
  ASSERT_EQ(base.rc, 0) << base.err;
  ASSERT_EQ(dbl.rc, 0) << dbl.err;
  const auto a = base.json()["rows"][0], b = dbl.json()["rows"][0];
  // The 910C has every input of its TCO in the shipped catalog: a missing one is a failure.
  ASSERT_TRUE(a["tco"].is_object()) << a["status"];
  ASSERT_TRUE(b["tco"].is_object()) << b["status"];
  auto item = [](const json& r, const std::string& n) {
    for (const auto& i : r["tco"]["breakdown"])
      if (i["item"] == n) return i["usd_per_hour"].get<double>();
    return -1.0;
  };
  EXPECT_NEAR(item(b, "energy"), 2 * item(a, "energy"), 1e-12);
  EXPECT_NEAR(item(b, "chip"), item(a, "chip"), 1e-15);
  EXPECT_EQ(dbl.json()["overrides"].size(), 1u);  // recorded in the output
}

TEST(EconCli, SameBytesForAnyThreadCount) {
  const std::string cmd = "econ --model qwen3-32b --region cn --format json --chips nvidia-h20,nvidia-h200-sxm,huawei-ascend-910c";
  auto a = run_cli(cmd + " --threads 1");
  auto b = run_cli(cmd + " --threads 4");
  ASSERT_EQ(a.rc, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
}

TEST(EconEngine, CheaperPowerLowersTheWeightOfEnergyEfficiency) {
  // The report: China's cheaper electricity lowers the weight of energy
  // efficiency. The share of a chip's cost that scales with its power
  // (energy + data centre) is smaller at China's subsidised price than in the US.
  const auto& cat = shipped();
  ParamTable p = cat.params();
  p.set_from_text("chips.huawei-ascend-910c.price.us", "19930 USD");  // the cn price in USD, for a like-for-like TCO
  const auto chip = chip_spec(cat, p, "huawei-ascend-910c");
  auto power_share = [&](const char* region) {
    const auto r = econ::tco(cat, p, chip, region_spec(cat, p, region));
    return (r.item_usd_per_hour("energy") + r.item_usd_per_hour("datacenter")) / r.usd_per_hour();
  };
  EXPECT_LT(power_share("cn"), power_share("us"));
}

TEST(EconEngine, PrefillShareFromPerfResult) {
  perf::PerfResult r;
  r.input_tps_per_chip = 1000;
  r.prefill_tps_per_chip = 10000;
  Workload w;
  w.isl = 1024;
  w.osl = 1024;
  EXPECT_NEAR(econ::prefill_share(r, w), 0.1, 1e-15);
  r.deployment.prefix_hit = 0.5;
  EXPECT_NEAR(econ::prefill_share(r, w), 0.05, 1e-15);
  r.deployment.prefix_hit = 0;
  r.deployment.mode = perf::ServeMode::kDisagg;
  r.deployment.prefill_decode_ratio = 0.25;
  EXPECT_NEAR(econ::prefill_share(r, w), 0.2, 1e-15);  // 1 prefill chip per 4 decode chips
  r.deployment.prefill_decode_ratio = 0;
  EXPECT_NEAR(econ::prefill_share(r, w), 0.1 / perf::kPrefillPoolLoad, 1e-15);
}

TEST(EconGolden, DeepSeekR1ChatChina) {
  const std::string args = test::golden_args("econ-deepseek-r1-chat-cn");
  ASSERT_FALSE(args.empty());
  const json want = test::read_golden("econ-deepseek-r1-chat-cn");
  ASSERT_FALSE(want.is_null());
  auto r = run_cli(args);
  ASSERT_EQ(r.rc, 0) << r.err;
  std::vector<std::string> diffs;
  compare_json(want, r.json(), "$", diffs);
  std::string msg;
  for (std::size_t i = 0; i < diffs.size() && i < 20; ++i) msg += diffs[i] + "\n";
  EXPECT_TRUE(diffs.empty()) << diffs.size() << " differences (`make goldens` regenerates; say why in the commit):\n" << msg;
}

// docs/economics.md is generated from `gpugap econ` runs; the generator must
// keep working against the current JSON and produce every claim section.
TEST(EconDoc, GeneratorRunsAndCoversEveryClaim) {
  // python3 is a test dependency (`make test` installs it): without it this fails, never skips.
  ASSERT_EQ(std::system("python3 --version > /dev/null 2>&1"), 0) << "python3 not found (make test-deps installs it)";
  const auto out = std::filesystem::temp_directory_path() / ("gpugap-econ-doc-" + std::to_string(::getpid()) + ".md");
  const std::string cmd = "python3 " + test::source_dir() + "/tools/gen_economics_doc.py --gpugap " + test::binary() + " -o " +
                          out.string() + " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(out);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(out);
  for (const char* s : {"## Summary", "### 2.1", "### 2.3", "### 2.4", "### 2.5", "## 3. When a verdict flips",
                        "gpugap econ --model deepseek-r1 --workload chat --region cn"})
    EXPECT_NE(text.find(s), std::string::npos) << s;
  EXPECT_EQ(text.find("| nan |"), std::string::npos);  // a NaN reached a table cell
}
