// Supply engine, bottom-up flow: conservation of dies and HBM (with scrap
// computed from yield and packaging losses, not as the residual), the good-die
// identity, unit economics, the installed base, the metrology lever, and the
// provenance rule that no scenario value derives from a `published` figure.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <fmt/format.h>
#include <regex>
#include <set>

#include "analysis/scenario.hpp"
#include "cli_helpers.hpp"
#include "studies/engines.hpp"
#include "studies/evaluate.hpp"
#include "supply/capacity.hpp"
#include "supply/model.hpp"

using namespace gpugap;
using gpugap::test::run_cli;

namespace {

const analysis::Context& base_ctx() {
  static const analysis::Context c = studies::make_context({analysis::default_catalog_dir()}, "ms-2025", {});
  return c;
}

analysis::Context with(const std::vector<std::string>& sets) {
  return studies::make_context({analysis::default_catalog_dir()}, "ms-2025", sets);
}

const std::map<std::string, double>& base_metrics() {
  static const auto m = studies::evaluate_all(base_ctx(), {"supply"});
  return m;
}

double at(const std::map<std::string, double>& m, const std::string& stem, int year) {
  return m.at(fmt::format("{}.{}", stem, year));
}

// The N+2 SKUs of the first base case (a yield change moves each one's die cost in 2027).
const std::vector<std::string> kSkus = {"huawei-ascend-910b2", "huawei-ascend-910c", "cambricon-mlu590", "hygon-k100"};
// Every SKU of ms-2025: the announced roadmaps (docs/model-supply.md section 3).
const std::vector<std::string> kRoadmapSkus = {
    "huawei-ascend-910b2", "huawei-ascend-910c", "huawei-ascend-950pr", "huawei-ascend-950dt", "huawei-ascend-960",
    "huawei-ascend-970",   "cambricon-mlu590",   "cambricon-mlu690",    "hygon-k100",          "hygon-bw1000",
    "kunlunxin-p800",      "kunlunxin-m100",     "kunlunxin-m300",      "metax-c600",          "moorethreads-s5000"};

// A chip's value at a path, or none when the catalog leaves it null.
std::optional<double> chip_value(const ParamTable& p, const std::string& path) {
  const auto i = p.find(path);
  if (!i || p.at(*i).is_null) return std::nullopt;
  return p.value(*i);
}

// First year a SKU has wafers on some node or a die-bank mix.
int start_year(const ParamTable& p, const std::string& sku) {
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y)
    for (const std::string& stem : {"supply.alloc.smic-n2." + sku, "supply.alloc.smic-n3." + sku, "supply.diebank." + sku + ".mix"})
      if (chip_value(p, fmt::format("{}.{}", stem, y)).value_or(0) > 0) return y;
  return analysis::kLastYear + 1;
}

}  // namespace

// Dies started + die-bank draws + dies carried in = dies in good chips + dies
// carried out + yield scrap + packaging scrap, per SKU, each year and in total.
TEST(SupplyConservation, DiesEachYearAndInTotal) {
  for (const auto* ctx : {&base_ctx()}) {
    const auto m = studies::evaluate_all(*ctx, {"supply"});
    for (const auto& sku : kRoadmapSkus) {
      const double dpp = ctx->params.value("chips." + sku + ".silicon.compute_dies");
      double in_total = 0, out_total = 0, carried = 0;
      for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
        const double started = at(m, "supply.dies_started." + sku, y);
        const double bank = at(m, "supply.diebank_draw." + sku, y);
        const double chips = at(m, "supply.packages." + sku, y);
        const double inventory = at(m, "supply.inventory." + sku, y);
        // Scrap from its causes: dies started x (1 - die yield) on the SKU's
        // wafers; package starts x (1 - package yield) x dies per package.
        const double scrap_yield = at(m, "supply.scrap_yield_dies." + sku, y);
        const double starts = at(m, "supply.sku_package_starts." + sku, y);
        const double scrap_pkg = starts * (1 - at(m, "supply.package_yield." + sku, y)) * dpp;
        EXPECT_NEAR(scrap_pkg, at(m, "supply.scrap_packaging_dies." + sku, y), 1e-6 * (1 + scrap_pkg));
        const double lhs = started + bank + carried;
        const double rhs = chips * dpp + inventory + scrap_yield + scrap_pkg;
        EXPECT_NEAR(lhs, rhs, 1e-9 * (1 + lhs)) << sku << " " << y;
        in_total += started + bank;
        out_total += chips * dpp + scrap_yield + scrap_pkg;
        carried = inventory;
      }
      EXPECT_NEAR(in_total, out_total + carried, 1e-9 * (1 + in_total)) << sku << " (all years)";
    }
  }
}

