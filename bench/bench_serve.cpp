// Serving simulator benchmarks: the figure of issue #18 (10,000 requests of
// 1,000 output tokens at up to 256 running sequences, one core) and a Poisson
// run with varied lengths. docs/performance.md records them.
#include <benchmark/benchmark.h>

#include "analysis/scenario.hpp"
#include "catalog/catalog.hpp"
#include "catalog/specs.hpp"
#include "serve/serve.hpp"

namespace {

using namespace gpugap;

const catalog::Catalog& cat() {
  static const catalog::Catalog c = catalog::Catalog::load({analysis::default_catalog_dir()});
  return c;
}

perf::Deployment llama8b_h100() {
  perf::Deployment d;
  d.format = {perf::DType::kBf16, perf::DType::kBf16};
  d.kv = perf::DType::kFp8;
  d.tp = 1;
  return d;
}

serve::SimOptions burst(int n, int isl, int osl, int running) {
  serve::SimOptions o;
  o.requests.count = n;
  o.requests.isl = isl;
  o.requests.osl = osl;
  o.scheduler = *serve::scheduler_preset("vllm");
  o.scheduler.max_running = running;
  return o;
}

// 10,000 requests (isl 1,000, osl 1,000) sent at once, at most 256 running: ~40,000 steps.
void BM_Simulate10kRequests(benchmark::State& state) {
  const ChipSpec chip = chip_spec(cat(), cat().params(), "nvidia-h100-sxm");
  const ModelSpec model = model_spec(cat(), cat().params(), "llama-3.1-8b");
  const auto o = burst(10000, 1000, 1000, 256);
  long long steps = 0;
  for (auto _ : state) {
    const auto r = serve::simulate(chip, model, llama8b_h100(), o);
    steps = r.steps;
    benchmark::DoNotOptimize(r.output_tps);
  }
  state.counters["steps"] = double(steps);
  state.counters["ns_per_step"] = benchmark::Counter(double(steps), benchmark::Counter::kIsIterationInvariantRate |
                                                                        benchmark::Counter::kInvert);
}
BENCHMARK(BM_Simulate10kRequests)->Unit(benchmark::kMillisecond);

// DeepSeek-R1 on 8 H200 (TP8 EP8, MTP 1): 2,000 Poisson requests, random lengths (range ratio 0.5).
void BM_SimulateDeepseekPoisson(benchmark::State& state) {
  const ChipSpec chip = chip_spec(cat(), cat().params(), "nvidia-h200-sxm");
  const ModelSpec model = model_spec(cat(), cat().params(), "deepseek-r1");
  perf::Deployment d;
  d.format = {perf::DType::kFp8, perf::DType::kFp8};
  d.kv = perf::DType::kFp8;
  d.tp = 8;
  d.ep = 8;
  d.mtp = 1;
  d.mtp_acceptance = 0.85;
  auto o = burst(2000, 2000, 500, 256);
  o.requests.dist = serve::LengthDist::kUniform;
  o.requests.range_ratio = 0.5;
  o.arrivals.rate = 20;
  for (auto _ : state) benchmark::DoNotOptimize(serve::simulate(chip, model, d, o).output_tps);
}
BENCHMARK(BM_SimulateDeepseekPoisson)->Unit(benchmark::kMillisecond);

}  // namespace
