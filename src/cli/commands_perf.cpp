// gpugap perf | search | validate | calibrate (see shared/spec/cli.md).
#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <map>

#include "catalog/schema.hpp"
#include "catalog/specs.hpp"
#include "cli/cli.hpp"
#include "core/suggest.hpp"
#include "perf/perf.hpp"
#include "perf/validation.hpp"

namespace fs = std::filesystem;

namespace gpugap::cli {
namespace {

using nlohmann::json;

// The scenario is optional for perf: without the default scenario in the
// catalog, the catalog alone (plus --set) is the parameter table.
analysis::Context perf_context(const Global& g) {
  const bool default_scenario = g.scenario == "ms-2025";
  if (default_scenario) {
    bool found = false;
    for (const auto& d : g.catalog_dirs())
      if (fs::exists(fs::path(d) / "scenarios" / "ms-2025.yaml")) found = true;
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

double round_sig(double v, int digits = 6) {
  if (!std::isfinite(v) || v == 0) return v;
  const double scale = std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(std::fabs(v)))));
  return std::round(v * scale) / scale;
}

json deployment_json(const perf::Deployment& d, const ModelSpec& m) {
  json j = {{"precision", perf::format_name(d.format)},
            {"weights", std::string(perf::dtype_name(d.format.weights))},
            {"activations", std::string(perf::dtype_name(d.format.activations))},
            {"kv_precision", std::string(perf::dtype_name(d.kv))},
            {"tp", d.tp},
            {"pp", d.pp},
            {"dp", d.dp},
            {"attention_dp", d.attention_dp},
            {"ep", m.ffn == FfnKind::kMoe ? d.ep : 1},
            {"moe_tp", m.ffn == FfnKind::kMoe ? d.moe_tp_size() : 0},
            {"chips_per_instance", d.chips()},
            {"batch", d.batch},
            {"mode", std::string(perf::mode_name(d.mode))},
            {"mtp", d.mtp},
            {"mtp_acceptance", d.mtp_acceptance},
            {"prefix_hit", d.prefix_hit},
            {"overlap", d.overlap},
            {"concurrency", d.concurrency > 0 ? d.concurrency : d.batch}};
  if (d.mode == perf::ServeMode::kDisagg) {
    j["prefill_decode_ratio"] = round_sig(d.prefill_decode_ratio);
    j["prefill_tp"] = d.prefill_tp > 0 ? d.prefill_tp : d.tp;
    j["prefill_attention_dp"] = d.prefill_attention_dp > 0 ? d.prefill_attention_dp : d.attention_dp;
    j["prefill_ep"] = d.prefill_ep > 0 ? d.prefill_ep : d.ep;
  }
  return j;
}

std::string deployment_text(const perf::Deployment& d, const ModelSpec& m) {
  std::string s = fmt::format("{} kv {} TP{}", perf::format_name(d.format), perf::dtype_name(d.kv), d.tp);
  if (d.attention_dp > 1) s += fmt::format(" ADP{}", d.attention_dp);
  if (m.ffn == FfnKind::kMoe) s += fmt::format(" EP{}", d.ep);
  if (d.pp > 1) s += fmt::format(" PP{}", d.pp);
  s += fmt::format(" B{} {}", d.batch, perf::mode_name(d.mode));
  if (d.mtp > 0) s += fmt::format(" MTP{}", d.mtp);
  return s;
}

json result_json(const std::string& chip, const ModelSpec& model, const Workload& w, const perf::PerfResult& r,
                 const std::optional<double>& ttft_t, const std::optional<double>& tpot_t) {
  json j;
  j["chip"] = chip;
  j["model"] = model.id;
  j["workload"] = {{"id", w.id}, {"isl", w.isl}, {"osl", w.osl}};
  j["status"] = r.status;
  j["deployment"] = deployment_json(r.deployment, model);
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
    if (a.isl <= 0 || a.osl <= 0)
      throw UserError(Location{"", 0, "--isl/--osl"}, "both --isl and --osl (positive)", fmt::format("isl {} osl {}", a.isl, a.osl));
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
  // EP: the given one, else over the whole instance (MoE); the largest that divides it.
  auto set_ep = [&] {
    if (model.ffn == FfnKind::kMoe) {
      d.ep = a.ep > 0 ? a.ep : std::min(d.width(), model.experts);
      while (d.ep > 1 && d.width() % d.ep != 0) --d.ep;
    } else {
      d.ep = a.ep > 0 ? a.ep : 1;
    }
  };
  set_ep();
  d.moe_tp = a.moe_tp;
  if (a.tp <= 0 && a.adp > 1) {
    // With attention DP each rank holds the attention weights and the experts split over the
    // ranks: the TP-only rule above would multiply the instance (TP 8 x DP 8 = 64 chips for a
    // request of 8). The smallest power-of-two TP whose weights fit instead.
    const int domain = std::max(1, chip.scaleup_domain.value_or(8));
    auto layout = [&](int tp) {
      d.tp = tp;
      set_ep();
    };
    // An invalid layout stops the search: evaluating it below reports why.
    auto holds_weights = [&] {
      perf::Deployment t = d;
      t.batch = 0;
      return !perf::check_deployment(model, t).empty() || perf::evaluate(chip, model, t, w, perf::EvalOptions{false}).max_batch > 0;
    };
    layout(1);
    while (!holds_weights() && d.tp * 2 <= domain && model.heads % (d.tp * 2) == 0) layout(d.tp * 2);
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
  if (auto err = perf::check_deployment(model, d); !err.empty())
    throw UserError(Location{"", 0, "deployment"}, "a valid deployment", err);
  perf::PerfResult r = perf::evaluate(chip, model, d, w);
  if (!r.ok()) throw InsufficientData(r.status.substr(std::string("insufficient data: ").size()));
  r.notes.insert(r.notes.begin(), defaults.begin(), defaults.end());
  const std::optional<double> ttft_t = w.ttft_target ? std::optional<double>(w.ttft_target->value()) : std::nullopt;
  const std::optional<double> tpot_t = w.tpot_target ? std::optional<double>(w.tpot_target->value()) : std::nullopt;
  Output out;
  out.json = result_json(chip.id, model, w, r, ttft_t, tpot_t);
  Table t{{"quantity", "value"}, {}, {false, false}};
  auto row = [&](const std::string& k, const std::string& v) { t.rows.push_back({k, v}); };
  row("chip", chip.id + (chip.calibrated ? " (calibrated stack " + chip.stack + ")" : " (spec-only stack " + chip.stack + ")"));
  row("model", model.id);
  row("workload", fmt::format("{} (isl {}, osl {})", w.id, w.isl, w.osl));
  row("deployment", deployment_text(r.deployment, model));
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
  for (const auto& n : r.notes) out.text += "note: " + n + "\n";
  // A failing run (exit 2) leaves an existing -o file untouched; on stdout the table still shows by how much.
  if (!r.feasible && !g.out.empty())
    throw UserError(Location{"", 0, "deployment"}, "a deployment that fits", r.infeasible_reason);
  emit(g, out);
  if (!r.feasible) throw UserError(Location{"", 0, "deployment"}, "a deployment that fits", r.infeasible_reason);
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
      j["deployment"] = deployment_json(r.best.deployment, model);
      t.rows.push_back({std::to_string(rank), chips[i].id, fmt_num(r.best.output_tps_per_chip), fmt_num(r.best.tokens_per_s_per_user),
                        fmt_num(r.best.ttft_s * 1e3), fmt_num(r.best.tpot_s * 1e3), deployment_text(r.best.deployment, model), "ok"});
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
                       {"deployment", deployment_json(p.deployment, model)}});
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
                           fmt_num(p.tpot_s * 1e3), deployment_text(p.deployment, model)});
    out.tables.push_back(pt);
    out.titles.push_back("Pareto frontier: output tokens/s per chip against tokens/s per user");
  }
  if (!g.quiet) out.text = fmt::format("{} configurations evaluated in {:.3f} s\n", evaluated, secs);
  emit(g, out);
}

