// The scorecard under uncertainty: a Monte Carlo over the scenario's declared
// ranges (estimated chip specs and prices, stack efficiencies, score weights,
// supply) that gives every ranked vendor p5/p50/p95 of each layer and of the
// composite and the probability of each rank. Sample i draws from streams
// keyed by (seed, i) and every per-sample value is kept in sample order, so
// the answer is the same for any thread count (studies/montecarlo.hpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "studies/montecarlo.hpp"

namespace gpugap::studies {

struct VendorUncertainty {
  std::string vendor;
  MetricSummary quantitative;  // 0..5 (NaN samples: quantitative layer insufficient data)
  MetricSummary quant_index;   // x the reference chip
  MetricSummary qualitative;   // 0..5
  MetricSummary composite;     // 0..5
  // rank_probability[k]: share of samples in which the vendor ranks k + 1
  // among the ranked vendors; sums to 1.
  std::vector<double> rank_probability;
  // Share of samples scored on both layers. Ranking puts such vendors before
  // those scored on one layer in every sample, so a rank is never a mix of
  // the two bases within one sample; this share says how often each applied.
  double both_layers_share = 0;
};

struct ScoreUncertainty {
  std::uint64_t samples = 0;
  std::uint64_t seed = 0;
  std::vector<VendorUncertainty> vendors;  // the ranked (domestic) vendors, by expected rank then id
  std::vector<std::string> drawn;          // uncertain parameters the scorecard reads
  std::vector<std::pair<std::string, std::uint64_t>> clamped;
};

// The ranked vendors' metric paths read per sample.
std::vector<std::string> score_mc_metrics(const std::vector<std::string>& vendors);

// Runs the Monte Carlo over the scenario of `ctx` (opt.samples, opt.seed,
// opt.threads; opt.used is set here).
ScoreUncertainty score_monte_carlo(const Context& ctx, McOptions opt);

// The rank distribution of per-sample ranks (1..n; others ignored): entry k
// is the share of samples with rank k + 1.
std::vector<double> rank_distribution(std::span<const double> ranks, std::size_t n);

}  // namespace gpugap::studies
