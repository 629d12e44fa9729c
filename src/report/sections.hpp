// Internal to the report builder: what the section builders share (the
// gathered metrics, which engines are missing and why, labels and formats).
#pragma once

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analysis/metrics.hpp"
#include "analysis/scenario.hpp"
#include "report/charts.hpp"
#include "report/report.hpp"

namespace gpugap::report::detail {

struct Gather {
  const analysis::Context& ctx;
  const BuildOptions& opt;
  nlohmann::json& results;             // the JSON result tree, filled by every section
  analysis::MetricMap metrics;         // every metric of the providers that worked
  std::map<std::string, std::string> missing;  // provider prefix -> why it gave nothing

  void progress(std::string_view line) const {
    if (opt.progress) opt.progress(line);
  }
  [[nodiscard]] std::optional<double> metric(const std::string& path) const;
  [[nodiscard]] double metric_or_nan(const std::string& path) const;
  // prefix + ".<year>" for every year (NaN where missing).
  [[nodiscard]] std::vector<double> yearly(const std::string& prefix) const;
  // The X of every metric "prefix.X.<year>" (X may hold no dots).
  [[nodiscard]] std::vector<std::string> components(const std::string& prefix) const;
  // Why an engine gave no metrics ("" when it did).
  [[nodiscard]] std::string why_missing(const std::string& provider) const;
  // A vendor's display name and whether it is domestic (country cn).
  [[nodiscard]] std::string vendor_name(const std::string& id) const;
  [[nodiscard]] bool domestic_vendor(const std::string& id) const;
  [[nodiscard]] std::string chip_name(const std::string& id) const;
  [[nodiscard]] std::string chip_vendor(const std::string& id) const;
};

// When `provider` gave no metrics: says so in the section (item and takeaway)
// and returns true; the section then returns as it is.
bool engine_missing(const Gather& g, const std::string& provider, const std::string& what, Section& s);

std::vector<std::string> year_labels();
std::vector<int> years();

// Human label and display format of a metric path (market.tam_usd_bn.2030).
std::string metric_label(const std::string& path);
std::string metric_unit(const std::string& path);
NumberFormat metric_format(const std::string& path);
// "USD 67.0 bn", "76%", "2028": a value with its unit, for takeaways.
std::string say(double v, const std::string& path);
// "+12%" / "-3%" relative difference, or "n/a".
std::string say_change(double computed, double reference);

// The sections, in report order. Each may throw UserError/InsufficientData;
// build_report turns that into a note inside the section.
Section supply_section(Gather& g);
Section demand_section(Gather& g);
Section inference_section(Gather& g);
Section vendors_section(Gather& g);
Section gap_section(Gather& g);
Section uncertainty_section(Gather& g);
// The report's compare and table2 (section_views.cpp; defaults in docs/report.md).
Section compare_section(Gather& g);
Section table2_section(Gather& g);
Section validation_section(Gather& g);
// The measurement files the validation section reads ($GPUGAP_MEASUREMENTS, else data/measurements/*.csv).
std::vector<std::string> measurement_files();
Section assumptions_section(Gather& g);
// Built last (it quotes the other sections' takeaways), shown first.
Section summary_section(Gather& g, const std::vector<Section>& others);

}  // namespace gpugap::report::detail
