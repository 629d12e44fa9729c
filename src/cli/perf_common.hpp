// What the perf-family commands (perf, search, validate, calibrate) share.
#pragma once

#include "cli/cli.hpp"

namespace gpugap::cli {

// The scenario is optional for perf: without the default scenario in the
// catalog, the catalog alone (plus --set) is the parameter table.
analysis::Context perf_context(const Global& g);

// Registers validate and calibrate (commands_validate.cpp).
void add_validation_commands(CLI::App& app, Global& g);

}  // namespace gpugap::cli
