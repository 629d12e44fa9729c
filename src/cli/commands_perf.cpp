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

#include "catalog/family.hpp"
#include "catalog/specs.hpp"
#include "cli/intervals_view.hpp"
#include "cli/perf_common.hpp"
#include "core/source_dir.hpp"
#include "core/status.hpp"
#include "core/suggest.hpp"
#include "perf/deployment.hpp"
#include "perf/perf.hpp"
#include "perf/serving.hpp"
#include "serve/serve.hpp"

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
      cat->set_serving({g.stack_backend, perf::load_kernel_tables(*cat), {}});
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
  j["output_tps_per_decode_chip"] = round_sig(r.output_tps_per_decode_chip);
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

struct PerfArgs {
  std::string chip, model;
  WorkloadArgs wl;
  DeploymentArgs dep;
};


// The perf command's JSON and tables (the notes and exit status are the caller's).
// What a "chip" of the output is: the rank unit and, for a package of several devices, the
// per-package figures (= devices x per-device at the same per-device load).
struct UnitView {
  perf::RankUnit unit = perf::RankUnit::kPackage;
  int devices = 1;     // devices per package
  std::string note;    // perf::unit_note ("" for one die, one device)
};

Output perf_output(const ChipSpec& chip, const ModelSpec& model, const Workload& w, const perf::PerfResult& r,
                   const std::optional<double>& ttft_t, const std::optional<double>& tpot_t, const UnitView& u) {
  Output out;
  out.json = result_json(chip.id, model, w, r, ttft_t, tpot_t);
  out.json["stack"] = perf::stack_json(chip);
  const bool per_device = u.unit == perf::RankUnit::kDevice;
  const int per_pkg = per_device ? u.devices : 1;
  out.json["unit"] = {{"chip", std::string(perf::rank_unit_name(u.unit))}, {"devices_per_package", u.devices}};
  if (!u.note.empty()) out.json["unit"]["note"] = u.note;
  if (r.ok()) {
    out.json["output_tps_per_package"] = round_sig(r.output_tps_per_chip * per_pkg);
    out.json["output_tps_per_decode_package"] = round_sig(r.output_tps_per_decode_chip * per_pkg);
    out.json["prefill_tps_per_package"] = round_sig(r.prefill_tps_per_chip * per_pkg);
  }
  // A catalog chip is a package: "chip" unless the ranks are devices of it.
  const std::string unit = per_device ? "device" : "chip";
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
  if (!u.note.empty()) row("unit", u.note);
  const bool disagg = r.deployment.mode == perf::ServeMode::kDisagg;
  row("output tokens/s per " + unit + (disagg ? " (both pools)" : ""), fmt_num(r.output_tps_per_chip));
  if (disagg) row("output tokens/s per decode " + unit, fmt_num(r.output_tps_per_decode_chip));
  if (per_device) {
    row("output tokens/s per package" + std::string(disagg ? " (both pools)" : ""), fmt_num(r.output_tps_per_chip * per_pkg));
    if (disagg) row("output tokens/s per decode package", fmt_num(r.output_tps_per_decode_chip * per_pkg));
  }
  row("input tokens/s per " + unit, fmt_num(r.input_tps_per_chip));
  row("batch (max that fits)", fmt::format("{} ({})", r.batch, r.max_batch));
  row("memory per " + unit, fmt::format("{} of {} GB usable (weights {}, KV {})", fmt_num(r.memory_used_bytes / 1e9),
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

// The 80% intervals of TTFT, TPOT and output tok/s per chip (cli/intervals_view.hpp): a
// JSON field and a table of their own.
void add_perf_intervals(const DeploymentSetup& s, const perf::PerfResult& r, Output& out) {
  const ShownIntervals shown = shown_intervals();
  const IntervalKey k = interval_key(s.ctx, s.chip);
  const PredictedFigures f{r.ttft_s * 1e3, r.tpot_s * 1e3, r.output_tps_per_chip};
  out.json["intervals_80"] = perf_intervals_json(shown, k.family, k.stack, f);
  // Right under the figures it bounds, before the operator breakdown.
  const auto at = static_cast<std::ptrdiff_t>(std::min<std::size_t>(1, out.tables.size()));
  out.tables.insert(out.tables.begin() + at, perf_intervals_table(shown, k.family, k.stack, f));
  out.titles.insert(out.titles.begin() + at, kIntervalTitle);
}

void perf_cmd(const Global& g, const PerfArgs& a) {
  const DeploymentSetup s = resolve_setup(g, a.chip, a.model, a.wl, a.dep);
  const ChipSpec& chip = s.chip;
  const ModelSpec& model = s.model;
  const Workload& w = s.w;
  const auto& defaults = s.defaults;
  perf::PerfResult r = perf::evaluate(chip, model, s.d, w);
  if (!r.ok()) {
    Missing::parse(r.status).raise();
    throw InternalError("perf::evaluate status: " + r.status);
  }
  r.notes.insert(r.notes.begin(), defaults.begin(), defaults.end());
  const std::optional<double> ttft_t = w.ttft_target ? std::optional<double>(w.ttft_target->value()) : std::nullopt;
  const std::optional<double> tpot_t = w.tpot_target ? std::optional<double>(w.tpot_target->value()) : std::nullopt;
  const Location deployment{"", 0, "deployment"};
  const UnitView u{s.unit, s.devices_per_package, perf::unit_note(chip, s.unit)};
  Output out = perf_output(chip, model, w, r, ttft_t, tpot_t, u);
  out.text += "stack: " + perf::stack_line(chip) + "\n";
  add_perf_intervals(s, r, out);
  for (const auto& n : r.notes) out.text += "note: " + n + "\n";
  // A failing run (exit 2) leaves an existing -o file untouched; on stdout the table still shows by how much.
  require(r.feasible || g.out.empty(), deployment, "a deployment that fits", r.infeasible_reason);
  emit(g, out);
  require(r.feasible, deployment, "a deployment that fits", r.infeasible_reason);
}

struct SearchArgs {
  std::string model, chips, precision, kv;
  WorkloadArgs wl;
  bool pareto = false, no_disagg = false, no_mtp = false, overlap = false;
  int top = 0, verify = 0;
  double acceptance = -1, acceptance_later = -1;
};

// Re-checks the best deployment of the top `k` chips with the simulator: a closed loop of
// `batch` clients sending 4 x batch requests (at least 100) of the workload's lengths to
// the vLLM scheduler preset capped at that batch. Outside the search's loop.
void verify_top(int k, const std::vector<std::size_t>& order, const std::vector<ChipSpec>& chips,
                const std::vector<perf::SearchResult>& results, const ModelSpec& model, const Workload& w, json& rows,
                Output& out) {
  Table t{{"chip", "analytic out tok/s/chip", "simulated", "ratio", "TTFT ms (sim)", "TPOT ms (sim)", "requests"}, {}, {}};
  int done = 0;
  for (std::size_t pos = 0; pos < order.size() && done < k; ++pos) {
    const auto& r = results[order[pos]];
    if (!r.found) continue;
    ++done;
    const perf::Deployment& d = r.best.deployment;
    serve::SimOptions so;
    so.requests.count = std::max(100, 4 * d.batch);
    so.requests.isl = w.isl;
    so.requests.osl = w.osl;
    so.arrivals.max_concurrency = d.batch;
    so.scheduler = *serve::scheduler_preset("vllm");
    so.scheduler.max_running = d.batch;
    const serve::SimResult sim = serve::simulate(chips[order[pos]], model, d, so);
    json v = {{"status", sim.status}};
    if (sim.ok()) {
      const double ratio = sim.output_tps_per_chip / r.best.output_tps_per_chip;
      v = {{"status", "ok"},
           {"requests", sim.requests},
           {"scheduler", "vllm"},
           {"output_tps_per_chip", round_sig(sim.output_tps_per_chip)},
           {"ratio_to_analytic", round_sig(ratio, 4)},
           {"ttft_ms", round_sig(sim.ttft_ms.mean)},
           {"tpot_ms", round_sig(sim.tpot_ms.mean)}};
      t.rows.push_back({chips[order[pos]].id, fmt_num(r.best.output_tps_per_chip), fmt_num(sim.output_tps_per_chip),
                        fmt::format("{:.3f}", ratio), fmt_num(sim.ttft_ms.mean), fmt_num(sim.tpot_ms.mean),
                        std::to_string(sim.requests)});
    } else {
      t.rows.push_back({chips[order[pos]].id, fmt_num(r.best.output_tps_per_chip), "", "", "", "", sim.status});
    }
    rows[pos]["verify"] = v;
  }
  out.tables.push_back(t);
  out.titles.push_back(fmt::format("top {} re-checked with the simulator (closed loop of `batch` clients, 4 x batch requests, vLLM preset)", k));
}

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
  so.allow_overlap = a.overlap;
  so.pareto = a.pareto;
  if (a.acceptance >= 0) so.mtp_acceptance = a.acceptance;
  else if (auto acc = perf::model_mtp_acceptance(ctx.params, model)) so.mtp_acceptance = *acc;
  so.mtp_acceptance_later = later_acceptance(a.acceptance_later, a.acceptance < 0, ctx.params, model);
  std::vector<ChipSpec> chips;
  if (chip_ids.size() == 1) perf::check_backend(*ctx.catalog, ctx.params, g.stack_backend, chip_ids.front());
  else perf::check_backend(*ctx.catalog, ctx.params, g.stack_backend);
  for (const auto& id : chip_ids) chips.push_back(perf::serving_chip(*ctx.catalog, ctx.params, id));
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
  Table t{{"rank", "chip", "out tok/s/chip", "tok/s/user", "TTFT ms", "TPOT ms", "deployment", "stack", "status"}, {}, {}};
  int rank = 0;
  for (auto i : order) {
    const auto& r = results[i];
    json j = {{"chip", chips[i].id}, {"status", r.status}, {"found", r.found}, {"evaluated", r.evaluated},
              {"calibrated", chips[i].calibrated}, {"stack", perf::stack_json(chips[i])}};
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
                        fmt_num(r.best.ttft_s * 1e3), fmt_num(r.best.tpot_s * 1e3), perf::describe(r.best.deployment, model),
                        perf::stack_short(chips[i].stack, chips[i].serving), "ok"});
    } else {
      t.rows.push_back({"-", chips[i].id, "", "", "", "", "", perf::stack_short(chips[i].stack, chips[i].serving), r.status});
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
  if (a.verify > 0) verify_top(a.verify, order, chips, results, model, w, out.json["rows"], out);
  if (!g.quiet) out.text = fmt::format("{} configurations evaluated in {:.3f} s\n", evaluated, secs);
  emit(g, out);
}

}  // namespace

