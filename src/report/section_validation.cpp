// 10. Validation: the performance model's prediction errors against published
// measurements. It leads with the leave-one-publication-out headline (what to expect
// of a publication the model has never seen), read from the file `make intervals`
// writes (data/intervals/lopo-summary.json: the refits take minutes); then the in-sample
// errors with the shipped catalog, computed here and labelled as such; k-fold last.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>

#include "core/error.hpp"
#include "core/source_dir.hpp"
#include "perf/interval_file.hpp"
#include "perf/validation.hpp"
#include "report/sections.hpp"

namespace fs = std::filesystem;

namespace gpugap::report::detail {
namespace {

constexpr std::size_t kWorstRows = 40;
constexpr const char* kAicPublication = "aic-silicon-sample";
constexpr const char* kLopoMetrics[] = {"output_tps_per_chip", "tpot_ms", "ttft_ms", "input_tps_per_chip"};

double lopo_median(const nlohmann::json& by_metric, const char* metric) {
  if (!by_metric.contains(metric)) return std::nan("");
  return by_metric[metric].value("median_abs_error_pct", std::nan(""));
}

std::size_t lopo_count(const nlohmann::json& by_metric, const char* metric) {
  return by_metric.contains(metric) ? by_metric[metric].value("n", std::size_t(0)) : 0;
}

// The headline items: median |error| by metric (all publications, all but the AIC sample,
// the AIC sample on its own line), each publication's line and the intervals' nested
// coverage. Returns the takeaway.
std::string lopo_items(const nlohmann::json& j, Section& s, nlohmann::json& results) {
  const auto& gen = j["generated"];
  const nlohmann::json* aic = nullptr;
  for (const auto& p : j["publications"])
    if (p.value("publication", "") == kAicPublication) aic = &p["by_metric"];
  s.items.push_back(Paragraph{fmt::format(
      "Headline: leave one publication out. Each publication (one source site or repository; all MLPerf results of a round "
      "are one; the AIConfigurator sample is one, on its own line) is predicted by a fit of every other one: what to expect of "
      "a publication the model has never seen. {} of {} rows predicted ({} folds); the rest are skipped with a reason "
      "(docs/validation.md). Read from {} (generated {} by `{}`), not refitted here.",
      j.value("predicted", 0), j.value("rows", 0), j.value("folds", 0), "data/intervals/lopo-summary.json",
      gen.value("date", "?"), gen.value("command", "?"))});
  TableData t;
  t.id = "validation-lopo";
  t.title = "Leave one publication out: median |error| by metric (%)";
  t.headers = {"publications", "output tok/s per chip", "TPOT", "TTFT", "input tok/s per chip", "predictions"};
  auto line = [&](const std::string& name, const nlohmann::json& bm) {
    std::size_t n = 0;
    std::vector<Cell> r{Cell::txt(name)};
    for (const char* m : kLopoMetrics) {
      r.push_back(Cell::num(lopo_median(bm, m), kOne));
      n += lopo_count(bm, m);
    }
    r.push_back(Cell::num(static_cast<double>(n), kInt));
    t.rows.push_back(r);
  };
  line("all publications", j["by_metric"]);
  if (j.contains("by_metric_without_aic")) line("all but the AIC sample", j["by_metric_without_aic"]);
  if (aic) line("AIC sample on its own", *aic);
  t.note = "Each figure comes from predictions of rows whose publication was left out of the fit. The AIC sample holds most "
           "rows, so the first line is mostly its line; the second line is every other publication.";
  s.items.push_back(t);
  TableData pt;
  pt.id = "validation-lopo-publications";
  pt.title = "Leave one publication out, by publication: median |error| (%) of its rows, predicted without any of them in the fit";
  pt.headers = {"publication", "rows", "predicted", "output tok/s per chip", "TPOT", "TTFT", "input tok/s per chip"};
  for (const auto& p : j["publications"]) {
    std::vector<Cell> r{Cell::txt(p.value("publication", "")), Cell::num(p.value("rows", 0.0), kInt), Cell::num(p.value("predicted", 0.0), kInt)};
    for (const char* m : kLopoMetrics) r.push_back(Cell::num(lopo_median(p["by_metric"], m), kOne));
    pt.rows.push_back(r);
  }
  s.items.push_back(pt);
  const auto& cov = j["intervals"]["nested_coverage"];
  s.items.push_back(Paragraph{fmt::format(
      "80% intervals: every perf, econ and score figure of output tokens/s, TPOT and TTFT carries a p10-p90 interval from "
      "these held-out residuals of its (chip family, stack, metric) group (a new publication's own offset, as any "
      "publication's, plus the group's scatter about its publications' medians); a chip without a group (spec-only) takes every "
      "family's residuals pooled and widened x{:.3g}. Built without each publication in turn, they hold {:.1f}% of its {} "
      "measurements (target 70-90%). Monte Carlo ranges elsewhere in this report are p5/p95.",
      j["intervals"].value("widen_factor", 1.0), cov.value("coverage_pct", 0.0), cov.value("n", 0))});
  TableData ct;
  ct.id = "validation-interval-coverage";
  ct.title = "Nested coverage of the 80% intervals by metric (each publication against intervals built without it)";
  ct.headers = {"metric", "measurements", "inside", "coverage (%)"};
  for (const auto& [m, c] : cov["by_metric"].items())
    ct.rows.push_back({Cell::txt(m), Cell::num(c.value("n", 0.0), kInt), Cell::num(c.value("inside", 0.0), kInt), Cell::num(c.value("coverage_pct", 0.0), kOne)});
  ct.rows.push_back({Cell::txt("all"), Cell::num(cov.value("n", 0.0), kInt), Cell::num(cov.value("inside", 0.0), kInt), Cell::num(cov.value("coverage_pct", 0.0), kOne)});
  s.items.push_back(ct);
  results = {{"rows", j["rows"]}, {"predicted", j["predicted"]}, {"folds", j["folds"]},
                                         {"by_metric", j["by_metric"]}, {"aic_sample", aic ? *aic : nlohmann::json(nullptr)},
                                         {"interval_coverage_pct", cov.value("coverage_pct", 0.0)}, {"generated", gen}};
  return fmt::format("Leave one publication out ({} of {} rows predicted): median |error| output tok/s per chip {:.1f}%, TPOT {:.1f}%, "
                     "TTFT {:.1f}%; 80% intervals hold {:.1f}% of held-out measurements.",
                     j.value("predicted", 0), j.value("rows", 0), lopo_median(j["by_metric"], "output_tps_per_chip"),
                     lopo_median(j["by_metric"], "tpot_ms"), lopo_median(j["by_metric"], "ttft_ms"), cov.value("coverage_pct", 0.0));
}

// The k-fold figures of the same file: secondary (their folds share publications with the fit).
void kfold_items(const nlohmann::json& j, Section& s) {
  if (!j.contains("kfold")) return;
  const auto& k = j["kfold"];
  TableData t;
  t.id = "validation-kfold";
  t.title = fmt::format("Secondary: {}-fold held-out error by metric (folds by row share publications with the fit, so lower than the headline)",
                        k.value("folds", 0));
  t.headers = {"metric", "predictions", "median |error| (%)", "p90 |error| (%)"};
  for (const auto& [m, v] : k["summary"]["by_metric"].items())
    t.rows.push_back({Cell::txt(m), Cell::num(v.value("n", 0.0), kInt), Cell::num(v.value("median_abs_error_pct", 0.0), kOne),
                      Cell::num(v.value("p90_abs_error_pct", 0.0), kOne)});
  s.items.push_back(t);
}

}  // namespace

// Where the shipped measurement files are: $GPUGAP_MEASUREMENTS (':'-separated
// files), else every CSV under data/measurements/ of the source tree but the harness side table.
// (data/measurements/README.md says where each file comes from.)
std::vector<std::string> measurement_files() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("GPUGAP_MEASUREMENTS"); env && *env) {
    std::string s = env;
    for (std::size_t pos = 0; pos <= s.size();) {
      const auto end = std::min(s.find(':', pos), s.size());
      if (end > pos) out.push_back(s.substr(pos, end - pos));
      pos = end + 1;
    }
    return out;
  }
  std::error_code ec;
  for (const fs::path& dir : {fs::path(core::source_dir()) / "data" / "measurements", fs::path(core::source_dir()) / "data"}) {
    if (!fs::is_directory(dir, ec)) continue;
    for (const auto& e : fs::directory_iterator(dir, ec))
      // harness-map.csv is the side table of a verbatim file's benchmark, not measurements.
      if (e.path().extension() == ".csv" && e.path().filename() != "harness-map.csv") out.push_back(e.path().string());
    if (!out.empty()) break;
  }
  std::sort(out.begin(), out.end());
  return out;
}

