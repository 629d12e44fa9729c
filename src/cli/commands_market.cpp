// `gpugap market`: the demand chain per year, self-sufficiency both ways, the
// AI-infrastructure returns, computed vs published with differences, and the
// reconciliation of the report's TAM ratios.
#include <fmt/format.h>

#include <cmath>
#include <set>
#include <span>

#include "analysis/metrics.hpp"
#include "cli/cli.hpp"
#include "core/status.hpp"
#include "gap/demand.hpp"
#include "market/model.hpp"
#include "market/reconcile.hpp"
#include "score/inference.hpp"
#include "studies/evaluate.hpp"

namespace gpugap::cli {
namespace {

using supply::kYears;
using supply::year_at;

std::string num(double v, int digits = 2) { return std::isnan(v) ? "-" : fmt::format("{:.{}f}", v, digits); }
std::string pct(double v) { return std::isnan(v) ? "-" : fmt::format("{:.1f}%", 100 * v); }

// A break-even year, or "not by 2030" when it has none (NaN).
std::string year_or_none(double y) {
  return std::isnan(y) ? fmt::format("not by {}", analysis::kLastYear) : fmt::format("{:.0f}", y);
}

// Why a break-even year is missing: not reached (with the last year's revenue
// and cost), or a missing token input; empty when there is a year.
std::string breakeven_reason(const market::MarketModel& model, const std::vector<double>& buf, bool cash) {
  const auto& o = model.out();
  const double year = buf[cash ? o.cash_breakeven : o.breakeven];
  if (!std::isnan(year)) return "";
  if (!model.tokens_missing().empty()) return insufficient_data_text(model.tokens_missing());
  constexpr std::size_t kLast = kYears - 1;
  const double revenue = buf[o.infra_revenue + kLast];
  return market::no_breakeven_reason(cash, revenue, cash ? revenue - buf[o.infra_cash + kLast] : buf[o.infra_cost + kLast]);
}

nlohmann::json jnum(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }
nlohmann::json jtext(const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); }

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
    // A break-even year the model does not reach by the last year has no value.
    const bool never = std::isnan(c) && p.metric.find("breakeven_year") != std::string::npos;
    pub.rows.push_back({p.metric, never ? year_or_none(c) : fmt_num(c, 4), fmt_num(p.value, 4),
                        never ? fmt::format("after {}", analysis::kLastYear) : fmt_num(d, 3), pct(dp), p.prov.source});
    jpub.push_back({{"metric", p.metric}, {"computed", jnum(c)}, {"published", p.value}, {"difference", jnum(d)},
                    {"difference_pct", jnum(dp)}, {"source", p.prov.source}});
    if (never) jpub.back()["reason"] = fmt::format("not reached by {}", analysis::kLastYear);
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

// Valuation (revenue = domestic sales x supply share, or a share of what supply leaves) for 2025, 2026 and 2030.
Table valuation_table(const analysis::Context& ctx, const market::MarketModel& model, std::span<const double> values,
                      const std::vector<double>& buf, nlohmann::json& jval) {
  const auto& o = model.out();
  Table val{{"vendor", "year", "share", "revenue $bn", "P/S", "implied value $bn", "market cap $bn",
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

std::optional<double> published_value(const analysis::Context& ctx, const std::string& metric) {
  for (const auto& p : ctx.scenario.published)
    if (p.metric == metric) return p.value;
  return std::nullopt;
}

// The bottom-up token demand (gap::demand, its one home) beside the TAM, or
// the reason it is unavailable.
std::optional<gap::DemandResult> bottom_up(const analysis::Context& ctx, std::string& missing) {
  try {
    gap::DemandSettings ds = gap::demand_settings(ctx.params);
    score::SourceOptions o;
    o.region = ds.region;
    const score::SpecBook specs(*ctx.catalog, ctx.params);
    auto src = score::perf_econ_source(ctx, ctx.params, o, nullptr, &specs);
    return gap::demand(*ctx.catalog, ctx.params, ds, *src, market::try_totals(ctx, ctx.params), &specs);
  } catch (const InsufficientData& e) {
    missing = e.path();
    return std::nullopt;
  }
}

// Bottom-up accelerator spend beside the TAM, with the drivers of the ratio.
Table bottom_up_table(const std::optional<gap::DemandResult>& d, nlohmann::json& jd) {
  Table t{{"year", "Ttok/day", "fleet bought", "tok/s/chip", "$/chip", "M chips bought", "M chips in service",
           "fleet covers", "capex $/Mtok", "inference $bn", "inference share", "implied total $bn", "TAM $bn", "/TAM"},
          {},
          {true, true, false, true, true, true, true, true, true, true, true, true, true, true}};
  jd = nlohmann::json::array();
  if (!d) return t;
  auto f = [](const score::Figure& x, int digits = 2) { return x.ok() ? num(*x.value, digits) : std::string("-"); };
  auto jf = [](const score::Figure& x) { return x.ok() ? nlohmann::json(*x.value) : nlohmann::json(nullptr); };
  for (const auto& y : d->years) {
    const double share = d->settings.inference_share.at(y.year);
    const double price = y.usd_per_tps.ok() && y.chip_tps.ok() ? *y.usd_per_tps.value * *y.chip_tps.value : std::nan("");
    t.rows.push_back({std::to_string(y.year), num(y.tokens_per_day / 1e12, 1), y.chip.empty() ? "-" : y.chip,
                      f(y.chip_tps, 0), num(price, 0), y.chips_bought.ok() ? num(*y.chips_bought.value / 1e6, 3) : "-",
                      y.fleet_chips.ok() ? num(*y.fleet_chips.value / 1e6, 3) : "-",
                      y.fleet_coverage.ok() ? pct(*y.fleet_coverage.value) : "-", f(y.capex_usd_per_mtok, 3),
                      f(y.spend_usd_bn, 1), pct(share),
                      f(y.implied_total_usd_bn, 1), y.tam_usd_bn ? num(*y.tam_usd_bn, 1) : "-", f(y.tam_ratio, 2)});
    jd.push_back({{"year", y.year}, {"tokens_per_day", y.tokens_per_day}, {"fleet", y.chip}, {"fleet_skus", y.fleet_skus},
                  {"chip_tps", jf(y.chip_tps)}, {"usd_per_chip", jnum(price)},
                  {"capex_usd_per_mtok", jf(y.capex_usd_per_mtok)}, {"chips_bought", jf(y.chips_bought)},
                  {"fleet_chips_in_service", jf(y.fleet_chips)}, {"fleet_output_tps", jf(y.fleet_tps)},
                  {"fleet_coverage", jf(y.fleet_coverage)},
                  {"inference_spend_usd_bn", jf(y.spend_usd_bn)}, {"inference_share", share},
                  {"implied_total_usd_bn", jf(y.implied_total_usd_bn)},
                  {"tam_usd_bn", y.tam_usd_bn ? nlohmann::json(*y.tam_usd_bn) : nlohmann::json(nullptr)},
                  {"ratio_to_tam", jf(y.tam_ratio)}});
  }
  return t;
}

// Why the bottom-up spend and the TAM differ in a year: token growth against
// TAM growth since the first year the fleet is known, and the fleet's price
// per unit of capacity.
std::string bottom_up_drivers(const gap::DemandResult& d, int year) {
  const gap::DemandYear* first = nullptr;
  const gap::DemandYear* at = nullptr;
  for (const auto& y : d.years) {
    if (!first && y.tam_ratio.ok()) first = &y;
    if (y.year == year) at = &y;
  }
  if (!at || !at->tam_ratio.ok() || !first) return "bottom-up spend unavailable";
  if (first == at)
    return fmt::format("chips bought {:.2f}M (growth + 1/{:.0f} replacement) x ${:.0f} per output tok/s, / inference "
                       "share {:.0f}%",
                       *at->chips_bought.value / 1e6, d.settings.life_years, *at->usd_per_tps.value,
                       100 * d.settings.inference_share.at(year));
  return fmt::format("tokens/day x{:.1f} since {} against TAM x{:.2f}; capex per output tok/s ${:.0f} -> ${:.0f} "
                     "(fleet mix and ASP); inference share {:.0f}%",
                     at->tokens_per_day / first->tokens_per_day, first->year, *at->tam_usd_bn / *first->tam_usd_bn,
                     *first->usd_per_tps.value, *at->usd_per_tps.value, 100 * d.settings.inference_share.at(year));
}

// The headline: each step of the market beside the report's figure, the
// difference and why.
Table headline_table(const analysis::Context& ctx, const market::MarketModel& model, const std::vector<double>& buf,
                     const std::optional<gap::DemandResult>& bu, nlohmann::json& jhead) {
  const auto& o = model.out();
  const bool sup = model.has_supply();
  auto sv = [&](std::size_t base, int y) { return sup ? buf[base + y] : std::nan(""); };
  Table head{{"item", "computed", "published", "difference", "why they differ"}, {}, {false, true, true, true, false}};
  constexpr int kLast = kYears - 1;
  const int y0 = year_at(0), yl = year_at(kLast);
  enum class Kind { kNumber, kShare, kYear };
  auto row = [&](const std::string& item, const std::string& metric, double computed, int digits, Kind kind,
                 const std::string& why) {
    const bool percent = kind == Kind::kShare;
    const auto found = metric.empty() ? std::nullopt : published_value(ctx, metric);
    const double pub = found.value_or(std::nan(""));
    auto show = [&](double x) { return percent ? pct(x) : kind == Kind::kYear ? year_or_none(x) : num(x, digits); };
    const double d = computed - pub;  // NaN when either is
    // A year the computation has none of: not reached by the last model year.
    const bool never = kind == Kind::kYear && std::isnan(computed) && model.tokens_missing().empty();
    const std::string diff = never && !std::isnan(pub) ? fmt::format("after {}", analysis::kLastYear)
                             : std::isnan(d)             ? "-"
                             : percent     ? fmt::format("{:+.1f} pts", 100 * d)
                                           : fmt::format("{:+.{}f}", d, digits);
    const bool none = std::isnan(computed) && !never;  // missing for want of an input: no year to say
    head.rows.push_back({item, none ? "-" : show(computed), std::isnan(pub) ? "-" : show(pub), diff, why});
    jhead.push_back({{"item", item}, {"metric", metric}, {"computed", jnum(computed)}, {"published", jnum(pub)},
                     {"difference", jnum(d)}, {"why", why}});
    if (never) jhead.back()["reason"] = fmt::format("not reached by {}", analysis::kLastYear);
  };
  const auto rec = market::reconcile(ctx);
  auto at = [&](std::size_t base, int y) { return buf[base + y]; };
  row(fmt::format("cloud chain as stated, {} ($bn)", yl), "", at(o.cloud, kLast), 1, Kind::kNumber,
      fmt::format("capex ${:.0f}bn x the report's four ratios {:.1f}% (its stated 51% is not their product)", rec.capex,
                  100 * rec.chain_product));
  row(fmt::format("+ sovereign buyers, {} ($bn)", yl), "", at(o.sovereign, kLast), 1, Kind::kNumber,
      "IDC's accelerated-server market (>$100bn by 2029) x the non-internet share <=35% x 80% accelerator value");
  row(fmt::format("+ innovators, {} ($bn)", yl), "", at(o.innovator, kLast), 1, Kind::kNumber,
      "estimate (start-ups' and carmakers' own clusters)");
  row(fmt::format("TAM, {} ($bn)", yl), fmt::format("market.tam_usd_bn.{}", yl), at(o.tam, kLast), 1, Kind::kNumber,
      fmt::format("chain ${:.1f}bn + sovereign and innovator lines ${:.1f}bn (the report's TAM leaves ${:.1f}bn above "
                  "its chain)",
                  at(o.cloud, kLast), at(o.non_cloud, kLast),
                  rec.published_tam ? *rec.published_tam - rec.cloud_tam : std::nan("")));
  row(fmt::format("imports, {} ($bn: licensed + grey)", yl), "", at(o.foreign, kLast), 1, Kind::kNumber,
      "licensed sales held at 2025's H20 level within the purchase guidance's share, plus the grey-market estimate");
  if (sup) {
    row(fmt::format("domestic supply, {} ($bn: chips x ASP)", yl), "", sv(o.supply_value, kLast), 1, Kind::kNumber,
        "supply model: capacity, yield, HBM and packaging -> chips by SKU x ASP");
    row(fmt::format("domestic market, {} ($bn)", y0), fmt::format("market.domestic_usd_bn.{}", y0), sv(o.domestic, 0), 1,
        Kind::kNumber,
        fmt::format("imports first: licensed ${:.1f}bn + grey ${:.1f}bn of a ${:.1f}bn TAM; ${:.1f}bn of domestic chips "
                    "unsold, carried into {}",
                    at(o.licensed, 0), at(o.grey, 0), at(o.tam, 0), sv(o.unsold, 0), y0 + 1));
    row(fmt::format("domestic market, {} ($bn)", yl), fmt::format("market.domestic_usd_bn.{}", yl), sv(o.domestic, kLast),
        1, Kind::kNumber,
        fmt::format("TAM ${:.1f}bn; imports ${:.1f}bn under the purchase guidance; unmet ${:.1f}bn",
                    at(o.tam, kLast), at(o.foreign, kLast), sv(o.unmet, kLast)));
    row(fmt::format("unmet demand, {} ($bn)", yl), "", sv(o.unmet, kLast), 1, Kind::kNumber,
        sv(o.unmet, kLast) > 0 ? "domestic supply binds: demand imports leave exceeds chips available"
                               : "supply does not bind (stock carried)");
    row(fmt::format("self-sufficiency, {}", y0), fmt::format("market.self_sufficiency.{}", y0), sv(o.self_suff, 0), 1,
        Kind::kShare, fmt::format("imports take {:.0f}% of the TAM first", 100 * at(o.foreign, 0) / at(o.tam, 0)));
    row(fmt::format("self-sufficiency, {}", yl), fmt::format("market.self_sufficiency.{}", yl), sv(o.self_suff, kLast), 1,
        Kind::kShare,
        fmt::format("imports {:.0f}% of the TAM (purchase guidance); unmet {:.0f}% (domestic supply short)",
                    100 * at(o.foreign, kLast) / at(o.tam, kLast), 100 * sv(o.unmet, kLast) / at(o.tam, kLast)));
  }
  const std::string be_why = fmt::format(
      "revenue = tokens served x list price: RMB {:.0f}bn in {} (published: MS's RMB 806bn 'AI lift', which counts "
      "advertising, cloud and app revenue the fleet adds, not only tokens at API prices)",
      at(o.infra_revenue, kLast), yl);
  auto with_reason = [&](bool cash, const std::string& why) {
    const std::string r = breakeven_reason(model, buf, cash);
    return r.empty() ? why : r + "; " + why;
  };
  row("AI-infrastructure break-even (accounting)", "market.breakeven_year", buf[o.breakeven], 0, Kind::kYear,
      with_reason(false, be_why));
  row("AI-infrastructure break-even (cash flow)", "market.breakeven_year_cashflow", buf[o.cash_breakeven], 0,
      Kind::kYear,
      with_reason(true, "cash flow also pays the year's AI-server spend (above its depreciation while spend grows)"));
  if (bu) {
    for (const gap::DemandYear& y : bu->years) {
      if (y.year != 2025 && y.year != yl) continue;
      row(fmt::format("bottom-up spend / TAM, {}", y.year), "", y.tam_ratio.ok() ? *y.tam_ratio.value : std::nan(""), 2,
          Kind::kNumber, bottom_up_drivers(*bu, y.year));
    }
  }

  return head;
}

// One year of `gpugap market --format json`.
nlohmann::json year_json(const market::MarketModel::Out& o, const std::vector<double>& buf, int y, bool sup) {
  auto sv = [&](std::size_t base, int yy) { return sup ? buf[base + yy] : std::nan(""); };
  return nlohmann::json({{"year", year_at(y)},
                     {"cloud_capex_usd_bn", buf[o.capex + y]},
                     {"ai_capex_rmb_bn", buf[o.ai_capex_rmb + y]},
                     {"ai_capex_bridged", buf[o.ai_capex_bridged + y] > 0},
                     {"capex_scope_ratio", jnum(buf[o.implied_scope + y])},
                     {"chain_product", buf[o.chain + y]},
                     {"cloud_ai_gpu_usd_bn", buf[o.cloud + y]},
                     {"sovereign_usd_bn", buf[o.sovereign + y]},
                     {"innovator_usd_bn", buf[o.innovator + y]},
                     {"tam_usd_bn", buf[o.tam + y]},
                     {"cloud_gpu_share_of_capex", buf[o.cloud_share + y]},
                     {"licensed_usd_bn", buf[o.licensed + y]},
                     {"grey_usd_bn", buf[o.grey + y]},
                     {"imports_usd_bn", buf[o.foreign + y]},
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
                       {"installed_rmb_bn", buf[o.infra_installed + y]},
                       {"installed_pre2024_rmb_bn", buf[o.infra_pre2024 + y]},
                       {"domestic_installed_share", jnum(buf[o.infra_domestic_share + y])},
                       {"tokens_served_t", jnum(buf[o.infra_tokens + y])},
                       {"price_rmb_per_mtok", jnum(buf[o.infra_price + y])},
                       {"depreciation_rmb_bn", buf[o.infra_dep + y]},
                       {"power_rmb_bn", buf[o.infra_power + y]},
                       {"leasing_rmb_bn", buf[o.infra_lease + y]},
                       {"cost_rmb_bn", buf[o.infra_cost + y]},
                       {"revenue_rmb_bn", jnum(buf[o.infra_revenue + y])},
                       {"margin", jnum(buf[o.margin + y])},
                       {"cash_flow_rmb_bn", jnum(buf[o.infra_cash + y])}}}});
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
  // AI capex (RMB, the tech companies' series) and cloud capex (USD, the TAM's base): the bridge.
  Table bridge{{"year", "AI capex RMB bn", "from", "fx", "cloud capex $bn", "scope (cloud / AI capex)"},
               {},
               {true, true, false, true, true, true}};
  // The closure: imports first, then domestic supply (new + carried) against the demand left.
  Table closure{{"year", "TAM $bn", "licensed $bn", "grey $bn", "domestic demand $bn", "supply $bn", "available $bn",
                 "domestic $bn", "unmet $bn", "unsold $bn", "self-suff."},
                {},
                std::vector<bool>(11, true)};
  Table infra{{"year", "AI-server capex", "installed", "of it pre-2024", "domestic share", "depreciation", "power",
               "leasing", "cost", "Ttok served", "RMB/Mtok", "revenue", "margin", "cash flow"},
              {},
              std::vector<bool>(14, true)};
  const double fx = ctx.params.value("regions.cn.fx_per_usd");
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
    bridge.rows.push_back({ys, num(buf[o.ai_capex_rmb + y], 1),
                           buf[o.ai_capex_bridged + y] > 0 ? "bridged" : "figure", num(fx, 2), num(buf[o.capex + y], 1),
                           num(buf[o.implied_scope + y], 3)});
    infra.rows.push_back({ys, num(buf[o.infra_capex + y], 0), num(buf[o.infra_installed + y], 0),
                          num(buf[o.infra_pre2024 + y], 0), pct(buf[o.infra_domestic_share + y]),
                          num(buf[o.infra_dep + y], 0), num(buf[o.infra_power + y], 0), num(buf[o.infra_lease + y], 0),
                          num(buf[o.infra_cost + y], 0), num(buf[o.infra_tokens + y], 0), num(buf[o.infra_price + y], 3),
                          num(buf[o.infra_revenue + y], 0), pct(buf[o.margin + y]), num(buf[o.infra_cash + y], 0)});
    years.push_back(year_json(o, buf, y, sup));
  }

  nlohmann::json jpub = nlohmann::json::array();
  const Table pub = published_table(ctx, jpub);
  nlohmann::json jrec;
  std::string text = reconciliation_text(ctx, jrec);
  text += fmt::format("TAM CAGR {}-{}: {} | domestic CAGR: {} | AI-infrastructure break-even: {} (accounting), {} (cash flow)\n",
                      analysis::kFirstYear, analysis::kLastYear, pct(buf[o.tam_cagr]), pct(sv(o.domestic_cagr, 0)),
                      model->tokens_missing().empty() ? year_or_none(buf[o.breakeven]) : "-",
                      model->tokens_missing().empty() ? year_or_none(buf[o.cash_breakeven]) : "-");
  if (!sup) text += "domestic market and self-sufficiency unavailable: " + insufficient_data_text(model->supply_missing()) + "\n";
  if (!model->tokens_missing().empty())
    text += "AI-infrastructure revenue and break-even unavailable: " + insufficient_data_text(model->tokens_missing()) + "\n";
  nlohmann::json jval = nlohmann::json::array();
  const Table val = valuation_table(ctx, *model, values, buf, jval);

  std::string demand_missing;
  const auto bu = bottom_up(ctx, demand_missing);
  nlohmann::json jbu;
  const Table bu_table = bottom_up_table(bu, jbu);
  if (!bu) text += "bottom-up token demand unavailable: " + insufficient_data_text(demand_missing) + "\n";
  if (bu) {
    // SKUs the fleet leaves out (no effective tokens/s on the mix), once each.
    std::set<std::string> out_skus;
    for (const auto& n : bu->notes)
      if (const auto k = n.find(": SKU "); k != std::string::npos) out_skus.insert(n.substr(k + 6, n.find(' ', k + 6) - k - 6));
    if (!out_skus.empty()) {
      text += "bottom-up fleet: SKUs left out (no effective tokens/s on the token mix; reasons in --format json "
              "bottom_up_notes):";
      for (const auto& k : out_skus) text += " " + k;
      text += "\n";
    }
  }

  nlohmann::json jhead = nlohmann::json::array();
  const Table head = headline_table(ctx, *model, buf, bu, jhead);

  out.json = {{"scenario", ctx.scenario.id}, {"overrides", ctx.overrides}, {"years", years},
              {"tam_cagr", buf[o.tam_cagr]},   {"domestic_cagr", jnum(sv(o.domestic_cagr, 0))},
              {"breakeven_year", jnum(buf[o.breakeven])}, {"breakeven_year_cashflow", jnum(buf[o.cash_breakeven])},
              {"breakeven_reason", jtext(breakeven_reason(*model, buf, false))},
              {"breakeven_year_cashflow_reason", jtext(breakeven_reason(*model, buf, true))},
              {"published", jpub}, {"reconciliation", jrec}, {"valuation", jval}, {"headline", jhead},
              {"bottom_up", jbu}};
  if (bu) out.json["bottom_up_notes"] = bu->notes;
  out.titles = {fmt::format("market, scenario {}: each step beside the report's figure (equations: docs/model-market.md)",
                            ctx.scenario.id),
                "demand chain (USD bn)",
                "AI capex (RMB, the tech companies' series) and cloud capex (USD, the TAM's base): the bridge",
                "market closure (imports first; domestic supply meets the demand left; unsold stock carried)",
                "AI-infrastructure returns (RMB bn; installed base from 2022; power subsidised for domestic chips; "
                "revenue = tokens served x list price)",
                "bottom-up accelerator spend (token demand -> the supply model's fleet: bought this year, and in service by vintage) beside the TAM",
                "computed vs published",
                "valuation (share: of the domestic sales for a vendor the supply model makes; of the domestic "
                "demand, within what those vendors leave unmet, for one it does not make)"};
  out.tables = {head, demand, bridge, closure, infra, bu_table, pub, val};
  out.text = text;
  emit(g, out);
}

}  // namespace

void add_market_commands(CLI::App& app, Global& g) {
  auto* cmd = app.add_subcommand("market", "capex -> TAM -> self-sufficiency -> domestic market, per year; reconciliation");
  cmd->callback([&g] { market_cmd(g); });
}

}  // namespace gpugap::cli
