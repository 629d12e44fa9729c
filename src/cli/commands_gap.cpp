// gpugap gap: the China-US gap by basis, comparison set and year, the report's
// claim checked on each basis, the lever decomposition, and (--demand) the
// bottom-up token demand beside the market model's TAM.
#include <fmt/format.h>

#include <cmath>
#include <set>

#include "analysis/metrics.hpp"
#include "cli/cli.hpp"
#include "gap/demand.hpp"
#include "gap/gap.hpp"
#include "perf/serving.hpp"
#include "studies/risk.hpp"
#include "score/score.hpp"

namespace gpugap::cli {
namespace {

using nlohmann::json;
using score::Figure;

json opt_bool(const std::optional<bool>& v) { return v ? json(*v) : json(nullptr); }

// Display scale of a basis unit.
std::pair<double, std::string> display(const std::string& unit) {
  if (unit == "FLOP/s") return {1e12, "TFLOPS"};
  if (unit == "B/s") return {1e12, "TB/s"};
  return {1.0, unit};
}

json part_json(const std::optional<gap::Part>& p) {
  if (!p) return nullptr;
  json j{{"id", p->id}, {"chip", p->chip}, {"launch_year", opt_int(p->launch_year)}, {"value", fig(p->value)}};
  if (!p->detail.empty()) j["detail"] = p->detail;
  return j;
}

std::string ratio_cell(const Figure& f) { return f.ok() ? fmt_num(*f.value, 3) : "n/a"; }

json demand_json(const gap::DemandResult& d, Table& t) {
  json j;
  j["workload_mix"] = d.settings.workload_mix;
  j["model_mix"] = d.settings.model_mix;
  j["utilisation"] = d.settings.utilisation;
  j["life_years"] = d.settings.life_years;
  j["region"] = d.settings.region;
  json years = json::array();
  for (const auto& y : d.years) {
    json yj{{"year", y.year},
            {"tokens_per_day", y.tokens_per_day},
            {"output_tokens_per_s", y.output_tokens_per_s},
            {"chip", y.chip.empty() ? json(nullptr) : json(y.chip)},
            {"chip_tps", fig(y.chip_tps)},
            {"chips_needed", fig(y.chips_needed)},
            {"chips_bought", fig(y.chips_bought)},
            {"spend_usd_bn", fig(y.spend_usd_bn)},
            {"inference_share", d.settings.inference_share.at(y.year)},
            {"implied_total_usd_bn", fig(y.implied_total_usd_bn)},
            {"tam_usd_bn", y.tam_usd_bn ? json(*y.tam_usd_bn) : json(nullptr)},
            {"domestic_usd_bn", y.domestic_usd_bn ? json(*y.domestic_usd_bn) : json(nullptr)},
            {"tam_ratio", fig(y.tam_ratio)}};
    if (!y.chips_needed.ok()) yj["missing"] = y.chips_needed.missing;
    years.push_back(yj);
    auto opt = [](const std::optional<double>& v) { return v ? fmt_num(*v, 3) : "n/a"; };
    t.rows.push_back({std::to_string(y.year), fmt_num(y.tokens_per_day / 1e12, 4), fmt_num(y.output_tokens_per_s / 1e6, 4),
                      y.chip.empty() ? "-" : y.chip, y.chip_tps.ok() ? fmt_num(*y.chip_tps.value, 4) : "n/a",
                      y.chips_needed.ok() ? fmt_num(*y.chips_needed.value / 1e6, 4) : "n/a",
                      y.chips_bought.ok() ? fmt_num(*y.chips_bought.value / 1e6, 4) : "n/a", ratio_cell(y.spend_usd_bn),
                      ratio_cell(y.implied_total_usd_bn), opt(y.tam_usd_bn), ratio_cell(y.tam_ratio)});
  }
  j["years"] = years;
  json cands = json::object();
  for (const auto& [y, cs] : d.candidates) {
    json arr = json::array();
    for (const auto& c : cs)
      arr.push_back({{"chip", c.chip}, {"effective_tps", fig(c.effective_tps)},
                     {"price_usd", c.price_usd ? json(*c.price_usd) : json(nullptr)}, {"usd_per_tps", fig(c.usd_per_tps)},
                     {"missing", c.usd_per_tps.ok() ? json(nullptr) : json(c.usd_per_tps.missing)}});
    cands[std::to_string(y)] = arr;
  }
  j["fleet_candidates"] = cands;
  return j;
}

json cell_json(const gap::Cell& c) {
  json cj{{"set", std::string(gap::set_name(c.set))}, {"year", c.year}, {"us", part_json(c.us)},
          {"domestic", part_json(c.domestic)}, {"ratio", fig(c.ratio)},
          {"domestic_available", part_json(c.domestic_available)}, {"ratio_available", fig(c.ratio_available)},
          {"domestic_weighted", fig(c.domestic_weighted)}, {"ratio_weighted", fig(c.ratio_weighted)},
          {"weighted_chips", c.weighted_chips}, {"us_weighted", fig(c.us_weighted)},
          {"us_weighted_chips", c.us_weighted_chips}};
  json mix = json::object();
  for (const auto& [part, chips] : c.us_mix) mix[part] = chips;
  cj["us_mix"] = mix;
  if (!c.ratio.ok()) cj["missing"] = c.ratio.missing;
  if (!c.ratio_available.ok()) cj["missing_available"] = c.ratio_available.missing;
  if (!c.ratio_weighted.ok()) cj["missing_weighted"] = c.ratio_weighted.missing;
  return cj;
}

std::string us_mix_text(const gap::Cell& c) {
  std::string out;
  for (const auto& [part, chips] : c.us_mix) out += (out.empty() ? "" : ", ") + part + " " + fmt_num(chips / 1e3, 4);
  return out.empty() ? "-" : out;
}

// Best part, best part of a vendor shipping in volume, and the shipment-weighted
// domestic average, side by side (China set; the US side is the best part).
Table aggregation_table(const gap::GapResult& r, const std::vector<std::string>& only_bases) {
  const int today = r.settings.today;
  const int horizon = std::min(analysis::kLastYear, today + r.settings.horizon_years);
  Table t{{"basis", "year", "best part", "available part", "ratio (available)", "shipment-weighted", "weighted chips (k)",
           "US parts (import regime, k chips)"},
          {},
          {false, true, true, false, true, true, true, false}};
  for (const auto& b : r.bases) {
    if (!only_bases.empty() && std::find(only_bases.begin(), only_bases.end(), b.basis.id) == only_bases.end()) continue;
    for (const auto& c : b.cells) {
      if (c.set != gap::Set::kChina || (c.year != today && c.year != horizon)) continue;
      t.rows.push_back({b.basis.id, std::to_string(c.year), ratio_cell(c.ratio),
                        c.domestic_available ? c.domestic_available->id : "-", ratio_cell(c.ratio_available),
                        ratio_cell(c.ratio_weighted), c.weighted_chips > 0 ? fmt_num(c.weighted_chips / 1e3, 4) : "-",
                        us_mix_text(c)});
    }
  }
  return t;
}

void gap_cmd(const Global& g, const std::string& model, bool spec_only, bool with_demand, const std::string& fleet_chip,
             const std::vector<std::string>& only_bases) {
  const auto ctx = g.context();
  gap::Settings s = gap::settings(ctx.params);
  if (!model.empty()) s.model = ctx.catalog->resolve("models", model);
  s.perf_bases = !spec_only;
  econ::SearchCache searches;
  econ::SearchCache* cache = &searches;
  const gap::GapResult r = gap::evaluate(ctx, ctx.params, s, cache);

  Output out;
  out.json["scenario"] = ctx.scenario.id;
  out.json["overrides"] = ctx.overrides;
  out.json["model"] = s.model;
  out.json["region"] = s.region;
  out.json["workloads"] = s.workload_weights;
  out.json["today"] = s.today;
  out.json["horizon_years"] = s.horizon_years;
  out.json["ratio"] = "best US part / best domestic part (cost: domestic / US); > 1: the US leads";
  json bases = json::array();
  std::vector<Table> matrices(2);
  for (auto& m : matrices) {
    m.headers = {"basis"};
    m.right_align = {false};
    for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
      m.headers.push_back(std::to_string(y));
      m.right_align.push_back(true);
    }
  }
  Table parts{{"basis", "set", "year", "best US part", "value", "best domestic part", "value", "ratio"},
              {},
              {false, false, true, false, true, false, true, true}};
  const int horizon = std::min(analysis::kLastYear, s.today + s.horizon_years);
  for (const auto& b : r.bases) {
    if (!only_bases.empty() && std::find(only_bases.begin(), only_bases.end(), b.basis.id) == only_bases.end()) continue;
    const auto [scale, unit] = display(b.basis.unit);
    json bj{{"id", b.basis.id}, {"description", b.basis.description}, {"unit", b.basis.unit},
            {"higher_is_better", b.basis.higher_is_better}};
    json cells = json::array();
    for (gap::Set set : gap::kAllSets) {
      std::vector<std::string> row{b.basis.id};
      for (const auto& c : b.cells) {
        if (c.set != set) continue;
        cells.push_back(cell_json(c));
        row.push_back(ratio_cell(c.ratio));
        if (c.year == s.today || c.year == horizon) {
          auto val = [&](const std::optional<gap::Part>& p) {
            return p && p->value.ok() ? fmt_num(*p->value.value / scale, 4) + " " + unit : std::string("-");
          };
          parts.rows.push_back({b.basis.id, std::string(gap::set_name(set)), std::to_string(c.year), c.us ? c.us->id : "-",
                                val(c.us), c.domestic ? c.domestic->id : "-", val(c.domestic), ratio_cell(c.ratio)});
        }
      }
      matrices[set == gap::Set::kChina ? 0 : 1].rows.push_back(row);
    }
    bj["cells"] = cells;
    json missing = json::object();
    for (const auto& p : b.parts)
      if (!p.value.ok()) missing[p.id] = p.value.missing;
    bj["parts_without_data"] = missing;
    bases.push_back(bj);
  }
  out.json["bases"] = bases;
  // The serving stack each chip named as a best part ran on (perf/serving.hpp).
  std::set<std::string> named;
  for (const auto& b : r.bases)
    for (const auto& c : b.cells)
      for (const auto* part : {&c.us, &c.domestic})
        if (*part && b.basis.needs_perf() && ctx.catalog->find("chips", (*part)->id)) named.insert((*part)->id);
  json stacks = json::object();
  std::string stacks_line;
  for (const auto& id : named) {
    const ChipSpec chip = perf::serving_chip(*ctx.catalog, ctx.params, id);
    stacks[id] = perf::stack_json(chip);
    stacks_line += (stacks_line.empty() ? " " : ", ") + id + " " + perf::stack_short(chip.stack, chip.serving);
  }
  out.json["stacks"] = stacks;