Section validation_section(Gather& g) {
  Section s{"validation", "10. Validation", "", {}};
  // The headline first: leave one publication out, from the file make intervals writes.
  std::string headline;
  std::optional<nlohmann::json> lopo;
  try {
    lopo = perf::read_lopo_summary(perf::lopo_summary_path());
    if (lopo) headline = lopo_items(*lopo, s, g.results["validation_leave_one_publication_out"]);
    else
      s.items.push_back(Unavailable{"the leave-one-publication-out headline",
                                    "data/intervals/lopo-summary.json is absent (make intervals writes it)"});
  } catch (const UserError& e) {
    s.items.push_back(Unavailable{"the leave-one-publication-out headline", e.what()});
  }
  const auto files = measurement_files();
  if (files.empty()) {
    const std::string why = "no measurement file found (data/measurements/*.csv in the source tree, or $GPUGAP_MEASUREMENTS)";
    s.items.push_back(Unavailable{"prediction errors against published measurements", why});
    s.takeaway = headline.empty() ? "Not available: " + why + "." : headline;
    return s;
  }
  std::vector<perf::Measurement> rows;
  for (const auto& f : files) {
    auto r = perf::read_measurements(f);
    rows.insert(rows.end(), r.begin(), r.end());
  }
  g.progress(fmt::format("report: validation, {} measurements", rows.size()));
  const perf::ValidateOptions vo;
  std::vector<perf::RowPrediction> preds;
  preds.reserve(rows.size());
  for (const auto& m : rows) preds.push_back(perf::predict(*g.ctx.catalog, g.ctx.params, m, vo));

  std::map<std::string, std::vector<double>> by_family, by_metric;
  std::vector<double> all;
  std::size_t skipped = 0;
  TableData detail;
  detail.id = "validation-rows";
  detail.title = fmt::format("In-sample: the {} least accurate predictions (shipped catalog values)", kWorstRows);
  detail.headers = {"measurement id", "chip", "model", "metric", "measured", "predicted", "error (%)"};
  for (const auto& p : preds) {
    if (!p.skip_reason.empty() || p.assumed_isl) {
      ++skipped;
      continue;
    }
    const std::string& fam = p.family;
    for (const auto& m : p.metrics) {
      if (!std::isfinite(m.error_pct())) continue;
      const double a = std::fabs(m.error_pct());
      by_family[fam].push_back(a);
      by_metric[m.metric].push_back(a);
      all.push_back(a);
      detail.rows.push_back({Cell::txt(p.row->id), Cell::txt(p.chip_id), Cell::txt(p.model_id), Cell::txt(m.metric), Cell::num(m.measured, kGeneral),
                             Cell::num(m.predicted, kGeneral), Cell::num(m.error_pct(), kOne, std::fabs(m.error_pct()) > 50)});
    }
  }
  if (all.empty()) {
    s.items.push_back(Unavailable{"prediction errors", fmt::format("none of the {} measurements could be predicted", rows.size())});
    s.takeaway = headline.empty() ? "Not available: no measurement could be predicted." : headline;
    return s;
  }
  const perf::Summary sum = perf::summarize(all);
  TableData t;
  t.id = "validation-by-family";
  t.title = "In-sample: absolute prediction error by chip family (shipped catalog values, fitted on these rows)";
  t.headers = {"chip family", "predictions", "median |error| (%)", "p90 |error| (%)"};
  std::vector<std::string> cats;
  std::vector<double> med;
  nlohmann::json fj = nlohmann::json::object();
  for (const auto& [fam, v] : by_family) {
    const perf::Summary fs2 = perf::summarize(v);
    t.rows.push_back({Cell::txt(fam), Cell::num(static_cast<double>(fs2.n), kInt), Cell::num(fs2.median_abs_error_pct, kOne),
                      Cell::num(fs2.p90_abs_error_pct, kOne)});
    cats.push_back(fam);
    med.push_back(fs2.median_abs_error_pct);
    fj[fam] = {{"n", fs2.n}, {"median_abs_error_pct", fs2.median_abs_error_pct}, {"p90_abs_error_pct", fs2.p90_abs_error_pct}};
  }
  t.rows.push_back({Cell::txt("all"), Cell::num(static_cast<double>(sum.n), kInt), Cell::num(sum.median_abs_error_pct, kOne),
                    Cell::num(sum.p90_abs_error_pct, kOne)});
  TableData tm;
  tm.id = "validation-by-metric";
  tm.title = "In-sample: absolute prediction error by metric (shipped catalog values, fitted on these rows)";
  tm.headers = {"metric", "predictions", "median |error| (%)", "p90 |error| (%)"};
  for (const auto& [m, v] : by_metric) {
    const perf::Summary ms = perf::summarize(v);
    tm.rows.push_back({Cell::txt(m), Cell::num(static_cast<double>(ms.n), kInt), Cell::num(ms.median_abs_error_pct, kOne),
                       Cell::num(ms.p90_abs_error_pct, kOne)});
  }
  std::size_t worst = 0;
  for (std::size_t i = 0; i < med.size(); ++i)
    if (med[i] > med[worst]) worst = i;
  const std::string tk = fmt::format("In-sample (the fit saw these rows): across {} predictions of {} measurements the median absolute "
                                     "error is {:.1f}% (p90 {:.1f}%); the least accurate family is {} ({:.1f}%).",
                                     sum.n, rows.size() - skipped, sum.median_abs_error_pct, sum.p90_abs_error_pct, cats[worst], med[worst]);
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(fs::path(f).filename().string());
  s.items.push_back(Paragraph{fmt::format("Measurement files: {}. {} rows skipped (missing chip or model data, or no input length).",
                                          fmt::join(names, ", "), skipped)});
  s.items.push_back(charts::bar("validation-family", "In-sample: median absolute prediction error by chip family", tk, charts::Axis{"chip family", kOne},
                                charts::Axis{"median |error| (%)", kOne}, cats, {charts::Series{"median |error| (%)", med, charts::kNeutral, ""}}));
  s.items.push_back(t);
  s.items.push_back(tm);
  // Only the worst rows: thousands of rows help no reader (gpugap validate lists them all).
  std::stable_sort(detail.rows.begin(), detail.rows.end(),
                   [](const auto& a, const auto& b) { return std::fabs(a.back().number) > std::fabs(b.back().number); });
  if (detail.rows.size() > kWorstRows) detail.rows.resize(kWorstRows);
  s.items.push_back(detail);
  if (lopo) kfold_items(*lopo, s);
  g.results["validation"] = {{"n", sum.n}, {"median_abs_error_pct", sum.median_abs_error_pct},
                             {"p90_abs_error_pct", sum.p90_abs_error_pct}, {"by_family", fj}};
  s.takeaway = headline.empty() ? tk : headline + " " + tk;
  return s;
}

}  // namespace gpugap::report::detail
