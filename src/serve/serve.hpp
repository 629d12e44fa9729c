// The serving simulator: a discrete-event simulation of one benchmark run
// against one serving instance (agg) or a prefill pool feeding one decode
// instance (disagg), over perf's per-step cost model (perf/step.hpp). What a
// benchmark tool measures (a finite request set, its arrivals, the engine's
// scheduler) rather than the analytical steady state. docs/model-serve.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/specs.hpp"
#include "perf/perf.hpp"

namespace gpugap::serve {

// ---- request sets -----------------------------------------------------------

enum class LengthDist : std::uint8_t {
  kFixed,      // every request isl in, osl out
  kUniform,    // vLLM/InferenceX `random`: uniform in [x (1 - r), x (1 + r)]
  kUniformBelow,  // SGLang bench_serving `random`: uniform in [x r, x]
  kEmpirical,  // drawn (with replacement) from a table of (input, output) lengths
};

struct Lengths {
  int input = 0;
  int output = 0;
};

// A length table shipped as data (data/datasets/NAME.csv) or given as a file.
struct Dataset {
  std::string name;
  std::string source;  // where the lengths come from (the file's `# source:` line)
  std::vector<Lengths> rows;
};

struct RequestSpec {
  int count = 0;
  int isl = 0;  // fixed / uniform: the mean lengths
  int osl = 0;
  LengthDist dist = LengthDist::kFixed;
  double range_ratio = 0.0;
  Dataset dataset;  // kEmpirical only
};

// Loads a length table: CSV with columns input_tokens,output_tokens (extra
// columns ignored) and optional `# source:` / `# as_of:` comment lines. Throws
// UserError naming file, line and column for bad content.
Dataset load_dataset(const std::string& path);
// The folder of the shipped length tables (data/datasets) and the names in it.
std::string dataset_dir();
std::vector<std::string> dataset_names();

// The lengths of each request, in order; deterministic in `seed`.
std::vector<Lengths> draw_lengths(const RequestSpec& spec, std::uint64_t seed);

// ---- arrivals ---------------------------------------------------------------

struct ArrivalSpec {
  double rate = 0.0;        // requests/s, Poisson; 0: all at t = 0
  int max_concurrency = 0;  // requests in flight at most (closed loop); 0: no limit
};

// Send times before the concurrency limit applies (t = 0 first, as vLLM's bench does).
std::vector<double> draw_arrivals(int count, const ArrivalSpec& spec, std::uint64_t seed);

// ---- scheduler --------------------------------------------------------------

enum class BatchPolicy : std::uint8_t {
  kMixed,         // running sequences first, prompt chunks fill the token budget (vLLM V1, TensorRT-LLM)
  kPrefillFirst,  // a step is a prefill batch whenever one can be formed, else a decode batch (SGLang)
};

struct SchedulerSpec {
  std::string name;
  int max_running = 0;         // sequences per instance; 0: as many as the KV cache holds
  int max_batched_tokens = 0;  // tokens per step (prefill and decode)
  bool chunked_prefill = true;
  BatchPolicy policy = BatchPolicy::kMixed;
  int block_tokens = 16;       // KV-cache block (page) size
  bool reserve_output = false; // admission reserves KV for the whole output (never preempts)
  std::string source;          // where the defaults come from
};

// The named presets (vllm, sglang, trtllm); nullopt for another name.
std::optional<SchedulerSpec> scheduler_preset(std::string_view name);
std::vector<std::string> scheduler_names();

// ---- simulation -------------------------------------------------------------

struct SimOptions {
  RequestSpec requests;
  ArrivalSpec arrivals;
  SchedulerSpec scheduler;
  std::uint64_t seed = 0;
  bool trace = false;  // keep one row per engine step
  // Client-side latency added to every TTFT and end-to-end latency (API server,
  // tokenisation); it does not hold engine slots. 0 in `gpugap simulate`.
  double ttft_overhead_s = 0.0;
  // 0: every step costs one evaluation of the step model. G > 0: steps that differ only
  // in their decode context are interpolated (linearly in the context sum) between
  // evaluations memoized on a grid of G tokens of mean context, so a long run costs a
  // few hundred evaluations (validate's replay; the closed-loop check bounds the error).
  int step_grid_tokens = 0;
  // c > 0: requests go in rounds of c (send order); the run stops once three rounds in a
  // row have the same mean TTFT and TPOT (within 0.1%): a closed loop of fixed lengths
  // that has become periodic (closed_loop_means). 0: every request runs.
  int stop_when_periodic = 0;
  // The measured kernel rates the step model runs at (validate's held-out replay, as its
  // analytical prediction does), or none: the catalog's efficiencies.
  const perf::KernelEvidence* kernels = nullptr;
};

// mean and percentiles (linear interpolation between order statistics, as numpy).
struct Stat {
  double mean = 0, p50 = 0, p90 = 0, p99 = 0;
};

struct TraceRow {
  int instance = 0;  // 0: the agg or decode instance; 1..: prefill instances
  double start_s = 0, end_s = 0;
  int decode_seqs = 0;
  int prefill_tokens = 0;
  int running = 0;
  int waiting = 0;
  double kv_tokens_used = 0;
};

// One request as a benchmark client saw it (seconds from the start of the run).
struct RequestRecord {
  int input = 0, output = 0;
  double sent_s = 0, first_token_s = 0, last_token_s = 0;
};

struct SimResult {
  std::string status = "ok";  // or "insufficient data: PATH", or why no request could run
  int requests = 0;
  double duration_s = 0;            // first request sent to last token
  double request_tps = 0;           // requests/s over the duration
  double output_tps = 0;            // output tokens/s over the duration
  double input_tps = 0;
  double output_tps_per_chip = 0;   // every chip of the deployment
  double output_tps_per_decode_chip = 0;  // disagg: the decode pool only (agg: = per chip)
  int chips = 0;                    // decode (or agg) instance plus the prefill pool
  int decode_chips = 0;
  int prefill_chips = 0;
  int prefill_instances = 0;
  long long output_tokens = 0;
  long long input_tokens = 0;
  Stat ttft_ms, tpot_ms, itl_ms, e2e_ms;
  long long steps = 0;
  long long preemptions = 0;
  int periodic_rounds = 0;     // rounds run when stop_when_periodic ended the run early; 0: it ran to the end
  double mean_running = 0;     // time-averaged sequences running on the agg/decode instance
  double kv_capacity_tokens = 0;
  std::vector<TraceRow> trace;
  std::vector<RequestRecord> records;  // in send order
  std::vector<std::string> notes;

