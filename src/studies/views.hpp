// Analyst views over metric paths: scenarios side by side (`gpugap compare`) and
// a two-way data table (`gpugap table2`, as Excel's data tables): one metric over
// a grid of two parameters' values.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "analysis/scenario.hpp"

namespace gpugap::studies {

struct Comparison {
  std::vector<std::string> scenarios;         // ids as loaded
  std::vector<std::string> metrics;
  std::vector<std::vector<double>> values;    // [metric][scenario]; NaN: the metric lacks data there
  std::vector<std::string> missing;           // "scenario: metric: insufficient data: PATH"
  nlohmann::json provenance;                  // analysis::provenance_stamp, "scenario": the list
};

// Each scenario loaded from the same catalog folders with the same overrides.
Comparison compare(const std::vector<std::string>& catalog_dirs, const std::vector<std::string>& scenarios,
                   const std::vector<std::string>& overrides, const std::vector<std::string>& metrics);
// The same, each scenario loaded by `load` (the report's: its catalog and overrides).
Comparison compare(const std::function<analysis::Context(const std::string&)>& load,
                   const std::vector<std::string>& scenarios, const std::vector<std::string>& metrics);
// The JSON of `gpugap compare` (shared/spec/cli.md), also the report's results.compare.
nlohmann::json to_json(const Comparison& c, const std::vector<std::string>& overrides);

// One axis of a data table: a parameter path and the values (with units) it takes.
struct Vary {
  std::string path;
  std::vector<std::string> values;
};

// "PATH=v1,v2,..." -> Vary (UserError naming `flag` when malformed).
Vary parse_vary(const std::string& text, const std::string& flag);

struct DataTable {
  std::string metric;
  Vary rows, cols;                         // cols empty (no path): a one-way table
  double base = 0;                         // the metric at the scenario's values
  std::vector<std::vector<double>> values; // [row][col]
};

// Every cell is the metric with the scenario plus `rows.path = rows.values[i]` and
// `cols.path = cols.values[j]`; each value passes the checks a --set does (range, unit).
// `scenario` as the user gave it (an id or a file): each value is checked by loading it.
DataTable table2(const analysis::Context& ctx, const std::vector<std::string>& catalog_dirs, const std::string& scenario,
                 const std::string& metric, const Vary& rows, const Vary& cols);
// The grid alone, for values known to be valid (the report's default table); a value
// that is not throws UserError from ParamTable::set_from_text.
DataTable table2_grid(const analysis::Context& ctx, const std::string& metric, const Vary& rows, const Vary& cols);
// The JSON of `gpugap table2`, also the report's results.table2; `provenance` stamps it.
nlohmann::json to_json(const DataTable& t, nlohmann::json provenance);

}  // namespace gpugap::studies