// ---- validate / calibrate ----------------------------------------------------

struct ValidateArgs {
  std::vector<std::string> files;
  std::string by = "chip";
  std::string doc;
  int folds = 0;
  std::string folds_by = "row";
  int assume_isl = 0;
  std::string assume_source;
  bool no_backend = false;
};

std::string group_key(const perf::RowPrediction& p, const std::string& by) {
  const auto& m = *p.row;
  if (by == "chip") return p.chip_id;
  if (by == "model") return p.model_id;
  if (by == "backend") return m.backend.empty() ? "?" : m.backend;
  if (by == "family") return p.family + "/" + (m.backend.empty() ? "?" : m.backend);
  if (by == "stack") return p.stack;
  if (by == "metric") return "";
  return p.chip_id;
}

struct Tables {
  json j;
  std::vector<Table> tables;
  std::vector<std::string> titles;
  std::string markdown;
};

std::string md_table(const Table& t) {
  std::string s = "|";
  for (const auto& h : t.headers) s += " " + h + " |";
  s += "\n|";
  for (std::size_t i = 0; i < t.headers.size(); ++i) s += (i == 0 ? "---|" : "---:|");
  s += "\n";
  for (const auto& r : t.rows) {
    s += "|";
    for (const auto& c : r) s += " " + c + " |";
    s += "\n";
  }
  return s;
}

// The fitted groups, one row each (validate --doc and calibrate print the same table).
Table fit_table(const std::vector<perf::FitGroup>& groups) {
  Table t{{"stack", "family", "backend", "model", "rows", "eta_compute", "eta_memory", "launch us", "per-seq us", "collective us",
           "TTFT overhead ms", "burst", "train median |err| %", "held-out median |err| %"},
          {},
          {}};
  auto all = [](const std::string& s) { return s.empty() ? std::string("(all)") : s; };
  for (const auto& g : groups)
    t.rows.push_back({g.stack, all(g.family), all(g.backend), all(g.model), std::to_string(g.rows.size()),
                      fmt::format("{:.3f}", g.fitted.eta_compute), fmt::format("{:.3f}", g.fitted.eta_memory),
                      fmt::format("{:.2f}", g.fitted.launch_overhead_s * 1e6), fmt::format("{:.2f}", g.fitted.seq_overhead_s * 1e6),
                      fmt::format("{:.2f}", g.fitted.comm_latency_s * 1e6), fmt::format("{:.1f}", g.fitted.ttft_overhead_s * 1e3),
                      fmt::format("{:.3f}", g.fitted.burst), fmt::format("{:.1f}", g.train_median_abs_error_pct),
                      fmt::format("{:.1f}", g.heldout_median_abs_error_pct)});
  return t;
}

