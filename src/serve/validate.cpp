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
  return h == "vllm-bench-serve" || h == "sglang-bench-serving" || h == "genai-perf" || h == "trtllm-bench";
}

std::string preset_for(const std::string& backend) {
  if (backend == "trtllm" || backend == "sglang" || backend == "vllm") return backend;
  return "vllm";
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
                  const perf::ValidateOptions& opt, perf::RowPrediction& pred) {
  if (!pred.skip_reason.empty() || pred.metrics.empty()) return;
  auto keep = [&](const std::string& why) { pred.method += "; not simulated: " + why; };
  if (auto why = replay_gap(m); !why.empty()) return keep(why);
  const auto specs = perf::row_specs(cat, params, m, opt);
  if (!specs) return keep("row not resolved");
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
  for (auto& x : pred.metrics) {
    if (x.metric == "ttft_ms") x.predicted = r.ttft_ms.mean;
    else if (x.metric == "tpot_ms")  // per output token over the whole request where the row measured it so
      x.predicted = m.tpot_includes_context ? r.e2e_ms.mean / *m.osl : r.tpot_ms.mean;
    else if (x.metric == "output_tps_per_chip") x.predicted = r.output_tps_per_chip;
    else if (x.metric == "input_tps_per_chip") x.predicted = r.input_tps / r.chips;
  }
  pred.method += fmt::format("; simulated: {} with {} requests, {}, {} scheduler{}", m.harness, so.requests.count,
                             so.arrivals.rate > 0 ? fmt::format("Poisson {} req/s", so.arrivals.rate)
                                                  : fmt::format("closed loop at {}", so.arrivals.max_concurrency),
                             so.scheduler.name, how.empty() ? "" : fmt::format(" ({})", fmt::join(how, "; ")));
}

}  // namespace gpugap::serve
