// The workload and deployment flags that perf and simulate share, and how
// they become a Workload and a Deployment (perf's rules fill unstated sizes).
#include <fmt/format.h>

#include "catalog/specs.hpp"
#include "cli/perf_common.hpp"
#include "core/suggest.hpp"
#include "perf/deployment.hpp"
#include "perf/serving.hpp"

namespace gpugap::cli {

perf::Format parse_format_or_throw(const std::string& s, const std::string& flag) {
  auto f = perf::parse_format(s);
  if (!f)
    throw UserError(Location{"", 0, flag}, "one of bf16, fp16, fp8, int8, w4a8, w4a16, fp4", "'" + s + "'",
                    suggest(s, {"bf16", "fp16", "fp8", "int8", "w4a8", "w4a16", "fp4"}));
  return *f;
}

perf::DType parse_kv_or_throw(const std::string& s) {
  auto d = perf::parse_dtype(s);
  if (!d || *d == perf::DType::kInt4)
    throw UserError(Location{"", 0, "--kv-precision"}, "one of bf16, fp16, fp8, int8, fp4", "'" + s + "'",
                    suggest(s, {"bf16", "fp16", "fp8", "int8", "fp4"}));
  return *d;
}

double later_acceptance(double flag, bool first_from_catalog, const ParamTable& p, const ModelSpec& model) {
  if (flag >= 0) return flag;
  return first_from_catalog ? perf::model_mtp_acceptance_later(p, model).value_or(-1.0) : -1.0;
}

Workload resolve_workload(const analysis::Context& ctx, const WorkloadArgs& a) {
  Workload w;
  if (!a.workload.empty()) w = workload_spec(*ctx.catalog, ctx.params, a.workload);
  else if (a.isl > 0 || a.osl > 0) {
    require(a.isl > 0 && a.osl > 0, Location{"", 0, "--isl/--osl"}, "both --isl and --osl (positive)",
            fmt::format("isl {} osl {}", a.isl, a.osl));
    w.id = fmt::format("isl{}-osl{}", a.isl, a.osl);
    w.name = w.id;
  } else {
    w = workload_spec(*ctx.catalog, ctx.params, "chat");
  }
  if (a.isl > 0) w.isl = a.isl;
  if (a.osl > 0) w.osl = a.osl;
  if (a.ttft_ms > 0) w.ttft_target = Seconds(a.ttft_ms / 1e3);
  if (a.tpot_ms > 0) w.tpot_target = Seconds(a.tpot_ms / 1e3);
  return w;
}

void add_deployment_options(CLI::App* cmd, DeploymentArgs& a) {
  cmd->add_option("--precision", a.precision, "GEMM format: bf16, fp8, int8 (W8A8), w4a8, w4a16, fp4 (default: the checkpoint's)");
  cmd->add_option("--kv-precision", a.kv, "KV cache: bf16, fp8, int8");
  cmd->add_option("--tp", a.tp, "tensor parallel size (default: smallest that fits)")->check(count_at_least(1));
  cmd->add_option("--pp", a.pp, "pipeline stages")->check(count_at_least(1));
  cmd->add_option("--dp", a.dp, "replicas")->check(count_at_least(1));
  cmd->add_option("--attention-dp", a.adp, "attention data-parallel ranks per instance")->check(count_at_least(1));
  cmd->add_option("--ep", a.ep, "expert parallel size")->check(count_at_least(1));
  cmd->add_option("--moe-tp", a.moe_tp, "MoE tensor parallel size (default: tp x attention-dp / ep)")->check(count_at_least(1));
  cmd->add_option("--batch", a.batch, "concurrent sequences per instance (default: the most that fit)")->check(count_at_least(1));
  cmd->add_option("--mode", a.mode, "agg or disagg");
  cmd->add_option("--mtp", a.mtp, "MTP / speculative draft tokens")->check(count_at_least(0));
  cmd->add_option("--mtp-acceptance", a.acceptance, "draft acceptance rate (default: the model's catalog value)");
  cmd->add_option("--mtp-acceptance-later", a.acceptance_later, kAcceptanceLaterHelp);
  cmd->add_option("--prefix-hit", a.prefix_hit, "prefix-cache hit rate of input tokens");
  cmd->add_option("--prefill-ratio", a.ratio, "disagg: prefill chips per decode chip (default: sized)");
  cmd->add_option("--prefill-tp", a.prefill_tp, "disagg: prefill pool TP")->check(count_at_least(1));
  cmd->add_option("--prefill-ep", a.prefill_ep, "disagg: prefill pool EP")->check(count_at_least(1));
  cmd->add_option("--prefill-attention-dp", a.prefill_adp, "disagg: prefill pool attention DP")->check(count_at_least(1));
  cmd->add_option("--concurrency", a.concurrency, "clients per instance (closed loop); beyond the batch they queue")->check(count_at_least(1));
  cmd->add_flag("--overlap", a.overlap, "two-micro-batch overlap of communication with compute");
  cmd->add_option("--expert-imbalance", a.expert_imbalance,
                  "routed load of the busiest EP rank over the mean (1: balanced; see docs/model-perf.md)")
      ->check(CLI::Range(1.0, 64.0));
  cmd->add_option("--rank", a.rank,
                  "what one rank is: package (the catalog chip) or device (one die of a package that shows several, "
                  "e.g. Ascend 910C); sizes and batch are then counted in devices");
}

perf::Deployment resolve_deployment(const analysis::Context& ctx, const ChipSpec& chip, const ModelSpec& model,
                                    const Workload& w, const DeploymentArgs& a, std::vector<std::string>& defaults) {
  perf::Deployment d = perf::default_deployment(chip, model);
  if (!a.precision.empty()) d.format = parse_format_or_throw(a.precision, "--precision");
  if (!a.kv.empty()) d.kv = parse_kv_or_throw(a.kv);
  if (a.tp > 0) {
    d.tp = a.tp;
  } else {
    defaults.push_back(fmt::format("tp {} (smallest power of two whose weights fill at most half the memory)", d.tp));
  }
  d.pp = a.pp;
  d.dp = a.dp;
  d.attention_dp = a.adp;
  d.ep = perf::default_ep(model, d.width(), a.ep);
  d.moe_tp = a.moe_tp;
  if (a.tp <= 0 && a.adp > 1) {
    d = perf::attention_dp_deployment(chip, model, w, d, a.ep);
    defaults.back() = fmt::format("tp {} (with attention DP {}: the smallest power of two that holds the weights)", d.tp, a.adp);
  }
  d.batch = a.batch;
  if (a.mode != "agg" && a.mode != "disagg")
    throw UserError(Location{"", 0, "--mode"}, "agg or disagg", "'" + a.mode + "'", suggest(a.mode, {"agg", "disagg"}));
  d.mode = a.mode == "agg" ? perf::ServeMode::kAgg : perf::ServeMode::kDisagg;
  d.mtp = a.mtp >= 0 ? a.mtp : 0;
  if (d.mtp > 0) {
    if (a.acceptance >= 0) d.mtp_acceptance = a.acceptance;
    else if (auto acc = perf::model_mtp_acceptance(ctx.params, model)) {
      d.mtp_acceptance = *acc;
      defaults.push_back(fmt::format("MTP acceptance {} (models.{}.mtp_acceptance)", *acc, model.id));
    } else {
      throw InsufficientData("models." + model.id + ".mtp_acceptance");
    }
    d.mtp_acceptance_later = later_acceptance(a.acceptance_later, a.acceptance < 0, ctx.params, model);
    if (a.acceptance_later < 0 && d.mtp > 1 && d.mtp_acceptance_later >= 0)
      defaults.push_back(fmt::format("MTP acceptance of later drafts {} (models.{}.mtp_acceptance_later)", d.mtp_acceptance_later, model.id));
  }
  d.prefix_hit = a.prefix_hit;
  d.prefill_decode_ratio = a.ratio;
  d.prefill_tp = a.prefill_tp;
  d.prefill_ep = a.prefill_ep;
  d.prefill_attention_dp = a.prefill_adp;
  d.overlap = a.overlap;
  d.expert_imbalance = a.expert_imbalance;
  d.concurrency = a.concurrency;
  const Location deployment{"", 0, "deployment"};
  const std::string err = perf::check_deployment(model, d);
  require(err.empty(), deployment, "a valid deployment", err);
  return d;
}

DeploymentSetup resolve_setup(const Global& g, const std::string& chip, const std::string& model, const WorkloadArgs& wl,
                              const DeploymentArgs& dep) {
  DeploymentSetup s{perf_context(g), {}, perf::RankUnit::kPackage, 1, {}, {}, {}, {}};
  perf::check_backend(*s.ctx.catalog, s.ctx.params, g.stack_backend, s.ctx.catalog->resolve("chips", chip));
  s.chip = perf::serving_chip(*s.ctx.catalog, s.ctx.params, chip);
  s.devices_per_package = perf::devices_per_package(s.chip);
  if (dep.rank != "package") {
    if (dep.rank != "device")
      throw UserError(Location{"", 0, "--rank"}, "package or device", "'" + dep.rank + "'",
                      suggest(dep.rank, {"package", "device"}));
    require(s.devices_per_package > 1, Location{"", 0, "--rank"},
            "package for a chip that shows one device per package (chips." + s.chip.id + ".software.devices_per_package)",
            "device (" + (perf::unit_note(s.chip, perf::RankUnit::kPackage).empty()
                              ? s.chip.id + " is one die and one device"
                              : perf::unit_note(s.chip, perf::RankUnit::kPackage)) + ")");
    s.unit = perf::RankUnit::kDevice;
    s.chip = perf::device_view(s.chip);
  }
  s.model = model_spec(*s.ctx.catalog, s.ctx.params, model);
  s.w = resolve_workload(s.ctx, wl);
  s.d = resolve_deployment(s.ctx, s.chip, s.model, s.w, dep, s.defaults);
  return s;
}

}  // namespace gpugap::cli