TEST(SupplyConservation, YieldScrapFromTheDieYieldOnSingleNodeSkus) {
  // MLU590 and K100 are made on N+2 only: scrap = dies started x (1 - die yield).
  const auto& m = base_metrics();
  for (const std::string sku : {"cambricon-mlu590", "hygon-k100"})
    for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
      const double started = at(m, "supply.dies_started." + sku, y);
      EXPECT_NEAR(at(m, "supply.scrap_yield_dies." + sku, y), started * (1 - at(m, "supply.die_yield." + sku, y)),
                  1e-9 * (1 + started));
      // Good dies = wafers x gross dies per wafer x die yield.
      EXPECT_NEAR(at(m, "supply.good_dies." + sku, y),
                  at(m, "supply.wafers_per_year." + sku, y) * m.at("supply.gross_dies_per_wafer." + sku) *
                      at(m, "supply.die_yield." + sku, y),
                  1e-9 * (1 + started));
    }
}

// HBM (GB, by generation): stock in + domestic supply = in good chips + scrapped
// in failed packages + stock out; used = in chips + scrap.
TEST(SupplyConservation, HbmBitsByGeneration) {
  for (const auto& ctx : {base_ctx(), with({"supply.hbm.newer_generation_ok=0"})}) {
    const auto m = studies::evaluate_all(ctx, {"supply"});
    for (auto gen : supply::kHbmGenerations) {
      const std::string g(gen);
      double stock = ctx.params.value("supply.hbm.stock_gb." + g);
      for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
        const double dom = at(m, "supply.hbm_gb_domestic." + g, y);
        const double chips = at(m, "supply.hbm_gb_in_chips." + g, y);
        const double scrap = at(m, "supply.hbm_gb_scrap." + g, y);
        const double left = at(m, "supply.inventory.hbm-" + g, y);
        EXPECT_NEAR(stock + dom, chips + scrap + left, 1e-9 * (1 + stock + dom)) << g << " " << y;
        EXPECT_NEAR(at(m, "supply.hbm_gb_used." + g, y), chips + scrap, 1e-9 * (1 + chips)) << g << " " << y;
        EXPECT_LE(at(m, "supply.hbm_gb_used." + g, y), stock + dom + 1e-6) << g << " " << y;
        stock = left;
      }
    }
  }
}

TEST(SupplyEconomics, CostPerGoodDieAndCogsByHand) {
  const auto& m = base_metrics();
  const auto& p = base_ctx().params;
  const std::string sku = "cambricon-mlu590";
  const double price = p.value("supply.nodes.smic-n2.wafer_price_usd");
  const double gdw = m.at("supply.gross_dies_per_wafer." + sku);
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
    const double die_cost = price / (gdw * at(m, "supply.die_yield." + sku, y));
    EXPECT_NEAR(at(m, "supply.cost_per_good_die_usd." + sku, y), die_cost, 1e-9 * die_cost);
    const double py = at(m, "supply.package_yield." + sku, y);
    const double gb = p.value("chips." + sku + ".memory.capacity") / 1e9;
    const double cogs = (die_cost + gb * p.value(fmt::format("supply.hbm.usd_per_gb.hbm2e.{}", y)) +
                         p.value("supply.packaging.cost_usd")) / py + p.value("supply.cogs.other_usd");
    EXPECT_NEAR(at(m, "supply.cogs_usd." + sku, y), cogs, 1e-9 * cogs);
  }
  // Gross margin = 1 - COGS / revenue, and revenue = sum of chips x ASP.
  const double rev = m.at("supply.revenue_usd_bn.cambricon.2025");
  EXPECT_NEAR(rev, m.at("supply.chips.cambricon.cambricon-mlu590.2025") * m.at("supply.asp_usd.cambricon-mlu590.2025") / 1e9,
              1e-9 * rev);
  EXPECT_NEAR(m.at("supply.gross_margin.cambricon.2025"), 1 - m.at("supply.cogs_usd_bn.cambricon.2025") / rev, 1e-12);
  // The market reads the same revenue (the old vendor value path).
  EXPECT_DOUBLE_EQ(m.at("supply.vendor_value_usd_bn.cambricon.2025"), rev);
}

