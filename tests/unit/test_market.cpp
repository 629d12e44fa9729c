// Market engine: the demand chain by hand, CAGR identities, interpolation,
// overrides and the reconciliation (the report's figures beside the model's:
// test_report_comparison.cpp, a listing, not pass/fail).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include <cmath>

#include <fmt/format.h>

#include "analysis/metrics.hpp"
#include "analysis/scenario.hpp"
#include "cli_helpers.hpp"
#include "market/model.hpp"
#include "market/reconcile.hpp"
#include "studies/evaluate.hpp"
#include "studies/engines.hpp"

using namespace gpugap;
using gpugap::test::run_cli;

namespace {

const analysis::Context& base_ctx() {
  static const analysis::Context c = studies::make_context({analysis::default_catalog_dir()}, "ms-2025", {});
  return c;
}

analysis::Context with(const std::vector<std::string>& sets, const std::string& scenario = "ms-2025") {
  return studies::make_context({analysis::default_catalog_dir()}, scenario, sets);
}

double metric(const analysis::Context& ctx, const std::string& path) { return studies::evaluate(ctx, {path}).at(path); }
double param(const std::string& path) { return base_ctx().params.value(path); }

// A break-even year for ordering: one after the last model year when there is none (NaN).
constexpr double kNever = analysis::kLastYear + 1;
double or_never(double year) { return std::isnan(year) ? kNever : year; }

}  // namespace

// The report's figures (TAM ~67, self-sufficiency 33%/76%, capex 597, growth 38%, ...) are
// not tested here: the scenario's inputs were set to give them, so agreement is no test of
// the model. test_report_comparison.cpp lists them beside what the model gives.

// --- the chain by hand ----------------------------------------------------------

TEST(MarketChain, TamByHand2030) {
  // The chain as stated: 130 x (1 - 0.30) x 0.90 x 0.85 x 0.80 = 55.692, one
  // computed figure; the other buyer classes are added as their own lines.
  const double cloud = 130.0 * 0.70 * 0.90 * 0.85 * 0.80;
  EXPECT_NEAR(cloud, 55.692, 1e-9);
  EXPECT_NEAR(metric(base_ctx(), "market.cloud_ai_gpu_usd_bn.2030"), cloud, 1e-9);
  EXPECT_NEAR(metric(base_ctx(), "market.chain_product.2030"), 0.4284, 1e-12);
  EXPECT_NEAR(metric(base_ctx(), "market.cloud_gpu_share_of_capex.2030"), 0.4284, 1e-12);
  const double sov = param("market.buyers.sovereign_usd_bn.2030"), inn = param("market.buyers.innovator_usd_bn.2030");
  EXPECT_NEAR(metric(base_ctx(), "market.tam_usd_bn.2030"), cloud + sov + inn, 1e-9);
  EXPECT_NEAR(metric(base_ctx(), "market.non_cloud_usd_bn.2030"), sov + inn, 1e-9);
  // The sovereign line by hand: IDC's 2024 market x the non-internet bound x accelerator share.
  EXPECT_NEAR(param("market.buyers.sovereign_usd_bn.2024"), 22.1 * 0.35 * 0.80, 0.005);
  // No input of the TAM is a share of the TAM (nothing left to back-solve).
  EXPECT_FALSE(base_ctx().params.find("market.buyers.non_cloud_share.2030").has_value());
}

TEST(MarketChain, TamByHandEveryYear) {
  const auto m = studies::evaluate_all(base_ctx(), {"market"});
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
    const std::string ys = std::to_string(y);
    const double chain = (1 - param("market.chain.overseas_share." + ys)) * param("market.chain.server_share." + ys) *
                         param("market.chain.ai_server_share." + ys) * param("market.chain.accelerator_share." + ys);
    const double tam = param("market.cloud_capex_usd_bn." + ys) * chain + param("market.buyers.sovereign_usd_bn." + ys) +
                       param("market.buyers.innovator_usd_bn." + ys);
    EXPECT_NEAR(m.at("market.tam_usd_bn." + ys), tam, 1e-9 * tam) << y;
    // AI capex in RMB: its own figure (2024-26), else the cloud capex bridged by FX and the scope ratio.
    const double bridged = param("market.cloud_capex_usd_bn." + ys) * param("regions.cn.fx_per_usd") /
                           param("market.capex_bridge.scope_ratio." + ys);
    EXPECT_NEAR(m.at("market.ai_capex_rmb_bn." + ys), y <= 2026 ? param("market.ai_capex_rmb_bn." + ys) : bridged,
                1e-9) << y;
    EXPECT_EQ(m.at("market.capex_bridge.ai_capex_bridged." + ys), y <= 2026 ? 0.0 : 1.0) << y;
  }
}

