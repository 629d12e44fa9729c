// Measured rows replayed by the simulator: a row whose benchmark harness is
// described (harness, dataset, prompts, rate or concurrency) is predicted by
// simulating that run instead of the analytical model's fitted wave share.
// Fits stay on the analytical model; this runs after them (docs/model-serve.md).
#pragma once

#include <string>

#include "perf/validation.hpp"

namespace gpugap::serve {

// Why the row cannot be replayed ("" when it can): a harness the simulator does not
// replay (MLPerf LoadGen, other, unknown), no load (neither concurrency nor rate), no
// request count, a prefill- or decode-only row.
std::string replay_gap(const perf::Measurement& m);

// Replaces `pred`'s predicted TTFT, TPOT and throughputs by the simulated run and says so
// in its method; leaves it unchanged (the reason appended) when the row cannot be replayed.
// `eff` (a held-out fold's values) replaces the catalog's efficiencies when given.
void simulate_row(const catalog::Catalog& cat, const ParamTable& params, const perf::Measurement& m,
                  const perf::ValidateOptions& opt, perf::RowPrediction& pred, const perf::Efficiency* eff = nullptr);

}  // namespace gpugap::serve
