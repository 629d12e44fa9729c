// The per-operator roofline of one serving step and the serving modes built on
// it (run, max_batch). Equations and assumptions: docs/model-perf.md.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "perf/deployment.hpp"
#include "perf/engine.hpp"
#include "perf/step.hpp"

namespace gpugap::perf::detail {
namespace {

// One step of one pipeline stage on one device, in expected values.
struct StepIn {
  double seqs = 0;       // decode sequences per attention rank
  double q = 0;          // decode query tokens per rank (1 + drafts per sequence)
  double ctx = 0;        // mean KV length of a decoding sequence
  double pf = 0;         // prefill tokens per rank
  double pf_ctx = 0;     // mean attention context of a prefill token
  double pf_prefix = 0;  // cached prefix tokens whose KV the prefill reads
  double logits = 0;     // tokens that need the LM head, per rank
  double frac = 1;       // share of the layers in this stage
  int drafts = 0;        // MTP draft passes (each: one layer + LM head over seqs tokens)
};

struct StepOut {
  double t = 0, compute = 0, memory = 0, comm = 0, launch = 0;
  [[nodiscard]] Bottleneck bottleneck() const {
    Bottleneck b = Bottleneck::kCompute;
    double best = compute;
    if (memory > best) { best = memory; b = Bottleneck::kMemory; }
    if (comm > best) { best = comm; b = Bottleneck::kComm; }
    if (launch > best) b = Bottleneck::kLaunch;
    return b;
  }
};

// Ranks that the dense FFN layers, shared experts and LM head are split over: the
// whole width under attention-DP while it stays in one scale-up domain; beyond it
// they are replicated per TP group (SGLang `moe_dense_tp_size 1` in wide-EP recipes),
// which keeps their all-gathers off the NIC.
int dense_width(const Deployment& d, int domain) {
  const int w = d.width();
  return (domain <= 0 || w <= domain) ? w : d.tp;
}

class Stepper {
 public:
  Stepper(const Prepared& p, const Deployment& d, Breakdown* bd) : p_(p), m_(p.m), c_(p.c), d_(d), bd_(bd) {
    tp_ = d.tp;
    adp_ = d.attention_dp;
    w_ = d.width();
    ep_ = d.ep;
    mtp_ = d.moe_tp_size();
    dw_ = dense_width(d, c_.domain);
    dadp_ = dw_ / tp_;
    kv_local_ = m_.mla ? m_.kv_elems : m_.kv_elems * std::max(double(m_.kv_heads) / tp_, 1.0) / m_.kv_heads;
    kv_w_frac_ = m_.mla ? 0.0 : std::max(double(m_.kv_heads) / tp_, 1.0) / m_.kv_heads;
  }

  StepOut run(const StepIn& in) {
    StepOut o;
    // Two-micro-batch overlap (DeepEP two-batch overlap, CloudMatrix microbatch pipelining): the
    // batch runs as two halves, one communicating while the other computes. Each half reads the
    // weights again, so the step is 2 max(work(B/2), comm(B/2)), not max(work(B), comm(B)).
    const bool split = d_.overlap && in.q + in.pf >= 2.0;
    if (split) {
      StepIn h = in;
      h.seqs /= 2;
      h.q /= 2;
      h.pf /= 2;
      h.pf_prefix /= 2;
      h.logits /= 2;
      forward(o, h);
      forward(o, h);
    } else {
      forward(o, in);
    }
    // Fixed cost per forward step (host scheduling, sampling, graph launch), not per
    // layer: under CUDA graphs per-kernel launches are nearly free while the serving
    // loop's per-iteration work is not. A stage of a pipeline pays its share; each
    // MTP draft is one more sequential forward.
    // Host work per sequence of the rank's batch (scheduling, input preparation, sampling),
    // paid once per step by the rank's scheduler (each attention-DP rank runs its own).
    const double launch = c_.launch * (in.frac + in.drafts) + c_.seq_overhead * in.seqs * in.frac;
    o.launch += launch;
    add(Op::kLaunch, 0, 0, 0, launch, 0, 0);
    const double work = o.compute + o.memory;
    o.t = (split ? std::max(work, o.comm) : work + o.comm) + o.launch;
    return o;
  }

