// Bottom-up token demand: daily tokens served in China (sourced where public,
// flagged estimates otherwise) and their growth, the mix of models and
// workloads -> output tokens/s to serve -> accelerators needed at the
// predicted tokens/s per chip and a utilisation -> accelerator spend, shown
// beside the capex-based TAM of the market model, with the inference/training
// split. Pure functions; see docs/model-gap.md.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "market/model.hpp"
#include "score/inference.hpp"

namespace gpugap::gap {

inline constexpr double kSecondsPerDay = 86400.0;
using market::kDaysPerYear;
struct DemandSettings {
  std::map<int, double> daily_tokens;           // year -> tokens/day, year-end run rate (input + output)
  double output_share = 0;                      // output tokens / all tokens (market::TokenBook's, sourced traffic data)
  double prefix_cache_hit = 0;                  // input tokens served from a prefix cache: no prefill work (TokenBook's)
  double prior_daily_tokens = 0;                // year-end run rate of the year before the first
  std::map<std::string, double> workload_mix;   // share of tokens by workload (normalised)
  std::map<std::string, double> model_mix;      // share of tokens by model (normalised)
  double utilisation = 0;                       // average load / serving capacity
  std::map<int, double> inference_share;        // inference share of AI accelerator demand
  double life_years = 0;                        // accelerator life (replacement = 1/life per year)
  std::string region = "cn";
  std::string fleet_chip;                       // "" = per year, the cheapest capacity (see docs)
};
DemandSettings demand_settings(const ParamTable& p, const std::string& region = "cn");

// demand_settings resolved to indices once (it throws as demand_settings on
// the table it is built from): a compiled Monte Carlo reads each sample's
// settings from its value vector.
class DemandSettingsReader {
 public:
  explicit DemandSettingsReader(const ParamTable& p, const std::string& region = "cn");
  [[nodiscard]] DemandSettings read(std::span<const double> v) const;

 private:
  using Named = std::vector<std::pair<std::string, ParamIndex>>;
  std::string region_;
  std::vector<std::pair<int, ParamIndex>> daily_, inference_;
  ParamIndex prior_ = 0, utilisation_ = 0, life_ = 0, output_share_ = 0, prefix_hit_ = 0;
  Named workload_mix_, model_mix_;
};

// One candidate fleet chip in one year: its effective tokens/s on the mix.
struct FleetCandidate {
  std::string chip;
  score::Figure effective_tps;        // output tokens/s per chip on the mix (token-weighted harmonic mean,
                                      // prefill time cut by the prefix-cache hit share)
  std::optional<double> price_usd;
  score::Figure usd_per_tps;          // capex per output token/s of capacity
};

struct DemandYear {
  int year = 0;
  double tokens_per_day = 0;
  double output_tokens_per_s = 0;     // average
  std::string chip;                   // the fleet chip of the year ("supply mix (n SKUs)" for the supply model's)
  std::vector<std::string> fleet_skus;  // the supply model's SKUs in the year's purchases
  score::Figure chip_tps;             // its effective output tokens/s on the mix
  score::Figure chips_needed;         // installed accelerators to serve the year-end run rate (at the installed
                                      // fleet's mean tokens/s when the supply model gives it)
  score::Figure chips_bought;         // growth + replacement, in that year's chip
  score::Figure spend_usd_bn;         // chips bought x price
  score::Figure usd_per_tps;          // capex per output token/s of the year's purchases
  score::Figure capex_usd_per_mtok;   // capex per million output tokens over the chip's life: of the installed
                                      // fleet (every vintage in service) when the supply model gives it, else of
                                      // the year's chip
  // The installed domestic fleet: the supply model's chips of every vintage in
  // service, each SKU at its own effective tokens/s (none without supply).
  score::Figure fleet_chips;          // chips in service
  score::Figure fleet_tps;            // their output tokens/s at full load
  score::Figure fleet_coverage;       // fleet_tps x utilisation / output tokens/s demanded (average)
  score::Figure implied_total_usd_bn; // spend / inference share
  std::optional<double> tam_usd_bn;   // market.tam_usd_bn.<year> (beside, not an input)
  std::optional<double> domestic_usd_bn;
  score::Figure tam_ratio;            // implied total / TAM
};

struct DemandResult {
  DemandSettings settings;
  std::string model_note;
  std::vector<DemandYear> years;
  std::map<int, std::vector<FleetCandidate>> candidates;  // by year
  std::vector<std::string> notes;
};

// `market`: the market model's TAM and domestic market per year, shown beside
// (none when the market model cannot run). `specs` (of `p`) gives the chip and
// workload specs when given; otherwise they are built here.
DemandResult demand(const catalog::Catalog& cat, const ParamTable& p, const DemandSettings& s,
                    const score::EconomicsSource& src, const std::optional<market::Totals>& market,
                    const score::SpecBook* specs = nullptr);

}  // namespace gpugap::gap
