// One compiled evaluation of the supply and market engines on ms-2025 (the
// inner loop of Monte Carlo, sensitivity and goal seek), and the cost of
// building a model. Each benchmark checks its own answer.
#include <benchmark/benchmark.h>

#include <cmath>
#include <stdexcept>

#include "analysis/metrics.hpp"
#include "analysis/scenario.hpp"
#include "studies/evaluate.hpp"
#include "studies/engines.hpp"

using namespace gpugap;

namespace {

const analysis::Context& ctx() {
  static const analysis::Context c = studies::make_context({analysis::default_catalog_dir()}, "ms-2025", {});
  return c;
}

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("wrong answer: ") + what);
}

// Perturbs one yield per evaluation so nothing can be hoisted out of the loop.
void run(benchmark::State& state, const std::vector<std::string>& metrics, double expect0, double tol) {
  const auto fn = studies::compile(ctx(), metrics);
  auto v = ctx().params.values();
  const auto iy = *ctx().params.find("supply.nodes.smic-n2.yield.2027");
  const double y0 = v[iy];
  std::vector<double> out(metrics.size());
  fn(v, out);
  check(std::abs(out[0] - expect0) <= tol, metrics[0].c_str());
  std::uint64_t i = 0;
  for (auto _ : state) {
    v[iy] = y0 + 1e-9 * static_cast<double>(i++ & 1023);
    fn(v, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_MarketOnly(benchmark::State& state) {
  // ms-2025's computed 2030 TAM (86.19, `gpugap eval market.tam_usd_bn.2030`; the report's $67bn is a published
  // comparison, not the model's answer).
  run(state, {"market.tam_usd_bn.2030", "market.domestic_cagr", "market.breakeven_year"}, 86.192, 0.01);
}
BENCHMARK(BM_MarketOnly);

void BM_SupplyOnly(benchmark::State& state) {
  run(state, {"supply.wafers_per_month.smic-n2.2026", "supply.chips.huawei.2027", "supply.binding_constraint.2028"},
      40000, 0);
}
BENCHMARK(BM_SupplyOnly);

void BM_MarketWithSupplyView(benchmark::State& state) {
  run(state, {"market.tam_usd_bn.2030", "market.self_sufficiency.2030", "market.breakeven_year"}, 86.192, 0.01);
}
BENCHMARK(BM_MarketWithSupplyView);

void BM_BuildModels(benchmark::State& state) {
  const std::vector<std::string> metrics = {"market.tam_usd_bn.2030", "supply.chips.huawei.2027"};
  for (auto _ : state) {
    auto fn = studies::compile(ctx(), metrics);
    benchmark::DoNotOptimize(fn);
  }
}
BENCHMARK(BM_BuildModels)->Unit(benchmark::kMillisecond);

}  // namespace