  // Weight of the following runs in the breakdown (the share of steps they stand for).
  void set_share(double share) { share_ = share; }

  // Pipeline send of one micro-batch's activations to the next stage.
  double p2p(double tokens) {
    if (d_.pp <= 1) return 0.0;
    const double vol = tokens * m_.hidden * p_.abytes;
    const double t = link(d_.chips(), vol, false) + c_.comm_latency;
    add(Op::kCommPp, 0, 0, vol, t, 0, 0);
    return t;
  }

 private:
  void add(Op op, double flops, double bytes, double comm, double t, double tc, double tm) {
    if (!bd_) return;
    auto& a = (*bd_)[static_cast<int>(op)];
    a.flops += share_ * flops;
    a.bytes += share_ * bytes;
    a.comm += share_ * comm;
    a.time += share_ * t;
    a.t_compute += share_ * tc;
    a.t_memory += share_ * tm;
  }

  // The operators of one forward pass (layers, LM head, MTP drafts) at load `in`.
  void forward(StepOut& o, const StepIn& in) {
    const double full = m_.full_layers * in.frac;
    const double slide = m_.sliding_layers * in.frac;
    const double dense = m_.dense_layers * in.frac;
    const double moe = m_.moe_layers * in.frac;
    const double tokens = in.q + in.pf;
    layers(o, in, tokens, full, slide, dense, moe, Op::kCount);
    // LM head: vocabulary split over the whole width (gathered logits tokens under attention-DP).
    const double lm = m_.lm_head / dw_;
    gemm(o, Op::kLmHead, 2.0 * in.logits * dadp_ * lm, lm * 2.0 + in.logits * m_.hidden * p_.abytes, in.logits * dadp_, 1, 1.0);
    // MTP drafts: one extra layer (MoE where the model is) and the LM head per draft.
    for (int i = 0; i < in.drafts; ++i) {
      StepIn di = in;
      di.q = in.seqs;
      di.pf = 0;
      di.pf_prefix = 0;
      const double n_moe = m_.moe ? 1.0 : 0.0;
      layers(o, di, in.seqs, m_.full_layers > 0 ? 1.0 : 0.0, m_.full_layers > 0 ? 0.0 : 1.0, 1.0 - n_moe, n_moe,
             Op::kMtpDraft);
      gemm(o, Op::kMtpDraft, 2.0 * in.seqs * dadp_ * lm, lm * 2.0, in.seqs * dadp_, 1, 1.0);
    }
  }

  // Roofline of one operator repeated `count` times.
  void roof(StepOut& o, Op op, double flops, double bytes, double peak, double count) {
    if (count <= 0) return;
    const double tc = flops / peak;
    const double tm = bytes / c_.bw;
    const double t = std::max(tc, tm) * count;
    (tc >= tm ? o.compute : o.memory) += t;
    add(op, flops * count, bytes * count, 0, t, tc >= tm ? t : 0, tc >= tm ? 0 : t);
  }

  // A GEMM operator (`calls` kernels per repetition) with M = `m` tokens per weight
  // matrix. With kernel evidence each call pays the fixed latency measured at M tokens
  // and its FLOPs at the rate measured at M (at most the chip's peak); else the roofline.
  void gemm(StepOut& o, Op op, double flops, double bytes, double m, int calls, double count) {
    const KernelC& k = p_.k;
    if (!k.gemm) return roof(o, op, flops, bytes, c_.peak_gemm, count);
    if (count <= 0 || flops <= 0) return;
    const double mm = std::max(m, 1.0);
    const double rate = std::min(k.gemm->at(mm) * 1e12, k.peak_gemm);
    const double t = (calls * k.gemm_fixed->at(mm) + flops / rate) * count;
    const bool compute = flops / k.peak_gemm >= bytes / k.bw;
    (compute ? o.compute : o.memory) += t;
    add(op, flops * count, bytes * count, 0, t, compute ? t : 0, compute ? 0 : t);
  }

