// Internals of validation and calibration shared by their source files: a
// measured row resolved once into specs, a deployment and a workload, and the
// robust loss the fits minimise.
#pragma once

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "perf/kernels.hpp"
#include "perf/validation.hpp"

namespace gpugap::perf::detail {

// A row resolved once: specs, deployment, workload and how to predict it.
struct PreparedRow {
  RowPrediction base;  // chip/model ids, skip reason, method
  ChipSpec chip;
  ModelSpec model;
  Deployment d;
  Workload w;
  bool iso_tpot = false;     // batch chosen so that TPOT matches the measured TPOT
  bool offline = false;      // batch: the most that fit
  bool prefill_only = false;
  bool decode_only = false;
  int concurrency_batch = 0; // measured concurrency per instance
  double burst = 0.0;        // the backend's fitted benchmark burst share
  bool has_ttft = false;     // the row measures TTFT (identifies the TTFT overhead and wave share)
  // The row's backend is a named stack of its own (stacks.S.named.B.separate): it fits only
  // its own backend groups, so a different product does not move the vendor stack's fit.
  bool separate_stack = false;
  const KernelEvidence* kernels = nullptr;  // the row's (chip, backend) kernel rates, if measured
  double gemm_fraction = 0;  // without tables: the GEMM fraction of peak published for its chip family (0: none)
};

// The benchmark harness a row's wave share belongs to: a publication of the shared file;
// "" for the AIC rows (the groups' own harness: they hold nearly every TTFT row of each group).
std::string harness_of(const Measurement& m);

PreparedRow prepare_row(const catalog::Catalog& cat, const ParamTable& params, const Measurement& m, const ValidateOptions& opt);
// Predicts a prepared row with the chip's values, or `eff` (every value and the wave share) when given.
RowPrediction predict_prepared(const PreparedRow& pr, const Efficiency* eff);

// How a row states its layout, and what it says about the deployment: the parallel sizes
// of `d` (and of its prefill pool), the batch per instance, the prefill chunk. Returns
// a skip reason, or "" when the layout is read; notes how in `method`.
std::string row_layout(const ChipSpec& chip, const ModelSpec& model, const Measurement& m, PreparedRow& pr,
                       std::vector<std::string>& method);

// One row's robust loss: each row weighs one in total, shared by its metrics.
double row_loss(const RowPrediction& p);

// A group with fewer TTFT rows than this keeps the TTFT overhead and wave share it
// starts from: one or two rows cannot tell a fixed overhead from queueing, and a
// value fitted on them would move every TTFT of the stack.
inline constexpr int kMinTtftRows = 3;
// The rows that measure TTFT: a fit on fewer than kMinTtftRows keeps its start's TTFT overhead and wave share.
inline std::size_t ttft_rows(const std::vector<const PreparedRow*>& rows) {
  return static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [](const PreparedRow* r) { return r->has_ttft; }));
}

// The least eta_compute and eta_memory a fit may reach. No measured kernel runs below it: in
// data/kernels every GEMM of 256+ tokens reaches at least 0.16 of the chip's dense peak (GB300,
// SGLang, FP4 at 257 tokens) and every one-token GEMM streams its weights at at least 0.38 of HBM
// bandwidth (test Kernels.NoMeasuredKernelRunsBelowTheFitsEfficiencyFloor).
// A fit below it (the Blackwell family's eta_compute went to 0.025 at the old floor of 0.02)
// compensates for something else.
inline constexpr double kEtaFloor = 0.15;

// Robust (Huber) least squares of the seven Efficiency values on `rows`, from `start`.
Efficiency fit(const std::vector<const PreparedRow*>& rows, const Efficiency& start);

// The TTFT rows of each publication of the shared file among those `take` accepts.
std::map<std::string, std::vector<std::size_t>> harness_rows(const std::vector<Measurement>& rows,
                                                             const std::function<bool(std::size_t)>& take);
// A harness's wave share from its rows, each given as its prediction at a share; none
// from fewer than kMinTtftRows rows.
std::optional<HarnessFit> fit_harness_share(const std::vector<std::function<RowPrediction(double)>>& rows);

}  // namespace gpugap::perf::detail
