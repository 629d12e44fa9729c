// The inference performance engine: TTFT, TPOT, tokens/s of any chip on any
// LLM, by a per-operator roofline with software-stack efficiencies (see
// docs/model-perf.md). Pure functions: specs in, a PerfResult value out.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/specs.hpp"

namespace gpugap::perf {

// Element type of one tensor class (weights, activations, KV cache).
enum class DType : std::uint8_t { kBf16 = 0, kFp16, kFp8, kInt8, kInt4, kFp4 };
std::string_view dtype_name(DType d);
std::optional<DType> parse_dtype(std::string_view s);
// Storage bytes per element, block scales included for the 4-bit formats.
double dtype_bytes(DType d);

// A GEMM format: weights and activations. Names as in the measurement
// schema: bf16, fp16, fp8, int8 (W8A8), w4a8, w4a16, fp4.
struct Format {
  DType weights = DType::kBf16;
  DType activations = DType::kBf16;
  friend bool operator==(Format, Format) = default;
};
std::optional<Format> parse_format(std::string_view s);
std::string format_name(Format f);

// vLLM `gpu_memory_utilization` default 0.9 (docs.vllm.ai, engine arguments).
inline constexpr double kUsableMemoryFraction = 0.9;

enum class ServeMode : std::uint8_t { kAgg, kDisagg };
std::string_view mode_name(ServeMode m);

// How a model is deployed on a chip. An instance (one model replica) spans
// tp * attention_dp * pp chips; its MoE layers span the same tp * attention_dp
// chips as moe_tp * ep. dp counts replicas (per-chip figures do not depend on it).
struct Deployment {
  Format format{};
  DType kv = DType::kBf16;
  int tp = 1;
  int pp = 1;
  int dp = 1;
  int attention_dp = 1;
  int ep = 1;
  int moe_tp = 0;  // 0: tp * attention_dp / ep
  int batch = 0;   // concurrent sequences per instance (decode pool in disagg); 0: the most that fit
  ServeMode mode = ServeMode::kAgg;
  // Disaggregated serving: prefill chips per decode chip (0: sized so that the
  // prefill pool runs at kPrefillPoolLoad), and the prefill pool's parallelism
  // (0: same as decode).
  double prefill_decode_ratio = 0.0;
  int prefill_tp = 0;
  int prefill_attention_dp = 0;
  int prefill_ep = 0;
  int mtp = 0;                  // draft tokens per step (MTP or speculative decoding)
  double mtp_acceptance = 0.0;  // probability the first draft is accepted
  // Probability each later draft is accepted given the one before it was (< 0: mtp_acceptance).
  // A single MTP head reused for drafts 2..k accepts them less often than the first.
  double mtp_acceptance_later = -1.0;
  double prefix_hit = 0.0;      // fraction of input tokens found in the prefix cache
  bool overlap = false;         // two-micro-batch overlap of communication and compute
  // Routed-token load of the busiest EP rank over the mean (perf/expert_load.hpp): 1 balanced.
  // The MoE step waits for that rank's expert GEMMs and its share of dispatch/combine.
  double expert_imbalance = 1.0;
  int prefill_tokens = 0;       // tokens per prefill step per attention rank (0: kPrefillChunkTokens)
  // Load: clients per instance in a closed loop (0: = batch). Clients beyond
  // the running batch queue before their prefill (Little's law).
  int concurrency = 0;
  // Share of requests sent in one simultaneous wave (a benchmark's start);
  // that wave queues for prefill. 0 for steady-state serving.
  double burst = 0.0;
  // Usable share of device memory (0: kUsableMemoryFraction). Validation raises it
  // for measured deployments that ran with a higher serving-memory setting.
  double memory_fraction = 0.0;
  // TensorRT-LLM sizes its KV pool as a share of the memory left after weights and
  // activations (KvCacheConfig.free_gpu_memory_fraction, default 0.9), not of the
  // total; > 0 selects that convention with this share.
  double kv_free_fraction = 0.0;

