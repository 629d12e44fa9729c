#include "gap/gap.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analysis/scenario.hpp"
#include "score/score.hpp"

namespace gpugap::gap {
namespace {

std::optional<double> compute_of(const ChipSpec& c, Precision pr) {
  const auto& v = c.compute[static_cast<int>(pr)];
  return v ? std::optional<double>(v->value()) : std::nullopt;
}

}  // namespace

std::string_view set_name(Set s) { return s == Set::kChina ? "china" : "global"; }

Side side_of(const ChipSpec& c) {
  if (c.domestic()) return Side::kDomestic;
  return c.country == kUsCountry ? Side::kUs : Side::kOther;
}

std::string_view lever_name(Lever l) {
  switch (l) {
    case Lever::kProcess: return "process";
    case Lever::kPackaging: return "packaging";
    case Lever::kScaleup: return "scaleup";
    case Lever::kSoftware: return "software";
    case Lever::kAll: return "all";
  }
  return "?";
}

bool counts(const Part& p, Set set, int year) {
  if (!p.launch_year || *p.launch_year > year) return false;
  if (p.side == Side::kUs && set == Set::kChina) {
    if (!p.cn_from || *p.cn_from > year) return false;
    if (p.cn_until && year > *p.cn_until) return false;
  }
  if (p.side == Side::kDomestic && p.cn_from && *p.cn_from > year) return false;
  return true;
}

bool is_system(BasisKind k) {
  return k == BasisKind::kTpsSystemPerChip || k == BasisKind::kTpsSystemPerMw || k == BasisKind::kTpsSystemPerRack ||
         k == BasisKind::kTpsSystemPerMusd;
}

bool lever_applies(BasisKind b, Lever l) {
  switch (b) {
    case BasisKind::kComputeBf16:
    case BasisKind::kCompute8bit: return l == Lever::kProcess || l == Lever::kPackaging || l == Lever::kAll;
    case BasisKind::kMemoryBandwidth: return l == Lever::kPackaging || l == Lever::kAll;
    default: return true;
  }
}

namespace {
// `all` on a spec basis: only the levers that can move it.
ChipSpec swap_all_relevant(const ChipSpec& d, const ChipSpec& u, BasisKind b);
}  // namespace

ChipSpec swap_lever(const ChipSpec& d, const ChipSpec& u, Lever l, bool memory_only) {
  ChipSpec x = d;
  auto dies = [](const ChipSpec& c) {
    if (!c.compute_dies || *c.compute_dies <= 0) throw InsufficientData(c.path("silicon.compute_dies"));
    return *c.compute_dies;
  };
  if (l == Lever::kProcess || l == Lever::kAll) {
    // Per-die compute of the US part, on the domestic part's die count.
    const int nd = dies(d), nu = dies(u);
    for (auto pr : kAllPrecisions) {
      const auto& cu = u.compute[static_cast<int>(pr)];
      if (cu) x.compute[static_cast<int>(pr)] = FlopsPerSecond(cu->value() / nu * nd);
    }
  }
  if (l == Lever::kPackaging || l == Lever::kAll) {
    // Dies per package and HBM per package of the US part.
    if (!memory_only) {
      const int nd = dies(d), nu = dies(u);
      for (auto pr : kAllPrecisions) {
        auto& cx = x.compute[static_cast<int>(pr)];
        if (cx) cx = FlopsPerSecond(cx->value() / nd * nu);
      }
      x.compute_dies = nu;
    }
    if (!u.mem_capacity) throw InsufficientData(u.path("memory.capacity"));
    if (!u.mem_bandwidth) throw InsufficientData(u.path("memory.bandwidth"));
    x.mem_capacity = u.mem_capacity;
    x.mem_bandwidth = u.mem_bandwidth;
    x.hbm_stacks = u.hbm_stacks;
  }
  if (l == Lever::kScaleup || l == Lever::kAll) {
    if (!u.scaleup_domain) throw InsufficientData(u.path("scaleup.domain_size"));
    if (!u.scaleup_bandwidth) throw InsufficientData(u.path("scaleup.bandwidth"));
    x.scaleup_domain = u.scaleup_domain;
    x.scaleup_bandwidth = u.scaleup_bandwidth;
  }
  if (l == Lever::kSoftware || l == Lever::kAll) {
    x.eta_compute = u.eta_compute;
    x.eta_memory = u.eta_memory;
    x.eta_comm = u.eta_comm;
    x.launch_overhead = u.launch_overhead;
    x.stack = u.stack;
  }
  return x;
}

namespace {

using score::Figure;

// The basis figure of one chip (per-chip bases).
Figure chip_figure(const Basis& b, const ChipSpec& c, const Settings& s, const score::EconomicsSource& src) {
  switch (b.kind) {
    case BasisKind::kComputeBf16: {
      if (auto v = compute_of(c, Precision::kBf16)) return Figure::of(*v);
      return Figure::missing_data(c.path("compute.bf16"));
    }
    case BasisKind::kCompute8bit: {
      auto f8 = compute_of(c, Precision::kFp8), i8 = compute_of(c, Precision::kInt8);
      if (f8 || i8) return Figure::of(std::max(f8.value_or(0), i8.value_or(0)));
      return Figure::missing_data(c.path("compute.fp8"));
    }
    case BasisKind::kMemoryBandwidth:
      if (c.mem_bandwidth) return Figure::of(c.mem_bandwidth->value());
      return Figure::missing_data(c.path("memory.bandwidth"));
    case BasisKind::kTpsChip:
    case BasisKind::kTpsSystemPerChip:
    case BasisKind::kTpsSystemPerMw:
    case BasisKind::kTpsSystemPerRack:
    case BasisKind::kTpsSystemPerMusd: return src.get(c, s.model, b.workload).output_tps;
    case BasisKind::kUsdPerMtok:
    case BasisKind::kTpsPerWatt:
    case BasisKind::kTpsPerWattPerKusd: {
      const score::Metric m = b.kind == BasisKind::kUsdPerMtok   ? score::Metric::kUsdPerMtok
                              : b.kind == BasisKind::kTpsPerWatt ? score::Metric::kTpsPerWatt
                                                                 : score::Metric::kTpsPerWattPerKusd;
      double acc = 0, wsum = 0;
      for (const auto& [wl, w] : s.workload_weights) {
        const score::ChipEconomics e = src.get(c, s.model, wl);
        const Figure& f = e.get(m);
        if (!f.ok()) return f;
        acc += w * *f.value;
        wsum += w;
      }
      return wsum > 0 ? Figure::of(acc / wsum) : Figure::none("no workload weighted");
    }
  }
  return Figure::none("?");
}

Part chip_part(const ChipSpec& c) {
  Part p;
  p.id = c.id;
  p.chip = c.id;
  p.vendor = c.vendor;
  p.side = side_of(c);
  p.launch_year = c.launch_year;
  p.cn_from = c.cn_available_from;
  p.cn_until = c.cn_available_until;
  return p;
}

bool better(const Basis& b, const Part& a, const Part& x) {
  if (*a.value.value != *x.value.value) return b.higher_is_better ? *a.value.value > *x.value.value : *a.value.value < *x.value.value;
  return a.id < x.id;
}

Figure ratio_of(const Basis& b, double us, double dom) {
  const double num = b.higher_is_better ? us : dom;
  const double den = b.higher_is_better ? dom : us;
  if (den <= 0) return Figure::none(b.higher_is_better ? "no domestic part reaches a positive figure" : "zero cost");
  return Figure::of(num / den);
}

// The domestic side beside the best part: the best part of a vendor shipping
// at least available_min_chips this year, and the shipment-weighted figure
// (each supply-modelled vendor's best counting part, weighted by its chips).
void aggregate_domestic(const Basis& b, const Settings& s, const std::vector<Part>& parts, Cell& cell) {
  const std::string no_supply = insufficient_data_text("supply.chips (the supply model did not evaluate)");
  if (s.vendor_chips.empty()) {
    cell.ratio_available = cell.ratio_weighted = cell.domestic_weighted = Figure::none(no_supply);
    return;
  }
  auto chips_of = [&](const std::string& vendor) -> std::optional<double> {
    auto v = s.vendor_chips.find(vendor);
    if (v == s.vendor_chips.end()) return std::nullopt;
    auto y = v->second.find(cell.year);
    return y == v->second.end() ? std::nullopt : std::optional<double>(y->second);
  };
  std::map<std::string, const Part*> best_of_vendor;
  for (const Part& part : parts) {
    if (part.side != Side::kDomestic || !part.value.ok() || !counts(part, cell.set, cell.year)) continue;
    const auto chips = chips_of(part.vendor);
    if (chips && *chips >= s.available_min_chips && (!cell.domestic_available || better(b, part, *cell.domestic_available)))
      cell.domestic_available = part;
    if (chips && *chips > 0) {
      auto& slot = best_of_vendor[part.vendor];
      if (!slot || better(b, part, *slot)) slot = &part;
    }
  }
  double acc = 0;
  cell.weighted_chips = 0;
  for (const auto& [vendor, part] : best_of_vendor) {
    const double w = *chips_of(vendor);
    acc += w * *part->value.value;
    cell.weighted_chips += w;
  }
  if (cell.weighted_chips > 0) cell.domestic_weighted = Figure::of(acc / cell.weighted_chips);
  else cell.domestic_weighted = Figure::none(fmt::format("no supply-modelled vendor ships a part with data in {}", cell.year));
  if (!cell.us) {
    cell.ratio_available = cell.ratio_weighted = cell.ratio;
    return;
  }
  const double us = *cell.us->value.value;
  cell.ratio_available = cell.domestic_available
                             ? ratio_of(b, us, *cell.domestic_available->value.value)
                             : Figure::none(fmt::format("no domestic part of a vendor shipping >= {:.0f} chips in {}",
                                                        s.available_min_chips, cell.year));
  cell.ratio_weighted = cell.domestic_weighted.ok() ? ratio_of(b, us, *cell.domestic_weighted.value) : cell.domestic_weighted;
}

// The US side in China under the import regime: each part the regime names in
// this year (its best system on the system bases), weighted by its chips =
// licensed USD x its share / its China price; the ratio against the
// shipment-weighted domestic figure replaces the best-US-part one.
void aggregate_us(const Basis& b, const Settings& s, const std::vector<Part>& parts,
                  const std::map<std::string, ChipSpec>& specs, Cell& cell) {
  if (cell.set != Set::kChina) {
    cell.us_weighted = cell.us ? cell.us->value : Figure::none("no US part");
    return;
  }
  auto none = [&](const std::string& why) {
    cell.us_weighted = Figure::none(why);
    cell.ratio_weighted = cell.us_weighted;
  };
  const auto lic = s.licensed_usd_bn.find(cell.year);
  if (lic == s.licensed_usd_bn.end())
    return none(insufficient_data_text(fmt::format("market.imports.licensed_usd_bn.{}", cell.year)));
  if (s.us_mix.empty()) return none(insufficient_data_text(fmt::format("gap.imports.mix.*.{}", cell.year)));
  std::map<std::string, const Part*> best_of_chip;
  std::map<std::string, std::string> why_not;  // a sold part without data: the reason
  for (const Part& part : parts) {
    if (part.side != Side::kUs || !counts(part, cell.set, cell.year)) continue;
    auto m = s.us_mix.find(part.chip);
    if (m == s.us_mix.end()) continue;
    auto y = m->second.find(cell.year);
    if (y == m->second.end() || y->second <= 0) continue;
    if (!part.value.ok()) {
      why_not.emplace(part.chip, part.value.missing);
      continue;
    }
    auto& slot = best_of_chip[part.chip];
    if (!slot || better(b, part, *slot)) slot = &part;
  }
  for (const auto& [chip, why] : why_not)
    if (!best_of_chip.count(chip)) return none(why);
  double acc = 0, chips = 0, share_sum = 0;
  cell.us_mix.clear();
  for (const auto& [chip, part] : best_of_chip) share_sum += s.us_mix.at(chip).at(cell.year);
  for (const auto& [chip, part] : best_of_chip) {
    const ChipSpec& c = specs.at(chip);
    auto pr = c.price.find(s.region);
    if (pr == c.price.end() || !pr->second || pr->second->value() <= 0)
      return none(insufficient_data_text(c.path("price." + s.region)));
    // Shares normalised over the parts sold that year (a part the catalog's export rules
    // exclude that year does not count).
    const double n = lic->second * 1e9 * s.us_mix.at(chip).at(cell.year) / share_sum / pr->second->value();
    cell.us_mix.emplace_back(part->id, n);
    acc += n * *part->value.value;
    chips += n;
  }
  cell.us_weighted_chips = chips;
  if (chips <= 0)
    return none(fmt::format("no US part is sold into China in {} under the import regime (licensed imports {} USD bn, "
                            "gap.imports.mix.*.{})", cell.year, lic->second, cell.year));
  cell.us_weighted = Figure::of(acc / chips);
  cell.ratio_weighted = cell.domestic_weighted.ok() ? ratio_of(b, *cell.us_weighted.value, *cell.domestic_weighted.value)
                                                    : cell.domestic_weighted;
}

// A system as a part: its chip with the system's scale-up domain and link,
// normalised per chip, per MW of the system's power, per rack or per USD of
// its price (a system total is never compared with a system of another size).
// `link_from` (the scale-up lever): the domain and link of another system
// feed the perf model; the normalisation keeps this system's own chip count.
Part system_part(const Basis& b, const SystemSpec& sys, ChipSpec c, const Settings& s, const score::EconomicsSource& src,
                 const SystemSpec* link_from = nullptr) {
  Part part = chip_part(c);
  part.id = sys.id;
  part.launch_year = sys.launch_year ? sys.launch_year : c.launch_year;
  if (!sys.chips_per_domain) {
    part.value = Figure::missing_data("systems." + sys.id + ".chips_per_domain");
    return part;
  }
  if (b.kind == BasisKind::kTpsSystemPerMw && !sys.power) {
    part.value = Figure::missing_data("systems." + sys.id + ".power");
    return part;
  }
  if (b.kind == BasisKind::kTpsSystemPerRack && (!sys.racks || *sys.racks <= 0)) {
    part.value = Figure::missing_data("systems." + sys.id + ".racks");
    return part;
  }
  if (b.kind == BasisKind::kTpsSystemPerMusd && (!sys.price || sys.price->value() <= 0)) {
    part.value = Figure::missing_data("systems." + sys.id + ".price");
    return part;
  }
  const SystemSpec& link = link_from ? *link_from : sys;
  if (!link.chips_per_domain) {
    part.value = Figure::missing_data("systems." + link.id + ".chips_per_domain");
    return part;
  }
  c.scaleup_domain = *link.chips_per_domain;
  if (link.scaleup_bandwidth) c.scaleup_bandwidth = link.scaleup_bandwidth;
  const Figure f = chip_figure(b, c, s, src);
  if (!f.ok()) {
    part.value = f;
    return part;
  }
  const int n = *sys.chips_per_domain;
  if (b.kind == BasisKind::kTpsSystemPerMw) {
    const double mw = sys.power->value() / 1e6;
    part.value = Figure::of(*f.value * n / mw);
    part.detail = fmt::format("{} chips x {:.1f} tokens/s / {:.3g} MW", n, *f.value, mw);
  } else if (b.kind == BasisKind::kTpsSystemPerRack) {
    part.value = Figure::of(*f.value * n / *sys.racks);
    part.detail = fmt::format("{} chips x {:.1f} tokens/s / {} racks", n, *f.value, *sys.racks);
  } else if (b.kind == BasisKind::kTpsSystemPerMusd) {
    const double musd = sys.price->value() / 1e6;
    part.value = Figure::of(*f.value * n / musd);
    part.detail = fmt::format("{} chips x {:.1f} tokens/s / {:.3g} MUSD", n, *f.value, musd);
  } else {
    part.value = f;
    part.detail = fmt::format("{:.1f} tokens/s per chip in a {}-chip domain", *f.value, n);
  }
  return part;
}

ChipSpec swap_all_relevant(const ChipSpec& d, const ChipSpec& u, BasisKind b) {
  ChipSpec x = d;
  for (Lever l : {Lever::kProcess, Lever::kPackaging, Lever::kScaleup, Lever::kSoftware})
    if (lever_applies(b, l)) x = swap_lever(x, u, l, b == BasisKind::kMemoryBandwidth);
  return x;
}

Figure share_closed(const Figure& r0, const Figure& r1) {
  if (!r0.ok() || !r1.ok()) return Figure::none(!r0.ok() ? r0.missing : r1.missing);
  if (*r0.value <= 0 || *r1.value <= 0) return Figure::none("non-positive ratio");
  const double l0 = std::log(*r0.value);
  if (std::abs(l0) < std::log(kMinGapForShares))
    return Figure::none(fmt::format("no material gap (ratio within {}x of parity)", kMinGapForShares));
  return Figure::of((l0 - std::log(*r1.value)) / l0);
}

// The basis figure of a domestic part with one lever (or all) swapped in from the US part.
Figure swapped_figure(const BasisResult& br, const Settings& s, const score::EconomicsSource& src, const ChipSpec& us,
                      const ChipSpec& dom, Lever l, const SystemSpec* us_sys, const SystemSpec* dom_sys) {
  const BasisKind k = br.basis.kind;
  const ChipSpec x = l == Lever::kAll ? swap_all_relevant(dom, us, k) : swap_lever(dom, us, l, k == BasisKind::kMemoryBandwidth);
  if (!dom_sys) return chip_figure(br.basis, x, s, src);
  // Systems: the chip levers act on the system's chip; scale-up also takes the US system's domain and link.
  const bool link = l == Lever::kScaleup || l == Lever::kAll;
  return system_part(br.basis, *dom_sys, x, s, src, link ? us_sys : nullptr).value;
}

// Lever decomposition at today and today + horizon (or the years asked for).
void decompose(const Settings& s, const score::EconomicsSource& src, const std::map<std::string, ChipSpec>& specs,
               const std::map<std::string, SystemSpec>& systems, GapResult& r) {
  std::vector<int> years = s.decomposition_years;
  if (years.empty()) years = {s.today, s.today + s.horizon_years};
  for (const BasisResult& br : r.bases) {
    const bool sys_basis = is_system(br.basis.kind);
    for (Set set : kAllSets) {
      for (int y : years) {
        const Cell* cell = r.cell(br.basis.id, set, y);
        if (!cell) continue;
        Decomposition d;
        d.basis = br.basis.id;
        d.set = set;
        d.year = y;
        d.ratio = cell->ratio;
        if (!cell->us || !cell->domestic || !cell->ratio.ok()) {
          d.status = cell->ratio.ok() ? "no parts" : cell->ratio.missing;
          d.interaction = d.residual = Figure::none(d.status);
          r.decompositions.push_back(std::move(d));
          continue;
        }
        d.us_part = cell->us->chip;
        d.domestic_part = cell->domestic->chip;
        const SystemSpec* us_sys = nullptr;
        const SystemSpec* dom_sys = nullptr;
        if (sys_basis) {
          d.us_system = cell->us->id;
          d.domestic_system = cell->domestic->id;
          us_sys = &systems.at(d.us_system);
          dom_sys = &systems.at(d.domestic_system);
        }
        const ChipSpec& us = specs.at(d.us_part);
        const ChipSpec& dom = specs.at(d.domestic_part);
        double singles = 0;
        bool singles_ok = true;
        Figure all_share = Figure::none("no 'all' swap");
        for (Lever l : kAllLevers) {
          LeverResult lr;
          lr.lever = std::string(lever_name(l));
          if (!lever_applies(br.basis.kind, l)) {
            lr.ratio_after = Figure::none("lever does not apply to this basis");
            lr.share_closed = lr.ratio_after;
            d.levers.push_back(std::move(lr));
            continue;
          }
          try {
            const Figure f = swapped_figure(br, s, src, us, dom, l, us_sys, dom_sys);
            lr.ratio_after = f.ok() ? ratio_of(br.basis, *cell->us->value.value, *f.value) : f;
          } catch (const InsufficientData& e) {
            lr.ratio_after = Figure::missing_data(e.path());
          }
          lr.share_closed = share_closed(d.ratio, lr.ratio_after);
          if (l == Lever::kAll) all_share = lr.share_closed;
          else if (lr.share_closed.ok()) singles += *lr.share_closed.value;
          else singles_ok = false;
          d.levers.push_back(std::move(lr));
        }
        if (!all_share.ok()) {
          d.interaction = d.residual = all_share;
        } else {
          d.residual = Figure::of(1.0 - *all_share.value);
          d.interaction = singles_ok ? Figure::of(*all_share.value - singles)
                                     : Figure::none("a single lever has no share (see its reason)");
        }
        r.decompositions.push_back(std::move(d));
      }
    }
  }
}

}  // namespace

const Cell* GapResult::cell(const std::string& basis, Set set, int year) const {
  for (const auto& b : bases)
    if (b.basis.id == basis)
      for (const auto& c : b.cells)
        if (c.set == set && c.year == year) return &c;
  return nullptr;
}

GapResult evaluate(const catalog::Catalog& cat, const ParamTable& p, const Settings& s, const score::EconomicsSource& src,
                   const score::SpecBook* book) {
  std::optional<score::SpecBook> own;
  if (!book) book = &own.emplace(cat, p);
  GapResult r;
  r.settings = s;
  std::map<std::string, ChipSpec> specs;
  std::map<std::string, SystemSpec> systems;
  for (const auto& id : cat.ids("chips")) {
    ChipSpec c = book->chip(id);
    if (side_of(c) == Side::kOther) continue;
    if (!c.launch_year) r.notes.push_back(fmt::format("{}: no launch year (chips.{}.launch_year is null); not counted", id, id));
    specs.emplace(id, std::move(c));
  }
  for (const Basis& b : bases(s)) {
    BasisResult br;
    br.basis = b;
    if (is_system(b.kind)) {
      for (const auto& sid : cat.ids("systems")) {
        const SystemSpec& sys = book->system(sid);
        if (sys.chip.empty() || !specs.count(sys.chip)) continue;
        systems.emplace(sid, sys);
        br.parts.push_back(system_part(b, sys, specs.at(sys.chip), s, src));
      }
    } else {
      for (const auto& [id, c] : specs) {
        Part part = chip_part(c);
        part.value = chip_figure(b, c, s, src);
        br.parts.push_back(std::move(part));
      }
    }
    for (Set set : kAllSets) {
      for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
        Cell cell;
        cell.year = y;
        cell.set = set;
        for (const Part& part : br.parts) {
          if (part.side == Side::kOther || !part.value.ok() || !counts(part, set, y)) continue;
          auto& slot = part.side == Side::kUs ? cell.us : cell.domestic;
          if (!slot || better(b, part, *slot)) slot = part;
        }
        if (!cell.us) cell.ratio = Figure::none(fmt::format("no US part with data counts in {} ({})", y, set_name(set)));
        else if (!cell.domestic) cell.ratio = Figure::none(fmt::format("no domestic part with data counts in {}", y));
        else cell.ratio = ratio_of(b, *cell.us->value.value, *cell.domestic->value.value);
        aggregate_domestic(b, s, br.parts, cell);
        aggregate_us(b, s, br.parts, specs, cell);
        br.cells.push_back(std::move(cell));
      }
    }
    r.bases.push_back(std::move(br));
  }