  json claim = json::array();
  const std::string band = fmt::format("{}-{}x?", fmt_num(s.claim_today_low, 3), fmt_num(s.claim_today_high, 3));
  Table ct{{"basis", "set", fmt::format("ratio {}", s.today), band, fmt::format("ratio {}", horizon), "~1x?",
            "weighted " + std::to_string(s.today), "weighted " + std::to_string(horizon)},
           {},
           {false, false, true, false, true, false, true, true}};
  auto word = [](const std::optional<bool>& v) { return !v ? "n/a" : *v ? "yes" : "no"; };
  for (const auto& c : gap::check_claim(r)) {
    if (!only_bases.empty() && std::find(only_bases.begin(), only_bases.end(), c.basis) == only_bases.end()) continue;
    claim.push_back({{"basis", c.basis}, {"set", std::string(gap::set_name(c.set))}, {"today", c.today},
                     {"horizon", c.horizon}, {"today_ratio", fig(c.today_ratio)}, {"horizon_ratio", fig(c.horizon_ratio)},
                     {"holds_today", opt_bool(c.holds_today)}, {"holds_horizon", opt_bool(c.holds_horizon)},
                     {"today_weighted", fig(c.today_weighted)}, {"horizon_weighted", fig(c.horizon_weighted)},
                     {"weighted_holds_today", opt_bool(c.weighted_holds_today)},
                     {"weighted_holds_horizon", opt_bool(c.weighted_holds_horizon)}, {"verdict", c.verdict}});
    ct.rows.push_back({c.basis, std::string(gap::set_name(c.set)), ratio_cell(c.today_ratio), word(c.holds_today),
                       ratio_cell(c.horizon_ratio), word(c.holds_horizon), ratio_cell(c.today_weighted),
                       ratio_cell(c.horizon_weighted)});
  }
  out.json["claim"] = claim;
  out.json["claim_band"] = {{"today_low", s.claim_today_low}, {"today_high", s.claim_today_high},
                            {"parity_band", s.claim_parity_band}};
  out.json["available_min_chips"] = s.available_min_chips;

