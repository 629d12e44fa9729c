// Every result has a path (market.tam_usd_bn.2030). Engines publish their
// metrics through providers; the studies (eval, sensitivity, Monte Carlo, goal
// seek: src/studies/) are generic over paths and never know which engine a
// parameter feeds. Engines call each other through typed C++ functions, never
// through metric paths: paths are the user-facing interface.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analysis/scenario.hpp"

namespace gpugap::analysis {

using MetricMap = std::map<std::string, double>;  // ordered: deterministic output

// A compiled evaluator: reads a flat parameter vector (indices resolved at
// compile time, so no string look-ups) and writes the requested metrics.
using CompiledMetrics = std::function<void(std::span<const double> params, std::span<double> out)>;

class MetricProvider {
 public:
  virtual ~MetricProvider() = default;
  [[nodiscard]] virtual std::string prefix() const = 0;  // first path component: "market"
  // All metrics of this provider for the given parameters.
  virtual void compute(const Context& ctx, const ParamTable& params, MetricMap& out) const = 0;
  // At least the metrics named in `paths`. Providers whose full set is too
  // large to enumerate (a deployment search per chip x model x workload)
  // override this; the default computes everything.
  virtual void compute_paths(const Context& ctx, const ParamTable& params, const std::vector<std::string>& paths,
                             MetricMap& out) const {
    (void)paths;
    compute(ctx, params, out);
  }
  // Fast path for Monte Carlo; the default wraps compute() (slow but correct).
  [[nodiscard]] virtual CompiledMetrics compile(const Context& ctx, const std::vector<std::string>& metrics) const;
  // Prefixes of other providers whose metrics this provider's compile() also
  // accepts, because its own run computes them anyway (the market runs the
  // supply model): compiling both together then runs that model once.
  [[nodiscard]] virtual std::vector<std::string> also_compiles() const { return {}; }
  // The parameter indices that compile(ctx, metrics) can read; nullopt (the
  // default) when the provider cannot tell, i.e. it may read any.
  [[nodiscard]] virtual std::optional<std::vector<ParamIndex>> reads(const Context& ctx,
                                                                     const std::vector<std::string>& metrics) const {
    (void)ctx;
    (void)metrics;
    return std::nullopt;
  }
};

}  // namespace gpugap::analysis
