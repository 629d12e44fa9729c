#include "studies/montecarlo.hpp"

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <map>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <mutex>

namespace gpugap::studies {
namespace {

// Samples per task: big enough to amortise the parameter-vector copy, small
// enough to balance two cores.
constexpr std::uint64_t kGrain = 1024;

// Neumaier's compensated sum, in the given order: accurate and reproducible.
class CompensatedSum {
 public:
  void add(double x) {
    const double t = s_ + x;
    c_ += std::abs(s_) >= std::abs(x) ? (s_ - t) + x : (x - t) + s_;
    s_ = t;
  }
  [[nodiscard]] double value() const { return s_ + c_; }

 private:
  double s_ = 0;
  double c_ = 0;
};

// The statistics of the finite values v (in sample order).
MetricSummary summarise_finite(std::string metric, std::vector<double>& v, std::uint64_t non_finite, int bins);
template <std::size_t N>
std::array<double, N> percentiles(const std::vector<double>& v, double mn, double mx, const std::array<double, N>& ps);

}  // namespace

void McOptions::validate(std::size_t metrics) const {
  const Location where{"", 0, "mc"};
  if (metrics == 0) throw UserError(where, "at least one --metric PATH", "none");
  if (samples < kMinSamples || samples > kMaxSamples)
    throw UserError(where, fmt::format("--samples between {} and {}", kMinSamples, kMaxSamples), fmt::format("{}", samples));
  if (samples * metrics > kMaxSampleValues)
    throw UserError(where,
                    fmt::format("samples x metrics <= {} (every value is kept for exact percentiles; "
                                "run fewer metrics or fewer samples)",
                                kMaxSampleValues),
                    fmt::format("{} x {} = {}", samples, metrics, samples * metrics));
  if (bins < 1 || bins > kMaxBins) throw UserError(where, fmt::format("--bins between 1 and {}", kMaxBins), fmt::format("{}", bins));
  if (threads < 0) throw UserError(where, "--threads >= 0", fmt::format("{}", threads));
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return std::nan("");
  const double h = (static_cast<double>(v.size()) - 1.0) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo), v.end());
  const double x_lo = v[lo];
  if (lo + 1 >= v.size()) return x_lo;
  const double x_hi = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo) + 1, v.end());
  return x_lo + (h - static_cast<double>(lo)) * (x_hi - x_lo);
}

MetricSummary summarise(std::string metric, std::span<const double> values, int bins) {
  std::vector<double> v;
  v.reserve(values.size());
  std::uint64_t non_finite = 0;
  for (const double x : values) {
    if (std::isfinite(x)) v.push_back(x);
    else ++non_finite;
  }
  return summarise_finite(std::move(metric), v, non_finite, bins);
}

