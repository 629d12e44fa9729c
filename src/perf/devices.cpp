#include "perf/devices.hpp"

#include <fmt/format.h>

namespace gpugap::perf {

std::string_view rank_unit_name(RankUnit u) { return u == RankUnit::kDevice ? "device" : "package"; }

int devices_per_package(const ChipSpec& chip) {
  return chip.devices_per_package && *chip.devices_per_package > 1 ? *chip.devices_per_package : 1;
}

ChipSpec device_view(const ChipSpec& chip) {
  const int n = devices_per_package(chip);
  if (n == 1) return chip;
  ChipSpec d = chip;
  const double k = 1.0 / n;
  for (auto& c : d.compute)
    if (c) *c = *c * k;
  if (d.mem_capacity) d.mem_capacity = *d.mem_capacity * k;
  if (d.mem_bandwidth) d.mem_bandwidth = *d.mem_bandwidth * k;
  // Each die has its own links (910C: 7 UB transceivers per die), so the package's
  // scale-up and scale-out bandwidths split between its devices.
  if (d.scaleup_bandwidth) d.scaleup_bandwidth = *d.scaleup_bandwidth * k;
  if (d.scaleout_bandwidth) d.scaleout_bandwidth = *d.scaleout_bandwidth * k;
  if (d.scaleup_domain) d.scaleup_domain = *d.scaleup_domain * n;
  if (d.tdp) d.tdp = *d.tdp * k;
  for (auto& [region, price] : d.price)
    if (price) price = *price * k;
  d.name = fmt::format("{} (one of {} devices)", chip.name, n);
  return d;
}

std::string unit_note(const ChipSpec& chip, RankUnit unit) {
  const int n = devices_per_package(chip);
  const int dies = chip.compute_dies.value_or(1);
  if (n > 1 && unit == RankUnit::kDevice)
    return fmt::format("{} shows {} devices per package (one per die, each with its own memory); a rank is one device; "
                       "per-package figures are {} x per-device", chip.id, n, n);
  if (n > 1)
    return fmt::format("{} shows {} devices per package (one per die, each with its own memory); a rank here is the "
                       "whole package (--rank device: one die per rank)", chip.id, n);
  if (dies > 1)
    return fmt::format("{} has {} dies but shows one device: a rank is the whole package", chip.id, dies);
  return "";
}

}  // namespace gpugap::perf
