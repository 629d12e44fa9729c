// The catalog overlay a calibration writes (gpugap calibrate --overlay DIR).
#pragma once

#include <map>
#include <string>

#include "catalog/overlay.hpp"
#include "perf/validation.hpp"

namespace gpugap::perf {

// What the provenance of every written value names.
struct OverlaySource {
  std::string files;  // the measurement files, "a.csv + b.csv"
  std::string date;   // YYYY-MM-DD
  int folds = 5;
};

// stacks/<stack>.yaml: each fitted stack's values, with its backends', its (family, backend)
// pairs' and their models'; chips/<id>.yaml: a family's values in the software block of each
// catalog chip of that stack and family. Keys are paths relative to the overlay folder.
std::map<std::string, catalog::OverlayFile> calibration_overlay(const CalibrationResult& cal, const catalog::Catalog& cat,
                                                                const ParamTable& params, const OverlaySource& src);

}  // namespace gpugap::perf
