// Registers the score engine's scenario parameters and metric providers.
#include <cmath>

#include "analysis/registry.hpp"
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

class ScoreProvider final : public analysis::MetricProvider {
 public:
  [[nodiscard]] std::string prefix() const override { return "score"; }

  void compute(const analysis::Context& ctx, const ParamTable& params, analysis::MetricMap& out) const override {
    publish(evaluate(ctx, params, settings(params)), out);
  }

  // Monte Carlo: one search cache for all samples, so that a sample which
  // leaves every chip's specs unchanged only recomputes the economics.
  [[nodiscard]] analysis::CompiledMetrics compile(const analysis::Context& ctx,
                                                  const std::vector<std::string>& metrics) const override {
    auto cache = std::make_shared<econ::SearchCache>();  // shared by the copies of the function
    return [&ctx, metrics, cache](std::span<const double> values, std::span<double> out) {
      ParamTable t = ctx.params;
      t.assign(std::vector<double>(values.begin(), values.end()));
      analysis::MetricMap m;
      publish(evaluate(ctx, t, settings(t), cache.get()), m);
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
