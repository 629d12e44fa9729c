// How a measured row becomes a deployment: its stated layout read (with the
// export conventions that disguise it), or, where none is stated, the default
// rules of perf/deployment. Documented in docs/model-perf.md ("Validation rows").
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "perf/deployment.hpp"
#include "perf/engine.hpp"
#include "perf/validation_detail.hpp"

namespace gpugap::perf::detail {
namespace {

// The parallel sizes of one pool (0: not stated).
struct Pool {
  int tp = 0, adp = 0, ep = 0, moe_tp = 0;
};

int pow2_floor(int v) {
  int p = 1;
  while (p * 2 <= v) p *= 2;
  return p;
}

// A pool's layout as stated; nullopt when nothing is stated.
std::optional<Pool> stated_layout(const ChipSpec& chip, const ModelSpec& model, Pool s, std::vector<std::string>& method) {
  int tp = s.tp, adp = s.adp, ep = s.ep, moe_tp = s.moe_tp;
  if (tp <= 0 && adp <= 0 && ep <= 0 && moe_tp <= 0) return std::nullopt;
  const bool moe = model.ffn == FfnKind::kMoe;
  const int domain = chip.scaleup_domain.value_or(0);
  const int width0 = std::max(tp, 1) * std::max(adp, 1);
  if (moe && moe_tp > 1 && ep > 1 && moe_tp * ep == width0 && domain > 0 && width0 > domain && moe_tp <= domain &&
      (tp <= 1 || adp <= 1)) {
    // Exported with EP folded into the attention size (tp_size = TP x EP, moe_tp_size = TP): the same
    // measurements appear under the plain layout, e.g. (64, 1, 8, 8) and (8, 1, 1, 8) on an 8-GPU box.
    method.push_back(fmt::format("layout read as {} {} x EP {} (exported as tp {} adp {} moe_tp {} ep {})",
                                 tp > 1 ? "TP" : "DP-attention", moe_tp, ep, tp, adp, moe_tp, ep));
    if (tp > 1) tp = moe_tp;
    else adp = moe_tp;
    moe_tp = 1;
  } else if (tp > 1 && model.heads % tp != 0) {
    // tp_size is the world size of a DP-attention deployment (no TP can split the heads so).
    const int w = tp * std::max(adp, 1);
    const bool ep_stated = ep > 1 && moe_tp * ep == w;
    method.push_back(fmt::format("tp_size {} read as the world size: DP-attention {}{}", tp, w,
                                 moe && !ep_stated ? fmt::format(" x EP {}", default_ep(model, w)) : ""));
    tp = 1;
    adp = w;
    if (moe && !ep_stated) {
      ep = default_ep(model, w);
      moe_tp = 0;
    }
  }
  Pool o;
  o.tp = std::max(tp, 1);
  o.adp = adp > 0 ? adp : std::max(1, std::max(ep, moe_tp > 0 && ep > 0 ? ep * moe_tp : 0) / o.tp);
  const int width = o.tp * o.adp;
  if (moe) {
    // Unstated EP: over the whole width under attention DP (default_ep), else none (TP-only MoE).
    if (ep > 0) o.ep = ep;
    else if (moe_tp > 0) o.ep = std::max(1, width / moe_tp);
    else o.ep = o.adp > 1 ? default_ep(model, width) : 1;
    o.ep = std::min(o.ep, model.experts);
    o.moe_tp = (width % o.ep == 0) ? width / o.ep : 0;
    if (o.moe_tp == 0) {
      o.ep = 1;
      o.moe_tp = width;
    }
  } else {
    o.ep = 1;
    o.moe_tp = 0;
  }
  return o;
}

// No layout stated: for an MoE model, DP attention + expert parallelism over the stated
// chips (the max-throughput recipes of SGLang/TRT-LLM); for a dense model the smallest
// power-of-two TP at which 16 sequences fit, replicas filling the chips.
void unstated_layout(const ChipSpec& chip, const ModelSpec& model, const Workload& w, int chips, Deployment& d,
                     std::vector<std::string>& method) {
  if (model.ffn == FfnKind::kMoe) {
    const int width = std::max(1, chips);
    d.tp = 1;
    d.attention_dp = width;
    d.ep = default_ep(model, width);
    d.moe_tp = width / d.ep;
    method.push_back(fmt::format("layout not stated: DP-attention {} x EP {}", width, d.ep));
    return;
  }
  constexpr int kMinFittingBatch = 16;
  const auto p = prepare(chip, model, d.format, d.kv);
  const int cap = std::max(1, chips > 0 ? pow2_floor(chips) : 8);
  d.tp = smallest_tp(model, cap, [&](int tp) {
    Deployment t = d;
    t.tp = tp;
    return max_batch(p, t, w) >= kMinFittingBatch;
  });
  method.push_back(fmt::format("layout not stated: TP {} (smallest that fits)", d.tp));
}

void set_pool(Deployment& d, const Pool& p) {
  d.tp = p.tp;
  d.attention_dp = p.adp;
  d.ep = p.ep;
  d.moe_tp = p.moe_tp;
}

}  // namespace

std::string row_layout(const ChipSpec& chip, const ModelSpec& model, const Measurement& m, PreparedRow& pr,
                       std::vector<std::string>& method) {
  Deployment& d = pr.d;
  const int n_chips = m.n_chips.value_or(0);
  const int isl = pr.w.isl;
  try {
    if (m.mode == "disagg") {
      d.mode = ServeMode::kDisagg;
      if (auto dec = stated_layout(chip, model, {m.d_tp, m.d_adp, m.d_ep, m.d_moe_tp}, method)) set_pool(d, *dec);
      else unstated_layout(chip, model, pr.w, n_chips > 0 ? n_chips / 2 : 8, d, method);
      if (auto pf = stated_layout(chip, model, {m.p_tp, m.p_adp, m.p_ep, m.p_moe_tp}, method)) {
        d.prefill_tp = pf->tp;
        d.prefill_attention_dp = pf->adp;
        d.prefill_ep = pf->ep;
        if (m.p_workers > 0 && m.d_workers > 0)
          d.prefill_decode_ratio = double(m.p_workers * pf->tp * pf->adp) / double(m.d_workers * d.width());
      }
      if (m.p_batch > 0) d.prefill_tokens = m.p_batch * isl;
      if (m.d_batch > 0) pr.concurrency_batch = m.d_batch * std::max(1, d.attention_dp);
      else if (m.concurrency && m.d_workers > 0) pr.concurrency_batch = static_cast<int>(std::lround(*m.concurrency / m.d_workers));
      else if (m.concurrency && m.schema == "aic")
        // The concurrency is the whole system's and the number of decode instances is not stated.
        return "disaggregated row without decode_num_workers or decode_batch_size: the batch per decode instance is unknown";
      return "";
    }
    d.mode = m.mode == "decode" ? ServeMode::kDisagg : ServeMode::kAgg;
    if (auto pool = stated_layout(chip, model, {m.tp, m.adp, m.ep, m.moe_tp}, method)) {
      set_pool(d, *pool);
      d.pp = std::max(1, m.pp);
    } else {
      unstated_layout(chip, model, pr.w, n_chips, d, method);
    }
    // The measured concurrency (AIC: silicon_concurrency) is the instance's load; batch_size is
    // per attention-DP rank of the layout as exported, so it is used only without a concurrency.
    if (m.concurrency) pr.concurrency_batch = static_cast<int>(std::lround(*m.concurrency));
    else if (m.batch_per_rank > 0) pr.concurrency_batch = m.batch_per_rank * std::max(1, m.adp);
    if (m.mode == "prefill" && m.concurrency)
      d.prefill_tokens = static_cast<int>(*m.concurrency * isl / d.width() / std::max(1, d.pp));
  } catch (const InsufficientData& e) {
    return e.what();
  }
  return "";
}

}  // namespace gpugap::perf::detail
