// The tables of validate and calibrate, and the markdown report of validate --doc
// (docs/validation.md): error summaries by metric and group, the fitted groups.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "perf/validation.hpp"

namespace gpugap::cli {

// Error tables of a set of predictions, and their JSON.
struct Tables {
  nlohmann::json j;
  std::vector<Table> tables;
  std::vector<std::string> titles;
  std::string markdown;
};

// Per metric, per group `by` (and group x metric); with `rows_table` one row per metric of each prediction.
Tables error_tables(const std::vector<perf::RowPrediction>& preds, const std::string& by, bool rows_table);
// 80% intervals per (family, stack, metric) from leave-one-publication-out predictions,
// the widening factor of the pooled ones and their nested coverage (perf/intervals.hpp).
Tables interval_tables(const std::vector<perf::RowPrediction>& heldout);
// Each publication's rows, how many were predicted (by a fit without it) and the |error| %
// of its predictions by metric (rows with an assumed isl left out), aligned rows[i] <-> heldout[i].
struct PublicationLine {
  std::size_t rows = 0, predicted = 0;
  std::map<std::string, std::vector<double>> abs_error_pct;  // by metric
};
std::map<std::string, PublicationLine> publication_lines(const std::vector<perf::Measurement>& rows,
                                                         const perf::CalibrationResult& by_source);
// The leave-one-publication-out headline as JSON (validate --summary-out writes it, the
// report's validation section reads it): rows predicted of rows, median |error| by metric,
// each publication's line (the AIC sample's on its own), the intervals' nested coverage.
nlohmann::json lopo_summary_json(const std::vector<perf::Measurement>& rows, const perf::CalibrationResult& by_source);
// The fitted groups, one row each (validate --doc and calibrate print the same table).
Table fit_table(const std::vector<perf::FitGroup>& groups);
std::string md_table(const Table& t);
// The wave share fitted per publication, as JSON.
nlohmann::json harness_json(const std::map<std::string, perf::HarnessFit>& h);

// docs/validation.md: held-out (by row and by model) and in-sample errors per file, the
// fitted groups, the wave shares, the skipped rows. `command` regenerates it.
std::string validation_markdown(const std::vector<std::string>& files, const std::vector<perf::Measurement>& rows,
                                const std::vector<perf::RowPrediction>& in_sample, const perf::CalibrationResult& cal,
                                const perf::CalibrationResult& cal_by_model, const perf::CalibrationResult& cal_by_source,
                                const perf::ValidateOptions& vo, const std::string& command);

}  // namespace gpugap::cli
