// The econ engine's scenario parameters and metric providers, added to the
// registry by src/studies/engines.cpp (the one place engines are registered).
#pragma once

#include "analysis/registry.hpp"

namespace gpugap::econ {

void register_engine(analysis::Registry& r);

}  // namespace gpugap::econ
