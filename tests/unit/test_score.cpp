// The vendor scorecard on the shipped catalog and the ms-2025 parameters,
// with a hand-made economics source (closed-form figures from the chip
// specs), so that each test can predict the direction or value it checks.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "analysis/scenario.hpp"
#include "econ/econ.hpp"
#include "score/score.hpp"
#include "studies/engines.hpp"

using namespace gpugap;
using score::ChipEconomics;
using score::Figure;

namespace {

// tps = memory bandwidth (TB/s) x 1000 x eta_memory (1 when unset);
// tps per watt = tps / TDP; per kUSD = that / price; cost = price / tps.
// Missing specs give "insufficient data: PATH" as the real source does.
class FormulaSource final : public score::EconomicsSource {
 public:
  ChipEconomics get(const ChipSpec& c, const std::string& model, const std::string& workload) const override {
    ChipEconomics e;
    e.chip = c.id;
    e.model = model;
    e.workload = workload;
    if (!c.mem_bandwidth) {
      const Figure f = Figure::none("insufficient data: " + c.path("memory.bandwidth"));
      e.output_tps = e.tps_per_watt = e.tps_per_watt_per_kusd = e.usd_per_mtok = f;
      return e;
    }
    // Long context halves throughput for everyone: the ratios do not change.
    const double scale = workload == "long-context" ? 0.5 : 1.0;
    const double tps = c.mem_bandwidth->value() / 1e12 * 1000 * c.eta_memory.value_or(1.0) * scale;
    e.output_tps = Figure::of(tps);
    if (!c.tdp) e.tps_per_watt = Figure::none("insufficient data: " + c.path("power.tdp"));
    else e.tps_per_watt = Figure::of(tps / c.tdp->value());
    auto price = c.price.find("cn");
    if (price == c.price.end() || !price->second) {
      e.tps_per_watt_per_kusd = e.usd_per_mtok = Figure::none("insufficient data: " + c.path("price.cn"));
    } else {
      const double usd = price->second->value();
      e.tps_per_watt_per_kusd = e.tps_per_watt.ok() ? Figure::of(*e.tps_per_watt.value / (usd / 1e3)) : e.tps_per_watt;
      e.usd_per_mtok = Figure::of(usd / tps);
    }
    return e;
  }
};

const analysis::Context& base_ctx() {
  static const analysis::Context ctx = studies::make_context({analysis::default_catalog_dir()}, "ms-2025", {});
  return ctx;
}

score::ScoreResult run(const ParamTable& p) {
  const FormulaSource src;
  return score::evaluate(*base_ctx().catalog, p, score::settings(p), src);
}

const score::VendorScore& vendor(const score::ScoreResult& r, const std::string& id) {
  for (const auto& v : r.vendors)
    if (v.vendor == id) return v;
  for (const auto& v : r.benchmarks)
    if (v.vendor == id) return v;
  throw std::runtime_error("no vendor " + id);
}

void set(ParamTable& p, const std::string& path, double v) {
  if (auto i = p.find(path)) {
    p.set_value(*i, v);
    return;
  }
  Param x;
  x.path = path;
  x.value = v;
  x.dim = Dim::kFraction;
  x.prov.source = "test";
  p.put(x);
}

}  // namespace

TEST(Score, SettingsReadFromScenario) {
  const auto s = score::settings(base_ctx().params);
  EXPECT_EQ(s.reference_chip, "nvidia-h20");
  EXPECT_EQ(s.workload_weights.size(), 3u);
  EXPECT_TRUE(s.workload_weights.count("chat") && s.workload_weights.count("reasoning") &&
              s.workload_weights.count("long-context"));
  EXPECT_GT(s.weight_quantitative, 0);
  EXPECT_EQ(s.as_of_year, 2025);
}

