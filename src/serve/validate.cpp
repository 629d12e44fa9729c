// Replaying measured benchmark runs with the simulator (validate.hpp).
#include "serve/validate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "perf/kernels.hpp"
#include "serve/serve.hpp"

namespace gpugap::serve {
namespace {

// Prompts a harness sends when the row does not say: vLLM `bench serve` and SGLang
// `bench_serving` default --num-prompts to 1000 (their argument parsers).
int default_prompts(const std::string& harness) {
  if (harness == "vllm-bench-serve" || harness == "sglang-bench-serving") return 1000;
  return 0;
}

bool replayed_harness(const std::string& h) {
  return h == "vllm-bench-serve" || h == "sglang-bench-serving" || h == "genai-perf" || h == "aiperf" || h == "trtllm-bench";
}

std::string preset_for(const std::string& backend) {
  if (backend == "trtllm" || backend == "sglang" || backend == "vllm") return backend;
  return "vllm";
}

// The longest run validate replays, in engine steps: with decode steps interpolated on
// a grid (kStepGridTokens) a step costs a few microseconds plus a pass over the running
// sequences, and a closed loop stops once periodic, so this admits the AIC sample's
// 20 rounds of 8,192 output tokens. Rows above it keep the analytical prediction and
// say so.
constexpr double kMaxReplaySteps = 200000;
// And in output tokens: each step also updates every running sequence, so thousands of
// clients cost far more per step.
constexpr double kMaxReplayTokens = 2.5e7;
// Steps differing only in decode context are interpolated on this grid of mean context
// tokens (SimOptions::step_grid_tokens): the replay costs hundreds of step-model
// evaluations rather than one per step.
constexpr int kStepGridTokens = 32;

// The engine limits AIConfigurator's generator writes for a deployment it benchmarks
// (rule_plugin/benchmark/{vllm,sglang,trtllm}.rule, commit 095f58a5): max running
// sequences = the row's batch size; tokens per step = batch + isl + 1500 (vLLM agg),
// isl + 1500 (vLLM prefill), batch (vLLM decode); TensorRT-LLM the same with 500 instead
// of 1500, rounded up to its 32-token blocks; SGLang max_prefill_tokens = isl + 1500 and,
// in agg, --enable-mixed-chunk (decodes ride in the prefill step: the mixed policy),
// its chunked-prefill size left at the engine default (the preset's). Per attention-DP
// rank as exported, so x the exported ranks for the instance. The prefill and decode pools of a disaggregated
// row share one scheduler here: the prefill budget, at least the decode batch.
SchedulerSpec generator_limits(SchedulerSpec s, const perf::Measurement& m, int ranks) {
  const bool disagg = m.mode == "disagg";
  ranks = std::max(1, ranks);
  // The batch size is per attention-DP rank of the layout as exported; where the layout was
  // read otherwise (an AIC export of DP-attention 8 x EP 8 as adp 64 at batch 2), the instance
  // still runs exported ranks x batch sequences, spread over its own ranks.
  const int exported = std::max(1, disagg ? m.d_adp : m.adp);
  const int total = (disagg ? m.d_batch : m.batch_per_rank) * exported;
  const int batch = (total + ranks - 1) / ranks;
  const int isl = m.isl.value_or(0);
  if (batch <= 0 || isl <= 0) return s;
  const int step_tokens = 1 + m.mtp.value_or(0);  // a decode step's tokens per sequence
  const int extra = m.backend == "trtllm" ? 500 : 1500;
  auto round_up = [&](int t) { return m.backend == "trtllm" ? (t + 31) / 32 * 32 : t; };
  int budget = 0;
  if (m.backend == "sglang") budget = (disagg ? 0 : batch * step_tokens) + std::min(isl + extra, s.max_batched_tokens);
  else budget = disagg ? round_up(isl + extra) : round_up(batch + isl + extra);
  budget = std::max(budget, batch * step_tokens);
  s.max_running = total;
  s.max_batched_tokens = budget * ranks;
  if (m.backend == "sglang" && !disagg) s.policy = BatchPolicy::kMixed;
  s.name += " with AIConfigurator's limits";
  return s;
}

}  // namespace

std::string replay_gap(const perf::Measurement& m) {
  if (m.harness.empty()) return "harness unknown";
  if (!replayed_harness(m.harness)) return "harness " + m.harness + " is not replayed (MLPerf LoadGen and others)";
  if (m.mode != "agg" && m.mode != "disagg") return "a " + m.mode + "-only measurement";
  if (!m.concurrency && !m.request_rate) return "neither the concurrency nor the request rate is known";
  if (!m.num_prompts && default_prompts(m.harness) == 0) return "the number of requests is not known";
  if (!m.isl || !m.osl) return "no isl/osl";
  return "";
}

void simulate_row(const catalog::Catalog& cat, const ParamTable& params, const perf::Measurement& m,
                  const perf::ValidateOptions& opt, perf::RowPrediction& pred, const perf::Efficiency* eff) {
  if (!pred.skip_reason.empty() || pred.metrics.empty()) return;
  auto keep = [&](const std::string& why) { pred.method += "; not simulated: " + why; };
  if (auto why = replay_gap(m); !why.empty()) return keep(why);
  auto specs = perf::row_specs(cat, params, m, opt);
  if (!specs) return keep("row not resolved");
  if (eff) perf::apply_efficiency(*eff, specs->chip);
  SimOptions so;
  std::vector<std::string> how;
  so.requests.count = m.num_prompts.value_or(default_prompts(m.harness));
  if (!m.num_prompts) how.push_back(fmt::format("{} prompts (the harness's default)", so.requests.count));
  so.requests.isl = *m.isl;
  so.requests.osl = *m.osl;
  so.requests.dist = LengthDist::kFixed;
  if (m.dataset == "random" && m.range_ratio) {
    so.requests.range_ratio = *m.range_ratio;
    so.requests.dist = m.harness == "sglang-bench-serving" ? LengthDist::kUniformBelow : LengthDist::kUniform;
  } else if (m.dataset != "fixed") {
    how.push_back("lengths fixed at the row's means (" + (m.dataset.empty() ? std::string("dataset unknown") : "dataset " + m.dataset) +
                  (m.dataset == "random" ? ", range ratio not stated" : "") + ")");
  }
  so.arrivals.rate = m.request_rate.value_or(0.0);
  if (m.concurrency) so.arrivals.max_concurrency = std::max(1, static_cast<int>(*m.concurrency));
  // A disaggregated row's clients spread over its decode instances behind one router; the
  // replay simulates one decode instance (with its share of the prefill pool), so it gets
  // its share of the clients and of the requests. Simulating all of them on one instance
  // queued most for a decode slot and counted the wait in their TPOT (DeepSeek-V3 on GB200,
  // 4 decode workers at batch 1: 24 ms predicted against 6.3 measured).
  if (m.mode == "disagg" && m.d_workers > 1 && so.arrivals.max_concurrency > 0) {
    const int all = so.arrivals.max_concurrency;
    so.arrivals.max_concurrency = std::max(1, static_cast<int>(std::lround(double(all) / m.d_workers)));
    so.requests.count = std::max(so.arrivals.max_concurrency,
                                 static_cast<int>(std::lround(double(so.requests.count) * so.arrivals.max_concurrency / all)));
    how.push_back(fmt::format("{} of the {} clients on one of the {} decode instances", so.arrivals.max_concurrency, all, m.d_workers));
  }
  // aiperf sends 2 x c warm-up requests first (AIConfigurator's bench_run.sh.j2:
  // --warmup-request-count 2c) and waits for every warm-up response before it profiles
  // (aiperf docs/tutorials/warmup.md, "Grace Period"): the profiled run starts on an idle
  // engine with all c clients sending at once, so the warm-up itself is not simulated.
  if (m.harness == "aiperf" && so.arrivals.max_concurrency > 0)
    how.push_back(fmt::format("the {} warm-up requests done before, the clients starting together", 2 * static_cast<int>(m.concurrency.value_or(0))));
  perf::Deployment d = pred.deployment;
  d.batch = 0;  // the scheduler and the load set the batch
  so.scheduler = *scheduler_preset(preset_for(m.backend));
  if (m.engine_limits == "aiconfigurator") so.scheduler = generator_limits(so.scheduler, m, d.attention_dp);
  // Engine steps and output tokens to simulate (at most: a closed loop stops once periodic).
  const double simulated = so.requests.count;
  const double tokens = simulated * so.requests.osl;
  const double steps = so.arrivals.max_concurrency > 0 ? tokens / std::min<double>(so.arrivals.max_concurrency, simulated) : tokens;
  if (steps > kMaxReplaySteps || tokens > kMaxReplayTokens)
    return keep(fmt::format("about {:.0f} engine steps and {:.3g} output tokens to simulate ({} of {} requests of {} tokens out), "
                            "more than the replay budget of {:.0f} steps and {:.1e} tokens",
                            steps, tokens, simulated, so.requests.count, so.requests.osl, kMaxReplaySteps, kMaxReplayTokens));
  so.ttft_overhead_s = specs->chip.ttft_overhead.value();
  so.seed = 1;
  so.step_grid_tokens = kStepGridTokens;
  // The held-out replay runs at the measured kernel rates where its analytical prediction does.
  if (opt.kernels && !m.backend.empty()) so.kernels = opt.kernels->find(pred.chip_id, m.backend);
  LoopMeans r;
  try {
    r = closed_loop_means(specs->chip, specs->model, d, so);
  } catch (const UserError& e) {
    return keep(e.what());
  }
  if (!r.run.ok()) return keep(r.run.status);
  for (auto& x : pred.metrics) {
    if (x.metric == "ttft_ms") x.predicted = r.ttft_ms;
    else if (x.metric == "tpot_ms")  // per output token over the whole request where the row measured it so
      x.predicted = m.tpot_includes_context ? r.e2e_ms / *m.osl : r.tpot_ms;
    else if (x.metric == "output_tps_per_chip") x.predicted = r.output_tps_per_chip;
    else if (x.metric == "input_tps_per_chip") x.predicted = r.input_tps_per_chip;
  }
  if (r.extrapolated)
    how.push_back(fmt::format("{} of {} rounds simulated, periodic from there", r.simulated_rounds, r.rounds));
  pred.method += fmt::format("; simulated: {} with {} requests, {}, {} scheduler{}", m.harness, so.requests.count,
                             so.arrivals.rate > 0 ? fmt::format("Poisson {} req/s", so.arrivals.rate)
                                                  : fmt::format("closed loop at {}", so.arrivals.max_concurrency),
                             so.scheduler.name, how.empty() ? "" : fmt::format(" ({})", fmt::join(how, "; ")));
}

}  // namespace gpugap::serve
