// Validation and calibration of the perf model against published
// measurements: the shared measurement schema (measurements-shared.csv) and
// AIConfigurator's silicon sample (aic-silicon-sample.csv), read into one
// row type; per-row predictions; error summaries; robust least-squares fits
// of the software-stack efficiencies with k-fold held-out errors.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/progress.hpp"
#include "catalog/catalog.hpp"
#include "perf/perf.hpp"

namespace gpugap::perf {

struct Measurement {
  std::string id;
  std::string file;  // base name of the CSV
  int line = 0;
  std::string schema;  // "shared" or "aic"
  std::string chip, model, backend, precision, kv_precision, mode, trust;
  std::string source;  // the publication (shared) or silicon data file (AIC): one experiment
  std::optional<int> n_chips, isl, osl;
  std::optional<double> concurrency;
  // Parallel sizes (0 = not stated). For disaggregated rows the prefill_/decode_ values.
  int tp = 0, pp = 0, adp = 0, moe_tp = 0, ep = 0;
  int batch_per_rank = 0;  // AIC batch_size (per attention-DP rank)
  int p_workers = 0, p_tp = 0, p_adp = 0, p_ep = 0, p_moe_tp = 0, p_batch = 0;
  int d_workers = 0, d_tp = 0, d_adp = 0, d_ep = 0, d_moe_tp = 0, d_batch = 0;
  std::optional<int> mtp;
  std::optional<double> ttft_ms, tpot_ms, output_tps_per_chip, input_tps_per_chip;
  // Serving settings the row states in its notes (shared schema): the draft acceptance
  // rate and TensorRT-LLM's kv_cache_free_gpu_mem_fraction.
  std::optional<double> mtp_acceptance, kv_free_fraction;
  // The row's TPOT is 1 / (tokens/s per user) over the whole request, context phase
  // included (its notes say so): an end-to-end latency per output token.
  bool tpot_includes_context = false;
  // The benchmark that measured the row, where known (shared/spec/cli.md): harness
  // (vllm-bench-serve, sglang-bench-serving, genai-perf, aiperf, trtllm-bench, mlperf-offline,
  // mlperf-server, other), dataset (random, sharegpt, fixed, other), prompts sent,
  // Poisson rate (req/s; empty: all at once or closed loop) and the random range ratio.
  // harness_source: the side table's citation for a verbatim file (harness-map.csv).
  std::string harness, dataset, harness_source;
  // Whose engine limits the deployment ran with: "aiconfigurator" (the limits its
  // generator writes, serve/validate.cpp) or "" (the engine's defaults).
  std::string engine_limits;
  std::optional<int> num_prompts;
  std::optional<double> request_rate, range_ratio;
  // AIC schema: the id of an earlier row of the same file with the same deployment, load and
  // measured values (the sample exports some runs twice, in two silicon data files); such a
  // row is listed as skipped so that each measurement counts once in fits and errors.
  std::string duplicate_of;
};

// The harness and dataset names of the measurement schema.
const std::vector<std::string>& harness_names();
const std::vector<std::string>& dataset_names();

// Reads either schema (chosen from the header). Throws UserError naming file
// and line for a malformed file.
std::vector<Measurement> read_measurements(const std::string& path);

// Efficiency overrides of one stack/backend (what calibrate fits).
struct Efficiency {
  double eta_compute = 0.6;
  double eta_memory = 0.8;
  double launch_overhead_s = 1e-5;
  double ttft_overhead_s = 0.0;  // fixed latency before the first token
  double burst = 0.0;            // benchmark: share of requests in the first simultaneous wave
  double comm_latency_s = 5e-6;  // fixed time of one collective
  double seq_overhead_s = 1e-6;  // host time per sequence of a rank's batch per forward step
};

struct MetricError {
  std::string metric;  // ttft_ms, tpot_ms, output_tps_per_chip, input_tps_per_chip
  double measured = 0;
  double predicted = 0;
  [[nodiscard]] double error_pct() const { return 100.0 * (predicted - measured) / measured; }
};

struct RowPrediction {
  const Measurement* row = nullptr;
  std::string chip_id, model_id, stack, family;  // resolved (family: catalog::chip_family)
  std::string skip_reason;                        // non-empty: skipped
  bool assumed_isl = false;                       // isl from --assume-isl (reported separately)
  std::string method;                             // how batch/deployment were chosen
  std::vector<MetricError> metrics;
  Deployment deployment;
};

// A benchmark harness's share of requests in the first simultaneous wave, fitted on the
// TTFT rows of one publication of the shared file (the groups' value serves the rest).
struct HarnessFit {
  double burst = 0;
  std::size_t rows = 0;
};

class KernelTables;  // perf/kernels.hpp
struct OperatorEvidence;

struct ValidateOptions {
  std::optional<int> assumed_isl;  // for rows without isl
  std::string assumed_isl_source;  // its citation
  bool use_backend = true;         // apply stacks.X.backend.Y values when present
  // Wave shares of the shared file's publications (fit_harness), by source; null: the groups'.
  const std::map<std::string, HarnessFit>* harness = nullptr;
  // Measured kernel rates by (chip, backend): rows with evidence use them in place of the
  // fitted efficiencies for GEMMs, attention and all-reduce (null: none).
  const KernelTables* kernels = nullptr;
  // Published operator microbenchmarks of chips without tables (data/kernels/ascend-evidence.csv):
  // a row's GEMMs compute at the best GEMM fraction of peak measured on its chip family.
  const std::vector<OperatorEvidence>* operator_evidence = nullptr;
};

// Predicts one row with the catalog's efficiencies (or `eff` when given, for
// every row of the fit's group).
RowPrediction predict(const catalog::Catalog& cat, const ParamTable& params, const Measurement& m,
                      const ValidateOptions& opt, const Efficiency* eff = nullptr);

// Sets the chip's stack values (not the wave share, a benchmark's) to `e`.
void apply_efficiency(const Efficiency& e, ChipSpec& chip);

// What a row's prediction runs on: the chip with the row's efficiencies applied, the
// model and the workload (isl, osl); nullopt when the row is skipped.
struct RowSpecs {
  ChipSpec chip;
  ModelSpec model;
  Workload workload;
};
std::optional<RowSpecs> row_specs(const catalog::Catalog& cat, const ParamTable& params, const Measurement& m,
                                  const ValidateOptions& opt);

// The wave share of each publication of the shared file with at least three TTFT rows,
// fitted with the catalog's values (what `validate` uses in-sample; calibrate fits them
// per fold).
std::map<std::string, HarnessFit> fit_harness(const catalog::Catalog& cat, const ParamTable& params,
                                              const std::vector<Measurement>& rows, const ValidateOptions& opt);

struct Summary {
  std::size_t n = 0;
  double median_abs_error_pct = 0;
  double p90_abs_error_pct = 0;
};
Summary summarize(const std::vector<double>& abs_errors_pct);

// ---- calibration -----------------------------------------------------------

// One fitted group. Levels, most specific first: (stack, family, backend, model),
// (stack, family, backend), (stack, backend), (stack, family), (stack). A row is
// predicted with the most specific group that exists; perf/search (no backend)
// use (stack, family), else (stack).
struct FitGroup {
  std::string stack;
  std::string family;   // "" = every family of the stack
  std::string backend;  // "" = every backend
  std::string model;    // "" = every model (set only with family and backend)
  std::vector<std::size_t> rows;  // indices into the measurement vector (usable rows only)
  Efficiency fitted;
  std::size_t ttft_rows = 0;  // of the rows fitted, those with a TTFT (fewer than 3: TTFT overhead and wave share not fitted)
  std::size_t n_metrics = 0;
  double train_median_abs_error_pct = 0;
  double heldout_median_abs_error_pct = 0;  // k-fold
  std::map<std::string, Summary> heldout_by_metric;
};

struct CalibrationResult {
  std::vector<FitGroup> groups;
  std::map<std::string, HarnessFit> harness;  // by the rows' `source`
  // Held-out (k-fold) predictions of every usable row, for the tables.
  std::vector<RowPrediction> heldout;
  int folds = 5;
};

struct CalibrateOptions {
  int folds = 5;
  std::size_t min_rows_backend = 8;  // fit a backend or a family separately from this many rows
  std::size_t min_rows_stack = 3;    // fewer usable rows: the stack stays spec-only
  // A model's own fit within a (family, backend) group: its serving recipe (chunk size,
  // scheduler, kernels) is one, and this many rows (5 per parameter) fix it.
  std::size_t min_rows_model = 40;
  // Held-out folds by row (default) or by model: by model, no row of a held-out model
  // is in the fit, which is what a model absent from the measurements can expect.
  bool folds_by_model = false;
  // Leave one publication out (publication_of): one fold per publication, `folds` ignored.
  bool folds_by_source = false;
  // With folds_by_source: refit and predict only this publication's fold (its rows predicted
  // by a fit on every other one); no fit on all rows. Empty: every fold.
  std::string only_publication;
  ValidateOptions validate;
  // Called on each held-out prediction with its fold's values, after the fold's fit: the
  // serving simulator's replay of rows whose benchmark is described (serve::simulate_row).
  std::function<void(const Measurement&, const Efficiency&, RowPrediction&)> replay;
  ProgressMode progress = ProgressMode::kOff;  // the held-out folds on stderr (the CLI: progress_mode)
};

// The publication a row comes from: one source site or repository (the part of `source`
// before ':' -- all MLPerf results of one round are one -- or its host), and the AIC sample
// as one ("aic-silicon-sample").
std::string publication_of(const Measurement& m);

// The key of a model in a stack's calibration blocks: '.' separates path components,
// so "minimax-m2.5" is written "minimax-m2_5".
std::string calibration_model_key(const std::string& model_id);

// Fits the seven software-stack parameters (Efficiency) per group of the levels above
// that has enough rows, by robust (Huber) least squares on log(pred/meas), and reports
// their k-fold held-out error.
CalibrationResult calibrate(const catalog::Catalog& cat, const ParamTable& params, const std::vector<Measurement>& rows,
                            const CalibrateOptions& opt);

}  // namespace gpugap::perf