// Error tables of a set of predictions: per metric, per group (and group x metric).
Tables error_tables(const std::vector<perf::RowPrediction>& preds, const std::string& by, bool rows_table) {
  Tables out;
  json rows = json::array();
  json skipped = json::array();
  std::vector<double> all;
  std::map<std::string, std::vector<double>> by_metric, by_group;
  std::map<std::pair<std::string, std::string>, std::vector<double>> by_group_metric;
  Table rt{{"id", "chip", "model", "backend", "metric", "measured", "predicted", "error %"}, {}, {}};
  for (const auto& p : preds) {
    if (!p.skip_reason.empty()) {
      skipped.push_back({{"id", p.row->id}, {"file", p.row->file}, {"line", p.row->line}, {"reason", p.skip_reason}});
      continue;
    }
    for (const auto& m : p.metrics) {
      const double e = m.error_pct();
      rows.push_back({{"id", p.row->id}, {"metric", m.metric}, {"measured", round_sig(m.measured)},
                      {"predicted", round_sig(m.predicted)}, {"error_pct", round_sig(e, 4)}, {"chip", p.chip_id},
                      {"model", p.model_id}, {"backend", p.row->backend}, {"family", p.family}, {"method", p.method},
                      {"assumed_isl", p.assumed_isl}});
      all.push_back(std::fabs(e));
      by_metric[m.metric].push_back(std::fabs(e));
      const std::string gk = group_key(p, by);
      by_group[gk].push_back(std::fabs(e));
      by_group_metric[{gk, m.metric}].push_back(std::fabs(e));
      if (rows_table)
        rt.rows.push_back({p.row->id, p.chip_id, p.model_id, p.row->backend, m.metric, fmt_num(m.measured), fmt_num(m.predicted),
                           fmt::format("{:+.1f}", e)});
    }
  }
  const auto s = perf::summarize(all);
  json by_j = json::object();
  for (const auto& [k, v] : by_group) {
    const auto gs = perf::summarize(v);
    by_j[k] = {{"n", gs.n}, {"median_abs_error_pct", round_sig(gs.median_abs_error_pct, 4)},
               {"p90_abs_error_pct", round_sig(gs.p90_abs_error_pct, 4)}};
  }
  json bm = json::object();
  Table mt{{"metric", "n", "median |err| %", "p90 |err| %"}, {}, {}};
  for (const auto& [k, v] : by_metric) {
    const auto ms = perf::summarize(v);
    bm[k] = {{"n", ms.n}, {"median_abs_error_pct", round_sig(ms.median_abs_error_pct, 4)},
             {"p90_abs_error_pct", round_sig(ms.p90_abs_error_pct, 4)}};
    mt.rows.push_back({k, std::to_string(ms.n), fmt::format("{:.1f}", ms.median_abs_error_pct), fmt::format("{:.1f}", ms.p90_abs_error_pct)});
  }
  mt.rows.push_back({"all", std::to_string(s.n), fmt::format("{:.1f}", s.median_abs_error_pct), fmt::format("{:.1f}", s.p90_abs_error_pct)});
  Table gt{{by, "metric", "n", "median |err| %", "p90 |err| %"}, {}, {}};
  for (const auto& [k, v] : by_group_metric) {
    const auto gs = perf::summarize(v);
    gt.rows.push_back({k.first, k.second, std::to_string(gs.n), fmt::format("{:.1f}", gs.median_abs_error_pct),
                       fmt::format("{:.1f}", gs.p90_abs_error_pct)});
  }
  out.j = {{"rows", rows},
           {"summary",
            {{"n", s.n},
             {"median_abs_error_pct", round_sig(s.median_abs_error_pct, 4)},
             {"p90_abs_error_pct", round_sig(s.p90_abs_error_pct, 4)},
             {"by", by_j},
             {"by_metric", bm}}},
           {"skipped", skipped}};
  out.tables = {mt, gt};
  out.titles = {"error by metric", "error by " + by + " and metric"};
  if (rows_table) {
    out.tables.push_back(rt);
    out.titles.push_back("per row");
  }
  Table sk{{"id", "reason"}, {}, {false, false}};
  std::map<std::string, int> reasons;
  for (const auto& x : skipped) reasons[x["reason"].get<std::string>()]++;
  for (const auto& [k, v] : reasons) sk.rows.push_back({std::to_string(v) + " row(s)", k});
  if (!sk.rows.empty()) {
    out.tables.push_back(sk);
    out.titles.push_back("skipped rows");
  }
  return out;
}

