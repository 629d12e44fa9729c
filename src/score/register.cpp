// Registers the score engine's scenario parameters and metric providers.
#include <cmath>
#include <memory>
#include <optional>
#include <span>

#include "econ/samples.hpp"
#include "score/register.hpp"
#include "score/score.hpp"

namespace gpugap::score {
namespace {

using analysis::ParamDecl;

double value_or_nan(const Figure& f) { return f.ok() ? *f.value : std::nan(""); }

void publish(const ScoreResult& r, analysis::MetricMap& out) {
  for (const auto& v : r.vendors) {
    const std::string b = "score." + v.vendor + ".";
    out[b + "composite"] = v.composite;
    out[b + "rank"] = v.rank;
    out[b + "is_first"] = v.rank == 1 ? 1.0 : 0.0;  // its Monte Carlo mean: how often the vendor ranks first
    out[b + "quantitative"] = value_or_nan(v.quantitative);
    out[b + "quant_index"] = value_or_nan(v.quant_index);
    out[b + "qualitative"] = value_or_nan(v.qualitative_score);
    out[b + "complete"] = v.complete ? 1.0 : 0.0;  // scored on both layers (ranked before one-layer vendors)
    int met = 0;
    for (const auto& [k, c] : v.conditions) met += c == std::optional<bool>(true) ? 1 : 0;
    out[b + "conditions_met"] = met;
    out[b + "all_conditions"] = met == static_cast<int>(kConditions.size()) ? 1.0 : 0.0;
  }
  for (const auto& v : r.benchmarks) {
    const std::string b = "score." + v.vendor + ".";
    out[b + "composite"] = v.composite;
    out[b + "quantitative"] = value_or_nan(v.quantitative);
    out[b + "quant_index"] = value_or_nan(v.quant_index);
  }
}

// The scorecard compiled once for many samples. A sample that moves no
// catalog parameter (the usual Monte Carlo: weights, supply, market) reads
// its settings by index, its supply volumes from the compiled supply model,
// and its chip economics from a source built once on the base table (specs,
// searches and money side computed on first use). Any other sample runs the
// whole evaluation on a pooled copy of the table, its searches still shared.
class CompiledScore {
 public:
  explicit CompiledScore(const analysis::Context& ctx)
      : ctx_(ctx), supply_(ctx, ctx.params), specs_(*ctx.catalog, ctx.params), tables_(ctx.params), moved_(ctx.params) {
    try {
      reader_.emplace(ctx.params);
    } catch (const InsufficientData&) {
      // Every sample takes the full path and reports the missing parameter.
    }
    SourceOptions o;
    o.region = Settings{}.region;
    source_ = perf_econ_source(ctx, ctx.params, o, &searches_, &specs_);
  }

  void run(std::span<const double> v, analysis::MetricMap& out) {
    if (reader_ && !moved_(v)) {
      Settings s = reader_->read(v);
      s.supply_chips = supply_.read(v, s.supply_year);
      publish(evaluate(*ctx_.catalog, ctx_.params, s, *source_, &specs_), out);
      return;
    }
    const auto lease = tables_.lease(v);
    publish(evaluate(ctx_, lease.table(), settings(lease.table()), &searches_), out);
  }

 private:
  const analysis::Context& ctx_;
  std::optional<SettingsReader> reader_;
  SupplyVolumes supply_;
  SpecBook specs_;
  econ::SearchCache searches_;
  std::unique_ptr<EconomicsSource> source_;
  econ::TablePool tables_;
  econ::CatalogMoved moved_;
};

class ScoreProvider final : public analysis::MetricProvider {
 public:
  [[nodiscard]] std::string prefix() const override { return "score"; }

  void compute(const analysis::Context& ctx, const ParamTable& params, analysis::MetricMap& out) const override {
    publish(evaluate(ctx, params, settings(params)), out);
  }

  // Monte Carlo, sensitivity, goal seek: see CompiledScore.
  [[nodiscard]] analysis::CompiledMetrics compile(const analysis::Context& ctx,
                                                  const std::vector<std::string>& metrics) const override {
    auto c = std::make_shared<CompiledScore>(ctx);  // shared by the copies of the function
    return [c, metrics](std::span<const double> values, std::span<double> out) {
      analysis::MetricMap m;
      c->run(values, m);
      for (std::size_t i = 0; i < metrics.size(); ++i) {
        auto it = m.find(metrics[i]);
        out[i] = it == m.end() ? std::nan("") : it->second;
      }
    };
  }
};

}  // namespace

void register_engine(analysis::Registry& r) {
  constexpr double kBig = 1e6;
  auto add = [&r](ParamDecl d) { r.params.push_back(std::move(d)); };
  add({"score.weights.quantitative", Dim::kNumber, "weight",
       "composite weight of the quantitative layer (inference economics)", false, false, 0, kBig});
  for (auto k : kQualitativeKeys)
    add({"score.weights." + std::string(k), Dim::kNumber, "weight",
         "composite weight of the qualitative score '" + std::string(k) + "'", false, false, 0, kBig});
  for (auto m : kAllMetrics)
    add({"score.metric_weights." + std::string(metric_name(m)), Dim::kNumber, "weight",
         "weight of " + std::string(metric_name(m)) + " inside the quantitative layer", false, false, 0, kBig});
  add({"score.workload_weights.*", Dim::kNumber, "weight",
       "weight of a catalog workload in the standard workload set (the set is the workloads given)", false, false, 0, kBig});
  add({"score.thresholds.inference_economics", Dim::kNumber, "x reference",
       "winning condition 1: the quantitative index (1 = the reference chip) at or above this", false, false, 0, kBig});
  for (auto c : {"capacity", "csp_ties", "policy"})
    add({std::string("score.thresholds.") + c, Dim::kNumber, "score 0-5",
         std::string("winning condition: qualitative score for ") + c + " at or above this", false, false, 0, kMaxScore});
  add({"score.full_marks_index", Dim::kNumber, "x reference",
       "quantitative index that earns the full 5 points (linear below)", false, false, 1e-9, kBig});
  add({"score.next_chip_weight", Dim::kFraction, "fraction",
       "weight of the vendor's next chip (vs the current one) in its quantitative index", false, false, 0, 1});
  add({"score.thresholds.supply_chips", Dim::kNumber, "chips/year",
       "capacity condition: chips the supply model secures for the vendor in score.supply_year (vendors it covers)",
       false, false, 0, 1e12});
  add({"score.supply_full_marks", Dim::kNumber, "chips/year",
       "capacity access in the composite: the lower of the judged score and 5 x min(1, supply chips / this)", false,
       false, 1, 1e12});
  add({"score.supply_year", Dim::kYear, "year", "year of the secured-volume check of the capacity condition", false,
       false, 2015, 2040});
  add({"score.as_of_year", Dim::kYear, "year", "'current' chip = the latest launched by this year", false, false, 2015, 2040});
  r.providers.push_back(std::make_unique<ScoreProvider>());
}

}  // namespace gpugap::score
