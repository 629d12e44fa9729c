// End-to-end: `gpugap score` on the shipped catalog and ms-2025 with the real
// perf and econ engines: the JSON contract of cli.md, the direction of a
// price change, the watch metrics and a risk case.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "cli_helpers.hpp"

using gpugap::test::run_cli;
using nlohmann::json;

namespace {

const json& base_score() {
  static const json j = [] {
    auto r = run_cli("score --samples 0 --format json");  // point scores: the Monte Carlo is test_score_uncertainty's
    EXPECT_EQ(r.rc, 0) << r.err;
    return r.rc == 0 ? r.json() : json::object();
  }();
  return j;
}

const json* find_vendor(const json& j, const std::string& id) {
  for (const auto& v : j["vendors"])
    if (v["vendor"] == id) return &v;
  return nullptr;
}

}  // namespace

TEST(ScoreCli, RanksTheRequiredVendorsWithFourConditions) {
  const json& j = base_score();
  ASSERT_TRUE(j.contains("vendors"));
  std::set<int> ranks;
  for (const auto& v : j["vendors"]) {
    for (const char* k : {"vendor", "rank", "composite", "quantitative", "qualitative", "conditions"})
      EXPECT_TRUE(v.contains(k)) << k;
    for (const char* c : {"inference_economics", "capacity", "csp_ties", "policy"})
      EXPECT_TRUE(v["conditions"].contains(c)) << v["vendor"] << " " << c;
    ranks.insert(v["rank"].get<int>());
  }
  EXPECT_EQ(ranks.size(), j["vendors"].size());
  for (const char* id : {"huawei", "cambricon", "hygon", "kunlunxin", "thead", "moorethreads", "metax"}) {
    const json* v = find_vendor(j, id);
    ASSERT_TRUE(v) << id;
    // Never dropped: a vendor without chip data says so.
    if ((*v)["quantitative"].is_null()) {
      EXPECT_NE((*v)["quant_status"].get<std::string>().find("insufficient data"), std::string::npos) << id;
    }
  }
  EXPECT_EQ(j["reference_chip"], "nvidia-h20");
  EXPECT_NEAR(j["reference"]["index"].get<double>(), 1.0, 1e-12);
}

TEST(ScoreCli, DearerChipLowersItsVendorsQuantitativeIndex) {
  const json* h0 = find_vendor(base_score(), "huawei");
  ASSERT_TRUE(h0 && !(*h0)["current_chip"].is_null());
  ASSERT_EQ((*h0)["current_chip"]["chip"], "huawei-ascend-910c");
  const double idx0 = (*h0)["current_chip"]["index"].get<double>();
  auto r = run_cli("score --samples 0 --format json --set 'chips.huawei-ascend-910c.price.cn=285000 RMB'");
  ASSERT_EQ(r.rc, 0) << r.err;
  const json j = r.json();
  const json* h1 = find_vendor(j, "huawei");
  ASSERT_TRUE(h1);
  EXPECT_LT((*h1)["current_chip"]["index"].get<double>(), idx0);
  EXPECT_LE((*h1)["composite"].get<double>(), (*h0)["composite"].get<double>());
  EXPECT_EQ(j["overrides"][0], "chips.huawei-ascend-910c.price.cn=285000 RMB");
}

TEST(ScoreCli, BetterSoftwareEfficiencyRaisesItsVendorsQuantitativeIndex) {
  const json* h0 = find_vendor(base_score(), "huawei");
  ASSERT_TRUE(h0 && !(*h0)["current_chip"].is_null());
  const double tps0 = (*h0)["current_chip"]["ratios"]["tps"].get<double>();
  // The 910C runs the pooled CANN values (its default serving stack): raise its memory and compute efficiency.
  auto r = run_cli("score --samples 0 --format json --set stacks.cann.eta_memory=0.99 "
                   "--set stacks.cann.eta_compute=0.95");
  ASSERT_EQ(r.rc, 0) << r.err;
  const json j = r.json();
  const json* h1 = find_vendor(j, "huawei");
  ASSERT_TRUE(h1);
  EXPECT_GT((*h1)["current_chip"]["ratios"]["tps"].get<double>(), tps0);
  EXPECT_GT((*h1)["current_chip"]["index"].get<double>(), (*h0)["current_chip"]["index"].get<double>());
}

