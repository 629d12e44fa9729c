// Prediction intervals from held-out residuals (intervals.hpp), and the shipped table
// of them: its file, read and written (interval_file.hpp).
#include "perf/intervals.hpp"
#include "perf/kernels.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/source_dir.hpp"
#include "core/suggest.hpp"
#include "perf/interval_file.hpp"

namespace gpugap::perf {

double quantile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const double pos = std::clamp(p, 0.0, 1.0) * static_cast<double>(v.size() - 1);
  const auto i = static_cast<std::size_t>(std::floor(pos));
  const double f = pos - static_cast<double>(i);
  return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
}

std::vector<Residual> residuals_of(const std::vector<RowPrediction>& heldout) {
  std::vector<Residual> out;
  for (const auto& p : heldout) {
    if (!p.skip_reason.empty() || !p.row) continue;
    for (const auto& m : p.metrics)
      if (m.measured > 0 && m.predicted > 0)
        out.push_back({publication_of(*p.row), p.family, p.stack, m.metric, std::log(m.measured / m.predicted)});
  }
  return out;
}

namespace {

using Key = std::tuple<std::string, std::string, std::string>;

double width(const std::vector<double>& v) { return quantile(v, 0.9) - quantile(v, 0.1); }

std::map<Key, std::vector<double>> by_group(const std::vector<Residual>& res) {
  std::map<Key, std::vector<double>> g;
  for (const auto& r : res) g[{r.family, r.stack, r.metric}].push_back(r.log_ratio);
  return g;
}

RatioInterval from(const std::vector<double>& v, double widen, bool pooled, std::size_t n) {
  // Widened about the median: the spread grows, the bias stays.
  const double mid = quantile(v, 0.5);
  const double lo = mid + (quantile(v, 0.1) - mid) * widen;
  const double hi = mid + (quantile(v, 0.9) - mid) * widen;
  return {std::exp(lo), std::exp(hi), n, pooled};
}

// Two levels of error, as a new publication meets them: its own offset (its harness, engine
// build and settings shift all its rows alike), then the scatter of its rows about that offset.
// The offsets are the median log ratio of every (family, stack, metric, publication) cell, one
// per cell whatever its size, pooled over families (a harness's offset is not a family's); the
// scatter is each residual less its cell's median. A prediction's spread is every offset plus
// every scatter of its group: {e + d}. Rows of one publication alone would give the scatter only.
struct TwoLevel {
  std::map<std::string, std::vector<double>> offsets;  // by metric
  std::map<Key, std::vector<double>> scatter;          // by (family, stack, metric)
  std::map<std::string, std::vector<double>> scatter_all;  // by metric
};

TwoLevel two_level(const std::vector<Residual>& res) {
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::vector<double>> cells;
  for (const auto& r : res) cells[{r.family, r.stack, r.metric, r.publication}].push_back(r.log_ratio);
  std::map<std::tuple<std::string, std::string, std::string, std::string>, double> median;
  TwoLevel t;
  for (const auto& [k, v] : cells) {
    median[k] = quantile(v, 0.5);
    t.offsets[std::get<2>(k)].push_back(median[k]);
  }
  for (const auto& r : res) {
    const double d = r.log_ratio - median[{r.family, r.stack, r.metric, r.publication}];
    t.scatter[{r.family, r.stack, r.metric}].push_back(d);
    t.scatter_all[r.metric].push_back(d);
  }
  return t;
}

std::vector<double> convolve(const std::vector<double>& offsets, const std::vector<double>& scatter) {
  std::vector<double> v;
  v.reserve(offsets.size() * scatter.size());
  for (double e : offsets)
    for (double d : scatter) v.push_back(e + d);
  return v;
}

}  // namespace

double widening_factor(const std::vector<Residual>& res) {
  std::vector<double> ratios;
  for (const auto& [k, v] : by_group(res)) {
    if (v.size() < kMinGroupResiduals) continue;
    const double own = width(v);
    if (!(own > 0)) continue;
    std::vector<double> others;
    for (const auto& r : res)
      if (r.metric == std::get<2>(k) && r.family != std::get<0>(k)) others.push_back(r.log_ratio);
    if (others.size() < kMinGroupResiduals) continue;
    ratios.push_back(width(others) / own);
  }
  return ratios.empty() ? 1.0 : std::max(1.0, quantile(ratios, 0.5));
}

IntervalTable build_intervals(const std::vector<Residual>& res) {
  IntervalTable t;
  t.widen = widening_factor(res);
  const TwoLevel tl = two_level(res);
  for (const auto& [k, v] : tl.scatter)
    if (v.size() >= kMinGroupResiduals) t.groups[k] = from(convolve(tl.offsets.at(std::get<2>(k)), v), 1.0, false, v.size());
  for (const auto& [m, v] : tl.scatter_all) t.pooled[m] = from(convolve(tl.offsets.at(m), v), t.widen, true, v.size());
  return t;
}

