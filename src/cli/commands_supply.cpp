#include "cli/cli.hpp"

namespace gpugap::cli {

void add_supply_commands(CLI::App& /*app*/, Global& /*g*/) {}

}  // namespace gpugap::cli