  [[nodiscard]] int width() const { return tp * attention_dp; }  // chips per pipeline stage
  [[nodiscard]] int chips() const { return width() * pp; }        // chips per instance
  [[nodiscard]] double usable_fraction() const { return memory_fraction > 0 ? memory_fraction : kUsableMemoryFraction; }
  [[nodiscard]] int moe_tp_size() const { return moe_tp > 0 ? moe_tp : std::max(1, width() / std::max(1, ep)); }
};

enum class Bottleneck : std::uint8_t { kNone, kCompute, kMemory, kComm, kLaunch, kCapacity };
std::string_view bottleneck_name(Bottleneck b);

enum class Phase : std::uint8_t { kPrefill, kDecode };

// One operator (summed over the layers of a step) in the breakdown.
struct OpCost {
  std::string_view name;
  Phase phase = Phase::kDecode;
  double flops = 0;       // per device per step
  double bytes = 0;       // memory traffic per device per step
  double comm_bytes = 0;  // sent per device per step
  double time_s = 0;
  Bottleneck bound = Bottleneck::kNone;
};

struct PerfResult {
  std::string status = "ok";  // or "insufficient data: PATH"
  bool feasible = false;
  std::string infeasible_reason;     // empty when feasible
  double memory_shortfall_bytes = 0; // > 0: by how much it misses (per device)
  Deployment deployment;             // as evaluated (batch chosen, precision resolved)
  std::vector<std::string> notes;    // substitutions and defaults applied
  double ttft_s = 0;
  double tpot_s = 0;
  double tokens_per_s_per_user = 0;
  double output_tps_per_chip = 0;
  double input_tps_per_chip = 0;
  double prefill_tps_per_chip = 0;   // prefill throughput of a prefill-only chip
  // Output tokens/s per chip of the decode pool (disagg; = output_tps_per_chip in agg):
  // what disaggregated publications quote, while output_tps_per_chip counts both pools.
  double output_tps_per_decode_chip = 0;
  double decode_step_s = 0;          // one decode step (all draft tokens)
  double tokens_per_step = 1;        // per sequence, with MTP acceptance
  int batch = 0;
  int max_batch = 0;                 // the most sequences per instance that fit
  int chips = 0;                     // per instance (both pools in disagg)
  double memory_used_bytes = 0;      // per device
  double memory_capacity_bytes = 0;  // usable per device
  double weight_bytes = 0;           // per device
  double kv_bytes = 0;               // per device
  Bottleneck prefill_bottleneck = Bottleneck::kNone;
  Bottleneck decode_bottleneck = Bottleneck::kNone;
  std::vector<OpCost> breakdown;

