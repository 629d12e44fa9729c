// Registration hooks: each engine adds its scenario parameters and metric
// providers in its own register function; registry.cpp calls them all.
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

namespace gpugap::supply { void register_engine(analysis::Registry& r); }
namespace gpugap::market { void register_engine(analysis::Registry& r); }
namespace gpugap::perf { void register_engine(analysis::Registry& r); }
namespace gpugap::econ { void register_engine(analysis::Registry& r); }
namespace gpugap::score { void register_engine(analysis::Registry& r); }
namespace gpugap::gap { void register_engine(analysis::Registry& r); }