  [[nodiscard]] bool ok() const { return status == "ok"; }
};

// Simulates the request set on the deployment. Missing catalog data gives a
// status "insufficient data: PATH"; an invalid deployment or request set throws
// UserError. `d.mode` selects agg or disagg (the prefill pool sized as perf sizes it
// unless d.prefill_decode_ratio says otherwise).
SimResult simulate(const ChipSpec& chip, const ModelSpec& model, const perf::Deployment& d, const SimOptions& opt);

// ---- closed-loop benchmarks (validate's replay) ------------------------------

// The means a closed-loop harness reports for `opt.requests.count` = R x c requests of
// fixed lengths from c = opt.arrivals.max_concurrency clients that all send at once (the
// engine idle before: aiperf waits for every warm-up response before it profiles).
// The first rounds differ (the clients start synchronized, so the first round's
// prompts queue behind each other, and they stagger over a few rounds); once four
// rounds in a row agree the loop is periodic, the run stops there, and its last round
// stands for every later one. A loop that never settles, or other lengths or
// arrivals, is simulated whole.
struct LoopMeans {
  double ttft_ms = 0, tpot_ms = 0, e2e_ms = 0;  // means over every request of the run
  double output_tps_per_chip = 0;
  double input_tps_per_chip = 0;
  int rounds = 0;            // R
  int simulated_rounds = 0;  // rounds simulated to the periodic regime (= R when whole)
  bool extrapolated = false;
  SimResult run;  // the simulated part (records, status, chips)
};
LoopMeans closed_loop_means(const ChipSpec& chip, const ModelSpec& model, const perf::Deployment& d, const SimOptions& opt);

// The trace as CSV (header + one row per step).
std::string trace_csv(const SimResult& r);

}  // namespace gpugap::serve
