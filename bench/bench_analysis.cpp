// Scenario analysis: random streams, sampling and Monte Carlo throughput.
// The headline: 1M Monte Carlo samples of supply + market on the shipped
// scenario ms-2025 (goal: under 1 s on 2 cores). Each benchmark checks its own
// answer (a wrong result is an error, not a fast time).
#include <benchmark/benchmark.h>

#include <cmath>

#include "analysis/metrics.hpp"
#include "studies/engines.hpp"
#include "studies/evaluate.hpp"
#include "studies/montecarlo.hpp"
#include "studies/rng.hpp"
#include "studies/uncertainty.hpp"

using namespace gpugap;
using namespace gpugap::analysis;
using namespace gpugap::studies;

namespace {

constexpr std::uint64_t kMillion = 1'000'000;

void BM_PhiloxUniforms(benchmark::State& state) {
  double sum = 0;
  std::uint32_t i = 0;
  for (auto _ : state) {
    Stream s(7, i++, 42);
    sum += s.uniform() + s.uniform();
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_PhiloxUniforms);

// A hand-made table: six uncertain inputs (every distribution kind), one
// correlation, a three-way Dirichlet; metric = a product and a sum of them.
struct Synthetic {
  Context ctx;
  Uncertainty u;
  CompiledMetrics f;
  Synthetic() {
    auto put = [&](const std::string& path, double v, Dim dim) {
      Param p;
      p.path = path;
      p.value = v;
      p.dim = dim;
      p.prov.source = "bench";
      return ctx.params.put(std::move(p));
    };
    const auto a = put("b.a", 10, Dim::kNumber), b = put("b.b", 4, Dim::kNumber), c = put("b.c", 2, Dim::kNumber),
               d = put("b.d", 7, Dim::kNumber), e = put("b.e", 0.4, Dim::kFraction), g = put("b.g", 1, Dim::kNumber);
    const auto x = put("b.x", 0.5, Dim::kFraction), y = put("b.y", 0.3, Dim::kFraction), z = put("b.z", 0.2, Dim::kFraction);
    ctx.scenario.uncertainty = YAML::Load(R"(
b.a: {dist: lognormal, p5: 8, p95: 12, source: bench}
b.b: {dist: normal, p5: 3, p95: 5, source: bench}
b.c: {dist: uniform, min: 1, max: 3, source: bench}
b.d: {dist: triangular, min: 5, mode: 7, max: 9, source: bench}
b.e: {dist: pert, min: 0.2, mode: 0.4, max: 0.6, source: bench}
b.g: {dist: lognormal, p5: 0.9, p95: 1.1, source: bench}
)");
    ctx.scenario.correlations = YAML::Load("- {params: [b.a, b.b], rho: 0.5, source: bench}");
    ctx.scenario.dirichlet = YAML::Load("v: {params: [b.x, b.y, b.z], concentration: 40, source: bench}");
    u = parse_uncertainty(ctx);
    f = [=](std::span<const double> v, std::span<double> out) {
      out[0] = v[a] * v[b] * (1 - v[e]) * v[g] + v[c] * v[d] * v[x] + v[y] - v[z];
    };
  }
};

void BM_MonteCarloSynthetic(benchmark::State& state) {
  static const Synthetic s;
  McOptions opt;
  opt.samples = kMillion;
  opt.seed = 7;
  opt.threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    const auto r = monte_carlo(s.ctx.params, s.u, s.f, {"m"}, opt);
    if (r.metrics[0].n != kMillion) state.SkipWithError("lost samples");
    benchmark::DoNotOptimize(r.metrics[0].mean);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kMillion));
}
BENCHMARK(BM_MonteCarloSynthetic)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

// The shipped scenario: every uncertain supply and market input, metrics from
// both engines (the market's self-sufficiency from supply runs the supply model).
void BM_MonteCarloSupplyMarket(benchmark::State& state) {
  static const std::vector<std::string> metrics = {"market.tam_usd_bn.2030", "market.domestic_usd_bn.2030",
                                                   "market.self_sufficiency.2030", "supply.binding_constraint.2030"};
  static Context ctx;
  static Uncertainty u;
  static CompiledMetrics f;
  static std::optional<std::vector<bool>> used;
  static std::string error;
  static const bool ready = [] {
    try {
      ctx = studies::make_context({default_catalog_dir()}, "ms-2025", {});
      u = parse_uncertainty(ctx);
      f = compile(ctx, metrics);
      used = params_read(ctx, metrics);
    } catch (const std::exception& e) {
      error = e.what();
      return false;
    }
    return true;
  }();
  if (!ready) {
    state.SkipWithError(("ms-2025 supply + market not available: " + error).c_str());
    for (auto _ : state) {
    }
    return;
  }
  McOptions opt;
  opt.samples = kMillion;
  opt.seed = 7;
  opt.threads = static_cast<int>(state.range(0));
  opt.used = used;  // as the CLI does: only the draws that feed the metrics
  for (auto _ : state) {
    const auto r = monte_carlo(ctx.params, u, f, metrics, opt);
    if (!(r.metrics[0].n == kMillion && std::isfinite(r.metrics[0].mean))) state.SkipWithError("TAM not finite in every sample");
    benchmark::DoNotOptimize(r.metrics[0].mean);
  }
  state.counters["uncertain_params"] = static_cast<double>(u.params.size());
  state.counters["params"] = static_cast<double>(ctx.params.size());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kMillion));
}
BENCHMARK(BM_MonteCarloSupplyMarket)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace
