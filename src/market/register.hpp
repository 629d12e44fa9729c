// The market engine's scenario parameters and metric providers, added to the
// registry by src/studies/engines.cpp (the one place engines are registered).
#pragma once

#include "analysis/registry.hpp"

namespace gpugap::market {

void register_engine(analysis::Registry& r);

}  // namespace gpugap::market
