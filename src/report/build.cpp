// build_report: gathers the metrics of every engine that is available, then
// builds each section. A section whose engine is missing or lacks data gets a
// clear "not available" note instead of failing the whole report.
#include <chrono>
#include <cmath>

#include "analysis/provenance.hpp"
#include "core/error.hpp"
#include "report/sections.hpp"
#include "studies/engines.hpp"

namespace gpugap::report {
namespace detail {

std::optional<double> Gather::metric(const std::string& path) const {
  auto it = metrics.find(path);
  if (it == metrics.end() || !std::isfinite(it->second)) return std::nullopt;
  return it->second;
}

double Gather::metric_or_nan(const std::string& path) const { return metric(path).value_or(std::nan("")); }

std::vector<double> Gather::yearly(const std::string& prefix) const {
  std::vector<double> v;
  for (int y : years()) v.push_back(metric_or_nan(fmt::format("{}.{}", prefix, y)));
  return v;
}

std::vector<std::string> Gather::components(const std::string& prefix) const {
  std::set<std::string> out;
  const std::string head = prefix + ".";
  for (auto it = metrics.lower_bound(head); it != metrics.end() && it->first.starts_with(head); ++it) {
    const std::string rest = it->first.substr(head.size());
    const auto dot = rest.find('.');
    if (dot == std::string::npos) continue;
    const std::string year = rest.substr(dot + 1);
    if (year.find('.') != std::string::npos || year.size() != 4) continue;
    out.insert(rest.substr(0, dot));
  }
  return {out.begin(), out.end()};
}

std::string Gather::why_missing(const std::string& provider) const {
  auto it = missing.find(provider);
  return it == missing.end() ? "" : it->second;
}

bool engine_missing(const Gather& g, const std::string& provider, const std::string& what, Section& s) {
  const std::string why = g.why_missing(provider);
  if (why.empty()) return false;
  s.items.push_back(Unavailable{what, why});
  s.takeaway = "Not available: " + why + ".";
  return true;
}

std::string Gather::vendor_name(const std::string& id) const {
  if (const auto* e = ctx.catalog->find("vendors", id)) return e->str("name", id);
  return id;
}

bool Gather::domestic_vendor(const std::string& id) const {
  return ctx.catalog->domestic_vendor(id);
}

std::string Gather::chip_name(const std::string& id) const {
  if (const auto* e = ctx.catalog->find("chips", id)) return e->str("name", id);
  return id;
}

std::string Gather::chip_vendor(const std::string& id) const {
  if (const auto* e = ctx.catalog->find("chips", id)) return e->str("vendor");
  return "";
}

std::vector<int> years() {
  std::vector<int> y;
  for (int i = analysis::kFirstYear; i <= analysis::kLastYear; ++i) y.push_back(i);
  return y;
}

std::vector<std::string> year_labels() {
  std::vector<std::string> y;
  for (int i : years()) y.push_back(std::to_string(i));
  return y;
}

namespace {

struct Known {
  const char* stem;
  const char* label;
  const char* unit;
  NumberFormat format;
};

// Labels of the contract metric stems (docs/cli.md); others show their path.
const std::vector<Known>& known() {
  static const std::vector<Known> k = {
      {"market.tam_usd_bn", "China AI GPU TAM", "USD bn", kOne},
      {"market.cloud_capex_usd_bn", "China cloud capex", "USD bn", kOne},
      {"market.self_sufficiency", "Self-sufficiency (domestic share of TAM)", "%", kPct0},
      {"market.domestic_usd_bn", "Domestic AI-chip market", "USD bn", kOne},
      {"market.tam_cagr", "TAM CAGR 2024-2030", "%", kPct1},
      {"market.domestic_cagr", "Domestic market CAGR 2024-2030", "%", kPct1},
      {"market.breakeven_year", "AI-infrastructure break-even year", "year", kYear},
      {"market.ai_infra_margin", "AI-infrastructure margin", "%", kPct0},
      {"market.ai_gpu_share_of_capex", "AI GPU share of cloud capex", "%", kPct0},
      {"market.ai_capex_rmb_bn", "AI capex of Chinese tech companies", "RMB bn", kInt},
      {"market.ai_capex_growth", "AI capex growth (YoY)", "%", kPct0},
      {"market.cloud_gpu_share_of_capex", "Cloud AI-GPU spend as a share of cloud capex", "%", kPct0},
      {"market.infra.cost_rmb_bn", "AI-infrastructure cost", "RMB bn", kInt},
      {"market.infra.revenue_rmb_bn", "AI-infrastructure revenue", "RMB bn", kInt},
      {"supply.ai_wafers_per_month", "Wafers for AI chips", "wafers/month", kInt},
      {"supply.chips_total", "AI chips produced, all domestic vendors", "chips", kInt},
      {"supply.wafers_per_month", "Wafer capacity", "wafers/month", kInt},
      {"supply.good_dies_per_wafer", "Good dies per wafer", "dies", kOne},
      {"supply.chips", "AI chips produced", "chips", kInt},
      {"supply.revenue_usd_bn", "Accelerator revenue", "USD bn", kTwo},
      {"supply.h100_equivalents", "Output in H100-equivalents (BF16)", "H100-eq", kInt},
      {"supply.h100_equivalents_8bit", "Output in H100-equivalents (8-bit)", "H100-eq", kInt},
      {"supply.installed_base", "Installed base (chips in service)", "chips", kInt},
      {"supply.installed_base_h100e", "Installed base in H100-equivalents (BF16)", "H100-eq", kInt},
      {"supply.yield", "Production yield", "%", kPct0},
      {"supply.capex_usd_bn", "Foundry capex", "USD bn", kOne},
      {"score", "Vendor score", "", kTwo},
  };
  return k;
}

const Known* find_known(const std::string& path) {
  const Known* best = nullptr;
  std::size_t best_len = 0;
  for (const auto& k : known()) {
    const std::string stem = k.stem;
    if ((path == stem || path.starts_with(stem + ".")) && stem.size() > best_len) {
      best = &k;
      best_len = stem.size();
    }
  }
  return best;
}

std::string trailing_year(const std::string& path) {
  const auto dot = path.rfind('.');
  if (dot == std::string::npos) return "";
  const std::string tail = path.substr(dot + 1);
  if (tail.size() == 4 && tail.find_first_not_of("0123456789") == std::string::npos) return tail;
  return "";
}

}  // namespace

std::string metric_label(const std::string& path) {
  const Known* k = find_known(path);
  if (!k) return path;
  std::string label = k->label;
  const std::string stem = k->stem;
  // Middle components (node, vendor, chip) between the stem and the year.
  std::string rest = path.size() > stem.size() ? path.substr(stem.size() + 1) : "";
  const std::string year = trailing_year(path);
  if (!year.empty() && rest.size() >= year.size()) rest.resize(rest.size() - year.size());
  if (!rest.empty() && rest.back() == '.') rest.pop_back();
  if (!rest.empty()) label += " (" + rest + ")";
  if (!year.empty()) label += " " + year;
  return label;
}

std::string metric_unit(const std::string& path) {
  const Known* k = find_known(path);
  if (k) return k->unit;
  return "";
}

NumberFormat metric_format(const std::string& path) {
  if (const Known* k = find_known(path)) return k->format;
  for (const char* frac : {"share", "cagr", "margin", "self_sufficiency", "yield", "fraction"})
    if (path.find(frac) != std::string::npos) return kPct0;
  if (path.find("year") != std::string::npos) return kYear;
  return kTwo;
}

std::string say(double v, const std::string& path) {
  const NumberFormat f = metric_format(path);
  const std::string unit = metric_unit(path);
  const std::string n = format_number(v, f);
  if (f.percent || f.integer_year || unit.empty() || unit == "year") return n;
  if (unit == "USD bn") return "USD " + n + " bn";
  if (unit == "RMB bn") return "RMB " + n + " bn";
  return n + " " + unit;
}

std::string say_change(double computed, double reference) {
  if (!std::isfinite(computed) || !std::isfinite(reference) || reference == 0) return "n/a";
  const double rel = computed / reference - 1.0;
  return fmt::format("{}{:.0f}%", rel >= 0 ? "+" : "", rel * 100.0);
}

}  // namespace detail

namespace {

using Clock = std::chrono::steady_clock;

// The providers whose whole metric set the report reads (perf and econ are
// asked only for the chips and models the report shows).
constexpr const char* kGathered[] = {"supply", "market", "score", "gap", "demand"};

Section guarded(detail::Gather& g, const char* id, const char* title, Section (*fn)(detail::Gather&)) {
  const auto t0 = Clock::now();
  g.progress(fmt::format("report: {} ...", title));
  Section s;
  try {
    s = fn(g);
  } catch (const InsufficientData& e) {
    s.items.push_back(Unavailable{title, e.what()});
    s.takeaway = fmt::format("Not available: {}.", e.what());
  } catch (const UserError& e) {
    s.items.push_back(Unavailable{title, e.what()});
    s.takeaway = fmt::format("Not available: {}.", e.what());
  }
  if (s.id.empty()) s.id = id;
  if (s.title.empty()) s.title = title;
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  g.progress(fmt::format("report: {} done ({:.0f} ms)", title, ms));
  if (g.opt.step_done) g.opt.step_done();
  return s;
}

}  // namespace

Report build_report(const analysis::Context& ctx, const BuildOptions& opt) {
  Report r;
  r.title = "China AI GPUs: narrowing the gap - computed by gpugap";
  r.scenario_id = ctx.scenario.id;
  r.scenario_name = ctx.scenario.name;
  r.overrides = ctx.overrides;
  r.results = {{"scenario", ctx.scenario.id}, {"overrides", ctx.overrides}};
  r.provenance = analysis::provenance_stamp(ctx);
  r.provenance["seed"] = opt.seed;
  r.provenance["samples"] = opt.mc_samples;
  r.provenance["measurements"] = analysis::file_hashes(detail::measurement_files());

  detail::Gather g{ctx, opt, r.results, {}, {}};
  for (const char* prefix : kGathered) {
    const analysis::MetricProvider* p = nullptr;
    for (const auto& q : studies::providers())
      if (q->prefix() == prefix) p = q.get();
    if (!p) {
      g.missing[prefix] = fmt::format("the {} engine is not part of this build yet (no {}.* metrics)", prefix, prefix);
      if (opt.step_done) opt.step_done();
      continue;
    }
    const auto t0 = Clock::now();
    try {
      analysis::MetricMap m;
      p->compute(ctx, ctx.params, m);
      g.metrics.insert(m.begin(), m.end());
      if (m.empty()) g.missing[prefix] = fmt::format("the {} engine returned no metrics", prefix);
    } catch (const InsufficientData& e) {
      g.missing[prefix] = e.what();
    } catch (const UserError& e) {
      g.missing[prefix] = e.what();
    }
    g.progress(fmt::format("report: {} metrics ({:.0f} ms)", prefix,
                           std::chrono::duration<double, std::milli>(Clock::now() - t0).count()));
    if (opt.step_done) opt.step_done();
  }
  r.results["metrics"] = g.metrics;
  if (!g.missing.empty()) r.results["missing_engines"] = g.missing;

  std::vector<Section> rest;
  rest.push_back(guarded(g, "supply", "2. Supply", detail::supply_section));
  rest.push_back(guarded(g, "demand", "3. Demand", detail::demand_section));
  rest.push_back(guarded(g, "inference", "4. Inference economics", detail::inference_section));
  rest.push_back(guarded(g, "vendors", "5. Vendors", detail::vendors_section));
  rest.push_back(guarded(g, "gap", "6. The gap", detail::gap_section));
  rest.push_back(guarded(g, "uncertainty", "7. Uncertainty", detail::uncertainty_section));
  rest.push_back(guarded(g, "compare", "8. Scenarios compared", detail::compare_section));
  rest.push_back(guarded(g, "table2", "9. Data table", detail::table2_section));
  rest.push_back(guarded(g, "validation", "10. Validation", detail::validation_section));
  rest.push_back(guarded(g, "assumptions", "11. Assumptions appendix", detail::assumptions_section));

  g.progress("report: 1. Summary ...");
  r.sections.push_back(detail::summary_section(g, rest));
  if (opt.step_done) opt.step_done();
  for (auto& s : rest) r.sections.push_back(std::move(s));
  return r;
}

}  // namespace gpugap::report
