#include "cli/cli.hpp"

namespace gpugap::cli {

void add_market_commands(CLI::App& /*app*/, Global& /*g*/) {}

}  // namespace gpugap::cli
