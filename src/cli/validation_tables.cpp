// Error and fit tables of validate and calibrate.
#include "cli/validation_tables.hpp"

#include <fmt/format.h>

#include <cmath>

#include "perf/deployment.hpp"
#include "perf/intervals.hpp"

namespace gpugap::cli {
namespace {

using nlohmann::json;
using perf::round_sig;

std::string group_key(const perf::RowPrediction& p, const std::string& by) {
  const auto& m = *p.row;
  if (by == "chip") return p.chip_id;
  if (by == "model") return p.model_id;
  if (by == "backend") return m.backend.empty() ? "?" : m.backend;
  if (by == "family") return p.family + "/" + (m.backend.empty() ? "?" : m.backend);
  if (by == "stack") return p.stack;
  if (by == "metric") return "";
  return p.chip_id;
}

}  // namespace

std::string md_table(const Table& t) {
  std::string s = "|";
  for (const auto& h : t.headers) s += " " + h + " |";
  s += "\n|";
  for (std::size_t i = 0; i < t.headers.size(); ++i) s += (i == 0 ? "---|" : "---:|");
  s += "\n";
  for (const auto& r : t.rows) {
    s += "|";
    for (const auto& c : r) s += " " + c + " |";
    s += "\n";
  }
  return s;
}


// The fitted groups, one row each (validate --doc and calibrate print the same table).
Tables interval_tables(const std::vector<perf::RowPrediction>& heldout) {
  const auto res = perf::residuals_of(heldout);
  const auto iv = perf::build_intervals(res);
  const auto cov = perf::nested_coverage(res);
  Tables t;
  auto ratio = [](double x) { return fmt::format("{:.3g}", x); };
  Table gt{{"family", "stack", "metric", "residuals", "p10 x", "p90 x"}, {}, {}};
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& [k, v] : iv.groups) {
    const auto& [family, stack, metric] = k;
    gt.rows.push_back({family, stack, metric, std::to_string(v.n), ratio(v.lo), ratio(v.hi)});
    groups.push_back({{"family", family}, {"stack", stack}, {"metric", metric}, {"n", v.n}, {"p10", round_sig(v.lo, 4)},
                      {"p90", round_sig(v.hi, 4)}});
  }
  for (const auto& [metric, v] : iv.pooled)
    gt.rows.push_back({"(pooled, widened)", "", metric, std::to_string(v.n), ratio(v.lo), ratio(v.hi)});
  nlohmann::json pooled = nlohmann::json::object();
  for (const auto& [metric, v] : iv.pooled) pooled[metric] = {{"n", v.n}, {"p10", round_sig(v.lo, 4)}, {"p90", round_sig(v.hi, 4)}};
  auto pct = [](const perf::Coverage& c) { return fmt::format("{:.1f}", 100.0 * c.share()); };
  auto cov_json = [](const std::map<std::string, perf::Coverage>& m) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, c] : m) j[k] = {{"n", c.n}, {"inside", c.inside}, {"coverage_pct", round_sig(100.0 * c.share(), 4)}};
    return j;
  };
  Table ct{{"group", "n", "inside", "coverage %"}, {}, {}};
  ct.rows.push_back({"all", std::to_string(cov.overall.n), std::to_string(cov.overall.inside), pct(cov.overall)});
  for (const auto& [name, m] : {std::pair{"family ", &cov.by_family}, {"metric ", &cov.by_metric}, {"publication ", &cov.by_publication}})
    for (const auto& [k, c] : *m) ct.rows.push_back({name + k, std::to_string(c.n), std::to_string(c.inside), pct(c)});
  t.j = {{"level", 0.8},
         {"widen_factor", round_sig(iv.widen, 4)},
         {"groups", groups},
         {"pooled", pooled},
         {"nested_coverage",
          {{"n", cov.overall.n}, {"inside", cov.overall.inside}, {"coverage_pct", round_sig(100.0 * cov.overall.share(), 4)},
           {"by_family", cov_json(cov.by_family)}, {"by_metric", cov_json(cov.by_metric)}, {"by_publication", cov_json(cov.by_publication)}}}};
  t.tables = {gt, ct};
  t.titles = {"80% intervals (measured / predicted, p10-p90) from leave-one-publication-out residuals",
              "nested coverage of the 80% intervals (each publication against intervals built without it)"};
  return t;
}

