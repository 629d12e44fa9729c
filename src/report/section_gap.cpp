// 6. The gap: the China-US system-level gap by year on each basis (parts
// available in China and the global frontier), the report's "1.5-2x today,
// ~1x within four years" checked basis by basis, what each lever closes, and
// the bottom-up token demand beside the capex-based TAM.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "gap/gap.hpp"
#include "report/sections.hpp"

namespace gpugap::report::detail {
namespace {

double fig(const score::Figure& f) { return f.value.value_or(std::nan("")); }

// The bases drawn in the ratio charts (the rest are in the tables).
bool charted(const std::string& basis) {
  for (const char* b : {"compute_bf16", "memory_bandwidth", "tps_chat", "tps_reasoning", "tps_system_per_chip", "usd_per_mtok",
                        "tps_per_watt"})
    if (basis == b) return true;
  return false;
}

std::string part_name(const Gather& g, const std::optional<gap::Part>& p) {
  if (!p) return "none";
  return p->id == p->chip ? g.chip_name(p->id) : p->id;
}

// "on 3 of 9 bases (tps_chat, ...)".
std::string count_text(const std::vector<std::string>& hits, std::size_t of) {
  if (hits.empty()) return fmt::format("on none of {} bases", of);
  return fmt::format("on {} of {} bases ({})", hits.size(), of, fmt::join(hits, ", "));
}

Chart ratio_chart(const gap::GapResult& r, gap::Set set) {
  const std::string sname(gap::set_name(set));
  std::vector<charts::Series> series;
  std::string lead_basis;
  double lead_today = std::nan(""), lead_horizon = std::nan("");
  const int today = r.settings.today, horizon = r.settings.today + r.settings.horizon_years;
  for (const auto& b : r.bases) {
    if (!charted(b.basis.id)) continue;
    std::vector<double> v;
    for (int y : years()) {
      const gap::Cell* c = r.cell(b.basis.id, set, y);
      v.push_back(c ? fig(c->ratio) : std::nan(""));
    }
    series.push_back({b.basis.id, v, "", ""});
    if (b.basis.id == "tps_chat") {
      lead_basis = b.basis.id;
      if (const auto* c = r.cell(b.basis.id, set, today)) lead_today = fig(c->ratio);
      if (const auto* c = r.cell(b.basis.id, set, horizon)) lead_horizon = fig(c->ratio);
    }
  }
  series.push_back({"parity (1x)", std::vector<double>(years().size(), 1.0), charts::kNeutral, "", true});
  const std::string tk =
      lead_basis.empty()
          ? fmt::format("Ratio of the best US to the best domestic part ({}), by basis.", sname)
          : fmt::format("On predicted tokens/s per chip (chat) the best US part leads by {}x in {} and {}x in {} ({}; >1: US ahead).",
                        format_number(lead_today, kTwo), today, format_number(lead_horizon, kTwo), horizon,
                        set == gap::Set::kChina ? "parts available in China" : "global frontier");
  return charts::line("gap-" + sname,
                      set == gap::Set::kChina ? "Gap by year: best US part available in China / best domestic part"
                                              : "Gap by year: global frontier / best domestic part",
                      tk, charts::Axis{"year", kYear}, charts::Axis{"US advantage (x, log scale)", kTwo, true}, year_labels(), series);
}

// Bottom-up token demand beside the TAM: charts and table; returns the key sentence.
std::string demand_items(Gather& g, Section& s) {
  std::string tk_demand;
  if (const auto why = g.why_missing("demand"); why.empty()) {
    const auto tokens = g.yearly("demand.tokens_per_day");
    const auto implied = g.yearly("demand.implied_total_usd_bn");
    const auto spend = g.yearly("demand.spend_usd_bn");
    const auto tam = g.yearly("market.tam_usd_bn");
    const auto chips = g.yearly("demand.chips_needed");
    const auto bought = g.yearly("demand.chips_bought");
    const auto chip_tps = g.yearly("demand.chip_tps");
    const auto ratio = g.yearly("demand.tam_ratio");
    const std::size_t last = years().size() - 1;
    const int y_last = years().back();
    if (std::isfinite(tokens[0]) && std::isfinite(tokens[last])) {
      std::vector<double> tn;
      for (double t : tokens) tn.push_back(t / 1e12);
      const std::string tk = fmt::format("Tokens served per day grow from {} trillion in {} to {} trillion in {} ({}x).",
                                         format_number(tn[0], kOne), years().front(), format_number(tn[last], kOne), y_last,
                                         format_number(tokens[last] / tokens[0], kOne));
      s.items.push_back(charts::line("gap-demand-tokens", "Bottom-up token demand: tokens served per day in China", tk, charts::Axis{"year", kYear},
                                     charts::Axis{"tokens per day (trillion)", kOne}, year_labels(),
                                     {charts::Series{"tokens/day (year-end run rate)", tn, charts::kDomestic, ""}}));
    }
    if (std::isfinite(implied[last]) && std::isfinite(tam[last])) {
      tk_demand = fmt::format("Bottom-up, serving the token demand of {} implies USD {:.1f} bn of accelerator spend (inference and its "
                              "training share), {}x the capex-based TAM of USD {:.1f} bn.",
                              y_last, implied[last], format_number(implied[last] / tam[last], kTwo), tam[last]);
      s.items.push_back(charts::line("gap-demand-spend", "Accelerator spend: bottom-up from tokens vs the capex-based TAM", tk_demand,
                                     charts::Axis{"year", kYear}, charts::Axis{"USD bn", kOne}, year_labels(),
                                     {charts::Series{"inference chips bought (bottom-up)", spend, charts::kDomestic, ""},
                                      charts::Series{"implied total incl. training (bottom-up)", implied, "#b9770e", ""},
                                      charts::Series{"TAM (market model)", tam, charts::kForeign, ""}}));
    }
    TableData t;
    t.id = "gap-demand";
    t.title = "Bottom-up token demand -> chips -> spend, beside the TAM";
    t.headers = {"year", "tokens/day (trillion)", "fleet tokens/s per chip", "chips installed (m)", "chips bought (m)",
                 "inference spend (USD bn)", "implied total (USD bn)", "TAM (USD bn)", "implied / TAM (x)"};
    for (std::size_t i = 0; i < years().size(); ++i)
      t.rows.push_back({Cell::num(years()[i], kYear), Cell::num(tokens[i] / 1e12, kOne), Cell::num(chip_tps[i], kInt),
                        Cell::num(chips[i] / 1e6, kTwo), Cell::num(bought[i] / 1e6, kTwo), Cell::num(spend[i], kOne),
                        Cell::num(implied[i], kOne), Cell::num(tam[i], kOne), Cell::num(ratio[i], kTwo)});
    t.note = "Demand inputs (tokens/day, mix, utilisation, inference share) are demand.* parameters; estimates among them are flagged in "
             "the assumptions appendix.";
    s.items.push_back(t);
  } else {
    s.items.push_back(Unavailable{"bottom-up token demand", why});
  }

  return tk_demand;
}

// The US side under the import regime: which US parts are sold into China each year, and how many.
TableData import_regime_table(const gap::GapResult& r, const gap::Settings& st) {
  TableData rt;
  rt.id = "gap-import-regime";
  rt.title = "The US side in China follows the import regime: US parts sold into China per year (chips from licensed dollars / China price)";
  rt.headers = {"year", "licensed imports (USD bn)", "US parts sold (thousand chips)", "reference part"};
  for (const int y : years()) {
    const gap::Cell* c = r.cell("memory_bandwidth", gap::Set::kChina, y);
    if (!c) continue;
    std::string mix;
    for (const auto& [part, chips] : c->us_mix) mix += (mix.empty() ? "" : ", ") + part + " " + format_number(chips / 1e3, kInt);
    const auto lic = st.licensed_usd_bn.find(y);
    const auto ref = gap::regime_reference(st, y);
    rt.rows.push_back({Cell::num(y, kYear), Cell::num(lic == st.licensed_usd_bn.end() ? std::nan("") : lic->second, kOne),
                       Cell::txt(mix.empty() ? (c->us_weighted.ok() ? "-" : c->us_weighted.missing) : mix, mix.empty()),
                       Cell::txt(ref ? *ref : "none", !ref)});
  }
  return rt;

}

// The report's reading of the levers ("packaging, scale-up and co-optimisation, not node"), on the system basis.
std::optional<Paragraph> node_or_not(const gap::GapResult& r, int today) {
  for (const auto& d : r.decompositions) {
    if (d.basis != "tps_system_per_chip" || d.set != gap::Set::kGlobal || d.year != today || d.status != "ok") continue;
    std::map<std::string, double> sh;
    for (const auto& lr : d.levers)
      if (lr.share_closed.ok()) sh[lr.lever] = *lr.share_closed.value;
    if (!sh.count("process") || !sh.count("packaging") || !sh.count("scaleup") || !sh.count("software")) continue;
    const double lo = std::min({sh["packaging"], sh["scaleup"], sh["software"]});
    const double hi = std::max({sh["packaging"], sh["scaleup"], sh["software"]});
    const char* verdict = sh["process"] < lo ? "holds" : sh["process"] < hi ? "holds only in part" : "does not hold";
    return Paragraph{fmt::format(
        "Node or not: on tokens/s per chip inside its system ({} vs {}, {}x in {}), the process lever (per-die compute) closes {:.0f}% "
        "of the log gap, packaging {:.0f}%, scale-up {:.0f}%, software {:.0f}% (interaction {:.0f}%, residual {:.0f}%). The report's "
        "\"driven by packaging, scale-up and co-optimisation, not by node\" {} on this basis.",
        d.us_system, d.domestic_system, format_number(fig(d.ratio), kTwo), d.year, 100 * sh["process"], 100 * sh["packaging"],
        100 * sh["scaleup"], 100 * sh["software"], 100 * fig(d.interaction), 100 * fig(d.residual), verdict)};
  }
  return std::nullopt;
}

}  // namespace

Section gap_section(Gather& g) {
  Section s{"gap", "6. The gap", "", {}};
  if (engine_missing(g, "gap", "China-US gap", s)) return s;
  g.progress("report: gap by basis and year");
  const gap::Settings st = gap::settings(g.ctx.params);
  const gap::GapResult r = gap::evaluate(g.ctx, g.ctx.params, st);
  const int today = st.today, horizon = st.today + st.horizon_years;

  s.items.push_back(Paragraph{fmt::format(
      "For each basis and year, the best US part and the best domestic part launched by then (and, for the \"available in China\" set, "
      "allowed by the catalog's dated export-control rules) are compared; the ratio is US / domestic, or domestic / US for cost per "
      "token, so that above 1 the US leads. Perf-based bases use model {} on the standard workloads in region {}. The report's claim "
      "is read as {}-{}x in {} and within {:.1f}x of parity in {}.",
      st.model, st.region, st.claim_today_low, st.claim_today_high, today, st.claim_parity_band, horizon)});
  s.items.push_back(ratio_chart(r, gap::Set::kChina));
  s.items.push_back(ratio_chart(r, gap::Set::kGlobal));

  // The claim, basis by basis.
  const auto claims = gap::check_claim(r);
  TableData ct;
  ct.id = "gap-claim";
  ct.title = fmt::format("The report's claim (\"1.5-2x today, ~1x within four years\") on each basis: {} and {}", today, horizon);
  ct.headers = {"basis", "set", fmt::format("ratio {} (x)", today), "holds today", fmt::format("ratio {} (x)", horizon), "holds then",
                fmt::format("shipment-weighted {} (x)", today), fmt::format("shipment-weighted {} (x)", horizon), "verdict"};
  std::vector<std::string> both_china;
  std::size_t china_bases = 0;
  nlohmann::json cj = nlohmann::json::array();
  auto yn = [](const std::optional<bool>& b) { return b ? Cell::txt(*b ? "yes" : "no", !*b) : Cell::txt("n/a", true); };
  for (const auto& c : claims) {
    ct.rows.push_back({Cell::txt(c.basis), Cell::txt(std::string(gap::set_name(c.set))), Cell::num(fig(c.today_ratio), kTwo),
                       yn(c.holds_today), Cell::num(fig(c.horizon_ratio), kTwo), yn(c.holds_horizon),
                       Cell::num(fig(c.today_weighted), kTwo), Cell::num(fig(c.horizon_weighted), kTwo), Cell::txt(c.verdict)});
    if (c.set == gap::Set::kChina) {
      ++china_bases;
      if (c.holds_today.value_or(false) && c.holds_horizon.value_or(false)) both_china.push_back(c.basis);
    }
    cj.push_back({{"basis", c.basis}, {"set", gap::set_name(c.set)}, {"today_ratio", c.today_ratio.value ? nlohmann::json(*c.today_ratio.value) : nlohmann::json(nullptr)},
                  {"horizon_ratio", c.horizon_ratio.value ? nlohmann::json(*c.horizon_ratio.value) : nlohmann::json(nullptr)},
                  {"verdict", c.verdict}});
  }
  ct.note = "Highlighted: the claim does not hold (or cannot be tested) on that basis and year. Shipment-weighted (China): the domestic "
            "side weighted by the supply model's chips per vendor, the US side by the parts the import regime sells into China "
            "(market.imports.licensed_usd_bn x gap.imports.mix / China price).";
  s.items.push_back(ct);

  s.items.push_back(import_regime_table(r, st));

  // Best parts today and at the horizon.
  TableData pt;
  pt.id = "gap-parts";
  pt.title = "Best parts on each side";
  pt.headers = {"basis", "unit", "set", "year", "best US part", "US value", "best domestic part", "domestic value", "ratio (x)"};
  for (const auto& b : r.bases)
    for (const gap::Set set : gap::kAllSets)
      for (const int y : {today, horizon}) {
        const gap::Cell* c = r.cell(b.basis.id, set, y);
        if (!c) continue;
        pt.rows.push_back({Cell::txt(b.basis.id), Cell::txt(b.basis.unit), Cell::txt(std::string(gap::set_name(set))), Cell::num(y, kYear),
                           Cell::txt(part_name(g, c->us)), Cell::num(c->us ? fig(c->us->value) : std::nan(""), kGeneral),
                           Cell::txt(part_name(g, c->domestic)), Cell::num(c->domestic ? fig(c->domestic->value) : std::nan(""), kGeneral),
                           Cell::num(fig(c->ratio), kTwo)});
      }
  s.items.push_back(pt);

  // Lever decomposition.
  TableData dt;
  dt.id = "gap-levers";
  dt.title = "What closes the gap: each lever swapped from the US part into the domestic one (share of the log gap closed)";
  dt.headers = {"basis", "set", "year", "US part", "domestic part", "gap (x)"};
  for (const gap::Lever l : gap::kAllLevers) dt.headers.push_back(fmt::format("{} (share)", gap::lever_name(l)));
  dt.headers.push_back("interaction (share)");
  dt.headers.push_back("residual (share)");
  for (const auto& d : r.decompositions) {
    std::vector<Cell> row{Cell::txt(d.basis), Cell::txt(std::string(gap::set_name(d.set))), Cell::num(d.year, kYear),
                          Cell::txt(d.us_system.empty() ? d.us_part : d.us_system),
                          Cell::txt(d.domestic_system.empty() ? d.domestic_part : d.domestic_system), Cell::num(fig(d.ratio), kTwo)};
    for (const gap::Lever l : gap::kAllLevers) {
      double share = std::nan("");
      for (const auto& lr : d.levers)
        if (lr.lever == gap::lever_name(l)) share = fig(lr.share_closed);
      row.push_back(Cell::num(share, kPct0));
    }
    row.push_back(Cell::num(fig(d.interaction), kPct0));
    row.push_back(Cell::num(fig(d.residual), kPct0));
    dt.rows.push_back(std::move(row));
  }
  dt.note = fmt::format("Shares are ln(gap / gap after the swap) / ln(gap); the four single shares + interaction (what the levers close "
                        "only together) + residual (the gap left with every lever swapped) = 100%. Empty where a lever does not apply, data "
                        "is missing, or the gap is within {:.2f}x (a share of a ratio near 1 is meaningless).",
                        gap::kMinGapForShares);
  if (!dt.rows.empty()) s.items.push_back(dt);
  if (auto p = node_or_not(r, today)) s.items.push_back(*p);
  g.results["gap"] = {{"claim", cj}, {"today", today}, {"horizon", horizon}, {"model", st.model}};

  const std::string tk_demand = demand_items(g, s);

  std::string holds = count_text(both_china, china_bases);
  s.takeaway = fmt::format("Among parts available in China, the report's \"1.5-2x in {}, ~1x by {}\" holds {}.", today, horizon, holds) +
               (tk_demand.empty() ? "" : " " + tk_demand);
  return s;
}

}  // namespace gpugap::report::detail
