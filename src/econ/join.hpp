// The one join of perf and econ: a chip's best deployment under the workload's
// latency targets (perf::search, memoised in one SearchCache keyed by
// perf::search_key) and the token economics of that deployment in a region.
// The econ table, the vendor scorecard and the gap analysis all read it.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/status.hpp"
#include "econ/econ.hpp"
#include "perf/perf.hpp"

namespace gpugap::econ {

struct FrontierPoint {
  double tokens_per_s_per_user = 0;
  double output_tps_per_chip = 0;
  std::optional<double> usd_per_mtok_output_all_in;  // when the chip's TCO is known
};

// The parameter path that each part of the money side missed ("" when it has data).
struct MoneyMissing {
  std::string power, price, tco;
};

struct Row {
  std::string chip;
  std::string name;
  std::string vendor;
  bool domestic = false;
  bool in_report_set = false;
  std::string stack;      // the chip's vendor stack
  ServingStack serving;   // the serving stack its search ran on (perf/serving.hpp)
  std::string status = "ok";          // "ok", "insufficient data: PATH", or the search's outcome
  Missing missing;                    // every missing path met (perf, power, price, region), in order
  MoneyMissing money_missing;
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

// A memo of deployment searches for one analysis run (Monte Carlo,
// sensitivity, goal seek, a report): a search whose inputs are unchanged
// (equal perf::search_key) is reused, and only the money side is recomputed.
// Thread-safe; owned by the caller.
class SearchCache {
 public:
  [[nodiscard]] std::optional<perf::SearchResult> find(const std::string& key) const;
  void put(const std::string& key, const perf::SearchResult& r);

 private:
  mutable std::mutex mu_;
  std::map<std::string, perf::SearchResult> map_;
};

// perf::search as econ, score and gap read it: missing data becomes the status
// "insufficient data: PATH" instead of an exception, and a no-fit caused by
// missing link data names that path (explain_no_fit).
perf::SearchResult search_or_status(const ChipSpec& chip, const ModelSpec& model, const Workload& w,
                                    const perf::SearchOptions& so);

// The search options of the join: the model's catalog MTP acceptance, the
// frontier when asked for, the width cap (0: the chip's domain).
perf::SearchOptions join_options(const ParamTable& p, const ModelSpec& model, bool frontier, int max_width = 0);

// What the money side reads besides the chip: the catalog (systems), the
// parameters, the region and its economics parameters.
struct Money {
  const catalog::Catalog& cat;
  const ParamTable& p;
  const RegionSpec& region;
  const EconParams& ep;
};

// THE join: the cached search (`cache` may be null: no memo), then the money
// side. The row's identity fields (chip, name, vendor, domestic) are filled;
// in_report_set is the caller's.
Row join(const Money& money, const ChipSpec& chip, const ModelSpec& model, const Workload& w,
         const perf::SearchOptions& so, SearchCache* cache);

// Recomputes the money side of a row (power, price, TCO, costs, frontier costs).
void price_row(const Money& money, const ChipSpec& chip, Row& row);

// The fraction of chip-time spent on prefill at an operating point: prefill
// device-seconds (input tokens actually computed / prefill rate of a chip)
// per chip-second; in disaggregated serving, the prefill pool's share of chips.
double prefill_share(const perf::PerfResult& r, const Workload& w);


}  // namespace gpugap::econ
