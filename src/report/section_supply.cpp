// 2. Supply: wafer capacity by node and year, chips by vendor and year
// (stacked), the binding constraint per year, and the yield path.
#include <algorithm>
#include <array>
#include <cmath>

#include "report/sections.hpp"
#include "studies/evaluate.hpp"
#include "studies/montecarlo.hpp"
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

constexpr std::array<int, 3> kShownYears = {2025, 2027, 2030};

// Chips, revenue and gross margin by vendor in the shown years (the report's watch metrics).
TableData vendor_economics(const Gather& g, const std::vector<std::string>& vendors) {
  TableData t;
  t.id = "supply-vendors";
  t.title = "Chips, revenue and gross margin by vendor (bottom-up: cost per good die, HBM, packaging -> COGS; ASP)";
  t.headers = {"vendor"};
  for (int y : kShownYears) {
    t.headers.push_back(fmt::format("chips {}", y));
    t.headers.push_back(fmt::format("revenue {} (USD bn)", y));
    t.headers.push_back(fmt::format("gross margin {}", y));
  }
  for (const auto& v : vendors) {
    std::vector<Cell> row{Cell::txt(g.vendor_name(v))};
    for (int y : kShownYears) {
      row.push_back(Cell::num(g.metric_or_nan(fmt::format("supply.chips.{}.{}", v, y)), kInt));
      row.push_back(Cell::num(g.metric_or_nan(fmt::format("supply.revenue_usd_bn.{}.{}", v, y)), kTwo));
      row.push_back(Cell::num(g.metric_or_nan(fmt::format("supply.gross_margin.{}.{}", v, y)), kPct0));
    }
    t.rows.push_back(std::move(row));
  }
  t.note = "A gross margin is n/a in a year without revenue. Equations: docs/model-supply.md.";
  return t;
}

// Chips by vendor and SKU, every year: the roadmap mix (docs/model-supply.md section 3).
TableData sku_table(const Gather& g, const std::vector<std::string>& vendors) {
  TableData t;
  t.id = "supply-skus";
  t.title = "Chips by vendor and SKU (announced roadmaps; allocation shares and unpublished specs are flagged estimates)";
  t.headers = {"vendor", "SKU"};
  for (int y : years()) t.headers.push_back(std::to_string(y));
  for (const auto& v : vendors)
    for (const auto& sku : g.components("supply.chips." + v)) {
      std::vector<Cell> row{Cell::txt(g.vendor_name(v)), Cell::txt(g.chip_name(sku))};
      for (int y : years()) row.push_back(Cell::num(g.metric_or_nan(fmt::format("supply.chips.{}.{}.{}", v, sku, y)), kInt));
      t.rows.push_back(std::move(row));
    }
  t.note = "A SKU makes no chips before its launch year; dies that HBM or packaging cannot take wait in inventory "
           "(gpugap supply, by SKU).";
  return t;
}

// Compute per year: H100-equivalents (BF16 and 8-bit), installed base and retirements.
TableData compute_table(const Gather& g) {
  TableData t;
  t.id = "supply-compute";
  t.title = "Output and installed base in H100-equivalents";
  t.headers = {"year", "chips", "H100-eq (BF16)", "H100-eq (8-bit)", "installed base (H100-eq, BF16)",
               "installed base (H100-eq, 8-bit)", "retired (H100-eq, BF16)"};
  for (int y : years()) {
    if (!g.metric(fmt::format("supply.h100_equivalents.{}", y))) continue;
    t.rows.push_back({Cell::num(y, kYear), Cell::num(g.metric_or_nan(fmt::format("supply.chips_total.{}", y)), kInt),
                      Cell::num(g.metric_or_nan(fmt::format("supply.h100_equivalents.{}", y)), kInt),
                      Cell::num(g.metric_or_nan(fmt::format("supply.h100_equivalents_8bit.{}", y)), kInt),
                      Cell::num(g.metric_or_nan(fmt::format("supply.installed_base_h100e.{}", y)), kInt),
                      Cell::num(g.metric_or_nan(fmt::format("supply.installed_base_h100e_8bit.{}", y)), kInt),
                      Cell::num(g.metric_or_nan(fmt::format("supply.retirements_h100e.{}", y)), kInt)});
  }
  t.note = "H100-equivalents: chips x dense BF16 (FP16 where BF16 is not published) / the H100's; 8-bit: FP8 (INT8 "
           "where FP8 is not published) / the H100's FP8. Installed base: cohorts in service for the service life "
           "(supply.service_life_years); installed(t) = installed(t-1) + output(t) - retired(t).";
  return t;
}