void add_perf_commands(CLI::App& app, Global& g) {
  auto pa = std::make_shared<PerfArgs>();
  auto* perf = app.add_subcommand("perf", "TTFT, TPOT and tokens/s of one deployment of a model on a chip");
  perf->add_option("--chip", pa->chip, "chip id or alias")->required();
  perf->add_option("--model", pa->model, "model id or alias")->required();
  perf->add_option("--workload", pa->wl.workload, "workload id (default: chat)");
  perf->add_option("--isl", pa->wl.isl, "input tokens per request")->check(count_at_least(1));
  perf->add_option("--osl", pa->wl.osl, "output tokens per request")->check(count_at_least(1));
  add_deployment_options(perf, pa->dep);
  perf->add_option("--ttft-ms", pa->wl.ttft_ms, "TTFT target (ms)")->check(positive_number());
  add_stack_option(perf, g);
  perf->add_option("--tpot-ms", pa->wl.tpot_ms, "TPOT target (ms)")->check(positive_number());
  perf->callback([&g, pa] { perf_cmd(g, *pa); });

  auto sa = std::make_shared<SearchArgs>();
  auto* search = app.add_subcommand("search", "best deployment per chip under TTFT/TPOT targets; Pareto frontier");
  search->add_option("--model", sa->model, "model id or alias")->required();
  search->add_option("--chips", sa->chips, "comma-separated chip ids (default: every catalog chip)");
  search->add_option("--workload", sa->wl.workload, "workload id (default: chat)");
  search->add_option("--isl", sa->wl.isl, "input tokens per request")->check(count_at_least(1));
  search->add_option("--osl", sa->wl.osl, "output tokens per request")->check(count_at_least(1));
  search->add_option("--ttft-ms", sa->wl.ttft_ms, "TTFT target (ms; default: the workload's)")->check(positive_number());
  search->add_option("--tpot-ms", sa->wl.tpot_ms, "TPOT target (ms; default: the workload's)")->check(positive_number());
  search->add_option("--precision", sa->precision, "only this GEMM format");
  search->add_option("--kv-precision", sa->kv, "KV cache format (default: fp8 where supported)");
  search->add_option("--mtp-acceptance", sa->acceptance, "draft acceptance rate (default: the model's catalog value)");
  search->add_option("--mtp-acceptance-later", sa->acceptance_later, kAcceptanceLaterHelp);
  search->add_flag("--pareto", sa->pareto, "also print the Pareto frontier");
  add_stack_option(search, g);
  search->add_flag("--no-disagg", sa->no_disagg, "aggregated serving only");
  search->add_flag("--no-mtp", sa->no_mtp, "no MTP / speculative decoding");
  search->add_flag("--overlap", sa->overlap, "also try two-micro-batch overlap of communication with compute");
  search->add_option("--top", sa->top, "keep the best K chips")->check(count_at_least(1));
  search->add_option("--verify", sa->verify, "re-check the best deployment of the top K chips with the serving simulator")
      ->check(count_at_least(0));
  search->callback([&g, sa] { search_cmd(g, *sa); });

  add_validation_commands(app, g);
}

