// The per-(chip, model, format) constants of the roofline, computed once per
// evaluation or search (docs/model-perf.md).
#include <fmt/format.h>

#include <algorithm>

#include "perf/engine.hpp"

namespace gpugap::perf::detail {

std::string_view op_name(Op op) {
  switch (op) {
    case Op::kAttnProj: return "attention projections";
    case Op::kAttnCore: return "attention (KV cache)";
    case Op::kDenseFfn: return "dense FFN";
    case Op::kRouter: return "MoE router";
    case Op::kMoeExperts: return "routed experts";
    case Op::kSharedExperts: return "shared experts";
    case Op::kLmHead: return "LM head";
    case Op::kMtpDraft: return "MTP / draft layers";
    case Op::kCommTp: return "TP all-reduce";
    case Op::kCommDense: return "dense-layer gather (attention DP)";
    case Op::kCommMoe: return "MoE dispatch/combine";
    case Op::kCommPp: return "pipeline send";
    case Op::kLaunch: return "launch overhead";
    case Op::kCount: break;
  }
  return "?";
}

ModelC model_constants(const ModelSpec& m) {
  ModelC c;
  c.layers = m.layers;
  c.moe = m.ffn == FfnKind::kMoe;
  c.dense_layers = c.moe ? m.dense_layers : m.layers;
  c.moe_layers = c.moe ? m.layers - m.dense_layers : 0;
  c.sliding_layers = m.sliding_window > 0 ? std::min(m.sliding_layers, m.layers) : 0;
  c.full_layers = m.layers - c.sliding_layers;
  c.window = m.sliding_window;
  c.hidden = m.hidden;
  c.heads = m.heads;
  c.kv_heads = m.kv_heads;
  c.experts = m.experts;
  c.top_k = m.experts_per_token;
  const double h = m.hidden;
  if (m.attention == AttentionKind::kMla) {
    c.mla = true;
    const double qk = m.qk_nope_dim + m.qk_rope_dim;
    // Down-projections (q_a, kv_a) are replicated across TP; up-projections and output split.
    c.attn_repl = (m.q_lora_rank > 0 ? h * m.q_lora_rank : 0.0) + h * (m.kv_lora_rank + m.qk_rope_dim);
    c.attn_split = (m.q_lora_rank > 0 ? double(m.q_lora_rank) : h) * m.heads * qk +
                   double(m.kv_lora_rank) * m.heads * (m.qk_nope_dim + m.v_head_dim) + double(m.heads) * m.v_head_dim * h;
    c.kv_elems = m.kv_lora_rank + m.qk_rope_dim;
    // Absorbed decode: scores over the latent (kv_lora + rope), values over the latent.
    c.core_decode = 2.0 * m.heads * (2.0 * m.kv_lora_rank + m.qk_rope_dim);
    // Prefill in the expanded (MHA) form: QK over nope+rope, PV over v.
    c.core_prefill = 2.0 * m.heads * (qk + m.v_head_dim);
    c.mla_kv_up = double(m.kv_lora_rank) * m.heads * (m.qk_nope_dim + m.v_head_dim);
  } else {
    const double hd = m.head_dim;
    c.attn_split = h * m.heads * hd * 2.0;  // Q and O
    c.attn_kv_split = h * m.kv_heads * hd * 2.0;
    c.kv_elems = 2.0 * m.kv_heads * hd;
    c.core_decode = 4.0 * m.heads * hd;
    c.core_prefill = 4.0 * m.heads * hd;
  }
  // Gated FFNs (SwiGLU): gate, up and down projections.
  c.dense_ffn = 3.0 * h * m.intermediate;
  if (c.moe) {
    c.expert = 3.0 * h * m.expert_intermediate;
    c.shared = 3.0 * h * m.shared_intermediate * m.shared_experts;
    c.router = h * m.experts;
  }
  c.lm_head = h * m.vocab;
  c.embed = m.tie_embeddings ? 0.0 : h * m.vocab;
  c.has_mtp_layers = m.mtp_layers > 0;
  return c;
}

namespace {

std::string eta_path(const ChipSpec& chip, const char* key) {
  return chip.stack.empty() ? chip.path(std::string("software.") + key) : "stacks." + chip.stack + "." + key;
}

// Dense peak of the GEMM that a given activation type runs on.
double peak_for(const ChipSpec& chip, DType act) {
  switch (act) {
    case DType::kBf16:
    case DType::kFp16:
      if (!chip.has(Precision::kBf16) && chip.has(Precision::kFp16)) return chip.need_compute(Precision::kFp16).value();
      return chip.need_compute(Precision::kBf16).value();
    case DType::kFp8: return chip.need_compute(Precision::kFp8).value();
    case DType::kInt8:
    case DType::kInt4: return chip.need_compute(Precision::kInt8).value();
    case DType::kFp4: return chip.need_compute(Precision::kFp4).value();
  }
  return chip.need_compute(Precision::kBf16).value();
}

}  // namespace

namespace {

// The kernel tables' type for a GEMM activation or KV-cache type (kCount: none measured).
KernelType kernel_type(DType d) {
  switch (d) {
    case DType::kBf16:
    case DType::kFp16: return KernelType::kBf16;
    case DType::kFp8: return KernelType::kFp8;
    case DType::kFp4: return KernelType::kFp4;
    default: return KernelType::kCount;
  }
}

KernelC kernel_constants(const ChipSpec& chip, Format f, DType kv, const KernelEvidence* e) {
  KernelC k;
  if (!e) return k;
  k.e = e;
  k.peak_gemm = peak_for(chip, f.activations);
  k.peak_attn = peak_for(chip, DType::kBf16);
  k.bw = chip.need_bandwidth().value();
  if (const auto g = kernel_type(f.activations);
      g != KernelType::kCount && !e->gemm_tflops[int(g)].empty() && !e->gemm_fixed_s[int(g)].empty()) {
    k.gemm = &e->gemm_tflops[int(g)];
    k.gemm_fixed = &e->gemm_fixed_s[int(g)];
  }
  if (const auto t = kernel_type(kv); t != KernelType::kCount && !e->decode_gbps[int(t)].empty() && !e->prefill_tflops.empty()) {
    k.decode = &e->decode_gbps[int(t)];
    k.prefill = &e->prefill_tflops;
  }
  return k;
}

}  // namespace

std::string evidence_note(const Prepared& p) {
  if (!p.k.e) return "";
  return fmt::format("kernel evidence {}: GEMMs {}, attention {}, all-reduce {}; router and the per-step and per-sequence overheads "
                     "from the stack's fitted values",
                     p.k.e->describe(), p.k.gemm ? "measured by tokens" : "roofline (no table for this format)",
                     p.k.decode ? "measured (decode by KV bytes, context by FLOPs)" : "roofline (no table for this KV type)",
                     p.k.e->allreduce_s.empty() ? "roofline" : "measured where the rank count was (other collectives: link bandwidth + the measured one-shot latency)");
}

Prepared prepare(const ChipSpec& chip, const ModelSpec& model, Format f, DType kv, const KernelEvidence* kernels, double gemm_fraction) {
  Prepared p;
  p.m = model_constants(model);
  p.format = f;
  p.kv = kv;
  p.chip_id = chip.id;
  p.stack = chip.stack;
  p.wbytes = dtype_bytes(f.weights);
  p.abytes = 2.0;  // activations between operators stay 16-bit
  p.kvbytes = dtype_bytes(kv);
  p.dispatch_bytes = (f.activations == DType::kFp8 || f.activations == DType::kFp4 || f.activations == DType::kInt8) ? 1.0 : 2.0;
  if (!chip.eta_compute) throw InsufficientData(eta_path(chip, "eta_compute"));
  if (!chip.eta_memory) throw InsufficientData(eta_path(chip, "eta_memory"));
  const double ec = *chip.eta_compute;
  const double em = *chip.eta_memory;
  // The caller's GEMM evidence, else the serving chip's (perf::serving_chip), else eta_compute.
  const double gf = gemm_fraction > 0 ? gemm_fraction : chip.gemm_fraction;
  p.c.peak_gemm = peak_for(chip, f.activations) * (gf > 0 ? gf : ec);
  p.c.peak_attn = peak_for(chip, DType::kBf16) * ec;
  p.c.bw = chip.need_bandwidth().value() * em;
  p.c.capacity = chip.need_capacity().value();
  p.c.has_eta_comm = chip.eta_comm.has_value();
  const double eco = chip.eta_comm.value_or(0.0);
  p.c.scaleup = chip.scaleup_bandwidth ? chip.scaleup_bandwidth->value() * eco : 0.0;
  p.c.scaleout = chip.scaleout_bandwidth ? chip.scaleout_bandwidth->value() * eco : 0.0;
  p.c.domain = chip.scaleup_domain.value_or(0);
  p.c.launch = chip.launch_overhead.value();
  p.c.ttft_overhead = chip.ttft_overhead.value();
  p.c.comm_latency = chip.comm_latency.value();
  p.c.seq_overhead = chip.seq_overhead.value();
  p.k = kernel_constants(chip, f, kv, kernels);
  // With measured collectives, the fixed time of one collective is the measured one-shot
  // latency (the smallest message of the widest all-reduce measured), not a fitted value.
  if (kernels && !kernels->allreduce_s.empty()) p.c.comm_latency = kernels->allreduce_s.back().second.ys().front();
  return p;
}

}  // namespace gpugap::perf::detail
