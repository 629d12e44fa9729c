// Per-device vs per-package accounting. A catalog chip is a package (what a vendor
// sells and prices). A package may show several framework devices, each its own
// rank with its own share of the memory (Ascend 910C: two dies, two devices), or
// one device over several dies (B200: two dies, one CUDA device). Deployments of
// the former are laid out in devices; its figures are reported per device and per
// package.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "catalog/specs.hpp"

namespace gpugap::perf {

// What one rank of a deployment is: a package (the catalog chip) or one of its devices.
enum class RankUnit : std::uint8_t { kPackage, kDevice };
std::string_view rank_unit_name(RankUnit u);

// Framework devices per package: the catalog's software.devices_per_package, else 1
// (a package that shows one device).
int devices_per_package(const ChipSpec& chip);

// The spec of one device of the package: compute, memory, bandwidths, power and price
// divided by the devices; the scale-up domain counted in devices. The package itself
// when it shows one device. The id is kept (efficiencies and stacks are the package's).
ChipSpec device_view(const ChipSpec& chip);

// One line naming what a rank and a chip are for this package ("" for one device, one die).
std::string unit_note(const ChipSpec& chip, RankUnit unit);

}  // namespace gpugap::perf