TEST(SupplyEconomics, CostPerGoodDieFallsWhenYieldRises) {
  // Analytic: C = P / (N Y) is decreasing in Y.
  EXPECT_GT(supply::cost_per_good_die(15000, 82, 0.2), supply::cost_per_good_die(15000, 82, 0.3));
  // Through the model: a higher stated 2027 yield lowers the 2027 die cost and COGS of every N+2 SKU.
  auto better = with({"supply.nodes.smic-n2.yield.2027=0.45"});
  const auto hi = studies::evaluate_all(better, {"supply"});
  for (const auto& sku : kSkus) {
    EXPECT_LT(hi.at("supply.cost_per_good_die_usd." + sku + ".2027"), base_metrics().at("supply.cost_per_good_die_usd." + sku + ".2027")) << sku;
    EXPECT_LT(hi.at("supply.cogs_usd." + sku + ".2027"), base_metrics().at("supply.cogs_usd." + sku + ".2027")) << sku;
  }
  // Fewer inspection steps (metrology factor > 1 on D0) cost yield and chips.
  auto blind = with({"supply.yield.metrology_d0_factor=1.5"});
  EXPECT_LT(studies::evaluate(blind, {"supply.die_yield.cambricon-mlu590.2026"}).at("supply.die_yield.cambricon-mlu590.2026"),
            base_metrics().at("supply.die_yield.cambricon-mlu590.2026"));
  EXPECT_GT(studies::evaluate(blind, {"supply.cost_per_good_die_usd.cambricon-mlu590.2026"})
                .at("supply.cost_per_good_die_usd.cambricon-mlu590.2026"),
            base_metrics().at("supply.cost_per_good_die_usd.cambricon-mlu590.2026"));
}

TEST(SupplyEconomics, InstalledBaseRetiresAfterTheServiceLife) {
  const auto& m = base_metrics();
  const double life = base_ctx().params.value("supply.service_life_years");
  ASSERT_EQ(life, 5);
  // 2030: the cohorts of 2026-2030 are in service, 2025's retired (age 5).
  double sum = 0;
  for (int y = 2026; y <= 2030; ++y) sum += at(m, "supply.chips.huawei", y);
  EXPECT_NEAR(m.at("supply.installed_base.huawei.2030"), sum, 1e-9 * sum);
  // A half-year life keeps half of each year's chips.
  auto short_life = with({"supply.service_life_years=0.5"});
  const auto s = studies::evaluate(short_life, {"supply.installed_base.huawei.2027", "supply.chips.huawei.2027"});
  EXPECT_NEAR(s.at("supply.installed_base.huawei.2027"), 0.5 * s.at("supply.chips.huawei.2027"), 1e-6);
  // H100-equivalents (BF16 and 8-bit) follow the chips' compute.
  EXPECT_GT(m.at("supply.h100_equivalents_8bit.2027"), 0);
}

