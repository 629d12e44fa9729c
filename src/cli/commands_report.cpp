// gpugap report: builds the report for the scenario and writes the HTML
// (always), the XLSX and the JSON (when asked); prints a one-screen summary
// and the paths written. Progress goes to stderr unless --quiet.
#include <fmt/format.h>

#include <unistd.h>

#include <cstdio>

#include <chrono>
#include <iostream>

#include "cli/cli.hpp"
#include "core/progress.hpp"
#include "report/report.hpp"
#include "studies/engines.hpp"

namespace gpugap::cli {
namespace {

constexpr const char* kDefaultHtml = "out/report.html";
constexpr int kDefaultSamples = 20000;
constexpr std::size_t kWrap = 110;

struct ReportArgs {
  std::string xlsx;
  std::string json;
  int samples = kDefaultSamples;
  unsigned long long seed = 1;
};

// Wraps a takeaway to the terminal width, indented under its heading.
std::string wrap(const std::string& text, std::size_t indent) {
  std::string out, line;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(pos, end - pos);
    if (!line.empty() && line.size() + 1 + word.size() + indent > kWrap) {
      out += line + "\n" + std::string(indent, ' ');
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    pos = end + 1;
  }
  return out + line;
}

void report_cmd(const Global& g, const ReportArgs& a) {
  // A bar with the time left on a terminal, one line at the end elsewhere (core/progress):
  // the engines and sections, then each file written.
  const std::size_t files = 1 + (a.xlsx.empty() ? 0 : 1) + (a.json.empty() ? 0 : 1);
  Progress bar("report", report::kBuildSteps + files, "steps", progress_mode(g.quiet));
  const std::string html_path = g.out.empty() ? kDefaultHtml : g.out;
  refuse_catalog_output(g, html_path, "-o");
  if (!a.xlsx.empty()) refuse_catalog_output(g, a.xlsx, "--xlsx");
  if (!a.json.empty()) refuse_catalog_output(g, a.json, "--json");
  // Fail on a missing chart library before spending time on the engines.
  (void)report::echarts_path();
  const auto ctx = g.context();

  report::BuildOptions opt;
  opt.mc_samples = a.samples;
  opt.seed = a.seed;
  opt.threads = g.threads;
  opt.step_done = [&bar] { bar.add(); };
  opt.scenario_context = [&g](const std::string& id) { return studies::make_context(g.catalog_dirs(), id, g.sets); };
  const report::Report r = report::build_report(ctx, opt);

  atomic_write(html_path, report::render_html(r));
  bar.add();
  std::vector<std::string> written{html_path};
  if (!a.xlsx.empty()) {
    report::write_xlsx(r, a.xlsx);
    bar.add();
    written.push_back(a.xlsx);
  }
  if (!a.json.empty()) {
    atomic_write(a.json, dump_json(report::to_json(r)));
    bar.add();
    written.push_back(a.json);
  }
  bar.finish();

  if (g.format == "json") {
    nlohmann::json j = {{"scenario", r.scenario_id}, {"overrides", r.overrides}, {"written", written}};
    for (const auto& s : r.sections) j["sections"].push_back({{"id", s.id}, {"title", s.title}, {"takeaway", s.takeaway}});
    std::cout << dump_json(j) << std::flush;
    return;
  }
  // One screen: the headline table, each section's takeaway, the files.
  std::string out = fmt::format("{}\nscenario {}{}\n\n", r.title, r.scenario_id,
                                r.overrides.empty() ? "" : fmt::format(" (overrides: {})", fmt::join(r.overrides, ", ")));
  for (const auto& s : r.sections) {
    if (s.id != "summary") continue;
    for (const auto& item : s.items) {
      const auto* t = std::get_if<report::TableData>(&item);
      if (!t || t->id != "headline") continue;
      Table tt{{"headline figure", "computed", "published", "difference"}, {}, {false, true, true, true}};
      for (const auto& row : t->rows)
        if (row.size() >= 7) tt.rows.push_back({row[0].display(), row[3].kind == report::Cell::Kind::kEmpty ? "n/a" : row[3].display(),
                                                row[4].display(), row[6].kind == report::Cell::Kind::kEmpty ? "" : row[6].display()});
      if (!tt.rows.empty()) out += tt.text() + "\n";
    }
  }
  for (const auto& s : r.sections) {
    const std::string head = fmt::format("{:<26}", s.title);
    out += head + wrap(s.takeaway, head.size()) + "\n";
  }
  out += "\nwritten:\n";
  for (const auto& w : written) out += "  " + w + "\n";
  std::cout << out << std::flush;
}

}  // namespace

void add_report_commands(CLI::App& app, Global& g) {
  auto* rep = app.add_subcommand("report", "the full report: HTML with charts (-o, default out/report.html), XLSX, JSON");
  auto args = std::make_shared<ReportArgs>();
  rep->add_option("--xlsx", args->xlsx, "also write an Excel workbook (one sheet per section) there");
  rep->add_option("--json", args->json, "also write the full result tree as JSON there");
  rep->add_option("--samples", args->samples, "Monte Carlo samples for the uncertainty section")->check(CLI::Range(100, 100000000));
  rep->add_option("--seed", args->seed, "Monte Carlo seed");
  rep->callback([&g, args] { report_cmd(g, *args); });
}

}  // namespace gpugap::cli
