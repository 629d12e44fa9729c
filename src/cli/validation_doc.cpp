// validate --doc: the markdown report docs/validation.md.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "cli/validation_tables.hpp"
#include "perf/intervals.hpp"

namespace fs = std::filesystem;

namespace gpugap::cli {

namespace {

// The headline: leave one publication out, over every file, with how many rows were predicted.
std::string headline_section(const std::vector<perf::Measurement>& rows, const perf::CalibrationResult& cal_by_source) {
  std::string md;
  std::vector<perf::RowPrediction> all;
  for (const auto& p : cal_by_source.heldout)
    if (!p.assumed_isl) all.push_back(p);
  const auto pubs = publication_lines(rows, cal_by_source);
  std::size_t predicted = 0;
  for (const auto& [name, e] : pubs) predicted += e.predicted;
  md += "## Headline: leave one publication out\n\n";
  md += fmt::format(
      "Each publication (one source site or repository: all MLPerf results of a round are one, the AIC sample is one) "
      "is predicted by a fit of every other one, its own wave share included: what to expect of a publication the "
      "project has never seen. **{} of {} rows predicted** ({} folds); every other row is listed under \"Skipped "
      "rows\" or says why its stack had no fit without it. The k-fold figures further down share publications between "
      "fit and check and are lower for that reason.\n\n",
      predicted, rows.size(), cal_by_source.folds);
  md += "**Kernel evidence.** In every refit below (leave one publication out, k-fold, by model), a row whose chip and "
        "serving backend have measured kernel tables (data/kernels: NVIDIA AIConfigurator's per-operator timings of "
        "H100, H200, B200, B300, GB200 and GB300 under TensorRT-LLM, SGLang and vLLM) runs its GEMMs, attention and "
        "all-reduces at the measured rates for their shapes, and its collective latency is the measured one; only the "
        "per-step and per-sequence overheads, the TTFT overhead and the wave share are fitted, per (family, backend) "
        "group, never per model (docs/model-perf.md, \"Kernel evidence\"). The kernel tables come from the same "
        "repository as the AIC end-to-end sample but are a different measurement: isolated operator timings, not "
        "serving runs; no end-to-end AIC row is in the fit that predicts the AIC line below. Rows without tables "
        "(other chips and stacks) keep the fitted efficiencies. The in-sample tables use the shipped catalog values, "
        "fitted the same way (`make refit`), with the kernel tables on, as `perf`, `search`, `econ`, `score` and `gap` "
        "run them (docs/model-perf.md, \"Serving stack\").\n\n";
  const Tables t = error_tables(all, "family", false);
  for (std::size_t i = 0; i < t.tables.size(); ++i) {
    if (t.titles[i] == "skipped rows") continue;
    md += "**" + t.titles[i] + "**\n\n" + md_table(t.tables[i]) + "\n";
  }
  Table pt{{"publication", "rows", "predicted"}, {}, {}};
  for (const auto& [name, e] : pubs) pt.rows.push_back({name, std::to_string(e.rows), std::to_string(e.predicted)});
  md += "**rows by publication**\n\n" + md_table(pt) + "\n";
  // Each publication's own line: its rows predicted by a fit without any of them (the AIC
  // sample is nearly all rows, so the headline above is mostly its line).
  Table et{{"publication", "metric", "n", "median |err| %", "p90 |err| %"}, {}, {}};
  for (const auto& [name, e] : pubs)
    for (const auto& [metric, v] : e.abs_error_pct) {
      const auto s = perf::summarize(v);
      et.rows.push_back({name, metric, std::to_string(s.n), fmt::format("{:.1f}", s.median_abs_error_pct),
                         fmt::format("{:.1f}", s.p90_abs_error_pct)});
    }
  md += "**error by publication and metric** (each publication predicted without any of its rows in the fit)\n\n" + md_table(et) + "\n";
  const Tables ti = interval_tables(all);
  md += "### 80% prediction intervals and their nested coverage\n\n";
  md += fmt::format(
      "Each prediction's interval is [predicted x p10, predicted x p90] of the ratio measured / predicted of the held-out "
      "residuals of its (family, stack, metric) group, in two levels: every publication's offset (the median log ratio of "
      "each (family, stack, metric, publication) cell, pooled over families) plus each of the group's residuals less its "
      "publication's median. A new publication brings an offset of its own, which the rows of one publication alone "
      "never show. A group with fewer than {} residuals (a spec-only chip's) takes every family's residuals so "
      "decomposed, widened about their median by {:.3g}: the median, over the groups with "
      "their own interval, of the p10-p90 width of the other families' residuals over the group's own width. The nested "
      "check builds the intervals without each publication and counts its measurements inside: **{:.1f}% of {} "
      "inside** (target 70-90%). perf, econ and score show these intervals beside their figures, from "
      "data/intervals/perf-intervals.csv (`make intervals` writes it with this run's residuals).\n\n",
      perf::kMinGroupResiduals, ti.j["widen_factor"].get<double>(), ti.j["nested_coverage"]["coverage_pct"].get<double>(),
      ti.j["nested_coverage"]["n"].get<std::size_t>());
  for (std::size_t i = 0; i < ti.tables.size(); ++i) md += "**" + ti.titles[i] + "**\n\n" + md_table(ti.tables[i]) + "\n";
  return md;
}

}  // namespace

std::string validation_markdown(const std::vector<std::string>& files, const std::vector<perf::Measurement>& rows,
                                const std::vector<perf::RowPrediction>& in_sample, const perf::CalibrationResult& cal,
                                const perf::CalibrationResult& cal_by_model, const perf::CalibrationResult& cal_by_source,
                                const perf::ValidateOptions& vo, const std::string& command) {
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
        "chip family, family x backend and, for rows without kernel tables, family x backend x model where a group has enough rows) are refitted on the "
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
  md += headline_section(rows, cal_by_source);
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

}  // namespace gpugap::cli