RatioInterval IntervalTable::at(const std::string& family, const std::string& stack, const std::string& metric) const {
  if (auto it = groups.find({family, stack, metric}); it != groups.end()) return it->second;
  if (auto it = pooled.find(metric); it != pooled.end()) return it->second;
  return {0, 0, 0, true};  // no residual of this metric anywhere: an interval that holds nothing
}

CoverageReport nested_coverage(const std::vector<Residual>& res) {
  CoverageReport c;
  std::set<std::string> pubs;
  for (const auto& r : res) pubs.insert(r.publication);
  for (const auto& pub : pubs) {
    std::vector<Residual> others;
    for (const auto& r : res)
      if (r.publication != pub) others.push_back(r);
    const IntervalTable t = build_intervals(others);
    for (const auto& r : res) {
      if (r.publication != pub) continue;
      const RatioInterval iv = t.at(r.family, r.stack, r.metric);
      const double ratio = std::exp(r.log_ratio);
      const bool in = iv.n > 0 && ratio >= iv.lo && ratio <= iv.hi;
      for (Coverage* k : {&c.overall, &c.by_family[r.family], &c.by_publication[pub], &c.by_metric[r.metric]}) {
        ++k->n;
        k->inside += in ? 1 : 0;
      }
    }
  }
  return c;
}

// ---- the shipped table (interval_file.hpp) ----------------------------------------
namespace {

const std::vector<std::string> kIntervalHeader = {"basis", "family", "stack", "metric", "residuals", "p10", "p90", "widen"};
const std::vector<std::string> kIntervalMetrics = {"input_tps_per_chip", "output_tps_per_chip", "tpot_ms", "ttft_ms"};
const std::vector<std::string> kIntervalBases = {"group", "pooled"};
constexpr std::string_view kIntervalCommand = "# Generated by: ";
constexpr std::string_view kIntervalFiles = "# Measurement files: ";
constexpr std::string_view kIntervalDate = "# Date: ";


double interval_number(const std::string& s, const Location& at, const char* expected) {
  double v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || p != end || !std::isfinite(v)) throw UserError(at, expected, "'" + s + "'");
  return v;
}

std::string join_fields(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string csv_row(const char* basis, const std::string& family, const std::string& stack, const std::string& metric,
                const RatioInterval& r, double widen) {
  return fmt::format("{},{},{},{},{},{:.6g},{:.6g},{:.6g}\n", basis, family, stack, metric, r.n, r.lo, r.hi, widen);
}

}  // namespace

std::string intervals_csv(const IntervalTable& t, const std::string& command, const std::vector<std::string>& files,
                          const std::string& date) {
  std::string out =
      "# 80% prediction intervals of the perf model: p10 and p90 of measured / predicted over the leave-one-publication-out\n"
      "# residuals of each (chip family, software stack, metric) group with enough of them; 'pooled' rows pool every family's\n"
      "# residuals, widened about their median by `widen`, for chips without a group (docs/validation.md). Do not edit by hand.\n";
  out += std::string(kIntervalCommand) + command + "\n";
  out += std::string(kIntervalFiles) + join_fields(files, ", ") + "\n";
  out += std::string(kIntervalDate) + date + "\n";
  out += join_fields(kIntervalHeader, ",") + "\n";
  for (const auto& [k, r] : t.groups) out += csv_row("group", std::get<0>(k), std::get<1>(k), std::get<2>(k), r, 1.0);
  for (const auto& [m, r] : t.pooled) out += csv_row("pooled", "", "", m, r, t.widen);
  return out;
}

