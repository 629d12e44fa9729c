// 80% prediction intervals (p10-p90) from leave-one-publication-out residuals: the
// ratio measured / predicted of every held-out metric, grouped by (family, stack,
// metric), in two levels: a new publication's own offset (any publication's median, of
// any family) plus the group's scatter about its publications' medians. A group with too
// few residuals (a spec-only chip's included) takes every family's scatter, widened by a
// factor measured on the same data.
// The nested check builds the intervals without each publication in turn and counts
// how many of that publication's measurements fall inside. docs/validation.md.
#pragma once

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "perf/validation.hpp"

namespace gpugap::perf {

// Quantile p in [0, 1] of `v` by linear interpolation between order statistics (numpy's
// default); 0 for an empty set.
double quantile(std::vector<double> v, double p);

// One held-out residual: log(measured / predicted) of one metric of one row.
struct Residual {
  std::string publication, family, stack, metric;
  double log_ratio = 0;
};
std::vector<Residual> residuals_of(const std::vector<RowPrediction>& heldout);

// A multiplicative interval: measured lies in [predicted x lo, predicted x hi] 80% of the time.
struct RatioInterval {
  double lo = 1, hi = 1;
  std::size_t n = 0;   // residuals it rests on
  bool pooled = false; // from every family's residuals, widened
};

struct IntervalTable {
  std::map<std::tuple<std::string, std::string, std::string>, RatioInterval> groups;  // (family, stack, metric)
  std::map<std::string, RatioInterval> pooled;  // by metric, widened
  double widen = 1;  // the pooled spread's widening factor
  // The interval of a prediction: its group's when it has enough residuals, else the pooled one.
  [[nodiscard]] RatioInterval at(const std::string& family, const std::string& stack, const std::string& metric) const;
};

// A group needs this many residuals for its own quantiles (fewer: p10/p90 are its extremes).
inline constexpr std::size_t kMinGroupResiduals = 10;

// The widening factor of the pooled interval: the median over groups with their own
// interval of (the p10-p90 width of log ratios pooled over the other families) / (the
// group's own width), at least 1. How much wider a family's residuals look to an
// interval that has not seen the family.
double widening_factor(const std::vector<Residual>& res);

IntervalTable build_intervals(const std::vector<Residual>& res);

// The nested check: each publication's residuals against intervals built from the others.
struct Coverage {
  std::size_t n = 0, inside = 0;
  [[nodiscard]] double share() const { return n ? double(inside) / double(n) : 0.0; }
};
struct CoverageReport {
  Coverage overall;
  std::map<std::string, Coverage> by_family, by_publication, by_metric;
};
CoverageReport nested_coverage(const std::vector<Residual>& res);

}  // namespace gpugap::perf