TEST(MarketChain, CagrIdentities) {
  const auto m = studies::evaluate_all(base_ctx(), {"market"});
  const double t0 = m.at("market.tam_usd_bn.2024"), t1 = m.at("market.tam_usd_bn.2030");
  EXPECT_NEAR(t0 * std::pow(1 + m.at("market.tam_cagr"), 6), t1, 1e-9 * t1);
  const double d0 = m.at("market.domestic_usd_bn.2024"), d1 = m.at("market.domestic_usd_bn.2030");
  EXPECT_NEAR(d0 * std::pow(1 + m.at("market.domestic_cagr"), 6), d1, 1e-9 * d1);
  // Domestic growth = TAM growth x self-sufficiency growth (self-sufficiency = domestic / TAM).
  const double ss = m.at("market.self_sufficiency.2030") / m.at("market.self_sufficiency.2024");
  EXPECT_NEAR(1 + m.at("market.domestic_cagr"), (1 + m.at("market.tam_cagr")) * std::pow(ss, 1.0 / 6), 1e-12);
  EXPECT_NEAR(market::cagr(6, 51, 6), 0.4285, 0.0005);  // supply-market-notes.md section 7: 42.9%
  EXPECT_NEAR(market::cagr(100, 100, 3), 0.0, 1e-15);
}

TEST(MarketChain, Interpolation) {
  // Linear between given years: AI-server share 75% (2025) -> 85% (2030).
  EXPECT_NEAR(param("market.chain.ai_server_share.2027"), 0.75 + 0.4 * 0.10, 1e-12);
  // Geometric for capex: 83.5 (2026) -> 130 (2030).
  EXPECT_NEAR(param("market.cloud_capex_usd_bn.2028"), 83.5 * std::pow(130.0 / 83.5, 0.5), 1e-9);
  // Before the first given year: held, and flagged as a default.
  const Param& held = base_ctx().params.at("market.chain.overseas_share.2024");
  EXPECT_DOUBLE_EQ(held.value, 0.40);
  EXPECT_TRUE(held.prov.is_default);
  EXPECT_NEAR(param("market.chain.overseas_share.2026"), 0.35, 1e-12);
  EXPECT_FALSE(base_ctx().params.at("market.chain.overseas_share.2027").prov.is_default);
}

