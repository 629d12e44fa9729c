// 5. Vendors: the two-layer scorecard (quantitative inference economics and
// the qualitative positioning layer), a heat map of the layers, the four
// winning conditions, and the watch metrics (spec progression, dated facts).
#include <tbb/parallel_for.h>

#include <cmath>

#include "report/sections.hpp"
#include "studies/risk.hpp"
#include "score/score.hpp"

namespace gpugap::report::detail {
namespace {

double fig(const score::Figure& f) { return f.value.value_or(std::nan("")); }

std::string cond_text(const std::optional<bool>& c) {
  if (!c) return "unknown";
  return *c ? "met" : "not met";
}

// The risk cases: each risk-* scenario re-runs the chain; the ranking moves and
// the market, supply, demand and gap figures beside the base. Returns a
// takeaway sentence ("" when there is no risk case).
std::string risk_cases(Gather& g, const score::ScoreResult& base, econ::SearchCache* cache, Section& s) {
  if (!g.opt.scenario_context) return "";
  const auto ids = studies::risk_scenarios(*g.ctx.catalog);
  if (ids.empty()) return "";
  g.progress(fmt::format("report: {} risk cases", ids.size()));
  const auto paths = studies::risk_metric_paths(base, g.ctx);
  const analysis::MetricMap base_metrics = studies::evaluate_available(g.ctx, paths);

  TableData rt;
  rt.id = "risk-ranks";
  rt.title = "Risk cases: vendor rank and composite, base -> risk case";
  rt.headers = {"risk case", "vendor", "rank (base)", "rank (risk)", "composite (base)", "composite (risk)", "conditions met (base)",
                "conditions met (risk)"};
  TableData mt;
  mt.id = "risk-metrics";
  mt.title = "Risk cases: market, supply, demand and gap figures, base -> risk case";
  mt.headers = {"risk case", "metric", "path", "base", "risk case", "change (%)"};
  std::vector<std::string> moved;
  nlohmann::json cj = nlohmann::json::array();
  // The cases are independent (the perf cache is thread-safe): run them in
  // parallel, then lay them out in catalog order.
  std::vector<studies::RiskCase> cases(ids.size());
  tbb::parallel_for(std::size_t{0}, ids.size(), [&](std::size_t i) {
    const analysis::Context rctx = g.opt.scenario_context(ids[i]);
    cases[i] = studies::risk_case(g.ctx, base, base_metrics, rctx, paths, cache);
  });
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::string& id = ids[i];
    const studies::RiskCase& rc = cases[i];
    if (rc.status != "ok") {
      s.items.push_back(Unavailable{"risk case " + id, rc.status});
      continue;
    }
    int rank_changes = 0;
    for (const auto& m : rc.ranks) {
      rank_changes += m.base_rank != m.risk_rank ? 1 : 0;
      rt.rows.push_back({Cell::txt(rc.name.empty() ? id : rc.name), Cell::txt(g.vendor_name(m.vendor)), Cell::num(m.base_rank, kInt),
                         Cell::num(m.risk_rank, kInt, m.base_rank != m.risk_rank), Cell::num(m.base_composite, kTwo),
                         Cell::num(m.risk_composite, kTwo), Cell::num(m.base_conditions, kInt),
                         Cell::num(m.risk_conditions, kInt, m.base_conditions != m.risk_conditions)});
    }
    for (const auto& m : rc.metrics) {
      const double b = m.base.value_or(std::nan("")), r = m.risk.value_or(std::nan(""));
      const double ch = b != 0 ? 100.0 * (r / b - 1.0) : std::nan("");
      mt.rows.push_back({Cell::txt(rc.name.empty() ? id : rc.name), Cell::txt(metric_label(m.path)), Cell::txt(m.path),
                         Cell::num(b, metric_format(m.path)), Cell::num(r, metric_format(m.path)),
                         Cell::num(ch, kOne, std::isfinite(ch) && std::fabs(ch) > 10)});
    }
    const std::string first = rc.ranks.empty() ? std::string("-") : g.vendor_name(rc.ranks.front().vendor);
    moved.push_back(fmt::format("{} ({} rank change{}, first: {})", id, rank_changes, rank_changes == 1 ? "" : "s", first));
    cj.push_back({{"scenario", id}, {"rank_changes", rank_changes}, {"first", rc.ranks.empty() ? "" : rc.ranks.front().vendor}});
  }
  if (!rt.rows.empty()) {
    rt.note = "Highlighted: a rank or a condition count that moves in the risk case.";
    mt.note = "Highlighted: a figure that moves by more than 10%.";
    s.items.push_back(Paragraph{"Risk cases re-run the whole chain (supply, market, perf/economics, scorecard, gap, demand) under each "
                                "risk-* scenario of the catalog; each scenario file states what it changes and why."});
    s.items.push_back(rt);
    s.items.push_back(mt);
  }
  g.results["score"]["risk_cases"] = cj;
  if (moved.empty()) return "";
  return fmt::format("Risk cases: {}.", fmt::join(moved, "; "));
}

}  // namespace

