// 1. Summary: the report's published headline figures beside gpugap's
// computed ones, with the differences, and the answer to each question as the
// other sections' takeaways.
#include <cmath>

#include "core/error.hpp"
#include "market/model.hpp"
#include "report/sections.hpp"
#include "studies/evaluate.hpp"

namespace gpugap::report::detail {
namespace {

constexpr double kCloseRel = 0.10;  // "close to the published figure": within 10%

struct Row {
  std::string path;
  double published = 0;
  std::optional<double> computed;
  std::string status;
  std::string source;
  bool never = false;  // a break-even year not reached by the last model year (status says why)
};

// A break-even year the market gives no value for (present, NaN): not
// reached by the last model year; the status says why.
void mark_no_breakeven(const Gather& g, Row& r) {
  if (r.computed || r.path.find("breakeven_year") == std::string::npos || !g.metrics.count(r.path)) return;
  const std::string last = std::to_string(analysis::kLastYear);
  const bool cash = r.path.ends_with("cashflow");
  const double revenue = g.metric_or_nan("market.infra.revenue_rmb_bn." + last);
  const double cost = cash ? revenue - g.metric_or_nan("market.infra.cash_flow_rmb_bn." + last)
                           : g.metric_or_nan("market.infra.cost_rmb_bn." + last);
  r.status = market::no_breakeven_reason(cash, revenue, cost);
  r.never = true;
}

const Section* find_section(const std::vector<Section>& v, const std::string& id) {
  for (const auto& s : v)
    if (s.id == id) return &s;
  return nullptr;
}

}  // namespace

Section summary_section(Gather& g, const std::vector<Section>& others) {
  Section s{"summary", "1. Summary", "", {}};
  std::vector<Row> rows;
  for (const auto& p : g.ctx.scenario.published) {
    Row r{p.metric, p.value, g.metric(p.metric), "", p.prov.source + (p.prov.as_of.empty() ? "" : " (" + p.prov.as_of + ")")};
    if (!r.computed) {
      // Metrics outside the gathered engines (perf, econ): ask for this one.
      try {
        const auto m = studies::evaluate(g.ctx, {p.metric});
        if (std::isfinite(m.at(p.metric))) r.computed = m.at(p.metric);
      } catch (const UserError& e) {
        const std::string head = p.metric.substr(0, p.metric.find('.'));
        const std::string why = g.why_missing(head);
        r.status = "not available: " + (why.empty() ? std::string(e.what()) : why);
      } catch (const InsufficientData& e) {
        r.status = std::string("not available: ") + e.what();
      }
    }
    if (r.computed) r.status = "computed";
    mark_no_breakeven(g, r);
    rows.push_back(std::move(r));
  }

  TableData t;
  t.id = "headline";
  t.title = "Headline figures: computed by gpugap vs published in the report";
  t.headers = {"figure", "metric path", "unit", "computed", "published", "difference (computed - published)",
               "relative difference", "status", "published source"};
  int n_comp = 0, n_close = 0;
  const Row* worst = nullptr;
  double worst_rel = -1;
  for (const auto& r : rows) {
    const NumberFormat f = metric_format(r.path);
    const double c = r.computed.value_or(std::nan(""));
    // A year is compared by its difference in years, not as a ratio.
    const bool year = f.integer_year;
    const double rel = r.computed && r.published != 0 && !year ? c / r.published - 1.0 : std::nan("");
    const bool far = std::isfinite(rel) && std::fabs(rel) > kCloseRel;
    const Cell computed = r.never ? Cell::txt(fmt::format("not by {}", analysis::kLastYear)) : Cell::num(c, f);
    t.rows.push_back({Cell::txt(metric_label(r.path)), Cell::txt(r.path), Cell::txt(metric_unit(r.path)), computed,
                      Cell::num(r.published, f), Cell::num(c - r.published, f), Cell::num(rel, kPct0, far),
                      Cell::txt(r.status, !r.computed && !r.never), Cell::txt(r.source)});
    if (!r.computed) continue;
    ++n_comp;
    if (std::isfinite(rel) && std::fabs(rel) <= kCloseRel) ++n_close;
    if (std::isfinite(rel) && std::fabs(rel) > worst_rel) {
      worst_rel = std::fabs(rel);
      worst = &r;
    }
  }
  t.note = "Published figures are the report's, shown for comparison only; gpugap never uses them as inputs. "
           "Highlighted: more than 10% away from the published figure, or not computable in this build.";

  const std::string tam = "market.tam_usd_bn.2030";
  std::string headline;
  for (const auto& r : rows)
    if (r.path == tam && r.computed)
      headline = fmt::format("TAM reaches {} in 2030, {} vs the published {}. ", say(*r.computed, tam),
                             say_change(*r.computed, r.published), say(r.published, tam));
  if (rows.empty()) {
    s.takeaway = "The scenario lists no published figures to compare with.";
  } else if (n_comp == 0) {
    s.takeaway = fmt::format("None of the {} published headline figures can be computed in this build yet.", rows.size());
  } else {
    s.takeaway = headline + fmt::format("{} of {} published headline figures computed, {} within {:.0f}%", n_comp, rows.size(),
                                        n_close, kCloseRel * 100);
    if (worst)
      s.takeaway += fmt::format("; largest gap: {} ({} vs {}, {})", metric_label(worst->path), say(*worst->computed, worst->path),
                                say(worst->published, worst->path), say_change(*worst->computed, worst->published));
    s.takeaway += ".";
  }

  s.items.push_back(Paragraph{
      "gpugap rebuilds the analysis of a 2025 sell-side report on Chinese AI GPUs from explicit, sourced assumptions "
      "(appendix). Each question below is answered by a computed section; the table compares the headline figures with "
      "the report's own."});
  const std::pair<const char*, const char*> questions[] = {
      {"supply", "Q1. Can China supply competitive AI GPUs at scale?"},
      {"demand", "Q2. How large is China's AI GPU market?"},
      {"vendors", "Q3. Which vendors win?"},
      {"inference", "Inference economics (Q1 and Q3)"},
  };
  for (const auto& [id, q] : questions)
    if (const Section* o = find_section(others, id)) s.items.push_back(Paragraph{std::string(q) + " " + o->takeaway});

  s.items.push_back(t);
  if (n_comp > 0) {
    std::vector<std::string> cats;
    std::vector<double> vals;
    std::vector<std::string> colors;
    for (const auto& r : rows) {
      if (!r.computed || r.published == 0) continue;
      const double rel = *r.computed / r.published - 1.0;
      cats.push_back(metric_label(r.path));
      vals.push_back(rel);
      colors.push_back(std::fabs(rel) <= kCloseRel ? "#27ae60" : charts::kDomestic);
    }
    std::string tk = fmt::format("{} of {} computed figures lie within {:.0f}% of the published value", n_close, n_comp, kCloseRel * 100);
    if (worst)
      tk += fmt::format("; the widest gap is {} at {}", metric_label(worst->path), say_change(*worst->computed, worst->published));
    s.items.push_back(charts::bar("summary-diff", "Computed vs published: relative difference", tk + ".",
                                  charts::Axis{"headline figure", kOne}, charts::Axis{"difference from published (%)", kPct0},
                                  cats, {charts::Series{"computed / published - 1", vals, "", ""}}, true, colors));
  }
  for (const auto& [prefix, why] : g.missing) s.items.push_back(Unavailable{prefix + " engine", why});

  nlohmann::json pj = nlohmann::json::array();
  for (const auto& r : rows)
    pj.push_back({{"metric", r.path},
                  {"published", r.published},
                  {"computed", r.computed ? nlohmann::json(*r.computed) : nlohmann::json(nullptr)},
                  {"status", r.status},
                  {"source", r.source}});
  g.results["published_vs_computed"] = pj;
  return s;
}

}  // namespace gpugap::report::detail
