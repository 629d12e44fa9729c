// One-at-a-time sensitivity (tornado): every parameter that feeds a metric is
// swung to the low and high end of its declared interval (p5/p95 of its
// distribution) or, when it has none, by +/- a fraction of its value, with
// every other parameter held at the scenario's value. "Feeds" is found by
// evaluating: a parameter whose swing leaves the metric bit-identical does
// not feed it.
#pragma once

#include <string>
#include <vector>

#include "studies/evaluate.hpp"
#include "studies/uncertainty.hpp"

namespace gpugap::studies {

using analysis::CompiledMetrics;
using analysis::ParamDecl;

inline constexpr double kDefaultSwing = 0.2;

struct SensitivityOptions {
  double swing = kDefaultSwing;  // +/- fraction for parameters without a declared interval
  std::size_t top = 0;           // keep the K largest swings (0 = all)
  int threads = 0;

  void validate() const;
};

enum class SwingBasis { kInterval, kFraction, kDirichlet };
std::string_view basis_name(SwingBasis b);

struct SensitivityRow {
  std::string param;        // a parameter path, or a yearly base path (one multiplier for all years)
  SwingBasis basis = SwingBasis::kFraction;
  bool relative = false;    // param_* are multipliers of the base values
  double param_base = 0;    // 1 when relative
  double param_low = 0;
  double param_high = 0;
  double low = 0;           // metric with the parameter at param_low
  double high = 0;          // ... at param_high
  double delta = 0;         // high - low
};

struct SensitivityResult {
  std::string metric;
  double base = 0;
  std::vector<SensitivityRow> rows;    // sorted by |delta|, largest first
  std::size_t evaluated = 0;           // parameters swung
  std::size_t feeding = 0;             // of which moved the metric (before --top)
  std::vector<std::string> failures;   // "PATH: message" for swings the engine rejected
};

// f computes exactly one metric.
SensitivityResult sensitivity(const ParamTable& params, const Uncertainty& u, const CompiledMetrics& f,
                              const std::string& metric, const SensitivityOptions& opt);

}  // namespace gpugap::studies
