// End-to-end: `gpugap gap` on the shipped catalog and ms-2025: the JSON
// contract (each basis and year: both sides' best parts and the ratio), the
// export-control rule set, swapping two chips' figures and the metric paths.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "cli_helpers.hpp"

using gpugap::test::run_cli;
using nlohmann::json;

namespace {

const json& spec_gap() {
  static const json j = [] {
    auto r = run_cli("gap --spec-only --format json");
    EXPECT_EQ(r.rc, 0) << r.err;
    return r.rc == 0 ? r.json() : json::object();
  }();
  return j;
}

const json* cell(const json& j, const std::string& basis, const std::string& set, int year) {
  for (const auto& b : j["bases"])
    if (b["id"] == basis)
      for (const auto& c : b["cells"])
        if (c["set"] == set && c["year"] == year) return &c;
  return nullptr;
}

// --set overrides that give the H20 the domestic part's bandwidth and back.
std::string fmt_args(double us_bps, double dom_bps, const std::string& dom) {
  char a[128], b[128];
  std::snprintf(a, sizeof a, "%.17g", dom_bps / 1e12);
  std::snprintf(b, sizeof b, "%.17g", us_bps / 1e12);
  return " --set 'chips.nvidia-h20.memory.bandwidth=" + std::string(a) + " TB/s' --set 'chips." + dom +
         ".memory.bandwidth=" + std::string(b) + " TB/s'";
}

}  // namespace

TEST(GapCli, EveryBasisAndYearHasBothSidesAndTheRatio) {
  const json& j = spec_gap();
  ASSERT_TRUE(j.contains("bases"));
  for (const auto& b : j["bases"]) {
    EXPECT_EQ(b["cells"].size(), 2u * 7u) << b["id"];  // two sets x 2024..2030
    for (const auto& c : b["cells"]) {
      for (const char* k : {"set", "year", "us", "domestic", "ratio"}) EXPECT_TRUE(c.contains(k)) << k;
      if (!c["us"].is_null() && !c["domestic"].is_null()) {
        const double us = c["us"]["value"].get<double>(), dom = c["domestic"]["value"].get<double>();
        EXPECT_NEAR(c["ratio"].get<double>(), us / dom, 1e-9 * us / dom);
      }
    }
  }
  EXPECT_EQ(j["today"], 2025);
  EXPECT_EQ(j["horizon_years"], 4);
  EXPECT_FALSE(j["claim"].empty());
}

TEST(GapCli, ChinaSetFollowsTheExportControlYears) {
  const json& j = spec_gap();
  // The H20 is the best US BF16 part sold in China in 2025 (H100/H200/B200 are
  // not: cn_available_from null or later); the H200 counts from 2026.
  EXPECT_EQ((*cell(j, "memory_bandwidth", "china", 2025))["us"]["id"], "nvidia-h20");
  EXPECT_EQ((*cell(j, "memory_bandwidth", "china", 2026))["us"]["id"], "nvidia-h200-sxm");
  // The global frontier is never behind the China set on the US side.
  for (int y = 2024; y <= 2030; ++y) {
    const json* c = cell(j, "compute_bf16", "china", y);
    const json* g = cell(j, "compute_bf16", "global", y);
    ASSERT_TRUE(c && g);
    EXPECT_GE((*g)["us"]["value"].get<double>(), (*c)["us"]["value"].get<double>());
  }
}

TEST(GapCli, SwappingTwoChipsFiguresInvertsTheRatio) {
  // 2025, China set, memory bandwidth: H20 (4.0 TB/s) vs the best domestic part.
  const json* c = cell(spec_gap(), "memory_bandwidth", "china", 2025);
  ASSERT_TRUE(c && !(*c)["ratio"].is_null());
  const std::string dom = (*c)["domestic"]["id"];
  const double us_v = (*c)["us"]["value"].get<double>(), dom_v = (*c)["domestic"]["value"].get<double>();
  const std::string args = fmt_args(us_v, dom_v, dom);
  auto r = run_cli("gap --spec-only --basis memory_bandwidth --format json" + args);
  ASSERT_EQ(r.rc, 0) << r.err;
  const json k = r.json();
  const json* s = cell(k, "memory_bandwidth", "china", 2025);
  ASSERT_TRUE(s);
  EXPECT_EQ((*s)["us"]["id"], "nvidia-h20");
  EXPECT_EQ((*s)["domestic"]["id"], dom);
  EXPECT_NEAR((*s)["ratio"].get<double>(), 1.0 / (*c)["ratio"].get<double>(), 1e-9);
}

TEST(GapCli, LaunchYearGatesWhenAChipCounts) {
  // Ascend 970 (launch 2028) is the best domestic bandwidth from 2028; moved to 2030 it counts only then.
  const json& j = spec_gap();
  EXPECT_EQ((*cell(j, "memory_bandwidth", "global", 2028))["domestic"]["id"], "huawei-ascend-970");
  auto r = run_cli("gap --spec-only --basis memory_bandwidth --format json --set chips.huawei-ascend-970.launch_year=2030 "
                   "--set chips.huawei-ascend-970.export_control.cn_available_from=2030");
  ASSERT_EQ(r.rc, 0) << r.err;
  const json k = r.json();
  EXPECT_NE((*cell(k, "memory_bandwidth", "global", 2028))["domestic"]["id"], "huawei-ascend-970");
  EXPECT_NE((*cell(k, "memory_bandwidth", "global", 2029))["domestic"]["id"], "huawei-ascend-970");
  EXPECT_EQ((*cell(k, "memory_bandwidth", "global", 2030))["domestic"]["id"], "huawei-ascend-970");
}

