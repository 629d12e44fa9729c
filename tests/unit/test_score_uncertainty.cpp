// The scorecard with estimated specs and under uncertainty (issue 21), on the
// shipped catalog and ms-2025 with the real perf and econ engines: estimated
// specs move their vendor the right way, a wider range gives a wider
// interval, swapping what the quantitative layer reads swaps the scores, and
// rank probabilities are a distribution that does not depend on threads.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "analysis/scenario.hpp"
#include "cli_helpers.hpp"
#include "score/score.hpp"
#include "studies/engines.hpp"
#include "studies/score_mc.hpp"

using namespace gpugap;
using nlohmann::json;

namespace {

const analysis::Context& base_ctx() {
  static const analysis::Context ctx = studies::make_context({analysis::default_catalog_dir()}, "ms-2025", {});
  return ctx;
}

score::ScoreResult run(const ParamTable& p) { return score::evaluate(base_ctx(), p, score::settings(p)); }

const score::VendorScore& vendor(const score::ScoreResult& r, const std::string& id) {
  for (const auto& v : r.vendors)
    if (v.vendor == id) return v;
  throw std::runtime_error("no vendor " + id);
}

double index_of(const score::ScoreResult& r, const std::string& id) {
  const auto& v = vendor(r, id);
  if (!v.quant_index.ok()) throw std::runtime_error(id + ": " + v.quant_status);
  return *v.quant_index.value;
}

double ratio(const score::VendorScore& v, score::Metric m) {
  if (!v.current || !v.current->ratio.count(m) || !v.current->ratio.at(m).ok()) throw std::runtime_error(v.vendor + ": no ratio");
  return *v.current->ratio.at(m).value;
}

// The parameter is in the catalog as an estimate (estimate: true), not a sourced value.
bool is_estimate(const std::string& path) {
  const auto i = base_ctx().params.find(path);
  return i && base_ctx().params.at(*i).prov.estimate && !base_ctx().params.at(*i).is_null;
}

void scale(ParamTable& p, const std::string& path, double k) {
  const auto i = p.find(path);
  ASSERT_TRUE(i) << path;
  p.set_value(*i, p.at(*i).value * k);
}

// The scorecard at the scenario's values and with one estimated spec scaled by k.
std::pair<score::ScoreResult, score::ScoreResult> base_and_scaled(const std::string& path, double k) {
  EXPECT_TRUE(is_estimate(path)) << path;
  ParamTable p = base_ctx().params;
  scale(p, path, k);
  return {run(base_ctx().params), run(p)};
}

studies::ScoreUncertainty mc(const analysis::Context& ctx, std::uint64_t samples, int threads) {
  studies::McOptions o;
  o.samples = samples;
  o.seed = 7;
  o.threads = threads;
  return studies::score_monte_carlo(ctx, o);
}

const studies::VendorUncertainty& find(const studies::ScoreUncertainty& u, const std::string& id) {
  for (const auto& v : u.vendors)
    if (v.vendor == id) return v;
  throw std::runtime_error("no vendor " + id);
}

}  // namespace

TEST(ScoreEstimates, EveryDomesticVendorHasAQuantitativeLayer) {
  const auto r = run(base_ctx().params);
  ASSERT_GE(r.vendors.size(), 10u);
  for (const auto& v : r.vendors) {
    EXPECT_TRUE(v.quantitative.ok()) << v.vendor << ": " << v.quant_status;
    EXPECT_TRUE(v.complete) << v.vendor;
  }
}

TEST(ScoreEstimates, EstimatedBandwidthRaisesItsVendor) {
  const std::string path = "chips.metax-c600.memory.bandwidth";
  ASSERT_TRUE(is_estimate(path));
  ParamTable p = base_ctx().params;
  scale(p, path, 0.7);
  const double lo = index_of(run(p), "metax");
  scale(p, path, 1.5 / 0.7);
  const double hi = index_of(run(p), "metax");
  EXPECT_GT(hi, lo);
}

TEST(ScoreEstimates, EstimatedPriceLowersOnlyTheMoneyMetrics) {
  const auto [base, dear] = base_and_scaled("chips.thead-ppu.price.cn", 2.0);
  const auto& a = vendor(base, "thead");
  const auto& b = vendor(dear, "thead");
  EXPECT_LT(index_of(dear, "thead"), index_of(base, "thead"));
  EXPECT_DOUBLE_EQ(ratio(b, score::Metric::kTps), ratio(a, score::Metric::kTps));
  EXPECT_NEAR(ratio(b, score::Metric::kTpsPerWattPerKusd), ratio(a, score::Metric::kTpsPerWattPerKusd) / 2, 1e-9);
  EXPECT_LT(ratio(b, score::Metric::kUsdPerMtok), ratio(a, score::Metric::kUsdPerMtok));
}