TEST(MarketChain, OverridesFlowThrough) {
  // Overseas share 30% -> 20% in 2030: the cloud part of the TAM scales by 0.8 / 0.7, the added buyers stay.
  const auto ctx = with({"market.chain.overseas_share.2030=0.2"});
  const double before = metric(base_ctx(), "market.tam_usd_bn.2030");
  const double after = metric(ctx, "market.tam_usd_bn.2030");
  const double cloud = metric(base_ctx(), "market.cloud_ai_gpu_usd_bn.2030");
  EXPECT_NEAR(after - before, cloud * (0.8 / 0.7 - 1), 1e-9);
  // Other years are untouched.
  EXPECT_DOUBLE_EQ(metric(ctx, "market.tam_usd_bn.2029"), metric(base_ctx(), "market.tam_usd_bn.2029"));
  // Through the CLI too, with the override recorded.
  auto r = run_cli("eval market.tam_usd_bn.2030 --set market.chain.overseas_share.2030=0.2 --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  EXPECT_NEAR(j["metrics"]["market.tam_usd_bn.2030"].get<double>(), before + cloud * (0.8 / 0.7 - 1), 1e-9);
  EXPECT_EQ(j["overrides"][0].get<std::string>(), "market.chain.overseas_share.2030=0.2");
}

TEST(MarketChain, OutOfRangeOverrideRejected) {
  auto r = run_cli("eval market.tam_usd_bn.2030 --set market.chain.overseas_share.2030=1.4");
  EXPECT_EQ(r.rc, 2) << r.out;
}

// --- reconciliation ----------------------------------------------------------------

TEST(MarketReconciliation, ExplicitGapAndAlternatives) {
  // supply-market-notes.md section 7: the stated ratios give 42.84% -> $55.7bn;
  // alone, the overseas share would have to be 1 - (67/130) / 0.612 = 15.8%
  // (the notes round to 15.9%); the server and AI-server shares would have to
  // exceed 1 (impossible).
  const auto r = market::reconcile(base_ctx());
  EXPECT_NEAR(r.chain_product, 0.4284, 1e-12);
  EXPECT_NEAR(r.cloud_tam, 55.692, 1e-9);
  ASSERT_TRUE(r.published_tam);
  EXPECT_DOUBLE_EQ(*r.published_tam, 67.0);
  ASSERT_EQ(r.alternatives.size(), 5u);
  EXPECT_NEAR(r.alternatives[0].required, 1 - (67.0 / 130) / 0.612, 1e-12);  // overseas share
  EXPECT_NEAR(r.alternatives[0].required, 0.159, 0.0015);
  EXPECT_TRUE(r.alternatives[0].feasible);
  EXPECT_FALSE(r.alternatives[1].feasible);                // server share 1.08
  EXPECT_FALSE(r.alternatives[2].feasible);                // AI-server share 1.02
  EXPECT_NEAR(r.alternatives[3].required, 0.962, 0.001);   // accelerator share
  EXPECT_NEAR(r.alternatives[4].required, 67 - 55.692, 1e-9);  // added buyers, USD bn
  EXPECT_NEAR(r.tam, 55.692 + r.sovereign + r.innovator, 1e-9);
}

TEST(MarketCli, MarketShowsPublishedAndReconciliation) {
  auto r = run_cli("market");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("Reconciliation"), std::string::npos);
  EXPECT_NE(r.out.find("42.84%"), std::string::npos);
  EXPECT_NE(r.out.find("ADDS"), std::string::npos);
  EXPECT_NE(r.out.find("market.tam_usd_bn.2030"), std::string::npos);
  auto j = run_cli("market --format json");
  ASSERT_EQ(j.rc, 0) << j.err;
  const auto js = j.json();
  EXPECT_EQ(js["years"].size(), 7u);
  bool found = false;
  for (const auto& p : js["published"]) {
    if (p["metric"] == "market.tam_usd_bn.2030") {
      found = true;
      EXPECT_DOUBLE_EQ(p["published"].get<double>(), 67.0);
      EXPECT_NEAR(p["difference"].get<double>(), p["computed"].get<double>() - 67.0, 1e-12);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_NEAR(js["reconciliation"]["gap_usd_bn"].get<double>(), 67 - 55.692, 1e-9);
  // The headline: each step beside the published figure (where there is one),
  // difference = computed - published, and a reason on every row.
  std::set<std::string> metrics;
  for (const auto& h : js["headline"]) {
    EXPECT_FALSE(h["why"].get<std::string>().empty()) << h["item"];
    metrics.insert(h["metric"].get<std::string>());
    if (!h["published"].is_null() && !h["computed"].is_null()) {
      EXPECT_NEAR(h["difference"].get<double>(), h["computed"].get<double>() - h["published"].get<double>(), 1e-12);
    }
  }
  for (const char* m : {"market.tam_usd_bn.2030", "market.domestic_usd_bn.2030", "market.self_sufficiency.2024",
                        "market.self_sufficiency.2030", "market.breakeven_year", "market.breakeven_year_cashflow"})
    EXPECT_TRUE(metrics.count(m)) << m;
  // Bottom-up spend beside the TAM: implied total / TAM each year it is known.
  ASSERT_EQ(js["bottom_up"].size(), 7u);
  for (const auto& b : js["bottom_up"])
    if (!b["ratio_to_tam"].is_null()) {
      EXPECT_NEAR(b["ratio_to_tam"].get<double>(),
                  b["implied_total_usd_bn"].get<double>() / b["tam_usd_bn"].get<double>(), 1e-12);
    }
}

// --- supply-derived view, returns layer, valuation -----------------------------------

// --- the market closure: imports, domestic supply, unmet demand ---------------------

TEST(MarketClosure, DomesticPlusImportsPlusUnmetIsDemandEveryYear) {
  const auto m = studies::evaluate_all(base_ctx(), {"market", "supply"});
  double carried = 0;
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
    const std::string ys = std::to_string(y);
    auto at = [&](const std::string& stem) { return m.at("market." + stem + "." + ys); };
    const double tam = at("tam_usd_bn");
    EXPECT_NEAR(at("domestic_usd_bn") + at("imports_usd_bn") + at("unmet_usd_bn"), tam, 1e-9 * tam) << y;
    EXPECT_GE(at("unmet_usd_bn"), -1e-12) << y;
    EXPECT_NEAR(at("self_sufficiency"), at("domestic_usd_bn") / tam, 1e-12) << y;
    // Imports by hand: licensed (within the purchase guidance) plus grey.
    const double licensed = std::min(param("market.imports.licensed_usd_bn." + ys),
                                     param("market.imports.guidance_cap_share." + ys) * tam);
    EXPECT_NEAR(at("imports_usd_bn"), std::min(licensed + param("market.imports.grey_usd_bn." + ys), tam), 1e-9) << y;
    // One step a year: this year's supply plus what went unsold last year; the rest carries on.
    EXPECT_NEAR(at("domestic_available_usd_bn"), m.at("supply.value_usd_bn." + ys) + carried, 1e-9) << y;
    EXPECT_NEAR(at("domestic_usd_bn"), std::min(at("domestic_available_usd_bn"), at("domestic_demand_usd_bn")), 1e-9)
        << y;
    EXPECT_NEAR(at("domestic_unsold_usd_bn"), at("domestic_available_usd_bn") - at("domestic_usd_bn"), 1e-9) << y;
    carried = at("domestic_unsold_usd_bn");
  }
}

// 2026 is a year where domestic supply binds in ms-2025 (unmet demand, nothing carried out).
TEST(MarketClosure, SupplyBindsIn2026) {
  const auto m = studies::evaluate_all(base_ctx(), {"market"});
  EXPECT_GT(m.at("market.unmet_usd_bn.2026"), 0);
  EXPECT_DOUBLE_EQ(m.at("market.domestic_unsold_usd_bn.2026"), 0);
}

static std::vector<std::string> scaled_series(const std::string& stem, double k) {
  std::vector<std::string> sets;
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
    const std::string path = stem + "." + std::to_string(y);
    sets.push_back(path + "=" + fmt::format("{:.17g}", k * param(path)));
  }
  return sets;
}

