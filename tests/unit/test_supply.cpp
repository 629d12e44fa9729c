// Supply engine: dies per wafer, yield models, the package constraint and the
// ms-2025 supply outputs. Reference values: /work/shared/data/supply-market-notes.md
// section 1 (tables computed there independently of this code).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <set>

#include "analysis/metrics.hpp"
#include "analysis/scenario.hpp"
#include "cli_helpers.hpp"
#include "supply/geometry.hpp"
#include "supply/model.hpp"
#include "supply/yield.hpp"
#include "studies/evaluate.hpp"
#include "studies/engines.hpp"

using namespace gpugap;
using namespace gpugap::supply;
using gpugap::test::run_cli;

namespace {

const analysis::Context& base_ctx() {
  static const analysis::Context c = studies::make_context({analysis::default_catalog_dir()}, "ms-2025", {});
  return c;
}

double metric(const analysis::Context& ctx, const std::string& path) { return studies::evaluate(ctx, {path}).at(path); }

analysis::Context with(const std::vector<std::string>& sets) {
  return studies::make_context({analysis::default_catalog_dir()}, "ms-2025", sets);
}

constexpr WaferGeometry kNoScribe{300.0, 3.0, 0.0};
constexpr WaferGeometry kDefault{300.0, 3.0, 0.1};

}  // namespace

// --- gross dies per wafer ----------------------------------------------------

TEST(SupplyGeometry, AscendClassDieClosedFormAndExact) {
  // supply-market-notes.md 1.1 / section 0: a ~666 mm2 die (25.8 x 25.8, 910B
  // class) on 300 mm with 3 mm edge exclusion: ~77 by the closed form, ~82 by
  // exact enumeration (scribe 0.1 mm, best of a 20 x 20 offset scan).
  const DieShape die{25.8, 25.8};
  EXPECT_NEAR(gross_dies_simple(kNoScribe, die), 76.7, 0.05);
  EXPECT_NEAR(gross_dies_simple(kDefault, die), 76.0, 0.05);  // the 0.1 mm scribe widens the pitch
  EXPECT_NEAR(gross_dies_exp(kNoScribe, die), 85.5, 0.2);
  EXPECT_EQ(gross_dies_exact(kDefault, die), 82);
}

TEST(SupplyGeometry, NotesTableExactCounts) {
  // supply-market-notes.md 1.1 table, "exact grid" column.
  EXPECT_EQ(gross_dies_exact(kDefault, DieShape{21.4, 21.3}), 124);  // Ascend 910 (456 mm2)
  EXPECT_EQ(gross_dies_exact(kDefault, DieShape{24.5, 27.2}), 83);   // 666 mm2, not square
  EXPECT_EQ(gross_dies_exact(kDefault, DieShape{26.0, 31.3}), 67);   // H100 class
  EXPECT_EQ(gross_dies_exact(kDefault, DieShape{26.0, 32.7}), 64);   // 850 mm2
  // The simple form with no edge exclusion (d = 300): 123.9, 80.4, 63.5, 60.3.
  const WaferGeometry full{300.0, 0.0, 0.0};
  EXPECT_NEAR(gross_dies_simple(full, DieShape{21.4, 21.3}), 123.9, 0.1);
  EXPECT_NEAR(gross_dies_simple(full, DieShape{26.0, 31.3}), 63.5, 0.1);
  EXPECT_NEAR(gross_dies_simple(full, DieShape{26.0, 32.7}), 60.3, 0.1);
}

TEST(SupplyGeometry, ClosedFormLimitsForSmallDies) {
  // Upper bound: never more dies than usable area / die pitch area.
  const double usable = std::numbers::pi * 147.0 * 147.0;
  for (double side : {2.0, 5.0, 10.0, 20.0, 28.0}) {
    const DieShape die{side, side};
    const double pitch = (side + 0.1) * (side + 0.1);
    EXPECT_LE(gross_dies_exact(kDefault, die), usable / pitch) << side;
  }
  // As the die shrinks the edge loss vanishes: exact / closed form -> 1.
  const DieShape tiny{1.0, 1.0};
  const double ratio = gross_dies_exact(kDefault, tiny) / gross_dies_simple(kDefault, tiny);
  EXPECT_NEAR(ratio, 1.0, 0.005);
}

