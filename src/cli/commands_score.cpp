#include "cli/cli.hpp"

namespace gpugap::cli {

void add_score_commands(CLI::App& /*app*/, Global& /*g*/) {}

}  // namespace gpugap::cli
