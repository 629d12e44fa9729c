// The shipped 80% prediction intervals (data/intervals/perf-intervals.csv): the interval
// table `validate --folds-by source --intervals-out` builds from leave-one-publication-out
// residuals (intervals.hpp), written with its provenance and read back by perf, econ and
// score (implemented in intervals.cpp). `make intervals` regenerates it; the tests only read it.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "perf/intervals.hpp"

namespace gpugap::perf {

// The table and where it came from (the file's '#' header lines).
struct IntervalFile {
  IntervalTable table;
  std::string path;     // as read
  std::string command;  // the validate command that wrote it
  std::string date;     // YYYY-MM-DD (UTC) of that run
  std::vector<std::string> measurement_files;
};

// The CSV: '#' provenance lines, then basis,family,stack,metric,residuals,p10,p90,widen
// (basis "group" with family and stack, or "pooled" with both empty and widen the factor).
std::string intervals_csv(const IntervalTable& t, const std::string& command, const std::vector<std::string>& files,
                          const std::string& date);
// Reads one; UserError (exit 2) naming the file, line and column of anything malformed.
IntervalFile read_intervals(const std::string& path);

// Where perf, econ and score look: $GPUGAP_INTERVALS when set, else
// data/intervals/perf-intervals.csv of the source tree.
std::string intervals_path();
// That file; nullopt when the default file is absent (a set $GPUGAP_INTERVALS must exist).
std::optional<IntervalFile> shipped_intervals();

// The leave-one-publication-out headline `validate --folds-by source --summary-out` writes
// beside the table (data/intervals/lopo-summary.json; $GPUGAP_VALIDATION_SUMMARY when set):
// the report's validation section reads it rather than refitting for minutes.
std::string lopo_summary_path();
// nullopt when the default file is absent; UserError (file, byte) when it is not JSON or
// lacks the headline's keys.
std::optional<nlohmann::json> read_lopo_summary(const std::string& path);

// The 80% interval of one predicted figure: [p10, p90] of what would be measured.
struct PointInterval {
  double p10 = 0, p90 = 0;
  std::string basis;  // "<family>/<stack> group, N residuals" or "pooled across families, widened xF"
  bool ok = false;    // false: no residual of the metric anywhere
};
// Of a prediction `point` of `metric` (ttft_ms, tpot_ms, output_tps_per_chip, input_tps_per_chip)
// for a chip of (family, stack).
PointInterval interval_of(const IntervalTable& t, const std::string& family, const std::string& stack, const std::string& metric,
                          double point);
// The interval of a figure inversely proportional to the one `iv` bounds (cost per token
// from tokens/s): `point` is that figure's value, `base` the bounded one's.
PointInterval inverse_interval(const PointInterval& iv, double base, double point);
// A figure proportional to the bounded one (tokens/s per watt from tokens/s).
PointInterval scaled_interval(const PointInterval& iv, double base, double point);

}  // namespace gpugap::perf