std::vector<perf::Measurement> read_all(const std::vector<std::string>& files) {
  std::vector<perf::Measurement> rows;
  for (const auto& f : files) {
    if (!fs::exists(f)) throw UserError(Location{f, 0, "--measurements"}, "an existing CSV file", "no such file");
    auto r = perf::read_measurements(f);
    rows.insert(rows.end(), r.begin(), r.end());
  }
  return rows;
}

perf::ValidateOptions validate_options(const ValidateArgs& a) {
  perf::ValidateOptions vo;
  if (a.assume_isl > 0) {
    if (a.assume_source.empty())
      throw UserError(Location{"", 0, "--assume-isl"}, "--assume-isl-source with the citation of the assumed mean", "none");
    vo.assumed_isl = a.assume_isl;
    vo.assumed_isl_source = a.assume_source;
  }
  vo.use_backend = !a.no_backend;
  return vo;
}

std::string today() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string validation_markdown(const std::vector<std::string>& files, const std::vector<perf::Measurement>& rows,
                                const std::vector<perf::RowPrediction>& in_sample, const perf::CalibrationResult& cal,
                                const perf::CalibrationResult& cal_by_model, const perf::ValidateOptions& vo,
                                const std::string& command) {
  std::string md;
  md += "# Validation of the perf model\n\n";
  md += "Generated by `gpugap` from the measurement files below; do not edit by hand. Regenerate with\n\n";
  md += "    " + command + "\n\n";
  md += "(no `make` needed: any built `gpugap` binary). The model is described in docs/model-perf.md.\n\n";
  md += "Inputs: ";
  for (std::size_t i = 0; i < files.size(); ++i) md += (i ? ", " : "") + std::string("`") + fs::path(files[i]).filename().string() + "`";
  md += fmt::format(" ({} rows).\n\n", rows.size());
  md += "**Held-out** errors come from k-fold cross-validation (k = " + std::to_string(cal.folds) +
        ", folds by a hash of the row id): for each fold the software-stack parameters (eta_compute, eta_memory, launch "
        "overhead, per-sequence overhead, collective latency, TTFT overhead, benchmark wave share; per stack, backend, "
        "chip family, family x backend and family x backend x model where a group has enough rows) are refitted on the "
        "other folds and the fold is predicted with the most specific group (and, for a publication with three or more TTFT rows, "
        "its own benchmark wave share, fitted on its training rows). "
        "**Held-out by model** repeats this with the folds drawn by model: no row of a predicted model is in its fit, "
        "so it falls back to the (family, backend) group; that is the error to expect for a model without "
        "measurements. "
        "**In-sample** errors use the shipped catalog values (fitted on all rows).\n\n";
  md += "Error = (predicted - measured) / measured. Rows whose chip or model lacks data, or that have no input length, "
        "are listed as skipped with the reason.\n\n";
  auto section = [&](const std::string& title, const std::vector<perf::RowPrediction>& preds, const std::string& by) {
    const Tables t = error_tables(preds, by, false);
    md += "### " + title + "\n\n";
    for (std::size_t i = 0; i < t.tables.size(); ++i) {
      if (t.titles[i] == "skipped rows") continue;
      md += "**" + t.titles[i] + "**\n\n" + md_table(t.tables[i]) + "\n";
    }
  };
  // Split by file and by whether isl was assumed.
  for (const auto& f : files) {
    const std::string base = fs::path(f).filename().string();
    std::vector<perf::RowPrediction> held, held_model, ins, assumed;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (rows[i].file != base) continue;
      if (cal.heldout[i].assumed_isl) assumed.push_back(cal.heldout[i]);
      else held.push_back(cal.heldout[i]);
      if (!cal_by_model.heldout[i].assumed_isl) held_model.push_back(cal_by_model.heldout[i]);
      if (!in_sample[i].assumed_isl) ins.push_back(in_sample[i]);
    }
    md += "## " + base + "\n\n";
    section("Held-out (k-fold) error, by chip family and backend", held, "family");
    section("Held-out (k-fold) error, by model", held, "model");
    {
      const Tables t = error_tables(held_model, "model", false);
      md += "### Held-out by model (folds drawn by model), by metric\n\n" + md_table(t.tables[0]) + "\n";
      const auto unfit = std::count_if(held_model.begin(), held_model.end(), [](const perf::RowPrediction& p) {
        return p.skip_reason.rfind("no fit for stack", 0) == 0;
      });
      if (unfit > 0)
        md += fmt::format("{} row(s) are not predicted here: without their model's rows their stack has too few to fit.\n\n", unfit);
    }
    section("In-sample error with the shipped catalog, by chip family and backend", ins, "family");
    if (!assumed.empty()) {
      md += "### Rows with an assumed input length (reported separately)\n\n";
      md += fmt::format("Assumed isl = {} tokens; source: {}.\n\n", vo.assumed_isl.value_or(0), vo.assumed_isl_source);
      section("Held-out error, assumed-isl rows", assumed, "family");
    }
  }
  md += "## Fitted efficiencies\n\n";
  const Table ft = fit_table(cal.groups);
  md += md_table(ft) + "\n";
  md += "Stacks without usable rows keep their uncalibrated priors (`estimate: true`), and their chips say `spec-only` in "
        "`gpugap catalog show`.\n\n";
  if (!cal.harness.empty()) {
    md += "## Benchmark wave share by publication\n\n";
    md += "The share of a benchmark's requests sent in its first simultaneous wave belongs to the harness that "
          "measured, not to the serving stack: a publication of the shared file with three or more TTFT rows has "
          "its own (fitted on all rows here, on the training folds for the held-out tables); the others, and the "
          "AIC rows, use their group's.\n\n";
    Table ht{{"source", "TTFT rows", "wave share"}, {}, {}};
    for (const auto& [src, h] : cal.harness) ht.rows.push_back({src, std::to_string(h.rows), fmt::format("{:.3f}", h.burst)});
    md += md_table(ht) + "\n";
  }
  md += "## Skipped rows\n\n";
  // One line per (file, reason): thousands of AIC rows share a handful of reasons.
  Table sk{{"file", "rows", "reason", "first row"}, {}, {}};
  std::map<std::pair<std::string, std::string>, std::pair<std::size_t, std::string>> skipped;
  for (const auto& p : cal.heldout)
    if (!p.skip_reason.empty()) {
      auto& e = skipped[{p.row->file, p.skip_reason}];
      if (e.first++ == 0) e.second = p.row->id;
    }
  for (const auto& [k, v] : skipped) sk.rows.push_back({k.first, std::to_string(v.first), k.second, v.second});
  md += sk.rows.empty() ? "None.\n" : md_table(sk);
  return md;
}

