#include "score/inference.hpp"

#include <fmt/format.h>

#include <cmath>
#include <mutex>

#include "econ/econ.hpp"
#include "perf/deployment.hpp"
#include "perf/perf.hpp"
#include "perf/search_key.hpp"
#include "perf/serving.hpp"

namespace gpugap::score {

std::string_view metric_name(Metric m) {
  switch (m) {
    case Metric::kTps: return "tps";
    case Metric::kTpsPerWatt: return "tps_per_watt";
    case Metric::kTpsPerWattPerKusd: return "tps_per_watt_per_kusd";
    case Metric::kUsdPerMtok: return "usd_per_mtok";
  }
  return "?";
}

std::optional<Metric> parse_metric(std::string_view s) {
  for (auto m : kAllMetrics)
    if (metric_name(m) == s) return m;
  return std::nullopt;
}

bool higher_is_better(Metric m) { return m != Metric::kUsdPerMtok; }

const Figure& ChipEconomics::get(Metric m) const {
  switch (m) {
    case Metric::kTps: return output_tps;
    case Metric::kTpsPerWatt: return tps_per_watt;
    case Metric::kTpsPerWattPerKusd: return tps_per_watt_per_kusd;
    case Metric::kUsdPerMtok: return usd_per_mtok;
  }
  return output_tps;
}

namespace {

template <class Map, class Build>
const typename Map::mapped_type& memo(std::mutex& mu, Map& map, const std::string& id, Build build) {
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = map.find(id); it != map.end()) return it->second;
  }
  auto v = build();  // outside the lock: specs of other ids build in parallel
  std::lock_guard<std::mutex> lock(mu);
  return map.emplace(id, std::move(v)).first->second;
}

}  // namespace

const ChipSpec& SpecBook::chip(const std::string& id) const {
  return memo(mu_, chips_, id, [&] { return perf::serving_chip(cat_, p_, id); });
}
const ModelSpec& SpecBook::model(const std::string& id) const {
  return memo(mu_, models_, id, [&] { return model_spec(cat_, p_, id); });
}
const Workload& SpecBook::workload(const std::string& id) const {
  return memo(mu_, workloads_, id, [&] { return workload_spec(cat_, p_, id); });
}
const SystemSpec& SpecBook::system(const std::string& id) const {
  return memo(mu_, systems_, id, [&] { return system_spec(cat_, p_, id); });
}

