// ECharts option builders. Each takes the data (never canned text), a title
// and axis names with units, and returns a Chart whose `data` table holds the
// same numbers (shown under the chart in HTML and written to XLSX).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "report/report.hpp"

namespace gpugap::report::charts {

// Colours: domestic (Chinese) vendors and NVIDIA/foreign parts are told apart.
inline constexpr const char* kDomestic = "#c0392b";
inline constexpr const char* kForeign = "#2e86c1";
inline constexpr const char* kNeutral = "#7f8c8d";
inline constexpr const char* kPublished = "#f39c12";

struct Axis {
  std::string name;  // with unit: "TAM (USD bn)"
  NumberFormat format = kOne;
  bool log = false;
};

struct Series {
  std::string name;
  std::vector<double> values;  // one per category; NaN = missing
  std::string color;           // empty: palette
  std::string stack;           // same non-empty stack -> stacked
  bool dashed = false;
};

// Bars by category; horizontal puts categories on the y axis.
// `point_colors` (optional, per category) colours bars of a single series.
Chart bar(std::string id, std::string title, std::string takeaway, const Axis& x, const Axis& y,
          const std::vector<std::string>& categories, const std::vector<Series>& series, bool horizontal = false,
          const std::vector<std::string>& point_colors = {});

// Lines over categories (usually years).
Chart line(std::string id, std::string title, std::string takeaway, const Axis& x, const Axis& y,
           const std::vector<std::string>& categories, const std::vector<Series>& series);

// A waterfall: the first step is the starting total, each next step a change
// (negative: a reduction), and the last bar the resulting total.
struct Step {
  std::string label;
  double value = 0;
  bool total = false;  // drawn from zero (start and end)
};
Chart waterfall(std::string id, std::string title, std::string takeaway, const Axis& y, const std::vector<Step>& steps);

// Points (x, y) per series, optionally joined (a Pareto frontier).
struct PointSeries {
  std::string name;
  std::vector<std::pair<double, double>> points;
  std::string color;
  bool joined = true;
};
Chart scatter(std::string id, std::string title, std::string takeaway, const Axis& x, const Axis& y,
              const std::vector<PointSeries>& series);

// Radar over named indicators, each with its maximum.
Chart radar(std::string id, std::string title, std::string takeaway, const std::vector<std::pair<std::string, double>>& indicators,
            const std::vector<Series>& series);

// Heat map: values[row][col]; rows on the y axis.
Chart heatmap(std::string id, std::string title, std::string takeaway, const Axis& x, const Axis& y,
              const std::vector<std::string>& cols, const std::vector<std::string>& rows,
              const std::vector<std::vector<double>>& values, double lo, double hi, const NumberFormat& f);

// Tornado: for each input, the metric at the low and at the high setting,
// drawn as bars from the base value; rows sorted by the caller (widest first).
struct TornadoRow {
  std::string label;   // parameter path
  double low = 0;      // metric with the input at its low setting
  double high = 0;     // metric with the input at its high setting
  std::string low_text;   // the input setting, e.g. "-20%"
  std::string high_text;
};
Chart tornado(std::string id, std::string title, std::string takeaway, const Axis& x, double base,
              const std::vector<TornadoRow>& rows);

// Fan chart: percentile bands over categories (years).
struct Fan {
  std::vector<double> p5, p25, p50, p75, p95, mean;  // p25/p75/mean may be empty
};
Chart fan(std::string id, std::string title, std::string takeaway, const Axis& x, const Axis& y,
          const std::vector<std::string>& categories, const Fan& fan,
          const std::vector<std::pair<std::string, std::vector<double>>>& overlays = {});

}  // namespace gpugap::report::charts
