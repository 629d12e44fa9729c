// 5. Vendors: the two-layer scorecard (quantitative inference economics and
// the qualitative positioning layer), a heat map of the layers, the four
// winning conditions, and the watch metrics (spec progression, dated facts).
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>

#include "report/sections.hpp"
#include "studies/risk.hpp"
#include "studies/score_mc.hpp"
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


// Each sample re-runs the perf search of every chip whose drawn specs moved,
// so the scorecard's Monte Carlo is far dearer per sample than the market's:
// 64 samples put each rank probability within about +/-6 points (one sd)
// and keep the whole report within seconds (`gpugap score --samples N` for more).
constexpr int kScoreMcSamples = 64;

// The scorecard under uncertainty: an interval chart of the quantitative and
// composite scores (p5 / p50 / p95) and the probability of each rank.
// Returns a takeaway sentence.
std::string score_uncertainty(Gather& g, Section& s) {
  studies::McOptions mo;
  mo.samples = static_cast<std::uint64_t>(std::min(g.opt.mc_samples, kScoreMcSamples));
  mo.seed = g.opt.seed;
  mo.threads = g.opt.threads;
  g.progress(fmt::format("report: vendor scorecard under uncertainty, {} samples", mo.samples));
  const studies::ScoreUncertainty u = studies::score_monte_carlo(g.ctx, mo);
  std::vector<std::string> cats;
  std::vector<double> q5, q50, q95, c5, c50, c95;
  TableData rp;
  rp.id = "rank-probabilities";
  rp.title = fmt::format("Probability of each rank ({} samples, seed {}, {} uncertain parameters)", u.samples, u.seed, u.drawn.size());
  rp.headers = {"vendor", "quantitative p5", "p50", "p95", "composite p5", "p50", "p95", "scored on both layers"};
  for (std::size_t k = 0; k < u.vendors.size(); ++k) rp.headers.push_back(fmt::format("P(rank {})", k + 1));
  nlohmann::json uj = nlohmann::json::array();
  for (const auto& v : u.vendors) {
    const std::string name = g.vendor_name(v.vendor);
    cats.push_back(name);
    q5.push_back(v.quantitative.p5);
    q50.push_back(v.quantitative.p50 - v.quantitative.p5);
    q95.push_back(v.quantitative.p95 - v.quantitative.p50);
    c5.push_back(v.composite.p5);
    c50.push_back(v.composite.p50 - v.composite.p5);
    c95.push_back(v.composite.p95 - v.composite.p50);
    std::vector<Cell> row = {Cell::txt(name), Cell::num(v.quantitative.p5, kTwo), Cell::num(v.quantitative.p50, kTwo),
                             Cell::num(v.quantitative.p95, kTwo), Cell::num(v.composite.p5, kTwo), Cell::num(v.composite.p50, kTwo),
                             Cell::num(v.composite.p95, kTwo), Cell::num(100 * v.both_layers_share, kInt)};
    for (const double p : v.rank_probability) row.push_back(Cell::num(100 * p, kInt, p >= 0.5));
    rp.rows.push_back(row);
    uj.push_back({{"vendor", v.vendor}, {"quantitative_p5", v.quantitative.p5}, {"quantitative_p50", v.quantitative.p50},
                  {"quantitative_p95", v.quantitative.p95}, {"composite_p5", v.composite.p5}, {"composite_p50", v.composite.p50},
                  {"composite_p95", v.composite.p95}, {"rank_probability", v.rank_probability},
                  {"both_layers_share", v.both_layers_share}});
  }
  rp.note = "Probabilities in %; highlighted: a rank held in at least half the samples. Ranges: the scenario's uncertainty "
            "section (estimated chip specs and prices, software-stack efficiencies, score weights, supply).";
  g.results["score"]["uncertainty"] = {{"samples", u.samples}, {"seed", u.seed}, {"vendors", uj}};
  if (u.vendors.empty()) return "";
  const auto& top = u.vendors.front();
  const std::string tk = fmt::format("Under the declared uncertainty {} ranks first in {:.0f}% of {} samples.",
                                     g.vendor_name(top.vendor), 100 * top.rank_probability.front(), u.samples);
  const std::string clear = "rgba(0,0,0,0)";
  auto interval = [&](const char* id, const char* what, const std::vector<double>& lo, const std::vector<double>& mid,
                      const std::vector<double>& hi) {
    return charts::bar(id, fmt::format("{} score interval (0-5): p5 to p50 to p95", what), tk, charts::Axis{"vendor", kOne},
                       charts::Axis{"score (0-5)", kTwo}, cats,
                       {charts::Series{"below p5", lo, clear, "i"}, charts::Series{"p5-p50", mid, charts::kDomestic, "i"},
                        charts::Series{"p50-p95", hi, charts::kNeutral, "i"}},
                       true);
  };
  s.items.push_back(interval("vendors-quant-interval", "Quantitative", q5, q50, q95));
  s.items.push_back(interval("vendors-composite-interval", "Composite", c5, c50, c95));
  s.items.push_back(rp);
  return tk;
}

