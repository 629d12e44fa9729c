// 11. Assumptions appendix: every parameter of the scenario (catalog values,
// scenario assumptions, overrides) with value, unit, source, date and
// confidence; every estimate, default and override flagged.
#include <map>

#include "report/sections.hpp"

namespace gpugap::report::detail {
namespace {

std::string unit_of(const Param& p) {
  if (p.currency == Currency::kRmb) return p.dim == Dim::kEnergyPrice ? "RMB/kWh" : "RMB";
  if (!p.unit.empty()) return p.unit;
  return std::string(dim_unit(p.dim));
}

std::string display_of(const Param& p) {
  if (p.is_null) return "null (unknown)";
  if (p.dim == Dim::kNumber || p.dim == Dim::kCount || p.dim == Dim::kFraction || p.dim == Dim::kYear)
    return format_number(p.value, kGeneral) + (p.unit.empty() ? "" : " " + p.unit);
  return format_quantity(p.value, p.dim, p.currency);
}

std::string flags_of(const Param& p) {
  std::vector<std::string> f;
  if (p.prov.estimate) f.emplace_back("estimate");
  if (p.prov.is_default) f.emplace_back("default");
  if (p.overridden) f.emplace_back("overridden");
  if (p.is_null) f.emplace_back("unknown");
  return fmt::format("{}", fmt::join(f, ", "));
}

std::string group_of(const std::string& path) {
  const auto dot = path.find('.');
  return dot == std::string::npos ? path : path.substr(0, dot);
}

}  // namespace

Section assumptions_section(Gather& g) {
  Section s{"assumptions", "11. Assumptions appendix", "", {}};
  const auto& all = g.ctx.params.all();

  TableData t;
  t.id = "params";
  t.title = "Every parameter: value, unit, source, date, confidence";
  t.headers = {"parameter path", "value (SI / stated unit)", "unit", "as written", "source", "as of", "confidence", "flags",
               "rationale / note", "file:line"};
  TableData est;
  est.id = "estimates";
  est.title = "Estimates, defaults and overrides (flagged in the full table too)";
  est.headers = {"parameter path", "as written", "flags", "rationale / note", "confidence"};

  std::size_t n_null = 0, n_src = 0, n_est = 0, n_def = 0, n_ovr = 0;
  std::map<std::string, std::map<Confidence, int>> by_group;
  nlohmann::json pj = nlohmann::json::array();
  for (const auto& p : all) {
    const bool flagged = p.prov.estimate || p.prov.is_default || p.overridden;
    if (p.is_null) ++n_null;
    if (!p.prov.source.empty()) ++n_src;
    if (p.prov.estimate) ++n_est;
    if (p.prov.is_default) ++n_def;
    if (p.overridden) ++n_ovr;
    ++by_group[group_of(p.path)][p.prov.confidence];
    std::string why = p.prov.rationale;
    if (!p.prov.note.empty()) why += (why.empty() ? "" : "; ") + p.prov.note;
    const std::string flags = flags_of(p);
    const std::string where = p.where.file.empty() ? "" : fmt::format("{}:{}", p.where.file, p.where.line);
    t.rows.push_back({Cell::txt(p.path), p.is_null ? Cell::txt("null") : Cell::num(p.value, kGeneral, flagged),
                      Cell::txt(unit_of(p)), Cell::txt(display_of(p), flagged), Cell::txt(p.prov.source),
                      Cell::txt(p.prov.as_of), Cell::txt(std::string(confidence_name(p.prov.confidence))),
                      Cell::txt(flags, flagged), Cell::txt(why), Cell::txt(where)});
    if (flagged)
      est.rows.push_back({Cell::txt(p.path), Cell::txt(display_of(p), true), Cell::txt(flags, true), Cell::txt(why),
                          Cell::txt(std::string(confidence_name(p.prov.confidence)))});
    pj.push_back({{"path", p.path},
                  {"value", p.is_null ? nlohmann::json(nullptr) : nlohmann::json(p.value)},
                  {"unit", unit_of(p)},
                  {"source", p.prov.source},
                  {"as_of", p.prov.as_of},
                  {"confidence", std::string(confidence_name(p.prov.confidence))},
                  {"estimate", p.prov.estimate},
                  {"default", p.prov.is_default},
                  {"overridden", p.overridden}});
  }
  t.note = "Highlighted: an estimate (no published source; its rationale is given), a default filled in by gpugap "
           "(e.g. a yearly value held from the nearest given year), or a value overridden with --set. "
           "'null' values are unknown: an engine that needs one reports 'insufficient data'.";
  g.results["params"] = pj;

  const std::size_t n = all.size();
  s.takeaway = fmt::format(
      "{} parameters: {} with a source ({:.0f}%), {} estimates, {} defaults, {} overridden, {} unknown (null).", n, n_src,
      n ? 100.0 * static_cast<double>(n_src) / static_cast<double>(n) : 0.0, n_est, n_def, n_ovr, n_null);

  // Confidence by parameter group: where the assumptions are weakest.
  std::vector<std::string> groups;
  for (const auto& [grp, m] : by_group) groups.push_back(grp);
  const std::pair<Confidence, const char*> levels[] = {{Confidence::kHigh, "#27ae60"},
                                                       {Confidence::kMedium, "#f1c40f"},
                                                       {Confidence::kLow, "#e67e22"},
                                                       {Confidence::kUnknown, "#95a5a6"}};
  std::vector<charts::Series> series;
  std::string weakest;
  double weakest_share = -1;
  for (const auto& [level, color] : levels) {
    charts::Series sr{std::string(confidence_name(level)), {}, color, "conf"};
    for (const auto& grp : groups) {
      const auto& m = by_group[grp];
      auto it = m.find(level);
      sr.values.push_back(it == m.end() ? 0.0 : it->second);
    }
    series.push_back(sr);
  }
  for (const auto& grp : groups) {
    double tot = 0, weak = 0;
    for (const auto& [c, k] : by_group[grp]) {
      tot += k;
      if (c == Confidence::kLow || c == Confidence::kUnknown) weak += k;
    }
    if (tot > 0 && weak / tot > weakest_share) {
      weakest_share = weak / tot;
      weakest = grp;
    }
  }
  if (!groups.empty())
    s.items.push_back(charts::bar(
        "params-confidence", "Parameters by group and confidence",
        fmt::format("The '{}' group has the largest share of low- or unknown-confidence values ({:.0f}%).", weakest,
                    100 * weakest_share),
        charts::Axis{"parameter group (first path component)", kInt}, charts::Axis{"parameters (count)", kInt}, groups, series));
  if (!est.rows.empty()) s.items.push_back(est);
  s.items.push_back(t);
  return s;
}

}  // namespace gpugap::report::detail