// The wave share fitted per publication, as JSON.
json harness_json(const std::map<std::string, perf::HarnessFit>& h) {
  json out = json::array();
  for (const auto& [src, f] : h) out.push_back({{"source", src}, {"ttft_rows", f.rows}, {"benchmark_burst", round_sig(f.burst, 4)}});
  return out;
}

void validate_cmd(const Global& g, const ValidateArgs& a) {
  const auto ctx = perf_context(g);
  const auto rows = read_all(a.files);
  auto vo = validate_options(a);
  std::vector<perf::RowPrediction> preds(rows.size());
  tbb::task_arena arena(g.threads > 0 ? g.threads : tbb::task_arena::automatic);
  std::map<std::string, perf::HarnessFit> harness;
  arena.execute([&] {
    // A publication's benchmark wave share is the measurement's, not the catalog's: fitted here.
    harness = perf::fit_harness(*ctx.catalog, ctx.params, rows, vo);
    vo.harness = &harness;
    tbb::parallel_for(std::size_t(0), rows.size(), [&](std::size_t i) { preds[i] = perf::predict(*ctx.catalog, ctx.params, rows[i], vo); });
  });
  std::vector<perf::RowPrediction> main, assumed;
  for (const auto& p : preds) (p.assumed_isl ? assumed : main).push_back(p);
  Tables t = error_tables(main, a.by, true);
  Output out;
  out.json = t.j;
  out.json["harness"] = harness_json(harness);
  if (!assumed.empty()) {
    Tables ta = error_tables(assumed, a.by, false);
    out.json["assumed_isl"] = {{"isl", *vo.assumed_isl}, {"source", vo.assumed_isl_source}, {"summary", ta.j["summary"]},
                               {"rows", ta.j["rows"]}};
    for (std::size_t i = 0; i < ta.tables.size(); ++i) {
      out.tables.push_back(ta.tables[i]);
      out.titles.push_back("assumed-isl rows: " + ta.titles[i]);
    }
  }
  if (a.folds > 0) {
    // Refused before the fits, not after the first of them.
    if (!a.doc.empty() && a.folds_by == "model")
      throw UserError(Location{"", 0, "--folds-by"}, "row folds with --doc (the document shows both)", "model");
    perf::CalibrateOptions co;
    co.folds = a.folds;
    co.folds_by_model = a.folds_by == "model";
    co.validate = vo;
    const auto cal = perf::calibrate(*ctx.catalog, ctx.params, rows, co);
    std::vector<perf::RowPrediction> held;
    for (const auto& p : cal.heldout)
      if (!p.assumed_isl) held.push_back(p);
    Tables th = error_tables(held, a.by, false);
    out.json["heldout"] = {{"folds", a.folds}, {"folds_by", a.folds_by}, {"summary", th.j["summary"]}, {"rows", th.j["rows"]}};
    for (std::size_t i = 0; i < th.tables.size(); ++i) {
      if (th.titles[i] == "skipped rows") continue;
      out.tables.push_back(th.tables[i]);
      out.titles.push_back("held-out (k-fold): " + th.titles[i]);
    }
    if (!a.doc.empty()) {
      std::string cmd = "gpugap validate";
      for (const auto& f : a.files) cmd += " --measurements " + f;
      cmd += fmt::format(" --folds {} --doc {}", a.folds, a.doc);
      perf::CalibrateOptions cm = co;
      cm.folds_by_model = true;
      const auto cal_model = perf::calibrate(*ctx.catalog, ctx.params, rows, cm);
      atomic_write(a.doc, validation_markdown(a.files, rows, preds, cal, cal_model, vo, cmd));
    }
  } else if (!a.doc.empty()) {
    throw UserError(Location{"", 0, "--doc"}, "--folds K together with --doc (the document shows held-out errors)", "no --folds");
  }
  out.tables.insert(out.tables.end(), t.tables.begin(), t.tables.end());
  out.titles.insert(out.titles.end(), t.titles.begin(), t.titles.end());
  // CSV: the per-row table.
  for (std::size_t i = 0; i < t.tables.size(); ++i)
    if (t.titles[i] == "per row") out.csv_table = t.tables[i];
  emit(g, out);
}