TEST(MarketClosure, ATenPercentYieldCutCostsTheLostChipsAtTheirAsp) {
  // Where supply binds, a 10% cut in N+2 yield cuts domestic revenue by the
  // chips the supply model loses x their ASP (plus what it no longer carries in).
  const auto cut = with(scaled_series("supply.nodes.smic-n2.yield", 0.9));
  const auto base_m = studies::evaluate_all(base_ctx(), {"market"});
  const auto cut_m = studies::evaluate_all(cut, {"market"});
  const supply::SupplyReader base_r(base_ctx(), base_ctx().params), cut_r(cut, cut.params);
  const auto by = base_r.read(base_ctx().params.values()), cy = cut_r.read(cut.params.values());
  const int i = 2026 - analysis::kFirstYear;
  double lost = 0;
  for (const auto& [chip, sku] : by[i].skus) lost += (sku.chips - cy[i].skus.at(chip).chips) * sku.asp_usd / 1e9;
  EXPECT_GT(lost, 0);
  const double carried_in = base_m.at("market.domestic_unsold_usd_bn.2025") - cut_m.at("market.domestic_unsold_usd_bn.2025");
  const double drop = base_m.at("market.domestic_usd_bn.2026") - cut_m.at("market.domestic_usd_bn.2026");
  EXPECT_NEAR(drop, lost + carried_in, 1e-6 * drop);
  EXPECT_LT(cut_m.at("market.self_sufficiency.2026"), base_m.at("market.self_sufficiency.2026"));
}

TEST(MarketClosure, SelfSufficiencyFallsWithSupplyAndRisesWhenImportsAreCut) {
  const double base = metric(base_ctx(), "market.self_sufficiency.2026");
  EXPECT_LT(metric(with(scaled_series("supply.nodes.smic-n2.wafers_per_month", 0.8)), "market.self_sufficiency.2026"),
            base);
  EXPECT_LT(metric(with(scaled_series("supply.hbm_lines.cxmt.wafers_per_month", 0.5)), "market.self_sufficiency.2026"),
            base);
  // In 2028 supply does not bind (stock carried on): cutting imports raises self-sufficiency.
  const double base28 = metric(base_ctx(), "market.self_sufficiency.2028");
  ASSERT_GT(metric(base_ctx(), "market.domestic_unsold_usd_bn.2028"), 0);
  EXPECT_GT(metric(with({"market.imports.licensed_usd_bn.2028=0", "market.imports.grey_usd_bn.2028=0"}),
                   "market.self_sufficiency.2028"),
            base28);
  // A slower-adopting cloud buyer lowers it.
  EXPECT_LT(metric(with({}, "risk-slow-adoption"), "market.self_sufficiency.2028"), base28);
}

TEST(MarketClosure, SensitivityListsSupplyInputsAndNoSelfSufficiencyInput) {
  for (const char* m : {"market.self_sufficiency.2030", "market.domestic_usd_bn.2030"}) {
    auto r = run_cli(std::string("sensitivity --metric ") + m + " --format json");
    ASSERT_EQ(r.rc, 0) << r.err;
    const auto j = r.json();
    bool supply_moves = false;
    for (const auto& row : j["rows"]) {
      const auto p = row["param"].get<std::string>();
      EXPECT_EQ(p.find("self_sufficiency"), std::string::npos) << p;
      if (p.starts_with("supply.")) supply_moves = true;
    }
    EXPECT_TRUE(supply_moves) << m;
  }
  EXPECT_FALSE(base_ctx().params.find("market.self_sufficiency_assumed.2030").has_value());
}

TEST(MarketInfra, DepreciationByHand) {
  // Straight-line over regions.cn.depreciation_years (5): in 2028 the 2024-28
  // vintages are each depreciated by 1/5; in 2025 the 2022 and 2023 servers
  // (the installed base before the model years) are still in service.
  const auto m = studies::evaluate_all(base_ctx(), {"market"});
  const double life = param("regions.cn.depreciation_years");
  const double fx = param("regions.cn.fx_per_usd");
  ASSERT_DOUBLE_EQ(life, 5);
  const double pre = (param("market.infra.servers_2022_usd_bn") + param("market.infra.servers_2023_usd_bn")) * fx;
  EXPECT_NEAR(m.at("market.infra.installed_pre2024_rmb_bn.2025"), pre, 1e-9);
  EXPECT_NEAR(m.at("market.infra.installed_pre2024_rmb_bn.2027"), param("market.infra.servers_2023_usd_bn") * fx, 1e-9);
  EXPECT_EQ(m.at("market.infra.installed_pre2024_rmb_bn.2028"), 0.0);
  EXPECT_NEAR(m.at("market.infra.depreciation_rmb_bn.2025"),
              (pre + m.at("market.infra.capex_rmb_bn.2024") + m.at("market.infra.capex_rmb_bn.2025")) / life, 1e-9);
  double dep = 0;
  for (int y = 2024; y <= 2028; ++y) dep += m.at("market.infra.capex_rmb_bn." + std::to_string(y)) / life;
  EXPECT_NEAR(m.at("market.infra.depreciation_rmb_bn.2028"), dep, 1e-9);
  double dep30 = 0;
  for (int y = 2026; y <= 2030; ++y) dep30 += m.at("market.infra.capex_rmb_bn." + std::to_string(y)) / life;
  EXPECT_NEAR(m.at("market.infra.depreciation_rmb_bn.2030"), dep30, 1e-9);
  // Margin identity.
  const double rev = m.at("market.infra.revenue_rmb_bn.2030");
  EXPECT_NEAR(m.at("market.ai_infra_margin.2030"), (rev - m.at("market.infra.cost_rmb_bn.2030")) / rev, 1e-12);
}

