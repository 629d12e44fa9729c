#include "score/score.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>

#include "score/conditions.hpp"
#include "supply/model.hpp"

namespace gpugap::score {
namespace {


std::optional<int> year_of(const ParamTable& p, const std::string& chip) {
  auto v = p.maybe("chips." + chip + ".launch_year");
  if (!v) return std::nullopt;
  return static_cast<int>(std::lround(*v));
}

// Text of an InsufficientData or other reason, for one missing figure.
std::string reason_of(const Figure& f, const std::string& fallback) { return f.missing.empty() ? fallback : f.missing; }

}  // namespace

namespace {

ParamIndex need_index(const ParamTable& p, const std::string& path) {
  auto i = p.find(path);
  if (!i || p.at(*i).is_null) throw InsufficientData(path);
  return *i;
}

}  // namespace

// Resolves in the order settings() always read, so the first missing parameter is the one named.
SettingsReader::SettingsReader(const ParamTable& p) {
  quantitative_ = need_index(p, "score.weights.quantitative");
  for (auto k : kQualitativeKeys) qualitative_.emplace_back(std::string(k), need_index(p, "score.weights." + std::string(k)));
  for (auto m : kAllMetrics) metrics_.emplace_back(m, need_index(p, "score.metric_weights." + std::string(metric_name(m))));
  const std::string wl = "score.workload_weights.";
  for (ParamIndex i = 0; i < p.size(); ++i) {
    const Param& prm = p.at(i);
    if (!prm.path.starts_with(wl)) continue;
    if (prm.is_null) throw InsufficientData(prm.path);
    workloads_.emplace_back(prm.path.substr(wl.size()), i);
  }
  if (workloads_.empty()) throw InsufficientData("score.workload_weights.*");
  threshold_index_ = need_index(p, "score.thresholds.inference_economics");
  for (auto c : {"capacity", "csp_ties", "policy"}) threshold_score_.emplace_back(c, need_index(p, std::string("score.thresholds.") + c));
  full_marks_ = need_index(p, "score.full_marks_index");
  next_chip_ = need_index(p, "score.next_chip_weight");
  as_of_ = need_index(p, "score.as_of_year");
  supply_year_ = need_index(p, "score.supply_year");
  supply_chips_ = need_index(p, "score.thresholds.supply_chips");
  supply_full_ = need_index(p, "score.supply_full_marks");
  const std::string mix = "gap.imports.mix.";
  for (ParamIndex i = 0; i < p.size(); ++i) {
    const Param& prm = p.at(i);
    if (!prm.path.starts_with(mix) || prm.is_null) continue;
    const std::string rest = prm.path.substr(mix.size());
    const auto dot = rest.rfind('.');
    if (dot == std::string::npos) continue;
    const std::string year = rest.substr(dot + 1);
    if (year.empty() || year.find_first_not_of("0123456789") != std::string::npos) continue;
    mix_.emplace_back(rest.substr(0, dot), std::stoi(year), i);
  }
}

Settings SettingsReader::read(std::span<const double> v) const {
  Settings s;
  s.weight_quantitative = v[quantitative_];
  for (const auto& [k, i] : qualitative_) s.weight_qualitative[k] = v[i];
  for (const auto& [m, i] : metrics_) s.metric_weights[m] = v[i];
  for (const auto& [k, i] : workloads_) s.workload_weights[k] = v[i];
  s.threshold_index = v[threshold_index_];
  for (const auto& [k, i] : threshold_score_) s.threshold_score[k] = v[i];
  s.full_marks_index = v[full_marks_];
  s.next_chip_weight = v[next_chip_];
  s.as_of_year = static_cast<int>(std::lround(v[as_of_]));
  s.supply_year = static_cast<int>(std::lround(v[supply_year_]));
  s.threshold_supply_chips = v[supply_chips_];
  s.supply_full_marks = v[supply_full_];
  std::map<int, double> best;
  for (const auto& [chip, year, i] : mix_) {
    if (v[i] <= 0 || v[i] <= best[year]) continue;
    best[year] = v[i];
    s.reference_by_year[year] = chip;
  }
  if (auto it = s.reference_by_year.find(s.as_of_year); it != s.reference_by_year.end()) {
    s.reference_chip = it->second;
    s.reference_source = fmt::format("import regime: the largest share of the licensed imports in {} "
                                     "(gap.imports.mix.{}.{} = {:.3g})", s.as_of_year, it->second, s.as_of_year,
                                     best[s.as_of_year]);
  }
  double total = 0;
  for (const auto& [k, w] : s.workload_weights) total += w;
  require(total > 0, Location{"", 0, "score.workload_weights"}, "at least one positive workload weight", "none");
  return s;
}

Settings settings(const ParamTable& p) { return SettingsReader(p).read(p.values()); }

void attach_supply(const analysis::Context& ctx, const ParamTable& p, Settings& s) {
  s.supply_chips = SupplyVolumes(ctx, p).read(p.values(), s.supply_year);
}

SupplyVolumes::SupplyVolumes(const analysis::Context& ctx, const ParamTable& params) {
  try {
    reader_.emplace(ctx, params);
  } catch (const InsufficientData&) {
    // The supply model lacks an input: the capacity condition is judged alone.
  }
}

std::map<std::string, double> SupplyVolumes::read(std::span<const double> v, int year) const {
  return reader_ ? reader_->read(v, year) : std::map<std::string, double>{};
}

namespace {

ChipScore score_chip(const ChipSpec& chip, const Settings& s, const EconomicsSource& src,
                     const std::vector<ChipEconomics>& ref_rows) {
  ChipScore cs;
  cs.chip = chip.id;
  cs.launch_year = chip.launch_year;
  for (const auto& [wl, w] : s.workload_weights) {
    if (w <= 0) continue;
    cs.rows.push_back(src.get(chip, s.model, wl));
  }
  double weight_all = 0, weight_ok = 0, acc = 0;
  for (auto m : kAllMetrics) {
    const double mw = s.metric_weights.at(m);
    if (mw <= 0) continue;
    weight_all += mw;
    double sum = 0, wsum = 0;
    std::string why;
    std::size_t k = 0;
    for (const auto& [wl, w] : s.workload_weights) {
      if (w <= 0) continue;
      const ChipEconomics& x = cs.rows[k];
      const ChipEconomics& r = ref_rows[k];
      ++k;
      const Figure& fx = x.get(m);
      const Figure& fr = r.get(m);
      if (!fr.ok() || *fr.value <= 0 || !std::isfinite(*fr.value)) {
        why = "reference " + r.chip + " on " + wl + ": " + reason_of(fr, "no feasible deployment");
        break;
      }
      // A chip that cannot serve a workload under its targets scores 0 on it.
      if (x.output_tps.ok() && *x.output_tps.value <= 0) {
        wsum += w;
        continue;
      }
      if (!fx.ok()) {
        why = reason_of(fx, "insufficient data");
        break;
      }
      const double ratio = higher_is_better(m) ? *fx.value / *fr.value : *fr.value / *fx.value;
      sum += w * ratio;
      wsum += w;
    }
    if (!why.empty()) {
      cs.ratio[m] = Figure::none(why);
      cs.missing.push_back(std::string(metric_name(m)) + ": " + why);
      continue;
    }
    const double ratio = sum / wsum;
    cs.ratio[m] = Figure::of(ratio);
    acc += mw * ratio;
    weight_ok += mw;
  }
  cs.coverage = weight_all > 0 ? weight_ok / weight_all : 0;
  if (weight_ok > 0) cs.index = Figure::of(acc / weight_ok);
  else cs.index = Figure::none(cs.missing.empty() ? "no metric weighted" : cs.missing.front());
  return cs;
}

// A generation's flagship: has an index, then the highest throughput ratio
// (the one metric every evaluated chip has), then more coverage.
bool better(const ChipScore& a, const ChipScore& b) {
  if (a.index.ok() != b.index.ok()) return a.index.ok();
  const Figure& ta = a.ratio.count(Metric::kTps) ? a.ratio.at(Metric::kTps) : a.index;
  const Figure& tb = b.ratio.count(Metric::kTps) ? b.ratio.at(Metric::kTps) : b.index;
  if (ta.ok() != tb.ok()) return ta.ok();
  if (ta.ok() && *ta.value != *tb.value) return *ta.value > *tb.value;
  if (a.coverage != b.coverage) return a.coverage > b.coverage;
  return a.chip < b.chip;
}

std::optional<ChipScore> pick(const std::vector<ChipScore>& cands) {
  if (cands.empty()) return std::nullopt;
  return *std::min_element(cands.begin(), cands.end(), better);
}

// The four conditions. Inference economics is judged on the chip shipping
// now (a winner needs them today), and only on a complete index.
void check_conditions(const Settings& s, const std::string& id, VendorScore& v) {
  v.conditions["inference_economics"] = std::nullopt;
  if (v.current && v.current->index.ok()) {
    v.condition_value["inference_economics"] = *v.current->index.value;
    if (v.current->coverage >= 1) v.conditions["inference_economics"] = *v.current->index.value >= s.threshold_index;
  }
  v.condition_threshold["inference_economics"] = s.threshold_index;
  const std::map<std::string, std::string> key_of = {{"capacity", "capacity_access"}, {"csp_ties", "csp_ties"}, {"policy", "policy"}};
  for (const auto& [cond, key] : key_of) {
    const Figure& f = v.qualitative[key];
    v.condition_threshold[cond] = s.threshold_score.at(cond);
    if (!f.ok()) {
      v.conditions[cond] = std::nullopt;
      continue;
    }
    v.condition_value[cond] = *f.value;
    v.conditions[cond] = *f.value >= s.threshold_score.at(cond);
  }
  // Capacity also needs secured volume where the supply model covers the vendor.
  if (auto it = s.supply_chips.find(id); it != s.supply_chips.end()) {
    v.supply_chips = it->second;
    if (it->second < s.threshold_supply_chips) {
      if (v.conditions["capacity"] == std::optional<bool>(true)) v.conditions["capacity"] = false;
      v.notes.push_back(fmt::format("capacity: the supply model gives {:.0f} chips in {}, below the {:.0f} threshold",
                                    it->second, s.supply_year, s.threshold_supply_chips));
    }
  }
  for (auto c : kConditions)
    if (v.conditions[std::string(c)] != std::optional<bool>(true)) v.conditions_missed.emplace_back(c);
}

// The figure behind each condition: the index of the chip shipping now, the
// supply model's volume and share, and the judged scores' rationale and sources.
void attach_evidence(const ParamTable& p, const Settings& s, const std::string& id, VendorScore& v) {
  Evidence& e = v.evidence["inference_economics"];
  if (v.current && v.current->index.ok())
    e.figure = fmt::format("current chip {}: {:.3g} x {} (threshold {:.3g}; {:.0f}% of the metric weight with data)", v.current->chip,
                           *v.current->index.value, s.reference_chip, s.threshold_index, 100 * v.current->coverage);
  else
    e.figure = v.current ? v.current->index.missing : "no current chip with a launch year";
  e.rationale = "metric-weighted ratio of tokens/s, tokens/s per W, per W per kUSD and cost per token to the reference chip";
  e.sources = "perf + econ engines on the catalog specs (docs/model-score.md)";
  const std::map<std::string, std::string> key_of = {{"capacity", "capacity_access"}, {"csp_ties", "csp_ties"}, {"policy", "policy"}};
  for (const auto& [cond, key] : key_of) {
    Evidence& x = v.evidence[cond];
    const auto i = p.find("vendors." + id + ".qualitative." + key);
    if (i && !p.at(*i).is_null) {
      x.rationale = p.at(*i).prov.rationale;
      x.sources = p.at(*i).prov.source;
      x.figure = fmt::format("judged {:.3g}/5 (threshold {:.3g})", p.at(*i).value, s.threshold_score.at(cond));
    } else {
      x.figure = insufficient_data_text("vendors." + id + ".qualitative." + key);
    }
  }
  if (auto it = s.supply_chips.find(id); it != s.supply_chips.end()) {
    double total = 0;
    for (const auto& [vendor, chips] : s.supply_chips) total += std::max(0.0, chips);
    const double share = total > 0 ? it->second / total : 0;
    v.evidence["capacity"].figure += fmt::format("; supply model: {:.0f} chips in {} = {:.1f}% of the modelled domestic output "
                                                 "(threshold {:.0f} chips)",
                                                 it->second, s.supply_year, 100 * share, s.threshold_supply_chips);
  } else {
    v.evidence["capacity"].figure += "; not in the supply model (no modelled wafer allocation)";
  }
}

VendorScore score_vendor(const catalog::Catalog& cat, const ParamTable& p, const SpecBook& specs, const Settings& s,
                         const EconomicsSource& src, const std::vector<ChipEconomics>& ref_rows, const std::string& id) {
  const catalog::Entry& e = *cat.find("vendors", id);
  VendorScore v;
  v.vendor = id;
  v.name = e.str("name", id);
  v.domestic = cat.domestic_vendor(id);
  if (auto l = e.lists.find("chips"); l != e.lists.end()) v.chips = l->second;

  // Current: the latest launched by the as-of year; next: the earliest after it.
  std::optional<int> cur_year, next_year;
  for (const auto& c : v.chips) {
    auto y = year_of(p, c);
    if (!y) {
      v.notes.push_back(fmt::format("{}: no launch year (chips.{}.launch_year is null), not placed in time", c, c));
      continue;
    }
    if (*y <= s.as_of_year) cur_year = std::max(cur_year.value_or(*y), *y);
    else next_year = std::min(next_year.value_or(*y), *y);
  }
  std::vector<ChipScore> cur, nxt;
  for (const auto& c : v.chips) {
    auto y = year_of(p, c);
    if (!y || (*y != cur_year && *y != next_year)) continue;
    const ChipSpec& spec = specs.chip(c);
    (*y == cur_year ? cur : nxt).push_back(score_chip(spec, s, src, ref_rows));
  }
  v.current = pick(cur);
  v.next = pick(nxt);

  // The vendor's index: current and next chip, blended.
  double acc = 0, wsum = 0;
  std::vector<std::string> partial;
  auto add = [&](const std::optional<ChipScore>& c, double w, const char* which) {
    if (!c) return;
    if (!c->index.ok()) {
      partial.push_back(fmt::format("{} chip {}: {}", which, c->chip, c->index.missing));
      return;
    }
    if (c->coverage < 1)
      for (const auto& m : c->missing) partial.push_back(fmt::format("{} chip {}: {}", which, c->chip, m));
    acc += w * *c->index.value;
    wsum += w;
  };
  add(v.current, 1.0 - s.next_chip_weight, "current");
  add(v.next, s.next_chip_weight, "next");
  if (wsum > 0) {
    v.quant_index = Figure::of(acc / wsum);
    v.quantitative = Figure::of(kMaxScore * std::min(1.0, *v.quant_index.value / s.full_marks_index));
    v.quant_status = partial.empty() ? "ok" : "partial: " + partial.front();
  } else {
    std::string why = !partial.empty() ? partial.front() : "no chip with a launch year";
    if (!v.current && !v.next) why = "no current or next chip with a launch year";
    v.quant_index = Figure::none(why);
    v.quantitative = Figure::none(why);
    v.quant_status = insufficient_data_path(why) ? why : insufficient_data_text(why);
  }
  for (const auto& m : partial) v.notes.push_back(m);

  // Qualitative layer; capacity access is capped by the modelled volume
  // where the supply model covers the vendor.
  const auto supply = s.supply_chips.find(id);
  double qacc = 0, qw = 0;
  for (auto k : kQualitativeKeys) {
    const std::string path = "vendors." + id + ".qualitative." + std::string(k);
    auto val = p.maybe(path);
    if (val && k == "capacity_access" && supply != s.supply_chips.end() && s.supply_full_marks > 0) {
      const double by_volume = kMaxScore * std::min(1.0, std::max(0.0, supply->second) / s.supply_full_marks);
      if (by_volume < *val)
        v.notes.push_back(fmt::format("capacity_access: judged {:.3g}, capped at {:.3g} by the supply model's {:.0f} chips "
                                      "in {} (5 at {:.0f})", *val, by_volume, supply->second, s.supply_year,
                                      s.supply_full_marks));
      val = std::min(*val, by_volume);
    }
    v.qualitative[std::string(k)] = val ? Figure::of(*val) : Figure::missing_data(path);
    if (val) {
      qacc += s.weight_qualitative.at(std::string(k)) * *val;
      qw += s.weight_qualitative.at(std::string(k));
    }
  }
  v.qualitative_score = qw > 0 ? Figure::of(qacc / qw) : Figure::missing_data("vendors." + id + ".qualitative");

  // Composite over the layers with data.
  double cacc = qacc, cw = qw;
  if (v.quantitative.ok()) {
    cacc += s.weight_quantitative * *v.quantitative.value;
    cw += s.weight_quantitative;
  }
  v.composite = cw > 0 ? cacc / cw : 0;
  // A layer with no weight in the composite is not missing from it.
  v.complete = (v.quantitative.ok() || s.weight_quantitative <= 0) && (v.qualitative_score.ok() || qw <= 0);
  v.composite_basis = v.complete                ? "both layers"
                      : v.quantitative.ok()     ? "quantitative layer only (qualitative: insufficient data)"
                                                : "qualitative layer only (quantitative: insufficient data)";

  read_ties(e, v);
  v.ties = count_ties(v, s.as_of_year);
  check_conditions(s, id, v);
  attach_evidence(p, s, id, v);
  v.evidence["csp_ties"].figure += fmt::format("; counted (catalog deployments through {}): {} named deployments, {} buyers, "
                                               "{:.0f} chips with a public count ({} without)",
                                               s.as_of_year, v.ties.deployments, v.ties.buyers, v.ties.chips_counted,
                                               v.ties.uncounted);
  v.evidence["policy"].figure += fmt::format("; counted (catalog policy lists through {}): {} supporting, {} restricting",
                                             s.as_of_year, v.ties.support_lists, v.ties.restriction_lists);
  return v;
}

}  // namespace

std::vector<std::string> scored_vendors(const catalog::Catalog& cat) {
  std::vector<std::string> dom, foreign;
  for (const auto& id : cat.ids("vendors")) {
    bool has_qual = false;
    for (auto k : kQualitativeKeys)
      if (cat.params().find("vendors." + id + ".qualitative." + std::string(k))) has_qual = true;
    if (!has_qual) continue;
    (cat.domestic_vendor(id) ? dom : foreign).push_back(id);
  }
  dom.insert(dom.end(), foreign.begin(), foreign.end());
  return dom;
}

ScoreResult evaluate(const catalog::Catalog& cat, const ParamTable& p, const Settings& s, const EconomicsSource& src,
                     const SpecBook* specs) {
  std::optional<SpecBook> own;
  if (!specs) specs = &own.emplace(cat, p);
  ScoreResult r;
  r.settings = s;
  const ChipSpec& ref = specs->chip(s.reference_chip);
  r.reference.chip = ref.id;
  r.reference.launch_year = ref.launch_year;
  for (const auto& [wl, w] : s.workload_weights)
    if (w > 0) r.reference.rows.push_back(src.get(ref, s.model, wl));
  // The reference against itself: ratio 1 where it has data.
  r.reference = score_chip(ref, s, src, r.reference.rows);
  for (const auto& id : scored_vendors(cat)) {
    VendorScore v = score_vendor(cat, p, *specs, s, src, r.reference.rows, id);
    (v.domestic ? r.vendors : r.benchmarks).push_back(std::move(v));
  }
  // Complete vendors (both layers) first, then by composite (docs/model-score.md).
  std::stable_sort(r.vendors.begin(), r.vendors.end(), [](const VendorScore& a, const VendorScore& b) {
    if (a.complete != b.complete) return a.complete;
    if (a.composite != b.composite) return a.composite > b.composite;
    return a.vendor < b.vendor;
  });
  for (std::size_t i = 0; i < r.vendors.size(); ++i) r.vendors[i].rank = static_cast<int>(i) + 1;
  if (!r.reference.index.ok())
    r.notes.push_back("reference chip " + ref.id + " has no quantitative result: " + r.reference.index.missing +
                      "; every quantitative layer is insufficient data");
  return r;
}

ScoreResult evaluate(const analysis::Context& ctx, const ParamTable& p, const Settings& s,
                     econ::SearchCache* cache) {
  SourceOptions o;
  o.region = s.region;
  const SpecBook specs(*ctx.catalog, p);
  auto src = perf_econ_source(ctx, p, o, cache, &specs);
  Settings with = s;
  if (with.supply_chips.empty()) attach_supply(ctx, p, with);
  ScoreResult r = evaluate(*ctx.catalog, p, with, *src, &specs);
  const auto rows = supply_rows(ctx, p);
  for (auto* list : {&r.vendors, &r.benchmarks})
    for (auto& v : *list) {
      auto it = rows.find(v.vendor);
      if (it == rows.end()) continue;
      v.supply = it->second;
      for (const auto& row : v.supply)
        if (row.year == with.supply_year && row.node_share)
          v.evidence["capacity"].figure += fmt::format("; {:.1f}% of {}'s AI wafers in {} ({:.0f} of {:.0f} wafers)",
                                                       100 * *row.node_share, row.node, row.year, row.wafers,
                                                       row.node_ai_wafers);
    }
  return r;
}

// ---- watch metrics -----------------------------------------------------------

Watch watch(const catalog::Catalog& cat, const ParamTable& p, const std::string& vendor) {
  const catalog::Entry& e = cat.entry("vendors", vendor);
  Watch w;
  w.vendor = e.id;
  w.name = e.str("name", e.id);
  if (auto l = e.lists.find("chips"); l != e.lists.end()) {
    for (const auto& id : l->second) {
      const ChipSpec c = chip_spec(cat, p, id);
      Generation g;
      g.chip = c.id;
      g.name = c.name;
      g.launch_year = c.launch_year;
      auto comp = [&](Precision pr) -> std::optional<double> {
        const auto& v = c.compute[static_cast<int>(pr)];
        return v ? std::optional<double>(v->value()) : std::nullopt;
      };
      g.compute_bf16 = comp(Precision::kBf16);
      auto f8 = comp(Precision::kFp8), i8 = comp(Precision::kInt8);
      if (f8 || i8) g.compute_8bit = std::max(f8.value_or(0), i8.value_or(0));
      g.compute_fp4 = comp(Precision::kFp4);
      if (c.mem_bandwidth) g.mem_bandwidth = c.mem_bandwidth->value();
      if (c.mem_capacity) g.mem_capacity = c.mem_capacity->value();
      if (c.tdp) g.tdp = c.tdp->value();
      if (auto it = c.price.find("cn"); it != c.price.end() && it->second) g.price_usd = it->second->value();
      w.generations.push_back(g);
    }
  }
  std::stable_sort(w.generations.begin(), w.generations.end(), [](const Generation& a, const Generation& b) {
    if (a.launch_year.has_value() != b.launch_year.has_value()) return a.launch_year.has_value();
    return a.launch_year.value_or(0) < b.launch_year.value_or(0);
  });
  if (auto it = e.raw.find("facts"); it != e.raw.end() && it->second.IsSequence()) {
    for (const auto& f : it->second) {
      if (!f.IsMap() || !f["field"]) continue;
      const std::string field = f["field"].Scalar();
      if (std::find(kWatchFields.begin(), kWatchFields.end(), field) == kWatchFields.end()) continue;
      Fact x;
      x.field = field;
      if (f["year"] && f["year"].IsScalar())
        if (auto y = parse_number(f["year"].Scalar())) x.year = static_cast<int>(*y);
      if (f["value"] && f["value"].IsScalar()) {
        x.text = f["value"].Scalar();
        x.value = parse_number(x.text);
      }
      auto str = [&](const char* k) { return f[k] && f[k].IsScalar() ? f[k].Scalar() : std::string(); };
      x.unit = str("unit");
      x.source = str("source");
      x.confidence = str("confidence");
      x.note = str("note");
      w.facts.push_back(std::move(x));
    }
  }
  std::stable_sort(w.facts.begin(), w.facts.end(), [](const Fact& a, const Fact& b) {
    if (a.field != b.field) return a.field < b.field;
    return a.year.value_or(0) < b.year.value_or(0);
  });
  return w;
}

}  // namespace gpugap::score
