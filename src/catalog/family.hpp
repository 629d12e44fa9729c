// Chip families: chips of one silicon generation and software stack, the level at
// which fitted efficiencies transfer (catalog chips' `software.family`).
#pragma once

#include <string>

#include "catalog/catalog.hpp"

namespace gpugap::catalog {

// The chip's `software.family`; a chip without one is a family of its own (its id).
std::string chip_family(const Catalog& cat, const std::string& chip_id);

}  // namespace gpugap::catalog
