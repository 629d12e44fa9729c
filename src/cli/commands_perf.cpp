// gpugap perf | search (see shared/spec/cli.md); validate and calibrate in
// commands_validate.cpp.
#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>

#include "catalog/specs.hpp"
#include "cli/perf_common.hpp"
#include "core/status.hpp"
#include "core/suggest.hpp"
#include "perf/deployment.hpp"
#include "perf/perf.hpp"

namespace fs = std::filesystem;

namespace gpugap::cli {

analysis::Context perf_context(const Global& g) {
  if (g.scenario == kDefaultScenario) {
    bool found = false;
    for (const auto& d : g.catalog_dirs())
      if (fs::exists(fs::path(d) / "scenarios" / (std::string(kDefaultScenario) + ".yaml"))) found = true;
    if (!found) {
      analysis::Context ctx;
      auto cat = std::make_shared<catalog::Catalog>(catalog::Catalog::load(g.catalog_dirs()));
      ctx.catalog = cat;
      ctx.params = cat->params();
      for (const auto& o : g.sets) {
        auto [path, value] = split_assignment(o);
        ctx.params.set_from_text(path, value);
        ctx.overrides.push_back(path + "=" + value);
      }
      ctx.threads = g.threads;
      ctx.quiet = g.quiet;
      return ctx;
    }
  }
  return g.context();
}

namespace {

using nlohmann::json;
using perf::round_sig;

json result_json(const std::string& chip, const ModelSpec& model, const Workload& w, const perf::PerfResult& r,
                 const std::optional<double>& ttft_t, const std::optional<double>& tpot_t) {
  json j;
  j["chip"] = chip;
  j["model"] = model.id;
  j["workload"] = {{"id", w.id}, {"isl", w.isl}, {"osl", w.osl}};
  j["status"] = r.status;
  j["deployment"] = perf::to_json(r.deployment, model);
  j["feasible"] = r.feasible;
  if (!r.ok()) return j;
  if (!r.infeasible_reason.empty()) j["infeasible_reason"] = r.infeasible_reason;
  j["memory_shortfall_gb"] = round_sig(r.memory_shortfall_bytes / 1e9);
  j["ttft_ms"] = round_sig(r.ttft_s * 1e3);
  j["tpot_ms"] = round_sig(r.tpot_s * 1e3);
  j["tokens_per_s_per_user"] = round_sig(r.tokens_per_s_per_user);
  j["output_tps_per_chip"] = round_sig(r.output_tps_per_chip);
  j["input_tps_per_chip"] = round_sig(r.input_tps_per_chip);
  j["prefill_tps_per_chip"] = round_sig(r.prefill_tps_per_chip);
  j["batch"] = r.batch;
  j["max_batch"] = r.max_batch;
  j["chips"] = r.chips;
  j["tokens_per_step"] = round_sig(r.tokens_per_step);
  j["memory"] = {{"used_gb", round_sig(r.memory_used_bytes / 1e9)},
                 {"capacity_gb", round_sig(r.memory_capacity_bytes / 1e9)},
                 {"weights_gb", round_sig(r.weight_bytes / 1e9)},
                 {"kv_gb", round_sig(r.kv_bytes / 1e9)}};
  j["bottleneck"] = {{"prefill", std::string(perf::bottleneck_name(r.prefill_bottleneck))},
                     {"decode", std::string(perf::bottleneck_name(r.decode_bottleneck))}};
  json targets = json::object();
  if (ttft_t) targets["ttft_ms"] = round_sig(*ttft_t * 1e3);
  if (tpot_t) targets["tpot_ms"] = round_sig(*tpot_t * 1e3);
  targets["met"] = r.feasible && (!ttft_t || r.ttft_s <= *ttft_t) && (!tpot_t || r.tpot_s <= *tpot_t);
  j["targets"] = targets;
  json bd = json::array();
  for (const auto& op : r.breakdown)
    bd.push_back({{"phase", op.phase == perf::Phase::kPrefill ? "prefill" : "decode"},
                  {"op", std::string(op.name)},
                  {"time_ms", round_sig(op.time_s * 1e3)},
                  {"gflop", round_sig(op.flops / 1e9)},
                  {"gb", round_sig(op.bytes / 1e9)},
                  {"comm_gb", round_sig(op.comm_bytes / 1e9)},
                  {"bound", std::string(perf::bottleneck_name(op.bound))}});
  j["breakdown"] = bd;
  j["notes"] = r.notes;
  return j;
}

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

struct WorkloadArgs {
  std::string workload;
  int isl = 0;
  int osl = 0;
  double ttft_ms = 0;
  double tpot_ms = 0;
};

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

struct PerfArgs {
  std::string chip, model, precision, kv, mode = "agg";
  WorkloadArgs wl;
  int tp = 0, pp = 1, dp = 1, ep = 0, adp = 1, moe_tp = 0, batch = 0, mtp = -1;
  int prefill_tp = 0, prefill_ep = 0, prefill_adp = 0, concurrency = 0;
  double acceptance = -1, prefix_hit = 0, ratio = 0;
  bool overlap = false;
};


// The perf command's JSON and tables (the notes and exit status are the caller's).
Output perf_output(const ChipSpec& chip, const ModelSpec& model, const Workload& w, const perf::PerfResult& r,
                   const std::optional<double>& ttft_t, const std::optional<double>& tpot_t) {
  Output out;
  out.json = result_json(chip.id, model, w, r, ttft_t, tpot_t);
  Table t{{"quantity", "value"}, {}, {false, false}};
  auto row = [&](const std::string& k, const std::string& v) { t.rows.push_back({k, v}); };
  row("chip", chip.id + (chip.calibrated ? " (calibrated stack " + chip.stack + ")" : " (spec-only stack " + chip.stack + ")"));
  row("model", model.id);
  row("workload", fmt::format("{} (isl {}, osl {})", w.id, w.isl, w.osl));
  row("deployment", perf::describe(r.deployment, model));
  row("feasible", r.feasible ? "yes" : "NO: " + r.infeasible_reason);
  row("TTFT", fmt_num(r.ttft_s * 1e3) + " ms" + (ttft_t ? fmt::format(" (target {} ms)", fmt_num(*ttft_t * 1e3)) : ""));
  row("TPOT", fmt_num(r.tpot_s * 1e3) + " ms" + (tpot_t ? fmt::format(" (target {} ms)", fmt_num(*tpot_t * 1e3)) : ""));
  row("tokens/s per user", fmt_num(r.tokens_per_s_per_user));
  row("output tokens/s per chip", fmt_num(r.output_tps_per_chip));
  row("input tokens/s per chip", fmt_num(r.input_tps_per_chip));
  row("batch (max that fits)", fmt::format("{} ({})", r.batch, r.max_batch));
  row("memory per chip", fmt::format("{} of {} GB usable (weights {}, KV {})", fmt_num(r.memory_used_bytes / 1e9),
                                     fmt_num(r.memory_capacity_bytes / 1e9), fmt_num(r.weight_bytes / 1e9), fmt_num(r.kv_bytes / 1e9)));
  row("bottleneck", fmt::format("prefill: {}; decode: {}", perf::bottleneck_name(r.prefill_bottleneck),
                                perf::bottleneck_name(r.decode_bottleneck)));
  Table b{{"phase", "operator", "time ms", "share", "GFLOP", "GB", "bound"}, {}, {false, false, true, true, true, true, false}};
  std::map<perf::Phase, double> total;
  for (const auto& op : r.breakdown) total[op.phase] += op.time_s;
  for (const auto& op : r.breakdown)
    b.rows.push_back({op.phase == perf::Phase::kPrefill ? "prefill" : "decode", std::string(op.name), fmt_num(op.time_s * 1e3),
                      fmt::format("{:.1f}%", 100 * op.time_s / total[op.phase]), fmt_num(op.flops / 1e9),
                      fmt_num(op.bytes / 1e9), std::string(perf::bottleneck_name(op.bound))});
  out.tables = {t, b};
  out.titles = {"", "per-operator breakdown (one prefill step of " + std::to_string(perf::kPrefillChunkTokens) +
                        " tokens per rank; one decode step)"};
  return out;
}

void perf_cmd(const Global& g, const PerfArgs& a) {
  const auto ctx = perf_context(g);
  const ChipSpec chip = chip_spec(*ctx.catalog, ctx.params, a.chip);
  const ModelSpec model = model_spec(*ctx.catalog, ctx.params, a.model);
  const Workload w = resolve_workload(ctx, a.wl);
  perf::Deployment d = perf::default_deployment(chip, model);
  std::vector<std::string> defaults;
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
  }
  d.prefix_hit = a.prefix_hit;
  d.prefill_decode_ratio = a.ratio;
  d.prefill_tp = a.prefill_tp;
  d.prefill_ep = a.prefill_ep;
  d.prefill_attention_dp = a.prefill_adp;
  d.overlap = a.overlap;
  d.concurrency = a.concurrency;
  const Location deployment{"", 0, "deployment"};
  const std::string err = perf::check_deployment(model, d);
  require(err.empty(), deployment, "a valid deployment", err);
  perf::PerfResult r = perf::evaluate(chip, model, d, w);
  if (!r.ok()) {
    Missing::parse(r.status).raise();
    throw InternalError("perf::evaluate status: " + r.status);
  }
  r.notes.insert(r.notes.begin(), defaults.begin(), defaults.end());
  const std::optional<double> ttft_t = w.ttft_target ? std::optional<double>(w.ttft_target->value()) : std::nullopt;
  const std::optional<double> tpot_t = w.tpot_target ? std::optional<double>(w.tpot_target->value()) : std::nullopt;
  Output out = perf_output(chip, model, w, r, ttft_t, tpot_t);
  for (const auto& n : r.notes) out.text += "note: " + n + "\n";
  // A failing run (exit 2) leaves an existing -o file untouched; on stdout the table still shows by how much.
  require(r.feasible || g.out.empty(), deployment, "a deployment that fits", r.infeasible_reason);
  emit(g, out);
  require(r.feasible, deployment, "a deployment that fits", r.infeasible_reason);
}

struct SearchArgs {
  std::string model, chips, precision, kv;
  WorkloadArgs wl;
  bool pareto = false, no_disagg = false, no_mtp = false;
  int top = 0;
  double acceptance = -1;
};

void search_cmd(const Global& g, const SearchArgs& a) {
  const auto ctx = perf_context(g);
  const ModelSpec model = model_spec(*ctx.catalog, ctx.params, a.model);
  const Workload w = resolve_workload(ctx, a.wl);
  std::vector<std::string> chip_ids;
  if (a.chips.empty()) chip_ids = ctx.catalog->ids("chips");
  else {
    std::string s = a.chips;
    std::size_t p = 0;
    while (p <= s.size()) {
      const auto q = s.find(',', p);
      const std::string id = s.substr(p, q == std::string::npos ? std::string::npos : q - p);
      if (!id.empty()) chip_ids.push_back(ctx.catalog->resolve("chips", id));
      if (q == std::string::npos) break;
      p = q + 1;
    }
  }
  perf::SearchOptions so;
  if (!a.precision.empty()) so.formats = {parse_format_or_throw(a.precision, "--precision")};
  if (!a.kv.empty()) so.kv = parse_kv_or_throw(a.kv);
  so.allow_disagg = !a.no_disagg;
  so.allow_mtp = !a.no_mtp;
  so.pareto = a.pareto;
  if (a.acceptance >= 0) so.mtp_acceptance = a.acceptance;
  else if (auto acc = perf::model_mtp_acceptance(ctx.params, model)) so.mtp_acceptance = *acc;
  std::vector<ChipSpec> chips;
  for (const auto& id : chip_ids) chips.push_back(chip_spec(*ctx.catalog, ctx.params, id));
  std::vector<perf::SearchResult> results(chips.size());
  const auto t0 = std::chrono::steady_clock::now();
  tbb::task_arena arena(g.threads > 0 ? g.threads : tbb::task_arena::automatic);
  arena.execute([&] {
    tbb::parallel_for(std::size_t(0), chips.size(), [&](std::size_t i) { results[i] = perf::search(chips[i], model, w, so); });
  });
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Rank: found first, by output tokens/s per chip; then the rest by id.
  std::vector<std::size_t> order(chips.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    const auto& rx = results[x];
    const auto& ry = results[y];
    if (rx.found != ry.found) return rx.found;
    if (rx.found) return rx.best.output_tps_per_chip > ry.best.output_tps_per_chip;
    return chips[x].id < chips[y].id;
  });
  if (a.top > 0 && order.size() > static_cast<std::size_t>(a.top)) order.resize(a.top);
  Output out;
  json rows = json::array();
  json pareto = json::object();
  std::size_t evaluated = 0;
  for (const auto& r : results) evaluated += r.evaluated;
  Table t{{"rank", "chip", "out tok/s/chip", "tok/s/user", "TTFT ms", "TPOT ms", "deployment", "status"}, {}, {}};
  int rank = 0;
  for (auto i : order) {
    const auto& r = results[i];
    json j = {{"chip", chips[i].id}, {"status", r.status}, {"found", r.found}, {"evaluated", r.evaluated},
              {"calibrated", chips[i].calibrated}};
    if (r.found) {
      ++rank;
      j["rank"] = rank;
      j["output_tps_per_chip"] = round_sig(r.best.output_tps_per_chip);
      j["tokens_per_s_per_user"] = round_sig(r.best.tokens_per_s_per_user);
      j["ttft_ms"] = round_sig(r.best.ttft_s * 1e3);
      j["tpot_ms"] = round_sig(r.best.tpot_s * 1e3);
      j["input_tps_per_chip"] = round_sig(r.best.input_tps_per_chip);
      j["memory_used_gb"] = round_sig(r.best.memory_used_bytes / 1e9);
      j["bottleneck"] = {{"prefill", std::string(perf::bottleneck_name(r.best.prefill_bottleneck))},
                         {"decode", std::string(perf::bottleneck_name(r.best.decode_bottleneck))}};
      j["deployment"] = perf::to_json(r.best.deployment, model);
      t.rows.push_back({std::to_string(rank), chips[i].id, fmt_num(r.best.output_tps_per_chip), fmt_num(r.best.tokens_per_s_per_user),
                        fmt_num(r.best.ttft_s * 1e3), fmt_num(r.best.tpot_s * 1e3), perf::describe(r.best.deployment, model), "ok"});
    } else {
      t.rows.push_back({"-", chips[i].id, "", "", "", "", "", r.status});
    }
    rows.push_back(j);
    if (a.pareto && !r.pareto.empty()) {
      json pts = json::array();
      for (const auto& p : r.pareto)
        pts.push_back({{"tokens_per_s_per_user", round_sig(p.tokens_per_s_per_user)},
                       {"output_tps_per_chip", round_sig(p.output_tps_per_chip)},
                       {"ttft_ms", round_sig(p.ttft_s * 1e3)},
                       {"tpot_ms", round_sig(p.tpot_s * 1e3)},
                       {"deployment", perf::to_json(p.deployment, model)}});
      pareto[chips[i].id] = pts;
    }
  }
  const auto& any = results.empty() ? perf::SearchResult{} : results.front();
  json targets = json::object();
  if (any.ttft_target_s) targets["ttft_ms"] = round_sig(*any.ttft_target_s * 1e3);
  if (any.tpot_target_s) targets["tpot_ms"] = round_sig(*any.tpot_target_s * 1e3);
  out.json = {{"model", model.id}, {"workload", {{"id", w.id}, {"isl", w.isl}, {"osl", w.osl}}}, {"targets", targets},
              {"rows", rows}, {"evaluated", evaluated}};
  if (a.pareto) out.json["pareto"] = pareto;
  out.tables.push_back(t);
  out.titles.push_back(fmt::format("{} on {} (isl {}, osl {}); targets: TTFT <= {} ms, TPOT <= {} ms", model.id, w.id, w.isl, w.osl,
                                   any.ttft_target_s ? fmt_num(*any.ttft_target_s * 1e3) : "none",
                                   any.tpot_target_s ? fmt_num(*any.tpot_target_s * 1e3) : "none"));
  if (a.pareto) {
    Table pt{{"chip", "tok/s/user", "out tok/s/chip", "TTFT ms", "TPOT ms", "deployment"}, {}, {}};
    for (auto i : order)
      for (const auto& p : results[i].pareto)
        pt.rows.push_back({chips[i].id, fmt_num(p.tokens_per_s_per_user), fmt_num(p.output_tps_per_chip), fmt_num(p.ttft_s * 1e3),
                           fmt_num(p.tpot_s * 1e3), perf::describe(p.deployment, model)});
    out.tables.push_back(pt);
    out.titles.push_back("Pareto frontier: output tokens/s per chip against tokens/s per user");
  }
  if (!g.quiet) out.text = fmt::format("{} configurations evaluated in {:.3f} s\n", evaluated, secs);
  emit(g, out);
}

}  // namespace

