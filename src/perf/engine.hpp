// Internals of the perf engine shared by evaluate() and search(): the
// per-(chip, model, format) constants computed once, and the allocation-free
// core that evaluates one deployment from them.
#pragma once

#include <array>
#include <cstdint>

#include "perf/kernels.hpp"
#include "perf/perf.hpp"
#include "perf/step.hpp"

namespace gpugap::perf::detail {

// Operators of the breakdown (summed over the layers of one step).
enum class Op : std::uint8_t {
  kAttnProj, kAttnCore, kDenseFfn, kRouter, kMoeExperts, kSharedExperts, kLmHead, kMtpDraft,
  kCommTp, kCommDense, kCommMoe, kCommPp, kLaunch, kCount
};
inline constexpr int kOps = static_cast<int>(Op::kCount);
std::string_view op_name(Op op);

// Whether the chip computes in `d` (BF16 and FP16 stand in for each other).
bool chip_has(const ChipSpec& c, DType d);

struct OpAcc {
  double flops = 0, bytes = 0, comm = 0, time = 0, t_compute = 0, t_memory = 0;
};
using Breakdown = std::array<OpAcc, kOps>;

// Element counts of the model, per layer unless noted.
struct ModelC {
  bool mla = false;
  bool moe = false;
  int layers = 0, dense_layers = 0, moe_layers = 0;
  int full_layers = 0, sliding_layers = 0, window = 0;
  int hidden = 0, heads = 0, kv_heads = 0, experts = 0, top_k = 0;
  double attn_split = 0;       // attention weights split across TP
  double attn_kv_split = 0;    // GQA K/V projection weights (replicated when kv_heads < tp)
  double attn_repl = 0;        // replicated attention weights (MLA down-projections)
  double kv_elems = 0;         // KV cache elements per token per layer (GQA: before the TP split)
  double core_decode = 0;      // attention FLOPs per query token per context token (all heads)
  double core_prefill = 0;
  double mla_kv_up = 0;        // MLA: K/V up-projection elements applied to cached prefix tokens
  double dense_ffn = 0;        // gated FFN weights of a dense layer
  double expert = 0;           // one routed expert
  double shared = 0;           // all shared experts of a layer
  double router = 0;
  double embed = 0, lm_head = 0;
  bool has_mtp_layers = false;
};

struct ChipC {
  double peak_gemm = 0;   // FLOP/s x eta_compute for the GEMM format
  double peak_attn = 0;   // BF16 (or FP16) x eta_compute for attention
  double bw = 0;          // memory B/s x eta_memory
  double capacity = 0;    // device bytes (the deployment's usable fraction applies)
  double scaleup = 0;     // per direction, x eta_comm (0: unknown)
  double scaleout = 0;
  int domain = 0;         // 0: unknown
  double launch = 0;      // s per layer per step, and per collective
  double ttft_overhead = 0;  // s added to every TTFT (API, scheduling)
  double comm_latency = 0;   // s per collective
  double seq_overhead = 0;   // s per sequence of an attention rank per forward step
  bool has_eta_comm = false;
};

// The kernel curves that replace the roofline's efficiencies for one (chip, backend,
// format); a null curve leaves its operators on the roofline.
struct KernelC {
  const KernelEvidence* e = nullptr;
  const Curve* gemm = nullptr;        // TFLOP/s by tokens M, for the GEMM format
  const Curve* gemm_fixed = nullptr;  // s per GEMM call by tokens M
  const Curve* decode = nullptr;   // GB/s by KV bytes per call, for the KV type
  const Curve* prefill = nullptr;  // TFLOP/s by FLOPs per call
  double peak_gemm = 0, peak_attn = 0, bw = 0;  // the chip's peaks: no curve point may exceed them
};

struct Prepared {
  ModelC m;
  ChipC c;
  KernelC k;
  Format format{};
  DType kv = DType::kBf16;
  double wbytes = 2, abytes = 2, kvbytes = 2, dispatch_bytes = 2;
  std::string chip_id;
  std::string stack;
};

// Throws InsufficientData for a value the chip lacks (compute, bandwidth,
// capacity, efficiencies) and UserError for an unusable model.
// `gemm_fraction` > 0: GEMMs without kernel tables compute at that fraction of the peak
// (operator evidence) instead of eta_compute.
Prepared prepare(const ChipSpec& chip, const ModelSpec& model, Format f, DType kv, const KernelEvidence* kernels = nullptr,
                 double gemm_fraction = 0);
// Which evidence each operator class of a prepared evaluation uses (a note for the result).
std::string evidence_note(const Prepared& p);
ModelC model_constants(const ModelSpec& model);

// Why a deployment is infeasible (kNone when it fits).
enum class Infeasible {
  kNone,
  kMemory,            // the decode instance does not fit in memory
  kPrefillSaturated,  // the prefill pool cannot keep up with the decode pool
  kPrefillMemory,     // the prefill pool does not fit in memory
};

struct Outcome {
  bool feasible = false;
  Infeasible reason = Infeasible::kNone;
  double shortfall = 0;
  int batch = 0, max_batch = 0, chips = 0;
  double ttft = 0, tpot = 0, out_tps_chip = 0, in_tps_chip = 0, pf_tps_chip = 0, step = 0, tokens_per_step = 1;
  double mem_used = 0, mem_cap = 0, w_bytes = 0, kv_bytes = 0;
  Bottleneck prefill_bn = Bottleneck::kNone, decode_bn = Bottleneck::kNone;
};

// Evaluates one deployment (d.batch 0: the most that fit). `bd_decode` and
// `bd_prefill`, when given, receive the per-operator breakdown.
Outcome run(const Prepared& p, const Deployment& d, const Workload& w, Breakdown* bd_decode = nullptr,
            Breakdown* bd_prefill = nullptr);

// The largest batch (sequences per instance) that fits; 0 when even the weights do not.
int max_batch(const Prepared& p, const Deployment& d, const Workload& w);

// One step of a whole instance under an explicit load (perf/step.hpp): all pp stages.
double instance_step(const Prepared& p, const Deployment& d, const StepLoad& load);
// Tokens of KV cache the instance holds besides its weights and workspace (all attention ranks).
double instance_kv_tokens(const Prepared& p, const Deployment& d);
// Handing `tokens` tokens of KV cache (all layers) from a prefill to a decode instance over the NIC.
double kv_transfer_s(const Prepared& p, double tokens);

}  // namespace gpugap::perf::detail
