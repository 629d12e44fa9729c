#include "perf/expert_load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "core/error.hpp"

namespace gpugap::perf {

double placement_imbalance(const std::vector<double>& load, const std::vector<int>& slots, int ranks) {
  if (ranks <= 0 || slots.empty() || slots.size() % static_cast<std::size_t>(ranks) != 0)
    throw UserError(fmt::format("expert placement: {} slots do not split evenly over {} ranks", slots.size(), ranks));
  std::vector<int> replicas(load.size(), 0);
  for (int e : slots) {
    if (e < 0 || static_cast<std::size_t>(e) >= load.size())
      throw UserError(fmt::format("expert placement: slot names expert {}, not one of the {} experts", e, load.size()));
    ++replicas[static_cast<std::size_t>(e)];
  }
  const std::size_t per_rank = slots.size() / static_cast<std::size_t>(ranks);
  std::vector<double> rank_load(static_cast<std::size_t>(ranks), 0.0);
  for (std::size_t s = 0; s < slots.size(); ++s) {
    const auto e = static_cast<std::size_t>(slots[s]);
    rank_load[s / per_rank] += load[e] / replicas[e];
  }
  // Experts never placed carry load no rank serves: the placement is incomplete.
  for (std::size_t e = 0; e < load.size(); ++e)
    if (replicas[e] == 0 && load[e] > 0)
      throw UserError(fmt::format("expert placement: expert {} (load {}) is on no rank", e, load[e]));
  const double total = std::accumulate(rank_load.begin(), rank_load.end(), 0.0);
  if (total <= 0) throw UserError("expert placement: the expert load is all zero");
  return *std::max_element(rank_load.begin(), rank_load.end()) / (total / ranks);
}

double contiguous_imbalance(const std::vector<double>& load, int ranks) {
  if (ranks <= 0 || load.empty() || load.size() % static_cast<std::size_t>(ranks) != 0)
    throw UserError(fmt::format("expert placement: {} experts do not split evenly over {} ranks", load.size(), ranks));
  std::vector<int> slots(load.size());
  std::iota(slots.begin(), slots.end(), 0);
  return placement_imbalance(load, slots, ranks);
}

std::vector<int> balanced_placement(const std::vector<double>& load, int ranks, int redundant) {
  const std::size_t n_slots = load.size() + static_cast<std::size_t>(std::max(redundant, 0));
  if (ranks <= 0 || n_slots % static_cast<std::size_t>(ranks) != 0)
    throw UserError(fmt::format("expert placement: {} experts + {} replicas do not split evenly over {} ranks", load.size(),
                                redundant, ranks));
  std::vector<int> count(load.size(), 1);
  for (int r = 0; r < redundant; ++r) {
    std::size_t best = 0;
    for (std::size_t e = 1; e < load.size(); ++e)
      if (load[e] / count[e] > load[best] / count[best]) best = e;
    ++count[best];
  }
  struct Replica {
    double load;
    int expert;
  };
  std::vector<Replica> reps;
  for (std::size_t e = 0; e < load.size(); ++e)
    for (int c = 0; c < count[e]; ++c) reps.push_back({load[e] / count[e], static_cast<int>(e)});
  // Heaviest first; ties by expert id so the placement is deterministic.
  std::stable_sort(reps.begin(), reps.end(), [](const Replica& a, const Replica& b) { return a.load > b.load; });
  const std::size_t per_rank = n_slots / static_cast<std::size_t>(ranks);
  std::vector<double> rank_load(static_cast<std::size_t>(ranks), 0.0);
  std::vector<std::vector<int>> rank_slots(static_cast<std::size_t>(ranks));
  for (const Replica& r : reps) {
    std::size_t target = rank_load.size();
    for (std::size_t k = 0; k < rank_load.size(); ++k)
      if (rank_slots[k].size() < per_rank && (target == rank_load.size() || rank_load[k] < rank_load[target])) target = k;
    rank_load[target] += r.load;
    rank_slots[target].push_back(r.expert);
  }
  std::vector<int> slots;
  slots.reserve(n_slots);
  for (const auto& rs : rank_slots) slots.insert(slots.end(), rs.begin(), rs.end());
  return slots;
}

}  // namespace gpugap::perf