TEST(MarketInfra, RevenueIsTheTokensServedAtListPrices) {
  // Tokens of a year: the mean of a run rate moving geometrically between
  // year-end points, x 365; price: the sourced mix of cached input, input and
  // output prices, falling by the learning rate a year after the price year.
  const auto m = studies::evaluate_all(base_ctx(), {"market"});
  const double prior = param("demand.daily_tokens_prior"), end25 = param("demand.daily_tokens.2025");
  const double end24 = param("demand.daily_tokens.2024");
  const double tokens25 = (end25 - end24) / std::log(end25 / end24) * 365.0;
  EXPECT_NEAR(m.at("market.infra.tokens_served_t.2025") * 1e12, tokens25, 1e-6 * tokens25);
  EXPECT_NEAR(m.at("market.infra.tokens_served_t.2024") * 1e12, (end24 - prior) / std::log(end24 / prior) * 365.0,
              1e-6 * end24 * 365);
  const double out = param("demand.output_token_share"), hit = param("demand.prefix_cache_hit_share");
  const double p25 = (1 - out) * (hit * param("demand.price.cached_input_rmb_per_mtok") +
                                  (1 - hit) * param("demand.price.input_rmb_per_mtok")) +
                     out * param("demand.price.output_rmb_per_mtok");
  EXPECT_NEAR(m.at("market.infra.price_rmb_per_mtok.2025"), p25, 1e-12);
  const double keep = 1 - param("demand.price.decline_per_year");
  EXPECT_NEAR(m.at("market.infra.price_rmb_per_mtok.2030"), p25 * std::pow(keep, 5), 1e-12);
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
    const std::string ys = std::to_string(y);
    EXPECT_NEAR(m.at("market.infra.revenue_rmb_bn." + ys),
                m.at("market.infra.tokens_served_t." + ys) * 1e12 / 1e6 * m.at("market.infra.price_rmb_per_mtok." + ys) /
                    1e9,
                1e-9) << y;
  }
}

TEST(MarketInfra, PowerSubsidyOnlyForDomesticChips) {
  // Power = the full bill x (1 - subsidy x the domestic share of the installed
  // base); the domestic share of each vintage is the closure's domestic sales / TAM.
  const auto base = studies::evaluate_all(base_ctx(), {"market"});
  const auto none = studies::evaluate_all(with({"market.infra.domestic_power_subsidy.2030=0"}), {"market"});
  const double share = base.at("market.infra.domestic_installed_share.2030");
  EXPECT_GT(share, 0.3);
  EXPECT_LT(share, 1.0);
  EXPECT_NEAR(base.at("market.infra.power_rmb_bn.2030"),
              none.at("market.infra.power_rmb_bn.2030") * (1 - param("market.infra.domestic_power_subsidy.2030") * share),
              1e-9);
  // Years before the subsidy pay the full bill.
  EXPECT_DOUBLE_EQ(param("market.infra.domestic_power_subsidy.2025"), 0);
  // More imports (less domestic in the fleet) raise the power bill.
  EXPECT_GT(metric(with({"market.imports.guidance_cap_share.2027=1", "market.imports.licensed_usd_bn.2027=30"}),
                   "market.infra.power_rmb_bn.2028"),
            base.at("market.infra.power_rmb_bn.2028"));
}

TEST(MarketCapex, TheBridgeFillsOnlyYearsWithoutAnRmbFigure) {
  // A scope ratio moves the bridged years (2027-30) only; an RMB figure given
  // for a year replaces the bridge there.
  const auto m = studies::evaluate_all(with({"market.capex_bridge.scope_ratio.2026=2",
                                             "market.capex_bridge.scope_ratio.2028=2"}),
                                       {"market"});
  EXPECT_NEAR(m.at("market.ai_capex_rmb_bn.2026"), 597, 1e-9);
  EXPECT_NEAR(m.at("market.capex_bridge.implied_scope.2026"),
              param("market.cloud_capex_usd_bn.2026") * param("regions.cn.fx_per_usd") / 597, 1e-12);
  EXPECT_NEAR(m.at("market.ai_capex_rmb_bn.2028"),
              param("market.cloud_capex_usd_bn.2028") * param("regions.cn.fx_per_usd") / 2, 1e-9);
  EXPECT_NEAR(metric(with({"market.ai_capex_rmb_bn.2028=800"}), "market.ai_capex_rmb_bn.2028"), 800, 1e-9);
  // The TAM reads the cloud capex, not the RMB series.
  EXPECT_NEAR(metric(with({"market.ai_capex_rmb_bn.2026=900"}), "market.tam_usd_bn.2026"),
              metric(base_ctx(), "market.tam_usd_bn.2026"), 1e-12);
}