TEST(GapCli, PerfBasesAndMetricPaths) {
  auto r = run_cli("eval gap.compute_bf16.china.2025 gap.tps_chat.global.2029 demand.tokens_per_day.2025 "
                   "demand.chips_needed.2030 --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const json m = r.json()["metrics"];
  // 100 trillion tokens/day at the end of 2025 (NDA, SCIO 2026-03-24; ms-2025).
  EXPECT_DOUBLE_EQ(m["demand.tokens_per_day.2025"].get<double>(), 1e14);
  EXPECT_TRUE(m.contains("gap.compute_bf16.china.2025"));
  // The metric path reads the gap command's cell: the US best part's value over the domestic one's.
  auto g = run_cli("gap --format json");
  ASSERT_EQ(g.rc, 0) << g.err;
  const json gj = g.json();
  const json* c = cell(gj, "tps_chat", "global", 2029);
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ(m["gap.tps_chat.global.2029"].get<double>(), (*c)["ratio"].get<double>());
  EXPECT_NEAR((*c)["ratio"].get<double>(), (*c)["us"]["value"].get<double>() / (*c)["domestic"]["value"].get<double>(), 1e-12);
}

// Issue 21: the claim's numbers come from the scenario (gap.claim.*, sourced to
// the report), the available part follows gap.available_min_chips, and both
// aggregations sit beside the best part.
TEST(GapCli, ClaimBandAndAvailabilityThresholdAreScenarioParameters) {
  const json& j = spec_gap();
  EXPECT_DOUBLE_EQ(j["claim_band"]["today_low"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(j["claim_band"]["today_high"].get<double>(), 2.0);
  for (const auto& c : j["claim"]) EXPECT_TRUE(c.contains("today_weighted")) << c["basis"];
  const json* c = cell(j, "compute_bf16", "china", 2025);
  ASSERT_TRUE(c);
  for (const char* k : {"domestic_available", "ratio_available", "domestic_weighted", "ratio_weighted", "weighted_chips"})
    EXPECT_TRUE(c->contains(k)) << k;
  auto r = run_cli("gap --spec-only --format json --set gap.claim.today_low=0.1 --set gap.claim.today_high=0.2 "
                   "--set gap.available_min_chips=1e12");
  ASSERT_EQ(r.rc, 0) << r.err;
  const json k = r.json();
  for (const auto& x : k["claim"])
    if (x["basis"] == "compute_bf16" && x["set"] == "china") {
      EXPECT_EQ(x["holds_today"], true);  // 0.145 in 0.1-0.2
    }
  const json* d = cell(k, "compute_bf16", "china", 2025);
  ASSERT_TRUE(d);
  EXPECT_TRUE((*d)["ratio_available"].is_null());
  EXPECT_NE((*d)["missing_available"].get<std::string>().find("shipping"), std::string::npos);
}

TEST(GapCli, DemandSitsBesideTheTam) {
  auto r = run_cli("gap --spec-only --demand --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const json d = r.json()["demand"];
  ASSERT_EQ(d["years"].size(), 7u);
  // 2024: the chips needed come from the domestic parts available that year with a price and a
  // feasible deployment; where there is none the figure is null with the reason, not a made-up
  // number (the 910 family has one since its GEMMs run at the published microbenchmark rate,
  // perf/serving.hpp); every later year has the chips needed, the TAM and their ratio.
  EXPECT_EQ(d["years"][0]["year"], 2024);
  if (d["years"][0]["chips_needed"].is_null()) {
    EXPECT_TRUE(d["years"][0]["tam_ratio"].is_null());
    EXPECT_FALSE(d["years"][0]["missing"].get<std::string>().empty());
  } else {
    EXPECT_GT(d["years"][0]["tam_ratio"].get<double>(), 0.0);
  }
  for (std::size_t i = 1; i < d["years"].size(); ++i) {
    const json& y = d["years"][i];
    ASSERT_TRUE(y["chips_needed"].is_number() && y["tam_usd_bn"].is_number() && y["implied_total_usd_bn"].is_number()) << y.dump();
    // Token demand grows every year in ms-2025; the chips it needs need not (a faster supply mix
    // can need fewer: 2026 below 2025 since the 910C runs its GEMMs at the published rate).
    EXPECT_GT(y["output_tokens_per_s"].get<double>(), d["years"][i - 1]["output_tokens_per_s"].get<double>()) << y["year"];
    EXPECT_GT(y["chips_needed"].get<double>(), 0.0) << y["year"];
    EXPECT_NEAR(y["tam_ratio"].get<double>(), y["implied_total_usd_bn"].get<double>() / y["tam_usd_bn"].get<double>(), 1e-9);
  }
}

// docs/gap.md is generated from `gpugap gap --demand` and `gpugap mc`; the
// generator must keep working against the current JSON.
TEST(GapDoc, GeneratorRunsAndStatesTheClaimPerBasis) {
  // python3 is a test dependency (`make test` installs it): without it this fails, never skips.
  ASSERT_EQ(std::system("python3 --version > /dev/null 2>&1"), 0) << "python3 not found (make test-deps installs it)";
  const std::string out = "/tmp/gpugap-gap-doc-" + std::to_string(::getpid()) + ".md";
  const std::string cmd = "python3 " + gpugap::test::source_dir() + "/tools/gen_gap_doc.py --mc-samples 20 --gpugap " + gpugap::test::binary() +
                          " -o " + out + " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::FILE* f = std::fopen(out.c_str(), "r");
  ASSERT_TRUE(f);
  std::string text;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  std::fclose(f);
  std::remove(out.c_str());
  for (const char* s : {"## 1. Verdict by basis", "**Summary (computed).**", "| tps_chat | global |", "## 2. Which lever",
                        "## 4. Bottom-up token demand", "`demand.chips_needed."})
    EXPECT_NE(text.find(s), std::string::npos) << s;
}
