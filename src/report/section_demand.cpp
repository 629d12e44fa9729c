// 3. Demand: the TAM build-up for 2030 (waterfall), TAM, domestic market and
// self-sufficiency 2024-2030 beside the published points, break-even and margin.
#include <cmath>

#include "market/model.hpp"
#include "report/sections.hpp"

namespace gpugap::report::detail {
namespace {

double at_year(const std::vector<double>& v, int year) {
  const auto i = static_cast<std::size_t>(year - analysis::kFirstYear);
  return i < v.size() ? v[i] : std::nan("");
}

// The published values of a yearly metric (NaN where the report gives none).
std::vector<double> published_yearly(const Gather& g, const std::string& stem) {
  std::vector<double> v;
  for (int y : years()) {
    double x = std::nan("");
    for (const auto& p : g.ctx.scenario.published)
      if (p.metric == fmt::format("{}.{}", stem, y)) x = p.value;
    v.push_back(x);
  }
  return v;
}

bool any_finite(const std::vector<double>& v) {
  for (double x : v)
    if (std::isfinite(x)) return true;
  return false;
}

}  // namespace

Section demand_section(Gather& g) {
  Section s{"demand", "3. Demand", "", {}};
  if (engine_missing(g, "market", "market model (capex, TAM, self-sufficiency)", s)) return s;
  const auto cats = year_labels();
  const int first = analysis::kFirstYear, last = analysis::kLastYear;
  const std::string y_last = std::to_string(last);

  // TAM build-up waterfall, 2030.
  const auto capex = g.metric("market.cloud_capex_usd_bn." + y_last);
  const auto tam = g.metric("market.tam_usd_bn." + y_last);
  if (capex && tam) {
    std::vector<charts::Step> steps{{"cloud capex " + y_last, *capex, true}};
    steps.push_back({"not spent on AI GPUs", *tam - *capex, false});
    steps.push_back({"AI GPU TAM " + y_last, *tam, true});
    const std::string tk = fmt::format("Of {} of cloud capex in {}, {} ({}) is AI-GPU spending.", say(*capex, "market.cloud_capex_usd_bn"),
                                       last, say(*tam, "market.tam_usd_bn"), format_number(*tam / *capex, kPct0));
    s.items.push_back(charts::waterfall("demand-waterfall", "TAM build-up " + y_last + ": from cloud capex to AI GPU spending", tk,
                                        charts::Axis{"USD bn", kOne}, steps));
  } else {
    s.items.push_back(Unavailable{"TAM build-up", "market.cloud_capex_usd_bn." + y_last + " or market.tam_usd_bn." + y_last + " missing"});
  }

  // TAM and domestic market over the years, with the published points.
  const auto tam_v = g.yearly("market.tam_usd_bn");
  const auto dom_v = g.yearly("market.domestic_usd_bn");
  std::vector<charts::Series> series{{"TAM (computed)", tam_v, charts::kForeign, ""},
                                     {"domestic market (computed)", dom_v, charts::kDomestic, ""}};
  const auto tam_p = published_yearly(g, "market.tam_usd_bn");
  const auto dom_p = published_yearly(g, "market.domestic_usd_bn");
  if (any_finite(tam_p)) series.push_back({"TAM (published)", tam_p, charts::kPublished, "", true});
  if (any_finite(dom_p)) series.push_back({"domestic market (published)", dom_p, "#b9770e", "", true});
  std::string tk_market;
  if (any_finite(tam_v)) {
    tk_market = fmt::format("TAM grows from {} in {} to {} in {}; the domestic market from {} to {}.", say(at_year(tam_v, first), "market.tam_usd_bn"),
                            first, say(at_year(tam_v, last), "market.tam_usd_bn"), last,
                            say(at_year(dom_v, first), "market.tam_usd_bn"), say(at_year(dom_v, last), "market.tam_usd_bn"));
    s.items.push_back(charts::line("demand-market", "China AI GPU TAM and domestic market", tk_market, charts::Axis{"year", kYear},
                                   charts::Axis{"market size (USD bn)", kOne}, cats, series));
  }

  // Self-sufficiency.
  const auto ss_v = g.yearly("market.self_sufficiency");
  std::string tk_ss;
  if (any_finite(ss_v)) {
    std::vector<charts::Series> ss{{"self-sufficiency (computed)", ss_v, charts::kDomestic, ""}};
    const auto ss_p = published_yearly(g, "market.self_sufficiency");
    if (any_finite(ss_p)) ss.push_back({"self-sufficiency (published)", ss_p, charts::kPublished, "", true});
    tk_ss = fmt::format("Domestic chips supply {} of the TAM in {} and {} in {}.", format_number(at_year(ss_v, first), kPct0), first,
                        format_number(at_year(ss_v, last), kPct0), last);
    s.items.push_back(charts::line("demand-selfsufficiency", "Self-sufficiency: domestic share of the AI GPU TAM", tk_ss,
                                   charts::Axis{"year", kYear}, charts::Axis{"domestic share of TAM (%)", kPct0}, cats, ss));
  }

  // Break-even and margin.
  const auto margin = g.yearly("market.ai_infra_margin");
  const auto be = g.metric("market.breakeven_year");
  // Why there is no break-even year: not reached (the last year's revenue against its cost).
  const std::string be_reason =
      market::no_breakeven_reason(false, g.metric_or_nan("market.infra.revenue_rmb_bn." + y_last),
                                  g.metric_or_nan("market.infra.cost_rmb_bn." + y_last));
  if (any_finite(margin)) {
    const std::string tk = fmt::format("AI infrastructure {}; its margin reaches {} in {}.",
                                       be ? fmt::format("breaks even in {:.0f}", *be) : "does not break even by " + y_last + " (" + be_reason + ")",
                                       format_number(at_year(margin, last), kPct0), last);
    s.items.push_back(charts::line("demand-margin", "AI-infrastructure margin (after depreciation, power and leasing)", tk,
                                   charts::Axis{"year", kYear}, charts::Axis{"margin (%)", kPct0}, cats,
                                   {charts::Series{"margin", margin, charts::kForeign, ""}}));
  }

  // Cross-check table: the contract's scalar metrics.
  TableData t;
  t.id = "demand-scalars";
  t.title = "Market headline metrics";
  t.headers = {"metric", "path", "computed"};
  for (const char* p : {"market.tam_cagr", "market.domestic_cagr"})
    if (auto v = g.metric(p)) t.rows.push_back({Cell::txt(metric_label(p)), Cell::txt(p), Cell::num(*v, metric_format(p))});
  // A break-even year the market gives no value for (present, NaN): not reached, with the reason.
  if (auto v = g.metric("market.breakeven_year"))
    t.rows.push_back({Cell::txt(metric_label("market.breakeven_year")), Cell::txt("market.breakeven_year"),
                      Cell::num(*v, metric_format("market.breakeven_year"))});
  else if (g.metrics.count("market.breakeven_year"))
    t.rows.push_back({Cell::txt(metric_label("market.breakeven_year")), Cell::txt("market.breakeven_year"),
                      Cell::txt("not by " + y_last + ": " + be_reason.substr(be_reason.find(':') + 2))});
  if (!t.rows.empty()) s.items.push_back(t);

  s.takeaway = !tk_market.empty() ? tk_market + (tk_ss.empty() ? "" : " " + tk_ss) : "The market engine published none of the expected metrics.";
  return s;
}

}  // namespace gpugap::report::detail