TEST(ScoreEstimates, EstimatedTdpLowersPerfPerWatt) {
  const auto [base, hot] = base_and_scaled("chips.cambricon-mlu590.power.tdp", 1.5);
  EXPECT_LT(ratio(vendor(hot, "cambricon"), score::Metric::kTpsPerWatt),
            ratio(vendor(base, "cambricon"), score::Metric::kTpsPerWatt));
  EXPECT_DOUBLE_EQ(ratio(vendor(hot, "cambricon"), score::Metric::kTps), ratio(vendor(base, "cambricon"), score::Metric::kTps));
}

// Enflame and Moore Threads each score one current chip: give each the
// other's chip parameters (specs, price, launch year) and software-stack
// efficiencies, and their quantitative results trade places.
TEST(ScoreEstimates, SwappingWhatTheLayerReadsSwapsTheScores) {
  const std::string a = "chips.enflame-latest.", b = "chips.moorethreads-s5000.";
  const std::string sa = "stacks.tops.", sb = "stacks.musa.";
  const ParamTable& base = base_ctx().params;
  ParamTable p = base;
  std::size_t swapped = 0;
  auto swap_prefix = [&](const std::string& x, const std::string& y) {
    for (ParamIndex i = 0; i < base.size(); ++i) {
      const Param& px = base.at(i);
      if (!px.path.starts_with(x)) continue;
      const auto j = base.find(y + px.path.substr(x.size()));
      ASSERT_TRUE(j) << "no counterpart of " << px.path;
      Param nx = base.at(*j), ny = px;
      nx.path = px.path;
      ny.path = base.at(*j).path;
      p.put(nx);
      p.put(ny);
      ++swapped;
    }
  };
  swap_prefix(a, b);
  swap_prefix(sa, sb);
  ASSERT_GT(swapped, 20u);
  const auto before = run(base);
  const auto after = run(p);
  EXPECT_NEAR(index_of(after, "enflame"), index_of(before, "moorethreads"), 1e-9);
  EXPECT_NEAR(index_of(after, "moorethreads"), index_of(before, "enflame"), 1e-9);
  EXPECT_NE(index_of(before, "enflame"), index_of(before, "moorethreads"));  // the swap is not vacuous
  // The qualitative layer is the vendor's own and stays.
  EXPECT_DOUBLE_EQ(*vendor(after, "enflame").qualitative_score.value, *vendor(before, "enflame").qualitative_score.value);
}

TEST(ScoreUncertainty, RankDistributionOfKnownRanks) {
  const std::vector<double> ranks = {1, 2, 2, 3, std::nan(""), 4};  // NaN and out-of-range ranks are not counted
  const auto p = studies::rank_distribution(ranks, 3);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_DOUBLE_EQ(p[0], 0.25);
  EXPECT_DOUBLE_EQ(p[1], 0.5);
  EXPECT_DOUBLE_EQ(p[2], 0.25);
}

TEST(ScoreUncertainty, RankProbabilitiesSumToOneAndIgnoreThreads) {
  const auto one = mc(base_ctx(), 24, 1);
  const auto two = mc(base_ctx(), 24, 2);
  ASSERT_EQ(one.vendors.size(), two.vendors.size());
  const std::size_t n = one.vendors.size();
  std::vector<double> per_rank(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& v = one.vendors[i];
    ASSERT_EQ(v.rank_probability.size(), n);
    EXPECT_NEAR(std::accumulate(v.rank_probability.begin(), v.rank_probability.end(), 0.0), 1.0, 1e-12) << v.vendor;
    for (std::size_t k = 0; k < n; ++k) per_rank[k] += v.rank_probability[k];
    EXPECT_EQ(v.vendor, two.vendors[i].vendor);
    EXPECT_EQ(v.rank_probability, two.vendors[i].rank_probability);
    EXPECT_EQ(v.composite.p50, two.vendors[i].composite.p50);
    EXPECT_LE(v.quantitative.p5, v.quantitative.p50);
    EXPECT_LE(v.quantitative.p50, v.quantitative.p95);
  }
  // Each rank is held by exactly one vendor in every sample.
  for (std::size_t k = 0; k < n; ++k) EXPECT_NEAR(per_rank[k], 1.0, 1e-12) << "rank " << k + 1;
  EXPECT_FALSE(one.drawn.empty());
}

// The same seed draws the same uniforms for every declaration, so a wider
// range of one estimated spec maps the same samples further out: the 90%
// interval of its vendor's index widens on both sides.
TEST(ScoreUncertainty, WiderSpecRangeWidensTheScoreInterval) {
  test::TempDir dir("score-wide");
  std::filesystem::create_directories(dir.path() / "scenarios");
  std::ofstream(dir.path() / "scenarios" / "ms-2025-wide.yaml")
      << "id: ms-2025-wide\nname: wide\nextends: ms-2025\nuncertainty:\n"
         "  chips.metax-c600.memory.bandwidth: {dist: triangular, relative: true, min: 0.4, mode: 1.0, max: 1.8,"
         " estimate: true, rationale: test}\n";
  const auto wide_ctx = studies::make_context({analysis::default_catalog_dir(), dir.path().string()}, "ms-2025-wide", {});
  const auto narrow_mc = mc(base_ctx(), 40, 2), wide_mc = mc(wide_ctx, 40, 2);
  const auto& n = find(narrow_mc, "metax").quant_index;
  const auto& w = find(wide_mc, "metax").quant_index;
  EXPECT_LT(w.p5, n.p5);
  EXPECT_GT(w.p95, n.p95);
  EXPECT_GT(w.p95 - w.p5, n.p95 - n.p5);
}

