#include "cli/cli.hpp"

namespace gpugap::cli {

void add_gap_commands(CLI::App& /*app*/, Global& /*g*/) {}

}  // namespace gpugap::cli
