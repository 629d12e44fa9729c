// Predicting measured rows: each row resolved once (specs, efficiencies, workload,
// deployment), then evaluated at the measured load or latency.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "catalog/family.hpp"
#include "perf/engine.hpp"
#include "perf/validation_detail.hpp"

namespace gpugap::perf {
namespace detail {
namespace {

// The most of a device's memory a serving stack is set to use (weights + KV), for
// measured deployments whose weights exceed the default share: 3% is left for the
// CUDA context and activations.
constexpr double kMeasuredMemoryFraction = 0.97;
// TensorRT-LLM KvCacheConfig.free_gpu_memory_fraction default (nvidia.github.io/TensorRT-LLM/examples/kvcacheconfig.html).
constexpr double kTrtllmKvFreeFraction = 0.9;

// The row's efficiencies, most specific first: (stack, family, backend, model), (stack,
// family, backend), (stack, backend), the chip's own software block (the family fit),
// the stack (see calibrate()); its harness's wave share where one was fitted.
void apply_efficiencies(const ParamTable& params, const Measurement& m, const ValidateOptions& opt, PreparedRow& pr) {
  const RowPrediction& r = pr.base;
  if (auto v = params.maybe("chips." + r.chip_id + ".software.benchmark_burst")) pr.burst = *v;
  else if (!pr.chip.stack.empty())
    if (auto v = params.maybe("stacks." + pr.chip.stack + ".benchmark_burst")) pr.burst = *v;
  if (opt.use_backend && !pr.chip.stack.empty() && !m.backend.empty()) {
    const std::string fb = "stacks." + pr.chip.stack + ".family." + r.family + ".backend." + m.backend + ".";
    std::string b = fb + "model." + calibration_model_key(r.model_id) + ".";
    if (!params.maybe(b + "eta_compute")) b = fb;
    if (!params.maybe(b + "eta_compute")) b = "stacks." + pr.chip.stack + ".backend." + m.backend + ".";
    if (auto v = params.maybe(b + "eta_compute")) pr.chip.eta_compute = v;
    if (auto v = params.maybe(b + "eta_memory")) pr.chip.eta_memory = v;
    if (auto v = params.maybe(b + "eta_comm")) pr.chip.eta_comm = v;
    if (auto v = params.maybe(b + "launch_overhead")) pr.chip.launch_overhead = Seconds(*v);
    if (auto v = params.maybe(b + "ttft_overhead")) pr.chip.ttft_overhead = Seconds(*v);
    if (auto v = params.maybe(b + "comm_latency")) pr.chip.comm_latency = Seconds(*v);
    if (auto v = params.maybe(b + "seq_overhead")) pr.chip.seq_overhead = Seconds(*v);
    if (auto v = params.maybe(b + "benchmark_burst")) pr.burst = *v;
  }
  if (opt.harness)
    if (auto it = opt.harness->find(harness_of(m)); it != opt.harness->end()) pr.burst = it->second.burst;
}

// A measured deployment ran, so it fit: where the weights exceed the default usable
// share, the serving stack was set to use more of the memory (SGLang mem_fraction_static).
// Returns a skip reason or "".
std::string measured_memory(const ChipSpec& chip, const ModelSpec& model, bool kv_stated, PreparedRow& pr,
                            std::vector<std::string>& method) {
  Deployment& d = pr.d;
  try {
    const auto pc = prepare(chip, model, d.format, d.kv);
    if (max_batch(pc, d, pr.w) <= 0) {
      d.memory_fraction = kMeasuredMemoryFraction;
      if (max_batch(pc, d, pr.w) > 0)
        method.push_back(fmt::format("usable memory {:.0f}% (the weights exceed the default {:.0f}%)", kMeasuredMemoryFraction * 100,
                                     kUsableMemoryFraction * 100));
    }
    // A measured concurrency that a 16-bit cache cannot hold but an 8-bit one can says the
    // (unstated) cache was 8-bit: the row's TTFT shows no wait for a free slot otherwise.
    if (!kv_stated && d.kv == DType::kBf16 && chip.has(Precision::kFp8) && pr.concurrency_batch > 0 &&
        max_batch(pc, d, pr.w) < pr.concurrency_batch) {
      const auto p8 = prepare(chip, model, d.format, DType::kFp8);
      if (max_batch(p8, d, pr.w) >= pr.concurrency_batch) {
        d.kv = DType::kFp8;
        method.push_back(fmt::format("kv fp8 (not stated; a 16-bit cache cannot hold the measured concurrency {})", pr.concurrency_batch));
      }
    }
  } catch (const InsufficientData& e) {
    return e.what();
  }
  return "";
}

PerfResult eval_at(const PreparedRow& pr, const ChipSpec& chip, int batch, double burst = 0.0) {
  Deployment d = pr.d;
  d.batch = batch;
  d.concurrency = pr.concurrency_batch;
  d.burst = pr.concurrency_batch > 0 ? burst : 0.0;
  return evaluate(chip, pr.model, d, pr.w, EvalOptions{false, pr.kernels, pr.gemm_fraction});
}

}  // namespace

std::string harness_of(const Measurement& m) { return m.schema == "shared" ? m.source : std::string(); }

PreparedRow prepare_row(const catalog::Catalog& cat, const ParamTable& params, const Measurement& m, const ValidateOptions& opt) {
  PreparedRow pr;
  pr.has_ttft = m.ttft_ms.has_value();
  RowPrediction& r = pr.base;
  r.row = &m;
  auto skip = [&](std::string why) { r.skip_reason = std::move(why); return pr; };
  if (!m.duplicate_of.empty())
    return skip("the same measurement as row " + m.duplicate_of + " (same deployment, load and measured values, exported twice): counted once");
  const auto chip_id = cat.try_resolve("chips", m.chip);
  if (!chip_id) return skip("chip '" + m.chip + "' is not in the catalog (no id or alias)");
  const auto model_id = cat.try_resolve("models", m.model);
  if (!model_id) return skip("model '" + m.model + "' is not in the catalog (no id or alias)");
  r.chip_id = *chip_id;
  r.model_id = *model_id;
  r.family = catalog::chip_family(cat, r.chip_id);
  try {
    pr.chip = chip_spec(cat, params, *chip_id);
    pr.model = model_spec(cat, params, *model_id);
  } catch (const InsufficientData& e) {
    return skip(e.what());
  }
  r.stack = pr.chip.stack;
  if (const auto* st = pr.chip.stack.empty() ? nullptr : cat.find("stacks", pr.chip.stack)) {
    const auto f = st->flags.find("named." + m.backend + ".separate");
    pr.separate_stack = f != st->flags.end() && f->second;
  }
  apply_efficiencies(params, m, opt, pr);
  if (opt.kernels && !m.backend.empty()) pr.kernels = opt.kernels->find(r.chip_id, m.backend);
  const OperatorEvidence* gemm_ev = nullptr;
  if (!pr.kernels && opt.operator_evidence) {
    // The GEMM rate large matrices reach on the family's silicon: the best measured fraction.
    gemm_ev = best_gemm_evidence(*opt.operator_evidence, r.family, [&](const std::string& c) { return catalog::chip_family(cat, c); });
    if (gemm_ev) pr.gemm_fraction = gemm_ev->fraction_of_peak;
  }
  const ChipSpec& chip = pr.chip;
  const ModelSpec& model = pr.model;

  int isl = 0;
  if (m.isl) isl = *m.isl;
  else if (opt.assumed_isl) { isl = *opt.assumed_isl; r.assumed_isl = true; }
  else return skip("no isl: the dataset's mean input length is not given with a cited source (see --assume-isl)");
  const bool prefill_only = m.mode == "prefill";
  const bool decode_only = m.mode == "decode";
  int osl = m.osl.value_or(0);
  if (osl <= 0) {
    if (prefill_only || decode_only) osl = 1;
    else return skip("no osl");
  }
  pr.w.id = m.id;
  pr.w.name = m.id;
  pr.w.isl = isl;
  pr.w.osl = osl;

  auto fmt_opt = parse_format(m.precision.empty() ? "bf16" : m.precision);
  if (!fmt_opt) return skip("precision '" + m.precision + "' is not a known format");
  Deployment& d = pr.d;
  std::string note;
  d.format = resolve_format(chip, *fmt_opt, &note);
  const auto kv_row = parse_dtype(m.kv_precision);
  const bool kv_stated = kv_row.has_value();
  if (kv_stated) d.kv = *kv_row;
  else {
    // Not stated: FP8 for TensorRT-LLM FP8/FP4 (ModelOpt checkpoints carry KV scales), else the 16-bit default.
    const bool q = fmt_opt->activations == DType::kFp8 || fmt_opt->activations == DType::kFp4;
    d.kv = (m.backend == "trtllm" && q && chip.has(Precision::kFp8)) ? DType::kFp8 : DType::kBf16;
  }
  if (d.kv == DType::kFp8 && !chip.has(Precision::kFp8)) d.kv = chip.has(Precision::kInt8) ? DType::kInt8 : DType::kBf16;
  d.mtp = m.mtp.value_or(0);
  if (d.mtp > 0) {
    auto acc = m.mtp_acceptance ? m.mtp_acceptance : model_mtp_acceptance(params, model);
    // A row that drafts tokens (MTP, EAGLE) runs fewer steps per output token by an amount only
    // the acceptance says: without it, predicting it as plain decoding would be biased (and bias
    // every fit it enters), so it is skipped as insufficient data.
    if (!acc)
      return skip(fmt::format("insufficient data: models.{}.mtp_acceptance (the row drafts {} token{} per step)", model.id, d.mtp,
                              d.mtp == 1 ? "" : "s"));
    d.mtp_acceptance = *acc;
    // A rate stated in the row is its measured mean: it stands for every draft.
    if (!m.mtp_acceptance) d.mtp_acceptance_later = model_mtp_acceptance_later(params, model).value_or(-1.0);
  }
  std::vector<std::string> method;
  if (d.mtp > 0 && m.mtp_acceptance) method.push_back(fmt::format("draft acceptance {:.0f}% (stated in the row)", *m.mtp_acceptance * 100));
  if (m.backend == "trtllm" && m.kv_free_fraction)
    method.push_back(fmt::format("KV pool {:.2f} of the free memory (stated in the row)", *m.kv_free_fraction));
  if (auto why = row_layout(chip, model, m, pr, method); !why.empty()) return skip(why);
  if (auto err = check_deployment(model, d); !err.empty()) return skip("deployment: " + err);
  if (m.backend == "trtllm") d.kv_free_fraction = m.kv_free_fraction.value_or(kTrtllmKvFreeFraction);
  if (auto why = measured_memory(chip, model, kv_stated, pr, method); !why.empty()) return skip(why);
  pr.prefill_only = prefill_only;
  pr.decode_only = decode_only;
  if (!prefill_only) {
    if (pr.concurrency_batch > 0) method.push_back(fmt::format("batch {} (measured concurrency)", pr.concurrency_batch));
    else if (m.tpot_ms) { pr.iso_tpot = true; method.push_back("batch at the measured TPOT (iso-latency)"); }
    else { pr.offline = true; method.push_back("offline: the most sequences that fit"); }
  }
  if (!note.empty()) method.push_back(note);
  if (pr.kernels) method.push_back("kernels: " + pr.kernels->describe());
  if (gemm_ev)
    method.push_back(fmt::format("GEMMs at {:.3f} of peak ({} {} {} on {}, {}), attention and router at eta_compute", gemm_ev->fraction_of_peak,
                                 gemm_ev->op, gemm_ev->dtype, gemm_ev->shape, gemm_ev->chip, gemm_ev->source));
  r.method = fmt::format("{}", fmt::join(method, "; "));
  return pr;
}

RowPrediction predict_prepared(const PreparedRow& pr, const Efficiency* eff) {
  RowPrediction r = pr.base;
  if (!r.skip_reason.empty()) return r;
  ChipSpec chip = pr.chip;
  if (eff) apply_efficiency(*eff, chip);
  const double burst = eff ? eff->burst : pr.burst;
  const Measurement& m = *r.row;
  // The most sequences that fit (0 when even the weights do not).
  PerfResult probe = eval_at(pr, chip, 0);
  if (!probe.ok()) { r.skip_reason = probe.status; return r; }
  if (probe.max_batch <= 0) {
    r.skip_reason = fmt::format("the stated deployment cannot hold the weights ({:.0f} GB per chip, {:.0f} GB usable): the layout columns "
                                "do not describe what ran", probe.weight_bytes / 1e9, probe.memory_capacity_bytes / 1e9);
    return r;
  }
  const int maxb = std::max(probe.max_batch, 1);
  int batch = maxb;
  if (pr.concurrency_batch > 0) batch = std::min(pr.concurrency_batch, maxb);
  PerfResult res;
  if (pr.iso_tpot) {
    // Largest batch whose TPOT does not exceed the measured one (TPOT grows with batch).
    const double target = *m.tpot_ms / 1e3;
    int lo = 1, hi = maxb;
    if (eval_at(pr, chip, hi).tpot_s <= target) lo = hi;
    else {
      while (hi - lo > 1) {
        const int mid = lo + (hi - lo) / 2;
        (eval_at(pr, chip, mid).tpot_s <= target ? lo : hi) = mid;
      }
    }
    batch = lo;
  }
  res = eval_at(pr, chip, batch, burst);
  if (!res.ok()) { r.skip_reason = res.status; return r; }
  r.deployment = res.deployment;
  auto add = [&](const char* name, const std::optional<double>& meas, double pred) {
    if (meas && *meas > 0 && std::isfinite(pred) && pred > 0) r.metrics.push_back({name, *meas, pred});
  };
  if (pr.prefill_only) {
    add("input_tps_per_chip", m.input_tps_per_chip, res.prefill_tps_per_chip);
    return r;
  }
  if (pr.decode_only) {
    const double out = res.batch * res.tokens_per_step / res.decode_step_s / res.deployment.chips();
    add("tpot_ms", m.tpot_ms, res.tpot_s * 1e3);
    add("output_tps_per_chip", m.output_tps_per_chip, out);
    return r;
  }
  add("ttft_ms", m.ttft_ms, res.ttft_s * 1e3);
  if (!pr.iso_tpot) add("tpot_ms", m.tpot_ms, res.tpot_s * 1e3);
  add("output_tps_per_chip", m.output_tps_per_chip, res.output_tps_per_chip);
  if (!m.output_tps_per_chip) add("input_tps_per_chip", m.input_tps_per_chip, res.input_tps_per_chip);
  return r;
}

}  // namespace detail

void apply_efficiency(const Efficiency& e, ChipSpec& chip) {
  chip.eta_compute = e.eta_compute;
  chip.eta_memory = e.eta_memory;
  chip.launch_overhead = Seconds(e.launch_overhead_s);
  chip.ttft_overhead = Seconds(e.ttft_overhead_s);
  chip.comm_latency = Seconds(e.comm_latency_s);
  chip.seq_overhead = Seconds(e.seq_overhead_s);
}

RowPrediction predict(const catalog::Catalog& cat, const ParamTable& params, const Measurement& m, const ValidateOptions& opt,
                      const Efficiency* eff) {
  const detail::PreparedRow pr = detail::prepare_row(cat, params, m, opt);
  return detail::predict_prepared(pr, eff);
}

std::optional<RowSpecs> row_specs(const catalog::Catalog& cat, const ParamTable& params, const Measurement& m,
                                  const ValidateOptions& opt) {
  detail::PreparedRow pr = detail::prepare_row(cat, params, m, opt);
  if (!pr.base.skip_reason.empty()) return std::nullopt;
  return RowSpecs{std::move(pr.chip), std::move(pr.model), std::move(pr.w)};
}

Summary summarize(const std::vector<double>& errs) {
  Summary s;
  s.n = errs.size();
  if (errs.empty()) return s;
  std::vector<double> v = errs;
  std::sort(v.begin(), v.end());
  auto q = [&](double p) {
    const double pos = p * (v.size() - 1);
    const auto i = static_cast<std::size_t>(std::floor(pos));
    const double f = pos - i;
    return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
  };
  s.median_abs_error_pct = q(0.5);
  s.p90_abs_error_pct = q(0.9);
  return s;
}

}  // namespace gpugap::perf