  json dec = json::array();
  Table dt{{"basis", "set", "year", "US", "domestic", "ratio", "process", "packaging", "scaleup", "software", "all",
            "interaction", "residual"},
           {},
           {false, false, true, false, false, true, true, true, true, true, true, true, true}};
  auto pct = [](const Figure& f) {
    if (!f.ok()) return std::string("n/a");
    const double v = std::round(100 * *f.value);
    return fmt::format("{:.0f}%", v == 0 ? 0.0 : v);  // no "-0%"
  };
  for (const auto& d : r.decompositions) {
    if (!only_bases.empty() && std::find(only_bases.begin(), only_bases.end(), d.basis) == only_bases.end()) continue;
    json levers = json::array();
    const std::string us = d.us_system.empty() ? d.us_part : d.us_system;
    const std::string dom = d.domestic_system.empty() ? d.domestic_part : d.domestic_system;
    std::vector<std::string> row{d.basis, std::string(gap::set_name(d.set)), std::to_string(d.year), us.empty() ? "-" : us,
                                 dom.empty() ? "-" : dom, ratio_cell(d.ratio)};
    for (const auto& l : d.levers) {
      json lj{{"lever", l.lever}, {"ratio_after", fig(l.ratio_after)}, {"share_closed", fig(l.share_closed)},
              {"path", fmt::format("gap.levers.{}.share.{}.{}.{}", l.lever, d.basis, gap::set_name(d.set), d.year)}};
      if (!l.ratio_after.ok()) lj["missing"] = l.ratio_after.missing;
      levers.push_back(lj);
      std::string txt = "n/a";
      if (l.share_closed.ok()) {
        const double pct = std::round(100 * *l.share_closed.value);
        txt = fmt::format("{:.0f}%", pct == 0 ? 0.0 : pct);  // no "-0%"
      } else if (l.share_closed.missing == "lever does not apply to this basis") {
        txt = "-";
      }
      row.push_back(txt);
    }
    while (row.size() + 2 < dt.headers.size()) row.push_back("n/a");
    row.push_back(pct(d.interaction));
    row.push_back(pct(d.residual));
    dt.rows.push_back(row);
    json dj{{"basis", d.basis}, {"set", std::string(gap::set_name(d.set))}, {"year", d.year},
            {"us_part", d.us_part}, {"domestic_part", d.domestic_part}, {"ratio", fig(d.ratio)},
            {"status", d.status}, {"levers", levers}, {"interaction_share", fig(d.interaction)},
            {"residual_share", fig(d.residual)}};
    if (!d.us_system.empty()) {
      dj["us_system"] = d.us_system;
      dj["domestic_system"] = d.domestic_system;
    }
    dec.push_back(dj);
  }
  out.json["decomposition"] = dec;
  out.json["notes"] = r.notes;

