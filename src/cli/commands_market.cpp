// `gpugap market`: the demand chain per year, self-sufficiency both ways, the
// AI-infrastructure returns, computed vs published with differences, and the
// reconciliation of the report's TAM ratios.
#include <fmt/format.h>

#include <cmath>
#include <span>

#include "analysis/metrics.hpp"
#include "cli/cli.hpp"
#include "core/status.hpp"
#include "market/model.hpp"
#include "market/reconcile.hpp"
#include "studies/evaluate.hpp"

namespace gpugap::cli {
namespace {

using supply::kYears;
using supply::year_at;

std::string num(double v, int digits = 2) { return std::isnan(v) ? "-" : fmt::format("{:.{}f}", v, digits); }
std::string pct(double v) { return std::isnan(v) ? "-" : fmt::format("{:.1f}%", 100 * v); }

std::string year_or_none(double y) {
  return y > analysis::kLastYear ? std::string("not by 2030") : fmt::format("{:.0f}", y);
}

nlohmann::json jnum(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

// Computed vs published (the scenario's `published:` figures).
Table published_table(const analysis::Context& ctx, nlohmann::json& jpub) {
  Table pub{{"metric", "computed", "published", "difference", "diff %", "source"}, {}, {false, true, true, true, true, false}};
  const auto all = studies::evaluate_all(ctx, {"market", "supply"});
  for (const auto& p : ctx.scenario.published) {
    auto it = all.find(p.metric);
    if (it == all.end()) continue;
    const double c = it->second;
    const double d = c - p.value;
    const double dp = p.value != 0 ? d / p.value : std::nan("");
    pub.rows.push_back({p.metric, fmt_num(c, 4), fmt_num(p.value, 4), fmt_num(d, 3), pct(dp), p.prov.source});
    jpub.push_back({{"metric", p.metric}, {"computed", c}, {"published", p.value}, {"difference", d},
                    {"difference_pct", jnum(dp)}, {"source", p.prov.source}});
  }
  return pub;
}

// The reconciliation of the report's TAM ratios: text and JSON.
std::string reconciliation_text(const analysis::Context& ctx, nlohmann::json& jrec) {
  const auto r = market::reconcile(ctx);
  std::string text;
  text += fmt::format("Reconciliation of the report's TAM ratios ({}):\n", r.year);
  text += fmt::format("  stated ratios: (1 - {:.2f}) x {:.2f} x {:.2f} x {:.2f} = {:.2f}% of ${:.1f}bn capex = ${:.1f}bn\n",
                      r.overseas, r.server, r.ai_server, r.accelerator, 100 * r.chain_product, r.capex, r.cloud_tam);
  jrec = {{"year", r.year},
          {"capex_usd_bn", r.capex},
          {"overseas_share", r.overseas},
          {"server_share", r.server},
          {"ai_server_share", r.ai_server},
          {"accelerator_share", r.accelerator},
          {"chain_product", r.chain_product},
          {"cloud_tam_usd_bn", r.cloud_tam},
          {"sovereign_usd_bn", r.sovereign},
          {"innovator_usd_bn", r.innovator},
          {"tam_usd_bn", r.tam}};
  if (r.published_tam) {
    const double share = r.published_share.value_or(*r.published_tam / r.capex);
    text += fmt::format("  published: {:.0f}% / ${:.0f}bn -> gap ${:.1f}bn ({:.1f} points of capex)\n", 100 * share,
                        *r.published_tam, *r.published_tam - r.cloud_tam, 100 * (*r.published_tam / r.capex - r.chain_product));
    text += fmt::format("  scenario '{}' ADDS the report's other buyer classes as their own sourced lines: sovereign "
                        "${:.1f}bn + innovators ${:.1f}bn -> TAM ${:.1f}bn ({:+.1f}% vs published); the four stated "
                        "ratios are unchanged and nothing is set from the published figure\n",
                        ctx.scenario.id, r.sovereign, r.innovator, r.tam, 100 * (r.tam / *r.published_tam - 1));
    text += "  alternatives (each alone, with no added buyers, would reproduce the published TAM):\n";
    nlohmann::json jalt = nlohmann::json::array();
    for (const auto& a : r.alternatives) {
      text += fmt::format("    {:<36} {:.3f} -> {:.3f}{}\n", a.param, a.current, a.required,
                          a.feasible ? "" : "  (impossible: a share above 1)");
      jalt.push_back({{"param", a.param}, {"current", a.current}, {"required", a.required}, {"feasible", a.feasible}});
    }
    jrec["published_tam_usd_bn"] = *r.published_tam;
    jrec["published_share"] = share;
    jrec["gap_usd_bn"] = *r.published_tam - r.cloud_tam;
    jrec["additions"] = {{"params", {fmt::format("market.buyers.sovereign_usd_bn.{}", r.year),
                                     fmt::format("market.buyers.innovator_usd_bn.{}", r.year)}},
                         {"usd_bn", r.tam - r.cloud_tam},
                         {"kind", "sourced buyer lines (sovereign, innovators); stated ratios unchanged"}};
    jrec["alternatives"] = jalt;
  }
  return text;
}

// Valuation (revenue = domestic market x supply share) for 2025, 2026 and 2030.
Table valuation_table(const analysis::Context& ctx, const market::MarketModel& model, std::span<const double> values,
                      const std::vector<double>& buf, nlohmann::json& jval) {
  const auto& o = model.out();
  Table val{{"vendor", "year", "share of supply", "revenue $bn", "P/S", "implied value $bn", "market cap $bn",
             "implied P/S"},
            {},
            {false, true, true, true, true, true, true, true}};
  if (model.has_supply()) {
    const double fx = ctx.params.value("regions.cn.fx_per_usd");
    for (std::size_t k = 0; k < model.valuations().size(); ++k) {
      const auto& v = model.valuations()[k];
      for (int y : {1, 2, kYears - 1}) {  // 2025, 2026, 2030
        const double rev = buf[o.val_revenue + k * kYears + y];
        const double ps = v.ps_multiple ? values[*v.ps_multiple] : std::nan("");
        const double cap = v.market_cap ? values[*v.market_cap] / fx : std::nan("");
        val.rows.push_back({v.vendor, std::to_string(year_at(y)), pct(buf[o.val_share + k * kYears + y]), num(rev),
                            num(ps, 0), num(buf[o.val_value + k * kYears + y], 1), num(cap, 1),
                            num(buf[o.val_ps + k * kYears + y], 1)});
        jval.push_back({{"vendor", v.vendor}, {"year", year_at(y)}, {"share", buf[o.val_share + k * kYears + y]},
                        {"revenue_usd_bn", rev}, {"ps_multiple", jnum(ps)},
                        {"implied_value_usd_bn", jnum(buf[o.val_value + k * kYears + y])},
                        {"market_cap_usd_bn", jnum(cap)}, {"implied_ps", jnum(buf[o.val_ps + k * kYears + y])}});
      }
    }
  }
  return val;
}

void market_cmd(const Global& g) {
  const auto ctx = g.context();
  const auto model = market::MarketModel::build(ctx, ctx.params);
  const auto values = ctx.params.values();
  std::vector<double> buf(model->slots().size());
  model->run(values, buf.data(), market::MarketModel::RunOptions{.supply = model->has_supply()});
  const auto& o = model->out();
  const bool sup = model->has_supply();

  Output out;
  Table demand{{"year", "capex $bn", "chain", "cloud $bn", "sovereign $bn", "innovators $bn", "TAM $bn", "cloud/capex"},
               {},
               std::vector<bool>(8, true)};
  // The closure: imports first, then domestic supply (new + carried) against the demand left.
  Table closure{{"year", "TAM $bn", "licensed $bn", "grey $bn", "domestic demand $bn", "supply $bn", "available $bn",
                 "domestic $bn", "unmet $bn", "unsold $bn", "self-suff."},
                {},
                std::vector<bool>(11, true)};
  Table infra{{"year", "AI capex RMB bn", "AI-server capex", "depreciation", "power", "leasing", "cost", "revenue",
               "margin", "cash flow"},
              {},
              std::vector<bool>(10, true)};
  nlohmann::json years = nlohmann::json::array();
  auto sv = [&](std::size_t base, int y) { return sup ? buf[base + y] : std::nan(""); };
  for (int y = 0; y < kYears; ++y) {
    const std::string ys = std::to_string(year_at(y));
    demand.rows.push_back({ys, num(buf[o.capex + y], 1), pct(buf[o.chain + y]), num(buf[o.cloud + y]),
                           num(buf[o.sovereign + y]), num(buf[o.innovator + y]), num(buf[o.tam + y]),
                           pct(buf[o.cloud_share + y])});
    closure.rows.push_back({ys, num(buf[o.tam + y]), num(buf[o.licensed + y]), num(buf[o.grey + y]),
                            num(sv(o.domestic_demand, y)), num(sv(o.supply_value, y)), num(sv(o.available, y)),
                            num(sv(o.domestic, y)), num(sv(o.unmet, y)), num(sv(o.unsold, y)),
                            pct(sv(o.self_suff, y))});
    infra.rows.push_back({ys, num(buf[o.ai_capex_rmb + y], 0), num(buf[o.infra_capex + y], 0),
                          num(buf[o.infra_dep + y], 0), num(buf[o.infra_power + y], 0), num(buf[o.infra_lease + y], 0),
                          num(buf[o.infra_cost + y], 0), num(buf[o.infra_revenue + y], 0), pct(buf[o.margin + y]),
                          num(buf[o.infra_cash + y], 0)});
    years.push_back({{"year", year_at(y)},
                     {"cloud_capex_usd_bn", buf[o.capex + y]},
                     {"ai_capex_rmb_bn", buf[o.ai_capex_rmb + y]},
                     {"chain_product", buf[o.chain + y]},
                     {"cloud_demand_usd_bn", buf[o.cloud + y]},
                     {"sovereign_usd_bn", buf[o.sovereign + y]},
                     {"innovator_usd_bn", buf[o.innovator + y]},
                     {"tam_usd_bn", buf[o.tam + y]},
                     {"cloud_gpu_share_of_capex", buf[o.cloud_share + y]},
                     {"licensed_usd_bn", buf[o.licensed + y]},
                     {"grey_usd_bn", buf[o.grey + y]},
                     {"foreign_usd_bn", buf[o.foreign + y]},
                     {"adoption_cap_usd_bn", buf[o.adoption_cap + y]},
                     {"domestic_demand_usd_bn", jnum(sv(o.domestic_demand, y))},
                     {"supply_value_usd_bn", jnum(sv(o.supply_value, y))},
                     {"domestic_available_usd_bn", jnum(sv(o.available, y))},
                     {"domestic_usd_bn", jnum(sv(o.domestic, y))},
                     {"unmet_usd_bn", jnum(sv(o.unmet, y))},
                     {"domestic_unsold_usd_bn", jnum(sv(o.unsold, y))},
                     {"self_sufficiency", jnum(sv(o.self_suff, y))},
                     {"infra",
                      {{"capex_rmb_bn", buf[o.infra_capex + y]},
                       {"depreciation_rmb_bn", buf[o.infra_dep + y]},
                       {"power_rmb_bn", buf[o.infra_power + y]},
                       {"leasing_rmb_bn", buf[o.infra_lease + y]},
                       {"cost_rmb_bn", buf[o.infra_cost + y]},
                       {"revenue_rmb_bn", buf[o.infra_revenue + y]},
                       {"margin", buf[o.margin + y]},
                       {"cash_flow_rmb_bn", buf[o.infra_cash + y]}}}});
  }

  nlohmann::json jpub = nlohmann::json::array();
  const Table pub = published_table(ctx, jpub);
  nlohmann::json jrec;
  std::string text = reconciliation_text(ctx, jrec);
  text += fmt::format("TAM CAGR {}-{}: {} | domestic CAGR: {} | AI-infrastructure break-even: {} (accounting), {} (cash flow)\n",
                      analysis::kFirstYear, analysis::kLastYear, pct(buf[o.tam_cagr]), pct(sv(o.domestic_cagr, 0)),
                      year_or_none(buf[o.breakeven]), year_or_none(buf[o.cash_breakeven]));
  if (!sup) text += "domestic market and self-sufficiency unavailable: " + insufficient_data_text(model->supply_missing()) + "\n";
  nlohmann::json jval = nlohmann::json::array();
  const Table val = valuation_table(ctx, *model, values, buf, jval);

  out.json = {{"scenario", ctx.scenario.id}, {"overrides", ctx.overrides}, {"years", years},
              {"tam_cagr", buf[o.tam_cagr]},   {"domestic_cagr", jnum(sv(o.domestic_cagr, 0))},
              {"breakeven_year", buf[o.breakeven]}, {"cash_breakeven_year", buf[o.cash_breakeven]}, {"published", jpub}, {"reconciliation", jrec},
              {"valuation", jval}};
  out.titles = {fmt::format("market, scenario {} (USD bn unless stated; equations: docs/model-market.md)", ctx.scenario.id),
                "market closure (imports first; domestic supply meets the demand left; unsold stock carried)",
                "AI-infrastructure returns (RMB bn)", "computed vs published", "valuation (revenue = domestic sales x the vendor's share of supply)"};
  out.tables = {demand, closure, infra, pub, val};
  out.text = text;
  emit(g, out);
}

}  // namespace

void add_market_commands(CLI::App& app, Global& g) {
  auto* cmd = app.add_subcommand("market", "capex -> TAM -> self-sufficiency -> domestic market, per year; reconciliation");
  cmd->callback([&g] { market_cmd(g); });
}

}  // namespace gpugap::cli
