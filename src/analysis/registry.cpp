// The one place where engines register their scenario parameters and metric
// providers. A test checks that every expected provider is here: a component
// that silently drops out of a build is a bug nobody sees.
#include "analysis/metrics.hpp"
#include "analysis/scenario.hpp"

namespace gpugap::analysis {

const std::vector<ParamDecl>& declared_params() {
  static const std::vector<ParamDecl> all = [] {
    std::vector<ParamDecl> v;
    return v;
  }();
  return all;
}

const std::vector<std::unique_ptr<MetricProvider>>& providers() {
  static const std::vector<std::unique_ptr<MetricProvider>> all = [] {
    std::vector<std::unique_ptr<MetricProvider>> v;
    return v;
  }();
  return all;
}

}  // namespace gpugap::analysis
