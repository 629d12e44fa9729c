#include "supply/geometry.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gpugap::supply {

DieShape square_die(double area_mm2) {
  const double side = std::sqrt(std::max(area_mm2, 0.0));
  return DieShape{side, side};
}

namespace {

// Dies of one grid placement. Row by row: the row's worst edge (the one
// farther from the centre) fixes the chord the die must fit in, so each row is
// counted with two floor/ceil operations instead of a per-die test.
int count_at_offset(double radius, double pitch_x, double pitch_y, double w, double h, double ox, double oy) {
  int total = 0;
  const int j_lo = static_cast<int>(std::ceil((-radius - oy) / pitch_y));
  const int j_hi = static_cast<int>(std::floor((radius - h - oy) / pitch_y));
  for (int j = j_lo; j <= j_hi; ++j) {
    const double y0 = oy + j * pitch_y;
    const double y_far = std::max(std::abs(y0), std::abs(y0 + h));
    if (y_far >= radius) continue;
    const double half_chord = std::sqrt(radius * radius - y_far * y_far);
    const int i_lo = static_cast<int>(std::ceil((-half_chord - ox) / pitch_x));
    const int i_hi = static_cast<int>(std::floor((half_chord - w - ox) / pitch_x));
    if (i_hi >= i_lo) total += i_hi - i_lo + 1;
  }
  return total;
}

}  // namespace

int gross_dies_exact(const WaferGeometry& g, const DieShape& die) {
  const double radius = g.diameter_mm / 2.0 - g.edge_exclusion_mm;
  if (radius <= 0 || die.width_mm <= 0 || die.height_mm <= 0) return 0;
  const double px = die.width_mm + g.scribe_mm;
  const double py = die.height_mm + g.scribe_mm;
  int best = 0;
  for (int a = 0; a < kOffsetSteps; ++a) {
    for (int b = 0; b < kOffsetSteps; ++b) {
      const double ox = px * a / kOffsetSteps;
      const double oy = py * b / kOffsetSteps;
      best = std::max(best, count_at_offset(radius, px, py, die.width_mm, die.height_mm, ox, oy));
    }
  }
  return best;
}

double gross_dies_simple(const WaferGeometry& g, const DieShape& die) {
  const double d = g.diameter_mm - 2.0 * g.edge_exclusion_mm;
  const double s = (die.width_mm + g.scribe_mm) * (die.height_mm + g.scribe_mm);
  if (d <= 0 || s <= 0) return 0.0;
  return std::max(0.0, std::numbers::pi * d * d / (4.0 * s) - std::numbers::pi * d / std::sqrt(2.0 * s));
}

double gross_dies_exp(const WaferGeometry& g, const DieShape& die) {
  const double d = g.diameter_mm - 2.0 * g.edge_exclusion_mm;
  const double s = (die.width_mm + g.scribe_mm) * (die.height_mm + g.scribe_mm);
  if (d <= 0 || s <= 0) return 0.0;
  return std::numbers::pi * d * d / (4.0 * s) * std::exp(-2.0 * std::sqrt(s) / d);
}

bool fits_reticle(const DieShape& die, const Reticle& r) {
  const bool upright = die.width_mm <= r.width_mm && die.height_mm <= r.height_mm;
  const bool rotated = die.width_mm <= r.height_mm && die.height_mm <= r.width_mm;
  return upright || rotated;
}

}  // namespace gpugap::supply
