// gpugap compare and table2: every cell is what `gpugap eval` gives for the same
// scenario and overrides (the identity that makes them views, not new models).
#include <gtest/gtest.h>

#include <cmath>

#include "cli_helpers.hpp"

using gpugap::test::run_cli;

namespace {

double eval(const std::string& prefix, const std::string& metric) {
  const auto r = run_cli(prefix + " eval " + metric + " --format json");
  EXPECT_EQ(r.rc, 0) << r.err;
  return r.json()["metrics"][metric].get<double>();
}

}  // namespace

TEST(Compare, EachColumnIsEvalUnderThatScenario) {
  const std::string metrics = "market.tam_usd_bn.2030 market.self_sufficiency.2030";
  const auto r = run_cli("compare --scenarios ms-2025,ms-2025-bull,ms-2025-bear --metric " + metrics +
                         " --set market.chain.server_share.2030=0.9 --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  ASSERT_EQ(j["scenarios"].size(), 3u);
  ASSERT_EQ(j["rows"].size(), 2u);
  for (const auto& row : j["rows"])
    for (const std::string s : {"ms-2025", "ms-2025-bull", "ms-2025-bear"}) {
      const double want = eval("--scenario " + s + " --set market.chain.server_share.2030=0.9", row["metric"]);
      EXPECT_NEAR(row["values"][s].get<double>(), want, 1e-12 * std::fabs(want)) << s << " " << row["metric"];
    }
  // The bull case is above the base, the bear case below (the scenarios' premise).
  const auto& tam = j["rows"][0]["values"];
  EXPECT_GT(tam["ms-2025-bull"].get<double>(), tam["ms-2025"].get<double>());
  EXPECT_LT(tam["ms-2025-bear"].get<double>(), tam["ms-2025"].get<double>());
  EXPECT_EQ(j["provenance"]["scenario"].size(), 3u);
  EXPECT_EQ(j["provenance"]["overrides"][0], "market.chain.server_share.2030=0.9");
  // CSV: one row per metric, one column per scenario.
  const auto csv = run_cli("compare --scenarios ms-2025,ms-2025-bull --metric market.tam_usd_bn.2030 --format csv");
  ASSERT_EQ(csv.rc, 0) << csv.err;
  EXPECT_EQ(csv.out.substr(0, csv.out.find('\n')), "metric,ms-2025,ms-2025-bull");
}

TEST(Compare, BadInputIsExitTwo) {
  auto r = run_cli("compare --scenarios ms-2025 --metric market.tam_usd_bn.2030");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("--scenarios: expected at least two scenarios"), std::string::npos) << r.err;
  r = run_cli("compare --scenarios ms-2025,ms-2025-bul --metric market.tam_usd_bn.2030");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("ms-2025-bull"), std::string::npos) << r.err;  // did you mean
  r = run_cli("compare --scenarios ms-2025,ms-2025-bull --metric market.tam_usd_bn.2031");
  EXPECT_EQ(r.rc, 2);
}

TEST(Table2, EveryCellIsEvalWithBothOverrides) {
  const std::string a = "market.chain.overseas_share.2030", b = "market.chain.server_share.2030";
  const auto r = run_cli("table2 --metric market.tam_usd_bn.2030 --vary " + a + "=0.2,0.25,0.3 --vary " + b +
                         "=0.8,0.9 --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  ASSERT_EQ(j["values"].size(), 3u);
  const std::vector<std::string> av{"0.2", "0.25", "0.3"}, bv{"0.8", "0.9"};
  for (std::size_t i = 0; i < av.size(); ++i)
    for (std::size_t k = 0; k < bv.size(); ++k) {
      const double want = eval("--set " + a + "=" + av[i] + " --set " + b + "=" + bv[k], "market.tam_usd_bn.2030");
      EXPECT_NEAR(j["values"][i][k].get<double>(), want, 1e-9 * std::fabs(want)) << av[i] << " " << bv[k];
    }
  EXPECT_NEAR(j["base"].get<double>(), eval("", "market.tam_usd_bn.2030"), 1e-9);
  // The TAM falls as the overseas share rises (it is the share built abroad).
  EXPECT_GT(j["values"][0][0].get<double>(), j["values"][2][0].get<double>());
  // CSV: the header names both axes and the column values.
  const auto csv = run_cli("table2 --metric market.tam_usd_bn.2030 --vary " + a + "=0.2,0.3 --vary " + b + "=0.8,0.9 --format csv");
  ASSERT_EQ(csv.rc, 0) << csv.err;
  EXPECT_EQ(csv.out.substr(0, csv.out.find('\n')), a + " \\ " + b + ",0.8,0.9");
}

TEST(Table2, BadValuesGiveTheMessageSetGives) {
  const std::string a = "market.chain.overseas_share.2030";
  const auto t = run_cli("table2 --metric market.tam_usd_bn.2030 --vary " + a + "=0.2,1.5");
  const auto s = run_cli("--set " + a + "=1.5 eval market.tam_usd_bn.2030");
  EXPECT_EQ(t.rc, 2);
  EXPECT_EQ(s.rc, 2);
  ASSERT_EQ(s.err.rfind("gpugap: --set: ", 0), 0u) << s.err;
  EXPECT_EQ(t.err, "gpugap: --vary: " + s.err.substr(15)) << t.err;
  EXPECT_EQ(run_cli("table2 --metric market.tam_usd_bn.2030 --vary " + a).rc, 2);  // no values
  EXPECT_EQ(run_cli("table2 --metric market.tam_usd_bn.2030 --vary " + a + "=0.2 --vary " + a + "=0.3").rc, 2);
  EXPECT_EQ(run_cli("table2 --metric market.tam_usd_bn.2030 --vary x.y=1 --vary x.z=1 --vary x.w=1").rc, 2);
}
