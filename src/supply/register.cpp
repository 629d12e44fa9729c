// Registers the supply engine's scenario parameters and metric providers.
#include "analysis/registry.hpp"

namespace gpugap::supply {

void register_engine(analysis::Registry& /*r*/) {}

}  // namespace gpugap::supply