  out.tables = {matrices[0], matrices[1], parts, aggregation_table(r, only_bases), ct, dt};
  out.titles = {"Gap (best US / best domestic; >1: US ahead), parts available in China",
                "Gap, global frontier", "Best parts",
                fmt::format("Domestic side in China: best part, best part of a vendor shipping >= {:.0f} chips that year, and the "
                            "shipment-weighted ratio (domestic: the supply model's chips per vendor; US: the parts the import regime sells into China, gap.imports.mix)",
                            s.available_min_chips),
                "The report's claim (scenario gap.claim.*): ~1.5-2x today, ~1x in four years",
                "Lever decomposition: share of the (log) gap closed by swapping one lever from the US part (single shares + "
                "interaction + residual = 100%)"};
  if (with_demand) {
    gap::DemandSettings ds = gap::demand_settings(ctx.params, s.region);
    if (!fleet_chip.empty()) ds.fleet_chip = ctx.catalog->resolve("chips", fleet_chip);
    score::SourceOptions o;
    o.region = ds.region;
    auto src = score::perf_econ_source(ctx, ctx.params, o, cache);
    const gap::DemandResult d = gap::demand(*ctx.catalog, ctx.params, ds, *src, market::try_totals(ctx, ctx.params));
    Table t{{"year", "Ttok/day", "Mtok/s out", "fleet chip", "tok/s/chip", "M chips", "M bought", "spend $bn",
             "implied total $bn", "TAM $bn", "/TAM"},
            {},
            {true, true, true, false, true, true, true, true, true, true, true}};
    out.json["demand"] = demand_json(d, t);
    out.tables.push_back(t);
    out.titles.push_back("Bottom-up token demand (inference) beside the capex-based TAM");
  }
  out.text = "ratio: best US part / best domestic part counting that year (cost: domestic / US); > 1 means the US leads.\n";
  if (!stacks_line.empty()) out.text += "serving stacks of the perf-based best parts (why in the JSON):" + stacks_line + "\n";
  emit(g, out);
}

}  // namespace

void add_gap_commands(CLI::App& app, Global& g) {
  auto* cmd = app.add_subcommand("gap", "the China-US gap by basis and year, the report's claim, levers, token demand");
  struct Opts {
    std::string model, chip;
    bool spec_only = false, with_demand = false;
    std::vector<std::string> bases;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--model", o->model, "model of the perf-based bases (default qwen3-235b-a22b)");
  cmd->add_flag("--spec-only", o->spec_only, "only the spec bases (peak compute, memory bandwidth): no perf search");
  cmd->add_flag("--demand", o->with_demand, "add the bottom-up token demand");
  cmd->add_option("--chip", o->chip, "with --demand: the fleet chip (default: cheapest capacity per year)");
  cmd->add_option("--basis", o->bases, "only these bases (repeatable)");
  add_stack_option(cmd, g);
  cmd->callback([&g, o] { gap_cmd(g, o->model, o->spec_only, o->with_demand, o->chip, o->bases); });
}

}  // namespace gpugap::cli
