// What an engine registers: its scenario parameters and metric providers.
// The registry itself sits above the engines (src/studies/engines.cpp).
#pragma once

#include <memory>
#include <vector>

#include "analysis/metrics.hpp"
#include "analysis/scenario.hpp"

namespace gpugap::analysis {

struct Registry {
  std::vector<ParamDecl> params;
  std::vector<std::unique_ptr<MetricProvider>> providers;
};

}  // namespace gpugap::analysis
