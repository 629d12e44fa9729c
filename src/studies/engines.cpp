// The one place where engines are registered, in dependency order. A test
// checks that every expected provider is present: a component that silently
// drops out of a build is a bug nobody sees.
#include "studies/engines.hpp"

#include <fmt/format.h>

#include <optional>

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

namespace {

// `--set stack_backend=NAME` is no parameter: split off (the last wins), the rest returned.
std::vector<std::string> split_stack_backend(const std::vector<std::string>& overrides, std::optional<std::string>& backend) {
  std::vector<std::string> rest;
  for (const auto& o : overrides) {
    constexpr std::string_view key = "stack_backend=";
    if (o.starts_with(key)) backend = o.substr(key.size());
    else rest.push_back(o);
  }
  return rest;
}

// The context's catalog evaluating chips on `backend` (checked against every stack, the error at
// `where`), recorded as asked for by `origin` (perf/serving.hpp).
void use_backend(analysis::Context& ctx, const std::string& backend, const Location& where, const std::string& origin) {
  perf::check_backend(*ctx.catalog, ctx.params, backend, {}, where);
  auto cat = std::make_shared<catalog::Catalog>(*ctx.catalog);
  catalog::Serving s = cat->serving();
  s.backend = backend;
  s.origin = origin;
  cat->set_serving(std::move(s));
  ctx.catalog = std::move(cat);
}

// `--set stack_backend=NAME`: that backend, recorded among the context's overrides like any --set.
void use_set_backend(analysis::Context& ctx, const std::string& backend) {
  use_backend(ctx, backend, Location{"--set", 0, "stack_backend"}, "--set");
  ctx.overrides.push_back("stack_backend=" + backend);
}

}  // namespace

analysis::Context make_context(const std::vector<std::string>& catalog_dirs, const std::string& scenario,
                               const std::vector<std::string>& overrides, const std::string& stack_backend) {
  std::optional<std::string> set_backend;
  const auto rest = split_stack_backend(overrides, set_backend);
  // The measured kernel tables, read once per context, and the serving backend asked for:
  // perf-family engines run each chip on its serving stack, as validate does (perf/serving.hpp).
  auto ctx = analysis::make_context(declared_params(), catalog_dirs, scenario, rest, [&](catalog::Catalog& cat) {
    cat.set_serving({stack_backend, perf::load_kernel_tables(cat), {}});
  });
  perf::check_backend(*ctx.catalog, ctx.params, stack_backend);
  // The most specific wins: --stack-backend, then --set stack_backend=, then the scenario's key.
  if (!stack_backend.empty()) return ctx;
  if (set_backend) {
    use_set_backend(ctx, *set_backend);
  } else if (const auto& sc = ctx.scenario; !sc.stack_backend.empty()) {
    use_backend(ctx, sc.stack_backend, sc.stack_backend_at,
                fmt::format("scenario {} ({}:{})", sc.id, sc.stack_backend_at.file, sc.stack_backend_at.line));
  }
  return ctx;
}

analysis::Context with_overrides(const analysis::Context& base, const std::vector<std::string>& overrides) {
  analysis::Context ctx = base;
  std::optional<std::string> set_backend;
  analysis::apply_overrides(declared_params(), ctx, split_stack_backend(overrides, set_backend));
  if (set_backend) use_set_backend(ctx, *set_backend);
  return ctx;
}

}  // namespace gpugap::studies
