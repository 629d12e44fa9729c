// Risk cases of the report's thesis (foundry capacity shortfall, slower cloud
// adoption of domestic chips, a change of computing paradigm): scenario
// variants (catalog/scenarios/risk-*.yaml) that re-run the whole chain --
// supply, market, perf/econ, scorecard, gap, demand -- and show how the
// ranking and the market figures move against the base scenario.
#pragma once

#include <string>
#include <vector>

#include "analysis/metrics.hpp"
#include "score/score.hpp"
#include "studies/evaluate.hpp"

namespace gpugap::studies {

// Risk-case scenarios of the catalog: ids starting with this prefix.
inline constexpr std::string_view kRiskPrefix = "risk-";
std::vector<std::string> risk_scenarios(const catalog::Catalog& cat);

struct RankMove {
  std::string vendor;
  int base_rank = 0, risk_rank = 0;
  double base_composite = 0, risk_composite = 0;
  std::optional<double> base_quant, risk_quant;   // quantitative 0..5
  int base_conditions = 0, risk_conditions = 0;   // conditions met
};

struct MetricMove {
  std::string path;
  std::optional<double> base, risk;
};

struct RiskCase {
  std::string scenario;
  std::string name;
  std::string description;
  std::string status = "ok";  // or the reason the case could not run
  std::vector<std::string> overrides_in_case;  // the parameters the case changes vs the base (paths)
  std::vector<RankMove> ranks;                 // by risk rank
  std::vector<MetricMove> metrics;
};

// The market, supply, gap and demand figures a risk case reports (those the
// build can evaluate are kept).
std::vector<std::string> risk_metric_paths(const score::ScoreResult& base, const analysis::Context& ctx);

// Evaluates the whole chain in `risk` and compares with the base.
RiskCase risk_case(const analysis::Context& base_ctx, const score::ScoreResult& base, const analysis::MetricMap& base_metrics,
                   const analysis::Context& risk, const std::vector<std::string>& paths,
                   econ::SearchCache* cache = nullptr);

// Evaluates each path alone, keeping those that evaluate (NaN-free or not).
analysis::MetricMap evaluate_available(const analysis::Context& ctx, const std::vector<std::string>& paths);

}  // namespace gpugap::studies
