// ReportComparisonListing: the report's published figures beside what the model gives on
// the ms-2025 scenario. A listing, not a pass/fail check of the model: capex 597, growth
// 38% and $130bn are the report's stated inputs (their agreement is an identity); TAM,
// self-sufficiency and the domestic market are computed, and differences are findings.
// The unit tests keep to identities and independent references (test_market.cpp: the
// chain by hand). This test fails only when a listed metric cannot be evaluated; the
// table (model, report, difference) is printed and written to BUILD/report_comparison.md.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string_view>

#include <fmt/format.h>

#include "analysis/metrics.hpp"
#include "analysis/scenario.hpp"
#include "cli_helpers.hpp"
#include "studies/engines.hpp"
#include "studies/evaluate.hpp"

using namespace gpugap;

TEST(ReportComparisonListing, ModelBesideTheReport) {
  const analysis::Context ctx = studies::make_context({analysis::default_catalog_dir()}, "ms-2025", {});
  struct Figure {
    const char* metric;
    double report;
    const char* says;  // the report's wording
  };
  // The figures of mission.md Q2 (issue 6 "done when"), as the report states them.
  const Figure figures[] = {
      {"market.tam_usd_bn.2030", 67.0, "~$67bn AI-chip TAM in 2030"},
      {"market.tam_cagr", 0.23, "~23% TAM CAGR 2024-30"},
      {"market.self_sufficiency.2024", 0.33, "33% self-sufficiency in 2024"},
      {"market.self_sufficiency.2030", 0.76, "~76% self-sufficiency in 2030"},
      {"market.domestic_usd_bn.2024", 6.0, "$6bn domestic market in 2024"},
      {"market.domestic_usd_bn.2030", 51.0, "$51bn domestic market in 2030"},
      {"market.domestic_cagr", 0.42, "~42% domestic CAGR"},
      {"market.breakeven_year", 2028, "AI infrastructure breaks even around 2028"},
      {"market.ai_capex_rmb_bn.2026", 597.0, "RMB 597bn AI capex in 2026"},
      {"market.ai_capex_growth.2026", 0.38, "+38% AI capex YoY in 2026"},
      {"market.cloud_capex_usd_bn.2030", 130.0, "$130bn cloud capex in 2030"},
      {"market.cloud_gpu_share_of_capex.2030", 0.51, "~51% of cloud capex on AI GPUs"},
  };
  std::string table = "| metric | model | report | difference % | the report says |\n|---|---:|---:|---:|---|\n";
  for (const auto& f : figures) {
    double v = std::nan("");
    try {
      v = studies::evaluate(ctx, {f.metric}).at(f.metric);
    } catch (const std::exception& e) {
      ADD_FAILURE() << f.metric << ": " << e.what();
    }
    // A break-even year has no value when it is not reached by the last model year.
    const bool year = std::string_view(f.metric).find("breakeven_year") != std::string_view::npos;
    if (year && std::isnan(v)) {
      table += fmt::format("| {} | not by {} | {:.4g} | - | {} |\n", f.metric, analysis::kLastYear, f.report, f.says);
      continue;
    }
    EXPECT_TRUE(std::isfinite(v)) << f.metric;
    table += fmt::format("| {} | {:.4g} | {:.4g} | {:+.1f} | {} |\n", f.metric, v, f.report, (v - f.report) / f.report * 100, f.says);
  }
  std::cout << table;
  std::ofstream(std::filesystem::path(gpugap::test::binary()).parent_path() / "report_comparison.md")
      << "# The report's figures beside the model's (ms-2025)\n\n" << table;
}
