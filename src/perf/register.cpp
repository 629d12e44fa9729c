// Registers the perf engine's scenario parameters and metric providers.
#include "analysis/registry.hpp"

namespace gpugap::perf {

void register_engine(analysis::Registry& /*r*/) {}

}  // namespace gpugap::perf
