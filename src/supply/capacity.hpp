// Capacity and unit-economics arithmetic of the supply engine, as small pure
// functions (the run loop and the tests share them). Equations:
// docs/model-supply.md sections 0 and 7.
#pragma once

#include <algorithm>
#include <cmath>
#include <span>

namespace gpugap::supply {

inline constexpr double kHoursPerMonth = 730.0;  // 8,760 h / 12
inline constexpr double kMonthsPerYear = 12.0;
inline constexpr double kQuartersPerYear = 4.0;

// Capacity at time t (years since the start of the first model year) on the
// path through year-end points: point i sits at t = i + 1, linear between
// points, the first point held before it (no earlier point is modelled).
inline double capacity_at(std::span<const double> year_end, double t) {
  if (year_end.empty()) return 0.0;
  if (t <= 1.0) return year_end[0];
  const double last = static_cast<double>(year_end.size());
  if (t >= last) return year_end.back();
  const auto i = static_cast<std::size_t>(std::floor(t));  // between point i-1 (t = i) and point i (t = i + 1)
  const double f = t - static_cast<double>(i);
  return year_end[i - 1] + f * (year_end[i] - year_end[i - 1]);
}

// Mean monthly wafer starts that become chips in year y: the mean of the path
// over the year shifted back by the start-to-chip lag, [y - lag, y + 1 - lag].
// The path is linear between whole years, so the window's two pieces are
// exact trapezoids (for whole-quarter lags this equals the mean of the twelve
// mid-month values). Only points up to year y are read (lag >= 0).
inline double lagged_year_average(std::span<const double> year_end, int y, double lag_years) {
  const double a = y - lag_years;
  const double k = std::floor(a) + 1.0;  // the whole year inside (a, a + 1], where the slope may change
  const double ca = capacity_at(year_end, a), ck = capacity_at(year_end, k), cb = capacity_at(year_end, a + 1.0);
  return 0.5 * ((k - a) * (ca + ck) + (a + 1.0 - k) * (ck + cb));
}

// Wafers/month a year's capex adds to a node: capex x node share / (USD bn per 1k wafers/month) x 1000.
inline double capex_added_wpm(double capex_usd_bn, double node_share, double usd_bn_per_kwpm) {
  return usd_bn_per_kwpm > 0 ? capex_usd_bn * node_share / usd_bn_per_kwpm * 1000.0 : 0.0;
}

// Wafers/month a scanner fleet can expose for a node: scanners x share x
// wafer passes/hour x hours/month x uptime / lithography passes per wafer.
inline double tool_limited_wpm(double scanners, double node_share, double wafers_per_hour, double uptime,
                               double passes) {
  return passes > 0 ? scanners * node_share * wafers_per_hour * kHoursPerMonth * uptime / passes : 0.0;
}

// Cost per good die: wafer price / (gross dies x die yield); infinite without good dies.
inline double cost_per_good_die(double wafer_price, double gross_dies, double die_yield) {
  const double good = gross_dies * die_yield;
  return good > 0 ? wafer_price / good : HUGE_VAL;
}

// Yield of a package with n components (dies + HBM stacks), from the yield of
// a reference package with n_ref: every placement risks the package alike,
// so Y = Y_ref^(n / n_ref).
inline double package_yield(double ref_yield, double components, double ref_components) {
  if (ref_components <= 0) return ref_yield;
  return std::pow(std::clamp(ref_yield, 0.0, 1.0), components / ref_components);
}
// The same from log(Y_ref) (one logarithm a year, one exponential a SKU: the hot path).
inline double package_yield_from_log(double log_ref_yield, double components, double ref_components) {
  return std::exp(log_ref_yield * components / ref_components);
}

// COGS of a good chip: dies, HBM and packaging of a package start, divided by
// the package yield (scrapped packages lose all three), plus board and test.
inline double unit_cogs(double dies, double die_cost, double hbm_gb, double usd_per_gb, double package_cost,
                        double pkg_yield, double other) {
  if (pkg_yield <= 0) return HUGE_VAL;
  return (dies * die_cost + hbm_gb * usd_per_gb + package_cost) / pkg_yield + other;
}

// Share of a cohort of age a (years) still in service with service life L:
// 1 for a + 1 <= L, the fraction L - a of the year in which it retires, 0 after.
inline double in_service(int age, double life) { return std::clamp(life - age, 0.0, 1.0); }

}  // namespace gpugap::supply