namespace {
MetricSummary summarise_finite(std::string metric, std::vector<double>& v, std::uint64_t non_finite, int bins) {
  MetricSummary s;
  s.metric = std::move(metric);
  s.non_finite = non_finite;
  s.n = v.size();
  if (v.empty()) {
    s.mean = s.sd = s.sem = s.p5 = s.p50 = s.p95 = s.min = s.max = std::nan("");
    return s;
  }
  const double n = static_cast<double>(v.size());
  CompensatedSum sum;
  for (const double x : v) sum.add(x);
  s.mean = sum.value() / n;
  CompensatedSum sq;
  for (const double x : v) sq.add((x - s.mean) * (x - s.mean));
  s.sd = v.size() > 1 ? std::sqrt(sq.value() / (n - 1.0)) : 0.0;
  s.sem = s.sd / std::sqrt(n);
  const auto [mn, mx] = std::minmax_element(v.begin(), v.end());
  s.min = *mn;
  s.max = *mx;
  // Every sample equal (no uncertainty reaches this metric): one bin.
  const auto nb = s.max > s.min ? static_cast<std::size_t>(std::max(bins, 1)) : std::size_t{1};
  s.histogram.counts.assign(nb, 0);
  const double width = (s.max - s.min) / static_cast<double>(nb);
  for (std::size_t b = 0; b <= nb; ++b) s.histogram.edges.push_back(b == nb ? s.max : s.min + width * static_cast<double>(b));
  for (const double x : v) {
    std::size_t b = width > 0 ? static_cast<std::size_t>((x - s.min) / width) : 0;
    ++s.histogram.counts[std::min(b, nb - 1)];
  }
  constexpr std::array<double, 3> kPercentiles = {0.05, 0.50, 0.95};
  const auto p = percentiles(v, s.min, s.max, kPercentiles);
  s.p5 = p[0];
  s.p50 = p[1];
  s.p95 = p[2];
  return s;
}

// Type-7 percentiles of v (values in [mn, mx]) from exact order statistics,
// found without sorting: one pass counts the values per fine bucket (bucket
// of x is monotone in x, so every value of a lower bucket is smaller), the
// ranks needed fall in a few buckets, and only those are partially sorted.
// Same answer as nth_element on the whole vector, in about two passes.
template <std::size_t N>
std::array<double, N> percentiles(const std::vector<double>& v, double mn, double mx, const std::array<double, N>& ps) {
  constexpr std::size_t kBuckets = 4096;
  const std::size_t n = v.size();
  const double scale = mx > mn ? static_cast<double>(kBuckets) / (mx - mn) : 0.0;
  auto bucket = [&](double x) { return std::min(kBuckets - 1, static_cast<std::size_t>((x - mn) * scale)); };
  std::vector<std::size_t> first(kBuckets + 1, 0);  // first rank of each bucket (after the prefix sum)
  for (const double x : v) ++first[bucket(x) + 1];
  for (std::size_t b = 0; b < kBuckets; ++b) first[b + 1] += first[b];
  // The ranks needed: floor(h) and the next one, per percentile.
  std::array<double, N> out{};
  std::map<std::size_t, std::vector<double>> members;  // bucket -> its values, for the buckets holding a needed rank
  auto bucket_of_rank = [&](std::size_t r) {
    return static_cast<std::size_t>(std::upper_bound(first.begin(), first.end(), r) - first.begin()) - 1;
  };
  std::vector<std::size_t> ranks;
  for (const double p : ps) {
    const auto lo = static_cast<std::size_t>(std::floor((static_cast<double>(n) - 1.0) * p));
    ranks.push_back(lo);
    if (lo + 1 < n) ranks.push_back(lo + 1);
  }
  for (const std::size_t r : ranks) members.try_emplace(bucket_of_rank(r));
  for (const double x : v) {
    auto it = members.find(bucket(x));
    if (it != members.end()) it->second.push_back(x);
  }
  auto order_statistic = [&](std::size_t r) {
    const std::size_t b = bucket_of_rank(r);
    auto& m = members.at(b);
    const auto k = static_cast<std::ptrdiff_t>(r - first[b]);
    std::nth_element(m.begin(), m.begin() + k, m.end());
    return m[static_cast<std::size_t>(k)];
  };
  for (std::size_t i = 0; i < N; ++i) {
    const double h = (static_cast<double>(n) - 1.0) * ps[i];
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const double x_lo = order_statistic(lo);
    out[i] = lo + 1 < n ? x_lo + (h - static_cast<double>(lo)) * (order_statistic(lo + 1) - x_lo) : x_lo;
  }
  return out;
}
}  // namespace

