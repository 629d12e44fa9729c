// 8. Scenarios compared and 9. Data table: the report's `gpugap compare` and
// `gpugap table2` (src/studies/views.*), with the defaults docs/report.md states: the
// headline metrics under the report's scenario, the bull and bear cases and every risk-*
// scenario of the catalog; self-sufficiency 2030 over packaging yield x licensed imports.
#include <algorithm>
#include <cmath>
#include <tuple>

#include "analysis/provenance.hpp"
#include "report/sections.hpp"
#include "studies/views.hpp"

namespace gpugap::report::detail {
namespace {

const std::vector<std::string>& compare_metrics() {
  static const std::vector<std::string> m = {"market.tam_usd_bn.2030",    "market.domestic_usd_bn.2030",
                                             "market.self_sufficiency.2030", "market.domestic_cagr",
                                             "supply.chips_total.2030",    "supply.h100_equivalents.2030",
                                             "market.breakeven_year"};
  return m;
}

std::vector<std::string> compare_scenarios(const analysis::Context& ctx) {
  std::vector<std::string> out{ctx.scenario.id};
  auto add = [&out](const std::string& id) {
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  };
  const auto ids = ctx.catalog->ids("scenarios");
  for (const std::string id : {"ms-2025", "ms-2025-bull", "ms-2025-bear"})
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) add(id);
  for (const auto& id : ids)
    if (id.starts_with("risk-")) add(id);
  return out;
}

constexpr const char* kTable2Metric = "market.self_sufficiency.2030";
const studies::Vary& table2_rows() {
  static const studies::Vary v{"supply.packaging.yield.2030", {"0.5", "0.6", "0.7", "0.8", "0.9"}};
  return v;
}
const studies::Vary& table2_cols() {
  // None (licences withdrawn), the 2025 level, the 2024 H20 level, and beyond.
  static const studies::Vary v{"market.imports.licensed_usd_bn.2030", {"0", "4.6", "12", "20"}};
  return v;
}

// Whether `metric` is missing under scenario k for want of an input (listed in c.missing).
bool missing_for(const studies::Comparison& c, std::size_t k, const std::string& metric) {
  const std::string key = c.scenarios[k] + ": " + metric + ":";
  return std::any_of(c.missing.begin(), c.missing.end(), [&](const std::string& m) { return m.starts_with(key); });
}

std::string with_unit(const std::string& path) {
  const std::string unit = metric_unit(path);
  return metric_label(path) + (unit.empty() || unit == "year" || unit == "%" ? "" : " (" + unit + ")");
}

}  // namespace

Section compare_section(Gather& g) {
  Section s{"compare", "8. Scenarios compared", "", {}};
  if (!g.opt.scenario_context) {
    s.items.push_back(Unavailable{"scenarios compared", "no loader for other scenarios was given to the report"});
    s.takeaway = "Not available: no loader for other scenarios.";
    return s;
  }
  const auto scenarios = compare_scenarios(g.ctx);
  const auto& metrics = compare_metrics();
  // The report's own scenario is the context it already has; the others load with its overrides.
  const auto load = [&g](const std::string& id) { return id == g.ctx.scenario.id ? g.ctx : g.opt.scenario_context(id); };
  g.progress(fmt::format("report: {} metrics under {} scenarios", metrics.size(), scenarios.size()));
  const auto c = studies::compare(load, scenarios, metrics);
  g.results["compare"] = studies::to_json(c, g.ctx.overrides);

  TableData t;
  t.id = "compare-metrics";
  t.title = "Headline metrics by scenario (gpugap compare)";
  t.headers = {"metric", "metric path"};
  for (const auto& id : c.scenarios) t.headers.push_back(id);
  for (std::size_t m = 0; m < c.metrics.size(); ++m) {
    std::vector<Cell> row{Cell::txt(with_unit(c.metrics[m])), Cell::txt(c.metrics[m])};
    // A break-even year not reached by the last model year has no value: say so.
    const bool year = c.metrics[m].find("breakeven_year") != std::string::npos;
    for (std::size_t k = 0; k < c.values[m].size(); ++k) {
      const double v = c.values[m][k];
      const bool never = year && std::isnan(v) && !missing_for(c, k, c.metrics[m]);
      row.push_back(never ? Cell::txt(fmt::format("not by {}", analysis::kLastYear)) : Cell::num(v, metric_format(c.metrics[m])));
    }
    t.rows.push_back(row);
  }
  t.note = c.missing.empty() ? "Each scenario with this report's overrides; `gpugap compare --scenarios ... --metric ...` "
                               "gives the same numbers."
                             : "n/a: " + fmt::format("{}", fmt::join(c.missing, "; "));

  // The chart: self-sufficiency 2030 (the report's question) per scenario.
  const auto ss = std::find(c.metrics.begin(), c.metrics.end(), "market.self_sufficiency.2030") - c.metrics.begin();
  const auto& vals = c.values[static_cast<std::size_t>(ss)];
  std::size_t lo = 0, hi = 0;
  for (std::size_t i = 0; i < vals.size(); ++i) {
    if (!std::isfinite(vals[i])) continue;
    if (!std::isfinite(vals[lo]) || vals[i] < vals[lo]) lo = i;
    if (!std::isfinite(vals[hi]) || vals[i] > vals[hi]) hi = i;
  }
  const std::string metric = c.metrics[static_cast<std::size_t>(ss)];
  s.takeaway = fmt::format("Across {} scenarios, self-sufficiency in 2030 runs from {} ({}) to {} ({}); {} in {}.", c.scenarios.size(),
                           say(vals[lo], metric), c.scenarios[lo], say(vals[hi], metric), c.scenarios[hi], say(vals[0], metric),
                           c.scenarios[0]);
  std::vector<std::string> colors;
  for (std::size_t i = 0; i < vals.size(); ++i) colors.push_back(i == 0 ? charts::kDomestic : charts::kNeutral);
  s.items.push_back(charts::bar("compare-self-sufficiency", "Self-sufficiency 2030 by scenario", s.takeaway,
                                charts::Axis{"scenario", kOne}, charts::Axis{with_unit(metric), metric_format(metric)},
                                c.scenarios, {charts::Series{metric_label(metric), vals, "", ""}}, true, colors));
  s.items.push_back(t);
  return s;
}