TEST(Score, RanksEveryRequiredVendorWithFourConditions) {
  const auto r = run(base_ctx().params);
  std::set<std::string> ids;
  std::set<int> ranks;
  for (const auto& v : r.vendors) {
    ids.insert(v.vendor);
    ranks.insert(v.rank);
    EXPECT_EQ(v.conditions.size(), 4u) << v.vendor;
    for (auto c : score::kConditions) EXPECT_TRUE(v.conditions.count(std::string(c))) << v.vendor << " " << c;
  }
  for (const char* id : {"huawei", "cambricon", "hygon", "kunlunxin", "thead", "moorethreads", "metax"})
    EXPECT_TRUE(ids.count(id)) << id;
  EXPECT_EQ(ranks.size(), r.vendors.size());
  EXPECT_EQ(*ranks.begin(), 1);
  // Vendors scored on both layers first, each group by composite, best first.
  for (std::size_t i = 1; i < r.vendors.size(); ++i) {
    const auto& a = r.vendors[i - 1];
    const auto& b = r.vendors[i];
    EXPECT_GE(a.complete, b.complete) << a.vendor << " before " << b.vendor;
    if (a.complete == b.complete) {
      EXPECT_GE(a.composite, b.composite) << a.vendor << " before " << b.vendor;
    }
    EXPECT_EQ(a.complete, a.quantitative.ok() && a.qualitative_score.ok()) << a.vendor;  // both layers weighted
  }
  // NVIDIA's China line is a benchmark, not ranked.
  EXPECT_FALSE(vendor(r, "nvidia-china").domestic);
}

