// gpugap simulate: one benchmark run simulated on one deployment (src/serve;
// shared/spec/cli.md for the flags and the JSON shape).
#include <fmt/format.h>

#include <filesystem>

#include "catalog/specs.hpp"
#include "cli/perf_common.hpp"
#include "core/output.hpp"
#include "core/status.hpp"
#include "core/suggest.hpp"
#include "perf/deployment.hpp"
#include "serve/serve.hpp"

namespace fs = std::filesystem;

namespace gpugap::cli {
namespace {

using nlohmann::json;
using perf::round_sig;

struct SimArgs {
  std::string chip, model, dataset = "random", scheduler = "vllm", trace;
  WorkloadArgs wl;
  DeploymentArgs dep;
  int requests = 0, max_concurrency = 0, max_running = 0, max_batched_tokens = 0;
  double range_ratio = 0, request_rate = 0;
  std::uint64_t seed = 0;
};

serve::RequestSpec request_spec(const SimArgs& a, const Workload& w) {
  serve::RequestSpec r;
  r.count = a.requests;
  r.isl = w.isl;
  r.osl = w.osl;
  r.range_ratio = a.range_ratio;
  if (a.dataset == "random") {
    r.dist = serve::LengthDist::kUniform;
  } else if (a.dataset == "fixed") {
    require(a.range_ratio == 0, Location{"", 0, "--range-ratio"}, "no range ratio with --dataset fixed (use random)",
            fmt::format("{}", a.range_ratio));
    r.dist = serve::LengthDist::kFixed;
  } else {
    const bool file = a.dataset.find('/') != std::string::npos || fs::path(a.dataset).extension() == ".csv";
    std::string path = file ? a.dataset : (fs::path(serve::dataset_dir()) / (a.dataset + ".csv")).string();
    if (!file && !fs::exists(path) && a.dataset == "sharegpt")
      throw UserError(Location{"", 0, "--dataset"},
                      "a shipped length table (ShareGPT's lengths are not shipped: no sourced table; see data/datasets/README.md) "
                      "or a CSV file of input_tokens,output_tokens",
                      "'sharegpt'", "azure-conv-2023");
    if (!file && !fs::exists(path)) {
      std::vector<std::string> names = {"random", "fixed"};
      for (const auto& n : serve::dataset_names()) names.push_back(n);
      throw UserError(Location{"", 0, "--dataset"}, "random, fixed, a shipped dataset or a CSV file",
                      "'" + a.dataset + "'", suggest(a.dataset, names));
    }
    r.dist = serve::LengthDist::kEmpirical;
    r.dataset = serve::load_dataset(path);
  }
  return r;
}

json stat_json(const serve::Stat& s) {
  return {{"mean", round_sig(s.mean)}, {"p50", round_sig(s.p50)}, {"p90", round_sig(s.p90)}, {"p99", round_sig(s.p99)}};
}

Output sim_output(const SimArgs& a, const ModelSpec& model, const perf::Deployment& d, const serve::SimOptions& so,
                  const serve::SimResult& r) {
  Output out;
  json j;
  j["chip"] = a.chip;
  j["model"] = model.id;
  j["deployment"] = perf::to_json(d, model);
  j["scheduler"] = {{"name", so.scheduler.name},
                    {"max_running", so.scheduler.max_running},
                    {"max_batched_tokens", so.scheduler.max_batched_tokens},
                    {"chunked_prefill", so.scheduler.chunked_prefill},
                    {"policy", so.scheduler.policy == serve::BatchPolicy::kMixed ? "mixed" : "prefill-first"},
                    {"block_tokens", so.scheduler.block_tokens},
                    {"reserve_output", so.scheduler.reserve_output},
                    {"source", so.scheduler.source}};
  if (so.requests.dist == serve::LengthDist::kEmpirical)
    j["dataset"] = {{"name", a.dataset}, {"rows", so.requests.dataset.rows.size()}, {"source", so.requests.dataset.source}};
  else
    j["dataset"] = {{"name", a.dataset}, {"isl", so.requests.isl}, {"osl", so.requests.osl},
                    {"range_ratio", so.requests.range_ratio}};
  j["request_rate"] = so.arrivals.rate;
  j["max_concurrency"] = so.arrivals.max_concurrency;
  j["seed"] = so.seed;
  j["requests"] = r.requests;
  j["duration_s"] = round_sig(r.duration_s);
  j["request_throughput"] = round_sig(r.request_tps);
  j["output_tps"] = round_sig(r.output_tps);
  j["input_tps"] = round_sig(r.input_tps);
  j["output_tps_per_chip"] = round_sig(r.output_tps_per_chip);
  j["output_tps_per_decode_chip"] = round_sig(r.output_tps_per_decode_chip);
  j["chips"] = r.chips;
  j["decode_chips"] = r.decode_chips;
  j["prefill_chips"] = r.prefill_chips;
  j["ttft_ms"] = stat_json(r.ttft_ms);
  j["tpot_ms"] = stat_json(r.tpot_ms);
  j["itl_ms"] = stat_json(r.itl_ms);
  j["e2e_ms"] = stat_json(r.e2e_ms);
  j["steps"] = r.steps;
  j["preemptions"] = r.preemptions;
  j["mean_running"] = round_sig(r.mean_running);
  j["kv_capacity_tokens"] = r.kv_capacity_tokens;
  j["notes"] = r.notes;
  out.json = j;

  Table t{{"quantity", "value"}, {}, {false, false}};
  auto row = [&](const std::string& k, const std::string& v) { t.rows.push_back({k, v}); };
  std::string dep = perf::describe(d, model);
  if (d.batch == 0) {
    // The scheduler, not a fixed batch, sets how many sequences run.
    if (const auto at = dep.find(" B0 "); at != std::string::npos) dep.erase(at, 3);
  }
  row("deployment", dep);
  row("scheduler", fmt::format("{} (max running {}, {} tokens/step, {}{})", so.scheduler.name,
                               so.scheduler.max_running > 0 ? std::to_string(so.scheduler.max_running) : "KV-limited",
                               so.scheduler.max_batched_tokens,
                               so.scheduler.policy == serve::BatchPolicy::kMixed ? "mixed" : "prefill-first",
                               so.scheduler.chunked_prefill ? ", chunked prefill" : ""));
  row("requests", fmt::format("{} in {} s ({} req/s)", r.requests, fmt_num(r.duration_s), fmt_num(r.request_tps)));
  row("output tokens/s", fmt_num(r.output_tps));
  row("output tokens/s per chip", fmt_num(r.output_tps_per_chip) + fmt::format(" ({} chips)", r.chips));
  if (r.prefill_chips > 0)
    row("output tokens/s per decode chip",
        fmt_num(r.output_tps_per_decode_chip) + fmt::format(" ({} decode, {} prefill chips)", r.decode_chips, r.prefill_chips));
  row("mean running sequences", fmt_num(r.mean_running));
  row("steps / preemptions", fmt::format("{} / {}", r.steps, r.preemptions));
  Table s{{"ms", "mean", "p50", "p90", "p99"}, {}, {false, true, true, true, true}};
  auto srow = [&](const char* name, const serve::Stat& x) {
    s.rows.push_back({name, fmt_num(x.mean), fmt_num(x.p50), fmt_num(x.p90), fmt_num(x.p99)});
  };
  srow("TTFT", r.ttft_ms);
  srow("TPOT", r.tpot_ms);
  srow("ITL", r.itl_ms);
  srow("E2E", r.e2e_ms);
  out.tables = {t, s};
  out.titles = {"", "latency"};
  for (const auto& n : r.notes) out.text += "note: " + n + "\n";
  return out;
}

void simulate_cmd(const Global& g, const SimArgs& a) {
  const DeploymentSetup s = resolve_setup(g, a.chip, a.model, a.wl, a.dep);
  const ChipSpec& chip = s.chip;
  const ModelSpec& model = s.model;
  const Workload& w = s.w;
  const perf::Deployment& d = s.d;
  const auto& defaults = s.defaults;
  serve::SimOptions so;
  so.requests = request_spec(a, w);
  so.arrivals.rate = a.request_rate;
  so.arrivals.max_concurrency = a.max_concurrency;
  so.seed = a.seed;
  so.trace = !a.trace.empty();
  auto preset = serve::scheduler_preset(a.scheduler);
  if (!preset)
    throw UserError(Location{"", 0, "--scheduler"}, "one of vllm, sglang, trtllm", "'" + a.scheduler + "'",
                    suggest(a.scheduler, serve::scheduler_names()));
  so.scheduler = *preset;
  require(a.max_running >= 0 && a.max_batched_tokens >= 0, Location{"", 0, "--max-running/--max-batched-tokens"},
          "counts >= 0 (0: the preset's)", fmt::format("{} / {}", a.max_running, a.max_batched_tokens));
  if (a.max_running > 0) so.scheduler.max_running = a.max_running;
  else if (d.batch > 0) so.scheduler.max_running = d.batch;
  if (a.max_batched_tokens > 0) so.scheduler.max_batched_tokens = a.max_batched_tokens;
  if (!a.trace.empty()) refuse_catalog_output(g, a.trace, "--trace");
  serve::SimResult r = serve::simulate(chip, model, d, so);
  if (!r.ok()) {
    Missing::parse(r.status).raise();
    throw UserError(Location{"", 0, "deployment"}, "a deployment that holds the requests", r.status);
  }
  r.notes.insert(r.notes.begin(), defaults.begin(), defaults.end());
  // Under --rank device the "per chip" figures are per device (one die): say so.
  if (s.unit == perf::RankUnit::kDevice) r.notes.push_back("per chip = per device: " + perf::unit_note(chip, s.unit));
  const Output out = sim_output(a, model, d, so, r);
  if (!a.trace.empty()) atomic_write(a.trace, serve::trace_csv(r));
  emit(g, out);
}

}  // namespace

void add_simulate_command(CLI::App& app, Global& g) {
  auto sa = std::make_shared<SimArgs>();
  auto* cmd = app.add_subcommand("simulate", "simulate a benchmark run (request set, arrivals, scheduler) on one deployment");
  cmd->add_option("--chip", sa->chip, "chip id or alias")->required();
  cmd->add_option("--model", sa->model, "model id or alias")->required();
  cmd->add_option("--requests", sa->requests, "number of requests (prompts)")->required();
  cmd->add_option("--workload", sa->wl.workload, "workload id for the mean lengths (default: chat)");
  cmd->add_option("--isl", sa->wl.isl, "input tokens per request (mean)");
  cmd->add_option("--osl", sa->wl.osl, "output tokens per request (mean)");
  cmd->add_option("--dataset", sa->dataset, "random (uniform with --range-ratio), fixed, a shipped table (data/datasets) or a CSV file");
  cmd->add_option("--range-ratio", sa->range_ratio, "random: lengths uniform in [x (1 - r), x (1 + r)]");
  cmd->add_option("--request-rate", sa->request_rate, "Poisson arrivals, requests/s (default 0: all at once)");
  cmd->add_option("--max-concurrency", sa->max_concurrency, "requests in flight at most (closed loop; 0: no limit)");
  cmd->add_option("--scheduler", sa->scheduler, "scheduler preset: vllm, sglang, trtllm");
  cmd->add_option("--max-running", sa->max_running, "sequences per instance at most (default: the preset's, or --batch)");
  cmd->add_option("--max-batched-tokens", sa->max_batched_tokens, "tokens per step (default: the preset's)");
  cmd->add_option("--seed", sa->seed, "seed of lengths, arrivals and draft acceptance");
  cmd->add_option("--trace", sa->trace, "write one CSV row per engine step there");
  add_deployment_options(cmd, sa->dep);
  cmd->callback([&g, sa] { simulate_cmd(g, *sa); });
}

}  // namespace gpugap::cli
