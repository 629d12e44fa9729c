// Registers the gap engine's scenario parameters and metric providers: `gap.*`
// (the China-US gap by basis, set and year, and the lever decomposition) and
// `demand.*` (bottom-up token demand). The registry maps a metric path to a
// provider by its first component, so each prefix has its own provider.
#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <optional>
#include <span>

#include "econ/samples.hpp"
#include "gap/register.hpp"
#include "gap/demand.hpp"
#include "gap/gap.hpp"
#include "market/model.hpp"
#include "score/score.hpp"

namespace gpugap::gap {
namespace {

using analysis::ParamDecl;

double value_or_nan(const score::Figure& f) { return f.ok() ? *f.value : std::nan(""); }

void publish_gap(const GapResult& r, analysis::MetricMap& out) {
  for (const auto& b : r.bases)
    for (const auto& c : b.cells) {
      out[fmt::format("gap.{}.{}.{}", b.basis.id, set_name(c.set), c.year)] = value_or_nan(c.ratio);
      out[fmt::format("gap.available.{}.{}.{}", b.basis.id, set_name(c.set), c.year)] = value_or_nan(c.ratio_available);
      out[fmt::format("gap.weighted.{}.{}.{}", b.basis.id, set_name(c.set), c.year)] = value_or_nan(c.ratio_weighted);
    }
  // gap.levers.<lever>.share.<basis>.<set>.<year>: the share of the (log) gap a
  // lever closes alone; interaction and residual complete the sum to 1.
  for (const auto& d : r.decompositions) {
    const std::string at = fmt::format("{}.{}.{}", d.basis, set_name(d.set), d.year);
    for (const auto& l : d.levers) out[fmt::format("gap.levers.{}.share.{}", l.lever, at)] = value_or_nan(l.share_closed);
    out["gap.levers.interaction.share." + at] = value_or_nan(d.interaction);
    out["gap.levers.residual.share." + at] = value_or_nan(d.residual);
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
    out["demand.capex_usd_per_tps." + s] = value_or_nan(y.usd_per_tps);
    out["demand.capex_usd_per_mtok." + s] = value_or_nan(y.capex_usd_per_mtok);
    out["demand.implied_total_usd_bn." + s] = value_or_nan(y.implied_total_usd_bn);
    out["demand.tam_ratio." + s] = value_or_nan(y.tam_ratio);
  }
}

void run_gap(const analysis::Context& ctx, const ParamTable& p, econ::SearchCache* cache, analysis::MetricMap& out) {
  publish_gap(evaluate(ctx, p, settings(p), cache), out);
}

void run_demand(const analysis::Context& ctx, const ParamTable& p, econ::SearchCache* cache, analysis::MetricMap& out) {
  const DemandSettings s = demand_settings(p);
  score::SourceOptions o;
  o.region = s.region;
  const score::SpecBook specs(*ctx.catalog, p);
  auto src = score::perf_econ_source(ctx, p, o, cache, &specs);
  publish_demand(demand(*ctx.catalog, p, s, *src, market::try_totals(ctx, p), &specs), out);
}

// The gap analysis (`demand`: the bottom-up demand) compiled once for many
// samples. A sample that moves no catalog parameter reads its settings by
// index (and the market figures from the compiled market model), and its chip
// economics from a source built once on the base table; any other sample runs
// the whole evaluation on a pooled copy of the table, its searches shared.
class CompiledGap {
 public:
  CompiledGap(const analysis::Context& ctx, bool demand)
      : ctx_(ctx), demand_(demand), supply_(ctx, ctx.params), specs_(*ctx.catalog, ctx.params), tables_(ctx.params),
        moved_(ctx.params) {
    score::SourceOptions o;
    try {
      if (demand_) {
        demand_reader_.emplace(ctx.params);
        market_ = market::try_totals_reader(ctx, ctx.params);
        o.region = demand_reader_->read(ctx.params.values()).region;
      } else {
        reader_.emplace(ctx.params);
        o.region = reader_->read(ctx.params.values()).region;
      }
    } catch (const InsufficientData&) {
      reader_.reset();  // every sample takes the full path and reports what is missing
      demand_reader_.reset();
    } catch (const UserError&) {
      reader_.reset();
      demand_reader_.reset();
    }
    source_ = score::perf_econ_source(ctx, ctx.params, o, &searches_, &specs_);
  }

