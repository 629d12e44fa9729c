#include "analysis/metrics.hpp"

#include <cmath>
#include <vector>

namespace gpugap::analysis {

CompiledMetrics MetricProvider::compile(const Context& ctx, const std::vector<std::string>& metrics) const {
  // Generic fallback: rebuild a parameter table from the vector and compute.
  return [this, &ctx, metrics](std::span<const double> values, std::span<double> out) {
    ParamTable t = ctx.params;
    t.assign(std::vector<double>(values.begin(), values.end()));
    MetricMap m;
    compute_paths(ctx, t, metrics, m);
    for (std::size_t i = 0; i < metrics.size(); ++i) {
      auto it = m.find(metrics[i]);
      out[i] = it == m.end() ? std::nan("") : it->second;
    }
  };
}

}  // namespace gpugap::analysis
