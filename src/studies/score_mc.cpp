#include "studies/score_mc.hpp"

#include <algorithm>
#include <cmath>

#include "score/score.hpp"
#include "studies/evaluate.hpp"
#include "studies/uncertainty.hpp"

namespace gpugap::studies {
namespace {

constexpr const char* kFields[] = {"quantitative", "quant_index", "qualitative", "composite", "rank", "complete"};
constexpr std::size_t kPerVendor = std::size(kFields);

std::vector<std::string> ranked_vendors(const Context& ctx) {
  std::vector<std::string> out;
  for (const auto& id : score::scored_vendors(*ctx.catalog))
    if (ctx.catalog->domestic_vendor(id)) out.push_back(id);
  return out;
}

// One metric's column of the sample-major matrix.
std::vector<double> column(const std::vector<double>& all, std::size_t metrics, std::size_t k) {
  std::vector<double> c(all.size() / metrics);
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = all[i * metrics + k];
  return c;
}

}  // namespace

std::vector<std::string> score_mc_metrics(const std::vector<std::string>& vendors) {
  std::vector<std::string> m;
  for (const auto& v : vendors)
    for (const char* f : kFields) m.push_back("score." + v + "." + f);
  return m;
}

std::vector<double> rank_distribution(std::span<const double> ranks, std::size_t n) {
  std::vector<double> p(n, 0.0);
  std::size_t counted = 0;
  for (const double r : ranks) {
    if (!std::isfinite(r) || r < 1 || r > static_cast<double>(n)) continue;
    p[static_cast<std::size_t>(std::lround(r)) - 1] += 1.0;
    ++counted;
  }
  for (double& x : p) x = counted > 0 ? x / static_cast<double>(counted) : std::nan("");
  return p;
}

ScoreUncertainty score_monte_carlo(const Context& ctx, McOptions opt) {
  const std::vector<std::string> vendors = ranked_vendors(ctx);
  const std::vector<std::string> metrics = score_mc_metrics(vendors);
  opt.validate(metrics.size());
  const Uncertainty u = parse_uncertainty(ctx);
  opt.used = params_read(ctx, metrics);
  const Sampler sampler(ctx.params, u, opt.used ? &*opt.used : nullptr);
  const CompiledMetrics f = compile(ctx, metrics);
  const std::size_t m = metrics.size();
  std::vector<double> all(opt.samples * m);
  std::vector<std::uint64_t> clamps(sampler.touched().size(), 0);
  run_samples(sampler, f, m, opt.seed, 0, opt.samples, opt.threads, opt.progress, all, clamps);

  ScoreUncertainty r;
  r.samples = opt.samples;
  r.seed = opt.seed;
  for (std::size_t k = 0; k < sampler.touched().size(); ++k) {
    const std::string& path = ctx.params.at(sampler.touched()[k]).path;
    r.drawn.push_back(path);
    if (clamps[k] > 0) r.clamped.emplace_back(path, clamps[k]);
  }
  for (std::size_t v = 0; v < vendors.size(); ++v) {
    const std::size_t b = v * kPerVendor;
    VendorUncertainty x;
    x.vendor = vendors[v];
    x.quantitative = summarise(metrics[b], column(all, m, b), kDefaultBins);
    x.quant_index = summarise(metrics[b + 1], column(all, m, b + 1), kDefaultBins);
    x.qualitative = summarise(metrics[b + 2], column(all, m, b + 2), kDefaultBins);
    x.composite = summarise(metrics[b + 3], column(all, m, b + 3), kDefaultBins);
    x.rank_probability = rank_distribution(column(all, m, b + 4), vendors.size());
    const std::vector<double> complete = column(all, m, b + 5);
    double both = 0;
    for (const double c : complete) both += c > 0.5 ? 1.0 : 0.0;
    x.both_layers_share = complete.empty() ? 0 : both / static_cast<double>(complete.size());
    r.vendors.push_back(std::move(x));
  }
  // Most likely first: by expected rank, then id (deterministic).
  auto expected = [](const VendorUncertainty& x) {
    double e = 0;
    for (std::size_t k = 0; k < x.rank_probability.size(); ++k) e += static_cast<double>(k + 1) * x.rank_probability[k];
    return e;
  };
  std::stable_sort(r.vendors.begin(), r.vendors.end(), [&](const VendorUncertainty& a, const VendorUncertainty& b) {
    const double ea = expected(a), eb = expected(b);
    if (ea != eb) return ea < eb;
    return a.vendor < b.vendor;
  });
  return r;
}

}  // namespace gpugap::studies
