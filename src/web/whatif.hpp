// The what-if page of `gpugap serve`: the request handlers, independent of any
// HTTP library (the CLI wires them to cpp-httplib; tests call them directly).
// One scenario is loaded once; every request applies its own overrides to a copy
// of it (the same checks and messages as --set) and evaluates in-process.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/scenario.hpp"

namespace gpugap::web {

// A query string's name=value pairs, in order, already URL-decoded (names repeat: set=, metric=).
using Query = std::vector<std::pair<std::string, std::string>>;

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string attachment;  // non-empty: offered as a download under this file name
};

// A slider: a parameter analysts argue about, its range on the page and its step.
struct Control {
  std::string path;
  std::string label;
  std::string group;
  double lo = 0;
  double hi = 1;
  double step = 0.01;
};

struct Options {
  std::vector<std::string> catalog_dirs;
  std::string scenario;
  std::vector<std::string> sets;  // the command line's --set, under the page's own
  int threads = 0;
  int report_samples = 20000;     // the report's Monte Carlo (gpugap report's default)
};

// The sliders, headline figures and charts of the page (parameter and metric paths).
const std::vector<Control>& controls();

// The message the CLI prints for an error before it exits 2 ("gpugap: ..."), for any
// exception the CLI maps to exit 2; empty for others (internal errors).
std::string user_error_line(const std::exception& e);

class WhatIf {
 public:
  // Loads the catalog and scenario (UserError as the CLI's on a bad --scenario or --set).
  explicit WhatIf(Options opt);

  // GET PATH?QUERY. Routes: / (the page), /echarts.min.js, /api/layout, /api/eval
  // (set=PATH=VALUE..., metric=PATH...), /api/report (set=...: the HTML report as a download).
  [[nodiscard]] Response handle(std::string_view path, const Query& query) const;

  [[nodiscard]] Response layout() const;
  [[nodiscard]] Response eval(const std::vector<std::string>& sets, const std::vector<std::string>& metrics) const;
  [[nodiscard]] Response report(const std::vector<std::string>& sets) const;

 private:
  [[nodiscard]] analysis::Context context_with(const std::vector<std::string>& sets) const;

  Options opt_;
  analysis::Context base_;
  std::vector<std::string> vendors_;  // the scorecard's vendors (score.<vendor>.composite)
  std::string echarts_;               // the vendored chart library, served as a file
};

// The page itself (HTML, CSS and script in one document; charts from /echarts.min.js).
std::string_view page_html();

}  // namespace gpugap::web