TEST(SupplyGeometry, ReticleLimit) {
  const Reticle r;  // 26 x 33 mm = 858 mm2
  EXPECT_TRUE(fits_reticle(DieShape{26.0, 31.3}, r));   // H100, 814 mm2
  EXPECT_TRUE(fits_reticle(DieShape{33.0, 26.0}, r));   // rotated
  EXPECT_FALSE(fits_reticle(DieShape{26.0, 34.0}, r));
  EXPECT_FALSE(fits_reticle(square_die(858.0), r));     // 29.3 mm square: wider than 26 mm
}

// --- yield models -------------------------------------------------------------

TEST(SupplyYield, NotesTableValues) {
  // supply-market-notes.md 1.2 yield table, A = 6.66 cm2 (2-decimal values).
  const YieldShape nb2{2.0, 1.0}, nb3{3.0, 1.0};
  struct Row { double d0, poisson, murphy, nb_2, nb_3, seeds; };
  for (const Row& r : {Row{0.10, 0.51, 0.53, 0.56, 0.55, 0.60}, Row{0.20, 0.26, 0.31, 0.36, 0.33, 0.43},
                       Row{0.30, 0.14, 0.19, 0.25, 0.22, 0.33}}) {
    const double ad = 6.66 * r.d0;
    EXPECT_NEAR(random_yield(YieldModel::kPoisson, ad, nb2), r.poisson, 0.006) << r.d0;
    EXPECT_NEAR(random_yield(YieldModel::kMurphy, ad, nb2), r.murphy, 0.006) << r.d0;
    EXPECT_NEAR(random_yield(YieldModel::kNegativeBinomial, ad, nb2), r.nb_2, 0.006) << r.d0;
    EXPECT_NEAR(random_yield(YieldModel::kNegativeBinomial, ad, nb3), r.nb_3, 0.006) << r.d0;
    EXPECT_NEAR(random_yield(YieldModel::kSeeds, ad, nb2), r.seeds, 0.006) << r.d0;
  }
}

TEST(SupplyYield, NegativeBinomialTendsToPoisson) {
  // Stapper's NB: gamma-distributed D with shape alpha; alpha -> inf is Poisson.
  const double ad = 1.5;
  const double poisson = random_yield(YieldModel::kPoisson, ad, {});
  double prev_gap = 1.0;
  for (double alpha : {0.5, 1.0, 2.0, 5.0, 20.0, 100.0, 1e4, 1e6}) {
    const double gap = random_yield(YieldModel::kNegativeBinomial, ad, YieldShape{alpha, 1.0}) - poisson;
    EXPECT_GT(gap, 0.0) << alpha;       // clustering always helps yield
    EXPECT_LT(gap, prev_gap) << alpha;  // monotone convergence
    prev_gap = gap;
  }
  EXPECT_LT(prev_gap, 1e-6);
  // alpha = 1 is the Seeds (exponential) model.
  EXPECT_NEAR(random_yield(YieldModel::kNegativeBinomial, ad, YieldShape{1.0, 1.0}),
              random_yield(YieldModel::kSeeds, ad, {}), 1e-15);
  // Bose-Einstein with one layer is Seeds too.
  EXPECT_NEAR(random_yield(YieldModel::kBoseEinstein, ad, YieldShape{2.0, 1.0}),
              random_yield(YieldModel::kSeeds, ad, {}), 1e-15);
}

TEST(SupplyYield, ImpliedDefectDensityTable) {
  // supply-market-notes.md 1.2: D0 implied by a stated yield on a 6.66 cm2 die.
  const double a = 6.66;
  struct Row { double y, poisson, murphy, nb2, nb1; };
  for (const Row& r : {Row{0.20, 0.242, 0.286, 0.371, 0.601}, Row{0.50, 0.104, 0.111, 0.124, 0.150},
                       Row{0.80, 0.034, 0.034, 0.035, 0.038}}) {
    EXPECT_NEAR(implied_ad(YieldModel::kPoisson, r.y, {}) / a, r.poisson, 0.0015) << r.y;
    EXPECT_NEAR(implied_ad(YieldModel::kMurphy, r.y, {}) / a, r.murphy, 0.0015) << r.y;
    EXPECT_NEAR(implied_ad(YieldModel::kNegativeBinomial, r.y, YieldShape{2.0, 1.0}) / a, r.nb2, 0.0015) << r.y;
    EXPECT_NEAR(implied_ad(YieldModel::kNegativeBinomial, r.y, YieldShape{1.0, 1.0}) / a, r.nb1, 0.0015) << r.y;
  }
}