TEST(ScoreCli, WatchGivesChartReadySeries) {
  auto r = run_cli("score --samples 0 --watch --vendor huawei --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const json j = r.json();
  ASSERT_EQ(j["watch"].size(), 1u);
  const json& w = j["watch"][0];
  EXPECT_EQ(w["vendor"], "huawei");
  EXPECT_GE(w["generations"].size(), 5u);
  ASSERT_TRUE(w["series"].contains("memory_bandwidth_bps"));
  int prev = 0;
  for (const auto& p : w["series"]["memory_bandwidth_bps"]) {
    EXPECT_GE(p["x"].get<int>(), prev);
    prev = p["x"].get<int>();
  }
  EXPECT_TRUE(w["series"].contains("shipments_units"));
}

TEST(ScoreCli, FoundryShortfallCutsSupplyAndCanFailTheCapacityCondition) {
  auto r = run_cli("score --samples 0 --risks --case risk-foundry-shortfall --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const json j = r.json();
  ASSERT_EQ(j["cases"].size(), 1u);
  const json& c = j["cases"][0];
  EXPECT_EQ(c["status"], "ok");
  EXPECT_FALSE(c["changed_parameters"].empty());
  bool supply_seen = false;
  for (const auto& m : c["metrics"]) {
    if (m["path"].get<std::string>().rfind("supply.chips_total.", 0) != 0) continue;
    supply_seen = true;
    ASSERT_FALSE(m["base"].is_null());
    EXPECT_LT(m["risk"].get<double>(), m["base"].get<double>());
  }
  EXPECT_TRUE(supply_seen);
  // The ranking stays a permutation of the same vendors.
  std::set<int> ranks;
  for (const auto& m : c["ranks"]) ranks.insert(m["risk_rank"].get<int>());
  EXPECT_EQ(ranks.size(), c["ranks"].size());
}

TEST(ScoreCli, ParadigmShiftToLongContextMovesTheQuantitativeLayer) {
  // A risk case as a scenario file: long contexts dominate the workload set.
  const auto dir = std::filesystem::temp_directory_path() / ("gpugap-score-risk-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "risk-test-long-context.yaml";
  std::ofstream(file) << "id: risk-test-long-context\nname: test\nextends: ms-2025\nparams:\n"
                         "  score.workload_weights.chat: {value: 0, source: test}\n"
                         "  score.workload_weights.reasoning: {value: 0, source: test}\n";
  auto r = run_cli("score --samples 0 --format json --scenario " + file.string());
  std::filesystem::remove_all(dir);
  ASSERT_EQ(r.rc, 0) << r.err;
  const json j = r.json();
  EXPECT_EQ(j["workloads"].size(), 3u);
  const json* h0 = find_vendor(base_score(), "huawei");
  const json* h1 = find_vendor(j, "huawei");
  ASSERT_TRUE(h0 && h1);
  // Only long context counts now: the current chip's throughput ratio is its long-context ratio.
  double lc_ratio = std::nan("");
  for (const auto& w : (*h1)["current_chip"]["workloads"])
    if (w["workload"] == "long-context") lc_ratio = w["output_tps_per_chip"].get<double>();
  double lc_ref = std::nan("");
  for (const auto& w : j["reference"]["workloads"])
    if (w["workload"] == "long-context") lc_ref = w["output_tps_per_chip"].get<double>();
  ASSERT_TRUE(std::isfinite(lc_ratio) && std::isfinite(lc_ref));
  EXPECT_NEAR((*h1)["current_chip"]["ratios"]["tps"].get<double>(), lc_ratio / lc_ref, 1e-9);
  EXPECT_NE((*h1)["current_chip"]["ratios"]["tps"].get<double>(), (*h0)["current_chip"]["ratios"]["tps"].get<double>());
}

TEST(ScoreCli, MetricPathsEvaluate) {
  auto r = run_cli("eval score.huawei.composite score.huawei.rank score.cambricon.rank --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const json j = r.json();
  // The metric paths give the numbers `gpugap score` prints for the same vendors (exact:
  // the same computation; 1e-12 relative for the composite's JSON round trip).
  const json* huawei = find_vendor(base_score(), "huawei");
  const json* cambricon = find_vendor(base_score(), "cambricon");
  ASSERT_TRUE(huawei && cambricon);
  EXPECT_EQ(j["metrics"]["score.huawei.rank"].get<double>(), (*huawei)["rank"].get<double>());
  EXPECT_EQ(j["metrics"]["score.cambricon.rank"].get<double>(), (*cambricon)["rank"].get<double>());
  const double composite = (*huawei)["composite"].get<double>();
  EXPECT_NEAR(j["metrics"]["score.huawei.composite"].get<double>(), composite, 1e-12 * composite);
}

TEST(ScoreCli, UnknownReferenceChipIsAUserError) {
  auto r = run_cli("score --reference nvidia-h2O");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("nvidia-h20"), std::string::npos) << r.err;
}

namespace {

// base and risk values of one metric of a `score --risks` case.
std::pair<json, json> risk_metric(const json& c, const std::string& path) {
  for (const auto& m : c["metrics"])
    if (m["path"] == path) return {m["base"], m["risk"]};
  ADD_FAILURE() << "no metric " << path;
  return {json(), json()};
}

}  // namespace

TEST(ScoreCli, SlowAdoptionCutsTheDomesticMarketNotSupply) {
  // Ample HBM3 so that demand, not supply, sets the 2030 domestic market (in the base case HBM binds in 2030 and
  // slower adoption cannot cut sales below what is made).
  auto r = run_cli("score --samples 0 --risks --case risk-slow-adoption --format json --set supply.hbm.stock_gb.hbm3=1e10");
  ASSERT_EQ(r.rc, 0) << r.err;
  const json j = r.json();
  const json& c = j["cases"][0];
  ASSERT_EQ(c["status"], "ok");
  auto [b, k] = risk_metric(c, "market.domestic_usd_bn.2030");
  ASSERT_TRUE(b.is_number() && k.is_number());
  EXPECT_LT(k.get<double>(), b.get<double>());
  auto [sb, sk] = risk_metric(c, "market.self_sufficiency.2030");
  // Computed, not an input: the case's domestic sales over its TAM.
  auto [tb, tk] = risk_metric(c, "market.tam_usd_bn.2030");
  EXPECT_NEAR(sk.get<double>(), k.get<double>() / tk.get<double>(), 1e-12);
  EXPECT_LT(sk.get<double>(), sb.get<double>());
  // Adoption does not build fabs: supply is unchanged.
  auto [cb, ck] = risk_metric(c, "supply.chips_total.2027");
  EXPECT_DOUBLE_EQ(ck.get<double>(), cb.get<double>());
}

TEST(ScoreCli, ParadigmShiftCaseMovesDemandAndTheQuantitativeLayerNotTheMarket) {
  auto r = run_cli("score --samples 0 --risks --case risk-paradigm-long-context --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const json j = r.json();
  const json& c = j["cases"][0];
  ASSERT_EQ(c["status"], "ok");
  // Long-context tokens cost more chip time: more chips are needed.
  auto [db, dk] = risk_metric(c, "demand.chips_needed.2030");
  ASSERT_TRUE(db.is_number() && dk.is_number());
  EXPECT_GT(dk.get<double>(), db.get<double>());
  // The market model does not read the workload mix.
  auto [mb, mk] = risk_metric(c, "market.tam_usd_bn.2030");
  EXPECT_DOUBLE_EQ(mk.get<double>(), mb.get<double>());
  // Some vendor's quantitative score moves (the ratios are long-context ones now).
  bool moved = false;
  for (const auto& m : c["ranks"])
    if (m["base_quantitative"].is_number() && m["risk_quantitative"].is_number() &&
        m["base_quantitative"].get<double>() != m["risk_quantitative"].get<double>())
      moved = true;
  EXPECT_TRUE(moved);
}

TEST(ScoreCli, MonteCarloGivesRankStabilityAndADemandRange) {
  // score.<vendor>.is_first averages to how often the vendor ranks first;
  // the demand paths take the scenario's ranges (ms-2025 uncertainty block).
  auto r = run_cli("mc --metric score.huawei.is_first score.huawei.rank demand.chips_needed.2030 --samples 40 --seed 3 "
                   "--format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const json j = r.json();
  const json& first = j["metrics"]["score.huawei.is_first"];
  const json& rank = j["metrics"]["score.huawei.rank"];
  // is_first is 1 in exactly the samples where rank is 1: it is 1 in every sample iff the
  // worst rank drawn is 1, and 0 in some sample iff the worst rank drawn is below first.
  EXPECT_EQ(first["min"].get<double>(), rank["max"].get<double>() == 1.0 ? 1.0 : 0.0);
  EXPECT_EQ(first["max"].get<double>(), rank["min"].get<double>() == 1.0 ? 1.0 : 0.0);
  // Both metrics' base values are the deterministic `gpugap score` result (Huawei first).
  const json* huawei = find_vendor(base_score(), "huawei");
  ASSERT_TRUE(huawei);
  EXPECT_EQ(rank["base"].get<double>(), (*huawei)["rank"].get<double>());
  EXPECT_EQ(first["base"].get<double>(), (*huawei)["rank"].get<int>() == 1 ? 1.0 : 0.0);
  const json& d = j["metrics"]["demand.chips_needed.2030"];
  EXPECT_LT(d["p5"].get<double>(), d["p95"].get<double>());
  EXPECT_GT(d["p5"].get<double>(), 0.0);
}

// The winning conditions with data: capacity as a share of the node's AI
// wafers and the watch metrics (ASP, gross margin) from the supply model,
// the counted deployments beside the judged scores.
TEST(ScoreCli, CapacityShareAndWatchMetricsComeFromTheSupplyModel) {
  const json& j = base_score();
  const json* h = find_vendor(j, "huawei");
  ASSERT_TRUE(h && (*h)["supply"].is_array());
  bool seen = false;
  double shares = 0;
  for (const auto& v : j["vendors"])
    for (const auto& row : v["supply"])
      if (row["year"] == 2027 && row["node"] == "smic-n2" && !row["node_share"].is_null()) shares += row["node_share"].get<double>();
  EXPECT_GT(shares, 0.0);
  EXPECT_LE(shares, 1.0 + 1e-9);  // vendors' shares of one node's AI wafers cannot exceed the whole
  for (const auto& row : (*h)["supply"]) {
    if (row["year"] != 2027) continue;
    seen = true;
    ASSERT_FALSE(row["node_share"].is_null());
    EXPECT_GT(row["node_share"].get<double>(), 0.0);
    ASSERT_FALSE(row["asp_usd"].is_null());
    EXPECT_NEAR(row["asp_usd"].get<double>(), row["revenue_usd_bn"].get<double>() * 1e9 / row["chips"].get<double>(), 1e-6);
  }
  EXPECT_TRUE(seen);
  EXPECT_NE((*h)["condition_details"]["capacity"]["evidence"]["figure"].get<std::string>().find("AI wafers"), std::string::npos);
  const json* t = find_vendor(j, "thead");
  ASSERT_TRUE(t);
  EXPECT_EQ((*t)["ties"]["deployments"], 1);
  EXPECT_EQ((*t)["deployments"][0]["chips"], 16384);
  EXPECT_EQ(j["reference_by_year"]["2026"], "nvidia-h200-sxm");
}

// A deployment without a source is not data: exit 2 naming the key path.
TEST(ScoreCli, DeploymentWithoutSourceIsAUserError) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("gpugap-ties-" + std::to_string(::getpid()));
  fs::create_directories(dir / "vendors");
  std::ofstream(dir / "vendors" / "acme.yaml")
      << "id: acme\nname: Acme\ncountry: cn\nsource: test\nchips: []\n"
         "deployments:\n- buyer: Some Cloud\n  year: 2025\n  chips: 1000\n"
         "qualitative:\n  policy:\n    score: 3\n    rationale: test\n    sources: [test]\n";
  const auto r = run_cli("--catalog " + dir.string() + " score --samples 0");
  fs::remove_all(dir);
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_NE(r.err.find("vendors.acme.deployments[0].source"), std::string::npos) << r.err;
}
