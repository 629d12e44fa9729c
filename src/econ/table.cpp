#include "econ/table.hpp"

#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>

namespace gpugap::econ {
namespace {

constexpr std::string_view kInsufficient = "insufficient data: ";
constexpr int kBisectionSteps = 200;
constexpr double kBisectionRelTol = 1e-10;

// "insufficient data: PATH" -> PATH ("" for other statuses).
std::string missing_path(const std::string& status) {
  return status.starts_with(kInsufficient) ? status.substr(kInsufficient.size()) : std::string();
}

void note_missing(Row& row, const std::string& path) {
  if (std::find(row.missing.begin(), row.missing.end(), path) == row.missing.end()) row.missing.push_back(path);
  if (row.status == "ok") row.status = std::string(kInsufficient) + path;
}

bool has_perf_data(const ChipSpec& c) {
  bool any_compute = false;
  for (const auto& x : c.compute) any_compute = any_compute || x.has_value();
  return any_compute && c.mem_bandwidth && c.mem_capacity;
}

// The part of a row that depends on money parameters only.
void price_row(const catalog::Catalog& cat, const ParamTable& p, const ChipSpec& chip, const RegionSpec& region,
               const EconParams& ep, Row& row) {
  row.power.reset();
  row.tps_per_watt.reset();
  row.tps_per_chip_watt.reset();
  row.price.reset();
  row.tps_per_watt_per_kusd.reset();
  row.tco_inputs.reset();
  row.tco.reset();
  row.costs.reset();
  try {
    row.power = power_inputs(cat, p, chip, region, ep);
  } catch (const InsufficientData& e) {
    note_missing(row, e.path());
  }
  if (row.throughput && row.power) row.tps_per_watt = tps_per_watt(*row.power, row.throughput->output_tps);
  if (row.throughput && chip.tdp && chip.tdp->value() > 0) row.tps_per_chip_watt = row.throughput->output_tps / chip.tdp->value();
  try {
    row.price = chip.need_price(region.id);
  } catch (const InsufficientData& e) {
    note_missing(row, e.path());
  }
  if (row.tps_per_watt && row.price) row.tps_per_watt_per_kusd = *row.tps_per_watt / (row.price->value() / kUsdPerKusd);
  try {
    row.tco_inputs = tco_inputs(cat, p, chip, region, ep);
    row.tco = tco(*row.tco_inputs);
  } catch (const InsufficientData& e) {
    note_missing(row, e.path());
  }
  if (row.tco && row.throughput) row.costs = token_costs(*row.tco, *row.throughput);
  for (auto& f : row.frontier) {
    f.usd_per_mtok_output_all_in.reset();
    if (row.tco && f.output_tps_per_chip > 0)
      f.usd_per_mtok_output_all_in = row.tco->total.value() / f.output_tps_per_chip * kTokensPerMillion;
  }
}

}  // namespace

perf::SearchResult search_or_status(const ChipSpec& chip, const ModelSpec& model, const Workload& w, const perf::SearchOptions& so) {
  perf::SearchResult sr;
  try {
    sr = perf::search(chip, model, w, so);
  } catch (const InsufficientData& e) {
    sr.status = std::string(kInsufficient) + e.path();
  }
  if (!sr.found) sr.status = explain_no_fit(chip, sr.status);
  return sr;
}

namespace {

Row search_row(const catalog::Catalog& cat, const ParamTable& p, const std::string& chip_id, const ModelSpec& model,
               const Workload& w, const RegionSpec& region, const EconParams& ep, bool frontier, SearchCache* cache) {
  Row row;
  const ChipSpec chip = chip_spec(cat, p, chip_id);
  row.chip = chip.id;
  row.name = chip.name;
  row.vendor = chip.vendor;
  row.domestic = chip.domestic();
  const auto& rs = report_chips();
  row.in_report_set = std::find(rs.begin(), rs.end(), chip.id) != rs.end();

  perf::SearchOptions so;
  so.mtp_acceptance = perf::model_mtp_acceptance(p, model).value_or(0.0);
  so.pareto = frontier;
  perf::SearchResult sr;
  const std::string key = cache ? search_key(p, chip, model, w, so) : std::string();
  if (auto hit = cache ? cache->find(key) : std::nullopt) {
    sr = std::move(*hit);
  } else {
    sr = search_or_status(chip, model, w, so);
    if (cache) cache->put(key, sr);
  }
  row.perf_status = sr.status;
  if (const std::string mp = missing_path(sr.status); !mp.empty()) {
    note_missing(row, mp);
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
  price_row(cat, p, chip, region, ep, row);
  return row;
}

}  // namespace

const std::vector<std::string>& report_chips() {
  static const std::vector<std::string> ids = {
      "nvidia-a100-sxm",    "nvidia-h20",         "nvidia-h200-sxm",     "nvidia-h100-sxm",     "nvidia-h800",
      "nvidia-b200",        "nvidia-gb300",       "huawei-ascend-910b",  "huawei-ascend-910c",  "huawei-ascend-950pr",
      "huawei-ascend-950dt", "cambricon-mlu590",  "cambricon-mlu690"};
  return ids;
}

const Row* EconTable::find(std::string_view chip) const {
  for (const auto& r : rows)
    if (r.chip == chip) return &r;
  return nullptr;
}

std::vector<std::string> default_chips(const catalog::Catalog& cat, const ParamTable& p) {
  std::vector<std::string> out;
  for (const auto& id : report_chips())
    if (cat.try_resolve("chips", id)) out.push_back(id);
  for (const auto& id : cat.ids("chips")) {
    if (std::find(out.begin(), out.end(), id) != out.end()) continue;
    if (has_perf_data(chip_spec(cat, p, id))) out.push_back(id);
  }
  return out;
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

std::string site_electricity_param(const ParamTable& p, const ChipSpec& chip, const std::string& region) {
  const std::string foreign = "regions." + region + ".electricity_price_foreign_chips";
  if (!chip.domestic() && p.find(foreign)) return foreign;
  return "regions." + region + ".electricity_price";
}

std::optional<perf::SearchResult> SearchCache::find(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = map_.find(key); it != map_.end()) return it->second;
  return std::nullopt;
}

void SearchCache::put(const std::string& key, const perf::SearchResult& r) {
  std::lock_guard<std::mutex> lock(mu_);
  map_.emplace(key, r);
}

std::string search_key(const ParamTable& p, const ChipSpec& chip, const ModelSpec& model, const Workload& w,
                       const perf::SearchOptions& so) {
  const std::string chip_prefix = "chips." + chip.id + ".";
  const bool has_stack = !chip.stack.empty();
  const std::string stack_prefix = "stacks." + chip.stack + ".";
  const std::string model_prefix = "models." + model.id + ".";
  const std::string wl_prefix = "workloads." + w.id + ".";
  std::string k = fmt::format("{}#{}#{}#{:.17g}#{}#{}", chip.id, model.id, w.id, so.mtp_acceptance, so.pareto, so.max_width);
  for (const auto& prm : p.all()) {
    const std::string& path = prm.path;
    const bool chip_own = path.starts_with(chip_prefix) && !path.starts_with(chip_prefix + "price.");
    const bool stack_own = has_stack && path.starts_with(stack_prefix);
    if (!chip_own && !stack_own && !path.starts_with(model_prefix) && !path.starts_with(wl_prefix)) continue;
    k += prm.is_null ? "|-" : fmt::format("|{:.17g}", prm.value);
  }
  return k;
}

EconTable build_table(const catalog::Catalog& cat, const ParamTable& p, const TableOptions& opt, SearchCache* cache) {
  EconTable t;
  const RegionSpec region = region_spec(cat, p, opt.region);
  const ModelSpec model = model_spec(cat, p, opt.model);
  const Workload w = workload_spec(cat, p, opt.workload);
  t.region = region.id;
  t.currency = region.currency;
  t.fx_per_usd = region.fx_per_usd.value_or(1.0);
  t.model = model.id;
  t.workload = w.id;
  if (w.ttft_target) t.ttft_target_s = w.ttft_target->value();
  if (w.tpot_target) t.tpot_target_s = w.tpot_target->value();
  const EconParams ep = econ_params(p, region);

  std::vector<std::string> chips;
  for (const auto& c : opt.chips.empty() ? default_chips(cat, p) : opt.chips) {
    const std::string id = cat.resolve("chips", c);
    if (std::find(chips.begin(), chips.end(), id) == chips.end()) chips.push_back(id);
  }
  t.rows.resize(chips.size());
  // One search per chip, in parallel; each row lands in its own slot (deterministic order).
  auto one = [&](std::size_t i) { t.rows[i] = search_row(cat, p, chips[i], model, w, region, ep, opt.frontier, cache); };
  const int threads = opt.threads > 0 ? opt.threads : tbb::this_task_arena::max_concurrency();
  if (threads <= 1 || chips.size() <= 1) {
    for (std::size_t i = 0; i < chips.size(); ++i) one(i);
  } else {
    tbb::task_arena arena(threads);
    arena.execute([&] { tbb::parallel_for(std::size_t{0}, chips.size(), one); });
  }
  return t;
}

void reprice_row(const catalog::Catalog& cat, const ParamTable& p, const std::string& region_id, Row& row) {
  const RegionSpec region = region_spec(cat, p, region_id);
  const ChipSpec chip = chip_spec(cat, p, row.chip);
  // Missing-data notes from the money side are recomputed; the search's stay.
  std::vector<std::string> keep;
  if (const std::string mp = missing_path(row.perf_status); !mp.empty()) keep.push_back(mp);
  row.missing = keep;
  if (!keep.empty()) row.status = std::string(kInsufficient) + keep.front();
  else if (row.throughput) row.status = "ok";
  else row.status = row.perf_status == "ok" ? "no output throughput" : row.perf_status;
  price_row(cat, p, chip, region, econ_params(p, region), row);
}

Crossover crossover(const catalog::Catalog& cat, const ParamTable& p, const EconTable& table, const std::string& chip,
                    const std::string& reference, const std::string& param, double lo, double hi) {
  const Row* a0 = table.find(chip);
  const Row* b0 = table.find(reference);
  if (!a0 || !b0) throw UserError(Location{"", 0, "crossover"}, "chips present in the table", chip + ", " + reference);
  if (!a0->costs || !b0->costs)
    throw InsufficientData(!a0->costs ? (a0->missing.empty() ? a0->status : a0->missing.front())
                                      : (b0->missing.empty() ? b0->status : b0->missing.front()));
  Crossover c;
  c.chip = chip;
  c.reference = reference;
  c.param = param;
  c.lo = lo;
  c.hi = hi;
  const ParamIndex idx = p.require(param);
  const Param& prm = p.at(idx);
  c.base_value = prm.value;
  c.unit = prm.dim == Dim::kEnergyPrice ? (prm.currency == Currency::kRmb ? "RMB/kWh" : "USD/kWh")
           : prm.dim == Dim::kMoney     ? (prm.currency == Currency::kRmb ? "RMB" : "USD")
                                        : (prm.unit.empty() ? std::string(dim_unit(prm.dim)) : prm.unit);
  c.chip_cost_at_base = a0->costs->usd_per_mtok_output_all_in;
  c.reference_cost_at_base = b0->costs->usd_per_mtok_output_all_in;
  ParamTable q = p;
  Row a = *a0, b = *b0;
  auto gap = [&](double v) {
    q.set_value(idx, v);
    reprice_row(cat, q, table.region, a);
    reprice_row(cat, q, table.region, b);
    if (!a.costs || !b.costs) throw InsufficientData(param);
    return a.costs->usd_per_mtok_output_all_in - b.costs->usd_per_mtok_output_all_in;
  };
  double glo = gap(lo), ghi = gap(hi);
  if (glo == 0) c.value = lo;
  else if (ghi == 0) c.value = hi;
  else if ((glo < 0) != (ghi < 0)) {
    double l = lo, h = hi;
    for (int i = 0; i < kBisectionSteps && (h - l) > kBisectionRelTol * std::max(std::abs(l), std::abs(h)); ++i) {
      const double m = 0.5 * (l + h);
      const double gm = gap(m);
      if ((gm < 0) == (glo < 0)) {
        l = m;
        glo = gm;
      } else {
        h = m;
      }
    }
    c.value = 0.5 * (l + h);
  }
  return c;
}

}  // namespace gpugap::econ
