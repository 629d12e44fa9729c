#include "econ/table.hpp"

#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>

#include "perf/serving.hpp"

namespace gpugap::econ {
namespace {

constexpr int kBisectionSteps = 200;
constexpr double kBisectionRelTol = 1e-10;

bool has_perf_data(const ChipSpec& c) {
  bool any_compute = false;
  for (const auto& x : c.compute) any_compute = any_compute || x.has_value();
  return any_compute && c.mem_bandwidth && c.mem_capacity;
}

Row search_row(const Money& money, const std::string& chip_id, const ModelSpec& model, const Workload& w, bool frontier,
               const std::vector<std::string>& report_set, SearchCache* cache) {
  // The chip on its serving stack (perf/serving.hpp): what validate measures.
  const ChipSpec chip = perf::serving_chip(money.cat, money.p, chip_id);
  Row row = join(money, chip, model, w, join_options(money.p, model, frontier), cache);
  row.in_report_set = std::find(report_set.begin(), report_set.end(), chip.id) != report_set.end();
  return row;
}

}  // namespace

std::vector<std::string> report_chips(const analysis::Context& ctx) {
  for (const auto& id : ctx.scenario.chain)
    if (const catalog::Entry* e = ctx.catalog->find("scenarios", id))
      if (auto l = e->lists.find("report_chips"); l != e->lists.end()) return l->second;
  return {};
}

const Row* EconTable::find(std::string_view chip) const {
  for (const auto& r : rows)
    if (r.chip == chip) return &r;
  return nullptr;
}

std::vector<std::string> default_chips(const catalog::Catalog& cat, const ParamTable& p,
                                       const std::vector<std::string>& report_set) {
  std::vector<std::string> out;
  for (const auto& id : report_set)
    if (cat.try_resolve("chips", id)) out.push_back(id);
  for (const auto& id : cat.ids("chips")) {
    if (std::find(out.begin(), out.end(), id) != out.end()) continue;
    if (has_perf_data(chip_spec(cat, p, id))) out.push_back(id);
  }
  return out;
}

std::string site_electricity_param(const ParamTable& p, const ChipSpec& chip, const std::string& region) {
  const std::string foreign = "regions." + region + ".electricity_price_foreign_chips";
  if (!chip.domestic() && p.find(foreign)) return foreign;
  return "regions." + region + ".electricity_price";
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
  for (const auto& c : opt.chips.empty() ? default_chips(cat, p, opt.report_set) : opt.chips) {
    const std::string id = cat.resolve("chips", c);
    if (std::find(chips.begin(), chips.end(), id) == chips.end()) chips.push_back(id);
  }
  t.rows.resize(chips.size());
  // One search per chip, in parallel; each row lands in its own slot (deterministic order).
  const Money money{cat, p, region, ep};
  auto one = [&](std::size_t i) { t.rows[i] = search_row(money, chips[i], model, w, opt.frontier, opt.report_set, cache); };
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
  row.missing = Missing::parse(row.perf_status);
  if (!row.missing.ok()) row.status = row.missing.text();
  else if (row.throughput) row.status = "ok";
  else row.status = row.perf_status == "ok" ? "no output throughput" : row.perf_status;
  const EconParams ep = econ_params(p, region);
  price_row(Money{cat, p, region, ep}, chip, row);
}

Crossover crossover(const catalog::Catalog& cat, const ParamTable& p, const EconTable& table, const std::string& chip,
                    const std::string& reference, const std::string& param, double lo, double hi) {
  const Row* a0 = table.find(chip);
  const Row* b0 = table.find(reference);
  require(a0 && b0, Location{"", 0, "crossover"}, "chips present in the table", chip + ", " + reference);
  if (!a0->costs || !b0->costs)
    throw InsufficientData(!a0->costs ? (a0->missing.ok() ? a0->status : a0->missing.first())
                                      : (b0->missing.ok() ? b0->status : b0->missing.first()));
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