Section vendors_section(Gather& g) {
  Section s{"vendors", "5. Vendors", "", {}};
  const score::Settings st = score::settings(g.ctx.params);
  g.progress("report: vendor scorecard");
  econ::SearchCache searches;  // shared with the risk cases
  econ::SearchCache* cache = &searches;
  const score::ScoreResult res = score::evaluate(g.ctx, g.ctx.params, st, cache);
  if (res.vendors.empty()) {
    s.items.push_back(Unavailable{"vendor scorecard", "no domestic vendor has a qualitative layer in the catalog"});
    s.takeaway = "Not available: no vendor to score.";
    return s;
  }

  TableData t;
  t.id = "scorecard";
  t.title = fmt::format("Scorecard (0-5; quantitative layer relative to {}, model {})", st.reference_chip, st.model);
  t.headers = {"rank", "vendor", "composite", "quantitative", "qualitative", "inference economics", "capacity", "CSP ties",
               "policy", "conditions met", "basis"};
  nlohmann::json vj = nlohmann::json::array();
  for (const auto& v : res.vendors) {
    int met = 0;
    for (const auto& [k, c] : v.conditions) met += c.value_or(false) ? 1 : 0;
    auto cond = [&](std::string_view k) {
      auto it = v.conditions.find(std::string(k));
      const std::optional<bool> c = it == v.conditions.end() ? std::nullopt : it->second;
      return Cell::txt(cond_text(c), !c.value_or(false));
    };
    t.rows.push_back({Cell::num(v.rank, kInt), Cell::txt(v.name), Cell::num(v.composite, kTwo), Cell::num(fig(v.quantitative), kTwo),
                      Cell::num(fig(v.qualitative_score), kTwo), cond("inference_economics"), cond("capacity"), cond("csp_ties"),
                      cond("policy"), Cell::num(met, kInt), Cell::txt(v.composite_basis)});
    nlohmann::json conds = nlohmann::json::object();
    for (const auto& [k, c] : v.conditions) conds[k] = c ? nlohmann::json(*c) : nlohmann::json(nullptr);
    vj.push_back({{"vendor", v.vendor}, {"rank", v.rank}, {"composite", v.composite},
                  {"quantitative", v.quantitative.value ? nlohmann::json(*v.quantitative.value) : nlohmann::json(nullptr)},
                  {"qualitative", v.qualitative_score.value ? nlohmann::json(*v.qualitative_score.value) : nlohmann::json(nullptr)},
                  {"conditions", conds}});
  }
  t.note = "A long-run winner needs all four conditions (the report's framework). Highlighted: a condition not met or unknown.";
  g.results["score"] = {{"vendors", vj}};

  // Heat map of the layers: quantitative plus each qualitative key, 0..5.
  std::vector<std::string> cols{"quantitative"};
  for (auto k : score::kQualitativeKeys) cols.emplace_back(k);
  std::vector<std::string> rows;
  std::vector<std::vector<double>> vals;
  for (const auto& v : res.vendors) {
    rows.push_back(v.name);
    std::vector<double> r{fig(v.quantitative)};
    for (auto k : score::kQualitativeKeys) {
      auto it = v.qualitative.find(std::string(k));
      r.push_back(it == v.qualitative.end() ? std::nan("") : fig(it->second));
    }
    vals.push_back(r);
  }
  const auto& top = res.vendors.front();
  int top_met = 0;
  for (const auto& [k, c] : top.conditions) top_met += c.value_or(false) ? 1 : 0;
  std::size_t all_four = 0;
  for (const auto& v : res.vendors) {
    int met = 0;
    for (const auto& [k, c] : v.conditions) met += c.value_or(false) ? 1 : 0;
    if (met == static_cast<int>(score::kConditions.size())) ++all_four;
  }
  const std::string tk = fmt::format("{} ranks first with a composite of {} out of 5 and meets {} of the 4 winning conditions; {} of {} "
                                     "vendors meet all four.",
                                     top.name, format_number(top.composite, kTwo), top_met, all_four, res.vendors.size());
  s.items.push_back(charts::heatmap("vendors-layers", "Vendor layers: quantitative and qualitative scores (0-5)", tk,
                                    charts::Axis{"layer", kOne}, charts::Axis{"vendor", kOne}, cols, rows, vals, 0, score::kMaxScore,
                                    kTwo));
  s.items.push_back(t);

  // Watch metrics: spec progression of each generation and dated facts.
  TableData w;
  w.id = "watch";
  w.title = "Watch metrics: spec progression by generation";
  w.headers = {"vendor", "chip", "launch year", "BF16 dense (TFLOP/s)", "8-bit dense (TFLOP/s)", "memory bandwidth (TB/s)",
               "memory (GB)", "TDP (W)", "price cn (USD)"};
  TableData facts;
  facts.id = "watch-facts";
  facts.title = "Watch metrics: shipments, ASP and margins (dated, sourced)";
  facts.headers = {"vendor", "field", "year", "value", "unit", "source", "confidence"};
  auto opt_num = [](const std::optional<double>& v, double scale, NumberFormat f) { return Cell::num(v ? *v / scale : std::nan(""), f); };
  for (const auto& v : res.vendors) {
    const score::Watch wt = score::watch(*g.ctx.catalog, g.ctx.params, v.vendor);
    for (const auto& gen : wt.generations)
      w.rows.push_back({Cell::txt(wt.name), Cell::txt(gen.name),
                        gen.launch_year ? Cell::num(*gen.launch_year, kYear) : Cell::empty(), opt_num(gen.compute_bf16, 1e12, kInt),
                        opt_num(gen.compute_8bit, 1e12, kInt), opt_num(gen.mem_bandwidth, 1e12, kTwo), opt_num(gen.mem_capacity, 1e9, kInt),
                        opt_num(gen.tdp, 1, kInt), opt_num(gen.price_usd, 1, kInt)});
    for (const auto& f : wt.facts)
      facts.rows.push_back({Cell::txt(wt.name), Cell::txt(f.field), f.year ? Cell::num(*f.year, kYear) : Cell::empty(),
                            f.value ? Cell::num(*f.value, kGeneral) : Cell::txt(f.text), Cell::txt(f.unit), Cell::txt(f.source),
                            Cell::txt(f.confidence)});
  }
  if (!w.rows.empty()) s.items.push_back(w);
  if (!facts.rows.empty()) s.items.push_back(facts);
  s.takeaway = tk;
  if (const std::string risk_tk = risk_cases(g, res, cache, s); !risk_tk.empty()) s.takeaway += " " + risk_tk;
  return s;
}

}  // namespace gpugap::report::detail
