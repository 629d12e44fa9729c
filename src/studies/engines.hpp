// The registry: every engine's scenario parameters and metric providers,
// registered in one place above the engines (engines.cpp includes each
// engine's register.hpp). Contexts are made here because a scenario's
// parameters must be declared by an engine.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/metrics.hpp"
#include "analysis/scenario.hpp"
#include "studies/engines.hpp"

namespace gpugap::studies {

const std::vector<analysis::ParamDecl>& declared_params();
const std::vector<std::unique_ptr<analysis::MetricProvider>>& providers();
// The declaration of a parameter path (without its year), or null.
const analysis::ParamDecl* find_decl(std::string_view path_without_year);

// studies::make_context with every engine's declarations, the kernel tables of the source tree
// and `stack_backend` ("" = each chip's default) as the catalog's serving setup.
analysis::Context make_context(const std::vector<std::string>& catalog_dirs, const std::string& scenario,
                               const std::vector<std::string>& overrides, const std::string& stack_backend = {});
// A copy of `base` with `overrides` applied after its own (the same checks and messages as --set).
analysis::Context with_overrides(const analysis::Context& base, const std::vector<std::string>& overrides);

}  // namespace gpugap::studies
