// The one place where engines are registered, in dependency order. A test
// checks that every expected provider is present: a component that silently
// drops out of a build is a bug nobody sees.
#include "studies/engines.hpp"

#include "econ/register.hpp"
#include "gap/register.hpp"
#include "market/register.hpp"
#include "perf/register.hpp"
#include "perf/serving.hpp"
#include "score/register.hpp"
#include "supply/register.hpp"

namespace gpugap::studies {
namespace {

const analysis::Registry& registry() {
  static const analysis::Registry r = [] {
    analysis::Registry reg;
    supply::register_engine(reg);
    market::register_engine(reg);
    perf::register_engine(reg);
    econ::register_engine(reg);
    score::register_engine(reg);
    gap::register_engine(reg);
    return reg;
  }();
  return r;
}

}  // namespace

const std::vector<analysis::ParamDecl>& declared_params() { return registry().params; }
const std::vector<std::unique_ptr<analysis::MetricProvider>>& providers() { return registry().providers; }

const analysis::ParamDecl* find_decl(std::string_view path) { return analysis::find_decl(declared_params(), path); }

analysis::Context make_context(const std::vector<std::string>& catalog_dirs, const std::string& scenario,
                               const std::vector<std::string>& overrides, const std::string& stack_backend) {
  // The measured kernel tables, read once per context, and the serving backend asked for:
  // perf-family engines run each chip on its serving stack, as validate does (perf/serving.hpp).
  auto ctx = analysis::make_context(declared_params(), catalog_dirs, scenario, overrides, [&](catalog::Catalog& cat) {
    cat.set_serving({stack_backend, perf::load_kernel_tables(cat)});
  });
  perf::check_backend(*ctx.catalog, ctx.params, stack_backend);
  return ctx;
}

analysis::Context with_overrides(const analysis::Context& base, const std::vector<std::string>& overrides) {
  analysis::Context ctx = base;
  analysis::apply_overrides(declared_params(), ctx, overrides);
  return ctx;
}

}  // namespace gpugap::studies
