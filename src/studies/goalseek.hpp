// Goal seek: the value of one parameter that makes a metric hit a target,
// all else held at the scenario's values. A scan of the parameter's range
// finds a sign change of metric - target (the one nearest the current value),
// then TOMS 748 (Alefeld, Potra & Shi 1995, via Boost.Math) closes in on it.
#pragma once

#include <optional>
#include <string>

#include "studies/evaluate.hpp"
#include "studies/uncertainty.hpp"

namespace gpugap::studies {

using analysis::CompiledMetrics;
using analysis::ParamDecl;

struct GoalSeekOptions {
  std::optional<double> lo;  // search range; default: the parameter's allowed range,
  std::optional<double> hi;  // expanded around its value where unbounded
};

struct GoalSeekResult {
  std::string metric;
  double target = 0;
  std::string param;
  double param_base = 0;     // the scenario's value
  double value = 0;          // the solution
  double metric_base = 0;    // metric at the scenario's value
  double achieved = 0;       // metric at the solution
  double lo = 0;             // the range searched
  double hi = 0;
  std::string range_basis;   // "given", "declared", "expanded"
  std::optional<double> interval_p5;  // the parameter's declared uncertainty, when any
  std::optional<double> interval_p95;
  int evaluations = 0;
};

// f computes exactly one metric; `vary` is one parameter's index.
GoalSeekResult goal_seek(const ParamTable& params, const Uncertainty& u, const CompiledMetrics& f,
                         const std::string& metric, double target, ParamIndex vary, const GoalSeekOptions& opt = {});

}  // namespace gpugap::studies
