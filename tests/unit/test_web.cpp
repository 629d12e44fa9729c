// `gpugap serve`: the what-if page's handlers (web/whatif.hpp) without a socket, and the
// page in headless Chromium (tests/e2e/serve_browser.py: a slider moved, a bad value typed).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <algorithm>
#include <cstdio>
#include <set>
#include <filesystem>

#include "analysis/scenario.hpp"
#include "cli_helpers.hpp"
#include "studies/engines.hpp"
#include "studies/evaluate.hpp"
#include "web/whatif.hpp"

namespace fs = std::filesystem;
using gpugap::web::Query;
using gpugap::web::WhatIf;
using nlohmann::json;

namespace {

WhatIf app() {
  gpugap::web::Options o;
  o.catalog_dirs = {gpugap::analysis::default_catalog_dir()};
  o.scenario = "ms-2025";
  return WhatIf(o);
}

}  // namespace

TEST(Web, EvalAppliesOverridesAsTheCliDoes) {
  const auto w = app();
  const std::string set = "market.cloud_capex_usd_bn.2030=180";
  const std::vector<std::string> metrics = {"market.tam_usd_bn.2030", "market.self_sufficiency.2030"};
  const auto r = w.handle("/api/eval", Query{{"set", set}, {"metric", metrics[0]}, {"metric", metrics[1]}});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = json::parse(r.body);
  EXPECT_EQ(j["overrides"], json::array({set}));
  const auto ctx = gpugap::studies::make_context({gpugap::analysis::default_catalog_dir()}, "ms-2025", {set});
  const auto want = gpugap::studies::evaluate(ctx, metrics);
  const auto base = gpugap::studies::evaluate(gpugap::studies::make_context({gpugap::analysis::default_catalog_dir()}, "ms-2025", {}),
                                              metrics);
  for (const auto& m : metrics) EXPECT_EQ(j["metrics"][m].get<double>(), want.at(m)) << m;
  EXPECT_NE(j["metrics"][metrics[0]].get<double>(), base.at(metrics[0])) << "the override moved nothing";
}

TEST(Web, BadValuesGetTheCliMessage) {
  const auto w = app();
  const std::string bad = "supply.nodes.smic-n2.yield.2030=1.5";
  const auto r = w.eval({bad}, {"market.tam_usd_bn.2030"});
  EXPECT_EQ(r.status, 400);
  const auto cli = gpugap::test::run_cli("eval market.tam_usd_bn.2030 -q --set " + bad);
  ASSERT_EQ(cli.rc, 2);
  EXPECT_EQ(json::parse(r.body)["error"].get<std::string>() + "\n", cli.err);
  // Unknown paths (with the CLI's suggestion), no metric, a bad report request, an unknown page.
  const auto unknown = w.eval({"market.cloud_capex_usd_bn=1"}, {"market.tam_usd_bn.2030"});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("did you mean"), std::string::npos) << unknown.body;
  EXPECT_EQ(w.eval({}, {"market.no_such_metric.2030"}).status, 400);
  EXPECT_EQ(w.eval({}, {}).status, 400);
  EXPECT_EQ(w.handle("/api/report", Query{{"set", bad}}).status, 400);
  EXPECT_EQ(w.handle("/no/such/page", {}).status, 404);
}

TEST(Web, LayoutControlsSitOnTheirSlidersAndEveryFigureEvaluates) {
  const auto w = app();
  const auto page = w.handle("/", {});
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("/api/eval"), std::string::npos);
  const auto js = w.handle("/echarts.min.js", {});
  EXPECT_GT(js.body.size(), 100000u);
  const auto layout = json::parse(w.layout().body);
  ASSERT_GE(layout["controls"].size(), 10u);
  std::set<std::string> groups;
  for (const auto& c : layout["controls"]) {
    groups.insert(c["group"].get<std::string>());
    const double v = c["value"].get<double>(), lo = c["lo"].get<double>(), hi = c["hi"].get<double>(), step = c["step"].get<double>();
    // The slider starts on the scenario's value: inside its range and on its grid.
    EXPECT_TRUE(lo <= v && v <= hi) << c["path"];
    EXPECT_NEAR((v - lo) / step, std::round((v - lo) / step), 1e-6) << c["path"];
  }
  for (const char* g : {"Cloud capex", "Yields", "Capacity", "HBM supply", "Import regime", "Electricity", "Chip prices", "Score weights"})
    EXPECT_TRUE(groups.count(g)) << g;
  std::vector<std::string> metrics;
  for (const auto& c : layout["cards"]) metrics.push_back(c["metric"]);
  for (const auto& ch : layout["charts"])
    for (const auto& s : ch["series"])
      for (const auto& m : s["metrics"]) metrics.push_back(m);
  ASSERT_GT(metrics.size(), 30u);
  const auto r = w.eval({}, metrics);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = json::parse(r.body);
  // Every figure evaluates; a break-even year not reached by the last year is null ("not by 2030" on the page).
  for (const auto& m : metrics)
    EXPECT_TRUE(j["metrics"][m].is_number() || (m.find("breakeven_year") != std::string::npos && j["metrics"][m].is_null()))
        << m;
  EXPECT_EQ(layout["last_year"], gpugap::analysis::kLastYear);
  // A money parameter is sent with its unit, as --set needs it.
  for (const auto& c : layout["controls"]) {
    if (c["path"] == "regions.cn.electricity_price") {
      EXPECT_EQ(c["unit"], "USD/kWh");
    }
  }
}

TEST(Web, ServeRefusesABadPort) {
  const auto r = gpugap::test::run_cli("serve --port 70000");
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// The page in headless Chromium, driven by Selenium: a slider's figure equals `gpugap eval`'s
// for the same override, the link and the download carry the overrides, a bad value shows the
// CLI's message, and the server exits 0 on SIGTERM.
TEST(ServeBrowser, SliderMatchesEvalAndBadValueShowsTheCliMessage) {
  const fs::path out = fs::path(gpugap::test::binary()).parent_path() / "e2e-serve";
  // Debian's python3, where python3-selenium installs (a python3 first on PATH may be another one).
  const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  const std::string cmd =
      python + " " + gpugap::test::source_dir() + "/tests/e2e/serve_browser.py " + gpugap::test::binary() + " " + out.string() + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string log;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) log.append(buf, n);
  const int status = ::pclose(pipe);
  const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (rc == 77) GTEST_SKIP() << log;
  EXPECT_EQ(rc, 0) << log;
}
