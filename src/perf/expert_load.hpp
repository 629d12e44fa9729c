// Expert-load imbalance under expert parallelism: how much more routed work the
// busiest EP rank gets than the mean, for a measured per-expert load and a
// placement of the experts (and their replicas) on the ranks. The perf model's
// Deployment::expert_imbalance takes the result.
#pragma once

#include <vector>

namespace gpugap::perf {

// Max over ranks / mean over ranks of the routed load for a placement given as the
// logical expert in each physical slot, `slots.size() / ranks` consecutive slots per
// rank; an expert in r slots gives each replica 1/r of its load. 1: balanced.
// Throws UserError when the slots do not split evenly over the ranks or name an
// expert outside `load`, or when the load is all zero.
double placement_imbalance(const std::vector<double>& load, const std::vector<int>& slots, int ranks);

// Without load balancing: expert e on rank e / (E / ranks), no replicas (ranks must divide E).
double contiguous_imbalance(const std::vector<double>& load, int ranks);

// A balancing placement with `redundant` extra replicas (EPLB's idea, our own greedy
// form): each extra replica goes to the expert with the highest load per replica, then
// replicas are packed heaviest first onto the least-loaded rank with a free slot.
// (E + redundant) must be a multiple of ranks. Returns the slots as placement_imbalance reads them.
std::vector<int> balanced_placement(const std::vector<double>& load, int ranks, int redundant);

}  // namespace gpugap::perf
