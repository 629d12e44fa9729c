// 7. Uncertainty: one-at-a-time sensitivity (tornado) of TAM 2030 and
// self-sufficiency 2030, and a Monte Carlo fan chart over the years, both
// over the uncertainty the scenario declares.
#include <cmath>

#include "studies/montecarlo.hpp"
#include "studies/sensitivity.hpp"
#include "report/sections.hpp"
#include "studies/evaluate.hpp"

namespace gpugap::report::detail {
namespace {

constexpr std::size_t kTornadoRows = 12;
constexpr int kFanBins = 20;

std::string setting_text(const studies::SensitivityRow& r, double v) {
  if (r.basis == studies::SwingBasis::kFraction || r.relative) {
    const double base = r.relative ? 1.0 : r.param_base;
    if (base != 0) {
      const double rel = v / base - 1.0;
      return fmt::format("{}{:.0f}%", rel >= 0 ? "+" : "", rel * 100);
    }
  }
  return format_number(v, kGeneral);
}

std::string basis_text(studies::SwingBasis b) {
  switch (b) {
    case studies::SwingBasis::kInterval: return "declared p5/p95";
    case studies::SwingBasis::kFraction: return "+/- swing";
    case studies::SwingBasis::kDirichlet: return "Dirichlet share p5/p95";
  }
  return "";
}

double published_of(const Gather& g, const std::string& metric) {
  for (const auto& p : g.ctx.scenario.published)
    if (p.metric == metric) return p.value;
  return std::nan("");
}

// Tornado charts of the last year's TAM and self-sufficiency.
void tornadoes(Gather& g, const studies::Uncertainty& u, Section& s, std::vector<std::string>& parts) {
  const std::string y_last = std::to_string(analysis::kLastYear);
  nlohmann::json sens_json = nlohmann::json::array();
  for (const std::string stem : {"market.tam_usd_bn", "market.self_sufficiency"}) {
    const std::string metric = stem + "." + y_last;
    if (!g.metric(metric)) {
      s.items.push_back(Unavailable{"tornado of " + metric, "the market engine does not publish " + metric});
      continue;
    }
    g.progress("report: sensitivity of " + metric);
    studies::SensitivityOptions so;
    so.top = kTornadoRows;
    so.threads = g.opt.threads;
    const auto f = studies::compile(g.ctx, {metric});
    const auto res = studies::sensitivity(g.ctx.params, u, f, metric, so);
    std::vector<charts::TornadoRow> rows;
    for (const auto& r : res.rows)
      rows.push_back({r.param, r.low, r.high, setting_text(r, r.param_low), setting_text(r, r.param_high)});
    nlohmann::json rj = nlohmann::json::array();
    for (const auto& r : res.rows)
      rj.push_back({{"param", r.param}, {"basis", basis_text(r.basis)}, {"param_low", r.param_low}, {"param_high", r.param_high},
                    {"low", r.low}, {"high", r.high}, {"delta", r.delta}});
    sens_json.push_back({{"metric", metric}, {"base", res.base}, {"evaluated", res.evaluated}, {"feeding", res.feeding},
                         {"rows", rj}, {"failures", res.failures}});
    if (rows.empty()) {
      s.items.push_back(Unavailable{"tornado of " + metric, "no parameter moves it"});
      continue;
    }
    const auto& top = res.rows.front();
    const std::string tk = fmt::format("{} moves {} most: {} to {} across its range ({} of {} inputs swung move it).", top.param,
                                       metric_label(metric), say(std::min(top.low, top.high), metric),
                                       say(std::max(top.low, top.high), metric), res.feeding, res.evaluated);
    parts.push_back(tk);
    const charts::Axis ax{metric_label(metric) + (metric_unit(metric).empty() ? "" : " (" + metric_unit(metric) + ")"),
                          metric_format(metric)};
    s.items.push_back(charts::tornado("tornado-" + stem.substr(stem.find('.') + 1), "Tornado: what moves " + metric_label(metric), tk,
                                      ax, res.base, rows));
  }
  g.results["sensitivity"] = sens_json;

}

// Monte Carlo fan charts over the years and the summary table.
void monte_carlo_fans(Gather& g, const studies::Uncertainty& u, Section& s, std::vector<std::string>& parts) {
  const std::string y_last = std::to_string(analysis::kLastYear);
  std::vector<std::string> metrics;
  const std::vector<std::string> stems{"market.tam_usd_bn", "market.self_sufficiency", "market.domestic_usd_bn"};
  for (const auto& stem : stems)
    for (int y : years()) {
      const std::string m = fmt::format("{}.{}", stem, y);
      if (g.metric(m)) metrics.push_back(m);
    }
  if (metrics.empty()) {
    s.items.push_back(Unavailable{"Monte Carlo fan chart", "no market.tam_usd_bn.<year> metrics"});
  } else {
    g.progress(fmt::format("report: Monte Carlo, {} samples x {} metrics", g.opt.mc_samples, metrics.size()));
    studies::McOptions mo;
    mo.samples = static_cast<std::uint64_t>(g.opt.mc_samples);
    mo.seed = g.opt.seed;
    mo.threads = g.opt.threads;
    mo.bins = kFanBins;
    const auto f = studies::compile(g.ctx, metrics);
    mo.used = studies::params_read(g.ctx, metrics);
    const auto mc = studies::monte_carlo(g.ctx.params, u, f, metrics, mo);
    std::map<std::string, const studies::MetricSummary*> by;
    for (const auto& m : mc.metrics) by[m.metric] = &m;

    s.items.push_back(Paragraph{fmt::format(
        "Monte Carlo: {} samples (kept modest so the report builds in seconds; `gpugap mc` runs millions), seed {}, over {} "
        "uncertain inputs, {} rank correlations and {} Dirichlet share groups declared in the scenario.",
        mc.samples, mc.seed, u.params.size(), u.correlations.size(), u.dirichlet.size())});

    TableData t;
    t.id = "mc-summary";
    t.title = "Monte Carlo summary";
    t.headers = {"metric", "base (no draw)", "mean", "p5", "median", "p95", "std. dev.", "std. error of mean", "published"};
    nlohmann::json mj = nlohmann::json::object();
    for (const auto& m : mc.metrics) {
      const NumberFormat f2 = metric_format(m.metric);
      const double pub = published_of(g, m.metric);
      const bool outside = std::isfinite(pub) && (pub < m.p5 || pub > m.p95);
      t.rows.push_back({Cell::txt(m.metric), Cell::num(m.base, f2), Cell::num(m.mean, f2), Cell::num(m.p5, f2), Cell::num(m.p50, f2),
                        Cell::num(m.p95, f2), Cell::num(m.sd, f2), Cell::num(m.sem, f2), Cell::num(pub, f2, outside)});
      mj[m.metric] = {{"base", m.base}, {"mean", m.mean}, {"sd", m.sd}, {"sem", m.sem}, {"p5", m.p5},
                      {"p50", m.p50},   {"p95", m.p95},   {"n", m.n},   {"non_finite", m.non_finite}};
    }
    t.note = "Highlighted: a published figure outside the computed 90% interval.";
    g.results["monte_carlo"] = {{"samples", mc.samples}, {"seed", mc.seed}, {"metrics", mj}};

    for (const auto& stem : {std::string("market.tam_usd_bn"), std::string("market.self_sufficiency")}) {
      charts::Fan fan;
      std::vector<double> pub;
      bool any = false;
      for (int y : years()) {
        const std::string m = fmt::format("{}.{}", stem, y);
        const auto* ms = by.count(m) ? by[m] : nullptr;
        fan.p5.push_back(ms ? ms->p5 : std::nan(""));
        fan.p50.push_back(ms ? ms->p50 : std::nan(""));
        fan.p95.push_back(ms ? ms->p95 : std::nan(""));
        fan.mean.push_back(ms ? ms->mean : std::nan(""));
        pub.push_back(published_of(g, m));
        any = any || ms;
      }
      if (!any) continue;
      const std::string last = stem + "." + y_last;
      const auto* ms = by.count(last) ? by[last] : nullptr;
      std::string tk;
      if (ms) {
        const double p = published_of(g, last);
        tk = fmt::format("{}: 90% interval {} to {} (median {})", metric_label(last), say(ms->p5, last), say(ms->p95, last),
                         say(ms->p50, last));
        if (std::isfinite(p))
          tk += fmt::format("; the published {} lies {} it", say(p, last), p >= ms->p5 && p <= ms->p95 ? "inside" : "outside");
        tk += ".";
        parts.push_back(tk);
      }
      std::vector<std::pair<std::string, std::vector<double>>> overlays;
      bool has_pub = false;
      for (double v : pub) has_pub = has_pub || std::isfinite(v);
      if (has_pub) overlays.emplace_back("published", pub);
      const std::string unit = metric_unit(stem);
      s.items.push_back(charts::fan("fan-" + stem.substr(stem.find('.') + 1), "Monte Carlo range: " + metric_label(stem), tk,
                                    charts::Axis{"year", kYear},
                                    charts::Axis{metric_label(stem) + (unit.empty() ? "" : " (" + unit + ")"), metric_format(stem)},
                                    year_labels(), fan, overlays));
    }
    s.items.push_back(t);
  }
}

}  // namespace

Section uncertainty_section(Gather& g) {
  Section s{"uncertainty", "7. Uncertainty", "", {}};
  if (engine_missing(g, "market", "sensitivity and Monte Carlo of the market figures", s)) return s;
  const studies::Uncertainty u = studies::parse_uncertainty(g.ctx);
  if (u.empty()) {
    s.items.push_back(Unavailable{"sensitivity and Monte Carlo", "the scenario declares no uncertainty (no `uncertainty:` block)"});
    s.takeaway = "Not available: the scenario declares no uncertainty.";
    return s;
  }
  std::vector<std::string> parts;
  tornadoes(g, u, s, parts);
  monte_carlo_fans(g, u, s, parts);
  s.takeaway = parts.empty() ? "No uncertainty result could be computed." : parts.back();
  if (parts.size() > 1) s.takeaway = parts.front() + " " + parts.back();
  return s;
}

}  // namespace gpugap::report::detail
