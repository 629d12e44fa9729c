#include "core/source_dir.hpp"

namespace gpugap::core {

std::string source_dir() { return GPUGAP_SOURCE_DIR; }
std::string build_version() { return GPUGAP_VERSION; }
std::string build_commit() { return GPUGAP_COMMIT; }

}  // namespace gpugap::core