struct CalibrateArgs {
  ValidateArgs v;
  std::string overlay;
  std::string date;
};

std::string yaml_quote(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o + "\"";
}

void calibrate_cmd(const Global& g, const CalibrateArgs& a) {
  // Refuse a catalog-folder destination before the (minutes-long) fit, not after.
  if (const std::string dest = !a.overlay.empty() ? a.overlay : g.out; !dest.empty())
    refuse_catalog_output(g, dest, a.overlay.empty() ? "-o" : "--overlay");
  const auto ctx = perf_context(g);
  const auto rows = read_all(a.v.files);
  perf::CalibrateOptions co;
  co.folds = a.v.folds > 0 ? a.v.folds : 5;
  co.validate = validate_options(a.v);
  const auto cal = perf::calibrate(*ctx.catalog, ctx.params, rows, co);
  const std::string date = a.date.empty() ? today() : a.date;
  std::string names;
  for (std::size_t i = 0; i < a.v.files.size(); ++i) names += (i ? " + " : "") + fs::path(a.v.files[i]).filename().string();
  Output out;
  json groups = json::array();
  const Table t = fit_table(cal.groups);
  for (const auto& gr : cal.groups) {
    json hm = json::object();
    for (const auto& [k, s] : gr.heldout_by_metric)
      hm[k] = {{"n", s.n}, {"median_abs_error_pct", round_sig(s.median_abs_error_pct, 4)}, {"p90_abs_error_pct", round_sig(s.p90_abs_error_pct, 4)}};
    groups.push_back({{"stack", gr.stack}, {"family", gr.family}, {"backend", gr.backend}, {"model", gr.model}, {"rows", gr.rows.size()},
                      {"eta_compute", round_sig(gr.fitted.eta_compute, 4)}, {"eta_memory", round_sig(gr.fitted.eta_memory, 4)},
                      {"launch_overhead_us", round_sig(gr.fitted.launch_overhead_s * 1e6, 4)},
                      {"ttft_overhead_ms", round_sig(gr.fitted.ttft_overhead_s * 1e3, 4)},
                      {"benchmark_burst", round_sig(gr.fitted.burst, 4)},
                      {"comm_latency_us", round_sig(gr.fitted.comm_latency_s * 1e6, 4)},
                      {"seq_overhead_us", round_sig(gr.fitted.seq_overhead_s * 1e6, 4)},
                      {"train_median_abs_error_pct", round_sig(gr.train_median_abs_error_pct, 4)},
                      {"heldout_median_abs_error_pct", round_sig(gr.heldout_median_abs_error_pct, 4)}, {"heldout_by_metric", hm}});
  }
  auto prov = [&](const perf::FitGroup& gr) {
    return fmt::format("fitted on {} rows of {}, {} (gpugap calibrate: robust least squares on log error; {}-fold held-out median |error| {:.1f}%)",
                       gr.rows.size(), names, date, co.folds, gr.heldout_median_abs_error_pct);
  };
  auto quantity = [&](const std::string& indent, const std::string& key, const std::string& value, const perf::FitGroup& gr) {
    return fmt::format("{0}{1}:\n{0}  value: {2}\n{0}  source: {3}\n{0}  as_of: \"{4}\"\n{0}  confidence: medium\n", indent, key,
                       value, yaml_quote(prov(gr)), date);
  };
  auto values = [&](const std::string& indent, const perf::FitGroup& gr, const std::string& burst_key) {
    return quantity(indent, "eta_compute", fmt::format("{:.4f}", gr.fitted.eta_compute), gr) +
           quantity(indent, "eta_memory", fmt::format("{:.4f}", gr.fitted.eta_memory), gr) +
           quantity(indent, "launch_overhead", yaml_quote(fmt::format("{:.4g} ms", gr.fitted.launch_overhead_s * 1e3)), gr) +
           quantity(indent, "ttft_overhead", yaml_quote(fmt::format("{:.4g} ms", gr.fitted.ttft_overhead_s * 1e3)), gr) +
           quantity(indent, "comm_latency", yaml_quote(fmt::format("{:.4g} ms", gr.fitted.comm_latency_s * 1e3)), gr) +
           quantity(indent, "seq_overhead", yaml_quote(fmt::format("{:.4g} us", gr.fitted.seq_overhead_s * 1e6)), gr) +
           quantity(indent, burst_key, fmt::format("{:.4f}", gr.fitted.burst), gr);
  };
  // Overlay files: stacks/<stack>.yaml (stack, backend, family x backend) and
  // chips/<id>.yaml (the family fit in each chip's software block).
  std::map<std::string, std::string> files;  // relative path -> YAML
  for (const auto& gr : cal.groups) {
    if (!gr.family.empty() || !gr.backend.empty() || !gr.model.empty()) continue;
    std::string y = "# Written by `gpugap calibrate` on " + date + "; a catalog overlay (use with --catalog).\n";
    y += "id: " + gr.stack + "\ncalibrated: true\n";
    y += "calibration: " + yaml_quote(fmt::format("fitted on {} rows of {}, {}", gr.rows.size(), names, date)) + "\n";
    y += values("", gr, "benchmark_burst");
    std::string backends, families;
    for (const auto& b : cal.groups) {
      if (b.stack != gr.stack || b.backend.empty()) continue;
      if (b.family.empty() && b.model.empty()) backends += "  " + b.backend + ":\n" + quantity("    ", "rows", std::to_string(b.rows.size()), b) + values("    ", b, "benchmark_burst");
    }
    // family -> backend -> (the pair's own values, its models' values)
    std::map<std::string, std::map<std::string, std::pair<std::string, std::string>>> by_family;
    for (const auto& b : cal.groups) {
      if (b.stack != gr.stack || b.backend.empty() || b.family.empty()) continue;
      auto& [own, models] = by_family[b.family][b.backend];
      if (b.model.empty()) own = quantity("        ", "rows", std::to_string(b.rows.size()), b) + values("        ", b, "benchmark_burst");
      else
        models += "          " + perf::calibration_model_key(b.model) + ":\n" +
                  quantity("            ", "rows", std::to_string(b.rows.size()), b) + values("            ", b, "benchmark_burst");
    }
    for (const auto& [fam, backends_of] : by_family) {
      families += "  " + fam + ":\n    backend:\n";
      for (const auto& [be, text] : backends_of)
        families += "      " + be + ":\n" + text.first + (text.second.empty() ? "" : "        model:\n" + text.second);
    }
    if (!backends.empty()) y += "backend:\n" + backends;
    if (!families.empty()) y += "family:\n" + families;
    files["stacks/" + gr.stack + ".yaml"] = y;
  }
  for (const auto& gr : cal.groups) {
    if (gr.family.empty() || !gr.backend.empty()) continue;
    for (const auto& id : ctx.catalog->ids("chips")) {
      const ChipSpec c = chip_spec(*ctx.catalog, ctx.params, id);
      if (c.stack != gr.stack || perf::chip_family(id) != gr.family) continue;
      std::string y = "# Written by `gpugap calibrate` on " + date + "; a catalog overlay (use with --catalog).\n";
      y += "id: " + id + "\nsoftware:\n  calibrated: true\n";
      y += "  calibration: " + yaml_quote(fmt::format("family {} fitted on {} rows of {}, {}", gr.family, gr.rows.size(), names, date)) + "\n";
      y += values("  ", gr, "benchmark_burst");
      files["chips/" + id + ".yaml"] = y;
    }
  }
  out.json = {{"date", date}, {"files", a.v.files}, {"folds", co.folds}, {"groups", groups}};
  out.json["harness"] = harness_json(cal.harness);
  std::vector<perf::RowPrediction> held;
  for (const auto& p : cal.heldout)
    if (!p.assumed_isl) held.push_back(p);
  Tables th = error_tables(held, "family", false);
  out.json["heldout"] = th.j["summary"];
  out.tables = {t};
  out.titles = {"fitted software-stack efficiencies"};
  for (std::size_t i = 0; i < th.tables.size(); ++i) {
    out.tables.push_back(th.tables[i]);
    out.titles.push_back("held-out (k-fold): " + th.titles[i]);
  }
  const std::string overlay = !a.overlay.empty() ? a.overlay : g.out;
  if (!overlay.empty()) {
    for (const auto& [rel, y] : files) atomic_write((fs::path(overlay) / rel).string(), y);
    out.text = fmt::format("wrote {} overlay file(s) to {}\n", files.size(), overlay);
  }
  Global g2 = g;
  g2.out.clear();  // -o names the overlay folder for calibrate
  emit(g2, out);
}

}  // namespace

