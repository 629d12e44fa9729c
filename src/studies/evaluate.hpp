// Metric paths evaluated over the registered engines: the user-facing
// interface that eval, sensitivity, Monte Carlo, goal seek, the report and
// the CLI use. Engines never include this (they call each other through
// their typed functions).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/metrics.hpp"
#include "analysis/scenario.hpp"

namespace gpugap::studies {

using analysis::CompiledMetrics;
using analysis::Context;
using analysis::MetricMap;
using analysis::MetricProvider;

// The provider of a metric path, by its first component (unknown: UserError
// with a suggestion).
const MetricProvider& provider_for(std::string_view metric_path);

// Evaluates the given metric paths (unknown path: UserError with suggestion).
MetricMap evaluate(const Context& ctx, const std::vector<std::string>& paths);
MetricMap evaluate(const Context& ctx, const ParamTable& params, const std::vector<std::string>& paths);
// Every metric of the providers named by `prefixes` (all when empty).
MetricMap evaluate_all(const Context& ctx, const std::vector<std::string>& prefixes = {});

// Compiles a set of metrics (possibly from several providers) into one function.
CompiledMetrics compile(const Context& ctx, const std::vector<std::string>& metrics);
// Which parameters the compiled metrics can read (true = may read), or
// nullopt when some provider cannot tell. Monte Carlo leaves the rest undrawn.
std::optional<std::vector<bool>> params_read(const Context& ctx, const std::vector<std::string>& metrics);

}  // namespace gpugap::studies