TEST(SupplyCapacity, MonthlyPathArithmetic) {
  const std::vector<double> pts = {5000, 22000, 40000};
  EXPECT_DOUBLE_EQ(supply::capacity_at(pts, 0.5), 5000);      // before the first point: held
  EXPECT_DOUBLE_EQ(supply::capacity_at(pts, 1.5), 13500);     // mid-2025
  EXPECT_DOUBLE_EQ(supply::capacity_at(pts, 3.0), 40000);     // end-2026
  EXPECT_DOUBLE_EQ(supply::lagged_year_average(pts, 1, 0), 13500);  // 2025: mean of a linear ramp
  // A lag of a full year gives the previous year's average.
  EXPECT_DOUBLE_EQ(supply::lagged_year_average(pts, 2, 1.0), supply::lagged_year_average(pts, 1, 0));
  EXPECT_DOUBLE_EQ(supply::capex_added_wpm(8, 0.25, 0.25), 8000);
  EXPECT_NEAR(supply::tool_limited_wpm(10, 1, 275, 0.8, 30), 10 * 275 * 730 * 0.8 / 30, 1e-9);
  EXPECT_DOUBLE_EQ(supply::package_yield(0.75, 10, 10), 0.75);
  EXPECT_NEAR(supply::package_yield(0.75, 5, 10), std::sqrt(0.75), 1e-15);
}

// A figure is an input or a comparison, never both: no scenario value's source
// or rationale may cite a figure listed under `published`, nor say it was set
// to land on one. Returns one line per violation.
static std::vector<std::string> provenance_violations(const analysis::Context& ctx) {
  // How a published figure is written in prose: 805000 -> "805k", "805,000"; 1650000 -> "1.65M"; 7000 -> "7k".
  auto spellings = [](double v) {
    std::set<std::string> s;
    if (v >= 1e6) {
      s.insert(fmt::format("{:g}M", v / 1e6));
      s.insert(fmt::format("{:g} M", v / 1e6));
      s.insert(fmt::format("{:g} million", v / 1e6));
    }
    if (v >= 1e3) s.insert(fmt::format("{:g}k", v / 1e3));
    if (v >= 1e3 && v == std::floor(v)) {
      std::string digits = fmt::format("{:.0f}", v), grouped;
      for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
        grouped += digits[i];
      }
      s.insert(grouped);
    }
    return s;
  };
  // A market figure: "$67bn", "67bn", "RMB 389bn", "76%". Years (the break-even year) and
  // round halves ("50%", written of much else) are not telling and are left out.
  auto market_spellings = [](const analysis::Published& pub) {
    std::set<std::string> s;
    const double v = pub.value;
    if (pub.metric.ends_with("_year") || pub.metric.find("breakeven_year") != std::string::npos || v == 0.5) return s;
    if (v < 1) {
      s.insert(fmt::format("{:g}%", 100 * v));
    } else {
      if (v >= 10) s.insert(fmt::format("{:g}", v));  // "1 - 55.69 / 67"
      for (const char* f : {"${:g}bn", "{:g}bn", "${:g} bn", "{:g} bn", "${:g}B", "{:g}B"})
        s.insert(fmt::format(fmt::runtime(f), v));
    }
    return s;
  };
  std::vector<std::pair<std::regex, std::string>> figures;  // whole-token pattern, "spelling (metric)"
  for (const auto& pub : ctx.scenario.published)
    // Supply and market figures only: a gap ratio ("~1x") is the claim the gap.claim.* settings define, and its
    // spelling is not telling (a "1x nm" DRAM node).
    for (const auto& sp : pub.metric.starts_with("supply.")   ? spellings(pub.value)
                          : pub.metric.starts_with("market.") ? market_spellings(pub)
                                                              : std::set<std::string>{})
        figures.emplace_back(std::regex("(^|[^0-9.,])" + std::regex_replace(sp, std::regex(R"([.$])"), R"(\$&)") +
                                        "($|[^0-9A-Za-z])"),
                             sp + " (" + pub.metric + ")");
  // "calibrated to" (an input set to a figure), not "uncalibrated prior" (perf efficiencies fitted on measurements).
  const std::regex tuned(R"(set so that|tuned|(^|[^n])calibrated (to|so)|so as to match|to land on|matches .*(estimate|output))",
                         std::regex::icase);
  std::vector<std::string> bad;
  auto check = [&](const std::string& path, const std::string& text) {
    if (text.empty()) return;
    for (const auto& [re, what] : figures)
      if (std::regex_search(text, re)) bad.push_back(path + " cites the published " + what + ": " + text);
    if (std::regex_search(text, tuned)) bad.push_back(path + " says it was fitted to an output: " + text);
  };
  // Scenario-level inputs (the catalog's own texts cite order sizes and shipments as facts, not as derivations).
  for (const auto& p : ctx.params.all()) {
    if (!p.path.starts_with("supply.") && !p.path.starts_with("score.") && !p.path.starts_with("market.") &&
        !p.path.starts_with("gap.") && !p.path.starts_with("demand."))
      continue;
    check(p.path, p.prov.source);
    check(p.path, p.prov.rationale);
  }
  for (const auto& kv : ctx.scenario.uncertainty)
    for (const char* key : {"source", "rationale"})
      if (kv.second[key]) check("uncertainty " + kv.first.Scalar(), kv.second[key].Scalar());
  return bad;
}

