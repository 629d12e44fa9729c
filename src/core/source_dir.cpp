#include "core/source_dir.hpp"

namespace gpugap::core {

std::string source_dir() { return GPUGAP_SOURCE_DIR; }

}  // namespace gpugap::core