Section table2_section(Gather& g) {
  Section s{"table2", "9. Data table", "", {}};
  const auto& rows = table2_rows();
  const auto& cols = table2_cols();
  g.progress(fmt::format("report: {} over {} x {}", kTable2Metric, rows.path, cols.path));
  const auto t = studies::table2_grid(g.ctx, kTable2Metric, rows, cols);
  g.results["table2"] = studies::to_json(t, analysis::provenance_stamp(g.ctx));

  const std::string metric = kTable2Metric;
  const NumberFormat f = metric_format(metric);
  TableData tab;
  tab.id = "table2-grid";
  tab.title = fmt::format("{}: {} (rows) x {} (columns)", metric_label(metric), rows.path, cols.path);
  tab.headers = {rows.path + " \\ " + cols.path};
  for (const auto& v : cols.values) tab.headers.push_back(v);
  double lo = t.values[0][0], hi = lo;
  std::size_t lo_i = 0, lo_j = 0, hi_i = 0, hi_j = 0;
  for (std::size_t i = 0; i < t.values.size(); ++i) {
    std::vector<Cell> row{Cell::txt(rows.values[i])};
    for (std::size_t j = 0; j < t.values[i].size(); ++j) {
      const double v = t.values[i][j];
      row.push_back(Cell::num(v, f));
      if (v < lo) std::tie(lo, lo_i, lo_j) = std::tuple(v, i, j);
      if (v > hi) std::tie(hi, hi_i, hi_j) = std::tuple(v, i, j);
    }
    tab.rows.push_back(row);
  }
  tab.note = fmt::format("Every other parameter as in scenario {} ({} there); `gpugap table2 --metric {} --vary {}=... --vary {}=...` "
                         "gives the same numbers.",
                         g.ctx.scenario.id, say(t.base, metric), metric, rows.path, cols.path);
  s.takeaway = fmt::format("{} runs from {} ({} {}, {} {}) to {} ({} {}, {} {}); {} in scenario {}.", metric_label(metric), say(lo, metric),
                           rows.path, rows.values[lo_i], cols.path, cols.values[lo_j], say(hi, metric), rows.path,
                           rows.values[hi_i], cols.path, cols.values[hi_j], say(t.base, metric), g.ctx.scenario.id);
  s.items.push_back(charts::heatmap("table2-heatmap", tab.title, s.takeaway, charts::Axis{cols.path, kOne},
                                    charts::Axis{rows.path, kOne}, cols.values, rows.values, t.values, lo, hi, f));
  s.items.push_back(tab);
  return s;
}

}  // namespace gpugap::report::detail