TEST(SupplyYield, InverseRoundTripsEveryModel) {
  const YieldShape s{1.7, 3.0};
  for (std::size_t i = 0; i < kYieldModelNames.size(); ++i) {
    const auto m = static_cast<YieldModel>(i);
    for (double ad : {0.01, 0.3, 1.0, 2.5, 6.0}) {
      const double y = random_yield(m, ad, s);
      EXPECT_NEAR(implied_ad(m, y, s), ad, 1e-9 * std::max(1.0, ad)) << yield_model_name(m) << " " << ad;
    }
    EXPECT_EQ(parse_yield_model(yield_model_name(m)), m);
  }
}

TEST(SupplyYield, ChipletArithmetic) {
  // supply-market-notes.md 1.4: D0 = 0.2, NB alpha = 2: an 800 mm2 die yields
  // 0.31, a 400 mm2 chiplet 0.51.
  const YieldShape nb2{2.0, 1.0};
  EXPECT_NEAR(random_yield(YieldModel::kNegativeBinomial, 8.0 * 0.2, nb2), 0.31, 0.005);
  EXPECT_NEAR(random_yield(YieldModel::kNegativeBinomial, 4.0 * 0.2, nb2), 0.51, 0.005);
}

TEST(SupplyYield, ConvertsAcrossDieSizesThroughDefectDensity) {
  // 20% on the 6.66 cm2 die -> D0 -> a 4.56 cm2 die yields more, never the same 20%.
  for (std::size_t i = 0; i < kYieldModelNames.size(); ++i) {
    const auto m = static_cast<YieldModel>(i);
    const YieldShape s{2.0, 2.0};
    const double d0 = implied_ad(m, 0.20, s) / 6.66;
    EXPECT_GT(random_yield(m, 4.56 * d0, s), 0.20) << yield_model_name(m);
    EXPECT_LT(random_yield(m, 8.14 * d0, s), 0.20) << yield_model_name(m);
    EXPECT_NEAR(random_yield(m, 6.66 * d0, s), 0.20, 1e-9) << yield_model_name(m);
  }
}

// --- the supply model on ms-2025 ---------------------------------------------

TEST(SupplyModel, ReportCapacityFlowsThrough) {
  // Report (mission.md Q1): N+2 at 22k / 40k / 51k wafers per month in 2025/26/27,
  // read as year-end points of the capacity path.
  EXPECT_DOUBLE_EQ(metric(base_ctx(), "supply.wafers_per_month.smic-n2.2025"), 22000);
  EXPECT_DOUBLE_EQ(metric(base_ctx(), "supply.wafers_per_month.smic-n2.2026"), 40000);
  EXPECT_DOUBLE_EQ(metric(base_ctx(), "supply.wafers_per_month.smic-n2.2027"), 51000);
  // Wafer starts that become 2026 chips, by hand: the 12 months of 2026 shifted
  // back by the 3-quarter lag (Apr 2025 - Mar 2026) on the linear path from
  // 5k (end-2024) to 22k (end-2025) to 40k (end-2026).
  double sum = 0;
  for (int m = 0; m < 12; ++m) {
    const double t = 2 + (m + 0.5) / 12 - 0.75;  // years since the start of 2024
    sum += t < 2 ? 5000 + (t - 1) * 17000 : 22000 + (t - 2) * 18000;
  }
  EXPECT_NEAR(metric(base_ctx(), "supply.wafer_starts_per_month.smic-n2.2026"), sum / 12, 1e-6);
  EXPECT_NEAR(metric(base_ctx(), "supply.ai_wafers_per_month.smic-n2.2026"),
              sum / 12 * base_ctx().params.value("supply.nodes.smic-n2.ai_share.2026"), 1e-6);
  // No lag: the starts of a year are the average of its own months.
  auto now = with({"supply.lag_quarters=0"});
  EXPECT_NEAR(metric(now, "supply.wafer_starts_per_month.smic-n2.2025"), (5000 + 22000) / 2.0, 1e-6);
}

