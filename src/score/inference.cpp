#include "score/inference.hpp"

#include <fmt/format.h>

#include <cmath>
#include <mutex>

#include "econ/econ.hpp"
#include "econ/table.hpp"
#include "perf/deployment.hpp"
#include "perf/perf.hpp"

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

std::string spec_key(const ChipSpec& c) {
  std::string k = c.id;
  auto add = [&](const std::optional<double>& v) { k += v ? fmt::format("|{:.17g}", *v) : std::string("|-"); };
  for (const auto& x : c.compute) add(x ? std::optional<double>(x->value()) : std::nullopt);
  add(c.mem_capacity ? std::optional<double>(c.mem_capacity->value()) : std::nullopt);
  add(c.mem_bandwidth ? std::optional<double>(c.mem_bandwidth->value()) : std::nullopt);
  add(c.scaleup_bandwidth ? std::optional<double>(c.scaleup_bandwidth->value()) : std::nullopt);
  add(c.scaleup_domain ? std::optional<double>(*c.scaleup_domain) : std::nullopt);
  add(c.scaleout_bandwidth ? std::optional<double>(c.scaleout_bandwidth->value()) : std::nullopt);
  add(c.tdp ? std::optional<double>(c.tdp->value()) : std::nullopt);
  add(c.compute_dies ? std::optional<double>(*c.compute_dies) : std::nullopt);
  add(c.hbm_stacks ? std::optional<double>(*c.hbm_stacks) : std::nullopt);
  add(c.eta_compute);
  add(c.eta_memory);
  add(c.eta_comm);
  add(c.launch_overhead.value());
  for (const auto& [r, v] : c.price) {
    k += "|" + r;
    add(v ? std::optional<double>(v->value()) : std::nullopt);
  }
  return k;
}

class PerfCache {
 public:
  std::optional<perf::SearchResult> find(const std::string& key) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = map_.find(key); it != map_.end()) return it->second;
    return std::nullopt;
  }
  void put(const std::string& key, const perf::SearchResult& r) {
    std::lock_guard<std::mutex> lock(mu_);
    map_.emplace(key, r);
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, perf::SearchResult> map_;
};

std::shared_ptr<PerfCache> make_perf_cache() { return std::make_shared<PerfCache>(); }

namespace {

constexpr std::string_view kInsufficient = "insufficient data: ";

class PerfEconSource final : public EconomicsSource {
 public:
  PerfEconSource(const analysis::Context& ctx, const ParamTable& p, SourceOptions opt, std::shared_ptr<PerfCache> cache)
      : cat_(*ctx.catalog), p_(p), opt_(std::move(opt)), searches_(cache ? std::move(cache) : make_perf_cache()) {
    region_ = region_spec(cat_, p_, opt_.region);
    ep_ = econ::econ_params(p_, region_);
  }

  ChipEconomics get(const ChipSpec& chip, const std::string& model, const std::string& workload) const override {
    const std::string key = spec_key(chip) + "#" + model + "#" + workload;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    }
    ChipEconomics r = compute(chip, model, workload);
    std::lock_guard<std::mutex> lock(mu_);
    return cache_.emplace(key, std::move(r)).first->second;
  }

