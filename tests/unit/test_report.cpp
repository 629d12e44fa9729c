// The report: model formatting, chart builders, the three renderers, and the
// `gpugap report` command end to end (files written, sheets, determinism).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "cli_helpers.hpp"
#include "core/sha256.hpp"
#include "report/charts.hpp"
#include "report/report.hpp"

namespace fs = std::filesystem;
using gpugap::report::Cell;
using gpugap::report::Chart;
using gpugap::report::Report;
using gpugap::report::Section;
using gpugap::report::TableData;
namespace charts = gpugap::report::charts;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string sh(const std::string& cmd) {
  std::string out;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  ::pclose(pipe);
  return out;
}

fs::path scratch(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("gpugap-report-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Sheet names as workbook.xml lists them, in order.
std::vector<std::string> sheet_names(const fs::path& xlsx) {
  const std::string wb = sh("unzip -p '" + xlsx.string() + "' xl/workbook.xml");
  std::vector<std::string> names;
  const std::regex re("<sheet name=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(wb.begin(), wb.end(), re); it != std::sregex_iterator(); ++it) names.push_back((*it)[1]);
  return names;
}

// A small report with one of every item kind.
Report sample_report() {
  Report r;
  r.title = "Test <report> & co";
  r.scenario_id = "test";
  Section a{"first", "1. First", "A takeaway with <b>markup</b>", {}};
  a.items.push_back(gpugap::report::Paragraph{"Some text."});
  TableData t;
  t.id = "t1";
  t.title = "Numbers";
  t.headers = {"name", "value (USD bn)", "share"};
  t.rows.push_back({Cell::txt("alpha"), Cell::num(1234.5, gpugap::report::kOne), Cell::num(0.25, gpugap::report::kPct0, true)});
  t.rows.push_back({Cell::txt("beta"), Cell::num(std::nan(""), gpugap::report::kOne), Cell::empty()});
  a.items.push_back(t);
  a.items.push_back(charts::bar("bars", "Bars", "alpha leads.", {"name", gpugap::report::kOne}, {"value (USD bn)", gpugap::report::kOne},
                                {"alpha", "beta"}, {charts::Series{"s", {1.0, 2.0}, "", ""}}));
  Section b{"second", "2. Second: a very long title that exceeds Excel's limit", "Second takeaway", {}};
  b.items.push_back(gpugap::report::Unavailable{"thing", "engine missing"});
  b.items.push_back(charts::waterfall("wf", "Waterfall </script> test", "ends at 60.", {"USD bn", gpugap::report::kOne},
                                      {{"start", 100, true}, {"minus", -40, false}, {"end", 60, true}}));
  r.sections = {a, b};
  return r;
}

}  // namespace

TEST(ReportModel, NumberFormats) {
  using namespace gpugap::report;
  EXPECT_EQ(format_number(1234.56, kOne), "1,234.6");
  EXPECT_EQ(format_number(-1234567.0, kInt), "-1,234,567");
  EXPECT_EQ(format_number(0.7649, kPct0), "76%");
  EXPECT_EQ(format_number(0.2345, kPct1), "23.4%");
  EXPECT_EQ(format_number(2028.0, kYear), "2028");
  EXPECT_EQ(format_number(-0.01, kOne), "0.0");  // no "-0.0"
  EXPECT_EQ(format_number(std::nan(""), kOne), "n/a");
  EXPECT_EQ(format_number(9.89e14, kGeneral), "9.89e+14");
  EXPECT_EQ(excel_format(kOne), "#,##0.0");
  EXPECT_EQ(excel_format(kPct0), "0%");
  EXPECT_EQ(excel_format(kPct1), "0.0%");
  EXPECT_EQ(excel_format(kYear), "0");
  EXPECT_EQ(excel_format(kGeneral), "General");
  EXPECT_EQ(Cell::num(std::nan(""), kOne).kind, Cell::Kind::kEmpty);
}

TEST(ReportCharts, WaterfallRunsToItsTotal) {
  using namespace gpugap::report;
  // 130 bn of capex, 30% overseas, ... : the running total must end on the last bar.
  const Chart c = charts::waterfall("w", "TAM build-up", "t", {"USD bn", kOne},
                                    {{"capex", 130, true}, {"overseas", -39, false}, {"non-server", -9.1, false}, {"TAM", 81.9, true}});
  ASSERT_EQ(c.data.rows.size(), 4u);
  EXPECT_NEAR(c.data.rows[2][2].number, 130 - 39 - 9.1, 1e-9);
  EXPECT_NEAR(c.data.rows[3][2].number, 81.9, 1e-9);
  // The invisible base of a decrease is where the bar ends: 130 - 39 = 91.
  EXPECT_DOUBLE_EQ(c.option["series"][0]["data"][1].get<double>(), 91.0);
  EXPECT_DOUBLE_EQ(c.option["series"][3]["data"][1].get<double>(), 39.0);
}

TEST(ReportCharts, EveryChartHasTitleAxisNamesAndData) {
  using namespace gpugap::report;
  const charts::Axis x{"year", kYear}, y{"TAM (USD bn)", kOne}, p{"share (%)", kPct0};
  const std::vector<std::string> cats{"2024", "2025"};
  std::vector<Chart> all{
      charts::bar("a", "A", "t", x, y, cats, {charts::Series{"s", {1, 2}, "", "k"}}),
      charts::line("b", "B", "t", x, p, cats, {charts::Series{"s", {0.3, 0.5}, "", ""}}),
      charts::scatter("c", "C", "t", {"tokens/s per user", kOne}, {"tokens/s per chip", kOne}, {{"chip", {{1, 10}, {2, 8}}, "", true}}),
      charts::tornado("d", "D", "t", y, 67, {{"param.a", 60, 75, "-20%", "+20%"}}),
      charts::fan("e", "E", "t", x, y, cats, {{1, 2}, {}, {2, 3}, {}, {3, 4}, {2, 3}}),
      charts::heatmap("f", "F", "t", {"layer", kOne}, {"vendor", kOne}, {"l1"}, {"v1"}, {{3}}, 0, 5, kOne),
  };
  for (const auto& c : all) {
    EXPECT_FALSE(c.option["title"]["text"].get<std::string>().empty()) << c.id;
    EXPECT_FALSE(c.data.rows.empty()) << c.id;
    if (c.option.contains("xAxis")) {
      EXPECT_FALSE(c.option["xAxis"]["name"].get<std::string>().empty()) << c.id;
    }
    if (c.id != "f" && c.id != "d" && c.option.contains("yAxis")) {
      EXPECT_FALSE(c.option["yAxis"]["name"].get<std::string>().empty()) << c.id;
    }
  }
  // Percent axes plot percentages (ECharts cannot scale): 0.3 -> 30.
  EXPECT_DOUBLE_EQ(all[1].option["series"][0]["data"][0].get<double>(), 30.0);
  // The tornado draws changes from the base value: 60 - 67 = -7.
  EXPECT_DOUBLE_EQ(all[3].option["series"][0]["data"][0].get<double>(), -7.0);
}

TEST(ReportCharts, HorizontalBarNamesItsCategoriesAboveTheLabels) {
  using namespace gpugap::report;
  // Long category labels: a category-axis name in the middle (past the labels) sat on them.
  const Chart c = charts::bar("h", "H", "t", {"chip", kOne}, {"tokens/s per chip", kOne},
                              {"huawei-ascend-910c (CloudMatrix 384)", "nvidia-h20"}, {charts::Series{"s", {1, 2}, "", ""}}, true);
  const auto& ya = c.option["yAxis"];
  EXPECT_EQ(ya["type"], "category");
  EXPECT_EQ(ya["name"], "chip");
  EXPECT_TRUE(ya["inverse"].get<bool>());
  EXPECT_EQ(ya["nameLocation"], "start");  // the top of an inverted axis: above the first label
  EXPECT_EQ(ya["nameTextStyle"]["align"], "right");
  EXPECT_LT(ya["nameGap"].get<int>(), 20);
  // The grid leaves room above for it (a vertical chart keeps the default top).
  const Chart v = charts::bar("v", "V", "t", {"chip", kOne}, {"tokens/s per chip", kOne}, {"a", "b"},
                              {charts::Series{"s", {1, 2}, "", ""}});
  EXPECT_GT(c.option["grid"]["top"].get<int>(), v.option["grid"]["top"].get<int>());
  EXPECT_EQ(v.option["xAxis"]["nameLocation"], "middle");
}

TEST(ReportHtml, PrintKeepsEachChartOnOnePage) {
  const std::string html = gpugap::report::render_html(sample_report());
  const auto print = html.find("@media print");
  ASSERT_NE(print, std::string::npos);
  const std::string block = html.substr(print, html.find('\n', print) - print);  // the one-line print block
  EXPECT_NE(block.find(".chart-box { break-inside: avoid; page-break-inside: avoid; }"), std::string::npos) << block;
  EXPECT_NE(block.find("nav.toc { display: none; }"), std::string::npos) << block;
}

TEST(ReportHtml, SelfContainedEscapedWithOneContainerPerChart) {
  const std::string html = gpugap::report::render_html(sample_report());
  EXPECT_GT(html.size(), 500'000u);  // ECharts inlined
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_NE(html.find("Test &lt;report&gt; &amp; co"), std::string::npos);
  EXPECT_NE(html.find("A takeaway with &lt;b&gt;markup&lt;/b&gt;"), std::string::npos);
  // "</script>" inside chart JSON is neutralised.
  EXPECT_EQ(html.find("Waterfall </script>"), std::string::npos);
  std::size_t n = 0;
  for (auto pos = html.find("class=\"chart\" id=\"chart-"); pos != std::string::npos; pos = html.find("class=\"chart\" id=\"chart-", pos + 1))
    ++n;
  EXPECT_EQ(n, 2u);
  EXPECT_NE(html.find("href=\"#first\""), std::string::npos);  // table of contents
  EXPECT_NE(html.find("Not available: thing"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num flag\">25%</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">1,234.5</td>"), std::string::npos);
}

TEST(ReportXlsx, SheetsNumbersAndDeterminism) {
  const auto dir = scratch("xlsx");
  const Report r = sample_report();
  gpugap::report::write_xlsx(r, (dir / "a.xlsx").string());
  gpugap::report::write_xlsx(r, (dir / "b.xlsx").string());
  const auto names = sheet_names(dir / "a.xlsx");
  ASSERT_EQ(names.size(), 3u);
  EXPECT_EQ(names[0], "Contents");
  EXPECT_EQ(names[1], "1. First");
  EXPECT_LE(names[2].size(), 31u);  // Excel's limit
  const std::string list = sh("unzip -l '" + (dir / "a.xlsx").string() + "'");
  for (const char* part : {"xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet3.xml", "xl/styles.xml"})
    EXPECT_NE(list.find(part), std::string::npos) << part;
  // Numbers stay numbers: 1234.5 is a numeric cell, not a string.
  const std::string s2 = sh("unzip -p '" + (dir / "a.xlsx").string() + "' xl/worksheets/sheet2.xml");
  EXPECT_NE(s2.find("<v>1234.5</v>"), std::string::npos);
  EXPECT_EQ(slurp(dir / "a.xlsx"), slurp(dir / "b.xlsx"));
  // No temporary file left behind.
  for (const auto& e : fs::directory_iterator(dir)) EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos);
  fs::remove_all(dir);
}

TEST(ReportJson, NumbersStayNumbersAndFlagsAreListed) {
  const auto j = gpugap::report::to_json(sample_report());
  const auto& t = j["sections"][0]["items"][1];
  EXPECT_EQ(t["type"], "table");
  EXPECT_DOUBLE_EQ(t["rows"][0][1].get<double>(), 1234.5);
  EXPECT_TRUE(t["rows"][1][1].is_null());
  EXPECT_EQ(t["flagged_cells"][0], nlohmann::json({0, 2}));
  EXPECT_EQ(j["sections"][1]["items"][0]["type"], "unavailable");
}

TEST(ReportCli, WritesHtmlXlsxJsonWithEverySection) {
  const auto dir = scratch("cli");
  const std::string args = "report -q -o " + (dir / "r.html").string() + " --xlsx " + (dir / "r.xlsx").string() + " --json " +
                           (dir / "r.json").string();
  // Its speed is bench_report.cpp's (make bench, docs/performance.md), not a wall-clock limit here.
  const auto res = gpugap::test::run_cli(args);
  ASSERT_EQ(res.rc, 0) << res.err;
  EXPECT_TRUE(res.err.empty()) << res.err;  // --quiet: no progress
  for (const char* f : {"r.html", "r.xlsx", "r.json"}) EXPECT_TRUE(fs::exists(dir / f)) << f;
  EXPECT_NE(res.out.find("written:"), std::string::npos);

  const auto j = nlohmann::json::parse(slurp(dir / "r.json"));
  std::vector<std::string> ids;
  for (const auto& s : j["sections"]) {
    ids.push_back(s["id"]);
    EXPECT_FALSE(s["takeaway"].get<std::string>().empty()) << s["id"];
    for (const auto& it : s["items"])
      if (it["type"] == "chart") {
        EXPECT_FALSE(it["takeaway"].get<std::string>().empty()) << it["id"];
        EXPECT_FALSE(it["title"].get<std::string>().empty()) << it["id"];
      }
  }
  const std::vector<std::string> want{"summary", "supply", "demand", "inference", "vendors", "gap", "uncertainty", "compare", "table2", "validation", "assumptions"};
  EXPECT_EQ(ids, want);
  EXPECT_EQ(j["scenario"], "ms-2025");

  // The assumptions appendix lists every parameter of the scenario.
  const auto params = gpugap::test::run_cli("params --format json");
  ASSERT_EQ(params.rc, 0) << params.err;
  EXPECT_EQ(j["results"]["params"].size(), params.json()["params"].size());

  // One sheet per section after Contents; the last is the assumptions sheet.
  const auto names = sheet_names(dir / "r.xlsx");
  ASSERT_EQ(names.size(), want.size() + 1);
  EXPECT_EQ(names.front(), "Contents");
  EXPECT_EQ(names[1], "1. Summary");
  EXPECT_EQ(names.back(), "11. Assumptions appendix");
  const std::string list = sh("unzip -l '" + (dir / "r.xlsx").string() + "'");
  EXPECT_NE(list.find("xl/worksheets/sheet" + std::to_string(names.size()) + ".xml"), std::string::npos);
  fs::remove_all(dir);
}

// The report's compare and table2 sections (docs/report.md: their defaults) hold what the
// commands give for the same scenarios, metrics and values, in HTML, XLSX and JSON.
TEST(ReportCli, CompareAndTable2SectionsEqualTheCommands) {
  const auto dir = scratch("views");
  const auto res = gpugap::test::run_cli("report -q -o " + (dir / "r.html").string() + " --xlsx " + (dir / "r.xlsx").string() +
                                         " --json " + (dir / "r.json").string());
  ASSERT_EQ(res.rc, 0) << res.err;
  const auto j = nlohmann::json::parse(slurp(dir / "r.json"));
  const std::string html = slurp(dir / "r.html");
  const auto names = sheet_names(dir / "r.xlsx");

  for (const std::string id : {"compare", "table2"}) {
    const nlohmann::json* sec = nullptr;
    for (const auto& s : j["sections"])
      if (s["id"] == id) sec = &s;
    ASSERT_NE(sec, nullptr) << id;
    std::set<std::string> types;
    for (const auto& it : (*sec)["items"]) types.insert(it["type"].get<std::string>());
    EXPECT_EQ(types, (std::set<std::string>{"chart", "table"})) << id << ": " << (*sec).dump();
    EXPECT_NE(html.find("<section id=\"" + id + "\">"), std::string::npos) << id;
    EXPECT_NE(std::find(names.begin(), names.end(), (*sec)["title"].get<std::string>()), names.end()) << id;
  }
  EXPECT_NE(html.find("id=\"chart-compare-self-sufficiency\""), std::string::npos);
  EXPECT_NE(html.find("id=\"chart-table2-heatmap\""), std::string::npos);
  EXPECT_NE(html.find("id=\"compare-metrics\""), std::string::npos);
  EXPECT_NE(html.find("id=\"table2-grid\""), std::string::npos);

  // compare: the report's scenario, bull, bear and every risk-* scenario; the headline metrics.
  const auto& cmp = j["results"]["compare"];
  const auto scen = cmp["scenarios"].get<std::vector<std::string>>();
  ASSERT_GE(scen.size(), 7u);
  EXPECT_EQ(scen[0], "ms-2025");
  for (const std::string id : {"ms-2025-bull", "ms-2025-bear", "risk-foundry-shortfall", "risk-hbm-shortfall"})
    EXPECT_NE(std::find(scen.begin(), scen.end(), id), scen.end()) << id;
  std::string scen_list, metrics;
  for (const auto& s : scen) scen_list += (scen_list.empty() ? "" : ",") + s;
  for (const auto& r : cmp["rows"]) metrics += " " + r["metric"].get<std::string>();
  EXPECT_NE(metrics.find("market.self_sufficiency.2030"), std::string::npos);
  const auto c = gpugap::test::run_cli("compare --format json --scenarios " + scen_list + " --metric" + metrics);
  ASSERT_EQ(c.rc, 0) << c.err;
  EXPECT_EQ(cmp["rows"], c.json()["rows"]);
  EXPECT_EQ(cmp["scenarios"], c.json()["scenarios"]);

  // table2: self-sufficiency 2030 over packaging yield x licensed imports.
  const auto& t2 = j["results"]["table2"];
  EXPECT_EQ(t2["metric"], "market.self_sufficiency.2030");
  auto vary = [](const nlohmann::json& axis) {
    std::string v = axis["path"].get<std::string>() + "=";
    for (const auto& x : axis["values"]) v += x.get<std::string>() + ",";
    v.pop_back();
    return v;
  };
  const auto t = gpugap::test::run_cli("table2 --format json --metric market.self_sufficiency.2030 --vary " + vary(t2["rows"]) +
                                       " --vary " + vary(t2["cols"]));
  ASSERT_EQ(t.rc, 0) << t.err;
  for (const char* k : {"base", "rows", "cols", "values"}) EXPECT_EQ(t2[k], t.json()[k]) << k;
  // The grid is not flat: the defaults move the metric.
  const auto& grid = t2["values"];
  EXPECT_NE(grid.front().front(), grid.back().back());

  // The XLSX sheet holds the numbers: a number cell per scenario and metric at least.
  const auto at = static_cast<std::size_t>(std::find(names.begin(), names.end(), "8. Scenarios compared") - names.begin());
  const std::string sheet = sh("unzip -p '" + (dir / "r.xlsx").string() + "' xl/worksheets/sheet" + std::to_string(at + 1) + ".xml");
  // A number cell has no t="..." attribute (strings are t="s").
  const std::regex number_cell("<c r=\"[A-Z]+[0-9]+\"(?: s=\"[0-9]+\")?><v>");
  const auto numbers = static_cast<std::size_t>(
      std::distance(std::sregex_iterator(sheet.begin(), sheet.end(), number_cell), std::sregex_iterator()));
  EXPECT_GE(numbers, scen.size() * cmp["rows"].size());
  fs::remove_all(dir);
}

// The report's key figures (the summary's headline table: every published figure with the
// metric path that computes it) are what `gpugap eval` gives for the same paths.
TEST(ReportCli, HeadlineFiguresEqualEval) {
  const auto dir = scratch("eval");
  const auto res = gpugap::test::run_cli("report -q -o " + (dir / "r.html").string() + " --json " + (dir / "r.json").string());
  ASSERT_EQ(res.rc, 0) << res.err;
  const auto j = nlohmann::json::parse(slurp(dir / "r.json"));
  fs::remove_all(dir);
  const nlohmann::json* headline = nullptr;
  for (const auto& s : j["sections"])
    for (const auto& it : s["items"])
      if (it.value("id", "") == "headline") headline = &it;
  ASSERT_NE(headline, nullptr);
  ASSERT_EQ((*headline)["headers"][1], "metric path");
  ASSERT_EQ((*headline)["headers"][3], "computed");
  std::string paths;
  // Every headline figure computes in this build; a break-even year not reached by 2030
  // has no value: "not by 2030" with the reason as its status, null from eval.
  auto never = [](const nlohmann::json& row) { return row[3] == "not by 2030"; };
  for (const auto& row : (*headline)["rows"]) {
    if (never(row)) EXPECT_TRUE(row[7].get<std::string>().starts_with("not reached by 2030: ")) << row[1];
    else EXPECT_EQ(row[7], "computed") << row[1];
    paths += " " + row[1].get<std::string>();
  }
  ASSERT_GE((*headline)["rows"].size(), 15u);
  const auto ev = gpugap::test::run_cli("eval" + paths + " --format json");
  ASSERT_EQ(ev.rc, 0) << ev.err;
  const auto m = ev.json()["metrics"];
  for (const auto& row : (*headline)["rows"]) {
    if (never(row)) {
      EXPECT_TRUE(m.at(row[1].get<std::string>()).is_null()) << row[1];
      continue;
    }
    const double want = m.at(row[1].get<std::string>()).get<double>();
    // The same computation in both runs; 1e-12 relative for the JSON round trip of a double.
    EXPECT_NEAR(row[3].get<double>(), want, 1e-12 * std::fabs(want)) << row[1];
  }
}

TEST(ReportCli, SameInputsSameBytes) {
  const auto dir = scratch("det");
  for (const char* n : {"a", "b"}) {
    const std::string d = (dir / n).string();
    const auto res = gpugap::test::run_cli("report -q -o " + d + "/r.html --xlsx " + d + "/r.xlsx --json " + d + "/r.json");
    ASSERT_EQ(res.rc, 0) << res.err;
  }
  for (const char* f : {"r.html", "r.xlsx", "r.json"}) EXPECT_EQ(slurp(dir / "a" / f), slurp(dir / "b" / f)) << f;
  fs::remove_all(dir);
}

TEST(ReportCli, OverridesAreRecordedAndFlagged) {
  const auto dir = scratch("ovr");
  const auto res = gpugap::test::run_cli("report -q --set chips.nvidia-h20.price.cn=100000RMB -o " + (dir / "r.html").string() +
                                         " --json " + (dir / "r.json").string() + " --xlsx " + (dir / "r.xlsx").string());
  ASSERT_EQ(res.rc, 0) << res.err;
  const auto j = nlohmann::json::parse(slurp(dir / "r.json"));
  ASSERT_EQ(j["overrides"].size(), 1u);
  // Every output file carries the provenance stamp: version, commit, catalog and
  // measurement-file hashes, scenario, overrides, seed.
  const auto& p = j["provenance"];
  EXPECT_EQ(p["gpugap"]["version"], "0.1.0");
  EXPECT_FALSE(p["gpugap"]["commit"].get<std::string>().empty());
  const std::string catalog_hash = p["catalog"]["sha256"];
  EXPECT_EQ(catalog_hash.size(), 64u);
  EXPECT_GT(p["catalog"]["files"].get<int>(), 100);
  EXPECT_EQ(p["scenario"], "ms-2025");
  EXPECT_EQ(p["overrides"][0], "chips.nvidia-h20.price.cn=100000RMB");
  EXPECT_EQ(p["seed"], 1);
  ASSERT_FALSE(p["measurements"].empty());
  for (const auto& m : p["measurements"])  // the hash of the file itself
    EXPECT_EQ(m["sha256"], gpugap::sha256_hex(slurp(fs::path(gpugap::test::source_dir()) / "data" / "measurements" /
                                                    m["file"].get<std::string>())))
        << m["file"];
  const std::string line = "catalog sha256 " + catalog_hash;
  EXPECT_NE(slurp(dir / "r.html").find(line), std::string::npos);
  const std::string xlsx_strings = dir.string() + "/strings.xml";
  ASSERT_EQ(std::system(("unzip -p '" + (dir / "r.xlsx").string() + "' xl/sharedStrings.xml > '" + xlsx_strings + "'").c_str()), 0);
  EXPECT_NE(slurp(xlsx_strings).find(line), std::string::npos);
  // The same catalog gives the same hash to every command that stamps its output.
  const auto cmp = gpugap::test::run_cli("compare --scenarios ms-2025,ms-2025-bull --metric market.tam_usd_bn.2030 --format json");
  ASSERT_EQ(cmp.rc, 0) << cmp.err;
  EXPECT_EQ(cmp.json()["provenance"]["catalog"]["sha256"], catalog_hash);
  bool flagged = false;
  for (const auto& p : j["results"]["params"])
    if (p["path"] == "chips.nvidia-h20.price.cn") flagged = p["overridden"].get<bool>();
  EXPECT_TRUE(flagged);
  EXPECT_NE(slurp(dir / "r.html").find("overrides: <code>chips.nvidia-h20.price.cn=100000RMB"), std::string::npos);
  fs::remove_all(dir);
}

TEST(ReportCli, BadArgumentsAreUserErrors) {
  EXPECT_EQ(gpugap::test::run_cli("report -q --samples 5 -o /tmp/x.html").rc, 2);
  const auto r = gpugap::test::run_cli("report -q -o /proc/gpugap-no/r.html");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("gpugap:"), std::string::npos);
  const auto e = gpugap::test::run_cli("report -q --set no.such.param=1 -o /tmp/x.html");
  EXPECT_EQ(e.rc, 2);
}

// The headless-Chromium check (tests/e2e/report_browser.sh): every chart drew,
// no console error, a screenshot saved under the build folder.
TEST(ReportBrowser, EveryChartRendersInHeadlessChromium) {
  const fs::path out = fs::path(gpugap::test::binary()).parent_path() / "e2e";
  const std::string cmd = gpugap::test::source_dir() + "/tests/e2e/report_browser.sh " + gpugap::test::binary() + " " + out.string() + " 2>&1";
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
