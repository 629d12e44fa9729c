// Wafer geometry: gross dies per wafer (GDW) by exact grid enumeration and by
// the closed forms, and the reticle-limit check. Lengths in mm, areas in mm^2.
#pragma once

namespace gpugap::supply {

struct WaferGeometry {
  double diameter_mm = 300.0;
  double edge_exclusion_mm = 3.0;
  double scribe_mm = 0.1;
};

struct DieShape {
  double width_mm = 0.0;
  double height_mm = 0.0;
  [[nodiscard]] double area_mm2() const { return width_mm * height_mm; }
};

// A square die of the given area (the catalog gives areas, not outlines).
DieShape square_die(double area_mm2);

// Offsets scanned per axis by the exact count (0, 1/N, ... of a pitch; the
// centred and half-pitch placements are among them).
inline constexpr int kOffsetSteps = 20;

// Exact count: dies whose four corners lie inside the usable circle of radius
// d/2 - edge exclusion, on a grid of pitch (w + scribe, h + scribe), maximised
// over a kOffsetSteps x kOffsetSteps scan of grid offsets.
int gross_dies_exact(const WaferGeometry& g, const DieShape& die);

// Closed form (Wikipedia "analytical die count estimation"):
// pi d^2 / (4 S) - pi d / sqrt(2 S), with d = diameter - 2 x edge exclusion and
// S = (w + scribe)(h + scribe).
double gross_dies_simple(const WaferGeometry& g, const DieShape& die);

// Second closed form: pi d^2 / (4 S) * exp(-2 sqrt(S) / d), same d and S.
double gross_dies_exp(const WaferGeometry& g, const DieShape& die);

// One lithography exposure field: 26 mm x 33 mm.
struct Reticle {
  double width_mm = 26.0;
  double height_mm = 33.0;
};
// True when the die fits one exposure field (either orientation).
bool fits_reticle(const DieShape& die, const Reticle& r);

}  // namespace gpugap::supply