void add_perf_commands(CLI::App& app, Global& g) {
  static PerfArgs pa;
  auto* perf = app.add_subcommand("perf", "TTFT, TPOT and tokens/s of one deployment of a model on a chip");
  perf->add_option("--chip", pa.chip, "chip id or alias")->required();
  perf->add_option("--model", pa.model, "model id or alias")->required();
  perf->add_option("--workload", pa.wl.workload, "workload id (default: chat)");
  perf->add_option("--isl", pa.wl.isl, "input tokens per request");
  perf->add_option("--osl", pa.wl.osl, "output tokens per request");
  perf->add_option("--precision", pa.precision, "GEMM format: bf16, fp8, int8 (W8A8), w4a8, w4a16, fp4 (default: the checkpoint's)");
  perf->add_option("--kv-precision", pa.kv, "KV cache: bf16, fp8, int8");
  perf->add_option("--tp", pa.tp, "tensor parallel size (default: smallest that fits)");
  perf->add_option("--pp", pa.pp, "pipeline stages");
  perf->add_option("--dp", pa.dp, "replicas");
  perf->add_option("--attention-dp", pa.adp, "attention data-parallel ranks per instance");
  perf->add_option("--ep", pa.ep, "expert parallel size");
  perf->add_option("--moe-tp", pa.moe_tp, "MoE tensor parallel size (default: tp x attention-dp / ep)");
  perf->add_option("--batch", pa.batch, "concurrent sequences per instance (default: the most that fit)");
  perf->add_option("--mode", pa.mode, "agg or disagg");
  perf->add_option("--mtp", pa.mtp, "MTP / speculative draft tokens");
  perf->add_option("--mtp-acceptance", pa.acceptance, "draft acceptance rate (default: the model's catalog value)");
  perf->add_option("--prefix-hit", pa.prefix_hit, "prefix-cache hit rate of input tokens");
  perf->add_option("--prefill-ratio", pa.ratio, "disagg: prefill chips per decode chip (default: sized)");
  perf->add_option("--prefill-tp", pa.prefill_tp, "disagg: prefill pool TP");
  perf->add_option("--prefill-ep", pa.prefill_ep, "disagg: prefill pool EP");
  perf->add_option("--prefill-attention-dp", pa.prefill_adp, "disagg: prefill pool attention DP");
  perf->add_option("--concurrency", pa.concurrency, "clients per instance (closed loop); beyond the batch they queue");
  perf->add_flag("--overlap", pa.overlap, "two-micro-batch overlap of communication with compute");
  perf->add_option("--ttft-ms", pa.wl.ttft_ms, "TTFT target (ms)");
  perf->add_option("--tpot-ms", pa.wl.tpot_ms, "TPOT target (ms)");
  perf->callback([&g] { perf_cmd(g, pa); });

  static SearchArgs sa;
  auto* search = app.add_subcommand("search", "best deployment per chip under TTFT/TPOT targets; Pareto frontier");
  search->add_option("--model", sa.model, "model id or alias")->required();
  search->add_option("--chips", sa.chips, "comma-separated chip ids (default: every catalog chip)");
  search->add_option("--workload", sa.wl.workload, "workload id (default: chat)");
  search->add_option("--isl", sa.wl.isl, "input tokens per request");
  search->add_option("--osl", sa.wl.osl, "output tokens per request");
  search->add_option("--ttft-ms", sa.wl.ttft_ms, "TTFT target (ms; default: the workload's)");
  search->add_option("--tpot-ms", sa.wl.tpot_ms, "TPOT target (ms; default: the workload's)");
  search->add_option("--precision", sa.precision, "only this GEMM format");
  search->add_option("--kv-precision", sa.kv, "KV cache format (default: fp8 where supported)");
  search->add_option("--mtp-acceptance", sa.acceptance, "draft acceptance rate (default: the model's catalog value)");
  search->add_flag("--pareto", sa.pareto, "also print the Pareto frontier");
  search->add_flag("--no-disagg", sa.no_disagg, "aggregated serving only");
  search->add_flag("--no-mtp", sa.no_mtp, "no MTP / speculative decoding");
  search->add_option("--top", sa.top, "keep the best K chips");
  search->callback([&g] { search_cmd(g, sa); });

  static ValidateArgs va;
  auto* val = app.add_subcommand("validate", "predict published measurements and report the error");
  val->add_option("--measurements", va.files, "CSV (measurements-shared.csv or aic-silicon-sample.csv schema); repeatable")->required();
  val->add_option("--by", va.by, "group by chip, model, backend, family or stack")
      ->check(CLI::IsMember({"chip", "model", "backend", "family", "stack"}));
  val->add_option("--folds", va.folds, "also report k-fold held-out error (refits per fold)");
  val->add_option("--folds-by", va.folds_by, "draw the folds by row (default) or by model (no row of a predicted model in its fit)")
      ->check(CLI::IsMember({"row", "model"}));
  val->add_option("--doc", va.doc, "write the markdown report (docs/validation.md); needs --folds");
  val->add_option("--assume-isl", va.assume_isl, "mean input length for rows without isl (reported separately)");
  val->add_option("--assume-isl-source", va.assume_source, "citation of that mean");
  val->add_flag("--no-backend", va.no_backend, "ignore backend-specific efficiencies");
  val->callback([&g] { validate_cmd(g, va); });

  static CalibrateArgs ca;
  auto* calib = app.add_subcommand("calibrate", "fit software-stack efficiencies on measurements; write a catalog overlay");
  calib->add_option("--measurements", ca.v.files, "CSV files; repeatable")->required();
  calib->add_option("--folds", ca.v.folds, "k for the held-out error (default 5)");
  calib->add_option("--assume-isl", ca.v.assume_isl, "mean input length for rows without isl");
  calib->add_option("--assume-isl-source", ca.v.assume_source, "citation of that mean");
  calib->add_option("--date", ca.date, "date written into the provenance (default: today, UTC)");
  // -o is global (--out); the overlay directory is its own option so JSON can still go to -o.
  calib->add_option("--overlay", ca.overlay, "write the fitted values as a catalog overlay into this folder");
  calib->callback([&g] { calibrate_cmd(g, ca); });
}

}  // namespace gpugap::cli