std::map<std::string, PublicationLine> publication_lines(const std::vector<perf::Measurement>& rows,
                                                         const perf::CalibrationResult& by_source) {
  std::map<std::string, PublicationLine> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& p = by_source.heldout[i];
    auto& e = out[perf::publication_of(rows[i])];
    ++e.rows;
    if (p.skip_reason.empty() && !p.metrics.empty()) ++e.predicted;
    if (p.assumed_isl || !p.skip_reason.empty()) continue;
    for (const auto& m : p.metrics) e.abs_error_pct[m.metric].push_back(std::fabs(m.error_pct()));
  }
  return out;
}

namespace {
json error_summary_json(const std::vector<double>& v) {
  const auto s = perf::summarize(v);
  return {{"n", s.n}, {"median_abs_error_pct", round_sig(s.median_abs_error_pct, 4)}, {"p90_abs_error_pct", round_sig(s.p90_abs_error_pct, 4)}};
}
}  // namespace

json lopo_summary_json(const std::vector<perf::Measurement>& rows, const perf::CalibrationResult& by_source) {
  std::vector<perf::RowPrediction> held;
  for (const auto& p : by_source.heldout)
    if (!p.assumed_isl) held.push_back(p);
  std::size_t predicted = 0;
  json pubs = json::array();
  // Every publication, and every one but the AIC sample (most rows: its own line).
  std::map<std::string, std::vector<double>> by_metric, without_aic;
  std::vector<double> all;
  for (const auto& [name, line] : publication_lines(rows, by_source)) {
    predicted += line.predicted;
    json bm = json::object();
    for (const auto& [m, v] : line.abs_error_pct) {
      bm[m] = error_summary_json(v);
      by_metric[m].insert(by_metric[m].end(), v.begin(), v.end());
      if (name != "aic-silicon-sample") without_aic[m].insert(without_aic[m].end(), v.begin(), v.end());
      all.insert(all.end(), v.begin(), v.end());
    }
    pubs.push_back({{"publication", name}, {"rows", line.rows}, {"predicted", line.predicted}, {"by_metric", bm}});
  }
  json bm = json::object(), bw = json::object();
  for (const auto& [m, v] : by_metric) bm[m] = error_summary_json(v);
  for (const auto& [m, v] : without_aic) bw[m] = error_summary_json(v);
  const Tables ti = interval_tables(held);
  return {{"folds", by_source.folds},
          {"rows", rows.size()},
          {"predicted", predicted},
          {"by_metric", bm},
          {"by_metric_without_aic", bw},
          {"all", error_summary_json(all)},
          {"publications", pubs},
          {"intervals", ti.j}};
}

Table fit_table(const std::vector<perf::FitGroup>& groups) {
  Table t{{"stack", "family", "backend", "model", "rows", "eta_compute", "eta_memory", "launch us", "per-seq us", "collective us",
           "TTFT overhead ms", "burst", "train median |err| %", "held-out median |err| %"},
          {},
          {}};
  auto all = [](const std::string& s) { return s.empty() ? std::string("(all)") : s; };
  for (const auto& g : groups)
    t.rows.push_back({g.stack, all(g.family), all(g.backend), all(g.model), std::to_string(g.rows.size()),
                      fmt::format("{:.3f}", g.fitted.eta_compute), fmt::format("{:.3f}", g.fitted.eta_memory),
                      fmt::format("{:.2f}", g.fitted.launch_overhead_s * 1e6), fmt::format("{:.2f}", g.fitted.seq_overhead_s * 1e6),
                      fmt::format("{:.2f}", g.fitted.comm_latency_s * 1e6), fmt::format("{:.1f}", g.fitted.ttft_overhead_s * 1e3),
                      fmt::format("{:.3f}", g.fitted.burst), fmt::format("{:.1f}", g.train_median_abs_error_pct),
                      fmt::format("{:.1f}", g.heldout_median_abs_error_pct)});
  return t;
}

