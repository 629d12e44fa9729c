// Registers the gap engine's scenario parameters and metric providers.
#include "analysis/registry.hpp"

namespace gpugap::gap {

void register_engine(analysis::Registry& /*r*/) {}

}  // namespace gpugap::gap