TEST(Score, ReferenceChipScoresOne) {
  const auto r = run(base_ctx().params);
  ASSERT_TRUE(r.reference.index.ok()) << r.reference.index.missing;
  EXPECT_NEAR(*r.reference.index.value, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(r.reference.coverage, 1.0);
}

TEST(Score, VendorWithoutChipDataIsKeptAsInsufficientData) {
  // Kunlunxin's chips have no memory bandwidth in the catalog's current and
  // next generations (P800 has; M100 has not): make P800's null too.
  ParamTable p = base_ctx().params;
  auto i = p.find("chips.kunlunxin-p800.memory.bandwidth");
  ASSERT_TRUE(i);
  Param x = p.at(*i);
  x.is_null = true;
  p.put(x);
  const auto r = run(p);
  const auto& k = vendor(r, "kunlunxin");
  EXPECT_FALSE(k.quantitative.ok());
  EXPECT_NE(k.quant_status.find("insufficient data"), std::string::npos) << k.quant_status;
  EXPECT_GT(k.rank, 0);
  EXPECT_FALSE(k.conditions.at("inference_economics").has_value());
  EXPECT_EQ(k.composite_basis.rfind("qualitative layer only", 0), 0u);
}

TEST(Score, HigherChipPriceLowersItsVendorsQuantitativeScore) {
  const auto base = run(base_ctx().params);
  const auto& h0 = vendor(base, "huawei");
  ASSERT_TRUE(h0.quant_index.ok()) << h0.quant_status;
  ASSERT_TRUE(h0.current && h0.current->chip == "huawei-ascend-910c") << (h0.current ? h0.current->chip : "none");
  ParamTable p = base_ctx().params;
  p.set_from_text("chips.huawei-ascend-910c.price.cn", "285000 RMB");  // twice the catalog price
  const auto dear = run(p);
  const auto& h1 = vendor(dear, "huawei");
  ASSERT_TRUE(h1.quant_index.ok());
  EXPECT_LT(*h1.quant_index.value, *h0.quant_index.value);
  // Throughput and TPS/W do not depend on price; the two money metrics do.
  EXPECT_DOUBLE_EQ(*h1.current->ratio.at(score::Metric::kTps).value, *h0.current->ratio.at(score::Metric::kTps).value);
  EXPECT_NEAR(*h1.current->ratio.at(score::Metric::kUsdPerMtok).value,
              *h0.current->ratio.at(score::Metric::kUsdPerMtok).value / 2, 1e-9);
  // Other vendors do not move.
  EXPECT_DOUBLE_EQ(vendor(dear, "hygon").composite, vendor(base, "hygon").composite);
}

TEST(Score, HigherSoftwareEfficiencyRaisesItsVendorsQuantitativeScore) {
  ParamTable p = base_ctx().params;
  set(p, "chips.hygon-k100.software.eta_memory", 0.5);
  const auto lo = run(p);
  set(p, "chips.hygon-k100.software.eta_memory", 0.9);
  const auto hi = run(p);
  const auto& a = vendor(lo, "hygon");
  const auto& b = vendor(hi, "hygon");
  ASSERT_TRUE(a.quant_index.ok() && b.quant_index.ok()) << a.quant_status;
  EXPECT_GT(*b.quant_index.value, *a.quant_index.value);
  EXPECT_GE(b.composite, a.composite);
}

TEST(Score, ConditionsFollowThresholds) {
  ParamTable p = base_ctx().params;
  p.set_from_text("score.thresholds.policy", "5");
  const auto r = run(p);
  // Only a policy score of 5 meets it (Huawei's catalog score is 5).
  EXPECT_EQ(vendor(r, "huawei").conditions.at("policy"), std::optional<bool>(true));
  EXPECT_EQ(vendor(r, "cambricon").conditions.at("policy"), std::optional<bool>(false));
  for (const auto& v : r.vendors) {
    const bool missed = std::find(v.conditions_missed.begin(), v.conditions_missed.end(), "policy") != v.conditions_missed.end();
    EXPECT_EQ(missed, v.conditions.at("policy") != std::optional<bool>(true)) << v.vendor;
  }
}

TEST(Score, CompositeIsTheWeightedMeanOfItsLayers) {
  const auto r = run(base_ctx().params);
  const auto s = score::settings(base_ctx().params);
  for (const auto& v : r.vendors) {
    double acc = 0, w = 0;
    for (const auto& [k, f] : v.qualitative) {
      if (!f.ok()) continue;
      acc += s.weight_qualitative.at(k) * *f.value;
      w += s.weight_qualitative.at(k);
    }
    if (v.quantitative.ok()) {
      acc += s.weight_quantitative * *v.quantitative.value;
      w += s.weight_quantitative;
      EXPECT_NEAR(*v.quantitative.value, 5 * std::min(1.0, *v.quant_index.value / s.full_marks_index), 1e-12);
    }
    EXPECT_NEAR(v.composite, acc / w, 1e-12) << v.vendor;
  }
}

TEST(Score, QualitativeWeightMovesRanking) {
  // All weight on CSP ties: T-Head (5) must rank first.
  ParamTable p = base_ctx().params;
  for (const char* k : {"score.weights.quantitative", "score.weights.capacity_access", "score.weights.policy",
                        "score.weights.roadmap"})
    p.set_from_text(k, "0");
  const auto r = run(p);
  EXPECT_EQ(r.vendors.front().vendor, "thead");
}

TEST(Score, CurrentAndNextChipByLaunchYear) {
  const auto r = run(base_ctx().params);
  const auto& h = vendor(r, "huawei");
  ASSERT_TRUE(h.current && h.next);
  EXPECT_EQ(h.current->launch_year, std::optional<int>(2025));
  EXPECT_EQ(h.next->launch_year, std::optional<int>(2026));
  // As of 2026, the 950 generation is current.
  ParamTable p = base_ctx().params;
  p.set_from_text("score.as_of_year", "2026");
  const auto r2 = run(p);
  EXPECT_EQ(vendor(r2, "huawei").current->launch_year, std::optional<int>(2026));
}

TEST(Score, WatchMetricsFollowGenerationsAndFacts) {
  const auto w = score::watch(*base_ctx().catalog, base_ctx().params, "cambricon");
  ASSERT_GE(w.generations.size(), 3u);
  for (std::size_t i = 1; i < w.generations.size(); ++i) {
    if (w.generations[i].launch_year && w.generations[i - 1].launch_year) {
      EXPECT_LE(*w.generations[i - 1].launch_year, *w.generations[i].launch_year);
    }
  }
  // Cambricon's 2024 gross margin is 56.7% (annual report, catalog/vendors/cambricon.yaml).
  bool found = false;
  for (const auto& f : w.facts)
    if (f.field == "gross_margin" && f.year == std::optional<int>(2024)) {
      found = true;
      ASSERT_TRUE(f.value);
      EXPECT_DOUBLE_EQ(*f.value, 56.7);
    }
  EXPECT_TRUE(found);
}

TEST(Score, VendorsMissingALayerRankAfterCompleteOnes) {
  // Null Kunlunxin's only measured chip: its composite comes from the
  // qualitative layer alone, so it must rank after every vendor scored on both.
  ParamTable p = base_ctx().params;
  auto i = p.find("chips.kunlunxin-p800.memory.bandwidth");
  ASSERT_TRUE(i);
  Param x = p.at(*i);
  x.is_null = true;
  p.put(x);
  const auto r = run(p);
  const auto& k = vendor(r, "kunlunxin");
  EXPECT_FALSE(k.complete);
  int complete = 0;
  for (const auto& v : r.vendors)
    if (v.complete) {
      ++complete;
      EXPECT_LT(v.rank, k.rank) << v.vendor;
    }
  EXPECT_GT(complete, 0);
}

TEST(Score, MissingLinkDataIsInsufficientDataNotZeroThroughput) {
  // Without a scale-up domain the perf search can only cost one-chip
  // instances; "no deployment fits" then names the missing parameter.
  const auto& ctx = base_ctx();
  ChipSpec c = chip_spec(*ctx.catalog, ctx.params, "nvidia-h20");
  EXPECT_FALSE(econ::missing_link_path(c).has_value());
  EXPECT_EQ(econ::explain_no_fit(c, "no deployment fits in memory"), "no deployment fits in memory");
  c.scaleup_domain.reset();
  EXPECT_EQ(econ::explain_no_fit(c, "no deployment fits in memory"),
            "insufficient data: chips.nvidia-h20.scaleup.domain_size");
  // Other outcomes are kept as they are.
  EXPECT_EQ(econ::explain_no_fit(c, "no deployment meets the targets"), "no deployment meets the targets");
}

// The reference part follows the import regime (gap.imports.mix): the US part
// with the largest share of the licensed imports in the as-of year.
TEST(Score, ReferencePartFollowsTheImportRegime) {
  ParamTable p = base_ctx().params;
  const auto s25 = score::settings(p);
  EXPECT_EQ(s25.reference_chip, "nvidia-h20");
  EXPECT_NE(s25.reference_source.find("gap.imports.mix.nvidia-h20.2025"), std::string::npos) << s25.reference_source;
  set(p, "score.as_of_year", 2026);
  const auto s26 = score::settings(p);
  EXPECT_EQ(s26.reference_chip, "nvidia-h200-sxm");  // 0.8 of the 2026 licensed dollars
  ASSERT_TRUE(s26.reference_by_year.count(2025));
  EXPECT_EQ(s26.reference_by_year.at(2025), "nvidia-h20");
  // Moving the shares moves the reference.
  set(p, "gap.imports.mix.nvidia-h20.2026", 0.9);
  EXPECT_EQ(score::settings(p).reference_chip, "nvidia-h20");
}

// CSP ties and policy lists are counted from the catalog's named deployments
// and lists, up to the as-of year.
TEST(Score, CspTiesAndPolicyListsAreCountedThroughTheAsOfYear) {
  ParamTable p = base_ctx().params;
  const auto r = run(p);
  const auto& thead = vendor(r, "thead");
  EXPECT_EQ(thead.ties.deployments, 1);
  EXPECT_DOUBLE_EQ(thead.ties.chips_counted, 16384);
  const auto& kunlun = vendor(r, "kunlunxin");
  EXPECT_EQ(kunlun.ties.buyers, 3);
  EXPECT_EQ(kunlun.ties.uncounted, 2);
  EXPECT_DOUBLE_EQ(kunlun.ties.chips_counted, 30000);
  const auto& huawei = vendor(r, "huawei");
  EXPECT_EQ(huawei.ties.support_lists, 1);
  EXPECT_NE(huawei.evidence.at("policy").figure.find("1 supporting"), std::string::npos);
  EXPECT_EQ(vendor(r, "biren").ties.restriction_lists, 1);
  set(p, "score.as_of_year", 2023);
  const auto r23 = run(p);
  EXPECT_EQ(vendor(r23, "huawei").ties.deployments, 1);  // the 2024 ByteDance order is later
  EXPECT_EQ(vendor(r23, "huawei").ties.support_lists, 0);  // the Xinchuang list came in 2025
  EXPECT_EQ(vendor(r23, "thead").ties.deployments, 0);
}
