// Replaying measured benchmark runs with the simulator (validate.hpp).
#include "serve/validate.hpp"

#include <fmt/format.h>

#include <algorithm>

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

// The longest run validate replays, in engine steps: one step costs one evaluation of the
// step model, up to ~100 us for a large MoE model, so 22 rounds of 8,192 output tokens
// (the AIC sample's long-output rows) take ~20 s each. Rows above it keep the analytical
// prediction and say so.
constexpr double kMaxReplaySteps = 30000;
// And in output tokens: each step also updates every running sequence, so thousands of
// clients (the AIC sample's c = 1,024 to 8,192 rows) cost far more per step.
constexpr double kMaxReplayTokens = 8e6;

// Mean TTFT, TPOT and end-to-end latency of the requests a harness counts: all but the
// first `warmup` sent. The overhead is the client-side latency simulate() adds to TTFT.
struct Measured {
  double ttft_ms = 0, tpot_ms = 0, e2e_ms = 0;
};
Measured measured_part(const SimResult& r, int warmup, double ttft_overhead_s) {
  if (warmup <= 0 || r.records.size() <= static_cast<std::size_t>(warmup)) return {r.ttft_ms.mean, r.tpot_ms.mean, r.e2e_ms.mean};
  double ttft = 0, tpot = 0, e2e = 0;
  int n_tpot = 0;
  const auto n = r.records.size() - static_cast<std::size_t>(warmup);
  for (std::size_t i = static_cast<std::size_t>(warmup); i < r.records.size(); ++i) {
    const auto& q = r.records[i];
    ttft += q.first_token_s - q.sent_s + ttft_overhead_s;
    e2e += q.last_token_s - q.sent_s + ttft_overhead_s;
    if (q.output > 1) {
      tpot += (q.last_token_s - q.first_token_s) / (q.output - 1);
      ++n_tpot;
    }
  }
  return {1e3 * ttft / static_cast<double>(n), n_tpot ? 1e3 * tpot / n_tpot : r.tpot_ms.mean, 1e3 * e2e / static_cast<double>(n)};
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
  // aiperf sends 2 x concurrency warm-up requests first and leaves them out of its
  // statistics (AIConfigurator's bench_run.sh.j2: --warmup-request-count 2c).
  const int warmup = m.harness == "aiperf" && so.arrivals.max_concurrency > 0 ? 2 * so.arrivals.max_concurrency : 0;
  so.requests.count += warmup;
  if (warmup > 0) how.push_back(fmt::format("after {} warm-up requests", warmup));
  // A closed loop of c clients takes about requests x osl / c engine steps.
  if (so.arrivals.rate <= 0 && so.arrivals.max_concurrency > 0) {
    const double steps = double(so.requests.count) * so.requests.osl / so.arrivals.max_concurrency;
    const double tokens = double(so.requests.count) * so.requests.osl;
    if (steps > kMaxReplaySteps || tokens > kMaxReplayTokens)
      return keep(fmt::format("about {:.0f} engine steps and {:.3g} output tokens ({} requests of {} from {} clients), more than "
                              "the replay budget of {:.0f} steps and {:.0e} tokens",
                              steps, tokens, so.requests.count, so.requests.osl, so.arrivals.max_concurrency, kMaxReplaySteps,
                              kMaxReplayTokens));
  }
  so.scheduler = *scheduler_preset(preset_for(m.backend));
  so.ttft_overhead_s = specs->chip.ttft_overhead.value();
  so.seed = 1;
  perf::Deployment d = pred.deployment;
  d.batch = 0;  // the scheduler and the load set the batch
  SimResult r;
  try {
    r = simulate(specs->chip, specs->model, d, so);
  } catch (const UserError& e) {
    return keep(e.what());
  }
  if (!r.ok()) return keep(r.status);
  const Measured meas = measured_part(r, warmup, so.ttft_overhead_s);
  for (auto& x : pred.metrics) {
    if (x.metric == "ttft_ms") x.predicted = meas.ttft_ms;
    else if (x.metric == "tpot_ms")  // per output token over the whole request where the row measured it so
      x.predicted = m.tpot_includes_context ? meas.e2e_ms / *m.osl : meas.tpot_ms;
    else if (x.metric == "output_tps_per_chip") x.predicted = r.output_tps_per_chip;
    else if (x.metric == "input_tps_per_chip") x.predicted = r.input_tps / r.chips;
  }
  pred.method += fmt::format("; simulated: {} with {} requests, {}, {} scheduler{}", m.harness, so.requests.count,
                             so.arrivals.rate > 0 ? fmt::format("Poisson {} req/s", so.arrivals.rate)
                                                  : fmt::format("closed loop at {}", so.arrivals.max_concurrency),
                             so.scheduler.name, how.empty() ? "" : fmt::format(" ({})", fmt::join(how, "; ")));
}

}  // namespace gpugap::serve