TEST(SupplyModel, CapacityAfterTheAnnouncedPointsIsTheBindingLimit) {
  // N+2 is announced to 2027; from 2028 capacity is min(capex-limited, tool-limited),
  // capex-limited = last year's capacity + capex x share / (USD bn per 1k wpm) x 1000.
  const auto& ctx = base_ctx();
  const auto& p = ctx.params;
  EXPECT_EQ(metric(ctx, "supply.capacity_binding.smic-n2.2027"), 0);  // announced
  const double added = p.value("supply.capex.usd_bn.2028") * p.value("supply.nodes.smic-n2.capex_share.2028") /
                       p.value("supply.nodes.smic-n2.capex_usd_bn_per_kwpm") * 1000;
  EXPECT_NEAR(metric(ctx, "supply.capacity_capex_limited.smic-n2.2028"), 51000 + added, 1e-6);
  const double cap = metric(ctx, "supply.wafers_per_month.smic-n2.2028");
  EXPECT_DOUBLE_EQ(cap, std::min(metric(ctx, "supply.capacity_capex_limited.smic-n2.2028"),
                                 metric(ctx, "supply.capacity_tool_limited.smic-n2.2028")));
  // Tool-limited: scanners x share x wafers/hour x 730 h x uptime / passes.
  double scanners = p.value("supply.litho.installed_scanners");
  for (int y = 2024; y <= 2028; ++y) scanners += p.value("supply.litho.imports." + std::to_string(y));
  const double tool = scanners * p.value("supply.nodes.smic-n2.litho_share.2028") * p.value("supply.litho.wafers_per_hour") *
                      730 * p.value("supply.litho.uptime") / p.value("supply.nodes.smic-n2.litho_passes");
  EXPECT_NEAR(metric(ctx, "supply.capacity_tool_limited.smic-n2.2028"), tool, 1e-6 * tool);
  // Starve the scanner fleet: lithography binds and capacity follows it.
  std::vector<std::string> none = {"supply.litho.installed_scanners=0"};
  for (int y = 2024; y <= 2030; ++y) none.push_back("supply.litho.imports." + std::to_string(y) + "=0");
  auto few = with(none);
  EXPECT_EQ(metric(few, "supply.capacity_binding.smic-n2.2029"), 2);
  EXPECT_DOUBLE_EQ(metric(few, "supply.wafers_per_month.smic-n2.2029"),
                   metric(few, "supply.capacity_tool_limited.smic-n2.2029"));
  EXPECT_LT(metric(few, "supply.chips_total.2030"), metric(ctx, "supply.chips_total.2030"));
  // N+3 has no announced volume: capex builds it from 2026 (its capex share starts then).
  EXPECT_DOUBLE_EQ(metric(ctx, "supply.wafers_per_month.smic-n3.2025"), 0);
  EXPECT_GT(metric(ctx, "supply.wafers_per_month.smic-n3.2026"), 0);
}

TEST(SupplyModel, GoodDiesPerWaferByHand) {
  // 910C-class die: 665.61 mm2 (square) -> 82 gross; the stated yield is that
  // die's yield, so good dies per wafer = 82 x yield.
  const auto& ctx = base_ctx();
  EXPECT_DOUBLE_EQ(metric(ctx, "supply.gross_dies_per_wafer.huawei-ascend-910c"), 82);
  EXPECT_NEAR(metric(ctx, "supply.good_dies_per_wafer.huawei-ascend-910c.2025"), 82 * 0.20, 1e-9);
  EXPECT_NEAR(metric(ctx, "supply.good_dies_per_wafer.huawei-ascend-910c.2030"), 82 * 0.50, 1e-9);
  // Linear interpolation between 2025 (20%) and 2030 (50%).
  EXPECT_NEAR(metric(ctx, "supply.good_dies_per_wafer.huawei-ascend-910c.2027"), 82 * 0.32, 1e-9);
}

TEST(SupplyModel, DefectDensityMatchesNotesTable) {
  // With no systematic loss the implied D0 of 20% on the 910B die is the
  // notes' table value: 0.371 (NB alpha 2), 0.242 (Poisson).
  auto nb = with({"supply.yield.systematic=1"});
  EXPECT_NEAR(metric(nb, "supply.d0_per_cm2.smic-n2.2025"), 0.371, 0.002);
  auto po = with({"supply.yield.systematic=1", "supply.yield.model=poisson"});
  EXPECT_NEAR(metric(po, "supply.d0_per_cm2.smic-n2.2025"), 0.242, 0.002);
  EXPECT_NEAR(metric(po, "supply.d0_per_cm2.smic-n2.2030"), 0.104, 0.002);
}

