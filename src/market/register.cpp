// Registers the market engine's scenario parameters and metric providers.
#include "analysis/registry.hpp"

namespace gpugap::market {

void register_engine(analysis::Registry& /*r*/) {}

}  // namespace gpugap::market
