// The whole report on ms-2025 (what `make run` does after loading the
// catalog): every engine, the risk cases, 20,000 Monte Carlo samples, and the
// three renderers. Each benchmark checks its own answer.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "analysis/scenario.hpp"
#include "report/report.hpp"
#include "studies/engines.hpp"

using namespace gpugap;

namespace {

const std::string& catalog_dir() {
  static const std::string d = analysis::default_catalog_dir();
  return d;
}

analysis::Context load(const std::string& scenario) { return studies::make_context({catalog_dir()}, scenario, {}); }

report::BuildOptions options(bool risk_cases) {
  report::BuildOptions o;
  if (risk_cases) o.scenario_context = load;
  return o;
}

void check_sections(const report::Report& r) {
  if (r.sections.size() != 9) throw std::runtime_error("wrong answer: the report has " + std::to_string(r.sections.size()) + " sections");
}

// Catalog and scenario load: the fixed cost of every command.
void BM_LoadContext(benchmark::State& state) {
  for (auto _ : state) {
    auto c = load("ms-2025");
    benchmark::DoNotOptimize(c.params.size());
  }
}
BENCHMARK(BM_LoadContext)->Unit(benchmark::kMillisecond);

// Every section, without (arg 0) and with (arg 1) the risk cases.
void BM_BuildReport(benchmark::State& state) {
  const auto ctx = load("ms-2025");
  const auto opt = options(state.range(0) != 0);
  for (auto _ : state) {
    const auto r = report::build_report(ctx, opt);
    check_sections(r);
    benchmark::DoNotOptimize(r.sections.data());
  }
}
BENCHMARK(BM_BuildReport)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(2);

// Rendering an already built report: HTML (ECharts inlined), XLSX, JSON.
void BM_RenderReport(benchmark::State& state) {
  const auto ctx = load("ms-2025");
  const auto r = report::build_report(ctx, options(false));
  const auto xlsx = (std::filesystem::temp_directory_path() / "gpugap-bench-report.xlsx").string();
  for (auto _ : state) {
    const std::string html = report::render_html(r);
    if (html.size() < 100000) throw std::runtime_error("wrong answer: HTML too small");
    report::write_xlsx(r, xlsx);
    const auto j = report::to_json(r);
    benchmark::DoNotOptimize(j.size());
  }
  std::filesystem::remove(xlsx);
}
BENCHMARK(BM_RenderReport)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