// ---- the 80% intervals perf, econ and score show (intervals_view.hpp) ---------------
ShownIntervals shown_intervals() {
  // The source tree's files by their path in it: the same bytes from any checkout.
  auto shown = [](const std::string& p) {
    const std::string root = core::source_dir() + "/";
    return p.starts_with(root) ? p.substr(root.size()) : p;
  };
  ShownIntervals s;
  s.file = perf::shipped_intervals();
  if (!s.file) {
    s.note = insufficient_data_text(shown(perf::intervals_path())) + " (make intervals writes it)";
    s.label = s.note;
    return s;
  }
  const std::string date = s.file->date.empty() ? "?" : s.file->date;
  s.note = fmt::format("{} (generated {} by {})", shown(s.file->path), date, s.file->command.empty() ? "?" : s.file->command);
  s.label = fmt::format("{} (generated {})", shown(s.file->path), date);
  return s;
}

nlohmann::json interval_json(const perf::PointInterval& iv) {
  if (!iv.ok) return nullptr;
  return {{"p10", perf::round_sig(iv.p10)}, {"p90", perf::round_sig(iv.p90)}, {"basis", iv.basis}};
}

perf::PointInterval figure_interval(const ShownIntervals& s, const std::string& family, const std::string& stack,
                                    const std::string& metric, double point) {
  if (!s.file || !std::isfinite(point)) return {};
  return perf::interval_of(s.file->table, family, stack, metric, point);
}

