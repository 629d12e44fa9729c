// 80% prediction intervals from leave-one-publication-out residuals, their nested
// coverage, and the AIC sample's harness side table (perf/intervals.hpp,
// data/measurements/harness-map.csv).
#include <gtest/gtest.h>

#include <cmath>
#include <fmt/format.h>

#include <fstream>

#include "cli_helpers.hpp"
#include "core/error.hpp"
#include "perf/intervals.hpp"
#include "perf/validation.hpp"

namespace gpugap {
namespace {

using perf::Residual;

std::vector<Residual> steps(const std::string& pub, const std::string& family, double step, int n = 10) {
  std::vector<Residual> v;
  for (int i = 0; i < n; ++i) v.push_back({pub, family, "cuda", "tpot_ms", step * i});
  return v;
}

TEST(Intervals, QuantilesByHand) {
  // numpy.quantile([1, 2, 3, 4, 5], [0.1, 0.5, 0.9]) = 1.4, 3, 4.6
  EXPECT_DOUBLE_EQ(perf::quantile({5, 1, 4, 2, 3}, 0.1), 1.4);
  EXPECT_DOUBLE_EQ(perf::quantile({5, 1, 4, 2, 3}, 0.5), 3.0);
  EXPECT_DOUBLE_EQ(perf::quantile({5, 1, 4, 2, 3}, 0.9), 4.6);
  EXPECT_EQ(perf::quantile({}, 0.5), 0.0);
  // A group of ten log ratios 0, 0.1, ..., 0.9 of one publication (offset 0.45, scatter
  // -0.45 .. 0.45): p10 = 0.09, p90 = 0.81.
  const auto t = perf::build_intervals(steps("x", "fam-a", 0.1));
  const auto iv = t.at("fam-a", "cuda", "tpot_ms");
  EXPECT_FALSE(iv.pooled);
  EXPECT_EQ(iv.n, 10u);
  EXPECT_NEAR(iv.lo, std::exp(0.09), 1e-12);
  EXPECT_NEAR(iv.hi, std::exp(0.81), 1e-12);
}

TEST(Intervals, SpecOnlyTakesThePooledResidualsWidened) {
  auto res = steps("x", "fam-a", 0.1);
  const auto b = steps("x", "fam-b", 0.2);
  res.insert(res.end(), b.begin(), b.end());
  // Widths (p90 - p10): a 0.72, b 1.44. Seen from the other family: a 1.44 / 0.72 = 2,
  // b 0.72 / 1.44 = 0.5; the median of the two is 1.25.
  EXPECT_NEAR(perf::widening_factor(res), 1.25, 1e-12);
  const auto t = perf::build_intervals(res);
  const auto iv = t.at("fam-new", "cuda", "tpot_ms");  // a family without residuals
  EXPECT_TRUE(iv.pooled);
  EXPECT_EQ(iv.n, 20u);
  // Two levels: offsets {0.45, 0.9} (each family's one publication's median) plus the 20
  // scatters about them (a: -0.45 .. 0.45 by 0.1, b: -0.9 .. 0.9 by 0.2), 40 sums: median
  // 0.675, p10 0.0, p90 1.35 (numpy.quantile); widened about the median by 1.25.
  EXPECT_NEAR(iv.lo, std::exp(0.675 + (0.0 - 0.675) * 1.25), 1e-12);
  EXPECT_NEAR(iv.hi, std::exp(0.675 + (1.35 - 0.675) * 1.25), 1e-12);
  // A family whose residuals look alike to the others' is not narrowed below its own spread.
  EXPECT_DOUBLE_EQ(perf::widening_factor(steps("x", "fam-a", 0.1)), 1.0);
}

TEST(Intervals, AGroupSeenInOnePublicationSpansOtherPublicationsOffsets) {
  // fam-a is measured by publication x only (log ratios 0 .. 0.09), fam-b by z (1 .. 1.09). A
  // new publication on fam-a may sit where z sits: fam-a's interval is the sums of the offsets
  // {0.045, 1.045} and fam-a's scatter (-0.045 .. 0.045 by 0.01), p10 0.019 and p90 1.071, not
  // fam-a's own p10-p90 (0.009, 0.081).
  std::vector<Residual> res;
  for (int i = 0; i < 10; ++i) res.push_back({"x", "fam-a", "cuda", "tpot_ms", 0.01 * i});
  for (int i = 0; i < 10; ++i) res.push_back({"z", "fam-b", "cuda", "tpot_ms", 1.0 + 0.01 * i});
  const auto iv = perf::build_intervals(res).at("fam-a", "cuda", "tpot_ms");
  EXPECT_FALSE(iv.pooled);
  EXPECT_EQ(iv.n, 10u);
  EXPECT_NEAR(iv.lo, std::exp(0.019), 1e-12);
  EXPECT_NEAR(iv.hi, std::exp(1.071), 1e-12);
}

TEST(Intervals, NestedCoverageOnAToyCase) {
  // Publication x: ten exact predictions; publication y: log ratios 0 .. 0.9. Without x the
  // interval is [e^0.09, e^0.81]: none of x's ratios (1) inside. Without y it is [1, 1]:
  // y's first ratio (1) inside, the other nine not. 1 of 20.
  auto res = steps("x", "fam-a", 0.0);
  const auto y = steps("y", "fam-a", 0.1);
  res.insert(res.end(), y.begin(), y.end());
  const auto c = perf::nested_coverage(res);
  EXPECT_EQ(c.overall.n, 20u);
  EXPECT_EQ(c.overall.inside, 1u);
  EXPECT_DOUBLE_EQ(c.overall.share(), 0.05);
  EXPECT_EQ(c.by_publication.at("x").inside, 0u);
  EXPECT_EQ(c.by_publication.at("y").inside, 1u);
  EXPECT_EQ(c.by_family.at("fam-a").n, 20u);
}

TEST(Intervals, ValidateLeaveOnePublicationOutShipsIntervalsAndCoverage) {
  const auto csv = test::source_dir() + "/data/measurements/measurements-shared.csv";
  const auto r = test::run_cli("validate --measurements " + csv + " --folds-by source --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json()["heldout"]["intervals"];
  EXPECT_EQ(j["level"], 0.8);
  EXPECT_GE(j["widen_factor"].get<double>(), 1.0);
  ASSERT_FALSE(j["pooled"].empty());
  for (const auto& [metric, p] : j["pooled"].items()) EXPECT_LE(p["p10"].get<double>(), p["p90"].get<double>()) << metric;
  const auto& c = j["nested_coverage"];
  EXPECT_GT(c["n"].get<int>(), 0);
  EXPECT_LE(c["inside"].get<int>(), c["n"].get<int>());
  int n = 0;
  for (const auto& [pub, v] : c["by_publication"].items()) n += v["n"].get<int>();
  EXPECT_EQ(n, c["n"].get<int>());  // every residual is checked once, against the others'
}

// The first data row of the AIC sample (verbatim) in a folder with a harness side table.
struct AicCopy {
  test::TempDir dir{"aic-harness"};
  std::string csv;
  explicit AicCopy(const std::string& map_row) {
    std::ifstream in(test::source_dir() + "/data/measurements/aic-silicon-sample.csv");
    std::string header, row;
    std::getline(in, header);
    std::getline(in, row);
    csv = (dir.path() / "aic-silicon-sample.csv").string();
    std::ofstream(csv) << header << "\n" << row << "\n";
    std::ofstream(dir.path() / "harness-map.csv") << "file,harness,dataset,prompts_per_client,range_ratio,source,note\n"
                                                  << map_row << "\n";
  }
};

TEST(HarnessMap, AicRowsTakeTheSideTablesHarness) {
  const AicCopy a("aic-silicon-sample.csv,aiperf,fixed,20,,the cited script,");
  const auto rows = perf::read_measurements(a.csv);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_TRUE(rows[0].concurrency.has_value());
  EXPECT_EQ(rows[0].harness, "aiperf");
  EXPECT_EQ(rows[0].dataset, "fixed");
  EXPECT_EQ(rows[0].harness_source, "the cited script");
  EXPECT_EQ(rows[0].num_prompts, 20 * static_cast<int>(*rows[0].concurrency));
  // The side table shipped for the AIC sample reads, and cites its sources.
  std::ifstream shipped_map(test::source_dir() + "/data/measurements/harness-map.csv");
  ASSERT_TRUE(shipped_map.good());
  std::ofstream(a.dir.path() / "harness-map.csv") << shipped_map.rdbuf();
  const auto shipped = perf::read_measurements(a.csv);
  EXPECT_EQ(shipped[0].harness, "aiperf");
  EXPECT_EQ(shipped[0].dataset, "fixed");
  EXPECT_EQ(shipped[0].num_prompts, 20 * static_cast<int>(*shipped[0].concurrency));
  EXPECT_NE(shipped[0].harness_source.find("bench_run.sh.j2"), std::string::npos);
  EXPECT_NE(shipped[0].harness_source.find("rule_plugin/benchmark"), std::string::npos);
  EXPECT_EQ(shipped[0].engine_limits, "aiconfigurator");
}

TEST(HarnessMap, ABadValueNamesTheSideTableAndTheKey) {
  const AicCopy a("aic-silicon-sample.csv,aiperff,fixed,20,,the cited script,");
  const auto r = test::run_cli("validate --measurements " + a.csv);
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("harness-map.csv"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("harness"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("aiperf"), std::string::npos) << r.err;  // did you mean
  const AicCopy b("aic-silicon-sample.csv,aiperf,fixed,0,,the cited script,");
  const auto rb = test::run_cli("validate --measurements " + b.csv);
  EXPECT_EQ(rb.rc, 2);
  EXPECT_NE(rb.err.find("prompts_per_client"), std::string::npos) << rb.err;
}

TEST(HarnessMap, AReplayedAicRowIsAClosedLoopAtItsConcurrency) {
  const AicCopy a("aic-silicon-sample.csv,aiperf,fixed,20,,the cited script,");
  const int c = static_cast<int>(*perf::read_measurements(a.csv)[0].concurrency);
  const auto r = test::run_cli("validate --measurements " + a.csv + " --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto rows = r.json()["rows"];
  ASSERT_FALSE(rows.empty());
  for (const auto& row : rows) {
    const std::string method = row["method"];
    // 20 requests per client sent by c closed-loop clients; aiperf's 2 x c warm-up requests
    // are answered before the profiled run starts (all clients sending at once).
    EXPECT_NE(method.find(fmt::format("simulated: aiperf with {} requests, closed loop at {}", 20 * c, c)), std::string::npos)
        << method;
    EXPECT_NE(method.find(fmt::format("the {} warm-up requests done before, the clients starting together", 2 * c)),
              std::string::npos)
        << method;
  }
}

}  // namespace
}  // namespace gpugap