TEST(SupplyProvenance, NoScenarioValueDerivesFromAPublishedFigure) {
  for (const char* id : {"ms-2025", "ms-2025-bear", "ms-2025-bull", "risk-foundry-shortfall", "risk-hbm-shortfall",
                         "huawei-fabs"}) {
    const auto ctx = studies::make_context({analysis::default_catalog_dir()}, id, {});
    ASSERT_FALSE(ctx.scenario.published.empty()) << id;
    for (const auto& line : provenance_violations(ctx)) ADD_FAILURE() << id << ": " << line;
  }
  // The comparisons the model is held against (mission.md Q1/Q2 conclusions; outside production estimates,
  // supply-market-notes.md sections 2.3-3.3).
  std::set<std::string> listed;
  for (const auto& pub : base_ctx().scenario.published) listed.insert(pub.metric);
  for (const char* need : {"market.tam_usd_bn.2030", "market.self_sufficiency.2024", "market.self_sufficiency.2030",
                           "market.domestic_usd_bn.2024", "market.domestic_usd_bn.2030", "market.tam_cagr",
                           "market.domestic_cagr", "market.breakeven_year", "market.ai_infra_margin.2030",
                           "supply.ai_wafers_per_month.smic-n2.2025", "supply.ai_wafers_per_month.smic-n2.2027",
                           "supply.chips.huawei.2024", "supply.chips.huawei.2025", "supply.chips.huawei.2026",
                           "supply.chips.cambricon.2025", "supply.chips_total.2024", "supply.chips_total.2025"})
    EXPECT_TRUE(listed.count(need)) << need << " is missing from published";
}

