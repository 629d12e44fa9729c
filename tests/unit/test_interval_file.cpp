// The shipped 80% intervals (perf/interval_file.hpp, data/intervals/): the file's round
// trip and its errors, and where users see them: perf, econ and score, and the report's
// validation section, which leads with the leave-one-publication-out headline.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "analysis/scenario.hpp"
#include "catalog/catalog.hpp"
#include "cli_helpers.hpp"
#include "core/error.hpp"
#include "perf/interval_file.hpp"
#include "perf/intervals.hpp"
#include "report/sections.hpp"

namespace gpugap {
namespace {

namespace fs = std::filesystem;

// A small table of known ratios: a nvidia-hopper/cuda group of every metric perf shows,
// and the pooled rows (widened x1.5).
constexpr double kLo = 0.8, kHi = 1.25, kPooledLo = 0.5, kPooledHi = 2.0;

std::string known_table() {
  perf::IntervalTable t;
  for (const char* m : {"output_tps_per_chip", "tpot_ms", "ttft_ms"}) {
    t.groups[{"nvidia-hopper", "cuda", m}] = {kLo, kHi, 12, false};
    t.pooled[m] = {kPooledLo, kPooledHi, 40, true};
  }
  t.widen = 1.5;
  return perf::intervals_csv(t, "gpugap validate --measurements a.csv --folds-by source --intervals-out x.csv", {"a.csv"},
                             "2026-12-07");
}

// Sets an environment variable for the children this test runs, and unsets it after.
struct ScopedEnv {
  std::string name;
  ScopedEnv(std::string n, const std::string& value) : name(std::move(n)) { ::setenv(name.c_str(), value.c_str(), 1); }
  ~ScopedEnv() { ::unsetenv(name.c_str()); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
};

fs::path write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

double num(const nlohmann::json& j) { return j.get<double>(); }

TEST(IntervalFile, WritesAndReadsBackTheTableWithItsProvenance) {
  test::TempDir dir("intervals-rt");
  const auto f = perf::read_intervals(write(dir.path() / "iv.csv", known_table()).string());
  EXPECT_EQ(f.command, "gpugap validate --measurements a.csv --folds-by source --intervals-out x.csv");
  EXPECT_EQ(f.date, "2026-12-07");
  ASSERT_EQ(f.measurement_files, std::vector<std::string>{"a.csv"});
  EXPECT_DOUBLE_EQ(f.table.widen, 1.5);
  const auto g = f.table.at("nvidia-hopper", "cuda", "tpot_ms");
  EXPECT_FALSE(g.pooled);
  EXPECT_EQ(g.n, 12u);
  EXPECT_DOUBLE_EQ(g.lo, kLo);
  EXPECT_DOUBLE_EQ(g.hi, kHi);
  // A family without a group: the pooled row, and the basis says so.
  const auto p = perf::interval_of(f.table, "amd-cdna3", "rocm", "tpot_ms", 10.0);
  EXPECT_DOUBLE_EQ(p.p10, 10.0 * kPooledLo);
  EXPECT_DOUBLE_EQ(p.p90, 10.0 * kPooledHi);
  EXPECT_EQ(p.basis, "pooled across families, widened x1.5");
  EXPECT_EQ(perf::interval_of(f.table, "nvidia-hopper", "cuda", "ttft_ms", 100.0).basis, "nvidia-hopper/cuda group, 12 residuals");
  // The shipped file reads too, with its provenance.
  const auto shipped = perf::read_intervals(test::source_dir() + "/data/intervals/perf-intervals.csv");
  // Written by `make intervals` (--folds-by source) or `make validation` (beside --doc).
  EXPECT_TRUE(shipped.command.find("--folds-by source") != std::string::npos ||
              shipped.command.find("--doc docs/validation.md") != std::string::npos)
      << shipped.command;
  EXPECT_FALSE(shipped.date.empty());
  EXPECT_FALSE(shipped.table.pooled.empty());
}

TEST(IntervalFile, MalformedFilesAreRefusedNamingFileLineAndColumn) {
  test::TempDir dir("intervals-bad");
  const std::string good = known_table();
  auto refused = [&](const std::string& from, const std::string& to, const std::string& want) {
    std::string text = good;
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    const auto p = write(dir.path() / "bad.csv", text).string();
    try {
      perf::read_intervals(p);
      ADD_FAILURE() << "accepted: " << to;
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
    }
  };
  // Six provenance lines, the header on line 7, the first group row (output_tps_per_chip) on line 8.
  refused("group,nvidia-hopper,cuda,output_tps_per_chip,12,0.8,", "group,nvidia-hopper,cuda,output_tps_per_chip,12,abc,",
          "bad.csv:8: column p10: expected a positive ratio, found 'abc'");
  refused("output_tps_per_chip,12,0.8,1.25", "output_tps_per_chip,12,0.8,0.7", "bad.csv:8: column p90: expected a ratio >= p10");
  refused("group,nvidia-hopper,cuda,tpot_ms", "group,nvidia-hopper,cuda,tpot_mss", "column metric: expected one of");
  refused("group,nvidia-hopper,cuda,tpot_ms", "group,nvidia-hopper,cuda,tpot_mss", "(did you mean 'tpot_ms'?)");
  refused("group,nvidia-hopper,cuda,tpot_ms", "grup,nvidia-hopper,cuda,tpot_ms", "column basis: expected group or pooled");
  refused("pooled,,,tpot_ms", "pooled,x,,tpot_ms", "column family: expected an empty field");
  refused("basis,family", "kind,family", "bad.csv:7: expected the header basis,family");
  refused(",1.5\n", ",0.5\n", "column widen: expected a widening factor >= 1");
  refused("group,nvidia-hopper,cuda,tpot_ms,12,", "group,nvidia-hopper,cuda,tpot_ms,12,0.8,1.25,1\ngroup,nvidia-hopper,cuda,tpot_ms,12,",
          "one row per basis, family, stack and metric");
}

TEST(IntervalCli, MalformedIntervalFileExitsTwoNamingTheFile) {
  test::TempDir dir("intervals-cli-bad");
  std::string text = known_table();
  text.replace(text.find("tpot_ms,12,0.8"), 14, "tpot_ms,12,-1");
  const ScopedEnv env("GPUGAP_INTERVALS", write(dir.path() / "broken.csv", text).string());
  const auto r = test::run_cli("perf --chip nvidia-h200-sxm --model llama-3.1-70b --tp 2 --format json");
  EXPECT_EQ(r.rc, 2) << r.out;
  EXPECT_NE(r.err.find("broken.csv:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("column p10: expected a positive ratio, found '-1'"), std::string::npos) << r.err;
}

TEST(IntervalCli, PerfShowsItsGroupIntervalAndThePooledOneForASpecOnlyChip) {
  test::TempDir dir("intervals-perf");
  {
    const ScopedEnv env("GPUGAP_INTERVALS", write(dir.path() / "iv.csv", known_table()).string());
    // nvidia-h200-sxm is of the nvidia-hopper family (cuda): the group's ratios, exactly.
    const auto r = test::run_cli("perf --chip nvidia-h200-sxm --model llama-3.1-70b --tp 2 --format json");
    ASSERT_EQ(r.rc, 0) << r.err;
    const auto j = r.json();
    const auto& iv = j["intervals_80"];
    EXPECT_EQ(iv["level"], 0.8);
    for (const char* m : {"output_tps_per_chip", "tpot_ms", "ttft_ms"}) {
      const double point = num(j[m]);
      EXPECT_NEAR(num(iv[m]["p10"]), point * kLo, 1e-5 * point) << m;
      EXPECT_NEAR(num(iv[m]["p90"]), point * kHi, 1e-5 * point) << m;
      EXPECT_LE(num(iv[m]["p10"]), point) << m;
      EXPECT_GE(num(iv[m]["p90"]), point) << m;
      EXPECT_EQ(iv[m]["basis"], "nvidia-hopper/cuda group, 12 residuals") << m;
    }
    // amd-mi300x (amd-cdna3) has no group: the pooled ratios, and the basis says so.
    const auto a = test::run_cli("perf --chip amd-mi300x --model llama-3.1-70b --tp 2 --format json");
    ASSERT_EQ(a.rc, 0) << a.err;
    const auto ja = a.json();
    EXPECT_NEAR(num(ja["intervals_80"]["tpot_ms"]["p90"]), num(ja["tpot_ms"]) * kPooledHi, 1e-5 * num(ja["tpot_ms"]));
    EXPECT_EQ(ja["intervals_80"]["tpot_ms"]["basis"], "pooled across families, widened x1.5");
    // The text output shows them in a table of their own, labelled p10-p90.
    const auto t = test::run_cli("perf --chip amd-mi300x --model llama-3.1-70b --tp 2");
    ASSERT_EQ(t.rc, 0) << t.err;
    EXPECT_NE(t.out.find("80% intervals (p10-p90"), std::string::npos) << t.out;
    EXPECT_NE(t.out.find("pooled across families, widened x1.5"), std::string::npos) << t.out;
  }
  // The shipped file: a Hopper chip's TPOT and output tok/s intervals hold the prediction
  // (their groups' held-out ratios straddle 1; TTFT's do not: the model's TTFT runs low).
  const auto r = test::run_cli("perf --chip nvidia-h200-sxm --model llama-3.1-70b --tp 2 --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  for (const char* m : {"output_tps_per_chip", "tpot_ms"}) {
    const auto& iv = j["intervals_80"][m];
    ASSERT_TRUE(iv.is_object()) << m << ": " << j["intervals_80"].dump();
    EXPECT_LE(num(iv["p10"]), num(j[m])) << m;
    EXPECT_GE(num(iv["p90"]), num(j[m])) << m;
    EXPECT_NE(iv["basis"].get<std::string>().find("nvidia-hopper/cuda group"), std::string::npos) << iv["basis"];
  }
}

TEST(IntervalCli, EconCostIntervalIsTheInverseOfTheTokensPerSecondOne) {
  test::TempDir dir("intervals-econ");
  const ScopedEnv env("GPUGAP_INTERVALS", write(dir.path() / "iv.csv", known_table()).string());
  const auto r = test::run_cli("econ --model llama-3.1-70b --workload chat --region cn --no-frontier --threads 1 --format json "
                               "--chips nvidia-h200-sxm,huawei-ascend-910c");
  ASSERT_EQ(r.rc, 0) << r.err;
  int checked = 0;
  const auto j = r.json();
  for (const auto& row : j["rows"]) {
    const auto& iv = row["intervals_80"];
    if (!row["output_tps_per_chip"].is_number() || !row["usd_per_mtok_output_all_in"].is_number()) continue;
    const double tps = num(row["output_tps_per_chip"]);
    // huawei-ascend-910c (huawei-ascend-910, cann) has no group in this table: the pooled ratios.
    const double lo = row["chip"] == "huawei-ascend-910c" ? kPooledLo : kLo;
    EXPECT_NEAR(num(iv["output_tps_per_chip"]["p10"]), tps * lo, 1e-5 * tps) << row["chip"];
    // Cost per token scales with 1 / throughput: cost x tok/s is the same at both ends.
    for (const char* k : {"usd_per_mtok_output", "usd_per_mtok_output_all_in"}) {
      const double cost = num(row[k]);
      EXPECT_NEAR(num(iv[k]["p10"]) * num(iv["output_tps_per_chip"]["p90"]), cost * tps, 1e-4 * cost * tps) << k;
      EXPECT_NEAR(num(iv[k]["p90"]) * num(iv["output_tps_per_chip"]["p10"]), cost * tps, 1e-4 * cost * tps) << k;
      EXPECT_NEAR(num(iv[k]["p90"]), cost / lo, 1e-4 * cost / lo) << k;
    }
    EXPECT_EQ(iv["usd_per_mtok_output"]["basis"], iv["output_tps_per_chip"]["basis"]);
    ++checked;
  }
  EXPECT_EQ(checked, 2) << r.out.substr(0, 3000);
}

TEST(IntervalCli, ScoreCarriesIntervalsOfItsPerfDerivedMetrics) {
  test::TempDir dir("intervals-score");
  const ScopedEnv env("GPUGAP_INTERVALS", write(dir.path() / "iv.csv", known_table()).string());
  const auto r = test::run_cli("score --samples 0 --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  ASSERT_TRUE(j["reference"].is_object());
  int checked = 0;
  for (const auto& w : j["reference"]["workloads"]) {
    if (!w["output_tps_per_chip"].is_number()) continue;
    const auto& iv = w["intervals_80"];
    const double tps = num(w["output_tps_per_chip"]);
    EXPECT_LE(num(iv["output_tps_per_chip"]["p10"]), tps);
    EXPECT_GE(num(iv["output_tps_per_chip"]["p90"]), tps);
    if (w["usd_per_mtok"].is_number()) {
      EXPECT_NEAR(num(iv["usd_per_mtok"]["p10"]) * num(iv["output_tps_per_chip"]["p90"]), num(w["usd_per_mtok"]) * tps,
                  1e-4 * num(w["usd_per_mtok"]) * tps);
    }
    ++checked;
  }
  EXPECT_GT(checked, 0) << j["reference"].dump();
}

TEST(IntervalCli, ValidateWritesIntervalsOnlyFromEveryPublicationsFolds) {
  const auto csv = test::source_dir() + "/data/measurements/measurements-shared.csv";
  const auto r = test::run_cli("validate --measurements " + csv + " --intervals-out /tmp/never-written.csv");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("--intervals-out: expected --folds-by source"), std::string::npos) << r.err;
  const auto h = test::run_cli("validate --measurements " + csv +
                               " --folds-by source --heldout-publication arxiv.org --summary-out /tmp/never-written.json");
  EXPECT_EQ(h.rc, 2);
  EXPECT_NE(h.err.find("--summary-out: expected --folds-by source over every publication"), std::string::npos) << h.err;
  EXPECT_FALSE(fs::exists("/tmp/never-written.csv"));
}

TEST(IntervalCli, ValidateDocWritesIntervalsAndSummaryFromItsOwnRuns) {
  // `make validation`: the document's leave-one-publication-out and k-fold runs write the interval
  // table and the headline too, so one set of refits regenerates all three (the same bytes as the
  // --folds-by source run's, but for the command line they name: checked by hand 2026-12-07);
  // measurements-shared.csv alone keeps it to seconds.
  test::TempDir dir("doc-intervals");
  const auto doc = dir.path() / "validation.md", iv = dir.path() / "iv.csv", sum = dir.path() / "sum.json";
  const auto r = test::run_cli("validate -q --measurements " + test::source_dir() +
                               "/data/measurements/measurements-shared.csv --folds 5 --doc " + doc.string() +
                               " --intervals-out " + iv.string() + " --summary-out " + sum.string() + " --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_TRUE(fs::exists(doc));
  const auto file = perf::read_intervals(iv.string());
  EXPECT_NE(file.command.find("--doc " + doc.string()), std::string::npos) << file.command;
  EXPECT_FALSE(file.table.pooled.empty());
  // read_lopo_summary checks the headline's keys; the k-fold line is the document's 5 folds.
  const auto j = perf::read_lopo_summary(sum.string());
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ((*j)["kfold"]["folds"], 5);
  EXPECT_NE((*j)["generated"]["command"].get<std::string>().find("--folds 5 --doc"), std::string::npos);
}

TEST(ReportValidation, LeadsWithTheLeaveOnePublicationOutHeadline) {
  // The section over one small measurement file (fast), with the shipped headline file.
  const ScopedEnv env("GPUGAP_MEASUREMENTS", test::source_dir() + "/data/measurements/measurements-shared.csv");
  analysis::Context ctx;
  ctx.catalog = std::make_shared<catalog::Catalog>(catalog::Catalog::load({analysis::default_catalog_dir()}));
  ctx.params = ctx.catalog->params();
  report::BuildOptions opt;
  nlohmann::json results;
  report::detail::Gather g{ctx, opt, results, {}, {}};
  const auto s = report::detail::validation_section(g);
  ASSERT_GE(s.items.size(), 3u);
  const auto* first = std::get_if<report::Paragraph>(&s.items[0]);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->text.rfind("Headline: leave one publication out.", 0), 0u) << first->text;
  EXPECT_NE(first->text.find("rows predicted"), std::string::npos);
  const auto* t = std::get_if<report::TableData>(&s.items[1]);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->id, "validation-lopo");
  std::vector<std::string> lines;
  for (const auto& r : t->rows) lines.push_back(r.front().text);
  EXPECT_EQ(lines, (std::vector<std::string>{"all publications", "all but the AIC sample", "AIC sample on its own"}));
  EXPECT_EQ(s.takeaway.rfind("Leave one publication out (", 0), 0u) << s.takeaway;
  // In-sample figures only under that label; k-fold as the secondary line.
  bool in_sample = false, kfold = false;
  for (const auto& it : s.items)
    if (const auto* d = std::get_if<report::TableData>(&it)) {
      if (d->id == "validation-by-metric") in_sample = d->title.rfind("In-sample", 0) == 0;
      if (d->id == "validation-kfold") kfold = d->title.rfind("Secondary", 0) == 0;
    }
  EXPECT_TRUE(in_sample);
  EXPECT_TRUE(kfold);
  // The figures are the file's.
  const auto want = *perf::read_lopo_summary(perf::lopo_summary_path());
  EXPECT_EQ(results["validation_leave_one_publication_out"]["predicted"], want["predicted"]);
  EXPECT_DOUBLE_EQ(t->rows[0][2].number, want["by_metric"]["tpot_ms"]["median_abs_error_pct"].get<double>());
}

TEST(ReportValidation, AMalformedHeadlineFileIsShownAsUnavailable) {
  test::TempDir dir("lopo-bad");
  const ScopedEnv env("GPUGAP_VALIDATION_SUMMARY", write(dir.path() / "lopo.json", "{\"rows\": 3,").string());
  EXPECT_THROW(perf::read_lopo_summary(perf::lopo_summary_path()), UserError);
  const ScopedEnv m("GPUGAP_MEASUREMENTS", test::source_dir() + "/data/measurements/measurements-shared.csv");
  analysis::Context ctx;
  ctx.catalog = std::make_shared<catalog::Catalog>(catalog::Catalog::load({analysis::default_catalog_dir()}));
  ctx.params = ctx.catalog->params();
  report::BuildOptions opt;
  nlohmann::json results;
  report::detail::Gather g{ctx, opt, results, {}, {}};
  const auto s = report::detail::validation_section(g);
  const auto* u = std::get_if<report::Unavailable>(&s.items.at(0));
  ASSERT_NE(u, nullptr);
  EXPECT_NE(u->reason.find("lopo.json"), std::string::npos) << u->reason;
}

}  // namespace
}  // namespace gpugap