TEST(MarketInfra, BreakevenBothWaysByIdentity) {
  // Accounting: revenue - (depreciation + power + leasing); cash flow: revenue -
  // (power + leasing + the year's AI-server capex). Each break-even is the first
  // year its quantity is >= 0.
  const auto m = studies::evaluate_all(base_ctx(), {"market"});
  double acc = kNever, cash = kNever;
  double cum_cash = 0, cum_profit = 0;
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
    const std::string ys = std::to_string(y);
    auto at = [&](const std::string& stem) { return m.at("market." + stem + "." + ys); };
    const double cf = at("infra.revenue_rmb_bn") - at("infra.power_rmb_bn") - at("infra.leasing_rmb_bn") -
                      at("infra.capex_rmb_bn");
    EXPECT_NEAR(at("infra.cash_flow_rmb_bn"), cf, 1e-9) << y;
    EXPECT_NEAR(at("infra.profit_rmb_bn"), cf + at("infra.capex_rmb_bn") - at("infra.depreciation_rmb_bn"), 1e-9) << y;
    if (at("infra.profit_rmb_bn") >= 0 && acc == kNever) acc = y;
    if (cf >= 0 && cash == kNever) cash = y;
    cum_cash += cf;
    cum_profit += at("infra.profit_rmb_bn");
  }
  // A break-even not reached by 2030 has no value (null in JSON), not a year.
  EXPECT_EQ(or_never(m.at("market.breakeven_year")), acc);
  EXPECT_EQ(or_never(m.at("market.breakeven_year_cashflow")), cash);
  if (acc == kNever) {
    EXPECT_TRUE(std::isnan(m.at("market.breakeven_year")));
  }
  // While capex grows, spend runs ahead of depreciation: cash turns positive no earlier than profit.
  EXPECT_GE(cash, acc);
  EXPECT_LT(cum_cash, cum_profit);
}

TEST(MarketInfra, BreakevenMovesWithTheTokenPrice) {
  // Revenue is tokens x price: with no price learning the fleet earns more and
  // breaks even no later; with faster learning no earlier. A tiny token volume
  // never breaks even.
  const double base = or_never(metric(base_ctx(), "market.breakeven_year"));
  const double flat = metric(with({"demand.price.decline_per_year=0"}), "market.breakeven_year");
  EXPECT_LE(flat, base);
  EXPECT_LE(flat, analysis::kLastYear);  // list prices held: revenue covers cost by 2030
  EXPECT_GE(or_never(metric(with({"demand.price.decline_per_year=0.6"}), "market.breakeven_year")), base);
  EXPECT_TRUE(std::isnan(
      metric(with({"demand.daily_tokens.2030=1e12", "demand.price.decline_per_year=0.9"}), "market.breakeven_year")));
}

TEST(MarketValuation, ImpliedMultiple) {
  const auto m = studies::evaluate_all(base_ctx(), {"market"});
  const double fx = param("regions.cn.fx_per_usd");
  const double rev = m.at("market.valuation.revenue_usd_bn.cambricon.2026");
  EXPECT_GT(rev, 0);
  EXPECT_NEAR(m.at("market.valuation.implied_ps.cambricon.2026"), 577.3 / fx / rev, 1e-9);
  EXPECT_NEAR(m.at("market.valuation.implied_value_usd_bn.cambricon.2026"), 50 * rev, 1e-9);
  EXPECT_NEAR(rev, m.at("market.domestic_usd_bn.2026") * m.at("market.valuation.share.cambricon.2026"), 1e-12);
}

TEST(MarketValuation, VendorsOutsideSupplyTakeTheirShareOfWhatSupplyLeaves) {
  // T-Head (an IPO candidate the supply model does not make) sells only into
  // the domestic demand the supply model's vendors leave unfilled: revenue =
  // share x domestic demand, capped by domestic demand - domestic sales;
  // implied value = revenue x P/S; implied P/S = market value / revenue.
  const auto m = studies::evaluate_all(base_ctx(), {"market", "supply"});
  const double fx = param("regions.cn.fx_per_usd");
  // Kunlunxin, whose chips the supply model makes, sells its share of the domestic supply.
  const double kx = m.at("market.valuation.revenue_usd_bn.kunlunxin.2026");
  EXPECT_GT(kx, 0);
  EXPECT_NEAR(kx, m.at("market.domestic_usd_bn.2026") * m.at("market.valuation.share.kunlunxin.2026"), 1e-12);
  EXPECT_NEAR(m.at("market.valuation.share.kunlunxin.2026"),
              m.at("supply.revenue_usd_bn.kunlunxin.2026") / m.at("supply.value_usd_bn.2026"), 1e-9);
  const std::string vs = "thead";
  const double share = param("market.valuation.domestic_share." + vs);
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
    const std::string ys = std::to_string(y);
    const double wanted = m.at("market.domestic_demand_usd_bn." + ys);
    const double room = wanted - m.at("market.domestic_usd_bn." + ys);
    const double rev = m.at("market.valuation.revenue_usd_bn." + vs + "." + ys);
    EXPECT_NEAR(rev, std::min(share * wanted, room), 1e-9) << y;  // the only vendor outside supply
    EXPECT_LE(rev, m.at("market.unmet_usd_bn." + ys) + 1e-9) << y;
  }
  // 2026: supply binds (unmet demand), so T-Head has room to sell.
  const double rev = m.at("market.valuation.revenue_usd_bn." + vs + ".2026");
  ASSERT_GT(rev, 0);
  EXPECT_NEAR(m.at("market.valuation.implied_value_usd_bn." + vs + ".2026"),
              rev * param("market.valuation.ps_multiple." + vs), 1e-9);
  EXPECT_NEAR(m.at("market.valuation.implied_ps." + vs + ".2026"),
              param("market.valuation.market_cap_rmb_bn." + vs) / fx / rev, 1e-9);
}

