#include "gap/demand.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "analysis/scenario.hpp"
#include "gap/gap.hpp"

namespace gpugap::gap {
namespace {

using score::Figure;

double need(const ParamTable& p, const std::string& path) {
  auto i = p.find(path);
  if (!i) throw InsufficientData(path);
  return p.value(*i);
}

// The parameters under `prefix` by name (InsufficientData for a null one).
std::vector<std::pair<std::string, ParamIndex>> weights(const ParamTable& p, const std::string& prefix) {
  std::vector<std::pair<std::string, ParamIndex>> out;
  for (ParamIndex i = 0; i < p.size(); ++i) {
    const Param& prm = p.at(i);
    if (!prm.path.starts_with(prefix)) continue;
    if (prm.is_null) throw InsufficientData(prm.path);
    out.emplace_back(prm.path.substr(prefix.size()), i);
  }
  return out;
}

// The positive weights as shares of the total (InsufficientData(prefix*) when none).
std::map<std::string, double> shares(const std::vector<std::pair<std::string, ParamIndex>>& w,
                                     std::span<const double> v, const std::string& prefix) {
  std::map<std::string, double> out;
  double total = 0;
  for (const auto& [name, i] : w) {
    if (v[i] > 0) out[name] = v[i];
    total += v[i];
  }
  if (out.empty() || total <= 0) throw InsufficientData(prefix + "*");
  for (auto& [k, x] : out) x /= total;
  return out;
}

std::map<std::string, double> shares(const ParamTable& p, const std::string& prefix) {
  return shares(weights(p, prefix), p.values(), prefix);
}

ParamIndex index_of(const ParamTable& p, const std::string& path) { return *p.find(path); }

}  // namespace

DemandSettings demand_settings(const ParamTable& p, const std::string& region) {
  DemandSettings s;
  s.region = region;
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
    s.daily_tokens[y] = need(p, fmt::format("demand.daily_tokens.{}", y));
    s.inference_share[y] = need(p, fmt::format("demand.inference_share.{}", y));
  }
  s.prior_daily_tokens = need(p, "demand.daily_tokens_prior");
  s.output_share = need(p, "demand.output_token_share");
  s.prefix_cache_hit = need(p, "demand.prefix_cache_hit_share");
  s.workload_mix = shares(p, "demand.workload_mix.");
  s.model_mix = shares(p, "demand.model_mix.");
  s.utilisation = need(p, "demand.utilisation");
  s.life_years = need(p, "regions." + region + ".depreciation_years");
  return s;
}

DemandSettingsReader::DemandSettingsReader(const ParamTable& p, const std::string& region) : region_(region) {
  (void)demand_settings(p, region);  // every parameter present and not null, or its error as ever
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
    daily_.emplace_back(y, index_of(p, fmt::format("demand.daily_tokens.{}", y)));
    inference_.emplace_back(y, index_of(p, fmt::format("demand.inference_share.{}", y)));
  }
  prior_ = index_of(p, "demand.daily_tokens_prior");
  output_share_ = index_of(p, "demand.output_token_share");
  prefix_hit_ = index_of(p, "demand.prefix_cache_hit_share");
  workload_mix_ = weights(p, "demand.workload_mix.");
  model_mix_ = weights(p, "demand.model_mix.");
  utilisation_ = index_of(p, "demand.utilisation");
  life_ = index_of(p, "regions." + region + ".depreciation_years");
}

DemandSettings DemandSettingsReader::read(std::span<const double> v) const {
  DemandSettings s;
  s.region = region_;
  for (const auto& [y, i] : daily_) s.daily_tokens[y] = v[i];
  for (const auto& [y, i] : inference_) s.inference_share[y] = v[i];
  s.prior_daily_tokens = v[prior_];
  s.output_share = v[output_share_];
  s.prefix_cache_hit = v[prefix_hit_];
  s.workload_mix = shares(workload_mix_, v, "demand.workload_mix.");
  s.model_mix = shares(model_mix_, v, "demand.model_mix.");
  s.utilisation = v[utilisation_];
  s.life_years = v[life_];
  return s;
}