TEST(ScoreUncertaintyCli, EveryDomesticVendorHasAnIntervalAndRankProbabilities) {
  const auto r = test::run_cli("score --samples 20 --seed 3 --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const json j = r.json();
  ASSERT_EQ(j["uncertainty"]["samples"], 20);
  ASSERT_EQ(j["uncertainty"]["seed"], 3);
  std::size_t domestic = 0;
  for (const auto& v : j["vendors"]) {
    ++domestic;
    ASSERT_TRUE(v["quantitative"].is_number()) << v["vendor"];
    const auto& u = v["uncertainty"];
    ASSERT_TRUE(u["quantitative"]["p5"].is_number()) << v["vendor"];
    ASSERT_TRUE(u["quantitative"]["p95"].is_number()) << v["vendor"];
    EXPECT_LE(u["quantitative"]["p5"].get<double>(), u["quantitative"]["p95"].get<double>());
    double sum = 0;
    for (const auto& p : u["rank_probability"]) sum += p.get<double>();
    EXPECT_NEAR(sum, 1.0, 1e-9) << v["vendor"];
  }
  EXPECT_GE(domestic, 10u);
  // --samples 0: point scores only.
  const auto q = test::run_cli("score --samples 0 --format json");
  ASSERT_EQ(q.rc, 0) << q.err;
  EXPECT_FALSE(q.json().contains("uncertainty"));
  // A bad count is a user error that names the option.
  EXPECT_EQ(test::run_cli("score --samples many").rc, 2);
  const auto one = test::run_cli("score --samples 1");
  EXPECT_EQ(one.rc, 2);
  EXPECT_NE(one.err.find("score --samples"), std::string::npos) << one.err;
}

TEST(ScoreUncertaintyReport, VendorSectionShowsIntervalsAndRankProbabilities) {
  test::TempDir dir("score-report");
  const auto html = dir.path() / "r.html", js = dir.path() / "r.json";
  const auto r = test::run_cli("report -q -o " + html.string() + " --json " + js.string());
  ASSERT_EQ(r.rc, 0) << r.err;
  std::ifstream hin(html), jin(js);
  const std::string page((std::istreambuf_iterator<char>(hin)), std::istreambuf_iterator<char>());
  for (const char* id : {"vendors-quant-interval", "vendors-composite-interval", "rank-probabilities"})
    EXPECT_NE(page.find(id), std::string::npos) << id;
  const json j = json::parse(jin);
  const json& u = j["results"]["score"]["uncertainty"];
  ASSERT_GE(u["vendors"].size(), 10u);
  for (const auto& v : u["vendors"]) {
    double sum = 0;
    for (const auto& p : v["rank_probability"]) sum += p.get<double>();
    EXPECT_NEAR(sum, 1.0, 1e-9) << v["vendor"];
    EXPECT_LE(v["composite_p5"].get<double>(), v["composite_p95"].get<double>());
  }
}

// Item 3: each winning condition carries the figure behind it.
TEST(ScoreConditions, EachConditionCarriesItsFigure) {
  const auto r = run(base_ctx().params);
  for (const auto& v : r.vendors)
    for (auto c : score::kConditions) {
      ASSERT_TRUE(v.evidence.count(std::string(c))) << v.vendor << " " << c;
      EXPECT_FALSE(v.evidence.at(std::string(c)).figure.empty()) << v.vendor << " " << c;
    }
  const auto& h = vendor(r, "huawei");
  EXPECT_NE(h.evidence.at("capacity").figure.find("supply model"), std::string::npos) << h.evidence.at("capacity").figure;
  const auto i = base_ctx().params.find("vendors.huawei.qualitative.csp_ties");
  ASSERT_TRUE(i);
  EXPECT_EQ(h.evidence.at("csp_ties").rationale, base_ctx().params.at(*i).prov.rationale);
  EXPECT_FALSE(h.evidence.at("policy").sources.empty());
  EXPECT_NE(h.evidence.at("inference_economics").figure.find(h.current->chip), std::string::npos);
}

TEST(ScoreConditions, WatchShowsTheSupplyModelsChipsPerYear) {
  const auto r = test::run_cli("score --watch --vendor cambricon --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const json w = r.json()["watch"][0];
  ASSERT_TRUE(w["supply_chips"].contains("2025")) << w["supply_chips"].dump();
  EXPECT_GT(w["supply_chips"]["2025"].get<double>(), 0);
  EXPECT_FALSE(w["series"]["supply_chips"].empty());
}
