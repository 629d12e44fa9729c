#include <fmt/format.h>

#include <cmath>

#include "core/status.hpp"
#include "econ/econ.hpp"

namespace gpugap::econ {
namespace {

constexpr double kSecondsPerYear = kHoursPerYear * kSecondsPerHour;
constexpr double kSmallRate = 1e-6;

double need(const std::optional<double>& v, const std::string& path) {
  if (!v) throw InsufficientData(path);
  return *v;
}

// A parameter that exists and is null is missing data; one that does not exist is not asked for.
std::optional<double> energy_price_usd(const ParamTable& p, const std::string& path) {
  auto i = p.find(path);
  if (!i) return std::nullopt;
  const Param& ep = p.at(*i);
  if (ep.is_null) throw InsufficientData(path);
  double v = ep.value;
  if (ep.currency == Currency::kRmb) {
    auto fx = p.maybe("regions.cn.fx_per_usd");
    if (!fx) throw InsufficientData("regions.cn.fx_per_usd");
    v /= *fx;
  }
  return v;
}

void check(bool ok, const std::string& path, const std::string& expected, double found) {
  if (!ok) throw UserError(Location{"", 0, path}, expected, fmt::format("{}", found));
}

std::string path_of(const std::vector<Input>& trace, std::string_view name) {
  for (const auto& i : trace)
    if (i.name == name) return i.path;
  return std::string(name);
}

}  // namespace

std::optional<std::string> missing_link_path(const ChipSpec& chip) {
  // Same conditions as perf::search's single-chip fallback.
  if (!chip.scaleup_domain) return chip.path("scaleup.domain_size");
  if (!chip.scaleup_bandwidth) return chip.path("scaleup.bandwidth");
  if (!chip.eta_comm) return chip.stack.empty() ? chip.path("software.eta_comm") : "stacks." + chip.stack + ".eta_comm";
  return std::nullopt;
}

std::string explain_no_fit(const ChipSpec& chip, const std::string& status) {
  if (status != "no deployment fits in memory") return status;
  if (auto path = missing_link_path(chip)) return insufficient_data_text(*path);
  return status;
}

std::string_view power_basis_name(PowerBasis b) {
  switch (b) {
    case PowerBasis::kSystem: return "system";
    case PowerBasis::kChipTdp: return "chip_tdp";
  }
  return "?";
}

double TcoResult::item_usd_per_hour(std::string_view name) const {
  for (const auto& c : breakdown)
    if (c.name == name) return c.usd_per_hour();
  return 0.0;
}

double capital_recovery_factor(double rate, double years) {
  if (years <= 0) throw InternalError("capital_recovery_factor: years must be positive");
  // Near zero the closed form cancels badly; its series 1/N + i/2 + O(i^2) is exact to ~1e-13 here.
  if (std::abs(rate) < kSmallRate) return 1.0 / years + rate / 2.0;
  const double g = std::pow(1.0 + rate, years);
  return rate * g / (g - 1.0);
}

EconParams econ_params(const ParamTable& p, const RegionSpec& region) {
  EconParams e;
  e.region = region.id;
  const std::string foreign = region.path("electricity_price_foreign_chips");
  e.has_foreign_price_param = p.find(foreign).has_value();
  if (e.has_foreign_price_param && !p.at(foreign).is_null) e.electricity_foreign_usd_per_kwh = energy_price_usd(p, foreign);
  e.network_fraction = p.maybe(region.path("network_fraction"));
  e.host_power_fraction = p.maybe(region.path("host_power_fraction"));
  return e;
}

PowerInputs power_inputs(const catalog::Catalog& cat, const ParamTable& p, const ChipSpec& chip,
                         const RegionSpec& region, const EconParams& ep) {
  PowerInputs out;
  out.utilisation = need(region.utilisation, region.path("utilisation"));
  out.pue = need(region.pue, region.path("pue"));
  check(out.utilisation > 0 && out.utilisation <= 1, region.path("utilisation"), "a fraction in (0, 1]", out.utilisation);
  check(out.pue >= 1, region.path("pue"), "a PUE >= 1", out.pue);
  out.trace.push_back({"utilisation", out.utilisation, "fraction", region.path("utilisation")});
  out.trace.push_back({"pue", out.pue, "ratio", region.path("pue")});
  if (chip.tdp) out.chip_tdp = *chip.tdp;

  // A catalog system built from this chip gives the measured power per chip
  // including its host and in-rack network: preferred over TDP * factor.
  for (const auto& sid : cat.ids("systems")) {
    const SystemSpec s = system_spec(cat, p, sid);
    if (s.chip != chip.id || !s.power || !s.chips_per_domain || *s.chips_per_domain <= 0) continue;
    out.basis = PowerBasis::kSystem;
    out.it_power = *s.power / static_cast<double>(*s.chips_per_domain);
    out.trace.push_back({"it_power", out.it_power.value(), "W",
                         fmt::format("systems.{0}.power / systems.{0}.chips_per_domain ({1})", sid, *s.chips_per_domain)});
    return out;
  }
  const Watts tdp = chip.need_tdp();
  const double host = need(ep.host_power_fraction, region.path("host_power_fraction"));
  check(host >= 0, region.path("host_power_fraction"), "a non-negative fraction", host);
  out.basis = PowerBasis::kChipTdp;
  out.it_power = tdp * (1.0 + host);
  out.trace.push_back({"chip_tdp", tdp.value(), "W", chip.path("power.tdp")});
  out.trace.push_back({"host_power_fraction", host, "fraction", region.path("host_power_fraction")});
  out.trace.push_back({"it_power", out.it_power.value(), "W",
                       fmt::format("{} * (1 + {})", chip.path("power.tdp"), region.path("host_power_fraction"))});
  return out;
}

TcoInputs tco_inputs(const catalog::Catalog& cat, const ParamTable& p, const ChipSpec& chip, const RegionSpec& region,
                     const EconParams& ep) {
  TcoInputs in;
  in.power = power_inputs(cat, p, chip, region, ep);
  in.chip_price = chip.need_price(region.id);
  in.trace.push_back({"chip_price", in.chip_price.value(), "USD", chip.path("price." + region.id)});
  auto take = [&](const std::optional<double>& v, const char* field, const char* unit) {
    const double x = need(v, region.path(field));
    in.trace.push_back({field, x, unit, region.path(field)});
    return x;
  };
  in.server_overhead_fraction = take(region.server_overhead_fraction, "server_overhead_fraction", "fraction");
  in.network_fraction = take(ep.network_fraction, "network_fraction", "fraction");
  in.depreciation_years = take(region.depreciation_years, "depreciation_years", "years");
  in.cost_of_capital = take(region.cost_of_capital, "cost_of_capital", "1/yr");
  in.datacenter_capex_per_kw =
      Usd(take(region.datacenter_capex_per_kw ? std::optional<double>(region.datacenter_capex_per_kw->value()) : std::nullopt,
               "datacenter_capex_per_kw", "USD/kW"));
  in.datacenter_years = take(region.datacenter_years, "datacenter_years", "years");
  in.operations_fraction = take(region.operations_fraction, "operations_fraction", "1/yr");
  // Sites running imported chips may pay a different (unsubsidised) price.
  double kwh_price = 0;
  std::string kwh_path;
  if (!chip.domestic() && ep.has_foreign_price_param) {
    kwh_path = region.path("electricity_price_foreign_chips");
    kwh_price = need(ep.electricity_foreign_usd_per_kwh, kwh_path);
  } else {
    kwh_path = region.path("electricity_price");
    kwh_price = need(region.electricity_usd_per_kwh, kwh_path);
  }
  in.trace.push_back({"electricity_price", kwh_price, "USD/kWh", kwh_path});
  in.electricity = UsdPerJoule(kwh_price / kJoulesPerKwh);
  if (region.fx_per_usd) in.fx_per_usd = *region.fx_per_usd;
  in.currency = region.currency.empty() ? "USD" : region.currency;
  return in;
}

TcoResult tco(const TcoInputs& in) {
  auto path = [&](std::string_view n) { return path_of(in.trace, n); };
  check(in.chip_price.value() > 0, path("chip_price"), "a positive chip price", in.chip_price.value());
  check(in.server_overhead_fraction >= 0, path("server_overhead_fraction"), "a non-negative fraction", in.server_overhead_fraction);
  check(in.network_fraction >= 0, path("network_fraction"), "a non-negative fraction", in.network_fraction);
  check(in.depreciation_years > 0, path("depreciation_years"), "a positive number of years", in.depreciation_years);
  check(in.datacenter_years > 0, path("datacenter_years"), "a positive number of years", in.datacenter_years);
  check(in.cost_of_capital > -1, path("cost_of_capital"), "a rate above -100%", in.cost_of_capital);
  check(in.operations_fraction >= 0, path("operations_fraction"), "a non-negative fraction", in.operations_fraction);
  check(in.electricity.value() >= 0, path("electricity_price"), "a non-negative price", in.electricity.value() * kJoulesPerKwh);
  check(in.power.it_power.value() > 0, "it_power", "a positive power per chip", in.power.it_power.value());

  TcoResult r;
  const Seconds year(kSecondsPerYear);
  r.it_crf = capital_recovery_factor(in.cost_of_capital, in.depreciation_years);
  r.dc_crf = capital_recovery_factor(in.cost_of_capital, in.datacenter_years);
  const Usd server = in.chip_price * in.server_overhead_fraction;
  const Usd network = in.chip_price * in.network_fraction;
  r.it_capex = in.chip_price + server + network;
  r.datacenter_capex = in.datacenter_capex_per_kw * (in.power.it_power.value() / kWattsPerKilowatt);
  r.wall_power = in.power.wall_power();

  const std::string crf = fmt::format("CRF({:g}/yr, {:g} yr) = {:.4f}/yr", in.cost_of_capital, in.depreciation_years, r.it_crf);
  r.breakdown.push_back({"chip", in.chip_price * r.it_crf / year, fmt::format("chip price {:.0f} USD x {}", in.chip_price.value(), crf)});
  r.breakdown.push_back({"server", server * r.it_crf / year,
                         fmt::format("{:g} x chip price x {}", in.server_overhead_fraction, crf)});
  r.breakdown.push_back({"network", network * r.it_crf / year, fmt::format("{:g} x chip price x {}", in.network_fraction, crf)});
  r.breakdown.push_back({"datacenter", r.datacenter_capex * r.dc_crf / year,
                         fmt::format("{:.0f} USD/kW x {:.3f} kW IT x CRF({:g}/yr, {:g} yr) = {:.4f}/yr",
                                     in.datacenter_capex_per_kw.value(), in.power.it_power.value() / kWattsPerKilowatt,
                                     in.cost_of_capital, in.datacenter_years, r.dc_crf)});
  r.breakdown.push_back({"energy", r.wall_power * in.electricity,
                         fmt::format("{:.0f} W IT x {:g} utilisation x {:g} PUE x {:.4f} USD/kWh", in.power.it_power.value(),
                                     in.power.utilisation, in.power.pue, in.electricity.value() * kJoulesPerKwh)});
  r.breakdown.push_back({"operations", r.it_capex * in.operations_fraction / year,
                         fmt::format("{:g}/yr x IT capex {:.0f} USD", in.operations_fraction, r.it_capex.value())});
  for (const auto& c : r.breakdown) r.total += c.rate;
  return r;
}

TcoResult tco(const catalog::Catalog& cat, const ParamTable& p, const ChipSpec& chip, const RegionSpec& region) {
  return tco(tco_inputs(cat, p, chip, region, econ_params(p, region)));
}

double tps_per_watt(const PowerInputs& p, double output_tps) {
  const double w = p.wall_power().value();
  if (w <= 0) throw InternalError("tps_per_watt: non-positive wall power");
  return output_tps / w;
}

TokenCosts token_costs(const TcoResult& tco, const Throughput& t) {
  if (!(t.output_tps > 0)) throw InternalError("token_costs: output throughput must be positive");
  if (t.prefill_share < 0 || t.prefill_share > 1) throw InternalError("token_costs: prefill share outside [0, 1]");
  if (t.prefill_share > 0 && !(t.input_tps > 0)) throw InternalError("token_costs: prefill time without input tokens");
  TokenCosts c;
  const double usd_per_s = tco.total.value();
  c.usd_per_mtok_output_all_in = usd_per_s / t.output_tps * kTokensPerMillion;
  c.usd_per_mtok_output = usd_per_s * (1.0 - t.prefill_share) / t.output_tps * kTokensPerMillion;
  c.usd_per_mtok_input = t.input_tps > 0 ? usd_per_s * t.prefill_share / t.input_tps * kTokensPerMillion : 0.0;
  c.joules_per_output_token = tco.wall_power.value() / t.output_tps;
  c.tps_per_watt = t.output_tps / tco.wall_power.value();
  return c;
}

}  // namespace gpugap::econ
