// Perf engine benchmarks: one evaluation, and the full DeepSeek-R1 search
// over every catalog chip (the figure docs/performance.md records).
#include <benchmark/benchmark.h>
#include <tbb/parallel_for.h>

#include "analysis/scenario.hpp"
#include "catalog/catalog.hpp"
#include "catalog/specs.hpp"
#include "perf/engine.hpp"
#include "perf/perf.hpp"
#include "perf/serving.hpp"

namespace {

using namespace gpugap;

const catalog::Catalog& cat() {
  static const catalog::Catalog c = catalog::Catalog::load({analysis::default_catalog_dir()});
  return c;
}

// The catalog as the commands see it: the kernel tables as its serving setup (perf/serving.hpp).
const catalog::Catalog& serving_cat() {
  static const catalog::Catalog c = [] {
    catalog::Catalog x = cat();
    x.set_serving({"", perf::load_kernel_tables(x)});
    return x;
  }();
  return c;
}

Workload chat() { return workload_spec(cat(), cat().params(), "chat"); }

perf::Deployment dsr1_h200() {
  perf::Deployment d;
  d.format = {perf::DType::kFp8, perf::DType::kFp8};
  d.kv = perf::DType::kFp8;
  d.tp = 8;
  d.ep = 8;
  d.batch = 128;
  return d;
}

// The public evaluate(): specs in, full result (breakdown, notes) out.
void BM_Evaluate(benchmark::State& state) {
  const ChipSpec chip = chip_spec(cat(), cat().params(), "nvidia-h200-sxm");
  const ModelSpec model = model_spec(cat(), cat().params(), "deepseek-r1");
  const Workload w = chat();
  const perf::Deployment d = dsr1_h200();
  for (auto _ : state) benchmark::DoNotOptimize(perf::evaluate(chip, model, d, w));
}
BENCHMARK(BM_Evaluate);

// The search's inner loop: one configuration from precomputed constants, no allocation.
void BM_EvaluateInner(benchmark::State& state) {
  const ChipSpec chip = chip_spec(cat(), cat().params(), "nvidia-h200-sxm");
  const ModelSpec model = model_spec(cat(), cat().params(), "deepseek-r1");
  const Workload w = chat();
  perf::Deployment d = dsr1_h200();
  const auto p = perf::detail::prepare(chip, model, d.format, d.kv);
  for (auto _ : state) benchmark::DoNotOptimize(perf::detail::run(p, d, w));
}
BENCHMARK(BM_EvaluateInner);

// The same on the chip's serving stack (TensorRT-LLM on H200): GEMM, attention and all-reduce
// read measured kernel curves instead of a roofline efficiency.
void BM_EvaluateInnerKernels(benchmark::State& state) {
  const ChipSpec chip = perf::serving_chip(serving_cat(), serving_cat().params(), "nvidia-h200-sxm", "trtllm");
  const ModelSpec model = model_spec(cat(), cat().params(), "deepseek-r1");
  const Workload w = chat();
  perf::Deployment d = dsr1_h200();
  const auto p = perf::detail::prepare(chip, model, d.format, d.kv, chip.kernels.get());
  for (auto _ : state) benchmark::DoNotOptimize(perf::detail::run(p, d, w));
}
BENCHMARK(BM_EvaluateInnerKernels);

// Full search of DeepSeek-R1 (chat workload, its TTFT/TPOT targets) over every catalog chip.
// Arg 0/1: best only / with the Pareto frontier; Arg 2: best only, each chip on its serving
// stack (its default backend's values, kernel tables where measured), as the commands run it.
void BM_SearchDeepseekR1AllChips(benchmark::State& state) {
  const ModelSpec model = model_spec(cat(), cat().params(), "deepseek-r1");
  const Workload w = chat();
  std::vector<ChipSpec> chips;
  for (const auto& id : cat().ids("chips"))
    chips.push_back(state.range(0) == 2 ? perf::serving_chip(serving_cat(), serving_cat().params(), id)
                                        : chip_spec(cat(), cat().params(), id));
  perf::SearchOptions so;
  so.mtp_acceptance = perf::model_mtp_acceptance(cat().params(), model).value_or(0.0);
  so.pareto = state.range(0) == 1;
  std::size_t evaluated = 0;
  for (auto _ : state) {
    std::vector<perf::SearchResult> res(chips.size());
    tbb::parallel_for(std::size_t(0), chips.size(), [&](std::size_t i) { res[i] = perf::search(chips[i], model, w, so); });
    evaluated = 0;
    for (const auto& r : res) evaluated += r.evaluated;
    benchmark::DoNotOptimize(res);
  }
  state.counters["chips"] = static_cast<double>(chips.size());
  state.counters["configs"] = static_cast<double>(evaluated);
  state.counters["ns_per_config"] =
      benchmark::Counter(static_cast<double>(evaluated) * 1e-9, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_SearchDeepseekR1AllChips)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
