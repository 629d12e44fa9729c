// gpugap validate | calibrate (see shared/spec/cli.md): predictions of published
// measurements, their errors, the fits and the catalog overlay they write.
#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>

#include "catalog/overlay.hpp"
#include "core/progress.hpp"
#include "cli/perf_common.hpp"
#include "cli/validation_tables.hpp"
#include "perf/calibration_overlay.hpp"
#include "perf/interval_file.hpp"
#include "perf/intervals.hpp"
#include "perf/deployment.hpp"
#include "perf/kernels.hpp"
#include "perf/validation.hpp"
#include "serve/validate.hpp"

namespace fs = std::filesystem;

namespace gpugap::cli {
namespace {

using nlohmann::json;
using perf::round_sig;

struct ValidateArgs {
  std::vector<std::string> files;
  std::string by = "chip";
  std::string doc;
  int folds = 0;
  std::string folds_by = "row";
  int assume_isl = 0;
  std::string assume_source;
  bool no_backend = false;
  std::string kernels;      // kernel tables (default: data/kernels/kernels.csv of the source tree)
  bool no_kernels = false;  // the held-out refits without them (the fitted efficiencies for every operator)
  std::string heldout_publication;  // with --folds-by source: only this publication's fold
  std::string intervals_out;        // with --folds-by source: the interval table perf, econ, score read
  std::string summary_out;          // with --folds-by source: the headline the report reads
};

// The command that regenerates the shipped interval table and headline (`make intervals`).
std::string lopo_command(const ValidateArgs& a) {
  std::string cmd = "gpugap validate";
  for (const auto& f : a.files) cmd += " --measurements " + f;
  // With --doc the document's own leave-one-publication-out and k-fold runs write them.
  cmd += a.doc.empty() ? std::string(" --folds-by source") : fmt::format(" --folds {} --doc {}", a.folds, a.doc);
  if (!a.intervals_out.empty()) cmd += " --intervals-out " + a.intervals_out;
  if (!a.summary_out.empty()) cmd += " --summary-out " + a.summary_out;
  return cmd;
}

// --intervals-out and --summary-out: what users see of the leave-one-publication-out run.
// The summary also carries the k-fold figures (a second set of refits) as the report's
// secondary line.
void write_lopo_files(const ValidateArgs& a, const analysis::Context& ctx, const std::vector<perf::Measurement>& rows,
                      const perf::CalibrationResult& by_source, const perf::CalibrateOptions& co,
                      const perf::CalibrationResult* kfold_done = nullptr) {
  const std::string date = today_utc();
  std::vector<std::string> names;
  for (const auto& f : a.files) names.push_back(fs::path(f).filename().string());
  if (!a.intervals_out.empty()) {
    std::vector<perf::RowPrediction> held;
    for (const auto& p : by_source.heldout)
      if (!p.assumed_isl) held.push_back(p);
    const auto table = perf::build_intervals(perf::residuals_of(held));
    atomic_write(a.intervals_out, perf::intervals_csv(table, lopo_command(a), names, date));
  }
  if (!a.summary_out.empty()) {
    json j = lopo_summary_json(rows, by_source);
    j["generated"] = {{"command", lopo_command(a)}, {"date", date}, {"measurement_files", names}};
    std::optional<perf::CalibrationResult> own;  // the k-fold refits, unless the caller ran them
    if (!kfold_done) {
      perf::CalibrateOptions ck = co;
      ck.folds_by_source = false;
      ck.only_publication.clear();
      ck.folds = a.folds > 0 ? a.folds : 5;
      own = perf::calibrate(*ctx.catalog, ctx.params, rows, ck);
    }
    const perf::CalibrationResult& kfold = kfold_done ? *kfold_done : *own;
    std::vector<perf::RowPrediction> held;
    for (const auto& p : kfold.heldout)
      if (!p.assumed_isl) held.push_back(p);
    j["kfold"] = {{"folds", kfold.folds}, {"summary", error_tables(held, "family", false).j["summary"]}};
    atomic_write(a.summary_out, dump_json(j) + "\n");
  }
}

// What the fits and predictions run on (perf::load_kernel_tables, the loader perf and econ use):
// the context's tables, or --kernels FILE with the side tables beside it (chips of the same silicon,
// proxies.csv; operator microbenchmarks, ascend-evidence.csv). --no-kernels drops the tables and
// keeps the operator microbenchmarks: they describe chips without tables, which the roofline fit
// (tools/refit_catalog.py's fit with the tables off) is the fit of.
std::shared_ptr<const perf::KernelTables> kernel_tables(const analysis::Context& ctx, const ValidateArgs& a) {
  // With --set overrides the chips of the same silicon are carried at the overridden peaks, as perf carries them.
  auto t = a.kernels.empty() && ctx.overrides.empty() ? ctx.catalog->serving().kernels
                                                       : perf::load_kernel_tables(*ctx.catalog, ctx.params, a.kernels);
  if (!t && !a.kernels.empty()) throw UserError(Location{a.kernels, 0, "--kernels"}, "an existing kernel table", "no such file");
  if (!t) return std::make_shared<const perf::KernelTables>();
  if (!a.no_kernels) return t;
  perf::KernelTables none;
  none.set_operator_evidence(t->operator_evidence());
  return std::make_shared<const perf::KernelTables>(std::move(none));
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

// Held-out rows whose benchmark is described are replayed by the simulator with their fold's values.
std::function<void(const perf::Measurement&, const perf::Efficiency&, perf::RowPrediction&)> replay_hook(const analysis::Context& ctx,
                                                                                                         const perf::ValidateOptions& vo) {
  return [&ctx, vo](const perf::Measurement& m, const perf::Efficiency& e, perf::RowPrediction& p) {
    serve::simulate_row(*ctx.catalog, ctx.params, m, vo, p, &e);
  };
}

void validate_cmd(const Global& g, const ValidateArgs& a) {
  const auto ctx = perf_context(g);
  const auto rows = read_all(a.files);
  auto vo = validate_options(a);
  // Rows whose chip and backend have measured kernels are predicted on them, in-sample as in
  // the refits: the shipped catalog values were fitted that way (tools/refit_catalog.py), and
  // perf, search, econ, score and gap run them so (perf/serving.hpp).
  const auto kernels = kernel_tables(ctx, a);
  vo.kernels = kernels.get();
  vo.operator_evidence = &kernels->operator_evidence();
  std::vector<perf::RowPrediction> preds(rows.size());
  tbb::task_arena arena(g.threads > 0 ? g.threads : tbb::task_arena::automatic);
  std::map<std::string, perf::HarnessFit> harness;
  // A bar over the rows predicted, then the rows replayed by the simulator (core/progress).
  const auto replayed = static_cast<std::uint64_t>(std::count_if(rows.begin(), rows.end(), [](const auto& m) { return !m.harness.empty(); }));
  Progress bar("validate", rows.size() + replayed, "rows", progress_mode(g.quiet));
  arena.execute([&] {
    // A publication's benchmark wave share is the measurement's, not the catalog's: fitted here.
    harness = perf::fit_harness(*ctx.catalog, ctx.params, rows, vo);
    vo.harness = &harness;
    tbb::parallel_for(std::size_t(0), rows.size(), [&](std::size_t i) {
      preds[i] = perf::predict(*ctx.catalog, ctx.params, rows[i], vo);
      bar.add();
    });
    // Rows whose benchmark is described are replayed by the simulator (after the fit, never inside it).
    tbb::parallel_for(std::size_t(0), rows.size(), [&](std::size_t i) {
      if (rows[i].harness.empty()) return;
      serve::simulate_row(*ctx.catalog, ctx.params, rows[i], vo, preds[i]);
      bar.add();
    });
  });
  bar.finish();
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
  if (a.folds > 0 || a.folds_by == "source") {
    // Refused before the fits, not after the first of them.
    if (!a.doc.empty() && a.folds_by != "row")
      throw UserError(Location{"", 0, "--folds-by"}, "row folds with --doc (the document shows all three)", a.folds_by);
    perf::CalibrateOptions co;
    co.folds = a.folds > 0 ? a.folds : 5;
    co.folds_by_model = a.folds_by == "model";
    co.folds_by_source = a.folds_by == "source";
    if (!a.heldout_publication.empty() && !co.folds_by_source)
      throw UserError(Location{"", 0, "--heldout-publication"}, "--folds-by source", "folds by " + a.folds_by);
    for (const auto& [flag, value] : {std::pair{"--intervals-out", &a.intervals_out}, std::pair{"--summary-out", &a.summary_out}})
      if (!value->empty() && a.doc.empty() && (!co.folds_by_source || !a.heldout_publication.empty()))
        throw UserError(Location{"", 0, flag}, "--folds-by source over every publication (no --heldout-publication)",
                        co.folds_by_source ? "--heldout-publication " + a.heldout_publication : "folds by " + a.folds_by);
    co.only_publication = a.heldout_publication;
    co.validate = vo;
    co.progress = progress_mode(g.quiet);
    co.replay = replay_hook(ctx, co.validate);  // with the kernel tables, as the held-out predictions
    const auto cal = perf::calibrate(*ctx.catalog, ctx.params, rows, co);
    std::vector<perf::RowPrediction> held;
    for (const auto& p : cal.heldout)
      if (!p.assumed_isl) held.push_back(p);
    Tables th = error_tables(held, a.by, false);
    out.json["heldout"] = {{"folds", cal.folds}, {"folds_by", a.folds_by}, {"summary", th.j["summary"]}, {"rows", th.j["rows"]}};
    if (co.folds_by_source) write_lopo_files(a, ctx, rows, cal, co);
    if (a.folds_by == "source") {
      const Tables ti = interval_tables(held);
      out.json["heldout"]["intervals"] = ti.j;
      for (std::size_t i = 0; i < ti.tables.size(); ++i) {
        out.tables.push_back(ti.tables[i]);
        out.titles.push_back(ti.titles[i]);
      }
    }
    for (std::size_t i = 0; i < th.tables.size(); ++i) {
      if (th.titles[i] == "skipped rows") continue;
      out.tables.push_back(th.tables[i]);
      out.titles.push_back((a.folds_by == "source" ? "held-out (leave one publication out): " : "held-out (k-fold): ") +
                           th.titles[i]);
    }
    if (!a.doc.empty()) {
      std::string cmd = "gpugap validate";
      for (const auto& f : a.files) cmd += " --measurements " + f;
      cmd += fmt::format(" --folds {} --doc {}", a.folds, a.doc);
      perf::CalibrateOptions cm = co;
      cm.folds_by_model = true;
      const auto cal_model = perf::calibrate(*ctx.catalog, ctx.params, rows, cm);
      perf::CalibrateOptions cs = co;
      cs.folds_by_source = true;
      const auto cal_source = perf::calibrate(*ctx.catalog, ctx.params, rows, cs);
      // --intervals-out / --summary-out beside --doc: from these same runs, not a second set of
      // refits (the k-fold run above is the summary's secondary line).
      write_lopo_files(a, ctx, rows, cal_source, cs, &cal);
      atomic_write(a.doc, validation_markdown(a.files, rows, preds, cal, cal_model, cal_source, vo, cmd));
    }
  } else if (!a.intervals_out.empty() || !a.summary_out.empty()) {
    throw UserError(Location{"", 0, a.intervals_out.empty() ? "--summary-out" : "--intervals-out"}, "--folds-by source", "no held-out folds");
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

void calibrate_cmd(const Global& g, const CalibrateArgs& a) {
  // Refuse a catalog-folder destination before the (minutes-long) fit, not after.
  if (const std::string dest = !a.overlay.empty() ? a.overlay : g.out; !dest.empty())
    refuse_catalog_output(g, dest, a.overlay.empty() ? "-o" : "--overlay");
  const auto ctx = perf_context(g);
  const auto rows = read_all(a.v.files);
  perf::CalibrateOptions co;
  co.folds = a.v.folds > 0 ? a.v.folds : 5;
  co.validate = validate_options(a.v);
  // Fitted on the measured kernel rates where a row's chip and backend have them, as validate's
  // refits are: the overheads of a (family, backend) group are then those of its kernels.
  const auto kernels = kernel_tables(ctx, a.v);
  co.validate.kernels = kernels.get();
  co.validate.operator_evidence = &kernels->operator_evidence();
  co.progress = progress_mode(g.quiet);
  const auto cal = perf::calibrate(*ctx.catalog, ctx.params, rows, co);
  const std::string date = a.date.empty() ? today_utc() : a.date;
  std::string names;
  for (std::size_t i = 0; i < a.v.files.size(); ++i) names += (i ? " + " : "") + fs::path(a.v.files[i]).filename().string();
  if (!kernels->sets().empty()) names += " with kernel tables";
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
    const auto files = perf::calibration_overlay(cal, *ctx.catalog, ctx.params, {names, date, co.folds});
    catalog::write_overlay(overlay, files);
    out.text = fmt::format("wrote {} overlay file(s) to {}\n", files.size(), overlay);
  }
  Global g2 = g;
  g2.out.clear();  // -o names the overlay folder for calibrate
  emit(g2, out);
}

}  // namespace

void add_validation_commands(CLI::App& app, Global& g) {
  auto va = std::make_shared<ValidateArgs>();
  auto* val = app.add_subcommand("validate", "predict published measurements and report the error");
  val->add_option("--measurements", va->files, "CSV (measurements-shared.csv or aic-silicon-sample.csv schema); repeatable")->required();
  val->add_option("--by", va->by, "group by chip, model, backend, family or stack")
      ->check(CLI::IsMember({"chip", "model", "backend", "family", "stack"}));
  val->add_option("--folds", va->folds, "also report k-fold held-out error (refits per fold)")->check(count_at_least(2));
  val->add_option("--folds-by", va->folds_by,
                  "draw the folds by row (default), by model (no row of a predicted model in its fit) or by source "
                  "(leave one publication out; one fold per publication, --folds not needed)")
      ->check(CLI::IsMember({"row", "model", "source"}));
  val->add_option("--doc", va->doc, "write the markdown report (docs/validation.md); needs --folds");
  val->add_option("--assume-isl", va->assume_isl, "mean input length for rows without isl (reported separately)")->check(count_at_least(1));
  val->add_option("--assume-isl-source", va->assume_source, "citation of that mean");
  val->add_flag("--no-backend", va->no_backend, "ignore backend-specific efficiencies");
  val->add_option("--kernels", va->kernels, "kernel tables for the held-out refits (default data/kernels/kernels.csv)");
  val->add_option("--heldout-publication", va->heldout_publication,
                  "with --folds-by source: predict only this publication's rows, by a fit on every other one");
  val->add_option("--intervals-out", va->intervals_out,
                  "with --folds-by source, or beside --doc from its runs: write the 80% interval table perf, econ and score show (data/intervals/perf-intervals.csv)");
  val->add_option("--summary-out", va->summary_out,
                  "with --folds-by source, or beside --doc from its runs: write the headline the report shows, k-fold figures included (data/intervals/lopo-summary.json)");
  val->add_flag("--no-kernels", va->no_kernels, "held-out refits without kernel tables (fitted efficiencies for every operator but the GEMMs of chips with published operator evidence)");
  val->callback([&g, va] { validate_cmd(g, *va); });

  auto ca = std::make_shared<CalibrateArgs>();
  auto* calib = app.add_subcommand("calibrate", "fit software-stack efficiencies on measurements; write a catalog overlay");
  calib->add_option("--measurements", ca->v.files, "CSV files; repeatable")->required();
  calib->add_option("--folds", ca->v.folds, "k for the held-out error (default 5)")->check(count_at_least(2));
  calib->add_option("--assume-isl", ca->v.assume_isl, "mean input length for rows without isl")->check(count_at_least(1));
  calib->add_option("--assume-isl-source", ca->v.assume_source, "citation of that mean");
  calib->add_option("--kernels", ca->v.kernels, "kernel tables the fit runs on (default data/kernels/kernels.csv)");
  calib->add_flag("--no-kernels", ca->v.no_kernels, "fit without kernel tables (fitted efficiencies for every operator but the GEMMs of chips with published operator evidence)");
  calib->add_option("--date", ca->date, "date written into the provenance (default: today, UTC)");
  // -o is global (--out); the overlay directory is its own option so JSON can still go to -o.
  calib->add_option("--overlay", ca->overlay, "write the fitted values as a catalog overlay into this folder");
  calib->callback([&g, ca] { calibrate_cmd(g, *ca); });
}

}  // namespace gpugap::cli
