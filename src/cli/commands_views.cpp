// gpugap compare | table2: scenarios side by side and a two-way data table
// (src/studies/views.*), as table, JSON (with the provenance stamp) or CSV.
#include <fmt/format.h>

#include <cmath>

#include "analysis/provenance.hpp"
#include "cli/cli.hpp"
#include "studies/views.hpp"

namespace gpugap::cli {
namespace {

std::string cell(double v) { return std::isfinite(v) ? fmt_num(v, 6) : "n/a"; }

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t p = 0; p <= s.size();) {
    const auto q = std::min(s.find(',', p), s.size());
    if (q > p) out.push_back(s.substr(p, q - p));
    p = q + 1;
  }
  return out;
}

void compare_cmd(const Global& g, const std::string& scenarios, const std::vector<std::string>& metrics) {
  const auto c = studies::compare(g.catalog_dirs(), split_list(scenarios), g.sets, metrics);
  Output out;
  Table t{{"metric"}, {}, {false}};
  for (const auto& s : c.scenarios) {
    t.headers.push_back(s);
    t.right_align.push_back(true);
  }
  for (std::size_t m = 0; m < c.metrics.size(); ++m) {
    std::vector<std::string> row{c.metrics[m]};
    for (std::size_t s = 0; s < c.scenarios.size(); ++s) row.push_back(cell(c.values[m][s]));
    t.rows.push_back(row);
  }
  out.json = studies::to_json(c, g.sets);
  out.tables.push_back(t);
  out.titles.push_back(fmt::format("Scenarios side by side{}",
                                   g.sets.empty() ? "" : fmt::format(", overrides: {}", fmt::join(g.sets, " "))));
  for (const auto& m : c.missing) out.text += "n/a: " + m + "\n";
  emit(g, out);
}

void table2_cmd(const Global& g, const std::string& metric, const std::vector<std::string>& vary) {
  require(vary.size() == 1 || vary.size() == 2, Location{"", 0, "--vary"}, "one or two --vary PATH=V1,V2,...",
          std::to_string(vary.size()));
  const auto rows = studies::parse_vary(vary[0], "--vary");
  const auto cols = vary.size() == 2 ? studies::parse_vary(vary[1], "--vary") : studies::Vary{};
  const auto ctx = g.context();
  const auto t = studies::table2(ctx, g.catalog_dirs(), g.scenario, metric, rows, cols);
  Output out;
  Table tab{{cols.path.empty() ? rows.path : rows.path + " \\ " + cols.path}, {}, {false}};
  if (cols.path.empty()) {
    tab.headers.push_back(metric);
    tab.right_align.push_back(true);
  }
  for (const auto& v : cols.values) {
    tab.headers.push_back(v);
    tab.right_align.push_back(true);
  }
  for (std::size_t i = 0; i < t.values.size(); ++i) {
    std::vector<std::string> row{rows.values[i]};
    for (const double v : t.values[i]) row.push_back(cell(v));
    tab.rows.push_back(row);
  }
  out.json = studies::to_json(t, analysis::provenance_stamp(ctx));
  out.tables.push_back(tab);
  out.titles.push_back(fmt::format("{} (scenario {}: {})", metric, ctx.scenario.id, cell(t.base)));
  emit(g, out);
}

}  // namespace

void add_view_commands(CLI::App& app, Global& g) {
  struct Opts {
    std::string scenarios;
    std::vector<std::string> metrics, vary;
    std::string metric;
  };
  auto o = std::make_shared<Opts>();
  auto* cmp = app.add_subcommand("compare", "metrics under several scenarios, side by side");
  cmp->add_option("--scenarios", o->scenarios, "comma-separated scenario ids (at least two)")->required();
  cmp->add_option("--metric", o->metrics, "metric paths (repeatable, or several after one --metric)")->required();
  cmp->callback([&g, o] { compare_cmd(g, o->scenarios, o->metrics); });
  auto* t2 = app.add_subcommand("table2", "a two-way data table: one metric over two parameters' values");
  t2->add_option("--metric", o->metric, "metric path")->required();
  t2->add_option("--vary", o->vary, "PATH=V1,V2,... (twice: rows, then columns; once: a one-way table)")->required();
  t2->callback([&g, o] { table2_cmd(g, o->metric, o->vary); });
}

}  // namespace gpugap::cli