TEST(SupplyModel, HuaweiLargestAndFirstInTheQueue) {
  const auto m = studies::evaluate_all(base_ctx(), {"supply"});
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
    const std::string ys = std::to_string(y);
    const double huawei = m.at("supply.chips.huawei." + ys);
    EXPECT_GT(huawei, 0) << y;
    EXPECT_GT(huawei, m.at("supply.chips.cambricon." + ys)) << y;
    EXPECT_GT(huawei, m.at("supply.chips.hygon." + ys)) << y;
    // Every binding constraint is a known code.
    const double b = m.at("supply.binding_constraint." + ys);
    EXPECT_TRUE(b == 0 || b == 1 || b == 2) << y;
    // State-directed order (report): when HBM binds, Huawei is served before Cambricon and Hygon,
    // so the share of its available dies it packages is at least theirs.
    const double hu_starts = m.at("supply.sku_package_starts.huawei-ascend-910c." + ys);
    const double hu_inv = m.at("supply.inventory.huawei-ascend-910c." + ys);
    const double ca_starts = m.at("supply.sku_package_starts.cambricon-mlu590." + ys);
    const double ca_inv = m.at("supply.inventory.cambricon-mlu590." + ys);
    if (hu_starts + hu_inv > 0 && ca_starts + ca_inv > 0) {
      EXPECT_GE(hu_starts * 2 / (hu_starts * 2 + hu_inv) + 1e-12, ca_starts / (ca_starts + ca_inv)) << y;
    }
  }
  // Wafer allocation (report): second tier < 10%.
  const auto& p = base_ctx().params;
  EXPECT_LT(p.value("supply.alloc.smic-n2.hygon-k100.2026"), 0.10);
}

TEST(SupplyModel, ChipsByHandFor2025) {
  // 910C in 2025 = its package starts x its package yield; starts = (N+2 dies
  // + die-bank draw + carried dies) / 2 when logic binds, and the package
  // yield is the 910C reference yield itself (2 dies + 8 stacks = 10).
  const auto m = studies::evaluate_all(base_ctx(), {"supply"});
  const auto& p = base_ctx().params;
  // Neither HBM2E (the 910C's class) nor packaging holds its starts in 2025 (the year's binding code may still
  // be HBM: the HBM3-class P800 has no HBM3 before the domestic lines ramp).
  ASSERT_NEAR(m.at("supply.hbm_gb_used.hbm2e.2025"), m.at("supply.hbm_gb_needed.hbm2e.2025"),
              1e-9 * m.at("supply.hbm_gb_needed.hbm2e.2025"));
  ASSERT_LT(m.at("supply.package_starts.2025"), m.at("supply.packaging_capacity.2025"));
  const double wafers = m.at("supply.ai_wafers_per_month.smic-n2.2025") * 12;
  const double dies = wafers * p.value("supply.alloc.smic-n2.huawei-ascend-910c.2025") * 82 * 0.20 +
                      p.value("supply.diebank.huawei.stock") / 3;  // drawn over 3 years
  const double carried = m.at("supply.inventory.huawei-ascend-910c.2024");
  const double expected = (dies + carried) / 2 * p.value("supply.packaging.yield.2025");
  EXPECT_NEAR(m.at("supply.chips.huawei.huawei-ascend-910c.2025"), expected, 1e-6 * expected);
  EXPECT_NEAR(m.at("supply.package_yield.huawei-ascend-910c.2025"), 0.75, 1e-12);
  // A one-die, five-stack MLU590 package: 0.75^(6/10).
  EXPECT_NEAR(m.at("supply.package_yield.cambricon-mlu590.2025"), std::pow(0.75, 0.6), 1e-12);
  // Package starts never exceed the dies available or the packaging capacity.
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
    const std::string ys = std::to_string(y);
    const double starts = m.at("supply.package_starts." + ys);
    EXPECT_LE(starts, m.at("supply.die_limited_packages." + ys) * (1 + 1e-12)) << y;
    EXPECT_LE(starts, m.at("supply.packaging_capacity." + ys) * (1 + 1e-12)) << y;
    EXPECT_GE(m.at("supply.inventory.hbm-hbm2e." + ys), 0.0) << y;
  }
}