TEST(MarketValuation, VendorRevenuesSumToAtMostTheDomesticDemand) {
  // Supply vendors together sell the domestic market; vendors outside supply
  // add at most what it leaves: every year the sum stays within the domestic
  // demand (after imports and adoption caps), also when an outside vendor's
  // share is set to take the whole market.
  for (const auto& sets : {std::vector<std::string>{}, std::vector<std::string>{"market.valuation.domestic_share.thead=1"}}) {
    const auto m = studies::evaluate_all(with(sets), {"market"});
    for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
      const std::string ys = std::to_string(y);
      double supply_vendors = 0, all = 0;
      for (const auto& [path, v] : m) {
        if (!path.starts_with("market.valuation.revenue_usd_bn.") || !path.ends_with("." + ys)) continue;
        all += v;
        if (path.find(".thead.") == std::string::npos) supply_vendors += v;
      }
      // The valued supply vendors are some of supply's (not Huawei): within the domestic market.
      const double domestic = m.at("market.domestic_usd_bn." + ys);
      EXPECT_LE(supply_vendors, domestic * (1 + 1e-12) + 1e-12) << y;
      EXPECT_LE(all, m.at("market.domestic_demand_usd_bn." + ys) * (1 + 1e-12) + 1e-12) << y;
    }
  }
}

TEST(MarketCli, BreakevenNotReachedIsNullWithAReason) {
  // cli.md's break-even years are numbers when reached; when not reached by
  // 2030 the JSON carries null and a reason, the table "not by 2030".
  auto r = run_cli("market --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto js = r.json();
  for (const char* key : {"breakeven_year", "breakeven_year_cashflow"}) {
    const auto& year = js[key];
    const auto& why = js[std::string(key) == "breakeven_year" ? "breakeven_reason" : "breakeven_year_cashflow_reason"];
    if (year.is_null()) {
      ASSERT_TRUE(why.is_string()) << key;
      EXPECT_TRUE(why.get<std::string>().starts_with("not reached by 2030: revenue RMB")) << why;
    } else {
      EXPECT_LE(year.get<double>(), analysis::kLastYear);
      EXPECT_TRUE(why.is_null());
    }
  }
  // ms-2025 reaches neither by 2030 (a finding, docs/model-market.md section 4).
  EXPECT_TRUE(js["breakeven_year"].is_null());
  r = run_cli("market");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("not by 2030"), std::string::npos);
  EXPECT_EQ(r.out.find("2031"), std::string::npos);
  // With list prices held, the accounting break-even is a year again, with no reason.
  const auto flat = run_cli("market --set demand.price.decline_per_year=0 --format json").json();
  EXPECT_TRUE(flat["breakeven_year"].is_number());
  EXPECT_TRUE(flat["breakeven_reason"].is_null());
}

TEST(MarketCompile, CompiledMatchesComputed) {
  const auto& ctx = base_ctx();
  const std::vector<std::string> paths = {"market.tam_usd_bn.2030", "market.domestic_cagr", "market.breakeven_year",
                                          "market.self_sufficiency.2029", "market.ai_infra_margin.2030"};
  const auto fn = studies::compile(ctx, paths);
  const auto values = ctx.params.values();
  std::vector<double> out(paths.size());
  fn(values, out);
  const auto m = studies::evaluate(ctx, paths);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (std::isnan(m.at(paths[i]))) EXPECT_TRUE(std::isnan(out[i])) << paths[i];  // a break-even not reached
    else EXPECT_DOUBLE_EQ(out[i], m.at(paths[i])) << paths[i];
  }
  // The compiled function reads the perturbed vector, not the table.
  auto v2 = values;
  v2[*ctx.params.find("market.chain.accelerator_share.2030")] = 0.4;
  fn(v2, out);
  EXPECT_NEAR(out[0], m.at(paths[0]) - metric(ctx, "market.cloud_ai_gpu_usd_bn.2030") / 2, 1e-9);
}

