// 4. Inference economics: TPS, TPS/W, TPS/W/$ and cost per million tokens by
// chip (domestic and foreign parts coloured apart), the Pareto frontier of
// tokens/s per chip vs tokens/s per user, and the report's claims checked
// against the computed table.
#include <algorithm>
#include <cmath>

#include "catalog/family.hpp"
#include "core/error.hpp"
#include "econ/table.hpp"
#include "perf/deployment.hpp"
#include "perf/interval_file.hpp"
#include "report/sections.hpp"
#include "score/score.hpp"

namespace gpugap::report::detail {
namespace {

// gpugap's reading of the report's words, stated in the claims table:
// "close to" = within 25% either way; "approach" = at least 80% of.
constexpr double kCloseBand = 0.25;
constexpr double kApproach = 0.80;
constexpr const char* kWorkload = "chat";

using Get = std::optional<double> (*)(const econ::Row&);

std::optional<double> tps(const econ::Row& r) {
  return r.throughput ? std::optional<double>(r.throughput->output_tps) : std::nullopt;
}
std::optional<double> tpw(const econ::Row& r) { return r.tps_per_watt; }
std::optional<double> tpwd(const econ::Row& r) { return r.tps_per_watt_per_kusd; }
std::optional<double> cost(const econ::Row& r) {
  return r.costs ? std::optional<double>(r.costs->usd_per_mtok_output_all_in) : std::nullopt;
}
std::optional<double> price(const econ::Row& r) {
  return r.price ? std::optional<double>(r.price->value()) : std::nullopt;
}

std::string color(const econ::Row& r) { return r.domestic ? charts::kDomestic : charts::kForeign; }

// The best domestic row by a figure (max, or min for cost).
const econ::Row* best_domestic(const econ::EconTable& t, Get get, bool lower_better) {
  const econ::Row* best = nullptr;
  for (const auto& r : t.rows) {
    if (!r.domestic || !get(r)) continue;
    if (!best || (lower_better ? *get(r) < *get(*best) : *get(r) > *get(*best))) best = &r;
  }
  return best;
}

std::optional<double> value_of(const econ::EconTable& t, const std::string& chip, Get get) {
  const econ::Row* r = t.find(chip);
  return r ? get(*r) : std::nullopt;
}

struct Claim {
  std::string claim;
  std::string test;
  std::string evidence;
  std::string verdict;  // holds / does not hold / partly / insufficient data
};

std::string ratio_text(double a, double b) { return fmt::format("{:.2f}x", a / b); }

void interval_table(Gather& g, const econ::EconTable& t, Section& s);

// The computed table, with each chip's status.
void chip_table(Gather& g, const econ::EconTable& t, Section& s) {
  nlohmann::json rows_json = nlohmann::json::array();
  TableData tt;
  tt.id = "inference-table";
  tt.title = "Inference economics by chip (" + t.model + ", " + t.workload + ", region " + t.region + ")";
  tt.headers = {"chip", "origin", "output tokens/s per chip", "tokens/s per W", "tokens/s per W per kUSD", "chip price (USD)",
                "USD per M output tokens", "deployment", "status"};
  // The model's spec for its deployments' description: read only where a search ran on it.
  std::optional<ModelSpec> model_of;
  for (const auto& r : t.rows)
    if (r.perf && !model_of) model_of = model_spec(*g.ctx.catalog, g.ctx.params, t.model);
  for (const auto& r : t.rows) {
    const std::string dep = r.perf && model_of ? perf::describe(r.perf->deployment, *model_of) : "";
    tt.rows.push_back({Cell::txt(r.name), Cell::txt(r.domestic ? "domestic" : "foreign"), Cell::num(tps(r).value_or(NAN), kInt),
                       Cell::num(tpw(r).value_or(NAN), kThree), Cell::num(tpwd(r).value_or(NAN), kThree),
                       Cell::num(price(r).value_or(NAN), kInt), Cell::num(cost(r).value_or(NAN), kTwo), Cell::txt(dep),
                       Cell::txt(r.status, !r.ok())});
    rows_json.push_back({{"chip", r.chip}, {"domestic", r.domestic}, {"status", r.status},
                         {"output_tps_per_chip", tps(r) ? nlohmann::json(*tps(r)) : nlohmann::json(nullptr)},
                         {"tps_per_watt", tpw(r) ? nlohmann::json(*tpw(r)) : nlohmann::json(nullptr)},
                         {"tps_per_watt_per_kusd", tpwd(r) ? nlohmann::json(*tpwd(r)) : nlohmann::json(nullptr)},
                         {"usd_per_mtok_output", cost(r) ? nlohmann::json(*cost(r)) : nlohmann::json(nullptr)},
                         {"missing", r.missing.paths()}});
  }
  tt.note = "Highlighted: a chip without a full result; its status names the first missing input (insufficient data) or why no "
            "deployment meets the latency targets.";
  s.items.push_back(tt);
  g.results["inference"] = {{"model", t.model}, {"workload", t.workload}, {"region", t.region}, {"rows", rows_json}};
  interval_table(g, t, s);

}

// The 80% intervals of each chip's output tokens/s and cost per token (the table perf, econ
// and score read: perf/interval_file.hpp); cost per token scales with 1 / tokens/s.
void interval_table(Gather& g, const econ::EconTable& t, Section& s) {
  std::optional<perf::IntervalFile> f;
  try {
    f = perf::shipped_intervals();
  } catch (const UserError& e) {
    s.items.push_back(Unavailable{"80% intervals of tokens/s and cost per token", e.what()});
    return;
  }
  if (!f) {
    s.items.push_back(Unavailable{"80% intervals of tokens/s and cost per token",
                                  "data/intervals/perf-intervals.csv is absent (make intervals writes it)"});
    return;
  }
  TableData it;
  it.id = "inference-intervals";
  it.title = "80% intervals (p10-p90 of what would be measured) of output tokens/s per chip and cost per M output tokens";
  it.headers = {"chip", "output tokens/s p10", "output tokens/s p90", "USD per M output tokens p10", "USD per M output tokens p90", "basis"};
  for (const auto& r : t.rows) {
    if (!tps(r)) continue;
    const std::string stack = chip_spec(*g.ctx.catalog, g.ctx.params, r.chip).stack;
    const auto iv = perf::interval_of(f->table, catalog::chip_family(*g.ctx.catalog, r.chip), stack, "output_tps_per_chip", *tps(r));
    if (!iv.ok) continue;
    const auto c = cost(r) ? perf::inverse_interval(iv, *tps(r), *cost(r)) : perf::PointInterval{};
    it.rows.push_back({Cell::txt(r.name), Cell::num(iv.p10, kInt), Cell::num(iv.p90, kInt), Cell::num(c.ok ? c.p10 : NAN, kTwo),
                       Cell::num(c.ok ? c.p90 : NAN, kTwo), Cell::txt(iv.basis)});
  }
  it.note = fmt::format("From the leave-one-publication-out residuals of each chip's (family, stack) group, or pooled across families "
                        "for a chip without one (data/intervals/perf-intervals.csv, generated {} by `{}`). Monte Carlo ranges "
                        "elsewhere in this report are p5/p95.",
                        f->date, f->command);
  s.items.push_back(it);
}

// The report's inference-economics claims, tested on the computed table.
std::vector<Claim> report_claims(const econ::EconTable& t) {
  std::vector<Claim> claims;
  {
    Claim c{"Domestic accelerators are priced 30-60% below the high-end NVIDIA parts available in China",
            "price of each domestic chip vs the H20 (region cn)", "", ""};
    const auto h20 = value_of(t, "nvidia-h20", price);
    int in = 0, n = 0;
    std::vector<std::string> ev;
    for (const auto& r : t.rows)
      if (r.domestic && price(r) && h20) {
        const double disc = 1.0 - *price(r) / *h20;
        ++n;
        if (disc >= 0.30 && disc <= 0.60) ++in;
        ev.push_back(fmt::format("{} {}", r.name, format_number(disc, kPct0)));
      }
    c.evidence = n ? "discount vs H20: " + fmt::format("{}", fmt::join(ev, ", ")) : "no prices";
    c.verdict = n == 0 ? "insufficient data" : in == n ? "holds" : in > 0 ? "partly" : "does not hold";
    claims.push_back(c);
  }
  {
    Claim c{"On cost per token the leading domestic vendors are close to H20 and A100, in some configurations better",
            fmt::format("best domestic USD/Mtok within {:.0f}% of (or below) H20 and A100", kCloseBand * 100), "", ""};
    const econ::Row* dom = best_domestic(t, cost, true);
    std::vector<std::string> ev, gone;
    int close = 0, n = 0;
    for (const char* ref : {"nvidia-h20", "nvidia-a100-sxm"}) {
      const auto v = value_of(t, ref, cost);
      if (!v) {
        gone.emplace_back(ref);
        continue;
      }
      if (!dom) continue;
      ++n;
      if (*cost(*dom) / *v <= 1 + kCloseBand) ++close;
      ev.push_back(fmt::format("{} of {}'s cost", ratio_text(*cost(*dom), *v), t.find(ref)->name));
    }
    c.evidence = dom ? dom->name + ": " + fmt::format("{}", fmt::join(ev, ", ")) : "no domestic chip has a cost per token";
    if (!gone.empty()) c.evidence += fmt::format(" (no cost per token for {})", fmt::join(gone, ", "));
    c.verdict = n == 0 ? "insufficient data" : close == n && gone.empty() ? "holds" : close > 0 ? "partly" : "does not hold";
    claims.push_back(c);
  }
  {
    Claim c{"On TPS the newest domestic parts (Ascend 950, MLU690) approach or beat H20; against GB300 the gap widens",
            fmt::format("TPS of Ascend 950/MLU690 >= {:.0f}% of H20, and further below GB300", kApproach * 100), "", ""};
    const auto h20 = value_of(t, "nvidia-h20", tps), gb = value_of(t, "nvidia-gb300", tps);
    std::vector<std::string> ev;
    int approach = 0, n = 0, widens = 0;
    for (const char* id : {"huawei-ascend-950pr", "huawei-ascend-950dt", "cambricon-mlu690"}) {
      const auto v = value_of(t, id, tps);
      if (!v || !h20) continue;
      ++n;
      if (*v >= kApproach * *h20) ++approach;
      if (gb && *v / *gb < *v / *h20) ++widens;
      ev.push_back(fmt::format("{}: {} of H20{}", t.find(id)->name, ratio_text(*v, *h20), gb ? ", " + ratio_text(*v, *gb) + " of GB300" : ""));
    }
    c.evidence = n ? fmt::format("{}", fmt::join(ev, "; ")) : "TPS missing for the newest domestic parts or H20";
    c.verdict = n == 0 ? "insufficient data" : approach == n && widens == n ? "holds" : approach > 0 ? "partly" : "does not hold";
    claims.push_back(c);
  }
  {
    Claim c{"On performance per watt the leading domestic chips are near A100 and H20, behind H100 and H200",
            fmt::format("best domestic TPS/W within {:.0f}% of A100 and H20, and below H100 and H200", kCloseBand * 100), "", ""};
    const econ::Row* dom = best_domestic(t, tpw, false);
    const auto a100 = value_of(t, "nvidia-a100-sxm", tpw), h20 = value_of(t, "nvidia-h20", tpw);
    const auto h100 = value_of(t, "nvidia-h100-sxm", tpw), h200 = value_of(t, "nvidia-h200-sxm", tpw);
    if (dom && a100 && h20 && h100 && h200) {
      const double v = *tpw(*dom);
      const bool near = std::fabs(v / *a100 - 1) <= kCloseBand && std::fabs(v / *h20 - 1) <= kCloseBand;
      const bool behind = v < *h100 && v < *h200;
      c.evidence = fmt::format("{}: {} of A100, {} of H20, {} of H100, {} of H200", dom->name, ratio_text(v, *a100), ratio_text(v, *h20),
                               ratio_text(v, *h100), ratio_text(v, *h200));
      c.verdict = near && behind ? "holds" : near || behind ? "partly" : "does not hold";
    } else {
      c.evidence = "TPS/W missing for the best domestic chip or a reference NVIDIA part";
      c.verdict = "insufficient data";
    }
    claims.push_back(c);
  }
  return claims;
}

// The claims as a table; returns how many hold and how many could be tested.
std::pair<int, int> claims_table(Gather& g, const std::vector<Claim>& claims, Section& s) {
  TableData ct;
  ct.id = "inference-claims";
  ct.title = "The report's inference-economics claims, tested on the computed table";
  ct.headers = {"claim (the report)", "test (gpugap's reading)", "evidence (computed)", "verdict"};
  int holds = 0, known = 0;
  nlohmann::json cj = nlohmann::json::array();
  for (const auto& c : claims) {
    ct.rows.push_back({Cell::txt(c.claim), Cell::txt(c.test), Cell::txt(c.evidence), Cell::txt(c.verdict, c.verdict != "holds")});
    if (c.verdict != "insufficient data") ++known;
    if (c.verdict == "holds") ++holds;
    cj.push_back({{"claim", c.claim}, {"test", c.test}, {"evidence", c.evidence}, {"verdict", c.verdict}});
  }
  ct.note = fmt::format("'Close' is read as within {:.0f}% either way and 'approach' as at least {:.0f}%: gpugap's reading of the "
                        "report's words, not the report's.",
                        kCloseBand * 100, kApproach * 100);
  s.items.push_back(ct);
  g.results["inference_claims"] = cj;

  return {holds, known};
}

}  // namespace

Section inference_section(Gather& g) {
  Section s{"inference", "4. Inference economics", "", {}};
  econ::TableOptions to;
  to.region = std::string(score::kDefaultRegion);
  to.model = std::string(score::kDefaultModel);
  to.workload = kWorkload;
  to.chips = econ::report_chips(g.ctx);
  to.report_set = to.chips;
  to.threads = g.opt.threads;
  to.frontier = true;
  g.progress("report: deployment search for " + std::to_string(to.chips.size()) + " chips on " + to.model);
  const econ::EconTable t = econ::build_table(*g.ctx.catalog, g.ctx.params, to);

  s.items.push_back(Paragraph{fmt::format(
      "Model {} on workload '{}' in region {}: for each chip, the best deployment found by the performance engine's search under "
      "the workload's latency targets{}, then the chip's total cost of ownership in the region. Red: domestic (Chinese) "
      "chips; blue: NVIDIA and other foreign parts.",
      t.model, t.workload, t.region,
      t.ttft_target_s && t.tpot_target_s
          ? fmt::format(" (TTFT <= {:.0f} ms, TPOT <= {:.0f} ms)", *t.ttft_target_s * 1e3, *t.tpot_target_s * 1e3)
          : std::string())});

  struct Bar {
    const char* id;
    const char* title;
    const char* axis;
    Get get;
    bool lower_better;
    NumberFormat f;
  };
  const Bar bars[] = {
      {"inf-tps", "Output tokens/s per chip (TPS)", "output tokens/s per chip", tps, false, kInt},
      {"inf-tpw", "Tokens/s per watt (TPS/W, wall power incl. PUE)", "output tokens/s per W", tpw, false, kThree},
      {"inf-tpwd", "Tokens/s per watt per thousand USD of chip price (TPS/W/$)", "output tokens/s per W per kUSD", tpwd, false, kThree},
      {"inf-cost", "Cost per million output tokens (all-in TCO)", "USD per million output tokens", cost, true, kTwo},
  };
  std::string tk_cost;
  for (const auto& b : bars) {
    std::vector<const econ::Row*> rows;
    for (const auto& r : t.rows)
      if (b.get(r)) rows.push_back(&r);
    if (rows.empty()) {
      s.items.push_back(Unavailable{b.title, "no chip has the data it needs (see the table below for each chip's missing inputs)"});
      continue;
    }
    std::stable_sort(rows.begin(), rows.end(), [&](const econ::Row* a, const econ::Row* c) {
      return b.lower_better ? *b.get(*a) < *b.get(*c) : *b.get(*a) > *b.get(*c);
    });
    std::vector<std::string> cats, colors;
    std::vector<double> vals;
    for (const auto* r : rows) {
      cats.push_back(r->name);
      colors.push_back(color(*r));
      vals.push_back(*b.get(*r));
    }
    const econ::Row* dom = best_domestic(t, b.get, b.lower_better);
    std::string tk = fmt::format("{} leads at {} {}", rows.front()->name, format_number(*b.get(*rows.front()), b.f), b.axis);
    if (dom && dom != rows.front())
      tk += fmt::format("; the best domestic chip, {}, reaches {} ({} of the leader)", dom->name, format_number(*b.get(*dom), b.f),
                        ratio_text(*b.get(*dom), *b.get(*rows.front())));
    tk += ".";
    if (std::string(b.id) == "inf-cost") tk_cost = tk;
    s.items.push_back(charts::bar(b.id, b.title, tk, charts::Axis{"chip", kOne}, charts::Axis{b.axis, b.f}, cats,
                                  {charts::Series{b.axis, vals, "", ""}}, true, colors));
  }

  // Pareto frontiers: throughput per chip vs interactivity.
  std::vector<charts::PointSeries> fronts;
  for (const auto& r : t.rows) {
    if (r.frontier.empty()) continue;
    charts::PointSeries ps{r.name, {}, color(r), true};
    for (const auto& p : r.frontier) ps.points.emplace_back(p.tokens_per_s_per_user, p.output_tps_per_chip);
    std::sort(ps.points.begin(), ps.points.end());
    fronts.push_back(std::move(ps));
  }
  if (!fronts.empty()) {
    const charts::PointSeries* widest = &fronts.front();
    for (const auto& f : fronts)
      if (f.points.back().first > widest->points.back().first) widest = &f;
    const std::string tk = fmt::format("{} of the chips have a feasible frontier; {} reaches the highest interactivity, {} tokens/s per user.",
                                       fronts.size(), widest->name, format_number(widest->points.back().first, kInt));
    s.items.push_back(charts::scatter("inf-pareto", "Pareto frontier: tokens/s per chip vs tokens/s per user (" + t.model + ")", tk,
                                      charts::Axis{"tokens/s per user (interactivity)", kOne},
                                      charts::Axis{"output tokens/s per chip", kInt}, fronts));
  }

  chip_table(g, t, s);
  const auto [holds, known] = claims_table(g, report_claims(t), s);

  s.takeaway = (tk_cost.empty() ? std::string("No chip has a complete cost per token.") : tk_cost) +
               fmt::format(" {} of {} testable claims hold.", holds, known);
  return s;
}

}  // namespace gpugap::report::detail