void run_samples(const Sampler& sampler, const CompiledMetrics& f, std::size_t metrics, std::uint64_t seed,
                 std::uint64_t first, std::uint64_t last, int threads, ProgressMode progress, std::span<double> out,
                 std::span<std::uint64_t> clamps) {
  if (last > kMaxSamples) throw InternalError("sample index beyond the 32-bit counter");
  Progress bar("Monte Carlo", last - first, "samples", progress);
  std::mutex clamp_mu;
  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::uint64_t>(first, last, kGrain), [&](const tbb::blocked_range<std::uint64_t>& r) {
      // Each task owns its parameter vector and its copy of the evaluator
      // (whatever scratch state the closure captured is then private too).
      std::vector<double> values = sampler.base();
      std::vector<std::uint64_t> local(clamps.size(), 0);
      const CompiledMetrics eval = f;
      for (std::uint64_t i = r.begin(); i != r.end(); ++i) {
        sampler.draw(seed, static_cast<std::uint32_t>(i), values, local);
        eval(values, out.subspan((i - first) * metrics, metrics));
      }
      {
        const std::lock_guard lock(clamp_mu);
        for (std::size_t k = 0; k < local.size(); ++k) clamps[k] += local[k];
      }
      bar.add(r.size());
    });
  });
  bar.finish();
}

McResult monte_carlo(const ParamTable& params, const Uncertainty& u, const CompiledMetrics& f,
                     const std::vector<std::string>& metrics, const McOptions& opt, const MpiSession* mpi) {
  opt.validate(metrics.size());
  const Sampler sampler(params, u, opt.used ? &*opt.used : nullptr);
  const std::size_t m = metrics.size();
  const int ranks = mpi ? mpi->size() : 1;
  const int rank = mpi ? mpi->rank() : 0;
  const std::uint64_t first = opt.samples * static_cast<std::uint64_t>(rank) / static_cast<std::uint64_t>(ranks);
  const std::uint64_t last = opt.samples * static_cast<std::uint64_t>(rank + 1) / static_cast<std::uint64_t>(ranks);

  std::vector<double> mine((last - first) * m);
  std::vector<std::uint64_t> clamps(sampler.touched().size(), 0);
  std::exception_ptr failure;
  try {
    run_samples(sampler, f, m, opt.seed, first, last, opt.threads, rank == 0 ? opt.progress : ProgressMode::kOff, mine, clamps);
  } catch (...) {
    failure = std::current_exception();
  }
  // Every rank learns of a failure anywhere, so none waits in a gather forever.
  if (mpi && mpi->any(failure != nullptr)) {
    if (failure) std::rethrow_exception(failure);
    throw UserError(Location{"", 0, "mc"}, "every MPI rank to finish its samples", "a failure on another rank (see its message)");
  }
  if (failure) std::rethrow_exception(failure);

  std::vector<double> all = mpi ? mpi->gather(mine) : std::move(mine);
  if (mpi) mpi->sum_to_root(clamps);
  McResult res;
  res.samples = opt.samples;
  res.seed = opt.seed;
  res.not_drawn = sampler.skipped();
  if (mpi && !mpi->root()) {
    res.root = false;
    return res;
  }
  if (all.size() != opt.samples * m) throw InternalError("Monte Carlo gathered the wrong number of values");

  std::vector<double> base(m);
  f(sampler.base(), base);
  // One summary per metric, in parallel (each reads its own column: the
  // result does not depend on the thread count).
  res.metrics.resize(m);
  tbb::task_arena arena(opt.threads > 0 ? opt.threads : tbb::task_arena::automatic);
  arena.execute([&] {
    tbb::parallel_for(std::size_t{0}, m, [&](std::size_t k) {
      std::vector<double> finite;
      finite.reserve(opt.samples);
      std::uint64_t non_finite = 0;
      for (std::uint64_t i = 0; i < opt.samples; ++i) {
        const double x = all[i * m + k];
        if (std::isfinite(x)) finite.push_back(x);
        else ++non_finite;
      }
      res.metrics[k] = summarise_finite(metrics[k], finite, non_finite, opt.bins);
      res.metrics[k].base = base[k];
    });
  });
  for (std::size_t k = 0; k < clamps.size(); ++k)
    if (clamps[k] > 0) res.clamped.emplace_back(params.at(sampler.touched()[k]).path, clamps[k]);
  std::sort(res.clamped.begin(), res.clamped.end());
  return res;
}

}  // namespace gpugap::studies
