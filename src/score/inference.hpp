// Inference economics of one chip on one model and workload in one region:
// the best deployment under the workload's latency targets (perf::search) and
// its token economics (econ). Shared by the vendor scorecard and the gap
// analysis. Each figure is a value or the reason it is missing, never a guess.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/status.hpp"
#include "analysis/scenario.hpp"
#include "catalog/specs.hpp"
#include "econ/join.hpp"

namespace gpugap::score {

// One figure: a value, or why there is none ("insufficient data: PATH",
// "no feasible deployment under the latency targets").
struct Figure {
  std::optional<double> value;
  std::string missing;
  [[nodiscard]] bool ok() const { return value.has_value(); }
  static Figure of(double v) { return Figure{v, {}}; }
  static Figure none(std::string why) { return Figure{std::nullopt, std::move(why)}; }
  // No value for want of a parameter: why = insufficient_data_text(path).
  static Figure missing_data(std::string_view path) { return none(insufficient_data_text(path)); }
};

// The four quantitative metrics of the report's first layer.
enum class Metric { kTps, kTpsPerWatt, kTpsPerWattPerKusd, kUsdPerMtok };
inline constexpr Metric kAllMetrics[] = {Metric::kTps, Metric::kTpsPerWatt, Metric::kTpsPerWattPerKusd, Metric::kUsdPerMtok};
std::string_view metric_name(Metric m);       // "tps", "tps_per_watt", ...
std::optional<Metric> parse_metric(std::string_view s);
// Higher is better for every metric except cost per token.
bool higher_is_better(Metric m);

struct ChipEconomics {
  std::string chip;
  std::string model;
  std::string workload;
  std::string region;
  Figure output_tps;             // output tokens/s per chip at the best deployment
  Figure tps_per_watt;           // output tokens/s per wall watt (incl. PUE)
  Figure tps_per_watt_per_kusd;  // tps_per_watt per thousand USD of chip price
  Figure usd_per_mtok;           // USD per million output tokens, all-in
  // Share of the chip's time spent on prefill at the best deployment (econ::prefill_share;
  // no prefix-cache hits): the work a prefix-cache hit saves. 0 when there is no deployment.
  double prefill_share = 0;
  std::string deployment;        // short description of the deployment found
  std::string stack;             // the chip's vendor stack and the serving stack it ran on (perf/serving.hpp)
  ServingStack serving;
  [[nodiscard]] const Figure& get(Metric m) const;
};

// A source of chip economics. The engine's source runs perf and econ (with a
// cache); tests hand in tables of made-up figures.
class EconomicsSource {
 public:
  virtual ~EconomicsSource() = default;
  // `chip` may be a modified spec (lever swaps): sources key on its contents.
  [[nodiscard]] virtual ChipEconomics get(const ChipSpec& chip, const std::string& model,
                                          const std::string& workload) const = 0;
};

// Options of the perf/econ source.
struct SourceOptions {
  std::string region = "cn";
  // Scale-up domain cap for the deployment search (0: the chip's own domain).
  int max_width = 0;
};

// The specs of one parameter table, each built once on first use (chips,
// models, workloads, systems): an evaluation, or every Monte Carlo sample that leaves
// the catalog's parameters unchanged, reads them without rebuilding them from
// paths. Thread-safe.
class SpecBook {
 public:
  SpecBook(const catalog::Catalog& cat, const ParamTable& p) : cat_(cat), p_(p) {}
  [[nodiscard]] const ChipSpec& chip(const std::string& id) const;
  [[nodiscard]] const ModelSpec& model(const std::string& id) const;
  [[nodiscard]] const Workload& workload(const std::string& id) const;
  [[nodiscard]] const SystemSpec& system(const std::string& id) const;
  [[nodiscard]] const catalog::Catalog& catalog() const { return cat_; }
  [[nodiscard]] const ParamTable& params() const { return p_; }

 private:
  const catalog::Catalog& cat_;
  const ParamTable& p_;
  mutable std::mutex mu_;
  mutable std::map<std::string, ChipSpec> chips_;
  mutable std::map<std::string, ModelSpec> models_;
  mutable std::map<std::string, Workload> workloads_;
  mutable std::map<std::string, SystemSpec> systems_;
};

// The engine's source: econ::join (perf::search under the workload's targets,
// then the TCO in the region). Results are memoised per (chip contents, model,
// workload) for the life of the source, i.e. one parameter table; searches
// also in `cache` when one is given (it must outlive the source). Model and
// workload specs come from `specs` when given (it must be of `params`).
std::unique_ptr<EconomicsSource> perf_econ_source(const analysis::Context& ctx, const ParamTable& params,
                                                  SourceOptions opt = {}, econ::SearchCache* cache = nullptr,
                                                  const SpecBook* specs = nullptr);

}  // namespace gpugap::score