IntervalFile read_intervals(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(Location{path, 0, ""}, "a readable interval table (make intervals)", "cannot open");
  IntervalFile f;
  f.path = path;
  std::string line;
  int n = 0;
  bool header = false;
  std::optional<double> widen;
  std::set<std::tuple<std::string, std::string, std::string, std::string>> seen;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!header && line.starts_with('#')) {
      if (line.starts_with(kIntervalCommand)) f.command = line.substr(kIntervalCommand.size());
      if (line.starts_with(kIntervalDate)) f.date = line.substr(kIntervalDate.size());
      if (line.starts_with(kIntervalFiles)) {
        std::istringstream s(line.substr(kIntervalFiles.size()));
        for (std::string x; std::getline(s, x, ',');)
          if (auto b = x.find_first_not_of(' '); b != std::string::npos) f.measurement_files.push_back(x.substr(b));
      }
      continue;
    }
    if (!header) {
      if (split_plain_csv(line) != kIntervalHeader) throw UserError(Location{path, n, ""}, "the header " + join_fields(kIntervalHeader, ","), "'" + line + "'");
      header = true;
      continue;
    }
    if (line.empty()) continue;
    const auto c = split_plain_csv(line);
    if (c.size() != kIntervalHeader.size())
      throw UserError(Location{path, n, ""}, fmt::format("{} comma-separated fields", kIntervalHeader.size()), std::to_string(c.size()));
    auto at = [&](std::size_t col) { return Location{path, n, "column " + kIntervalHeader[col]}; };
    if (std::find(kIntervalBases.begin(), kIntervalBases.end(), c[0]) == kIntervalBases.end())
      throw UserError(at(0), "group or pooled", "'" + c[0] + "'", suggest(c[0], kIntervalBases));
    const bool pooled = c[0] == "pooled";
    for (std::size_t col : {std::size_t(1), std::size_t(2)})
      if (pooled != c[col].empty())
        throw UserError(at(col), pooled ? "an empty field (a pooled row spans every family)" : "a name", "'" + c[col] + "'");
    if (std::find(kIntervalMetrics.begin(), kIntervalMetrics.end(), c[3]) == kIntervalMetrics.end())
      throw UserError(at(3), "one of " + join_fields(kIntervalMetrics, ", "), "'" + c[3] + "'", suggest(c[3], kIntervalMetrics));
    const double count = interval_number(c[4], at(4), "a whole number of residuals >= 1");
    if (count < 1 || count != std::floor(count)) throw UserError(at(4), "a whole number of residuals >= 1", "'" + c[4] + "'");
    RatioInterval r;
    r.n = static_cast<std::size_t>(count);
    r.lo = interval_number(c[5], at(5), "a positive ratio");
    r.hi = interval_number(c[6], at(6), "a positive ratio");
    r.pooled = pooled;
    if (r.lo <= 0) throw UserError(at(5), "a positive ratio", "'" + c[5] + "'");
    if (r.hi < r.lo) throw UserError(at(6), fmt::format("a ratio >= p10 ({})", c[5]), "'" + c[6] + "'");
    const double w = interval_number(c[7], at(7), "a widening factor >= 1");
    if (w < 1 || (!pooled && w != 1)) throw UserError(at(7), pooled ? "a widening factor >= 1" : "1 (a group is not widened)", "'" + c[7] + "'");
    if (pooled && widen && *widen != w) throw UserError(at(7), fmt::format("the widening factor of the other pooled rows ({})", *widen), "'" + c[7] + "'");
    if (!seen.insert({c[0], c[1], c[2], c[3]}).second) throw UserError(Location{path, n, ""}, "one row per basis, family, stack and metric", "a repeat");
    if (pooled) {
      widen = w;
      f.table.pooled[c[3]] = r;
    } else {
      f.table.groups[{c[1], c[2], c[3]}] = r;
    }
  }
  if (!header) throw UserError(Location{path, n, ""}, "the header " + join_fields(kIntervalHeader, ","), "none");
  f.table.widen = widen.value_or(1.0);
  return f;
}

std::string intervals_path() {
  if (const char* env = std::getenv("GPUGAP_INTERVALS"); env && *env) return env;
  return core::source_dir() + "/data/intervals/perf-intervals.csv";
}

std::optional<IntervalFile> shipped_intervals() {
  const std::string p = intervals_path();
  const char* env = std::getenv("GPUGAP_INTERVALS");
  std::error_code ec;
  if (!(env && *env) && !std::filesystem::exists(p, ec)) return std::nullopt;
  return read_intervals(p);
}

std::string lopo_summary_path() {
  if (const char* env = std::getenv("GPUGAP_VALIDATION_SUMMARY"); env && *env) return env;
  return core::source_dir() + "/data/intervals/lopo-summary.json";
}

std::optional<nlohmann::json> read_lopo_summary(const std::string& path) {
  const char* env = std::getenv("GPUGAP_VALIDATION_SUMMARY");
  std::error_code ec;
  if (!(env && *env) && path == lopo_summary_path() && !std::filesystem::exists(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(Location{path, 0, ""}, "a readable headline file (make intervals)", "cannot open");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw UserError(Location{path, 0, fmt::format("byte {}", e.byte)}, "JSON (make intervals writes it)", e.what());
  }
  for (const char* key : {"rows", "predicted", "folds", "by_metric", "publications", "intervals", "generated"})
    if (!j.is_object() || !j.contains(key)) throw UserError(Location{path, 0, key}, "the headline's key (make intervals)", "none");
  return j;
}

PointInterval interval_of(const IntervalTable& t, const std::string& family, const std::string& stack, const std::string& metric,
                          double point) {
  const RatioInterval r = t.at(family, stack, metric);
  PointInterval iv;
  if (r.n == 0 || !std::isfinite(point)) return iv;
  iv.ok = true;
  iv.p10 = point * r.lo;
  iv.p90 = point * r.hi;
  iv.basis = r.pooled ? fmt::format("pooled across families, widened x{:.3g}", t.widen)
                      : fmt::format("{}/{} group, {} residuals", family, stack, r.n);
  return iv;
}

PointInterval inverse_interval(const PointInterval& iv, double base, double point) {
  PointInterval out = iv;
  if (!iv.ok || !(base > 0) || !(iv.p10 > 0)) return PointInterval{};
  // point = k / base: the low end of the base gives the high end of the figure.
  out.p10 = point * base / iv.p90;
  out.p90 = point * base / iv.p10;
  return out;
}

PointInterval scaled_interval(const PointInterval& iv, double base, double point) {
  PointInterval out = iv;
  if (!iv.ok || !(base > 0)) return PointInterval{};
  out.p10 = point * iv.p10 / base;
  out.p90 = point * iv.p90 / base;
  return out;
}

}  // namespace gpugap::perf
