// The perf-econ join under Monte Carlo, sensitivity and goal seek: the
// compiled score, gap, demand and econ metrics give, sample for sample, the
// bytes a fresh evaluation of the same parameters gives. Two ways to get it
// wrong are covered: a cached search reused after a parameter it read moved
// (a stale cache key), and a fast path that reads a parameter from the base
// table instead of the sample.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "analysis/metrics.hpp"
#include "analysis/scenario.hpp"
#include "studies/evaluate.hpp"
#include "studies/engines.hpp"

using namespace gpugap;

namespace {

const analysis::Context& base_ctx() {
  static const analysis::Context ctx = studies::make_context({analysis::default_catalog_dir()}, "ms-2025", {});
  return ctx;
}

// The sample's parameters evaluated from scratch (no compiled function, no shared cache).
std::vector<double> fresh(const std::vector<std::string>& metrics, const std::vector<double>& v) {
  ParamTable t = base_ctx().params;
  t.assign(v);
  const analysis::MetricMap m = studies::evaluate(base_ctx(), t, metrics);
  std::vector<double> out;
  for (const auto& k : metrics) out.push_back(m.at(k));
  return out;
}

void set(std::vector<double>& v, const std::string& path, double value) {
  v[base_ctx().params.require(path)] = value;
}

// Bitwise equal (NaN equals NaN): same inputs, same bytes.
void expect_same_bytes(const std::vector<std::string>& metrics, const std::vector<double>& got,
                       const std::vector<double>& want, const std::string& what) {
  for (std::size_t i = 0; i < metrics.size(); ++i)
    EXPECT_EQ(std::memcmp(&got[i], &want[i], sizeof(double)), 0)
        << what << ": " << metrics[i] << " compiled " << got[i] << ", fresh " << want[i];
}

std::vector<double> run(const analysis::CompiledMetrics& f, std::size_t n, const std::vector<double>& v) {
  std::vector<double> out(n);
  f(v, out);
  return out;
}

// Score: a TTFT overhead of 1 s leaves no Ascend deployment under the chat
// target (450 ms). The key of issue 22 before the fix ignored the TTFT
// overhead, so the sample reused the base search: Huawei kept its base index.
TEST(JoinCache, ScoreMonteCarloRedoesTheSearchWhenTheTtftOverheadMoves) {
  const std::vector<std::string> metrics = {"score.huawei.quant_index", "score.huawei.composite"};
  const auto f = studies::compile(base_ctx(), metrics);
  std::vector<double> v = base_ctx().params.values();
  const auto base = run(f, metrics.size(), v);
  // The Ascend chips run the pooled CANN values (their default serving stack, perf/serving.hpp:
  // the refit of 2026-12-07 left no released CANN backend with a group of its own).
  set(v, "stacks.cann.ttft_overhead", 1.0);
  const auto moved = run(f, metrics.size(), v);
  expect_same_bytes(metrics, moved, fresh(metrics, v), "stacks.cann.ttft_overhead = 1 s");
  EXPECT_NE(std::memcmp(&moved[0], &base[0], sizeof(double)), 0) << "the overhead should move Huawei's index";
}

// Gap: a per-sequence overhead of 10 ms per step (the chat TPOT target is
// 40 ms) collapses NVIDIA's batches; the old key ignored it too.
TEST(JoinCache, GapMonteCarloRedoesTheSearchWhenTheSequenceOverheadMoves) {
  const std::vector<std::string> metrics = {"gap.tps_chat.china.2026", "gap.usd_per_mtok.china.2026"};
  const auto f = studies::compile(base_ctx(), metrics);
  std::vector<double> v = base_ctx().params.values();
  const auto base = run(f, metrics.size(), v);
  // NVIDIA's China parts run TensorRT-LLM: the Hopper family's values (H200) and the stack-level ones (H20).
  set(v, "stacks.cuda.family.nvidia-hopper.backend.trtllm.seq_overhead", 0.01);
  set(v, "stacks.cuda.backend.trtllm.seq_overhead", 0.01);
  const auto moved = run(f, metrics.size(), v);
  expect_same_bytes(metrics, moved, fresh(metrics, v), "TensorRT-LLM seq_overhead = 10 ms");
  EXPECT_NE(std::memcmp(&moved[0], &base[0], sizeof(double)), 0) << "the overhead should move the chat gap";
}

// The compiled fast path (a sample that moves scenario parameters only:
// settings by index, supply and market from their compiled models, specs and
// economics from the base table) against a fresh evaluation, and a second
// sample that moves a catalog parameter too (the pooled-table path).
TEST(JoinCache, CompiledScoreGapDemandAndEconEqualAFreshEvaluation) {
  const std::vector<std::string> metrics = {
      "score.huawei.composite", "score.huawei.is_first", "score.cambricon.composite", "score.huawei.conditions_met",
      "gap.usd_per_mtok.china.2026", "gap.tps_system_per_mw.global.2030", "demand.chips_needed.2030",
      "demand.tam_ratio.2027", "econ.cn.huawei-ascend-910c.qwen3-235b-a22b.chat.usd_per_mtok_output_all_in"};
  const auto f = studies::compile(base_ctx(), metrics);
  std::vector<double> v = base_ctx().params.values();
  expect_same_bytes(metrics, run(f, metrics.size(), v), fresh(metrics, v), "base values");
  set(v, "score.weights.quantitative", 0.7);
  set(v, "score.next_chip_weight", 0.3);
  set(v, "demand.utilisation", 0.4);
  set(v, "supply.hbm_lines.cxmt.wafers_per_month.2030",
      0.5 * v[base_ctx().params.require("supply.hbm_lines.cxmt.wafers_per_month.2030")]);
  set(v, "market.imports.grey_usd_bn.2030", 0.5);
  expect_same_bytes(metrics, run(f, metrics.size(), v), fresh(metrics, v), "scenario parameters moved");
  set(v, "regions.cn.electricity_price", 2 * v[base_ctx().params.require("regions.cn.electricity_price")]);
  expect_same_bytes(metrics, run(f, metrics.size(), v), fresh(metrics, v), "a catalog parameter moved too");
}

}  // namespace
