// The thin command-line shell: parse arguments, call the library, render.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/scenario.hpp"
#include "core/output.hpp"

namespace gpugap::score {
struct Figure;
}  // namespace gpugap::score

namespace gpugap::cli {

// The built-in scenario (shared/spec/cli.md: --scenario's default).
inline constexpr std::string_view kDefaultScenario = "ms-2025";
inline constexpr std::string_view kAppDescription = "gpugap: economics of AI accelerators and of China's AI-chip industry";

struct Output;

struct Global {
  std::vector<std::string> catalogs;
  std::string scenario = std::string(kDefaultScenario);
  std::vector<std::string> sets;
  std::string format = "table";
  std::string out;
  int threads = 0;
  bool quiet = false;
  // --stack-backend of perf, search, econ, score and gap: the serving backend to evaluate
  // chips on ("" = each chip's default, perf/serving.hpp).
  std::string stack_backend;
  // Set by run_captured: emit() stores the command's Output there instead of writing it.
  Output* capture = nullptr;

  [[nodiscard]] std::vector<std::string> catalog_dirs() const;
  [[nodiscard]] analysis::Context context() const;
};

// What a command produced: JSON always; a table (or free text) for humans.
struct Output {
  nlohmann::json json;
  std::vector<Table> tables;
  std::vector<std::string> titles;  // one per table (may be empty)
  std::string text;                 // extra lines after the tables
  std::optional<Table> csv_table;   // which table CSV writes (default: first)
};

// Option checks for numbers where zero or a negative has no meaning (--tp, --samples,
// --ttft-ms...): an exit-2 "OPTION: expected ..., found '-1'", never a silent default.
CLI::Validator count_at_least(long long lo);
// Today's date, UTC, as YYYY-MM-DD (the default --date of calibrate and catalog import-hf).
std::string today_utc();
CLI::Validator positive_number();
// --stack-backend NAME (perf, search, econ, score, gap): stored in g.stack_backend.
void add_stack_option(CLI::App* cmd, Global& g);

void emit(const Global& g, const Output& out);

// The global options and every command, registered on `app` and bound to `g` (main.cpp).
void build_app(CLI::App& app, Global& g);
// Runs one command in this process, `args` as they follow "gpugap" on a command line: the
// Output the command would print is returned instead. Bad input throws UserError (a CLI
// parse error becomes one with the CLI's message) or InsufficientData, as the CLI's exit 2;
// the Python module (src/python) calls this, never the executable.
Output run_captured(const std::vector<std::string>& args);
// Throws UserError when `path` (given with `option`) lies inside a catalog folder this run reads.
void refuse_catalog_output(const Global& g, const std::string& path, const std::string& option);
std::string dump_json(const nlohmann::json& j);
// A finite number, or null (NaN/inf never reach JSON).
nlohmann::json json_number(double v);
// A score or gap figure: its value, or null when missing or not finite (commands_score.cpp).
nlohmann::json fig(const score::Figure& f);
// An optional whole number (a year, a rank), or null.
nlohmann::json opt_int(const std::optional<int>& v);
// Parses "1e6", "100000" as a whole number (a sample count); UserError naming `flag` otherwise.
std::uint64_t parse_count(const std::string& text, const std::string& flag);

// Each command file registers its subcommands.
void add_catalog_commands(CLI::App& app, Global& g);
void add_param_commands(CLI::App& app, Global& g);
void add_perf_commands(CLI::App& app, Global& g);
void add_simulate_command(CLI::App& app, Global& g);
void add_econ_commands(CLI::App& app, Global& g);
void add_market_commands(CLI::App& app, Global& g);
void add_analysis_commands(CLI::App& app, Global& g);
void add_score_commands(CLI::App& app, Global& g);
void add_report_commands(CLI::App& app, Global& g);
void add_gap_commands(CLI::App& app, Global& g);
void add_supply_commands(CLI::App& app, Global& g);
void add_view_commands(CLI::App& app, Global& g);
void add_serve_command(CLI::App& app, Global& g);

}  // namespace gpugap::cli