// Supply and market metrics compiled together share one supply run (the
// market provider takes the supply paths over); the values still come back in
// the caller's order, whatever order the paths are given in.
TEST(MarketCompile, SupplyAndMarketTogetherKeepTheCallersOrder) {
  const auto& ctx = base_ctx();
  const std::vector<std::string> paths = {"supply.chips_total.2030", "market.tam_usd_bn.2030",
                                          "supply.binding_constraint.2029", "market.self_sufficiency.2030",
                                          "supply.d0_per_cm2.smic-n2.2027", "supply.packages.huawei-ascend-910c.2026"};
  const auto m = studies::evaluate(ctx, paths);
  std::vector<std::string> rev(paths.rbegin(), paths.rend());
  for (const auto& order : {paths, rev}) {
    const auto fn = studies::compile(ctx, order);
    std::vector<double> out(order.size());
    fn(ctx.params.values(), out);
    for (std::size_t i = 0; i < order.size(); ++i) EXPECT_DOUBLE_EQ(out[i], m.at(order[i])) << order[i];
  }
}

// What the market model (with its supply run) reads: its inputs and the
// supply inputs, not the demand or scorecard parameters; so `mc` leaves those
// undrawn and says so.
TEST(MarketCompile, ParamsReadAreTheModelsInputs) {
  const auto& ctx = base_ctx();
  const auto used = studies::params_read(ctx, {"market.tam_usd_bn.2030", "supply.chips_total.2030"});
  ASSERT_TRUE(used.has_value());
  EXPECT_TRUE((*used)[ctx.params.require("market.cloud_capex_usd_bn.2030")]);
  EXPECT_TRUE((*used)[ctx.params.require("supply.nodes.smic-n2.wafers_per_month.2027")]);
  EXPECT_TRUE((*used)[ctx.params.require("regions.cn.fx_per_usd")]);
  EXPECT_FALSE((*used)[ctx.params.require("demand.utilisation")]);
  auto r = run_cli("mc --scenario ms-2025 --metric market.tam_usd_bn.2030 --samples 2000 --seed 3 --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto nd = r.json()["not_drawn"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(nd.begin(), nd.end(), "demand.utilisation"), nd.end());
  EXPECT_EQ(std::find(nd.begin(), nd.end(), "market.cloud_capex_usd_bn"), nd.end());
}

TEST(MarketScenarios, VariantsCompileAndOrder) {
  const double base = metric(base_ctx(), "market.tam_usd_bn.2030");
  const double bull = metric(with({}, "ms-2025-bull"), "market.tam_usd_bn.2030");
  const double bear = metric(with({}, "ms-2025-bear"), "market.tam_usd_bn.2030");
  EXPECT_GT(bull, base);
  EXPECT_LT(bear, base);
  // 2028: a year in which demand, not supply, sets domestic sales in ms-2025 (unsold stock > 0); where HBM
  // holds supply below demand (2029-30) slower adoption cannot cut sales further.
  ASSERT_GT(metric(base_ctx(), "market.domestic_unsold_usd_bn.2028"), 0);
  const double dom = metric(base_ctx(), "market.domestic_usd_bn.2028");
  EXPECT_LT(metric(with({}, "risk-slow-adoption"), "market.domestic_usd_bn.2028"), dom);
  EXPECT_LE(metric(with({}, "risk-slow-adoption"), "market.domestic_usd_bn.2030"),
            metric(base_ctx(), "market.domestic_usd_bn.2030"));
  EXPECT_LT(metric(with({}, "risk-foundry-shortfall"), "supply.chips_total.2027"),
            metric(base_ctx(), "supply.chips_total.2027"));
}

// A reader can follow every published figure to the report or its outside source,
// never to a file of this project.
TEST(MarketCitations, PublishedFiguresCiteTheReportOrAnOutsideSource) {
  for (const char* id : {"ms-2025", "ms-2025-bull", "ms-2025-bear", "risk-slow-adoption"}) {
    const auto ctx = with({}, id);
    ASSERT_FALSE(ctx.scenario.published.empty()) << id;
    for (const auto& pub : ctx.scenario.published) {
      const std::string& src = pub.prov.source;
      EXPECT_FALSE(src.empty()) << pub.metric;
      for (const char* project_file : {".md", ".yaml", "catalog/", "mission"})
        EXPECT_EQ(src.find(project_file), std::string::npos) << id << ": " << pub.metric << ": " << src;
    }
  }
  // The report's Q2 figures name the report itself and the article it came through.
  for (const auto& pub : base_ctx().scenario.published) {
    if (pub.metric.starts_with("market.self_sufficiency") || pub.metric.starts_with("market.tam_usd_bn")) {
      EXPECT_NE(pub.prov.source.find("Morgan Stanley"), std::string::npos) << pub.metric;
      EXPECT_NE(pub.prov.source.find("narrowing the gap with the US"), std::string::npos) << pub.metric;
      EXPECT_NE(pub.prov.source.find("硅基观察Pro"), std::string::npos) << pub.metric;
    }
  }
}
