// A report is a value: ordered sections, each with a title, a takeaway
// computed from the data, and items (text, typed tables, charts, notes that a
// part is not available). Renderers (HTML, XLSX, JSON) only format it, so the
// three outputs always show the same numbers.
#pragma once

#include <nlohmann/json.hpp>

#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace gpugap::analysis {
struct Context;
}

namespace gpugap::report {

// How a number is shown. Numbers stay numbers (XLSX cells, JSON values); the
// format only decides the display.
struct NumberFormat {
  int decimals = 1;
  bool percent = false;    // the value is a fraction: 0.76 shows as 76%
  bool thousands = true;   // 1,234
  bool integer_year = false;  // 2028 (no separator, no decimals)
  bool general = false;       // 6 significant digits (SI values of any size)
};

inline constexpr NumberFormat kInt{0, false, true, false, false};
inline constexpr NumberFormat kOne{1, false, true, false, false};
inline constexpr NumberFormat kTwo{2, false, true, false, false};
inline constexpr NumberFormat kThree{3, false, true, false, false};
inline constexpr NumberFormat kPct0{0, true, false, false, false};
inline constexpr NumberFormat kPct1{1, true, false, false, false};
inline constexpr NumberFormat kYear{0, false, false, true, false};
inline constexpr NumberFormat kGeneral{0, false, false, false, true};

// Text for a number in a format ("n/a" when not finite).
std::string format_number(double v, const NumberFormat& f);
// Excel number-format code for a format ("#,##0.0", "0%").
std::string excel_format(const NumberFormat& f);

struct Cell {
  enum class Kind { kEmpty, kText, kNumber };
  Kind kind = Kind::kEmpty;
  std::string text;
  double number = 0;
  NumberFormat format;
  bool flag = false;  // highlighted (an estimate, a default, a failed check)

  static Cell empty() { return {}; }
  static Cell txt(std::string s, bool flagged = false) {
    Cell c;
    c.kind = Kind::kText;
    c.text = std::move(s);
    c.flag = flagged;
    return c;
  }
  // A non-finite number becomes an empty cell ("n/a" in HTML).
  static Cell num(double v, NumberFormat f = kOne, bool flagged = false) {
    Cell c;
    if (!std::isfinite(v)) return c;
    c.kind = Kind::kNumber;
    c.number = v;
    c.format = f;
    c.flag = flagged;
    return c;
  }
  [[nodiscard]] std::string display() const;
};

struct TableData {
  std::string id;
  std::string title;
  std::vector<std::string> headers;  // with units: "TAM (USD bn)"
  std::vector<std::vector<Cell>> rows;
  std::string note;  // below the table (legend for flags, sources)
};

struct Chart {
  std::string id;        // DOM id and JSON key
  std::string title;
  std::string takeaway;  // one line computed from the data
  nlohmann::json option;  // ECharts option (pure JSON, no functions)
  TableData data;         // the numbers behind the chart
  int height_px = 380;
};

struct Paragraph {
  std::string text;
};

// A part of a section that could not be computed, and why.
struct Unavailable {
  std::string what;
  std::string reason;
};

using Item = std::variant<Paragraph, TableData, Chart, Unavailable>;

struct Section {
  std::string id;     // anchor: "summary", "supply", ...
  std::string title;  // "1. Summary"
  std::string takeaway;
  std::vector<Item> items;
};

struct Report {
  std::string title;
  std::string scenario_id;
  std::string scenario_name;
  std::vector<std::string> overrides;
  std::vector<Section> sections;
  nlohmann::json results;  // the full result tree (metrics, params, engine outputs)
  nlohmann::json provenance;  // analysis::provenance_stamp + seed, samples, measurement files
};

struct BuildOptions {
  int mc_samples = 20000;  // modest so the whole report stays within seconds
  unsigned long long seed = 1;
  int threads = 0;
  std::function<void(std::string_view)> progress;  // one line per step (may be empty)
  std::function<void()> step_done;                 // once per finished step, kBuildSteps in all (may be empty)
  // Loads another scenario of the same catalog with the same overrides (the
  // risk cases re-run the chain under each risk-* scenario); empty: no risk cases.
  std::function<analysis::Context(const std::string& scenario)> scenario_context;
};

// Gathers every section from the engines. A section whose engine is not
// available shows an Unavailable note instead of failing the report.
Report build_report(const analysis::Context& ctx, const BuildOptions& opt = {});
// The steps build_report reports through step_done: the five gathered engines, the ten
// sections and the summary.
inline constexpr int kBuildSteps = 16;

// Renderers.
std::string render_html(const Report& r);
void write_xlsx(const Report& r, const std::string& path);  // temp file + rename
nlohmann::json to_json(const Report& r);

// The vendored ECharts library (third_party/node_modules/echarts/dist/echarts.min.js),
// found through $GPUGAP_ECHARTS, then the source tree, then next to the binary.
// UserError naming `make report-deps` when missing.
std::string echarts_path();

}  // namespace gpugap::report
