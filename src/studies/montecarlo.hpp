// Monte Carlo over the scenario's declared uncertainty. Sample i draws from
// counter-based streams keyed by (seed, i) and is evaluated by a compiled
// metric function; every per-sample value is kept, in sample order, and the
// statistics are computed from that vector alone. So the answer is the same,
// bit for bit, for any thread count and any number of MPI ranks.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/progress.hpp"
#include "studies/evaluate.hpp"
#include "studies/mpi.hpp"
#include "studies/uncertainty.hpp"

namespace gpugap::studies {

using analysis::CompiledMetrics;

// Per-sample values are kept for exact percentiles: samples x metrics <= this
// (800 MB of doubles), and samples <= this (sample indices are 32-bit counters).
inline constexpr std::uint64_t kMaxSampleValues = 100'000'000;
inline constexpr std::uint64_t kMaxSamples = 100'000'000;
inline constexpr std::uint64_t kMinSamples = 2;  // a standard error needs two
inline constexpr int kDefaultBins = 20;
inline constexpr int kMaxBins = 1000;

struct McOptions {
  std::uint64_t samples = 10'000;
  std::uint64_t seed = 1;
  int threads = 0;      // 0 = all cores
  int bins = kDefaultBins;
  ProgressMode progress = ProgressMode::kOff;  // on stderr (the CLI decides: progress_mode)
  // The parameters the metrics read (studies::params_read): uncertain
  // parameters outside it are not drawn. Empty: draw everything.
  std::optional<std::vector<bool>> used;

  // Rejects settings that cannot work, with a UserError that says why.
  void validate(std::size_t metrics) const;
};

struct Histogram {
  std::vector<double> edges;          // bins + 1, equal width from min to max
  std::vector<std::uint64_t> counts;  // bins
};

struct MetricSummary {
  std::string metric;
  double base = 0;  // at the scenario's values (no draw)
  double mean = 0;
  double sd = 0;
  double sem = 0;   // standard error of the mean: sd / sqrt(n)
  double p5 = 0;
  double p50 = 0;
  double p95 = 0;
  double min = 0;
  double max = 0;
  std::uint64_t n = 0;           // finite samples
  std::uint64_t non_finite = 0;  // NaN or infinite results, left out of the statistics
  Histogram histogram;
};

struct McResult {
  std::uint64_t samples = 0;
  std::uint64_t seed = 0;
  std::vector<MetricSummary> metrics;
  std::vector<std::pair<std::string, std::uint64_t>> clamped;  // draws clamped to a parameter's range
  std::vector<std::string> not_drawn;  // declared uncertain, but no metric reads them (McOptions::used)
  bool root = true;  // false on MPI ranks other than 0 (their result is empty)
};

// Statistics of one metric's per-sample values (in sample order).
MetricSummary summarise(std::string metric, std::span<const double> values, int bins);
// Linear-interpolation percentile (Hyndman & Fan type 7) of unsorted values.
double percentile(std::vector<double>& values, double p);

// Evaluates samples [first, last) on `threads` TBB workers; writes
// out[(i - first) * metrics + k] and adds clamp counts (per sampler.touched()).
void run_samples(const Sampler& sampler, const CompiledMetrics& f, std::size_t metrics, std::uint64_t seed,
                 std::uint64_t first, std::uint64_t last, int threads, ProgressMode progress, std::span<double> out,
                 std::span<std::uint64_t> clamps);

McResult monte_carlo(const ParamTable& params, const Uncertainty& u, const CompiledMetrics& f,
                     const std::vector<std::string>& metrics, const McOptions& opt, const MpiSession* mpi = nullptr);

}  // namespace gpugap::studies
