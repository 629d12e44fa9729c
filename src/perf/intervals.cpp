// Prediction intervals from held-out residuals (intervals.hpp).
#include "perf/intervals.hpp"

#include <algorithm>
#include <cmath>
#include <set>

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

RatioInterval from(const std::vector<double>& v, double widen, bool pooled) {
  // Widened about the median: the spread grows, the bias stays.
  const double mid = quantile(v, 0.5);
  const double lo = mid + (quantile(v, 0.1) - mid) * widen;
  const double hi = mid + (quantile(v, 0.9) - mid) * widen;
  return {std::exp(lo), std::exp(hi), v.size(), pooled};
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
  for (const auto& [k, v] : by_group(res))
    if (v.size() >= kMinGroupResiduals) t.groups[k] = from(v, 1.0, false);
  std::map<std::string, std::vector<double>> by_metric;
  for (const auto& r : res) by_metric[r.metric].push_back(r.log_ratio);
  for (const auto& [m, v] : by_metric) t.pooled[m] = from(v, t.widen, true);
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

}  // namespace gpugap::perf