TEST(SupplyProvenance, TheCheckCatchesADerivedValue) {
  // An AI share read off the published AI-wafer estimate, and a draw "set so that" output lands on an
  // estimate: both are reported.
  const auto dir = std::filesystem::temp_directory_path() / ("gpugap-prov-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "derived.yaml";
  {
    std::ofstream f(file);
    f << "id: derived\nname: t\nextends: ms-2025\nparams:\n  supply.nodes.smic-n2.ai_share:\n"
         "    2025: {value: 0.32, source: \"MS: ~7k AI wafers of 22k\"}\n"
         "  supply.diebank.huawei.drawdown_years: {value: 2, estimate: true, rationale: \"set so that 2025 is near\"}\n"
         "  market.buyers.innovator_usd_bn:\n    2030: {value: 11.3, estimate: true, rationale: \"the gap 67 - 55.7\"}\n";
  }
  const auto ctx = studies::make_context({analysis::default_catalog_dir()}, file.string(), {});
  const auto bad = provenance_violations(ctx);
  std::filesystem::remove_all(dir);
  ASSERT_EQ(bad.size(), 15u);  // each one-point series (a child replaces the series) holds in 7 years, + the draw
  auto any = [&](const std::string& what) {
    return std::any_of(bad.begin(), bad.end(), [&](const std::string& b) { return b.find(what) != std::string::npos; });
  };
  EXPECT_TRUE(any("supply.nodes.smic-n2.ai_share.2025 cites the published 7k (supply.ai_wafers_per_month.smic-n2.2025)"));
  EXPECT_TRUE(any("supply.diebank.huawei.drawdown_years says it was fitted to an output"));
  // A market line read off the report's TAM gap.
  EXPECT_TRUE(any("market.buyers.innovator_usd_bn.2030 cites the published 67 (market.tam_usd_bn.2030)"));
}

TEST(SupplyRoadmap, A950PrSkuTakesHuaweisShareAndHbm3) {
  // ms-2025: the 950PR (2 dies, 8 stacks, HBM3-class) takes part of Huawei's share from its Q1 2026 launch.
  const auto& ctx = base_ctx();
  const auto& m = base_metrics();
  EXPECT_GT(m.at("supply.chips.huawei.huawei-ascend-950pr.2027"), 0);
  EXPECT_EQ(m.at("supply.chips.huawei.huawei-ascend-950pr.2025"), 0);  // before its launch
  EXPECT_GT(m.at("supply.hbm_gb_needed.hbm3.2027"), 0);
  EXPECT_TRUE(std::isfinite(m.at("supply.gross_margin.huawei.2028")));
  // Vendor chips are the sum over its SKUs.
  double sum = 0;
  for (const char* sku : {"910b2", "910c", "950pr", "950dt", "960", "970"})
    sum += m.at(std::string("supply.chips.huawei.huawei-ascend-") + sku + ".2028");
  EXPECT_NEAR(m.at("supply.chips.huawei.2028"), sum, 1e-9 * sum);
  // The typed reader the market uses gives the same figures.
  const supply::SupplyReader reader(ctx, ctx.params);
  const auto years = reader.read(ctx.params.values());
  ASSERT_EQ(years.size(), static_cast<std::size_t>(analysis::kLastYear - analysis::kFirstYear + 1));
  const auto& y2028 = years[2028 - analysis::kFirstYear];
  EXPECT_DOUBLE_EQ(y2028.skus.at("huawei-ascend-950pr").chips, m.at("supply.chips.huawei.huawei-ascend-950pr.2028"));
  EXPECT_DOUBLE_EQ(y2028.vendors.at("huawei").revenue_usd_bn, m.at("supply.revenue_usd_bn.huawei.2028"));
  EXPECT_DOUBLE_EQ(y2028.vendors.at("huawei").installed_base, m.at("supply.installed_base.huawei.2028"));
}

TEST(SupplyCompute, SkuInstalledBaseSumsToTheVendorsAndPricesEachVintage) {
  // The typed reader's installed base by SKU (the bottom-up fleet's vintages)
  // follows the vendors' rule: summed over a vendor's SKUs it is the vendor's
  // installed base; its cost is each vintage's chips in service at that
  // vintage's ASP.
  const auto& ctx = base_ctx();
  const supply::SupplyReader reader(ctx, ctx.params);
  const auto years = reader.read(ctx.params.values());
  const double life = ctx.params.value("supply.service_life_years");
  for (std::size_t y = 0; y < years.size(); ++y) {
    std::map<std::string, double> by_vendor;
    for (const auto& [id, sku] : years[y].skus) {
      by_vendor[sku.vendor] += sku.installed;
      double usd = 0;
      for (std::size_t a = 0; a <= y; ++a) {
        const auto& then = years[y - a].skus.at(id);
        if (then.chips > 0) usd += then.chips * supply::in_service(static_cast<int>(a), life) * then.asp_usd;
      }
      EXPECT_NEAR(sku.installed_usd, usd, 1e-9 * std::max(1.0, usd)) << id << " " << years[y].year;
    }
    for (const auto& [vendor, v] : years[y].vendors)
      EXPECT_NEAR(by_vendor[vendor], v.installed_base, 1e-9 * std::max(1.0, v.installed_base)) << vendor << " " << years[y].year;
  }
}

TEST(SupplyRoadmap, HuaweiLinkedFabsAreANodeOfTheirOwn) {
  // catalog/scenarios/huawei-fabs.yaml: a node without capex limits holds its points; its dies join the 910C's.
  const auto ctx = studies::make_context({analysis::default_catalog_dir()}, "huawei-fabs", {});
  const auto m = studies::evaluate_all(ctx, {"supply"});
  EXPECT_DOUBLE_EQ(m.at("supply.wafers_per_month.huawei-fabs.2027"), 10000);
  EXPECT_DOUBLE_EQ(m.at("supply.wafers_per_month.huawei-fabs.2026"), 0);
  EXPECT_GT(m.at("supply.dies_started.huawei-ascend-910c.2029"), base_metrics().at("supply.dies_started.huawei-ascend-910c.2029"));
  EXPECT_GE(m.at("supply.chips.huawei.2029") + m.at("supply.inventory.huawei-ascend-910c.2029"),
            base_metrics().at("supply.chips.huawei.2029") + base_metrics().at("supply.inventory.huawei-ascend-910c.2029"));
}

TEST(SupplyRoadmap, EverySkuShipsInItsRampYearsAndNoneBefore) {
  // ms-2025: no SKU has a die, a chip or a sale before its first allocated year; from then its wafers make dies.
  const auto& p = base_ctx().params;
  const auto& m = base_metrics();
  // Ample HBM of every generation and packaging: whatever has dies ships them.
  std::vector<std::string> ample;
  for (auto g : supply::kHbmGenerations) ample.push_back(fmt::format("supply.hbm.stock_gb.{}=1e12", g));
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y)
    ample.push_back(fmt::format("supply.packaging.capacity.{}=1e12", y));
  const auto free = studies::evaluate_all(with(ample), {"supply"});
  for (const auto& sku : kRoadmapSkus) {
    const std::string vendor = base_ctx().catalog->entry("chips", sku).str("vendor");
    const std::string chips = "supply.chips." + vendor + "." + sku;
    const int start = start_year(p, sku);
    ASSERT_LE(start, analysis::kLastYear) << sku << " has no allocation";
    for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
      if (y < start) {
        EXPECT_EQ(at(m, chips, y), 0) << sku << " " << y;
        EXPECT_EQ(at(m, "supply.good_dies." + sku, y) + at(m, "supply.diebank_draw." + sku, y), 0) << sku << " " << y;
        EXPECT_EQ(at(free, chips, y), 0) << sku << " " << y;
        continue;
      }
      const double share = chip_value(p, fmt::format("supply.alloc.smic-n2.{}.{}", sku, y)).value_or(0);
      if (share <= 0) continue;  // run down
      EXPECT_GT(at(m, "supply.dies_started." + sku, y), 0) << sku << " " << y;
      EXPECT_GT(at(free, chips, y), 0) << sku << " " << y;
    }
    // Launch years follow the catalog: nothing before the chip's announced launch.
    if (const auto launch = chip_value(p, "chips." + sku + ".launch_year")) {
      EXPECT_GE(start, *launch) << sku;
    }
  }
}