// Monte Carlo ranges of chips and revenue by vendor and of H100-equivalents,
// over the scenario's uncertain inputs (capex per capacity, scanners, HBM
// ramp, stockpiles, packaging, lag, prices).
void supply_ranges(Gather& g, const std::vector<std::string>& vendors, Section& s, std::vector<std::string>& parts) {
  const studies::Uncertainty u = studies::parse_uncertainty(g.ctx);
  if (u.empty()) {
    s.items.push_back(Unavailable{"supply ranges", "the scenario declares no uncertainty"});
    return;
  }
  std::vector<std::string> metrics;
  for (int y : {2027, 2030}) {
    for (const auto& v : vendors) {
      metrics.push_back(fmt::format("supply.chips.{}.{}", v, y));
      metrics.push_back(fmt::format("supply.revenue_usd_bn.{}.{}", v, y));
    }
    metrics.push_back(fmt::format("supply.h100_equivalents.{}", y));
    metrics.push_back(fmt::format("supply.h100_equivalents_8bit.{}", y));
    metrics.push_back(fmt::format("supply.installed_base_h100e.{}", y));
  }
  std::erase_if(metrics, [&](const std::string& m) { return !g.metric(m); });
  if (metrics.empty()) return;
  g.progress(fmt::format("report: supply Monte Carlo, {} samples x {} metrics", g.opt.mc_samples, metrics.size()));
  studies::McOptions mo;
  mo.samples = static_cast<std::uint64_t>(g.opt.mc_samples);
  mo.seed = g.opt.seed;
  mo.threads = g.opt.threads;
  const auto f = studies::compile(g.ctx, metrics);
  mo.used = studies::params_read(g.ctx, metrics);
  const auto mc = studies::monte_carlo(g.ctx.params, u, f, metrics, mo);
  TableData t;
  t.id = "supply-ranges";
  t.title = "Supply ranges (Monte Carlo)";
  t.headers = {"metric", "base (no draw)", "p5", "median", "p95"};
  nlohmann::json mj = nlohmann::json::object();
  for (const auto& m : mc.metrics) {
    const NumberFormat nf = m.metric.find("revenue") != std::string::npos ? kTwo : kInt;
    t.rows.push_back({Cell::txt(metric_label(m.metric)), Cell::num(m.base, nf), Cell::num(m.p5, nf), Cell::num(m.p50, nf),
                      Cell::num(m.p95, nf)});
    mj[m.metric] = {{"base", m.base}, {"p5", m.p5}, {"p50", m.p50}, {"p95", m.p95}, {"n", m.n}};
  }
  t.note = fmt::format("{} samples, seed {}, over {} uncertain inputs declared in the scenario.", mc.samples, mc.seed,
                       u.params.size());
  g.results["supply_monte_carlo"] = {{"samples", mc.samples}, {"seed", mc.seed}, {"metrics", mj}};
  s.items.push_back(t);
  for (const auto& m : mc.metrics)
    if (m.metric == "supply.h100_equivalents.2030")
      parts.push_back(fmt::format("Under the declared uncertainty, 2030 output is {} to {} H100-equivalents (90% interval).",
                                  millions(m.p5), millions(m.p95)));
}

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

  // Binding constraint per year: on package starts, and on each node's capacity.
  TableData bind;
  bind.id = "supply-binding";
  bind.title = "Binding constraint per year";
  bind.headers = {"year", "binding constraint", "code"};
  for (const auto& n : nodes) bind.headers.push_back(n + " capacity set by");
  for (int y : years()) {
    const auto v = g.metric(fmt::format("supply.binding_constraint.{}", y));
    if (!v) continue;
    std::vector<Cell> row{Cell::num(y, kYear), Cell::txt(std::string(supply::binding_name(*v))), Cell::num(*v, kInt)};
    for (const auto& n : nodes) {
      const auto c = g.metric(fmt::format("supply.capacity_binding.{}.{}", n, y));
      row.push_back(c ? Cell::txt(std::string(supply::capacity_binding_name(*c))) : Cell::empty());
    }
    bind.rows.push_back(std::move(row));
  }
  if (!bind.rows.empty()) s.items.push_back(bind);
  if (!vendors.empty()) {
    s.items.push_back(vendor_economics(g, vendors));
    s.items.push_back(sku_table(g, vendors));
    if (TableData c = compute_table(g); !c.rows.empty()) s.items.push_back(c);
    supply_ranges(g, vendors, s, parts);
  }

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
