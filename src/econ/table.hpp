// The econ comparison table: per chip, the best deployment from the
// performance engine's search under the workload's latency targets, then the
// chip's TCO in a region and the token economics that follow. Rows with
// missing data are kept, with the first missing parameter path as status.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/scenario.hpp"
#include "econ/join.hpp"

namespace gpugap::econ {

// The report's chip set, in the report's order: the scenario's `report_chips`
// (the first scenario of its `extends` chain that gives the list; empty when
// none does). ms-2025 lists the chips the Morgan Stanley report compares.
std::vector<std::string> report_chips(const analysis::Context& ctx);

struct TableOptions {
  std::string region = "cn";
  std::string model;
  std::string workload = "chat";
  std::vector<std::string> chips;  // empty: the report's set, then every other chip with data
  std::vector<std::string> report_set;  // the report's chip set (report_chips), flagged in the rows
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
std::vector<std::string> default_chips(const catalog::Catalog& cat, const ParamTable& p,
                                       const std::vector<std::string>& report_set);

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
