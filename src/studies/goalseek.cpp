#include "studies/goalseek.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <cstdint>
#include <limits>

namespace gpugap::studies {
namespace {

constexpr double kUnbounded = 1e299;    // ParamDecl's default range is +-1e300
constexpr int kGridIntervals = 64;      // scan of a bounded range
constexpr int kExpansionSteps = 24;     // offsets up to 2^24/16 ~ 1e6 x the value
constexpr double kExpansionUnit = 1.0 / 16.0;
constexpr double kRelTolerance = 1e-12;
constexpr std::uintmax_t kMaxIterations = 200;

}  // namespace

GoalSeekResult goal_seek(const ParamTable& t, const Uncertainty& u, const CompiledMetrics& f, const std::string& metric,
                         double target, ParamIndex vary, const GoalSeekOptions& opt) {
  const Param& p = t.at(vary);
  const Location where{"", 0, "goalseek --vary " + p.path};
  if (p.is_null) throw UserError(where, "a parameter with a value", "null (unknown)");
  if (!std::isfinite(target)) throw UserError(Location{"", 0, "goalseek --target"}, "a finite target", fmt::format("{}", target));

  GoalSeekResult res;
  res.metric = metric;
  res.target = target;
  res.param = p.path;
  res.param_base = p.value;
  std::vector<double> v = t.values();
  double out = 0;
  auto g = [&](double x) {
    v[vary] = x;
    f(v, std::span<double>(&out, 1));
    ++res.evaluations;
    return out - target;
  };
  res.metric_base = g(p.value) + target;

  const Range allowed = param_range(t, vary);
  double lo = allowed.lo;
  double hi = allowed.hi;
  std::vector<double> points{p.value};
  if (opt.lo || opt.hi) {
    lo = opt.lo.value_or(allowed.lo);
    hi = opt.hi.value_or(allowed.hi);
    if (!(lo < hi) || lo < allowed.lo || hi > allowed.hi)
      throw UserError(where, fmt::format("--lo < --hi inside the parameter's allowed range [{:g}, {:g}]", allowed.lo, allowed.hi),
                      fmt::format("[{:g}, {:g}]", lo, hi));
    res.range_basis = "given";
  } else {
    res.range_basis = lo > -kUnbounded && hi < kUnbounded ? "declared" : "expanded";
  }
  if (lo > -kUnbounded && hi < kUnbounded) {
    for (int k = 0; k <= kGridIntervals; ++k) points.push_back(lo + (hi - lo) * k / kGridIntervals);
  } else {
    // Unbounded on a side: offsets that double, from a sixteenth of the value.
    const double scale = p.value != 0 ? std::abs(p.value) : 1.0;
    for (int k = 1; k <= kExpansionSteps; ++k) {
      const double off = scale * kExpansionUnit * (std::ldexp(1.0, k) - 1.0);
      points.push_back(std::max(p.value - off, lo));
      points.push_back(std::min(p.value + off, hi));
    }
    lo = *std::min_element(points.begin(), points.end());
    hi = *std::max_element(points.begin(), points.end());
  }
  res.lo = lo;
  res.hi = hi;
  std::erase_if(points, [&](double x) { return x < lo || x > hi; });
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());

  if (const UncertainParam* up = u.covering(vary)) {
    res.interval_p5 = up->relative ? p.value * up->p5() : up->p5();
    res.interval_p95 = up->relative ? p.value * up->p95() : up->p95();
  }

  // Scan for the sign change (or exact hit) nearest the current value.
  std::vector<double> gv(points.size());
  double seen_lo = std::numeric_limits<double>::infinity();
  double seen_hi = -seen_lo;
  for (std::size_t k = 0; k < points.size(); ++k) {
    gv[k] = g(points[k]);
    if (std::isfinite(gv[k])) {
      seen_lo = std::min(seen_lo, gv[k] + target);
      seen_hi = std::max(seen_hi, gv[k] + target);
    }
  }
  std::optional<std::pair<double, double>> best;
  std::optional<double> exact;
  double best_dist = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < points.size(); ++k) {
    if (gv[k] == 0 && std::abs(points[k] - p.value) < best_dist) {
      best_dist = std::abs(points[k] - p.value);
      exact = points[k];
      best.reset();
    }
    if (k + 1 < points.size() && std::isfinite(gv[k]) && std::isfinite(gv[k + 1]) && gv[k] * gv[k + 1] < 0) {
      const double d = std::max(0.0, std::max(points[k] - p.value, p.value - points[k + 1]));
      if (d < best_dist) {
        best_dist = d;
        best = std::pair{points[k], points[k + 1]};
        exact.reset();
      }
    }
  }
  if (!best && !exact) {
    if (seen_lo == seen_hi)
      throw UserError(where, fmt::format("a parameter that {} depends on", metric),
                      fmt::format("{} stays at {:g} for every {} in [{:g}, {:g}]", metric, seen_lo, p.path, lo, hi));
    throw UserError(where, fmt::format("a value of {} in [{:g}, {:g}] that makes {} = {:g}", p.path, lo, hi, metric, target),
                    fmt::format("{} ranges only over [{:.6g}, {:.6g}] there", metric, seen_lo, seen_hi),
                    "try another --vary parameter, or give --lo/--hi");
  }
  if (exact) {
    res.value = *exact;
  } else {
    auto [a, b] = *best;
    std::uintmax_t iters = kMaxIterations;
    const auto tol = [](double x, double y) {
      return std::abs(y - x) <= kRelTolerance * std::max({1.0, std::abs(x), std::abs(y)});
    };
    const double ga = g(a);
    const double gb = g(b);
    const auto r = boost::math::tools::toms748_solve(g, a, b, ga, gb, tol, iters);
    res.value = 0.5 * (r.first + r.second);
  }
  res.achieved = g(res.value) + target;
  return res;
}

}  // namespace gpugap::studies
