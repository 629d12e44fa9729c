// gpugap score: the vendor scorecard (cli.md), its watch metrics (--watch)
// and the risk cases (--risks).
#include <fmt/format.h>

#include <cmath>
#include <set>

#include "analysis/metrics.hpp"
#include "cli/cli.hpp"
#include "cli/intervals_view.hpp"
#include "perf/serving.hpp"
#include "studies/risk.hpp"
#include "score/score.hpp"
#include "studies/engines.hpp"
#include "studies/score_mc.hpp"

namespace gpugap::cli {
namespace {

using nlohmann::json;
using score::Figure;

json opt(const std::optional<double>& v) { return v && std::isfinite(*v) ? json(*v) : json(nullptr); }
std::string cell(const Figure& f, int sig = 3) { return f.ok() ? fmt_num(*f.value, sig) : "n/a"; }

json economics_json(const score::ChipEconomics& e) {
  json j;
  j["workload"] = e.workload;
  j["deployment"] = e.deployment;
  j["stack"] = perf::stack_json(e.stack, e.serving);
  json missing = json::object();
  for (auto m : score::kAllMetrics) {
    const Figure& f = e.get(m);
    const std::string k = m == score::Metric::kTps ? "output_tps_per_chip" : std::string(score::metric_name(m));
    j[k] = fig(f);
    if (!f.ok()) missing[k] = f.missing;
  }
  if (!missing.empty()) j["missing"] = missing;
  return j;
}

json chip_json(const std::optional<score::ChipScore>& c) {
  if (!c) return nullptr;
  json j;
  j["chip"] = c->chip;
  j["launch_year"] = opt_int(c->launch_year);
  j["index"] = fig(c->index);
  j["coverage"] = c->coverage;
  json ratios = json::object();
  for (const auto& [m, f] : c->ratio) ratios[std::string(score::metric_name(m))] = fig(f);
  j["ratios"] = ratios;
  j["missing"] = c->missing;
  json rows = json::array();
  for (const auto& e : c->rows) rows.push_back(economics_json(e));
  j["workloads"] = rows;
  return j;
}

json vendor_json(const score::VendorScore& v, int supply_year) {
  json j;
  j["vendor"] = v.vendor;
  j["name"] = v.name;
  j["domestic"] = v.domestic;
  j["rank"] = v.domestic ? json(v.rank) : json(nullptr);
  j["composite"] = v.composite;
  j["composite_basis"] = v.composite_basis;
  j["complete"] = v.complete;
  j["quantitative"] = fig(v.quantitative);
  j["quant_index"] = fig(v.quant_index);
  j["quant_status"] = v.quant_status;
  j["qualitative"] = fig(v.qualitative_score);
  json qs = json::object();
  for (const auto& [k, f] : v.qualitative) qs[k] = fig(f);
  j["qualitative_scores"] = qs;
  json conds = json::object(), details = json::object();
  for (auto c : score::kConditions) {
    const std::string k(c);
    const auto& met = v.conditions.at(k);
    conds[k] = met ? json(*met) : json(nullptr);
    json d;
    d["met"] = conds[k];
    d["value"] = v.condition_value.count(k) ? json(v.condition_value.at(k)) : json(nullptr);
    d["threshold"] = v.condition_threshold.count(k) ? json(v.condition_threshold.at(k)) : json(nullptr);
    if (!met) d["status"] = "insufficient data";
    if (auto ev = v.evidence.find(k); ev != v.evidence.end())
      d["evidence"] = {{"figure", ev->second.figure}, {"rationale", ev->second.rationale}, {"sources", ev->second.sources}};
    details[k] = d;
  }
  j["conditions"] = conds;
  j["condition_details"] = details;
  j["conditions_missed"] = v.conditions_missed;
  j["all_conditions"] = v.conditions_missed.empty();
  j["current_chip"] = chip_json(v.current);
  j["next_chip"] = chip_json(v.next);
  j["supply_chips"] = v.supply_chips ? json{{"year", supply_year}, {"chips", opt(v.supply_chips)}} : json(nullptr);
  // The winning conditions with data: counted deployments and policy lists (catalog),
  // capacity share and the watch metrics of the supply model, per year.
  json deps = json::array();
  for (const auto& d : v.deployments)
    deps.push_back({{"buyer", d.buyer}, {"buyer_kind", d.buyer_kind}, {"chip", d.chip.empty() ? json(nullptr) : json(d.chip)},
                    {"year", opt_int(d.year)}, {"chips", opt(d.chips)}, {"source", d.source}, {"confidence", d.confidence}});
  json lists = json::array();
  for (const auto& l : v.policy_lists)
    lists.push_back({{"list", l.list}, {"year", opt_int(l.year)}, {"effect", l.effect}, {"source", l.source},
                     {"confidence", l.confidence}});
  j["deployments"] = deps;
  j["policy_lists"] = lists;
  j["ties"] = {{"deployments", v.ties.deployments}, {"buyers", v.ties.buyers}, {"chips_counted", v.ties.chips_counted},
               {"uncounted", v.ties.uncounted}, {"support_lists", v.ties.support_lists},
               {"restriction_lists", v.ties.restriction_lists}};
  json sup = json::array();
  for (const auto& r : v.supply)
    sup.push_back({{"year", r.year}, {"chips", r.chips}, {"wafers", r.wafers}, {"node", r.node.empty() ? json(nullptr) : json(r.node)},
                   {"node_ai_wafers", r.node_ai_wafers}, {"node_share", opt(r.node_share)},
                   {"revenue_usd_bn", r.revenue_usd_bn}, {"gross_margin", r.gross_margin}, {"asp_usd", opt(r.asp_usd)}});
  j["supply"] = sup;
  j["notes"] = v.notes;
  return j;
}

// Capacity share, ASP and gross margin per vendor and year (supply model), and the
// counted ties (catalog) beside the judged scores.
Table data_table(const score::ScoreResult& r, int supply_year) {
  Table t{{"vendor", "node", "share of node's AI wafers " + std::to_string(supply_year), "chips (k)", "ASP kUSD", "gross margin",
           "deployments", "buyers", "chips counted (k)", "support lists", "restriction lists"},
          {},
          {false, false, true, true, true, true, true, true, true, true, true}};
  for (const auto& v : r.vendors) {
    const score::SupplyRow* row = nullptr;
    for (const auto& x : v.supply)
      if (x.year == supply_year) row = &x;
    auto pct = [](const std::optional<double>& x) { return x ? fmt_num(100 * *x, 3) + "%" : std::string("n/a"); };
    t.rows.push_back({v.vendor, row && !row->node.empty() ? row->node : "-", row ? pct(row->node_share) : "n/a",
                      row ? fmt_num(row->chips / 1e3, 4) : "n/a",
                      row && row->asp_usd ? fmt_num(*row->asp_usd / 1e3, 3) : "n/a",
                      row && row->chips > 0 ? pct(row->gross_margin) : "n/a", std::to_string(v.ties.deployments),
                      std::to_string(v.ties.buyers), fmt_num(v.ties.chips_counted / 1e3, 4),
                      std::to_string(v.ties.support_lists), std::to_string(v.ties.restriction_lists)});
  }
  return t;
}

Table evidence_table(const score::ScoreResult& r) {
  Table t{{"vendor", "condition", "met", "figure"}, {}, {false, false, false, false}};
  for (const auto& v : r.vendors)
    for (auto c : score::kConditions) {
      const std::string k(c);
      const auto& met = v.conditions.at(k);
      auto ev = v.evidence.find(k);
      t.rows.push_back({v.vendor, k, !met ? "?" : (*met ? "yes" : "no"), ev == v.evidence.end() ? "-" : ev->second.figure});
    }
  return t;
}

std::string conditions_text(const score::VendorScore& v) {
  std::string s;
  for (auto c : score::kConditions) {
    const auto& met = v.conditions.at(std::string(c));
    s += !met ? '?' : (*met ? 'Y' : 'n');
  }
  return s;
}

std::string chip_cell(const std::optional<score::ChipScore>& c) {
  if (!c) return "-";
  return c->chip + (c->index.ok() ? " " + fmt_num(*c->index.value, 3) + "x" : " n/a");
}

json summary_json(const studies::MetricSummary& m) {
  return {{"p5", json_number(m.p5)}, {"p50", json_number(m.p50)}, {"p95", json_number(m.p95)}, {"mean", json_number(m.mean)},
          {"n", m.n}, {"insufficient_data_samples", m.non_finite}};
}

json uncertainty_json(const studies::VendorUncertainty& u) {
  return {{"quantitative", summary_json(u.quantitative)}, {"quant_index", summary_json(u.quant_index)},
          {"qualitative", summary_json(u.qualitative)}, {"composite", summary_json(u.composite)},
          {"rank_probability", u.rank_probability}, {"both_layers_share", u.both_layers_share}};
}

std::string interval(const studies::MetricSummary& m) {
  if (m.n == 0) return "n/a";
  return fmt_num(m.p5, 3) + " / " + fmt_num(m.p50, 3) + " / " + fmt_num(m.p95, 3);
}

// The scorecard under the scenario's declared uncertainty (studies/score_mc.hpp).
void add_uncertainty(const Global& g, const analysis::Context& ctx, std::uint64_t samples, std::uint64_t seed, Output& out) {
  studies::McOptions opt;
  opt.samples = samples;
  opt.seed = seed;
  opt.threads = g.threads;
  opt.progress = progress_mode(g.quiet);
  const studies::ScoreUncertainty u = studies::score_monte_carlo(ctx, opt);
  const std::size_t n = u.vendors.size();
  std::vector<std::string> head = {"vendor", "quant p5/p50/p95", "composite p5/p50/p95", "both layers"};
  std::vector<bool> right = {false, true, true, true};
  for (std::size_t k = 0; k < n; ++k) {
    head.push_back("P(" + std::to_string(k + 1) + ")");
    right.push_back(true);
  }
  Table t{head, {}, right};
  json vs = json::array();
  for (const auto& v : u.vendors) {
    std::vector<std::string> row = {v.vendor, interval(v.quantitative), interval(v.composite), fmt_num(100 * v.both_layers_share, 3) + "%"};
    for (const double p : v.rank_probability) row.push_back(p > 0 ? fmt_num(p, 2) : "-");
    t.rows.push_back(row);
    json j = uncertainty_json(v);
    j["vendor"] = v.vendor;
    vs.push_back(j);
    for (auto& x : out.json["vendors"])
      if (x["vendor"] == v.vendor) x["uncertainty"] = uncertainty_json(v);
  }
  json clamped = json::object();
  for (const auto& [p, c] : u.clamped) clamped[p] = c;
  out.json["uncertainty"] = {{"samples", u.samples}, {"seed", u.seed}, {"drawn", u.drawn}, {"clamped", clamped}, {"vendors", vs}};
  out.tables.push_back(t);
  out.titles.push_back(fmt::format("Under uncertainty: {} samples (seed {}) over {} declared ranges; P(k) = probability of rank k",
                                   u.samples, u.seed, u.drawn.size()));
}

// The 80% intervals of each scored chip's perf-derived metrics (cli/intervals_view.hpp):
// tok/s, tok/s per watt and per kUSD scale with output tok/s, USD per Mtok with 1 / tok/s.
// Added to the JSON's chips (workloads[].intervals_80) and as a table of the vendors' chips.
void add_score_intervals(const analysis::Context& ctx, Output& out) {
  const ShownIntervals shown = shown_intervals();
  Table t{{"vendor", "chip", "workload", "out tok/s/chip p10 - p90", "USD/Mtok p10 - p90", "basis"}, {}, {false, false, false, true, true, false}};
  auto chip = [&](json& c, const std::string& vendor) {
    if (c.is_null() || !c.contains("workloads")) return;
    const IntervalKey k = interval_key(ctx, c["chip"].get<std::string>());
    for (auto& w : c["workloads"]) {
      json iv = {{"level", 0.8}};
      const double base = w["output_tps_per_chip"].is_number() ? w["output_tps_per_chip"].get<double>() : std::nan("");
      const perf::PointInterval tps = figure_interval(shown, k.family, k.stack, "output_tps_per_chip", base);
      iv["output_tps_per_chip"] = interval_json(tps);
      perf::PointInterval cost;
      for (const char* key : {"tps_per_watt", "tps_per_watt_per_kusd", "usd_per_mtok"}) {
        if (!w[key].is_number()) {
          iv[key] = nullptr;
          continue;
        }
        const double v = w[key].get<double>();
        const auto x = std::string_view(key) == "usd_per_mtok" ? perf::inverse_interval(tps, base, v) : perf::scaled_interval(tps, base, v);
        if (std::string_view(key) == "usd_per_mtok") cost = x;
        iv[key] = interval_json(x);
      }
      w["intervals_80"] = iv;
      if (!vendor.empty() && tps.ok)
        t.rows.push_back({vendor, c["chip"].get<std::string>(), w["workload"].get<std::string>(), interval_cell(tps, 4), interval_cell(cost), tps.basis});
    }
  };
  chip(out.json["reference"], "");
  for (const char* list : {"vendors", "benchmarks"})
    for (auto& v : out.json[list]) {
      chip(v["current_chip"], v["vendor"].get<std::string>());
      chip(v["next_chip"], v["vendor"].get<std::string>());
    }
  out.json["intervals_80_source"] = shown.note;
  out.tables.push_back(t);
  out.titles.push_back(kIntervalTitle + std::string(" of each vendor's chips; USD/Mtok scales with 1 / tok/s. ") + shown.label);
}

// " nvidia-h20 cuda/trtllm, huawei-ascend-910c cann/sglang, ...": the stack each scored chip ran on.
std::string stacks_text(const score::ScoreResult& r) {
  std::string s;
  std::set<std::string> seen;
  auto add = [&](const std::optional<score::ChipScore>& c) {
    if (!c || c->rows.empty() || !seen.insert(c->chip).second) return;
    s += (seen.size() > 1 ? ", " : " ") + c->chip + " " + perf::stack_short(c->rows.front().stack, c->rows.front().serving);
  };
  add(r.reference);
  for (const auto* vs : {&r.vendors, &r.benchmarks})
    for (const auto& v : *vs) {
      add(v.current);
      add(v.next);
    }
  return s;
}

void score_table(const Global& g, const std::string& reference, const std::string& model, std::uint64_t samples,
                 std::uint64_t seed) {
  const auto ctx = g.context();
  score::Settings s = score::settings(ctx.params);
  if (!reference.empty()) s.reference_chip = ctx.catalog->resolve("chips", reference);
  if (!model.empty()) s.model = ctx.catalog->resolve("models", model);
  const score::ScoreResult r = score::evaluate(ctx, ctx.params, s);

  const int supply_year = s.supply_year;
  Output out;
  out.json["scenario"] = ctx.scenario.id;
  out.json["overrides"] = ctx.overrides;
  out.json["reference_chip"] = s.reference_chip;
  out.json["reference_source"] = reference.empty() ? s.reference_source : std::string("--reference");
  json ref_years = json::object();
  for (const auto& [y, c] : s.reference_by_year) ref_years[std::to_string(y)] = c;
  out.json["reference_by_year"] = ref_years;
  out.json["model"] = s.model;
  out.json["region"] = s.region;
  out.json["as_of_year"] = s.as_of_year;
  out.json["workloads"] = s.workload_weights;
  json mw = json::object();
  for (const auto& [m, w] : s.metric_weights) mw[std::string(score::metric_name(m))] = w;
  out.json["metric_weights"] = mw;
  out.json["weights"] = {{"quantitative", s.weight_quantitative}};
  for (const auto& [k, w] : s.weight_qualitative) out.json["weights"][k] = w;
  json th = {{"inference_economics", s.threshold_index}};
  for (const auto& [k, t] : s.threshold_score) th[k] = t;
  th["supply_chips"] = s.threshold_supply_chips;
  th["supply_year"] = s.supply_year;
  out.json["thresholds"] = th;
  out.json["reference"] = chip_json(r.reference);
  json vs = json::array(), bs = json::array();
  for (const auto& v : r.vendors) vs.push_back(vendor_json(v, supply_year));
  for (const auto& v : r.benchmarks) bs.push_back(vendor_json(v, supply_year));
  out.json["vendors"] = vs;
  out.json["benchmarks"] = bs;
  out.json["notes"] = r.notes;

  Table t{{"rank", "vendor", "composite", "quant", "index", "qual", "cap", "csp", "pol", "road", "E C S P", "current chip",
           "next chip"},
          {},
          {true, false, true, true, true, true, true, true, true, true, false, false, false}};
  auto row = [&](const score::VendorScore& v) {
    t.rows.push_back({v.domestic ? std::to_string(v.rank) : "(ref)", v.vendor, fmt_num(v.composite, 3) + (v.complete ? "" : " *"), cell(v.quantitative),
                      cell(v.quant_index), cell(v.qualitative_score), cell(v.qualitative.at("capacity_access"), 2),
                      cell(v.qualitative.at("csp_ties"), 2), cell(v.qualitative.at("policy"), 2),
                      cell(v.qualitative.at("roadmap"), 2), conditions_text(v), chip_cell(v.current), chip_cell(v.next)});
  };
  for (const auto& v : r.vendors) row(v);
  for (const auto& v : r.benchmarks) row(v);
  out.tables.push_back(t);
  out.titles.push_back(fmt::format("Vendor scorecard ({}; quantitative index: x {} on {} in region {}, as of {})",
                                   ctx.scenario.id, s.reference_chip, s.model, s.region, s.as_of_year));
  out.tables.push_back(evidence_table(r));
  out.titles.push_back("Winning conditions: the figure behind each (rationale and sources in the JSON)");
  out.tables.push_back(data_table(r, supply_year));
  out.titles.push_back(fmt::format("Winning conditions with data: capacity (supply model, {}), CSP ties and policy lists "
                                   "(catalog, counted through {}); watch metrics per year in the JSON",
                                   supply_year, s.as_of_year));
  add_score_intervals(ctx, out);
  std::string text = "Conditions E C S P: inference economics, capacity, CSP ties, policy (Y met, n not met, ? insufficient data).\n"
                     "* composite from one layer only (the other is insufficient data): ranked after every vendor scored on both.\n";
  for (const auto& v : r.vendors)
    if (!v.quantitative.ok()) text += fmt::format("{}: quantitative layer {}\n", v.vendor, v.quant_status);
  for (const auto& n : r.notes) text += n + "\n";
  text += "serving stacks (perf/serving.hpp; why in the JSON):" + stacks_text(r) + "\n";
  // The Monte Carlo reads the scenario's own settings: a changed reference or model has no declared ranges.
  if (samples > 0 && reference.empty() && model.empty()) add_uncertainty(g, ctx, samples, seed, out);
  else text += "uncertainty: not run (--samples 0, or --reference/--model given)\n";
  out.text = text;
  emit(g, out);
}

json fact_json(const score::Fact& f) {
  json j;
  j["field"] = f.field;
  j["year"] = opt_int(f.year);
  j["value"] = opt(f.value);
  j["text"] = f.text;
  j["unit"] = f.unit;
  j["source"] = f.source;
  j["confidence"] = f.confidence;
  if (!f.note.empty()) j["note"] = f.note;
  return j;
}

void watch_cmd(const Global& g, const std::string& vendor) {
  const auto ctx = g.context();
  std::vector<std::string> ids;
  if (!vendor.empty()) ids.push_back(ctx.catalog->resolve("vendors", vendor));
  else ids = score::scored_vendors(*ctx.catalog);
  Output out;
  json arr = json::array();
  Table gen{{"vendor", "chip", "year", "BF16 TFLOPS", "8-bit TFLOPS", "FP4 TFLOPS", "HBM TB/s", "HBM GB", "TDP W", "price kUSD"},
            {},
            {false, false, true, true, true, true, true, true, true, true}};
  Table facts{{"vendor", "field", "year", "value", "unit", "confidence"}, {}, {false, false, true, true, false, false}};
  auto num = [](const std::optional<double>& v, double scale) { return v ? fmt_num(*v / scale, 4) : "-"; };
  // Chips per vendor per year from the supply model (vendors it covers), beside the sourced facts.
  const score::SupplyVolumes volumes(ctx, ctx.params);
  std::map<int, std::map<std::string, double>> supply;
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) supply[y] = volumes.read(ctx.params.values(), y);
  for (const auto& id : ids) {
    const score::Watch w = score::watch(*ctx.catalog, ctx.params, id);
    json j;
    j["vendor"] = w.vendor;
    j["name"] = w.name;
    json gens = json::array();
    // Chart-ready series: one per spec, points (year, value) for chips with a launch year.
    std::map<std::string, json> series;
    for (const auto& x : w.generations) {
      json gj;
      gj["chip"] = x.chip;
      gj["name"] = x.name;
      gj["launch_year"] = opt_int(x.launch_year);
      gj["compute_bf16_flops"] = opt(x.compute_bf16);
      gj["compute_8bit_flops"] = opt(x.compute_8bit);
      gj["compute_fp4_flops"] = opt(x.compute_fp4);
      gj["memory_bandwidth_bps"] = opt(x.mem_bandwidth);
      gj["memory_capacity_bytes"] = opt(x.mem_capacity);
      gj["tdp_w"] = opt(x.tdp);
      gj["price_usd_cn"] = opt(x.price_usd);
      gens.push_back(gj);
      gen.rows.push_back({w.vendor, x.chip, x.launch_year ? std::to_string(*x.launch_year) : "-", num(x.compute_bf16, 1e12),
                          num(x.compute_8bit, 1e12), num(x.compute_fp4, 1e12), num(x.mem_bandwidth, 1e12),
                          num(x.mem_capacity, 1e9), num(x.tdp, 1), num(x.price_usd, 1e3)});
      if (!x.launch_year) continue;
      auto point = [&](const char* name, const std::optional<double>& v) {
        if (v) series[name].push_back({{"x", *x.launch_year}, {"y", *v}, {"chip", x.chip}});
      };
      point("compute_bf16_flops", x.compute_bf16);
      point("compute_8bit_flops", x.compute_8bit);
      point("memory_bandwidth_bps", x.mem_bandwidth);
      point("memory_capacity_bytes", x.mem_capacity);
    }
    json fs = json::array();
    for (const auto& f : w.facts) {
      fs.push_back(fact_json(f));
      facts.rows.push_back({w.vendor, f.field, f.year ? std::to_string(*f.year) : "-", f.text.size() > 40 ? f.text.substr(0, 37) + "..." : f.text,
                            f.unit.size() > 30 ? f.unit.substr(0, 27) + "..." : f.unit, f.confidence});
      if (f.value && f.year) series[f.field].push_back({{"x", *f.year}, {"y", *f.value}, {"unit", f.unit}});
    }
    json sup = json::object();
    for (const auto& [y, by_vendor] : supply) {
      auto it = by_vendor.find(id);
      if (it == by_vendor.end()) continue;
      sup[std::to_string(y)] = it->second;
      series["supply_chips"].push_back({{"x", y}, {"y", it->second}, {"unit", "chips (supply model)"}});
      facts.rows.push_back({w.vendor, "supply_chips (model)", std::to_string(y), fmt_num(it->second, 4), "chips", "model"});
    }
    j["supply_chips"] = sup;
    j["generations"] = gens;
    j["facts"] = fs;
    json sj = json::object();
    for (auto& [k, v] : series) sj[k] = v;
    j["series"] = sj;
    arr.push_back(j);
  }
  out.json["scenario"] = ctx.scenario.id;
  out.json["watch"] = arr;
  out.tables = {gen, facts};
  out.titles = {"Spec progression per generation", "Shipments, ASP, gross margin and revenue (sourced facts)"};
  emit(g, out);
}

void risks_cmd(const Global& g, const std::vector<std::string>& only) {
  const auto ctx = g.context();
  const score::Settings s = score::settings(ctx.params);
  econ::SearchCache searches;
  econ::SearchCache* cache = &searches;
  const score::ScoreResult base = score::evaluate(ctx, ctx.params, s, cache);
  const auto paths = studies::risk_metric_paths(base, ctx);
  const analysis::MetricMap base_metrics = studies::evaluate_available(ctx, paths);
  std::vector<std::string> ids = only.empty() ? studies::risk_scenarios(*ctx.catalog) : only;
  Output out;
  out.json["scenario"] = ctx.scenario.id;
  out.json["overrides"] = ctx.overrides;
  json cases = json::array();
  Table ranks{{"case", "vendor", "rank", "->", "composite", "->", "quant", "->", "conditions", "->"},
              {},
              {false, false, true, true, true, true, true, true, true, true}};
  Table figs{{"case", "metric", "base", "risk", "change"}, {}, {false, false, true, true, true}};
  for (const auto& id : ids) {
    auto rctx = studies::make_context(g.catalog_dirs(), id, g.sets);
    const studies::RiskCase rc = studies::risk_case(ctx, base, base_metrics, rctx, paths, cache);
    json j;
    j["scenario"] = rc.scenario;
    j["name"] = rc.name;
    j["description"] = rc.description;
    j["status"] = rc.status;
    j["changed_parameters"] = rc.overrides_in_case;
    json rs = json::array();
    for (const auto& m : rc.ranks) {
      rs.push_back({{"vendor", m.vendor}, {"base_rank", m.base_rank}, {"risk_rank", m.risk_rank},
                    {"base_composite", m.base_composite}, {"risk_composite", m.risk_composite},
                    {"base_quantitative", opt(m.base_quant)}, {"risk_quantitative", opt(m.risk_quant)},
                    {"base_conditions_met", m.base_conditions}, {"risk_conditions_met", m.risk_conditions}});
      ranks.rows.push_back({rc.scenario, m.vendor, std::to_string(m.base_rank), std::to_string(m.risk_rank),
                            fmt_num(m.base_composite, 3), fmt_num(m.risk_composite, 3),
                            m.base_quant ? fmt_num(*m.base_quant, 3) : "n/a", m.risk_quant ? fmt_num(*m.risk_quant, 3) : "n/a",
                            std::to_string(m.base_conditions), std::to_string(m.risk_conditions)});
    }
    j["ranks"] = rs;
    json ms = json::array();
    for (const auto& m : rc.metrics) {
      json mj{{"path", m.path}, {"base", opt(m.base)}, {"risk", opt(m.risk)}};
      if (m.base && m.risk) mj["change"] = *m.risk - *m.base;
      ms.push_back(mj);
      figs.rows.push_back({rc.scenario, m.path, m.base ? fmt_num(*m.base, 4) : "n/a", m.risk ? fmt_num(*m.risk, 4) : "n/a",
                           m.base && m.risk ? fmt_num(*m.risk - *m.base, 3) : "n/a"});
    }
    j["metrics"] = ms;
    cases.push_back(j);
  }
  out.json["cases"] = cases;
  out.tables = {ranks, figs};
  out.titles = {"Risk cases: vendor ranking (base -> risk)", "Risk cases: market, supply, demand and gap figures"};
  if (ids.empty()) out.text = "no risk-case scenarios (catalog/scenarios/risk-*.yaml) in the catalog\n";
  emit(g, out);
}

}  // namespace