TEST(SupplyRoadmap, SkuPriceIsTheCatalogPriceEconUses) {
  // One home per price: a SKU's ASP in the base year is chips.<id>.price.cn (RMB at regions.cn.fx_per_usd).
  const auto& p = base_ctx().params;
  const auto& m = base_metrics();
  const double fx = p.value("regions.cn.fx_per_usd");
  for (const auto& sku : kRoadmapSkus) {
    const ParamIndex i = p.require("chips." + sku + ".price.cn");
    const double usd = p.at(i).currency == Currency::kRmb ? p.value(i) / fx : p.value(i);
    EXPECT_NEAR(m.at("supply.asp_usd." + sku + ".2025"), usd, 1e-9 * usd) << sku;
  }
  // Moving the catalog price moves the SKU's revenue and nothing else's.
  const auto hi = studies::evaluate_all(with({"chips.huawei-ascend-960.price.cn=362000 RMB"}), {"supply"});
  EXPECT_NEAR(hi.at("supply.asp_usd.huawei-ascend-960.2029"), 2 * m.at("supply.asp_usd.huawei-ascend-960.2029"), 1e-6);
  EXPECT_DOUBLE_EQ(hi.at("supply.chips.huawei.2029"), m.at("supply.chips.huawei.2029"));
  EXPECT_DOUBLE_EQ(hi.at("supply.revenue_usd_bn.cambricon.2029"), m.at("supply.revenue_usd_bn.cambricon.2029"));
}