  [[nodiscard]] bool ok() const { return status == "ok"; }
};

// The workload for one evaluation: a catalog workload plus optional overrides.
struct KernelEvidence;  // perf/kernels.hpp

struct EvalOptions {
  bool breakdown = true;
  // Measured kernel rates of the chip's serving backend (null: the chip's own, ChipSpec::kernels,
  // else the roofline with the stack's efficiencies for every operator).
  const KernelEvidence* kernels = nullptr;
  // Where no table covers the GEMMs: the fraction of the GEMM peak that published
  // microbenchmarks of the chip's family reach (0: eta_compute, as every other operator).
  double gemm_fraction = 0;
};

// Resolves a requested format on a chip: a chip without FP8 runs FP8 as W8A8
// (int8) where it has INT8, else BF16; without FP4 it runs FP4 weights as
// W4A8/W4A16. Returns the note describing the substitution ("" when none).
Format resolve_format(const ChipSpec& chip, Format requested, std::string* note = nullptr);
// The KV-cache type a chip stores for a requested one: FP8 without FP8 becomes INT8
// where the chip has INT8, else BF16 (the note says so; "" when unchanged).
DType resolve_kv(const ChipSpec& chip, DType requested, std::string* note = nullptr);
// The model's checkpoint format as a Format.
Format native_format(const ModelSpec& model);
// The default deployment and the other rules that fill in unstated sizes: perf/deployment.hpp.

// Evaluates one deployment. Never throws for expected outcomes: missing data
// gives status "insufficient data: PATH"; a deployment that does not fit gives
// feasible=false with the shortfall. Throws UserError for an invalid
// deployment (e.g. tp not dividing heads).
PerfResult evaluate(const ChipSpec& chip, const ModelSpec& model, const Deployment& d, const Workload& w,
                    const EvalOptions& opt = {});

// Validates a deployment against a model; returns "" or what is wrong.
std::string check_deployment(const ModelSpec& model, const Deployment& d);

// ---- search ----------------------------------------------------------------

struct SearchOptions {
  std::optional<double> ttft_target_s;  // overrides the workload's
  std::optional<double> tpot_target_s;
  std::vector<Format> formats;          // empty: every format the chip runs
  std::optional<DType> kv;              // empty: fp8 where the chip has FP8, else bf16
  bool allow_disagg = true;
  bool allow_mtp = true;
  // Also try two-micro-batch overlap on multi-chip layouts. Off by default: no measured row
  // records an overlapped run to check it on, and the shipped economics are searched without it.
  bool allow_overlap = false;
  double mtp_acceptance = 0.0;          // 0: the model's catalog value (none: MTP off)
  double mtp_acceptance_later = -1.0;   // < 0: same as mtp_acceptance
  int max_width = 0;                    // 0: the chip's scale-up domain (at least 8)
  bool pareto = true;                   // collect the Pareto frontier
  bool fixed_mode = false;              // only `mode` below
  ServeMode mode = ServeMode::kAgg;
};

struct ParetoPoint {
  double tokens_per_s_per_user = 0;
  double output_tps_per_chip = 0;
  double ttft_s = 0;
  double tpot_s = 0;
  Deployment deployment;
};

struct SearchResult {
  std::string status = "ok";        // or "insufficient data: PATH", or "no feasible deployment"
  bool found = false;               // a deployment meets the targets
  PerfResult best;                  // the best under the targets (full evaluation)
  std::vector<ParetoPoint> pareto;  // sorted by tokens/s per user, ascending
  std::size_t evaluated = 0;        // configurations evaluated
  std::optional<double> ttft_target_s;
  std::optional<double> tpot_target_s;
};

SearchResult search(const ChipSpec& chip, const ModelSpec& model, const Workload& w, const SearchOptions& opt = {});

// MTP acceptance: the model's catalog value (models.X.mtp_acceptance), if any.
std::optional<double> model_mtp_acceptance(const ParamTable& p, const ModelSpec& model);
// Acceptance of drafts after the first (models.X.mtp_acceptance_later), if the catalog has one.
std::optional<double> model_mtp_acceptance_later(const ParamTable& p, const ModelSpec& model);
// Acceptance of draft i (1-based) given drafts 1..i-1 were accepted.
double draft_acceptance(const Deployment& d, int i);
// Expected tokens a decode step gives: 1 + a + a b + a b^2 + ... over d.mtp drafts.
double expected_tokens_per_step(const Deployment& d);

// Constants of the model that are choices of the serving software, with the
// documented defaults they come from (see docs/model-perf.md).
// Tokens per prefill step: TensorRT-LLM `max_num_tokens` default 8192
// (nvidia.github.io/TensorRT-LLM, "Tuning max batch size and max num tokens");
// SGLang `--chunked-prefill-size` default 8192 on large GPUs.
inline constexpr int kPrefillChunkTokens = 8192;
// Disaggregated prefill pool sized so the mean queueing wait equals one
// prefill time (M/D/1: rho / (2 (1 - rho)) = 1 -> rho = 2/3). A design rule.
inline constexpr double kPrefillPoolLoad = 2.0 / 3.0;

}  // namespace gpugap::perf