void add_perf_commands(CLI::App& app, Global& g) {
  static PerfArgs pa;
  auto* perf = app.add_subcommand("perf", "TTFT, TPOT and tokens/s of one deployment of a model on a chip");
  perf->add_option("--chip", pa.chip, "chip id or alias")->required();
  perf->add_option("--model", pa.model, "model id or alias")->required();
  perf->add_option("--workload", pa.wl.workload, "workload id (default: chat)");
  perf->add_option("--isl", pa.wl.isl, "input tokens per request")->check(count_at_least(1));
  perf->add_option("--osl", pa.wl.osl, "output tokens per request")->check(count_at_least(1));
  perf->add_option("--precision", pa.precision, "GEMM format: bf16, fp8, int8 (W8A8), w4a8, w4a16, fp4 (default: the checkpoint's)");
  perf->add_option("--kv-precision", pa.kv, "KV cache: bf16, fp8, int8");
  perf->add_option("--tp", pa.tp, "tensor parallel size (default: smallest that fits)")->check(count_at_least(1));
  perf->add_option("--pp", pa.pp, "pipeline stages")->check(count_at_least(1));
  perf->add_option("--dp", pa.dp, "replicas")->check(count_at_least(1));
  perf->add_option("--attention-dp", pa.adp, "attention data-parallel ranks per instance")->check(count_at_least(1));
  perf->add_option("--ep", pa.ep, "expert parallel size")->check(count_at_least(1));
  perf->add_option("--moe-tp", pa.moe_tp, "MoE tensor parallel size (default: tp x attention-dp / ep)")->check(count_at_least(1));
  perf->add_option("--batch", pa.batch, "concurrent sequences per instance (default: the most that fit)")->check(count_at_least(1));
  perf->add_option("--mode", pa.mode, "agg or disagg");
  perf->add_option("--mtp", pa.mtp, "MTP / speculative draft tokens")->check(count_at_least(0));
  perf->add_option("--mtp-acceptance", pa.acceptance, "draft acceptance rate (default: the model's catalog value)");
  perf->add_option("--prefix-hit", pa.prefix_hit, "prefix-cache hit rate of input tokens");
  perf->add_option("--prefill-ratio", pa.ratio, "disagg: prefill chips per decode chip (default: sized)");
  perf->add_option("--prefill-tp", pa.prefill_tp, "disagg: prefill pool TP")->check(count_at_least(1));
  perf->add_option("--prefill-ep", pa.prefill_ep, "disagg: prefill pool EP")->check(count_at_least(1));
  perf->add_option("--prefill-attention-dp", pa.prefill_adp, "disagg: prefill pool attention DP")->check(count_at_least(1));
  perf->add_option("--concurrency", pa.concurrency, "clients per instance (closed loop); beyond the batch they queue")->check(count_at_least(1));
  perf->add_flag("--overlap", pa.overlap, "two-micro-batch overlap of communication with compute");
  perf->add_option("--ttft-ms", pa.wl.ttft_ms, "TTFT target (ms)")->check(positive_number());
  perf->add_option("--tpot-ms", pa.wl.tpot_ms, "TPOT target (ms)")->check(positive_number());
  perf->callback([&g] { perf_cmd(g, pa); });

  static SearchArgs sa;
  auto* search = app.add_subcommand("search", "best deployment per chip under TTFT/TPOT targets; Pareto frontier");
  search->add_option("--model", sa.model, "model id or alias")->required();
  search->add_option("--chips", sa.chips, "comma-separated chip ids (default: every catalog chip)");
  search->add_option("--workload", sa.wl.workload, "workload id (default: chat)");
  search->add_option("--isl", sa.wl.isl, "input tokens per request")->check(count_at_least(1));
  search->add_option("--osl", sa.wl.osl, "output tokens per request")->check(count_at_least(1));
  search->add_option("--ttft-ms", sa.wl.ttft_ms, "TTFT target (ms; default: the workload's)")->check(positive_number());
  search->add_option("--tpot-ms", sa.wl.tpot_ms, "TPOT target (ms; default: the workload's)")->check(positive_number());
  search->add_option("--precision", sa.precision, "only this GEMM format");
  search->add_option("--kv-precision", sa.kv, "KV cache format (default: fp8 where supported)");
  search->add_option("--mtp-acceptance", sa.acceptance, "draft acceptance rate (default: the model's catalog value)");
  search->add_flag("--pareto", sa.pareto, "also print the Pareto frontier");
  search->add_flag("--no-disagg", sa.no_disagg, "aggregated serving only");
  search->add_flag("--no-mtp", sa.no_mtp, "no MTP / speculative decoding");
  search->add_option("--top", sa.top, "keep the best K chips")->check(count_at_least(1));
  search->callback([&g] { search_cmd(g, sa); });

  add_validation_commands(app, g);
}

}  // namespace gpugap::cli
