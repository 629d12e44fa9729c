// evaluate(): one deployment checked, its format resolved, the roofline run and
// the outcome rendered as a PerfResult.
#include <fmt/format.h>

#include "core/status.hpp"
#include "perf/engine.hpp"

namespace gpugap::perf {

std::string check_deployment(const ModelSpec& m, const Deployment& d) {
  auto pos = [](int v) { return v >= 1; };
  if (!pos(d.tp) || !pos(d.pp) || !pos(d.dp) || !pos(d.attention_dp) || !pos(d.ep) || d.moe_tp < 0 || d.batch < 0)
    return "parallel sizes must be >= 1 (batch >= 0)";
  if (m.heads % d.tp != 0) return fmt::format("tp {} must divide the {} attention heads of {}", d.tp, m.heads, m.id);
  if (d.pp > m.layers) return fmt::format("pp {} exceeds the {} layers of {}", d.pp, m.layers, m.id);
  if (m.ffn == FfnKind::kMoe) {
    if (d.ep > m.experts) return fmt::format("ep {} exceeds the {} experts of {}", d.ep, m.experts, m.id);
    if (d.width() % d.ep != 0) return fmt::format("ep {} must divide tp x attention_dp = {}", d.ep, d.width());
    if (d.moe_tp > 0 && d.moe_tp * d.ep != d.width())
      return fmt::format("moe_tp x ep ({} x {}) must equal tp x attention_dp ({})", d.moe_tp, d.ep, d.width());
  } else if (d.ep > 1) {
    return fmt::format("ep {} given for the dense model {}", d.ep, m.id);
  }
  if (d.mtp < 0 || d.mtp > 8) return "mtp draft tokens must be in 0..8";
  if (d.mtp_acceptance < 0 || d.mtp_acceptance > 1) return "mtp acceptance must be in 0..1";
  if (d.mtp_acceptance_later > 1) return "mtp acceptance of later drafts must be in 0..1";
  if (d.prefix_hit < 0 || d.prefix_hit >= 1) return "prefix hit rate must be in [0, 1)";
  if (d.prefill_decode_ratio < 0) return "prefill:decode ratio must be >= 0";
  if (d.concurrency < 0) return "concurrency must be >= 0";
  if (d.burst < 0 || d.burst > 1) return "burst share must be in 0..1";
  if (d.prefill_tp < 0 || d.prefill_ep < 0 || d.prefill_attention_dp < 0) return "prefill parallel sizes must be >= 0";
  if (d.prefill_tp > 0 && m.heads % d.prefill_tp != 0)
    return fmt::format("prefill tp {} must divide the {} attention heads", d.prefill_tp, m.heads);
  if (d.prefill_ep > 0) {
    // A stated prefill EP is built as stated: it must divide the prefill pool's TP x attention DP.
    const int width = (d.prefill_tp > 0 ? d.prefill_tp : d.tp) *
                      (d.prefill_attention_dp > 0 ? d.prefill_attention_dp : d.attention_dp);
    if (m.ffn != FfnKind::kMoe && d.prefill_ep > 1)
      return fmt::format("prefill ep {} given for the dense model {}", d.prefill_ep, m.id);
    if (m.ffn == FfnKind::kMoe && d.prefill_ep > m.experts)
      return fmt::format("prefill ep {} exceeds the {} experts of {}", d.prefill_ep, m.experts, m.id);
    if (width % d.prefill_ep != 0)
      return fmt::format("prefill ep {} must divide prefill tp x attention_dp = {}", d.prefill_ep, width);
  }
  return "";
}

namespace {

std::vector<OpCost> to_breakdown(const detail::Breakdown& b, Phase phase) {
  std::vector<OpCost> out;
  for (int i = 0; i < detail::kOps; ++i) {
    const auto& a = b[i];
    if (a.time <= 0) continue;
    OpCost c;
    c.name = detail::op_name(static_cast<detail::Op>(i));
    c.phase = phase;
    c.flops = a.flops;
    c.bytes = a.bytes;
    c.comm_bytes = a.comm;
    c.time_s = a.time;
    const auto op = static_cast<detail::Op>(i);
    if (op == detail::Op::kCommTp || op == detail::Op::kCommDense || op == detail::Op::kCommMoe || op == detail::Op::kCommPp)
      c.bound = Bottleneck::kComm;
    else if (op == detail::Op::kLaunch) c.bound = Bottleneck::kLaunch;
    else c.bound = a.t_compute >= a.t_memory ? Bottleneck::kCompute : Bottleneck::kMemory;
    out.push_back(c);
  }
  return out;
}

}  // namespace

PerfResult evaluate(const ChipSpec& chip, const ModelSpec& model, const Deployment& d_in, const Workload& w,
                    const EvalOptions& opt) {
  PerfResult r;
  if (auto err = check_deployment(model, d_in); !err.empty()) throw UserError(err);
  Deployment d = d_in;
  std::string note;
  d.format = resolve_format(chip, d.format, &note);
  if (!note.empty()) r.notes.push_back(note);
  std::string kv_note;
  d.kv = resolve_kv(chip, d.kv, &kv_note);
  if (!kv_note.empty()) r.notes.push_back(kv_note);
  if (d.mtp > 0 && d.mtp_acceptance <= 0)
    r.notes.push_back("MTP drafts with acceptance 0 cost time and add no tokens");
  try {
    const detail::Prepared p = detail::prepare(chip, model, d.format, d.kv, opt.kernels ? opt.kernels : chip.kernels.get(), opt.gemm_fraction);
    if (auto ev = detail::evidence_note(p); !ev.empty()) r.notes.push_back(ev);
    detail::Breakdown bd{}, bp{};
    const detail::Outcome o = detail::run(p, d, w, opt.breakdown ? &bd : nullptr, opt.breakdown ? &bp : nullptr);
    if (d.batch == 0) {
      d.batch = o.batch;
      r.notes.push_back(fmt::format("batch {}: the most sequences that fit in memory", o.batch));
    }
    r.deployment = d;
    r.feasible = o.feasible;
    r.memory_shortfall_bytes = o.shortfall;
    if (o.reason == detail::Infeasible::kMemory)
      r.infeasible_reason = fmt::format("does not fit in memory: needs {:.1f} GB per chip, {:.1f} GB usable (short by {:.1f} GB){}",
                                        o.mem_used / 1e9, o.mem_cap / 1e9, o.shortfall / 1e9,
                                        o.max_batch > 0 ? fmt::format("; at most batch {}", o.max_batch) : "; the weights alone do not fit");
    else if (o.reason == detail::Infeasible::kPrefillSaturated)
      r.infeasible_reason = "the prefill pool cannot keep up with the decode pool at this prefill:decode ratio";
    else if (o.reason == detail::Infeasible::kPrefillMemory)
      r.infeasible_reason = fmt::format("the prefill pool does not fit in memory (short by {:.1f} GB per chip)", o.shortfall / 1e9);
    r.ttft_s = o.ttft;
    r.tpot_s = o.tpot;
    r.tokens_per_s_per_user = o.tpot > 0 ? 1.0 / o.tpot : 0.0;
    r.output_tps_per_chip = o.out_tps_chip;
    r.input_tps_per_chip = o.in_tps_chip;
    r.prefill_tps_per_chip = o.pf_tps_chip;
    r.output_tps_per_decode_chip = d.chips() > 0 ? o.out_tps_chip * o.chips / d.chips() : 0.0;
    r.decode_step_s = o.step;
    r.tokens_per_step = o.tokens_per_step;
    r.batch = o.batch;
    r.max_batch = o.max_batch;
    r.chips = o.chips;
    r.memory_used_bytes = o.mem_used;
    r.memory_capacity_bytes = o.mem_cap;
    r.weight_bytes = o.w_bytes;
    r.kv_bytes = o.kv_bytes;
    r.prefill_bottleneck = o.prefill_bn;
    r.decode_bottleneck = o.feasible || o.reason != detail::Infeasible::kMemory ? o.decode_bn : Bottleneck::kCapacity;
    if (opt.breakdown) {
      r.breakdown = to_breakdown(bp, Phase::kPrefill);
      auto dec = to_breakdown(bd, Phase::kDecode);
      r.breakdown.insert(r.breakdown.end(), dec.begin(), dec.end());
    }
  } catch (const InsufficientData& e) {
    r.status = Missing(e).text();
    r.feasible = false;
    r.deployment = d;
  }
  return r;
}


}  // namespace gpugap::perf