TEST(SupplyModel, BindingConstraintSwitches) {
  // No HBM at all: HBM binds, nothing is packaged and every die waits in inventory.
  std::vector<std::string> zero = {"supply.hbm.stock_gb.hbm2e=0"};
  for (const char* line : {"cxmt", "huawei"})
    for (int y = 2024; y <= 2030; ++y) zero.push_back(fmt::format("supply.hbm_lines.{}.wafers_per_month.{}=0", line, y));
  auto no_hbm = with(zero);
  EXPECT_EQ(metric(no_hbm, "supply.binding_constraint.2026"), 1);
  EXPECT_EQ(metric(no_hbm, "supply.chips_total.2026"), 0);
  EXPECT_GT(metric(no_hbm, "supply.inventory.huawei-ascend-910c.2026"), 0);
  // A tiny packaging line: packaging binds and starts equal its capacity.
  auto tiny = with({"supply.packaging.capacity.2025=1000"});
  EXPECT_EQ(metric(tiny, "supply.binding_constraint.2025"), 2);
  EXPECT_NEAR(metric(tiny, "supply.package_starts.2025"), 1000, 1e-9);
  // Plenty of everything but wafers: logic dies bind.
  auto plenty = with({"supply.hbm.stock_gb.hbm2e=1e12", "supply.hbm.stock_gb.hbm3=1e12", "supply.hbm.stock_gb.hbm3e=1e12",
                      "supply.packaging.capacity.2030=1e12"});
  EXPECT_EQ(metric(plenty, "supply.binding_constraint.2030"), 0);
  // Pinned to each SKU's own generation: the HBM2E SKUs (the S5000 in 2030) stop once the stock and HBM2E
  // output are used, and their dies wait; with newer generations allowed the HBM3-class SKUs take HBM3E.
  auto pinned = with({"supply.hbm.newer_generation_ok=0"});
  EXPECT_EQ(metric(pinned, "supply.inventory.hbm-hbm2e.2030"), 0);
  EXPECT_EQ(metric(pinned, "supply.chips.moorethreads.moorethreads-s5000.2030"), 0);
  EXPECT_GT(metric(pinned, "supply.inventory.moorethreads-s5000.2030"), 0);
  EXPECT_EQ(metric(pinned, "supply.hbm_gb_used.hbm3e.2030"), metric(pinned, "supply.hbm_gb_needed.hbm3e.2030"));
  EXPECT_GT(metric(base_ctx(), "supply.hbm_gb_used.hbm3e.2030"), metric(pinned, "supply.hbm_gb_used.hbm3e.2030"));
}

TEST(SupplyModel, CompiledMatchesComputed) {
  const auto& ctx = base_ctx();
  const std::vector<std::string> paths = {"supply.chips.huawei.2026", "supply.value_usd_bn.2030",
                                          "supply.binding_constraint.2028", "supply.h20_equivalents.2027",
                                          "supply.good_dies_per_wafer.cambricon-mlu590.2029"};
  const auto fn = studies::compile(ctx, paths);
  const auto values = ctx.params.values();
  std::vector<double> out(paths.size());
  fn(values, out);
  const auto m = studies::evaluate(ctx, paths);
  for (std::size_t i = 0; i < paths.size(); ++i) EXPECT_DOUBLE_EQ(out[i], m.at(paths[i])) << paths[i];
  // A perturbed vector (die area and wafer geometry vary) recomputes the enumeration.
  auto v2 = values;
  v2[*ctx.params.find("chips.cambricon-mlu590.silicon.die_area")] = 456.0;
  fn(v2, out);
  auto t = ctx.params;
  t.set_value(*t.find("chips.cambricon-mlu590.silicon.die_area"), 456.0);
  const auto m2 = studies::evaluate(ctx, t, paths);
  for (std::size_t i = 0; i < paths.size(); ++i) EXPECT_DOUBLE_EQ(out[i], m2.at(paths[i])) << paths[i];
}

