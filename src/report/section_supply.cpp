// 2. Supply: wafer capacity by node and year, chips by vendor and year
// (stacked), the binding constraint per year, and the yield path.
#include <algorithm>
#include <cmath>

#include "report/sections.hpp"
#include "supply/model.hpp"

namespace gpugap::report::detail {
namespace {

constexpr const char* kPalette[] = {"#c0392b", "#e67e22", "#f1c40f", "#16a085", "#8e44ad", "#2c3e50",
                                    "#d35400", "#27ae60", "#7f8c8d", "#2980b9", "#a93226", "#1abc9c"};

double at_year(const std::vector<double>& v, int year) {
  const auto i = static_cast<std::size_t>(year - analysis::kFirstYear);
  return i < v.size() ? v[i] : std::nan("");
}

double sum_at(const std::vector<std::vector<double>>& rows, std::size_t i) {
  double s = 0;
  bool any = false;
  for (const auto& r : rows)
    if (i < r.size() && std::isfinite(r[i])) {
      s += r[i];
      any = true;
    }
  return any ? s : std::nan("");
}

std::string millions(double v) { return std::isfinite(v) ? fmt::format("{:.2f} m", v / 1e6) : "n/a"; }

}  // namespace

Section supply_section(Gather& g) {
  Section s{"supply", "2. Supply", "", {}};
  if (engine_missing(g, "supply", "supply model (wafers, yields, chips per vendor)", s)) return s;
  const auto cats = year_labels();
  const int first = analysis::kFirstYear, last = analysis::kLastYear;
  std::vector<std::string> parts;

  // Wafer capacity by node.
  const auto nodes = g.components("supply.wafers_per_month");
  if (!nodes.empty()) {
    std::vector<charts::Series> series;
    std::string big;
    double big_last = -1;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      auto v = g.yearly("supply.wafers_per_month." + nodes[i]);
      if (at_year(v, last) > big_last) {
        big_last = at_year(v, last);
        big = nodes[i];
      }
      series.push_back(charts::Series{nodes[i], v, kPalette[i % std::size(kPalette)], ""});
    }
    const auto bv = g.yearly("supply.wafers_per_month." + big);
    const std::string tk = fmt::format("{} capacity goes from {} wafers/month in {} to {} in {}.", big,
                                       format_number(at_year(bv, first), kInt), first, format_number(at_year(bv, last), kInt), last);
    parts.push_back(tk);
    s.items.push_back(charts::line("supply-wafers", "Advanced-node wafer capacity by node", tk, charts::Axis{"year", kYear},
                                   charts::Axis{"capacity (wafers/month)", kInt}, cats, series));
  } else {
    s.items.push_back(Unavailable{"wafer capacity by node", "the supply engine publishes no supply.wafers_per_month.* metrics"});
  }

  // Chips by vendor, stacked.
  const auto vendors = g.components("supply.chips");
  if (!vendors.empty()) {
    std::vector<charts::Series> series;
    std::vector<std::vector<double>> vals;
    for (std::size_t i = 0; i < vendors.size(); ++i) {
      vals.push_back(g.yearly("supply.chips." + vendors[i]));
      series.push_back(charts::Series{g.vendor_name(vendors[i]), vals.back(), kPalette[i % std::size(kPalette)], "chips"});
    }
    const std::size_t li = static_cast<std::size_t>(last - first);
    const double tot0 = sum_at(vals, 0), tot1 = sum_at(vals, li);
    std::size_t top = 0;
    for (std::size_t i = 0; i < vals.size(); ++i)
      if (at_year(vals[i], last) > at_year(vals[top], last)) top = i;
    const double top_share = tot1 > 0 ? at_year(vals[top], last) / tot1 : std::nan("");
    const std::string tk = fmt::format("Domestic AI-chip output goes from {} chips in {} to {} in {}; {} makes {} of the {} total.",
                                       millions(tot0), first, millions(tot1), last, g.vendor_name(vendors[top]),
                                       format_number(top_share, kPct0), last);
    parts.push_back(tk);
    s.items.push_back(charts::bar("supply-chips", "AI chips produced by vendor and year", tk, charts::Axis{"year", kYear},
                                  charts::Axis{"chips produced (units)", kInt}, cats, series));
  } else {
    s.items.push_back(Unavailable{"chips by vendor", "the supply engine publishes no supply.chips.* metrics"});
  }

  // Binding constraint per year.
  TableData bind;
  bind.id = "supply-binding";
  bind.title = "Binding constraint per year";
  bind.headers = {"year", "binding constraint", "code"};
  for (int y : years()) {
    const auto v = g.metric(fmt::format("supply.binding_constraint.{}", y));
    if (!v) continue;
    bind.rows.push_back({Cell::num(y, kYear), Cell::txt(std::string(supply::binding_name(*v))), Cell::num(*v, kInt)});
  }
  if (!bind.rows.empty()) s.items.push_back(bind);

  // Yield path: good dies per wafer by chip.
  const auto chips = g.components("supply.good_dies_per_wafer");
  if (!chips.empty()) {
    std::vector<charts::Series> series;
    for (std::size_t i = 0; i < chips.size(); ++i)
      series.push_back(charts::Series{g.chip_name(chips[i]), g.yearly("supply.good_dies_per_wafer." + chips[i]),
                                      kPalette[i % std::size(kPalette)], ""});
    const auto v0 = g.yearly("supply.good_dies_per_wafer." + chips.front());
    const std::string tk = fmt::format("Good {} dies per wafer rise from {} in {} to {} in {} as yield improves.",
                                       g.chip_name(chips.front()), format_number(at_year(v0, first), kOne), first,
                                       format_number(at_year(v0, last), kOne), last);
    s.items.push_back(charts::line("supply-yield", "Yield path: good dies per wafer", tk, charts::Axis{"year", kYear},
                                   charts::Axis{"good dies per wafer (dies)", kOne}, cats, series));
  }
  s.takeaway = parts.empty() ? "The supply engine published none of the expected metrics." : parts.back();
  return s;
}

}  // namespace gpugap::report::detail