  void run(std::span<const double> v, analysis::MetricMap& out) {
    const bool fast = (demand_ ? demand_reader_.has_value() : reader_.has_value()) && !moved_(v);
    if (fast && demand_) {
      const DemandSettings s = demand_reader_->read(v);
      const auto totals = market_ ? std::optional<market::Totals>(market_->read(v)) : std::nullopt;
      publish_demand(demand(*ctx_.catalog, ctx_.params, s, *source_, totals, &specs_), out);
    } else if (fast) {
      Settings s = reader_->read(v);
      attach_supply(supply_, v, s);
      publish_gap(evaluate(*ctx_.catalog, ctx_.params, s, *source_, &specs_), out);
    } else {
      const auto lease = tables_.lease(v);
      if (demand_) run_demand(ctx_, lease.table(), &searches_, out);
      else run_gap(ctx_, lease.table(), &searches_, out);
    }
  }

 private:
  const analysis::Context& ctx_;
  bool demand_ = false;
  std::optional<SettingsReader> reader_;
  std::optional<DemandSettingsReader> demand_reader_;
  std::optional<market::TotalsReader> market_;  // none when the market model lacks an input
  score::SupplyVolumes supply_;                  // the gap's shipment weights, per sample
  score::SpecBook specs_;
  econ::SearchCache searches_;
  std::unique_ptr<score::EconomicsSource> source_;
  econ::TablePool tables_;
  econ::CatalogMoved moved_;
};

analysis::CompiledMetrics compile_gap(const analysis::Context& ctx, const std::vector<std::string>& metrics, bool demand) {
  auto c = std::make_shared<CompiledGap>(ctx, demand);  // shared by the copies of the function
  return [c, metrics](std::span<const double> values, std::span<double> out) {
    analysis::MetricMap m;
    c->run(values, m);
    for (std::size_t i = 0; i < metrics.size(); ++i) {
      auto it = m.find(metrics[i]);
      out[i] = it == m.end() ? std::nan("") : it->second;
    }
  };
}

class GapProvider final : public analysis::MetricProvider {
 public:
  [[nodiscard]] std::string prefix() const override { return "gap"; }
  void compute(const analysis::Context& ctx, const ParamTable& params, analysis::MetricMap& out) const override {
    run_gap(ctx, params, nullptr, out);
  }
  [[nodiscard]] analysis::CompiledMetrics compile(const analysis::Context& ctx,
                                                  const std::vector<std::string>& metrics) const override {
    return compile_gap(ctx, metrics, false);
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
    return compile_gap(ctx, metrics, true);
  }
};

}  // namespace

void register_engine(analysis::Registry& r) {
  constexpr double kBig = 1e21;
  auto add = [&r](ParamDecl d) { r.params.push_back(std::move(d)); };
  add({"gap.today_year", Dim::kYear, "year", "'today' of the report's gap claim (1.5-2x today)", false, false, 2015, 2040});
  add({"gap.horizon_years", Dim::kNumber, "years", "horizon of the claim (~1x within this many years)", false, false, 0, 20});
  add({"gap.claim.today_low", Dim::kNumber, "x", "the report's claim: lower end of today's system-level gap (US / domestic)", false,
       false, 0, 1e6});
  add({"gap.claim.today_high", Dim::kNumber, "x", "the report's claim: upper end of today's system-level gap", false, false, 0, 1e6});
  add({"gap.claim.parity_band", Dim::kNumber, "x", "'~1x' at the horizon read as a gap within this factor of parity either way",
       false, false, 1, 1e6});
  add({"gap.available_min_chips", Dim::kNumber, "chips/year",
       "a domestic part is 'available' in a year when its vendor ships at least this many chips that year (supply model)",
       false, false, 0, 1e12});
  add({"gap.imports.mix.*", Dim::kFraction, "share",
       "share of the licensed imports (market.imports.licensed_usd_bn) spent on a US part (chip id) in the year: the "
       "US side of the shipment-weighted gap in China and the score's reference part follow it",
       true, false, 0, 1});
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
