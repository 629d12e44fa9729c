// Deployment rules and renderings: see deployment.hpp.
#include "perf/deployment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "perf/engine.hpp"

namespace gpugap::perf {

int default_ep(const ModelSpec& model, int width, int given) {
  if (given > 0) return given;  // stated: kept as stated (check_deployment refuses one that cannot be built)
  if (model.ffn != FfnKind::kMoe) return 1;
  int ep = std::min(width, model.experts);
  while (ep > 1 && width % ep != 0) --ep;
  return ep;
}

int smallest_tp(const ModelSpec& model, int limit, const std::function<bool(int)>& fits) {
  int tp = 1;
  while (tp * 2 <= limit && model.heads % (tp * 2) == 0 && !fits(tp)) tp *= 2;
  return tp;
}

int default_tp(const ChipSpec& chip, const ModelSpec& model, Format format) {
  const double cap = chip.mem_capacity ? chip.mem_capacity->value() * kUsableMemoryFraction : 0;
  const double weights = model.params_total * dtype_bytes(format.weights);
  const int domain = std::max(1, chip.scaleup_domain.value_or(8));
  return smallest_tp(model, domain, [&](int tp) { return cap <= 0 || weights / tp <= cap / 2; });
}

DType default_kv(const ChipSpec& chip) { return chip.has(Precision::kFp8) ? DType::kFp8 : DType::kBf16; }

Deployment default_deployment(const ChipSpec& chip, const ModelSpec& model) {
  Deployment d;
  d.format = resolve_format(chip, native_format(model));
  d.kv = default_kv(chip);
  d.tp = default_tp(chip, model, d.format);
  d.ep = default_ep(model, d.tp);
  return d;
}

Deployment attention_dp_deployment(const ChipSpec& chip, const ModelSpec& model, const Workload& w, Deployment d,
                                   int given_ep) {
  const int domain = std::max(1, chip.scaleup_domain.value_or(8));
  auto at = [&](int tp) {
    Deployment t = d;
    t.tp = tp;
    t.ep = default_ep(model, t.width(), given_ep);
    return t;
  };
  const int tp = smallest_tp(model, domain, [&](int tp) {
    Deployment t = at(tp);
    t.batch = 0;
    if (t.ep > t.width()) return false;  // a stated EP wider than the group: a wider TP may hold it
    return !check_deployment(model, t).empty() || evaluate(chip, model, t, w, EvalOptions{false}).max_batch > 0;
  });
  return at(tp);
}

Deployment prefill_deployment(const Deployment& d) {
  Deployment pd = d;
  pd.pp = 1;
  pd.mtp = 0;
  pd.mode = ServeMode::kAgg;
  if (d.prefill_tp > 0) pd.tp = d.prefill_tp;
  if (d.prefill_attention_dp > 0) pd.attention_dp = d.prefill_attention_dp;
  if (d.prefill_ep > 0) pd.ep = d.prefill_ep;
  if (d.prefill_tp > 0 || d.prefill_attention_dp > 0 || d.prefill_ep > 0) pd.moe_tp = 0;
  if (pd.ep > pd.width()) pd.ep = pd.width();  // the decode pool's EP, inherited (a stated prefill EP is checked)
  return pd;
}

std::string describe(const Deployment& d, const ModelSpec& m) {
  std::string s = fmt::format("{} kv {} TP{}", format_name(d.format), dtype_name(d.kv), d.tp);
  if (d.attention_dp > 1) s += fmt::format(" ADP{}", d.attention_dp);
  if (m.ffn == FfnKind::kMoe) s += fmt::format(" EP{}", d.ep);
  if (d.pp > 1) s += fmt::format(" PP{}", d.pp);
  s += fmt::format(" B{} {}", d.batch, mode_name(d.mode));
  if (d.mtp > 0) s += fmt::format(" MTP{}", d.mtp);
  if (d.overlap) s += " TBO";  // two-micro-batch overlap
  if (m.ffn == FfnKind::kMoe && d.expert_imbalance > 1.0) s += fmt::format(" imbalance {:.3g}", d.expert_imbalance);
  return s;
}

nlohmann::json to_json(const Deployment& d, const ModelSpec& m) {
  const bool moe = m.ffn == FfnKind::kMoe;
  nlohmann::json j = {{"precision", format_name(d.format)},
                      {"weights", std::string(dtype_name(d.format.weights))},
                      {"activations", std::string(dtype_name(d.format.activations))},
                      {"kv_precision", std::string(dtype_name(d.kv))},
                      {"tp", d.tp},
                      {"pp", d.pp},
                      {"dp", d.dp},
                      {"attention_dp", d.attention_dp},
                      {"ep", moe ? d.ep : 1},
                      {"moe_tp", moe ? d.moe_tp_size() : 0},
                      {"chips_per_instance", d.chips()},
                      {"batch", d.batch},
                      {"mode", std::string(mode_name(d.mode))},
                      {"mtp", d.mtp},
                      {"mtp_acceptance", d.mtp_acceptance},
                      {"prefix_hit", d.prefix_hit},
                      {"overlap", d.overlap},
                      {"concurrency", d.concurrency > 0 ? d.concurrency : d.batch}};
  if (d.mtp > 1 && d.mtp_acceptance_later >= 0) j["mtp_acceptance_later"] = d.mtp_acceptance_later;
  if (moe && d.expert_imbalance > 1.0) j["expert_imbalance"] = round_sig(d.expert_imbalance);
  if (d.mode == ServeMode::kDisagg) {
    j["prefill_decode_ratio"] = round_sig(d.prefill_decode_ratio);
    j["prefill_tp"] = d.prefill_tp > 0 ? d.prefill_tp : d.tp;
    j["prefill_attention_dp"] = d.prefill_attention_dp > 0 ? d.prefill_attention_dp : d.attention_dp;
    j["prefill_ep"] = d.prefill_ep > 0 ? d.prefill_ep : d.ep;
  }
  return j;
}

double round_sig(double v, int digits) {
  if (!std::isfinite(v) || v == 0) return v;
  const double scale = std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(std::fabs(v)))));
  return std::round(v * scale) / scale;
}

}  // namespace gpugap::perf
