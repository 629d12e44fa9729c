// The econ comparison table: per chip, the best deployment from the
// performance engine's search under the workload's latency targets, then the
// chip's TCO in a region and the token economics that follow. Rows with
// missing data are kept, with the first missing parameter path as status.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "analysis/scenario.hpp"
#include "econ/econ.hpp"
#include "perf/perf.hpp"

namespace gpugap::econ {

// The report's chip set, in the report's order (A100, H20, H200, H100/H800,
// B200, GB300, Ascend 910B, 910C, 950, Cambricon MLU590/690).
const std::vector<std::string>& report_chips();

struct FrontierPoint {
  double tokens_per_s_per_user = 0;
  double output_tps_per_chip = 0;
  std::optional<double> usd_per_mtok_output_all_in;  // when the chip's TCO is known
};

struct Row {
  std::string chip;
  std::string name;
  std::string vendor;
  bool domestic = false;
  bool in_report_set = false;
  std::string status = "ok";          // "ok", "insufficient data: PATH", or the search's outcome
  std::vector<std::string> missing;   // every missing path met (perf, power, price, region)
  std::string perf_status = "ok";     // the search's status
  std::optional<perf::PerfResult> perf;  // best deployment under the targets
  std::optional<Throughput> throughput;
  std::optional<PowerInputs> power;
  std::optional<double> tps_per_watt;
  std::optional<double> tps_per_chip_watt;  // per watt of accelerator TDP (no host, no PUE)
  std::optional<Usd> price;
  std::optional<double> tps_per_watt_per_kusd;
  std::optional<TcoInputs> tco_inputs;
  std::optional<TcoResult> tco;
  std::optional<TokenCosts> costs;
  std::vector<FrontierPoint> frontier;
  [[nodiscard]] bool ok() const { return status == "ok"; }
};

struct TableOptions {
  std::string region = "cn";
  std::string model;
  std::string workload = "chat";
  std::vector<std::string> chips;  // empty: the report's set, then every other chip with data
  int threads = 0;                 // 0: all cores
  bool frontier = true;
};

struct EconTable {
  std::string region;
  std::string currency;
  double fx_per_usd = 1;
  std::string model;
  std::string workload;
  std::optional<double> ttft_target_s;
  std::optional<double> tpot_target_s;
  std::vector<Row> rows;
  [[nodiscard]] const Row* find(std::string_view chip) const;
};

// The chips a default table shows: the report's set, then every other
// catalog chip whose memory and compute are known (so a search can run).
std::vector<std::string> default_chips(const catalog::Catalog& cat, const ParamTable& p);

// The fraction of chip-time spent on prefill at an operating point: prefill
// device-seconds (input tokens actually computed / prefill rate of a chip)
// per chip-second; in disaggregated serving, the prefill pool's share of chips.
double prefill_share(const perf::PerfResult& r, const Workload& w);

// A memo of deployment searches for one analysis run (Monte Carlo, sensitivity,
// goal seek): a sample that leaves every input of a chip's search unchanged
// reuses it, and only the money side is recomputed. Owned by the caller.
class SearchCache {
 public:
  [[nodiscard]] std::optional<perf::SearchResult> find(const std::string& key) const;
  void put(const std::string& key, const perf::SearchResult& r);

 private:
  mutable std::mutex mu_;
  std::map<std::string, perf::SearchResult> map_;
};

// Every value a search reads: the chip's, its stack's, the model's and the
// workload's parameters (prices and power excluded), and the search options.
// perf::search as econ and score read it: missing data becomes the status
// "insufficient data: PATH" instead of an exception, and a no-fit caused by
// missing link data names that path (explain_no_fit).
perf::SearchResult search_or_status(const ChipSpec& chip, const ModelSpec& model, const Workload& w, const perf::SearchOptions& so);

std::string search_key(const ParamTable& p, const ChipSpec& chip, const ModelSpec& model, const Workload& w,
                       const perf::SearchOptions& so);

EconTable build_table(const catalog::Catalog& cat, const ParamTable& p, const TableOptions& opt,
                      SearchCache* cache = nullptr);

// Recomputes the money side of a row (TCO and token costs) for other
// parameters, keeping its throughput: economics parameters do not move the
// performance search. Used by crossovers and the compiled metrics.
void reprice_row(const catalog::Catalog& cat, const ParamTable& p, const std::string& region, Row& row);

// A crossover: the value of one parameter at which `chip`'s all-in cost per
// million output tokens equals `reference`'s (bisection over [lo, hi]).
struct Crossover {
  std::string chip;
  std::string reference;
  std::string param;
  std::string unit;
  double base_value = 0;               // the parameter's value now
  std::optional<double> value;         // where they cross (none: no crossing in the range)
  double lo = 0, hi = 0;
  double chip_cost_at_base = 0, reference_cost_at_base = 0;
};
Crossover crossover(const catalog::Catalog& cat, const ParamTable& p, const EconTable& table, const std::string& chip,
                    const std::string& reference, const std::string& param, double lo, double hi);

// The electricity-price parameter the chip's sites pay in the region.
std::string site_electricity_param(const ParamTable& p, const ChipSpec& chip, const std::string& region);

}  // namespace gpugap::econ