json fig(const score::Figure& f) { return f.ok() && std::isfinite(*f.value) ? json(*f.value) : json(nullptr); }
json opt_int(const std::optional<int>& v) { return v ? json(*v) : json(nullptr); }

void add_score_commands(CLI::App& app, Global& g) {
  auto* cmd = app.add_subcommand("score", "vendor scorecard: two layers, four winning conditions, rank");
  struct Opts {
    std::string reference, model, vendor;
    bool watch = false, risks = false;
    std::string samples_text = "200";
    std::uint64_t seed = 1;
    std::vector<std::string> cases;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--reference", o->reference, "reference chip of the quantitative layer (default nvidia-h20)");
  cmd->add_option("--model", o->model, "model of the standard workload set (default qwen3-235b-a22b)");
  add_stack_option(cmd, g);
  cmd->add_flag("--watch", o->watch, "watch metrics: spec progression, shipments, ASP, gross margin");
  cmd->add_option("--vendor", o->vendor, "with --watch: one vendor");
  cmd->add_flag("--risks", o->risks, "risk cases: re-run the chain under each risk-* scenario");
  cmd->add_option("--case", o->cases, "with --risks: only these scenarios");
  cmd->add_option("--samples", o->samples_text, "Monte Carlo samples for the intervals and rank probabilities (0: point scores only)")
      ->default_str("200");
  cmd->add_option("--seed", o->seed, "random seed: same seed, same answer, on any thread count")->default_str("1");
  cmd->callback([&g, o] {
    if (o->watch) watch_cmd(g, o->vendor);
    else if (o->risks) risks_cmd(g, o->cases);
    else {
      const std::uint64_t n = parse_count(o->samples_text, "score --samples");
      require(n == 0 || (n >= studies::kMinSamples && n <= studies::kMaxSamples), Location{"", 0, "score --samples"},
              fmt::format("0 (point scores only) or a sample count between {} and {}", studies::kMinSamples, studies::kMaxSamples),
              o->samples_text);
      score_table(g, o->reference, o->model, n, o->seed);
    }
  });
}

}  // namespace gpugap::cli