// The winning conditions with data and the supply model's watch metrics (two tables).
void conditions_data(const score::ScoreResult& res, const score::Settings& st, Section& s) {
  // The winning conditions with data: capacity as a share of the node's AI wafers
  // (supply model), named deployments and policy lists counted from the catalog.
  TableData wd;
  wd.id = "conditions-data";
  wd.title = fmt::format("Winning conditions with data: share of the node's AI wafers in {} (supply model); deployments and policy "
                         "lists counted through {} (catalog, each with its source)", st.supply_year, st.as_of_year);
  wd.headers = {"vendor", "node", "share of node's AI wafers", "chips (thousand)", "named deployments", "buyers",
                "chips counted (thousand)", "deployments without a public count", "supporting lists", "restricting lists"};
  for (const auto& v : res.vendors) {
    const score::SupplyRow* row = nullptr;
    for (const auto& x : v.supply)
      if (x.year == st.supply_year) row = &x;
    wd.rows.push_back({Cell::txt(v.name), Cell::txt(row && !row->node.empty() ? row->node : "not in the supply model", !row),
                       Cell::num(row && row->node_share ? *row->node_share : std::nan(""), kPct1),
                       Cell::num(row ? row->chips / 1e3 : std::nan(""), kOne), Cell::num(v.ties.deployments, kInt),
                       Cell::num(v.ties.buyers, kInt), Cell::num(v.ties.chips_counted / 1e3, kOne), Cell::num(v.ties.uncounted, kInt),
                       Cell::num(v.ties.support_lists, kInt), Cell::num(v.ties.restriction_lists, kInt)});
  }
  wd.note = "Deployments: catalog/vendors/<id>.yaml `deployments` (buyer, year, chips or null, source); policy lists: `policy_lists` "
            "(MIIT Xinchuang procurement list, US Entity List). Counts are what is public, not what exists.";
  s.items.push_back(wd);

  // Watch metrics from the supply model: chips, ASP and gross margin per vendor and year.
  TableData sw;
  sw.id = "watch-supply";
  sw.title = "Watch metrics from the supply model: chips, ASP and gross margin by vendor and year";
  sw.headers = {"vendor", "year", "chips (thousand)", "ASP (USD)", "gross margin", "revenue (USD bn)", "share of node's AI wafers"};
  for (const auto& v : res.vendors)
    for (const auto& x : v.supply) {
      if (x.chips <= 0) continue;
      sw.rows.push_back({Cell::txt(v.name), Cell::num(x.year, kYear), Cell::num(x.chips / 1e3, kOne),
                         Cell::num(x.asp_usd.value_or(std::nan("")), kInt), Cell::num(x.gross_margin, kPct1),
                         Cell::num(x.revenue_usd_bn, kTwo), Cell::num(x.node_share.value_or(std::nan("")), kPct1)});
    }
  if (!sw.rows.empty()) s.items.push_back(sw);
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
  TableData ev;
  ev.id = "conditions-evidence";
  ev.title = "Winning conditions: the figure behind each";
  ev.headers = {"vendor", "condition", "met", "figure", "rationale", "sources"};
  for (const auto& v : res.vendors)
    for (const auto& [k, e] : v.evidence) {
      const auto it = v.conditions.find(k);
      const bool known = it != v.conditions.end() && it->second.has_value();
      const bool met = known && *it->second;
      ev.rows.push_back({Cell::txt(v.name), Cell::txt(k), Cell::txt(!known ? "unknown" : met ? "met" : "not met", !met), Cell::txt(e.figure),
                         Cell::txt(e.rationale), Cell::txt(e.sources)});
    }
  s.items.push_back(ev);

  conditions_data(res, st, s);
  const std::string unc_tk = score_uncertainty(g, s);

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
  if (!unc_tk.empty()) s.takeaway += " " + unc_tk;
  if (const std::string risk_tk = risk_cases(g, res, cache, s); !risk_tk.empty()) s.takeaway += " " + risk_tk;
  return s;
}

}  // namespace gpugap::report::detail