// Monte Carlo compiles a few metrics, and a run then skips the blocks none of
// them reads (RunOptions of both models). Every supply and market metric,
// compiled alone and together with a metric of the other engine (the market
// then runs the supply model once for both), must equal the computed value,
// even when the evaluator's reused buffer still holds another run's values in
// the slots it skips.
TEST(SupplyModel, EveryMetricCompiledLeanMatchesComputed) {
  const auto& ctx = base_ctx();
  const auto computed = studies::evaluate_all(ctx, {"supply", "market"});
  // Per-SKU metrics of four SKUs stand for all fifteen (a compiled run selects output blocks, not SKUs; each
  // block is covered): the 910C (die bank), the 960 (two nodes), the M300 (second tier) and the C600 (no chips).
  const std::set<std::string> kept = {"huawei-ascend-910c", "huawei-ascend-960", "kunlunxin-m300", "metax-c600"};
  std::vector<std::string> skipped_skus;
  const auto model = supply::SupplyModel::build(ctx, ctx.params);
  for (const auto& p : model->products())
    if (!kept.count(p.chip)) skipped_skus.push_back(p.chip);
  ASSERT_EQ(skipped_skus.size() + kept.size(), 15u);
  auto of_skipped_sku = [&](const std::string& path) {
    return std::any_of(skipped_skus.begin(), skipped_skus.end(), [&](const std::string& c) {
      return path.find("." + c + ".") != std::string::npos || path.ends_with("." + c);
    });
  };
  std::vector<std::string> all;
  for (const auto& [k, v] : computed)
    if (!of_skipped_sku(k)) all.push_back(k);
  ASSERT_GT(all.size(), 200u);
  auto dirty = ctx.params.values();
  for (const auto& p : ctx.params.all())
    if (p.path.starts_with("supply.") || p.path.starts_with("market.") || p.path.ends_with(".silicon.die_area"))
      dirty[*ctx.params.find(p.path)] *= 0.97;
  const auto values = ctx.params.values();
  std::vector<std::string> supply_only;
  for (const auto& k : all)
    if (k.starts_with("supply.")) supply_only.push_back(k);
  const auto full_supply = studies::compile(ctx, supply_only);
  const auto full_both = studies::compile(ctx, all);
  std::vector<double> big(all.size());
  for (const auto& path : all) {
    // Fill every slot of the evaluators' buffers with another run's values.
    full_supply(dirty, std::span<double>(big).subspan(0, supply_only.size()));
    full_both(dirty, big);
    const std::string partner = path.starts_with("supply.") ? "market.tam_usd_bn.2030" : "supply.chips_total.2030";
    std::vector<double> one(1), two(2);
    studies::compile(ctx, {path})(values, one);
    studies::compile(ctx, {partner, path})(values, two);
    const double want = computed.at(path);
    if (std::isnan(want)) {  // a gross margin without revenue: undefined either way
      EXPECT_TRUE(std::isnan(one[0])) << path << " (alone)";
      EXPECT_TRUE(std::isnan(two[1])) << path << " (with " << partner << ")";
      continue;
    }
    EXPECT_DOUBLE_EQ(one[0], want) << path << " (alone)";
    EXPECT_DOUBLE_EQ(two[1], want) << path << " (with " << partner << ")";
  }
}

TEST(SupplyModel, UnknownYieldModelSuggests) {
  auto r = run_cli("eval supply.chips.huawei.2026 --set supply.yield.model=poison");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("did you mean 'poisson'"), std::string::npos) << r.err;
}

TEST(SupplyCli, EvalPrintsValues) {
  auto r = run_cli("eval supply.wafers_per_month.smic-n2.2026 supply.chips.huawei.2026 --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  EXPECT_DOUBLE_EQ(j["metrics"]["supply.wafers_per_month.smic-n2.2026"].get<double>(), 40000);
  EXPECT_GT(j["metrics"]["supply.chips.huawei.2026"].get<double>(), 1e5);
}

TEST(SupplyCli, SupplyCommandShowsBindingConstraintByName) {
  auto r = run_cli("supply");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("binding"), std::string::npos);
  EXPECT_TRUE(r.out.find("HBM stacks") != std::string::npos || r.out.find("logic dies") != std::string::npos);
  EXPECT_NE(r.out.find("huawei"), std::string::npos);
  EXPECT_NE(r.out.find("smic-n2"), std::string::npos);
  auto j = run_cli("supply --format json");
  ASSERT_EQ(j.rc, 0) << j.err;
  const auto js = j.json();
  ASSERT_TRUE(js.contains("years"));
  EXPECT_EQ(js["years"].size(), 7u);
  EXPECT_TRUE(js["years"][0].contains("binding_constraint"));
  // Per year: capacity (announced / capex / lithography and the binding one), HBM by generation,
  // chips, revenue and margin by vendor, inventory and economics by SKU, H100-equivalents.
  const auto& y28 = js["years"][4];
  EXPECT_EQ(y28["year"].get<int>(), 2028);
  EXPECT_EQ(y28["nodes"]["smic-n2"]["capacity_binding"].get<std::string>(), "capex");
  EXPECT_GT(y28["nodes"]["smic-n2"]["capacity_tool_limited"].get<double>(), 0);
  for (const char* g : {"hbm2e", "hbm3", "hbm3e"})
    for (const char* k : {"domestic_gb", "needed_gb", "used_gb", "inventory_gb"}) EXPECT_TRUE(y28["hbm"][g].contains(k)) << g << k;
  for (const char* k : {"chips", "revenue_usd_bn", "gross_margin", "installed_base"})
    EXPECT_TRUE(y28["vendors"]["huawei"].contains(k)) << k;
  for (const char* k : {"chips", "inventory_dies", "cost_per_good_die_usd", "cogs_usd", "asp_usd", "package_yield"})
    EXPECT_TRUE(y28["products"]["huawei-ascend-910c"].contains(k)) << k;
  EXPECT_GT(y28["h100_equivalents_8bit"].get<double>(), 0);
  EXPECT_EQ(js["products"]["huawei-ascend-910c"]["hbm_generation"].get<std::string>(), "hbm2e");
  // The table names what set each node's capacity.
  EXPECT_NE(r.out.find("binding capacity"), std::string::npos);
  EXPECT_NE(r.out.find("gross margin"), std::string::npos);
}

