// The one place where engines are registered. A test checks that every
// expected provider is present: a component that silently drops out of a
// build is a bug nobody sees.
#include "analysis/registry.hpp"

namespace gpugap::analysis {
namespace {

const Registry& registry() {
  static const Registry r = [] {
    Registry reg;
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

const std::vector<ParamDecl>& declared_params() { return registry().params; }
const std::vector<std::unique_ptr<MetricProvider>>& providers() { return registry().providers; }

}  // namespace gpugap::analysis
