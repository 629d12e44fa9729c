// 10. Validation: the performance model's prediction errors against published
// measurements (what `gpugap validate` prints), in-sample with the shipped
// catalog, by chip family and by metric.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "core/source_dir.hpp"
#include "perf/validation.hpp"
#include "report/sections.hpp"

namespace fs = std::filesystem;

namespace gpugap::report::detail {
namespace {

constexpr std::size_t kWorstRows = 40;

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
  const auto files = measurement_files();
  if (files.empty()) {
    const std::string why = "no measurement file found (data/measurements/*.csv in the source tree, or $GPUGAP_MEASUREMENTS)";
    s.items.push_back(Unavailable{"prediction errors against published measurements", why});
    s.takeaway = "Not available: " + why + ".";
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
  detail.title = fmt::format("The {} least accurate predictions (in-sample, shipped catalog values)", kWorstRows);
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
    s.takeaway = "Not available: no measurement could be predicted.";
    return s;
  }
  const perf::Summary sum = perf::summarize(all);
  TableData t;
  t.id = "validation-by-family";
  t.title = "Absolute prediction error by chip family";
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
  tm.title = "Absolute prediction error by metric";
  tm.headers = {"metric", "predictions", "median |error| (%)", "p90 |error| (%)"};
  for (const auto& [m, v] : by_metric) {
    const perf::Summary ms = perf::summarize(v);
    tm.rows.push_back({Cell::txt(m), Cell::num(static_cast<double>(ms.n), kInt), Cell::num(ms.median_abs_error_pct, kOne),
                       Cell::num(ms.p90_abs_error_pct, kOne)});
  }
  std::size_t worst = 0;
  for (std::size_t i = 0; i < med.size(); ++i)
    if (med[i] > med[worst]) worst = i;
  const std::string tk = fmt::format("Across {} predictions of {} measurements the median absolute error is {:.1f}% (p90 {:.1f}%); "
                                     "the least accurate family is {} ({:.1f}%).",
                                     sum.n, rows.size() - skipped, sum.median_abs_error_pct, sum.p90_abs_error_pct, cats[worst], med[worst]);
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(fs::path(f).filename().string());
  s.items.push_back(Paragraph{fmt::format("Measurement files: {}. {} rows skipped (missing chip or model data, or no input length).",
                                          fmt::join(names, ", "), skipped)});
  s.items.push_back(charts::bar("validation-family", "Median absolute prediction error by chip family", tk, charts::Axis{"chip family", kOne},
                                charts::Axis{"median |error| (%)", kOne}, cats, {charts::Series{"median |error| (%)", med, charts::kNeutral, ""}}));
  s.items.push_back(t);
  s.items.push_back(tm);
  // Only the worst rows: thousands of rows help no reader (gpugap validate lists them all).
  std::stable_sort(detail.rows.begin(), detail.rows.end(),
                   [](const auto& a, const auto& b) { return std::fabs(a.back().number) > std::fabs(b.back().number); });
  if (detail.rows.size() > kWorstRows) detail.rows.resize(kWorstRows);
  s.items.push_back(detail);
  g.results["validation"] = {{"n", sum.n}, {"median_abs_error_pct", sum.median_abs_error_pct},
                             {"p90_abs_error_pct", sum.p90_abs_error_pct}, {"by_family", fj}};
  s.takeaway = tk;
  return s;
}

}  // namespace gpugap::report::detail