  // Attention over the KV cache with kernel evidence: the decode part reads the cache at the
  // bandwidth measured for that many bytes per call (and computes at no more than the
  // context kernels' rate); the prefill part computes at the rate measured for its FLOPs.
  void attn_kernels(StepOut& o, Op op, double dec_flops, double dec_bytes, double pf_flops, double pf_bytes, double count) {
    const KernelC& k = p_.k;
    auto at = [](const Curve* c, double x, double unit, double cap) { return std::min(c->at(x) * unit, cap); };
    double td = 0, tp = 0;
    if (dec_bytes > 0)
      td = std::max(dec_bytes / at(k.decode, dec_bytes, 1e9, k.bw), dec_flops / at(k.prefill, dec_flops, 1e12, k.peak_attn));
    if (pf_flops > 0) tp = std::max(pf_flops / at(k.prefill, pf_flops, 1e12, k.peak_attn), pf_bytes / k.bw);
    o.memory += td * count;
    o.compute += tp * count;
    add(op, (dec_flops + pf_flops) * count, (dec_bytes + pf_bytes) * count, 0, (td + tp) * count, tp * count, td * count);
  }

  // Time to send `vol` bytes per device within a group of n devices.
  double link(int n, double vol, bool ring) {
    if (n <= 1 || vol <= 0) return 0.0;
    if (!c_.has_eta_comm) throw InsufficientData(p_.stack.empty() ? "chips." + p_.chip_id + ".software.eta_comm" : "stacks." + p_.stack + ".eta_comm");
    if (c_.domain <= 0) throw InsufficientData("chips." + p_.chip_id + ".scaleup.domain_size");
    if (c_.scaleup <= 0) throw InsufficientData("chips." + p_.chip_id + ".scaleup.bandwidth");
    if (n <= c_.domain) return vol / c_.scaleup;
    if (c_.scaleout <= 0) throw InsufficientData("chips." + p_.chip_id + ".scaleout.bandwidth");
    if (ring) return vol / std::min(c_.scaleup, c_.scaleout);
    // All-to-all: the share of peers outside the domain goes over the NIC.
    const double out = double(n - c_.domain) / (n - 1);
    return std::max(vol * (1 - out) / c_.scaleup, vol * out / c_.scaleout);
  }

  // All-to-all of `tokens` tokens each sent to `dests` of n devices. Inside a
  // scale-up domain everything rides the links; across domains a token
  // crosses the NIC once per remote domain it touches (per-domain dedup, as
  // DeepEP does), then fans out over the scale-up links.
  double alltoall(int n, double tokens, double dests, double per_token) {
    if (n <= 1 || tokens <= 0) return 0.0;
    const double local = tokens * dests * double(n - 1) / n * per_token;
    if (c_.domain <= 0 || n <= c_.domain) return link(n, local, false);
    if (c_.scaleout <= 0) throw InsufficientData("chips." + p_.chip_id + ".scaleout.bandwidth");
    (void)link(2, 1.0, false);  // the same checks as any collective
    const double groups = double(n) / c_.domain;
    const double touched = groups * (1.0 - std::pow(1.0 - 1.0 / groups, dests));  // distinct domains
    const double remote = touched * (groups - 1.0) / groups;
    const double nic = tokens * remote * per_token;
    const double up = tokens * std::min<double>(dests, c_.domain - 1) * per_token;
    return std::max(nic / c_.scaleout, up / c_.scaleup);
  }

  double allreduce(int n, double size, Op op, StepOut& o, double count) {
    if (n <= 1 || count <= 0) return 0.0;
    const double vol = 2.0 * (n - 1) / n * size;
    // Measured all-reduce of this many ranks inside the scale-up domain: its latency by message size.
    const Curve* measured = p_.k.e && (c_.domain <= 0 || n <= c_.domain) ? p_.k.e->allreduce(n) : nullptr;
    const double t = (measured ? measured->at(std::max(size, 1.0)) : link(n, vol, true) + c_.comm_latency) * count;
    o.comm += t;
    add(op, 0, 0, vol * count, t, 0, 0);
    return t;
  }