namespace {

// The chip fields the money side reads (the search key holds the perf side).
std::string money_key(const ChipSpec& c) {
  std::string k = fmt::format("#{}|{:.17g}", c.vendor, c.tdp ? c.tdp->value() : -1.0);
  for (const auto& [r, v] : c.price) k += fmt::format("|{}:{:.17g}", r, v ? v->value() : -1.0);
  return k;
}

std::string why(const std::string& path) { return path.empty() ? std::string() : insufficient_data_text(path); }

// The scorecard's figures from a joined row. Unlike the econ table, a chip
// with no deployment under the targets serves 0 tokens/s (a value, not a gap).
ChipEconomics figures(const econ::Row& row, const ModelSpec& model, const Workload& w) {
  ChipEconomics r;
  r.stack = row.stack;
  r.serving = row.serving;
  const bool perf_missing = !Missing::parse(row.perf_status).ok();
  if (perf_missing) {
    r.output_tps = Figure::none(row.perf_status);
  } else if (!row.perf) {
    r.output_tps = Figure::of(0.0);
    r.deployment = row.perf_status.empty() || row.perf_status == "ok" ? "no feasible deployment" : row.perf_status;
  } else {
    r.output_tps = Figure::of(row.perf->output_tps_per_chip);
    r.prefill_share = econ::prefill_share(*row.perf, w);
    r.deployment = perf::describe(row.perf->deployment, model);
  }
  const std::string tps_why = perf_missing ? row.perf_status : std::string();
  const std::string power_why = why(row.money_missing.power);
  const std::string price_why = why(row.money_missing.price);
  const std::string tco_why = why(row.money_missing.tco);
  auto first = [](std::initializer_list<std::string> whys) {
    for (const auto& s : whys)
      if (!s.empty()) return s;
    return std::string();
  };
  const double tps = r.output_tps.value.value_or(0.0);
  if (const std::string y = first({tps_why, power_why}); !y.empty()) r.tps_per_watt = Figure::none(y);
  else r.tps_per_watt = Figure::of(econ::tps_per_watt(*row.power, tps));
  if (const std::string y = first({tps_why, power_why, price_why}); !y.empty()) r.tps_per_watt_per_kusd = Figure::none(y);
  else r.tps_per_watt_per_kusd = Figure::of(*r.tps_per_watt.value / (row.price->value() / econ::kUsdPerKusd));
  if (const std::string y = first({tps_why, tco_why}); !y.empty()) {
    r.usd_per_mtok = Figure::none(y);
  } else if (tps <= 0) {
    r.usd_per_mtok = Figure::none("no feasible deployment under the latency targets");
  } else {
    econ::Throughput t;
    t.output_tps = tps;
    t.input_tps = row.perf->input_tps_per_chip;
    t.prefill_share = econ::prefill_share(*row.perf, w);
    r.usd_per_mtok = Figure::of(econ::token_costs(*row.tco, t).usd_per_mtok_output_all_in);
  }
  return r;
}

class PerfEconSource final : public EconomicsSource {
 public:
  PerfEconSource(const analysis::Context& ctx, const ParamTable& p, SourceOptions opt, econ::SearchCache* cache,
                 const SpecBook* specs)
      : cat_(*ctx.catalog), p_(p), opt_(std::move(opt)), region_(region_spec(cat_, p_, opt_.region)),
        ep_(econ::econ_params(p_, region_)), searches_(cache) {
    if (!searches_) {
      own_searches_ = std::make_unique<econ::SearchCache>();
      searches_ = own_searches_.get();
    }
    if (!specs) {
      own_specs_ = std::make_unique<SpecBook>(cat_, p_);
      specs = own_specs_.get();
    }
    specs_ = specs;
  }

  ChipEconomics get(const ChipSpec& chip, const std::string& model_id, const std::string& workload_id) const override {
    const ModelSpec& model = specs_->model(model_id);
    const Workload& w = specs_->workload(workload_id);
    const perf::SearchOptions so = econ::join_options(p_, model, false, opt_.max_width);
    // Every input of the search and of the money side: a modified spec (lever swap) never hits a stale entry.
    const std::string key = perf::search_key(chip, model, w, so) + money_key(chip);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    }
    const econ::Row row = econ::join(econ::Money{cat_, p_, region_, ep_}, chip, model, w, so, searches_);
    ChipEconomics r = figures(row, model, w);
    r.chip = chip.id;
    r.model = model_id;
    r.workload = workload_id;
    r.region = region_.id;
    std::lock_guard<std::mutex> lock(mu_);
    return cache_.emplace(key, std::move(r)).first->second;
  }

 private:
  const catalog::Catalog& cat_;
  const ParamTable& p_;
  SourceOptions opt_;
  RegionSpec region_;
  econ::EconParams ep_;
  econ::SearchCache* searches_ = nullptr;
  std::unique_ptr<econ::SearchCache> own_searches_;
  const SpecBook* specs_ = nullptr;
  std::unique_ptr<SpecBook> own_specs_;
  mutable std::mutex mu_;
  mutable std::map<std::string, ChipEconomics> cache_;
};

}  // namespace

std::unique_ptr<EconomicsSource> perf_econ_source(const analysis::Context& ctx, const ParamTable& params,
                                                  SourceOptions opt, econ::SearchCache* cache, const SpecBook* specs) {
  return std::make_unique<PerfEconSource>(ctx, params, std::move(opt), cache, specs);
}

}  // namespace gpugap::score
