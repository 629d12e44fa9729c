// The shipped 80% prediction intervals (perf/interval_file.hpp) as perf, econ and score
// show them: {"p10", "p90", "basis"} beside each predicted figure. Monte Carlo ranges
// elsewhere (score --samples, the report's uncertainty section) stay p5/p95.
// Implemented at the end of commands_perf.cpp.
#pragma once

#include <optional>
#include <string>

#include "cli/cli.hpp"
#include "perf/interval_file.hpp"

namespace gpugap::cli {

// The interval table and a line saying where it came from; without the file, `note` says
// "insufficient data: PATH" and every interval is null. A malformed file throws UserError.
struct ShownIntervals {
  std::optional<perf::IntervalFile> file;
  std::string note;   // the file, its date and the command that wrote it (JSON "source")
  std::string label;  // the file and its date (table titles)
};
ShownIntervals shown_intervals();

// The figures the intervals bound, of one chip's prediction (NaN: not predicted).
struct PredictedFigures {
  double ttft_ms = std::nan("");
  double tpot_ms = std::nan("");
  double output_tps_per_chip = std::nan("");
};

// {"p10", "p90", "basis"} or null.
nlohmann::json interval_json(const perf::PointInterval& iv);
// The output tok/s, TPOT and TTFT intervals of a chip of (family, stack).
perf::PointInterval figure_interval(const ShownIntervals& s, const std::string& family, const std::string& stack,
                                    const std::string& metric, double point);
// {"level": 0.8, "source", "ttft_ms", "tpot_ms", "output_tps_per_chip"} for perf's JSON.
nlohmann::json perf_intervals_json(const ShownIntervals& s, const std::string& family, const std::string& stack,
                                   const PredictedFigures& f);
// The table perf prints under its figures.
Table perf_intervals_table(const ShownIntervals& s, const std::string& family, const std::string& stack, const PredictedFigures& f);
// "p10-p90" of an interval for a table cell ("-" when none).
std::string interval_cell(const perf::PointInterval& iv, int sig = 3);
// The family and stack a chip's interval is looked up by (catalog::chip_family, the chip's stack).
struct IntervalKey {
  std::string family, stack;
};
IntervalKey interval_key(const analysis::Context& ctx, const ChipSpec& chip);
IntervalKey interval_key(const analysis::Context& ctx, const std::string& chip_id);

inline constexpr const char* kIntervalTitle =
    "80% intervals (p10-p90 of what would be measured, from leave-one-publication-out residuals; Monte Carlo ranges "
    "elsewhere are p5/p95)";

}  // namespace gpugap::cli
