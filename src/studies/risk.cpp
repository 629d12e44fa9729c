#include "studies/risk.hpp"
#include "studies/evaluate.hpp"
#include "studies/engines.hpp"

#include <fmt/format.h>

#include <cmath>

namespace gpugap::studies {

std::vector<std::string> risk_scenarios(const catalog::Catalog& cat) {
  std::vector<std::string> out;
  for (const auto& id : cat.ids("scenarios"))
    if (id.starts_with(kRiskPrefix)) out.push_back(id);
  return out;
}

std::vector<std::string> risk_metric_paths(const score::ScoreResult& base, const analysis::Context& ctx) {
  std::vector<std::string> paths;
  const int last = analysis::kLastYear;
  const int mid = std::min(last, base.settings.as_of_year + 2);
  for (const char* m : {"market.tam_usd_bn", "market.domestic_usd_bn", "market.self_sufficiency"})
    paths.push_back(fmt::format("{}.{}", m, last));
  paths.push_back(fmt::format("supply.chips_total.{}", mid));
  for (const auto& v : base.vendors) paths.push_back(fmt::format("supply.chips.{}.{}", v.vendor, mid));
  paths.push_back(fmt::format("demand.chips_needed.{}", last));
  paths.push_back(fmt::format("demand.spend_usd_bn.{}", last));
  if (auto today = ctx.params.maybe("gap.today_year")) {
    const int y = std::min(last, static_cast<int>(*today) + static_cast<int>(ctx.params.maybe("gap.horizon_years").value_or(0)));
    for (const auto& [wl, w] : base.settings.workload_weights)
      if (w > 0) paths.push_back(fmt::format("gap.tps_{}.china.{}", wl, y));
  }
  return paths;
}

analysis::MetricMap evaluate_available(const analysis::Context& ctx, const std::vector<std::string>& paths) {
  analysis::MetricMap out;
  // One provider evaluation per prefix: group the paths, drop those that fail.
  std::map<std::string, std::vector<std::string>> by_prefix;
  for (const auto& p : paths) by_prefix[p.substr(0, p.find('.'))].push_back(p);
  for (const auto& [prefix, group] : by_prefix) {
    analysis::MetricMap all;
    try {
      const analysis::MetricProvider& prov = studies::provider_for(prefix + ".");
      prov.compute(ctx, ctx.params, all);
    } catch (const UserError&) {
      continue;
    } catch (const InsufficientData&) {
      continue;
    }
    for (const auto& p : group)
      if (auto it = all.find(p); it != all.end()) out[p] = it->second;
  }
  return out;
}

namespace {
std::optional<double> finite(double v) { return std::isfinite(v) ? std::optional<double>(v) : std::nullopt; }
}  // namespace

RiskCase risk_case(const analysis::Context& base_ctx, const score::ScoreResult& base, const analysis::MetricMap& base_metrics,
                   const analysis::Context& risk, const std::vector<std::string>& paths, econ::SearchCache* cache) {
  RiskCase rc;
  rc.scenario = risk.scenario.id;
  rc.name = risk.scenario.name;
  rc.description = risk.scenario.description;
  // What the case changes: every parameter whose value differs from the base.
  for (const auto& p : risk.params.all()) {
    auto i = base_ctx.params.find(p.path);
    if (!i) {
      rc.overrides_in_case.push_back(p.path);
      continue;
    }
    const Param& b = base_ctx.params.at(*i);
    if (b.is_null != p.is_null || (!p.is_null && b.value != p.value)) rc.overrides_in_case.push_back(p.path);
  }
  score::ScoreResult r;
  try {
    r = score::evaluate(risk, risk.params, score::settings(risk.params), cache);
  } catch (const InsufficientData& e) {
    rc.status = e.what();
    return rc;
  }
  for (const auto& v : r.vendors) {
    RankMove m;
    m.vendor = v.vendor;
    m.risk_rank = v.rank;
    m.risk_composite = v.composite;
    m.risk_quant = v.quantitative.value;
    for (const auto& [k, c] : v.conditions) m.risk_conditions += c == std::optional<bool>(true) ? 1 : 0;
    for (const auto& b : base.vendors) {
      if (b.vendor != v.vendor) continue;
      m.base_rank = b.rank;
      m.base_composite = b.composite;
      m.base_quant = b.quantitative.value;
      for (const auto& [k, c] : b.conditions) m.base_conditions += c == std::optional<bool>(true) ? 1 : 0;
    }
    rc.ranks.push_back(m);
  }
  const analysis::MetricMap risk_metrics = evaluate_available(risk, paths);
  for (const auto& p : paths) {
    MetricMove mm;
    mm.path = p;
    if (auto it = base_metrics.find(p); it != base_metrics.end()) mm.base = finite(it->second);
    if (auto it = risk_metrics.find(p); it != risk_metrics.end()) mm.risk = finite(it->second);
    if (base_metrics.count(p) || risk_metrics.count(p)) rc.metrics.push_back(mm);
  }
  return rc;
}

}  // namespace gpugap::studies