TEST(SupplyCompute, H100EquivalentsAreChipsTimesTheComputeRatio) {
  // H100-eq(y) = sum over SKUs of chips x BF16 (FP16 stands in) / H100 BF16; 8-bit: FP8 (INT8 stands in) / H100 FP8.
  const auto& p = base_ctx().params;
  const auto& m = base_metrics();
  const double h100 = p.value("chips.nvidia-h100-sxm.compute.bf16");
  const double h100_8 = p.value("chips.nvidia-h100-sxm.compute.fp8");
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
    double bf16 = 0, eight = 0, chips = 0;
    for (const auto& sku : kRoadmapSkus) {
      const std::string vendor = base_ctx().catalog->entry("chips", sku).str("vendor");
      const double n = at(m, "supply.chips." + vendor + "." + sku, y);
      const auto b = chip_value(p, "chips." + sku + ".compute.bf16");
      const auto e = chip_value(p, "chips." + sku + ".compute.fp8");
      bf16 += n * (b ? *b : p.value("chips." + sku + ".compute.fp16")) / h100;
      eight += n * (e ? *e : p.value("chips." + sku + ".compute.int8")) / h100_8;
      chips += n;
    }
    EXPECT_NEAR(at(m, "supply.chips_total", y), chips, 1e-9 * (1 + chips)) << y;
    EXPECT_NEAR(at(m, "supply.h100_equivalents", y), bf16, 1e-9 * (1 + bf16)) << y;
    EXPECT_NEAR(at(m, "supply.h100_equivalents_8bit", y), eight, 1e-9 * (1 + eight)) << y;
  }
  // A roadmap part counts by its own compute: the 960 (1 PF BF16) is about one H100 (989 TF) per chip.
  EXPECT_GT(m.at("supply.chips.huawei.huawei-ascend-960.2029"), 0);
}

TEST(SupplyCompute, InstalledBaseIsLastYearsPlusShipmentsLessRetirements) {
  // installed(t) = installed(t-1) + shipments(t) - retirements(t), retirements computed from the cohorts' ages,
  // by vendor and in H100-equivalents; with a whole and a fractional service life.
  for (const double life : {5.0, 2.5}) {
    const auto ctx = with({fmt::format("supply.service_life_years={}", life)});
    const auto m = studies::evaluate_all(ctx, {"supply"});
    for (const std::string v : {"huawei", "cambricon", "hygon", "kunlunxin", "moorethreads"}) {
      double prev = 0;
      for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
        const double inst = at(m, "supply.installed_base." + v, y);
        const double ret = at(m, "supply.retirements." + v, y);
        EXPECT_GE(ret, 0) << v << " " << y;
        EXPECT_NEAR(inst, prev + at(m, "supply.chips." + v, y) - ret, 1e-9 * (1 + inst)) << v << " " << y << " " << life;
        prev = inst;
      }
    }
    double prev = 0;
    for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
      const double inst = at(m, "supply.installed_base_h100e", y);
      EXPECT_NEAR(inst, prev + at(m, "supply.h100_equivalents", y) - at(m, "supply.retirements_h100e", y), 1e-9 * (1 + inst));
      prev = inst;
    }
    if (life == 5.0) {
      // Whole life: the 2024 cohort leaves in 2029 (age 5), nothing retires before.
      EXPECT_EQ(m.at("supply.retirements.huawei.2028"), 0);
      EXPECT_NEAR(m.at("supply.retirements.huawei.2029"), m.at("supply.chips.huawei.2024"), 1e-9 * m.at("supply.chips.huawei.2024"));
    } else {
      // 2.5 years: half of the 2024 cohort leaves in 2026, the other half in 2027 (and half of 2025's).
      EXPECT_NEAR(m.at("supply.retirements.huawei.2026"), 0.5 * m.at("supply.chips.huawei.2024"), 1e-6);
      EXPECT_NEAR(m.at("supply.retirements.huawei.2027"),
                  0.5 * (m.at("supply.chips.huawei.2024") + m.at("supply.chips.huawei.2025")), 1e-6);
    }
  }
}