 private:
  ChipEconomics compute(const ChipSpec& chip, const std::string& model_id, const std::string& workload_id) const {
    ChipEconomics r;
    r.chip = chip.id;
    r.model = model_id;
    r.workload = workload_id;
    r.region = region_.id;
    const ModelSpec model = model_spec(cat_, p_, model_id);
    const Workload w = workload_spec(cat_, p_, workload_id);
    perf::SearchOptions so;
    so.mtp_acceptance = perf::model_mtp_acceptance(p_, model).value_or(0.0);
    so.pareto = false;
    if (opt_.max_width > 0) so.max_width = opt_.max_width;
    perf::SearchResult sr;
    // The key holds everything the search reads, so a scenario variant or a
    // Monte Carlo sample that changes a workload or a model never hits a stale entry.
    const std::string skey = fmt::format(
        "{}#{}:{}:{}:{}:{}:{}:{}:{:.17g}#{}:{}:{}:{:.17g}:{:.17g}#{}", spec_key(chip), model.id, model.layers, model.hidden,
        model.experts, model.experts_per_token, model.kv_lora_rank, model.native_format, so.mtp_acceptance, w.id, w.isl,
        w.osl, w.ttft_target ? w.ttft_target->value() : -1.0, w.tpot_target ? w.tpot_target->value() : -1.0, opt_.max_width);
    if (auto hit = searches_->find(skey)) {
      sr = std::move(*hit);
    } else {
      sr = econ::search_or_status(chip, model, w, so);
      sr.pareto.clear();
      sr.best.breakdown.clear();
      searches_->put(skey, sr);
    }
    const bool perf_missing = sr.status.starts_with(kInsufficient);
    if (perf_missing) {
      r.output_tps = Figure::none(sr.status);
    } else if (!sr.found) {
      // An expected outcome: nothing meets the targets. The chip serves 0 tokens/s there.
      r.output_tps = Figure::of(0.0);
      r.deployment = sr.status.empty() || sr.status == "ok" ? "no feasible deployment" : sr.status;
    } else {
      r.output_tps = Figure::of(sr.best.output_tps_per_chip);
      const auto& d = sr.best.deployment;
      r.deployment = perf::describe(d, model);
    }
    const std::string tps_why = perf_missing ? sr.status : std::string();
    std::optional<econ::PowerInputs> power;
    std::string power_why;
    try {
      power = econ::power_inputs(cat_, p_, chip, region_, ep_);
    } catch (const InsufficientData& e) {
      power_why = std::string(kInsufficient) + e.path();
    }
    std::optional<Usd> price;
    std::string price_why;
    try {
      price = chip.need_price(region_.id);
    } catch (const InsufficientData& e) {
      price_why = std::string(kInsufficient) + e.path();
    }
    std::optional<econ::TcoResult> tco;
    std::string tco_why;
    try {
      tco = econ::tco(econ::tco_inputs(cat_, p_, chip, region_, ep_));
    } catch (const InsufficientData& e) {
      tco_why = std::string(kInsufficient) + e.path();
    }
    auto first = [](std::initializer_list<std::string> whys) {
      for (const auto& s : whys)
        if (!s.empty()) return s;
      return std::string();
    };
    const double tps = r.output_tps.value.value_or(0.0);
    if (const std::string why = first({tps_why, power_why}); !why.empty()) r.tps_per_watt = Figure::none(why);
    else r.tps_per_watt = Figure::of(econ::tps_per_watt(*power, tps));
    if (const std::string why = first({tps_why, power_why, price_why}); !why.empty())
      r.tps_per_watt_per_kusd = Figure::none(why);
    else r.tps_per_watt_per_kusd = Figure::of(*r.tps_per_watt.value / (price->value() / econ::kUsdPerKusd));
    if (const std::string why = first({tps_why, tco_why}); !why.empty()) {
      r.usd_per_mtok = Figure::none(why);
    } else if (tps <= 0) {
      r.usd_per_mtok = Figure::none("no feasible deployment under the latency targets");
    } else {
      econ::Throughput t;
      t.output_tps = tps;
      t.input_tps = sr.best.input_tps_per_chip;
      t.prefill_share = econ::prefill_share(sr.best, w);
      r.usd_per_mtok = Figure::of(econ::token_costs(*tco, t).usd_per_mtok_output_all_in);
    }
    return r;
  }

  const catalog::Catalog& cat_;
  const ParamTable& p_;
  SourceOptions opt_;
  RegionSpec region_;
  econ::EconParams ep_;
  std::shared_ptr<PerfCache> searches_;
  mutable std::mutex mu_;
  mutable std::map<std::string, ChipEconomics> cache_;
};

}  // namespace

std::unique_ptr<EconomicsSource> perf_econ_source(const analysis::Context& ctx, const ParamTable& params,
                                                  SourceOptions opt, std::shared_ptr<PerfCache> cache) {
  return std::make_unique<PerfEconSource>(ctx, params, std::move(opt), std::move(cache));
}

}  // namespace gpugap::score
