// Registers the gap engine's scenario parameters and metric providers: `gap.*`
// (the China-US gap by basis, set and year, and the lever decomposition) and
// `demand.*` (bottom-up token demand). The registry maps a metric path to a
// provider by its first component, so each prefix has its own provider.
#include <fmt/format.h>

#include <cmath>

#include "analysis/registry.hpp"
#include "gap/demand.hpp"
#include "gap/gap.hpp"
#include "score/score.hpp"

namespace gpugap::gap {
namespace {

using analysis::ParamDecl;

double value_or_nan(const score::Figure& f) { return f.ok() ? *f.value : std::nan(""); }

void publish_gap(const GapResult& r, analysis::MetricMap& out) {
  for (const auto& b : r.bases)
    for (const auto& c : b.cells)
      out[fmt::format("gap.{}.{}.{}", b.basis.id, set_name(c.set), c.year)] = value_or_nan(c.ratio);
  for (const auto& d : r.decompositions)
    for (const auto& l : d.levers)
      out[fmt::format("gap.lever.{}.{}.{}.{}", l.lever, d.basis, set_name(d.set), d.year)] = value_or_nan(l.share_closed);
}

// The market figures shown beside the bottom-up demand (absent when the
// market model cannot evaluate them).
std::map<std::string, double> market_figures(const analysis::Context& ctx, const ParamTable& p) {
  std::vector<std::string> paths;
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
    paths.push_back(fmt::format("market.tam_usd_bn.{}", y));
    paths.push_back(fmt::format("market.domestic_usd_bn.{}", y));
  }
  try {
    const auto m = analysis::evaluate(ctx, p, paths);
    return {m.begin(), m.end()};
  } catch (const UserError&) {
    return {};
  } catch (const InsufficientData&) {
    return {};
  }
}

void publish_demand(const DemandResult& r, analysis::MetricMap& out) {
  for (const auto& y : r.years) {
    const std::string s = std::to_string(y.year);
    out["demand.tokens_per_day." + s] = y.tokens_per_day;
    out["demand.output_tokens_per_s." + s] = y.output_tokens_per_s;
    out["demand.chip_tps." + s] = value_or_nan(y.chip_tps);
    out["demand.chips_needed." + s] = value_or_nan(y.chips_needed);
    out["demand.chips_bought." + s] = value_or_nan(y.chips_bought);
    out["demand.spend_usd_bn." + s] = value_or_nan(y.spend_usd_bn);
    out["demand.implied_total_usd_bn." + s] = value_or_nan(y.implied_total_usd_bn);
    out["demand.tam_ratio." + s] = value_or_nan(y.tam_ratio);
  }
}

// Evaluates through a fresh table per Monte Carlo sample, sharing one search cache.
template <class Fn>
analysis::CompiledMetrics compile_with_cache(const analysis::Context& ctx, const std::vector<std::string>& metrics, Fn fn) {
  auto cache = std::make_shared<econ::SearchCache>();  // shared by the copies of the function
  return [&ctx, metrics, cache, fn](std::span<const double> values, std::span<double> out) {
    ParamTable t = ctx.params;
    t.assign(std::vector<double>(values.begin(), values.end()));
    analysis::MetricMap m;
    fn(ctx, t, cache.get(), m);
    for (std::size_t i = 0; i < metrics.size(); ++i) {
      auto it = m.find(metrics[i]);
      out[i] = it == m.end() ? std::nan("") : it->second;
    }
  };
}

void run_gap(const analysis::Context& ctx, const ParamTable& p, econ::SearchCache* cache,
             analysis::MetricMap& out) {
  publish_gap(evaluate(ctx, p, settings(p), cache), out);
}

void run_demand(const analysis::Context& ctx, const ParamTable& p, econ::SearchCache* cache,
                analysis::MetricMap& out) {
  const DemandSettings s = demand_settings(p);
  score::SourceOptions o;
  o.region = s.region;
  auto src = score::perf_econ_source(ctx, p, o, cache);
  publish_demand(demand(*ctx.catalog, p, s, *src, market_figures(ctx, p)), out);
}

class GapProvider final : public analysis::MetricProvider {
 public:
  [[nodiscard]] std::string prefix() const override { return "gap"; }
  void compute(const analysis::Context& ctx, const ParamTable& params, analysis::MetricMap& out) const override {
    run_gap(ctx, params, nullptr, out);
  }
  [[nodiscard]] analysis::CompiledMetrics compile(const analysis::Context& ctx,
                                                  const std::vector<std::string>& metrics) const override {
    return compile_with_cache(ctx, metrics, run_gap);
  }
};

class DemandProvider final : public analysis::MetricProvider {
 public:
  [[nodiscard]] std::string prefix() const override { return "demand"; }
  void compute(const analysis::Context& ctx, const ParamTable& params, analysis::MetricMap& out) const override {
    run_demand(ctx, params, nullptr, out);
  }
  [[nodiscard]] analysis::CompiledMetrics compile(const analysis::Context& ctx,
                                                  const std::vector<std::string>& metrics) const override {
    return compile_with_cache(ctx, metrics, run_demand);
  }
};

}  // namespace

void register_engine(analysis::Registry& r) {
  constexpr double kBig = 1e21;
  auto add = [&r](ParamDecl d) { r.params.push_back(std::move(d)); };
  add({"gap.today_year", Dim::kYear, "year", "'today' of the report's gap claim (1.5-2x today)", false, false, 2015, 2040});
  add({"gap.horizon_years", Dim::kNumber, "years", "horizon of the claim (~1x within this many years)", false, false, 0, 20});
  add({"demand.daily_tokens", Dim::kNumber, "tokens/day",
       "tokens (input + output) served per day in China, year-end run rate", true, true, 0, kBig});
  add({"demand.daily_tokens_prior", Dim::kNumber, "tokens/day",
       "year-end run rate of the year before the first model year (for that year's additions)", false, false, 0, kBig});
  add({"demand.workload_mix.*", Dim::kNumber, "share", "share of tokens served on a catalog workload (normalised)",
       false, false, 0, kBig});
  add({"demand.model_mix.*", Dim::kNumber, "share", "share of tokens served by a catalog model (normalised)", false,
       false, 0, kBig});
  add({"demand.utilisation", Dim::kFraction, "fraction",
       "average served load as a fraction of the installed serving capacity (diurnal peaks, headroom)", false, false,
       1e-3, 1});
  add({"demand.inference_share", Dim::kFraction, "fraction", "inference share of AI accelerator demand", true, false,
       0, 1});
  r.providers.push_back(std::make_unique<GapProvider>());
  r.providers.push_back(std::make_unique<DemandProvider>());
}

}  // namespace gpugap::gap
