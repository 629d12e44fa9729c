// The rules that fill in a deployment's unstated sizes (TP, EP, attention-DP TP),
// used by `perf`, the default deployment and validation's reading of measured
// rows, and the one text and JSON rendering of a deployment.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "perf/perf.hpp"

namespace gpugap::perf {

// EP of a group `width` chips wide: a stated EP (`given` > 0) as stated, never rewritten
// (check_deployment names the rule one breaks); unstated, an MoE model's is the whole
// width (at most one rank per expert) lowered until it divides the width, a dense one's 1.
int default_ep(const ModelSpec& model, int width, int given = 0);

// The smallest TP that fits: from 1, doubled while `fits(tp)` is false and the doubled
// TP stays within `limit` and divides the model's attention heads. Callers differ only
// in what "fits" means (see below and validation's unstated layout).
int smallest_tp(const ModelSpec& model, int limit, const std::function<bool(int)>& fits);

// TP of the default deployment: the smallest within the scale-up domain whose weights
// fill at most half the usable memory (the rest holds the KV cache).
int default_tp(const ChipSpec& chip, const ModelSpec& model, Format format);

// KV cache type where none is given (perf, search): FP8 where the chip computes in FP8, else BF16.
DType default_kv(const ChipSpec& chip);

// The default deployment: native format resolved on the chip, default_kv, default_tp,
// default_ep over the TP group.
Deployment default_deployment(const ChipSpec& chip, const ModelSpec& model);

// TP under attention DP when none is given: each rank holds the attention weights and the
// experts split over the ranks, so the TP-only rule would multiply the instance (TP 8 x
// DP 8 = 64 chips for a request of 8). The smallest TP (within the scale-up domain) at
// which the instance holds the weights at `d`'s other sizes; EP follows each TP by
// default_ep(model, width, given_ep). An invalid layout stops the search (evaluating it
// reports why), except a stated EP wider than the group, which a wider TP may hold. Returns `d` with tp and ep set.
Deployment attention_dp_deployment(const ChipSpec& chip, const ModelSpec& model, const Workload& w, Deployment d,
                                   int given_ep);

// The prefill pool of a disaggregated deployment: pp 1, no drafts, the prefill_* sizes where given.
Deployment prefill_deployment(const Deployment& d);

// One line for tables: "fp8 kv fp8 TP8 ADP2 EP8 PP2 B64 agg MTP1".
std::string describe(const Deployment& d, const ModelSpec& model);
// The JSON object of a deployment (perf, search, econ): the keys of shared/spec/cli.md's
// perf and search output.
nlohmann::json to_json(const Deployment& d, const ModelSpec& model);

// `v` rounded to `digits` significant digits: what the JSON outputs keep.
double round_sig(double v, int digits = 6);

}  // namespace gpugap::perf