// Error tables of a set of predictions: per metric, per group (and group x metric).
Tables error_tables(const std::vector<perf::RowPrediction>& preds, const std::string& by, bool rows_table) {
  Tables out;
  json rows = json::array();
  json skipped = json::array();
  std::vector<double> all;
  std::map<std::string, std::vector<double>> by_metric, by_group;
  std::map<std::pair<std::string, std::string>, std::vector<double>> by_group_metric;
  Table rt{{"id", "chip", "model", "backend", "metric", "measured", "predicted", "error %"}, {}, {}};
  for (const auto& p : preds) {
    if (!p.skip_reason.empty()) {
      skipped.push_back({{"id", p.row->id}, {"file", p.row->file}, {"line", p.row->line}, {"reason", p.skip_reason}});
      continue;
    }
    for (const auto& m : p.metrics) {
      const double e = m.error_pct();
      rows.push_back({{"id", p.row->id}, {"metric", m.metric}, {"measured", round_sig(m.measured)},
                      {"predicted", round_sig(m.predicted)}, {"error_pct", round_sig(e, 4)}, {"chip", p.chip_id},
                      {"model", p.model_id}, {"backend", p.row->backend}, {"family", p.family}, {"method", p.method},
                      {"assumed_isl", p.assumed_isl}});
      all.push_back(std::fabs(e));
      by_metric[m.metric].push_back(std::fabs(e));
      const std::string gk = group_key(p, by);
      by_group[gk].push_back(std::fabs(e));
      by_group_metric[{gk, m.metric}].push_back(std::fabs(e));
      if (rows_table)
        rt.rows.push_back({p.row->id, p.chip_id, p.model_id, p.row->backend, m.metric, fmt_num(m.measured), fmt_num(m.predicted),
                           fmt::format("{:+.1f}", e)});
    }
  }
  const auto s = perf::summarize(all);
  json by_j = json::object();
  for (const auto& [k, v] : by_group) {
    const auto gs = perf::summarize(v);
    by_j[k] = {{"n", gs.n}, {"median_abs_error_pct", round_sig(gs.median_abs_error_pct, 4)},
               {"p90_abs_error_pct", round_sig(gs.p90_abs_error_pct, 4)}};
  }
  json bm = json::object();
  Table mt{{"metric", "n", "median |err| %", "p90 |err| %"}, {}, {}};
  for (const auto& [k, v] : by_metric) {
    const auto ms = perf::summarize(v);
    bm[k] = {{"n", ms.n}, {"median_abs_error_pct", round_sig(ms.median_abs_error_pct, 4)},
             {"p90_abs_error_pct", round_sig(ms.p90_abs_error_pct, 4)}};
    mt.rows.push_back({k, std::to_string(ms.n), fmt::format("{:.1f}", ms.median_abs_error_pct), fmt::format("{:.1f}", ms.p90_abs_error_pct)});
  }
  mt.rows.push_back({"all", std::to_string(s.n), fmt::format("{:.1f}", s.median_abs_error_pct), fmt::format("{:.1f}", s.p90_abs_error_pct)});
  Table gt{{by, "metric", "n", "median |err| %", "p90 |err| %"}, {}, {}};
  for (const auto& [k, v] : by_group_metric) {
    const auto gs = perf::summarize(v);
    gt.rows.push_back({k.first, k.second, std::to_string(gs.n), fmt::format("{:.1f}", gs.median_abs_error_pct),
                       fmt::format("{:.1f}", gs.p90_abs_error_pct)});
  }
  out.j = {{"rows", rows},
           {"summary",
            {{"n", s.n},
             {"median_abs_error_pct", round_sig(s.median_abs_error_pct, 4)},
             {"p90_abs_error_pct", round_sig(s.p90_abs_error_pct, 4)},
             {"by", by_j},
             {"by_metric", bm}}},
           {"skipped", skipped}};
  out.tables = {mt, gt};
  out.titles = {"error by metric", "error by " + by + " and metric"};
  if (rows_table) {
    out.tables.push_back(rt);
    out.titles.push_back("per row");
  }
  Table sk{{"id", "reason"}, {}, {false, false}};
  std::map<std::string, int> reasons;
  for (const auto& x : skipped) reasons[x["reason"].get<std::string>()]++;
  for (const auto& [k, v] : reasons) sk.rows.push_back({std::to_string(v) + " row(s)", k});
  if (!sk.rows.empty()) {
    out.tables.push_back(sk);
    out.titles.push_back("skipped rows");
  }
  return out;
}

// The wave share fitted per publication, as JSON.
json harness_json(const std::map<std::string, perf::HarnessFit>& h) {
  json out = json::array();
  for (const auto& [src, f] : h) out.push_back({{"source", src}, {"ttft_rows", f.rows}, {"benchmark_burst", round_sig(f.burst, 4)}});
  return out;
}

}  // namespace gpugap::cli
