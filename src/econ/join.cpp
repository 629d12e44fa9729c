#include "econ/join.hpp"

#include <algorithm>

#include "perf/search_key.hpp"

namespace gpugap::econ {
namespace {

void note_missing(Row& row, const std::string& path) {
  row.missing.add(path);
  if (row.status == "ok") row.status = insufficient_data_text(path);
}

// The search through the cache: equal keys, equal results (the key holds every input).
perf::SearchResult cached_search(const ChipSpec& chip, const ModelSpec& model, const Workload& w,
                                 const perf::SearchOptions& so, SearchCache* cache) {
  if (!cache) return search_or_status(chip, model, w, so);
  const std::string key = perf::search_key(chip, model, w, so);
  if (auto hit = cache->find(key)) return std::move(*hit);
  perf::SearchResult sr = search_or_status(chip, model, w, so);
  cache->put(key, sr);
  return sr;
}

}  // namespace

std::optional<perf::SearchResult> SearchCache::find(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = map_.find(key); it != map_.end()) return it->second;
  return std::nullopt;
}

void SearchCache::put(const std::string& key, const perf::SearchResult& r) {
  std::lock_guard<std::mutex> lock(mu_);
  map_.emplace(key, r);
}

perf::SearchResult search_or_status(const ChipSpec& chip, const ModelSpec& model, const Workload& w,
                                    const perf::SearchOptions& so) {
  perf::SearchResult sr;
  try {
    sr = perf::search(chip, model, w, so);
  } catch (const InsufficientData& e) {
    sr.status = Missing(e).text();
  }
  if (!sr.found) sr.status = explain_no_fit(chip, sr.status);
  return sr;
}

perf::SearchOptions join_options(const ParamTable& p, const ModelSpec& model, bool frontier, int max_width) {
  perf::SearchOptions so;
  so.mtp_acceptance = perf::model_mtp_acceptance(p, model).value_or(0.0);
  so.mtp_acceptance_later = perf::model_mtp_acceptance_later(p, model).value_or(-1.0);
  so.pareto = frontier;
  so.max_width = max_width;
  return so;
}

double prefill_share(const perf::PerfResult& r, const Workload& w) {
  if (r.prefill_tps_per_chip <= 0 || w.isl <= 0) return 0.0;
  const double computed = r.input_tps_per_chip * (1.0 - r.deployment.prefix_hit);  // prefix-cache hits cost no prefill
  double busy = computed / r.prefill_tps_per_chip;  // prefill device-seconds per chip-second
  if (r.deployment.mode == perf::ServeMode::kDisagg) {
    // The prefill pool's chips are all charged to input tokens, idle time included.
    const double ratio = r.deployment.prefill_decode_ratio;
    busy = ratio > 0 ? ratio / (1.0 + ratio) : busy / perf::kPrefillPoolLoad;
  }
  return std::clamp(busy, 0.0, 1.0);
}

void price_row(const Money& money, const ChipSpec& chip, Row& row) {
  row.power.reset();
  row.tps_per_watt.reset();
  row.tps_per_chip_watt.reset();
  row.price.reset();
  row.tps_per_watt_per_kusd.reset();
  row.tco_inputs.reset();
  row.tco.reset();
  row.costs.reset();
  row.money_missing = {};
  try {
    row.power = power_inputs(money.cat, money.p, chip, money.region, money.ep);
  } catch (const InsufficientData& e) {
    note_missing(row, e.path());
    row.money_missing.power = e.path();
  }
  if (row.throughput && row.power) row.tps_per_watt = tps_per_watt(*row.power, row.throughput->output_tps);
  if (row.throughput && chip.tdp && chip.tdp->value() > 0) row.tps_per_chip_watt = row.throughput->output_tps / chip.tdp->value();
  try {
    row.price = chip.need_price(money.region.id);
  } catch (const InsufficientData& e) {
    note_missing(row, e.path());
    row.money_missing.price = e.path();
  }
  if (row.tps_per_watt && row.price) row.tps_per_watt_per_kusd = *row.tps_per_watt / (row.price->value() / kUsdPerKusd);
  try {
    row.tco_inputs = tco_inputs(money.cat, money.p, chip, money.region, money.ep);
    row.tco = tco(*row.tco_inputs);
  } catch (const InsufficientData& e) {
    note_missing(row, e.path());
    row.money_missing.tco = e.path();
  }
  if (row.tco && row.throughput) row.costs = token_costs(*row.tco, *row.throughput);
  for (auto& f : row.frontier) {
    f.usd_per_mtok_output_all_in.reset();
    if (row.tco && f.output_tps_per_chip > 0)
      f.usd_per_mtok_output_all_in = row.tco->total.value() / f.output_tps_per_chip * kTokensPerMillion;
  }
}

Row join(const Money& money, const ChipSpec& chip, const ModelSpec& model, const Workload& w,
         const perf::SearchOptions& so, SearchCache* cache) {
  Row row;
  row.chip = chip.id;
  row.name = chip.name;
  row.vendor = chip.vendor;
  row.domestic = chip.domestic();
  row.stack = chip.stack;
  row.serving = chip.serving;
  const perf::SearchResult sr = cached_search(chip, model, w, so, cache);
  row.perf_status = sr.status;
  if (const Missing m = Missing::parse(sr.status); !m.ok()) {
    note_missing(row, m.first());
  } else if (!sr.found) {
    row.status = sr.status;
  } else {
    row.perf = sr.best;
    Throughput t;
    t.output_tps = sr.best.output_tps_per_chip;
    t.input_tps = sr.best.input_tps_per_chip;
    t.prefill_share = prefill_share(sr.best, w);
    if (t.output_tps > 0) row.throughput = t;
    else row.status = "no output throughput";
  }
  for (const auto& pt : sr.pareto) row.frontier.push_back({pt.tokens_per_s_per_user, pt.output_tps_per_chip, std::nullopt});
  price_row(money, chip, row);
  return row;
}

}  // namespace gpugap::econ