namespace {
constexpr const char* kIntervalMetrics[] = {"output_tps_per_chip", "tpot_ms", "ttft_ms"};
double value_of(const PredictedFigures& f, std::string_view m) {
  return m == "ttft_ms" ? f.ttft_ms : m == "tpot_ms" ? f.tpot_ms : f.output_tps_per_chip;
}
}  // namespace

nlohmann::json perf_intervals_json(const ShownIntervals& s, const std::string& family, const std::string& stack, const PredictedFigures& f) {
  nlohmann::json j = {{"level", 0.8}, {"source", s.note}};
  for (const char* m : kIntervalMetrics) j[m] = interval_json(figure_interval(s, family, stack, m, value_of(f, m)));
  return j;
}

std::string interval_cell(const perf::PointInterval& iv, int sig) {
  return iv.ok ? fmt_num(iv.p10, sig) + " - " + fmt_num(iv.p90, sig) : "-";
}

Table perf_intervals_table(const ShownIntervals& s, const std::string& family, const std::string& stack, const PredictedFigures& f) {
  Table t{{"figure", "predicted", "p10", "p90", "basis"}, {}, {false, true, true, true, false}};
  const std::pair<const char*, const char*> names[] = {
      {"output_tps_per_chip", "output tokens/s per chip"}, {"tpot_ms", "TPOT ms"}, {"ttft_ms", "TTFT ms"}};
  for (const auto& [m, label] : names) {
    const double v = value_of(f, m);
    const auto iv = figure_interval(s, family, stack, m, v);
    t.rows.push_back({label, fmt_num(v), iv.ok ? fmt_num(iv.p10) : "-", iv.ok ? fmt_num(iv.p90) : "-", iv.ok ? iv.basis : s.note});
  }
  return t;
}

IntervalKey interval_key(const analysis::Context& ctx, const ChipSpec& chip) {
  return {catalog::chip_family(*ctx.catalog, chip.id), chip.stack};
}

IntervalKey interval_key(const analysis::Context& ctx, const std::string& chip_id) {
  return interval_key(ctx, chip_spec(*ctx.catalog, ctx.params, chip_id));
}

}  // namespace gpugap::cli