  void layers(StepOut& o, const StepIn& in, double tokens, double full, double slide, double dense, double moe, Op force) {
    auto op = [&](Op x) { return force == Op::kCount ? x : force; };
    const double all = full + slide;
    if (all <= 0 && dense + moe <= 0) return;
    // Attention projections.
    const double wa = m_.attn_split / tp_ + m_.attn_kv_split * kv_w_frac_ + m_.attn_repl;
    gemm(o, op(Op::kAttnProj), 2.0 * tokens * wa, wa * p_.wbytes + tokens * m_.hidden * p_.abytes * 2.0, tokens, m_.mla ? 4 : 2, all);
    // Attention over the KV cache: decode reads each sequence's cache once for all its query tokens.
    auto core = [&](double ctx, double pf_ctx, double count) {
      if (count <= 0) return;
      double flops = (in.q * ctx * m_.core_decode + in.pf * pf_ctx * m_.core_prefill) / tp_;
      if (m_.mla) flops += 2.0 * in.pf_prefix * m_.mla_kv_up / tp_;
      const double bytes = (in.seqs * ctx + in.pf + in.pf_prefix) * kv_local_ * p_.kvbytes;
      if (p_.k.decode)
        return attn_kernels(o, op(Op::kAttnCore), in.q * ctx * m_.core_decode / tp_, in.seqs * ctx * kv_local_ * p_.kvbytes,
                            flops - in.q * ctx * m_.core_decode / tp_, (in.pf + in.pf_prefix) * kv_local_ * p_.kvbytes, count);
      roof(o, op(Op::kAttnCore), flops, bytes, c_.peak_attn, count);
    };
    core(in.ctx, in.pf_ctx, full);
    if (slide > 0) core(std::min(in.ctx, double(m_.window)), std::min(in.pf_ctx, double(m_.window)), slide);
    const double act = tokens * m_.hidden * p_.abytes;
    allreduce(tp_, act, op(Op::kCommTp), o, all);
    // Dense FFN layers: split over the whole width (under attention-DP the ranks
    // gather their tokens for it, as SGLang and TensorRT-LLM do).
    if (dense > 0) {
      const double wf = m_.dense_ffn / dw_;
      gemm(o, op(Op::kDenseFfn), 2.0 * tokens * dadp_ * wf, wf * p_.wbytes + act * 2.0, tokens * dadp_, 2, dense);
      // Under attention DP this is a gather/scatter of the ranks' tokens, not a TP all-reduce.
      allreduce(dw_, act * dadp_, op(dadp_ > 1 ? Op::kCommDense : Op::kCommTp), o, dense);
    }
    if (moe > 0) {
      roof(o, op(Op::kRouter), 2.0 * tokens * m_.router, m_.router * p_.abytes + act, c_.peak_attn, moe);
      // Tokens entering the MoE group: replicated across TP ranks, distinct across attention-DP ranks.
      const double group = tokens * adp_;
      const double e = m_.experts;
      const double k = m_.top_k;
      const double touched = e * (1.0 - std::pow(1.0 - k / e, group));
      // The step waits for the busiest EP rank: its routed tokens are the mean times the imbalance.
      const double hot = std::max(1.0, d_.expert_imbalance);
      const double bytes = touched / ep_ * m_.expert / mtp_ * p_.wbytes + hot * group * k / w_ * m_.hidden * p_.abytes * 2.0;
      // Grouped GEMM: each touched expert multiplies its share of the routed tokens.
      gemm(o, op(Op::kMoeExperts), hot * 2.0 * group * k * m_.expert / (ep_ * mtp_), bytes,
           hot * group * k / std::max(touched, 1.0), 2, moe);
      if (m_.shared > 0) {
        const double ws = m_.shared / dw_;
        gemm(o, op(Op::kSharedExperts), 2.0 * tokens * dadp_ * ws, ws * p_.wbytes + act * 2.0, tokens * dadp_, 2, moe);
      }
      if (w_ > 1) {
        if (adp_ == 1) {
          allreduce(w_, act, op(Op::kCommMoe), o, moe);
        } else {
          // All-to-all dispatch (8-bit where the GEMM is) and combine (16-bit).
          const double dests = std::min<double>(w_, std::min<double>(k, ep_) * mtp_);
          const double per_token = m_.hidden * (p_.dispatch_bytes + p_.abytes);
          const double vol = tokens * dests * double(w_ - 1) / w_ * per_token;
          // The busiest rank receives (and returns) the imbalance times the mean share of tokens.
          const double t = (hot * alltoall(w_, tokens, dests, per_token) + 2.0 * c_.comm_latency) * moe;
          o.comm += t;
          add(op(Op::kCommMoe), 0, 0, vol * moe, t, 0, 0);
        }
      }
    }
  }