TEST(SupplyModel, LearningCurveNodeAndMissingData) {
  // A second node with a defect-density learning curve instead of a yield
  // series: D0(t) = floor + (initial - floor) exp(-(t - start) / tau).
  const auto dir = std::filesystem::temp_directory_path() / ("gpugap-supply-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "n3-test.yaml";
  {
    std::ofstream f(file);
    f << R"(id: n3-test
name: test
extends: ms-2025
params:
  supply.nodes.smic-n3.wafers_per_month: {2024: {value: 1000, estimate: true, rationale: test}}
  supply.nodes.smic-n3.ai_share: {2024: {value: 0.5, estimate: true, rationale: test}}
  supply.nodes.smic-n3.d0_initial: {value: 0.5, estimate: true, rationale: test}
  supply.nodes.smic-n3.d0_floor: {value: 0.1, estimate: true, rationale: test}
  supply.nodes.smic-n3.d0_tau_years: {value: 2, estimate: true, rationale: test}
  supply.nodes.smic-n3.d0_start_year: {value: 2026, estimate: true, rationale: test}
  supply.alloc.smic-n3.huawei-ascend-910c: {2024: {value: 1.0, estimate: true, rationale: test}}
  supply.alloc.smic-n3.huawei-ascend-950pr: {2024: {value: 0, estimate: true, rationale: test}}
  supply.alloc.smic-n3.huawei-ascend-950dt: {2024: {value: 0, estimate: true, rationale: test}}
  supply.alloc.smic-n3.huawei-ascend-960: {2024: {value: 0, estimate: true, rationale: test}}
  supply.alloc.smic-n3.huawei-ascend-970: {2024: {value: 0, estimate: true, rationale: test}}
)";
  }
  const auto ctx = studies::make_context({analysis::default_catalog_dir()}, file.string(), {});
  EXPECT_DOUBLE_EQ(metric(ctx, "supply.d0_per_cm2.smic-n3.2025"), 0.5);  // before the start: initial
  EXPECT_NEAR(metric(ctx, "supply.d0_per_cm2.smic-n3.2028"), 0.1 + 0.4 * std::exp(-1.0), 1e-12);
  // The 910C now also comes from N+3: more 910C dies than on N+2 alone.
  EXPECT_GT(metric(ctx, "supply.good_dies.huawei-ascend-910c.2027"),
            metric(base_ctx(), "supply.good_dies.huawei-ascend-910c.2027"));
  std::filesystem::remove_all(dir);
  // Bose-Einstein without a layer count: insufficient data, naming the path.
  auto r = run_cli("eval supply.chips.huawei.2026 --set supply.yield.model=bose_einstein");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("insufficient data: supply.yield.bose_einstein_layers"), std::string::npos) << r.err;
  auto ok = run_cli("eval supply.d0_per_cm2.smic-n2.2025 --set supply.yield.model=bose_einstein "
                    "--set supply.yield.bose_einstein_layers=1 --set supply.yield.systematic=1");
  EXPECT_EQ(ok.rc, 0) << ok.err;
}