  decompose(s, src, specs, systems, r);
  return r;
}

std::vector<ClaimCheck> check_claim(const GapResult& r) {
  std::vector<ClaimCheck> out;
  const int today = r.settings.today;
  const int horizon = std::min(analysis::kLastYear, today + r.settings.horizon_years);
  for (const auto& b : r.bases) {
    for (Set set : kAllSets) {
      ClaimCheck c;
      c.basis = b.basis.id;
      c.set = set;
      c.today = today;
      c.horizon = horizon;
      const Cell* t = r.cell(b.basis.id, set, today);
      const Cell* h = r.cell(b.basis.id, set, horizon);
      c.today_ratio = t ? t->ratio : Figure::none("year outside the model");
      c.horizon_ratio = h ? h->ratio : Figure::none("year outside the model");
      const Settings& st = r.settings;
      auto in_today = [&](const Figure& f) -> std::optional<bool> {
        if (!f.ok()) return std::nullopt;
        return *f.value >= st.claim_today_low && *f.value <= st.claim_today_high;
      };
      auto at_parity = [&](const Figure& f) -> std::optional<bool> {
        if (!f.ok()) return std::nullopt;
        return *f.value >= 1.0 / st.claim_parity_band && *f.value <= st.claim_parity_band;
      };
      c.holds_today = in_today(c.today_ratio);
      c.holds_horizon = at_parity(c.horizon_ratio);
      c.today_weighted = t ? t->ratio_weighted : Figure::none("year outside the model");
      c.horizon_weighted = h ? h->ratio_weighted : Figure::none("year outside the model");
      c.weighted_holds_today = in_today(c.today_weighted);
      c.weighted_holds_horizon = at_parity(c.horizon_weighted);
      auto word = [](const std::optional<bool>& v) { return !v ? "insufficient data" : *v ? "holds" : "does not hold"; };
      c.verdict = fmt::format("today: {}; in {}: {}", word(c.holds_today), horizon, word(c.holds_horizon));
      out.push_back(std::move(c));
    }
  }
  return out;
}

void attach_supply(const score::SupplyVolumes& volumes, std::span<const double> v, Settings& s) {
  s.vendor_chips.clear();
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y)
    for (const auto& [vendor, chips] : volumes.read(v, y)) s.vendor_chips[vendor][y] = chips;
}

void attach_supply(const analysis::Context& ctx, const ParamTable& p, Settings& s) {
  attach_supply(score::SupplyVolumes(ctx, p), p.values(), s);
}

GapResult evaluate(const analysis::Context& ctx, const ParamTable& p, const Settings& s,
                   econ::SearchCache* cache) {
  score::SourceOptions o;
  o.region = s.region;
  const score::SpecBook specs(*ctx.catalog, p);
  auto src = score::perf_econ_source(ctx, p, o, cache, &specs);
  if (!s.vendor_chips.empty()) return evaluate(*ctx.catalog, p, s, *src, &specs);
  Settings with_supply = s;
  attach_supply(ctx, p, with_supply);
  return evaluate(*ctx.catalog, p, with_supply, *src, &specs);
}

}  // namespace gpugap::gap