  const Prepared& p_;
  const ModelC& m_;
  const ChipC& c_;
  const Deployment& d_;
  Breakdown* bd_;
  int tp_ = 1, adp_ = 1, w_ = 1, ep_ = 1, mtp_ = 1;
  int dw_ = 1, dadp_ = 1;  // ranks the dense layers and LM head are split over; attention-DP ranks among them
  double kv_local_ = 0, kv_w_frac_ = 0;
  double share_ = 1.0;
};

struct Memory {
  double weights = 0, workspace = 0, kv_per_seq = 0;  // per device; kv per sequence of an attention rank
};

Memory memory(const Prepared& p, const Deployment& d, double ctx) {
  const ModelC& m = p.m;
  const int tp = d.tp;
  const double kv_w_frac = m.mla ? 0.0 : std::max(double(m.kv_heads) / tp, 1.0) / m.kv_heads;
  const double attn = m.attn_split / tp + m.attn_kv_split * kv_w_frac + m.attn_repl;
  const int w = dense_width(d, p.c.domain);
  const double moe_layer = m.moe ? m.experts * m.expert / d.width() + m.shared / w + m.router : 0.0;
  const double frac = 1.0 / d.pp;
  double gemm = (attn * m.layers + m.dense_ffn / w * m.dense_layers + moe_layer * m.moe_layers) * frac;
  if (d.mtp > 0 && m.has_mtp_layers) gemm += attn + (m.moe ? moe_layer : m.dense_ffn / w);
  const double emb = (d.pp == 1 ? m.embed + m.lm_head : std::max(m.embed, m.lm_head)) / w * 2.0;
  Memory r;
  r.weights = gemm * p.wbytes + emb;
  const int chunk = d.prefill_tokens > 0 ? d.prefill_tokens : kPrefillChunkTokens;
  r.workspace = double(chunk) * 8.0 * m.hidden * p.abytes;
  const double kv_local = m.mla ? m.kv_elems : m.kv_elems * std::max(double(m.kv_heads) / tp, 1.0) / m.kv_heads;
  const double toks = m.full_layers * ctx + m.sliding_layers * std::min(ctx, double(m.window > 0 ? m.window : ctx));
  r.kv_per_seq = toks * frac * kv_local * p.kvbytes;
  return r;
}

double mean_ctx(const Workload& w) { return w.isl + std::max(w.osl, 1) / 2.0; }

// Load effects on TTFT: a simultaneous wave queues for prefill (mean wait of
// half the wave), clients beyond the running batch wait for a slot (closed
// loop, Little's law), and the stack's fixed overhead.
void finish_ttft(Outcome& r, const Deployment& d, double isl_c, double osl, double prefill_tokens_per_s, double overhead,
                 bool queue, double chunk) {
  const double batch = std::max(r.batch, 1);
  if (d.burst > 0 && prefill_tokens_per_s > 0) {
    // A wave of B requests is prefilled in steps of `chunk` tokens holding g requests
    // each; a request's first token comes when its step ends, so the mean request
    // waits (n + 1) / 2 steps of min(g, B) requests (n = ceil(B / g)), less its own prefill.
    const double g = std::max(1.0, std::floor(chunk / isl_c));
    const double n = std::ceil(batch / g);
    const double finish = (n + 1.0) / 2.0 * std::min(g, batch) * isl_c / prefill_tokens_per_s;
    r.ttft += d.burst * std::max(0.0, finish - isl_c / prefill_tokens_per_s);
  }
  if (queue && d.concurrency > r.batch) {
    const double service = r.ttft + osl * r.tpot;  // time a request holds its slot
    r.ttft += (d.concurrency - batch) / batch * service;
  }
  r.ttft += overhead;
}

// Usable bytes per device: a share of the total, or (TensorRT-LLM) weights and workspace
// plus a share of what they leave.
double usable_bytes(const Prepared& p, const Deployment& d, const Memory& mem) {
  if (d.kv_free_fraction > 0) {
    const double fixed = mem.weights + mem.workspace;
    return fixed + (p.c.capacity - fixed) * d.kv_free_fraction;
  }
  return p.c.capacity * d.usable_fraction();
}

}  // namespace

int max_batch(const Prepared& p, const Deployment& d, const Workload& w) {
  const Memory mem = memory(p, d, mean_ctx(w));
  const double free = usable_bytes(p, d, mem) - mem.weights - mem.workspace;
  if (free <= 0 || mem.kv_per_seq <= 0) return 0;
  const double per_rank = std::floor(free / mem.kv_per_seq);
  return static_cast<int>(std::min(per_rank * d.attention_dp, 1e8));
}

namespace {

// What both serving modes of one evaluation share.
struct RunIn {
  RunIn(const Prepared& prepared, const Deployment& deployment) : p(prepared), d(deployment) {}
  const Prepared& p;
  const Deployment& d;
  double isl = 0, osl = 0, isl_c = 0, pf_ctx = 0, tps = 1;
  int chunk = 0;
  StepIn dec;  // the decode step
};

// Prefill-only step on a deployment's own parallelism (throughput of a prefill chip, bottleneck).
double prefill_step(const RunIn& in, const Deployment& pd, Breakdown* bd, double tokens_per_rank, StepOut* out) {
  Stepper s(in.p, pd, bd);
  StepIn st;
  st.pf = tokens_per_rank;
  st.pf_ctx = in.pf_ctx;
  st.pf_prefix = tokens_per_rank / in.isl_c * (in.isl - in.isl_c);
  st.logits = tokens_per_rank / in.isl_c;
  st.frac = 1.0;
  StepOut o = s.run(st);
  if (out) *out = o;
  return o.t;
}

// Aggregated serving. Steady state of continuous batching with chunked prefill: requests
// replacing the finishing ones join at `join` per step (per attention rank and micro-batch),
// and each one's prefill is split into n_chunks equal pieces, one per step. A share `f`
// of the steps carries a prefill piece; the rest are pure decode steps. The mean
// step is the average of the two step times, not the time of an averaged step:
// weight reads are shared within a step (and an MoE step touches more experts as
// tokens grow), while prefill compute is paid in full whenever it runs. When
// prefills overlap (f = 1) every step carries the average prefill load.
void run_agg(const RunIn& in, Outcome& r, Breakdown* bd_dec, Breakdown* bd_pf) {
  const Prepared& p = in.p;
  const Deployment& d = in.d;
  const StepIn& dec = in.dec;
  const double isl = in.isl, osl = in.osl, isl_c = in.isl_c, tps = in.tps;
  const int chunk = in.chunk;
  const int adp = d.attention_dp;
  const int pp = d.pp;
  Stepper s(p, d, bd_dec);
  const double n_chunks = std::ceil(isl_c / chunk);
  const double join = double(r.batch) * tps / osl / (adp * pp);
  const double f = std::min(1.0, join * n_chunks);
  StepIn mix = dec;
  mix.pf = join * isl_c / f;
  mix.pf_ctx = in.pf_ctx;
  mix.pf_prefix = mix.pf / isl_c * (isl - isl_c);
  mix.logits = dec.q + mix.pf / isl_c;
  s.set_share(f);
  const StepOut om = s.run(mix);
  const double mix_round = pp * (om.t + s.p2p(dec.q + mix.pf));
  StepOut o = om;
  double round = mix_round;
  if (f < 1.0) {
    s.set_share(1.0 - f);
    const StepOut od = s.run(dec);
    const double dec_round = pp * (od.t + s.p2p(dec.q));
    round = f * mix_round + (1.0 - f) * dec_round;
    o.compute = f * om.compute + (1.0 - f) * od.compute;
    o.memory = f * om.memory + (1.0 - f) * od.memory;
    o.comm = f * om.comm + (1.0 - f) * od.comm;
    o.launch = f * om.launch + (1.0 - f) * od.launch;
  }
  r.step = round;
  r.tpot = round / tps;
  r.decode_bn = o.bottleneck();
  const double out_inst = r.batch * tps / round;
  r.out_tps_chip = out_inst / r.chips;
  r.in_tps_chip = r.out_tps_chip * isl / osl;
  // TTFT: the request's own prefill rides in n_chunks steps of that mix, plus half a step of waiting.
  r.ttft = n_chunks * mix_round + 0.5 * round;
  StepOut po;
  const double t_pf = prefill_step(in, d, bd_pf, double(chunk), &po);
  r.pf_tps_chip = double(chunk) * adp / t_pf / d.width();
  r.prefill_bn = po.bottleneck();
  finish_ttft(r, d, isl_c, osl, r.pf_tps_chip * d.width(), p.c.ttft_overhead, true, double(chunk) * adp);
}

// Disaggregated serving: a decode pool, a prefill pool (pp = 1) sized to it, the KV
// cache handed over between them.
void run_disagg(const RunIn& in, Outcome& r, Breakdown* bd_dec, Breakdown* bd_pf) {
  const Prepared& p = in.p;
  const Deployment& d = in.d;
  const StepIn& dec = in.dec;
  const double isl = in.isl, osl = in.osl, isl_c = in.isl_c, tps = in.tps;
  const int chunk = in.chunk;
  const int pp = d.pp;
  // Decode pool.
  Stepper s(p, d, bd_dec);
  const StepOut o = s.run(dec);
  const double round = pp * (o.t + s.p2p(dec.q));
  r.step = round;
  r.tpot = round / tps;
  r.decode_bn = o.bottleneck();
  const double out_dec_chip = r.batch * tps / round / d.chips();
  // Prefill pool (pp = 1).
  const Deployment pd = prefill_deployment(d);
  const Memory pmem = memory(p, pd, isl);
  const double pf_used = pmem.weights + pmem.workspace + pmem.kv_per_seq * std::max(1.0, double(chunk) / isl);
  if (pf_used > r.mem_cap && r.feasible) {
    r.feasible = false;
    r.reason = Infeasible::kPrefillMemory;
    r.shortfall = pf_used - r.mem_cap;
  }
  const double tokens = std::max(double(chunk), 1.0);
  StepOut po;
  const double t_pf = prefill_step(in, pd, bd_pf, tokens, &po);
  r.prefill_bn = po.bottleneck();
  r.pf_tps_chip = tokens * pd.attention_dp / t_pf / pd.width();
  const double need = out_dec_chip / osl * isl_c / r.pf_tps_chip;  // prefill chips per decode chip
  const double ratio = d.prefill_decode_ratio > 0 ? d.prefill_decode_ratio : need / kPrefillPoolLoad;
  double rho = need / ratio;
  double out_chip_dec = out_dec_chip;
  const bool saturated = rho >= 1.0;
  if (saturated) {
    // The prefill pool cannot keep up: decode is starved to its rate.
    out_chip_dec /= rho;
    rho = 0.999;
  }
  // KV cache handed from the prefill to the decode pool over the NIC (scale-up link when none).
  const double xfer = kv_transfer_s(p, isl);
  // A request waits for the batch it joins (half a step), then runs its own chunks.
  const double own = std::ceil(isl_c / tokens) * t_pf + 0.5 * t_pf + xfer;
  bool queued = false;
  if (saturated && d.concurrency > 0) {
    // Closed loop: throughput is the prefill pool's; requests wait in its queue (Little's law).
    const double lambda = out_chip_dec * d.chips() / osl;  // requests/s per decode instance
    r.ttft = std::max(own, d.concurrency / lambda - osl * r.tpot);
    queued = true;
  } else {
    if (saturated && r.feasible) {
      r.feasible = false;
      r.reason = Infeasible::kPrefillSaturated;
    }
    r.ttft = own + rho / (2.0 * (1.0 - rho)) * t_pf;  // M/D/1 wait
  }
  r.out_tps_chip = out_chip_dec / (1.0 + ratio);
  r.in_tps_chip = r.out_tps_chip * isl / osl;
  r.chips = static_cast<int>(std::lround(d.chips() * (1.0 + ratio)));
  finish_ttft(r, d, isl_c, osl, r.pf_tps_chip * ratio * d.chips(), p.c.ttft_overhead, !queued, tokens * pd.attention_dp);
}

}  // namespace

Outcome run(const Prepared& p, const Deployment& d, const Workload& w, Breakdown* bd_dec, Breakdown* bd_pf) {
  Outcome r;
  RunIn in(p, d);
  in.isl = std::max(w.isl, 1);
  in.osl = std::max(w.osl, 1);
  const double hit = std::clamp(d.prefix_hit, 0.0, 0.999);
  in.isl_c = std::max(1.0, in.isl * (1.0 - hit));  // prefill tokens actually computed
  in.pf_ctx = in.isl * hit + in.isl_c / 2.0;
  const double ctx = mean_ctx(w);
  const double tps = expected_tokens_per_step(d);
  in.tps = tps;
  r.tokens_per_step = tps;
  in.chunk = d.prefill_tokens > 0 ? d.prefill_tokens : kPrefillChunkTokens;

  // Memory of the decode (or aggregated) instance.
  const Memory mem = memory(p, d, ctx);
  r.max_batch = max_batch(p, d, w);
  r.batch = d.batch > 0 ? d.batch : std::max(r.max_batch, 1);
  const int adp = d.attention_dp;
  const int pp = d.pp;
  r.w_bytes = mem.weights;
  r.kv_bytes = mem.kv_per_seq * (double(r.batch) / adp);
  r.mem_used = mem.weights + mem.workspace + r.kv_bytes;
  r.mem_cap = usable_bytes(p, d, mem);
  r.feasible = r.mem_used <= r.mem_cap;
  if (!r.feasible) {
    r.reason = Infeasible::kMemory;
    r.shortfall = r.mem_used - r.mem_cap;
  }
  r.chips = d.chips();

  const double seqs = double(r.batch) / (adp * pp);  // per attention rank per micro-batch
  StepIn& dec = in.dec;
  dec.seqs = seqs;
  dec.q = seqs * (1 + d.mtp);
  dec.ctx = ctx;
  dec.frac = 1.0 / pp;
  dec.drafts = d.mtp;
  dec.logits = dec.q;
  if (d.mode == ServeMode::kAgg) run_agg(in, r, bd_dec, bd_pf);
  else run_disagg(in, r, bd_dec, bd_pf);
  return r;
}

double instance_step(const Prepared& p, const Deployment& d, const StepLoad& l) {
  const int pp = d.pp;
  const double per = 1.0 / (double(d.attention_dp) * pp);  // per attention rank and micro-batch
  StepIn in;
  in.seqs = l.decode_seqs * per;
  in.drafts = l.decode_seqs > 0 ? d.mtp : 0;
  in.q = in.seqs * (1 + in.drafts);
  in.ctx = l.decode_seqs > 0 ? l.decode_ctx_sum / l.decode_seqs : 0.0;
  in.pf = l.prefill_tokens * per;
  in.pf_ctx = l.prefill_tokens > 0 ? l.prefill_ctx_sum / l.prefill_tokens : 0.0;
  in.pf_prefix = l.prefill_prefix * per;
  in.logits = in.q + l.prefill_done * per;
  in.frac = 1.0 / pp;
  Stepper s(p, d, nullptr);
  const StepOut o = s.run(in);
  return pp * (o.t + s.p2p(in.q + in.pf));
}

double instance_kv_tokens(const Prepared& p, const Deployment& d) {
  const Memory one = memory(p, d, 1.0);  // KV of one token per device (sliding layers counted in full)
  const double free = usable_bytes(p, d, one) - one.weights - one.workspace;
  if (free <= 0 || one.kv_per_seq <= 0) return 0.0;
  return std::floor(free / one.kv_per_seq) * d.attention_dp;
}

double kv_transfer_s(const Prepared& p, double tokens) {
  const double bytes = tokens * p.m.kv_elems * p.m.layers * p.kvbytes;
  const double bw = p.c.scaleout > 0 ? p.c.scaleout : p.c.scaleup;
  return bw > 0 ? bytes / bw : 0.0;
}

}  // namespace gpugap::perf::detail
