// Token economics: total cost of ownership per chip-hour, and from a
// throughput the cost per million tokens, tokens/s per watt and per watt per
// dollar. Pure functions: specs and parameters in, a result with its
// breakdown out. Every input carries the parameter path it was read from.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "catalog/specs.hpp"
#include "core/units.hpp"

namespace gpugap::econ {

inline constexpr double kTokensPerMillion = 1e6;
inline constexpr double kWattsPerKilowatt = 1e3;
inline constexpr double kUsdPerKusd = 1e3;

// One TCO input: its value (SI, money in USD), display unit and where it came from.
struct Input {
  std::string name;   // "pue", "chip_price", ...
  double value = 0;
  std::string unit;   // "USD", "W", "USD/kWh", "1/yr", ...
  std::string path;   // parameter path, or a derivation naming its paths
};

// The perf search costs only single-chip instances when a chip lacks a
// scale-up link figure; a model too large for one chip then reads "no
// deployment fits in memory". This names the missing parameter instead, so
// the row says "insufficient data: PATH" rather than implying the chip
// cannot serve the model (nullopt when the link data is complete).
std::optional<std::string> missing_link_path(const ChipSpec& chip);
// `status` of a search that found nothing, rewritten as above when it applies.
std::string explain_no_fit(const ChipSpec& chip, const std::string& status);

// Where a chip's power per chip comes from.
enum class PowerBasis {
  kSystem,    // systems.<id>.power / chips_per_domain: accelerator + host + in-rack network
  kChipTdp,   // chips.<id>.power.tdp * (1 + regions.<r>.host_power_fraction)
};
std::string_view power_basis_name(PowerBasis b);

// The per-chip power side (no money): enough for TPS per watt.
struct PowerInputs {
  Watts chip_tdp{0};      // accelerator nameplate; 0 when only a system figure is known
  Watts it_power{0};      // accelerator + its share of host IT power, nameplate
  PowerBasis basis = PowerBasis::kChipTdp;
  double utilisation = 0; // average fraction of nameplate IT power drawn while serving
  double pue = 0;
  std::vector<Input> trace;
  // Average power at the wall (facility), per chip.
  [[nodiscard]] Watts wall_power() const { return it_power * (utilisation * pue); }
};

// Everything the TCO needs, resolved for one chip in one region.
struct TcoInputs {
  Usd chip_price{0};
  PowerInputs power;
  double server_overhead_fraction = 0;  // non-accelerator server capex / accelerator capex
  double network_fraction = 0;          // network capex / accelerator capex
  double depreciation_years = 0;        // IT equipment life
  double cost_of_capital = 0;           // per year
  Usd datacenter_capex_per_kw{0};       // per kW of IT load
  double datacenter_years = 0;          // facility life
  double operations_fraction = 0;       // per year, of IT capex
  UsdPerJoule electricity{0};           // price this chip's site pays
  double fx_per_usd = 1;                // region currency per USD (display only)
  std::string currency = "USD";
  std::vector<Input> trace;             // money inputs (the power inputs are in power.trace)
};

struct CostItem {
  std::string name;       // chip, server, network, datacenter, energy, operations
  UsdPerSecond rate{0};
  std::string basis;      // how it was computed, in words
  [[nodiscard]] double usd_per_hour() const { return rate.value() * kSecondsPerHour; }
};

struct TcoResult {
  UsdPerSecond total{0};
  Usd it_capex{0};          // accelerator + server + network
  Usd datacenter_capex{0};  // facility build for this chip's IT power
  Watts wall_power{0};      // average, incl. PUE
  double it_crf = 0;        // capital-recovery factors (per year)
  double dc_crf = 0;
  std::vector<CostItem> breakdown;
  [[nodiscard]] double usd_per_hour() const { return total.value() * kSecondsPerHour; }
  [[nodiscard]] double item_usd_per_hour(std::string_view name) const;
};

// Capital-recovery factor: the level annual payment per unit of capital over
// `years` at `rate` per year (1/years when rate is 0).
double capital_recovery_factor(double rate, double years);

// The TCO of one chip-hour. Throws UserError on inputs out of range.
TcoResult tco(const TcoInputs& in);

// Region-level economics parameters beyond RegionSpec (paths regions.<r>.*).
struct EconParams {
  std::string region;
  std::optional<double> electricity_foreign_usd_per_kwh;  // sites with non-domestic chips
  std::optional<double> network_fraction;
  std::optional<double> host_power_fraction;
  bool has_foreign_price_param = false;  // the region distinguishes chip origin
};
EconParams econ_params(const ParamTable& p, const RegionSpec& region);

// Resolves the power side (throws InsufficientData(path) when a value is null).
PowerInputs power_inputs(const catalog::Catalog& cat, const ParamTable& p, const ChipSpec& chip,
                         const RegionSpec& region, const EconParams& ep);
// Resolves every TCO input (throws InsufficientData(path) for the first null).
TcoInputs tco_inputs(const catalog::Catalog& cat, const ParamTable& p, const ChipSpec& chip,
                     const RegionSpec& region, const EconParams& ep);
// Convenience: resolve and compute.
TcoResult tco(const catalog::Catalog& cat, const ParamTable& p, const ChipSpec& chip, const RegionSpec& region);

// Throughput at an operating point, from the performance engine.
struct Throughput {
  double output_tps = 0;     // output tokens/s per chip
  double input_tps = 0;      // input (prefill) tokens/s per chip
  double prefill_share = 0;  // fraction of chip-time spent on prefill (0..1)
};

// Cost per token. The chip-hour is split between input and output tokens by
// the share of device-time each phase uses (prefill vs decode).
struct TokenCosts {
  double usd_per_mtok_output = 0;         // decode share of the chip-hour / output tokens
  double usd_per_mtok_input = 0;          // prefill share of the chip-hour / input tokens
  double usd_per_mtok_output_all_in = 0;  // the whole chip-hour / output tokens (perf-model.md)
  double joules_per_output_token = 0;     // wall energy (incl. PUE) / output tokens, all-in
  double tps_per_watt = 0;                // output tokens/s per wall watt
};
TokenCosts token_costs(const TcoResult& tco, const Throughput& t);
// tokens/s per watt only (no money): output_tps / wall power.
double tps_per_watt(const PowerInputs& p, double output_tps);

}  // namespace gpugap::econ