DemandResult demand(const catalog::Catalog& cat, const ParamTable& p, const DemandSettings& s,
                    const score::EconomicsSource& src, const std::optional<market::Totals>& market,
                    const score::SpecBook* book) {
  std::optional<score::SpecBook> own;
  if (!book) book = &own.emplace(cat, p);
  DemandResult r;
  r.settings = s;
  // Output share of each (model, workload) cell: tokens count input + output,
  // so a workload's output fraction is osl / (isl + osl).
  struct CellW {
    std::string model, workload;
    double output_share = 0;  // of all tokens
  };
  std::vector<CellW> cells;
  double out_frac = 0;
  for (const auto& [m, wm] : s.model_mix) {
    for (const auto& [w, ww] : s.workload_mix) {
      const Workload& wl = book->workload(w);
      const double f = static_cast<double>(wl.osl) / (wl.isl + wl.osl);
      cells.push_back({m, w, wm * ww * f});
      out_frac += wm * ww * f;
    }
  }
  // Effective output tokens/s of a chip on the mix: total output over the
  // chip-seconds each cell needs (a token-weighted harmonic mean). Input
  // tokens found in the prefix cache need no prefill: the prefill part of a
  // cell's chip time shrinks by the hit share, decode is unchanged.
  auto effective = [&](const ChipSpec& c) -> Figure {
    double chip_seconds = 0;
    for (const auto& cw : cells) {
      const score::ChipEconomics e = src.get(c, cw.model, cw.workload);
      const Figure& f = e.output_tps;
      if (!f.ok()) return f;
      if (*f.value <= 0) return Figure::none(fmt::format("no feasible deployment of {} on {} ({})", cw.model, c.id, cw.workload));
      chip_seconds += cw.output_share / *f.value * (1.0 - e.prefill_share * s.prefix_cache_hit);
    }
    return Figure::of(out_frac / chip_seconds);
  };

  // Domestic chips and their effective throughput (once each).
  std::map<std::string, ChipSpec> specs;
  std::map<std::string, Figure> eff;
  for (const auto& id : cat.ids("chips")) {
    ChipSpec c = book->chip(id);
    const bool wanted = s.fleet_chip.empty() ? side_of(c) == Side::kDomestic : c.id == s.fleet_chip;
    if (!wanted) continue;
    eff[id] = effective(c);
    specs.emplace(id, std::move(c));
  }
  require(s.fleet_chip.empty() || !specs.empty(), Location{"", 0, "--chip"}, "a known chip id", "'" + s.fleet_chip + "'");

  // Output tokens are the sourced share of all tokens (TokenBook's traffic mix);
  // the workloads' own isl/osl only weight the cells of a chip's throughput.
  double prev_capacity = s.prior_daily_tokens * s.output_share / kSecondsPerDay / s.utilisation;
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
    DemandYear d;
    d.year = y;
    d.tokens_per_day = s.daily_tokens.at(y);
    d.output_tokens_per_s = d.tokens_per_day * s.output_share / kSecondsPerDay;
    // Serving capacity (output tokens/s) installed for the year-end run rate.
    const double capacity = d.output_tokens_per_s / s.utilisation;
    const double added = std::max(0.0, capacity - prev_capacity) + prev_capacity / s.life_years;
    prev_capacity = capacity;

    // The fleet chip: the one given, else the domestic chip available this
    // year with the lowest capex per output token/s.
    std::vector<FleetCandidate>& cands = r.candidates[y];
    for (const auto& [id, c] : specs) {
      if (s.fleet_chip.empty()) {
        Part part;
        part.side = Side::kDomestic;
        part.launch_year = c.launch_year;
        part.cn_from = c.cn_available_from;
        if (!counts(part, Set::kChina, y)) continue;
      }
      FleetCandidate fc;
      fc.chip = id;
      fc.effective_tps = eff.at(id);
      if (auto it = c.price.find(s.region); it != c.price.end() && it->second) fc.price_usd = it->second->value();
      if (!fc.effective_tps.ok()) fc.usd_per_tps = fc.effective_tps;
      else if (!fc.price_usd) fc.usd_per_tps = Figure::missing_data(c.path("price." + s.region));
      else fc.usd_per_tps = Figure::of(*fc.price_usd / *fc.effective_tps.value);
      cands.push_back(std::move(fc));
    }
    const FleetCandidate* best = nullptr;
    for (const auto& fc : cands)
      if (fc.usd_per_tps.ok() && (!best || *fc.usd_per_tps.value < *best->usd_per_tps.value)) best = &fc;
    // The fleet bought this year: the supply model's SKU mix of the year (each
    // SKU's chips at its ASP of that year and its effective tokens/s on the
    // mix) when the market has supply and no chip is given; else the chip
    // given, or the cheapest domestic capacity of the year.
    double tps = 0, price = 0;
    double fleet_chips = 0, fleet_tps = 0, fleet_usd = 0;  // installed (all vintages in service)
    bool have = false;
    if (s.fleet_chip.empty() && market && market->supply.size() == static_cast<std::size_t>(supply::kYears)) {
      const supply::SupplyYear& sy = market->supply[static_cast<std::size_t>(y - analysis::kFirstYear)];
      for (const auto& [id, sku] : sy.skus) {
        const auto it = eff.find(id);
        if (sku.installed <= 0 || it == eff.end() || !it->second.ok()) continue;  // noted below when bought
        fleet_chips += sku.installed;
        fleet_tps += sku.installed * *it->second.value;
        fleet_usd += sku.installed_usd;
      }
      if (fleet_tps > 0) {
        d.fleet_chips = Figure::of(fleet_chips);
        d.fleet_tps = Figure::of(fleet_tps);
        d.fleet_coverage = Figure::of(fleet_tps * s.utilisation / d.output_tokens_per_s);
      }
      double chips = 0, tps_chips = 0, usd = 0;
      for (const auto& [id, sku] : sy.skus) {
        if (sku.chips <= 0) continue;
        const auto it = eff.find(id);
        if (it == eff.end() || !it->second.ok()) {
          r.notes.push_back(fmt::format("{}: SKU {} has no effective tokens/s on the mix ({}); left out of the fleet", y, id, it == eff.end() ? std::string("not a domestic catalog chip") : it->second.missing));
          continue;
        }
        chips += sku.chips;
        tps_chips += sku.chips * *it->second.value;
        usd += sku.chips * sku.asp_usd;
        d.fleet_skus.push_back(id);
      }
      if (chips > 0) {
        tps = tps_chips / chips;
        price = usd / chips;
        have = true;
        d.chip = fmt::format("supply mix ({} SKUs)", d.fleet_skus.size());
      }
    }
    if (fleet_tps <= 0) {
      const std::string why = !s.fleet_chip.empty() ? std::string("a fleet chip is given: no installed fleet")
                              : market && !market->supply.empty()
                                  ? fmt::format("no supply-model chip in service in {} has an effective tokens/s on the mix", y)
                                  : std::string("no supply model (the installed fleet is its chips by SKU)");
      d.fleet_chips = d.fleet_tps = d.fleet_coverage = Figure::none(why);
    }
    if (!have && best) {
      tps = *best->effective_tps.value;
      price = *best->price_usd;
      have = true;
      d.chip = best->chip;
    }
    if (!have) {
      const std::string why = fmt::format("no domestic chip available in {} with both a price (region {}) and a "
                                          "feasible deployment on the mix", y, s.region);
      d.chip_tps = d.chips_needed = d.chips_bought = d.spend_usd_bn = d.implied_total_usd_bn = d.usd_per_tps =
          d.capex_usd_per_mtok = Figure::none(why);
    } else {
      d.chip_tps = Figure::of(tps);
      d.chips_needed = Figure::of(capacity / tps);
      d.chips_bought = Figure::of(added / tps);
      d.spend_usd_bn = Figure::of(added / tps * price / 1e9);
      d.usd_per_tps = Figure::of(price / tps);
      // Capex per million output tokens over the chip's life at the fleet's utilisation.
      d.capex_usd_per_mtok = Figure::of(price / (tps * s.utilisation * s.life_years * kDaysPerYear * kSecondsPerDay) * 1e6);
      if (fleet_tps > 0) {
        // Capacity and cost per token of the fleet in service, every vintage
        // at its own SKU's tokens/s and its purchase price.
        d.chips_needed = Figure::of(capacity / (fleet_tps / fleet_chips));
        d.capex_usd_per_mtok = Figure::of(
            fleet_usd / (fleet_tps * s.utilisation * s.life_years * kDaysPerYear * kSecondsPerDay) * 1e6);
      }
      const double share = s.inference_share.at(y);
      d.implied_total_usd_bn = share > 0 ? Figure::of(*d.spend_usd_bn.value / share) : Figure::none("inference share 0");
    }
    if (market && y >= analysis::kFirstYear && y <= analysis::kLastYear) {
      const auto i = static_cast<std::size_t>(y - analysis::kFirstYear);
      if (std::isfinite(market->tam_usd_bn[i])) d.tam_usd_bn = market->tam_usd_bn[i];
      if (std::isfinite(market->domestic_usd_bn[i])) d.domestic_usd_bn = market->domestic_usd_bn[i];
    }
    if (d.implied_total_usd_bn.ok() && d.tam_usd_bn && *d.tam_usd_bn > 0)
      d.tam_ratio = Figure::of(*d.implied_total_usd_bn.value / *d.tam_usd_bn);
    else
      d.tam_ratio = Figure::none(d.tam_usd_bn ? d.implied_total_usd_bn.missing : "market.tam_usd_bn not available");
    r.years.push_back(std::move(d));
  }
  return r;
}

}  // namespace gpugap::gap
