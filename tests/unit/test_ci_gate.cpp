// tests/ci_gate.sh, the gate `make test` and `make sanitize` run after ctest: it fails on a
// skipped test, on fewer tests than tests/min_test_count and on a missing results file, and
// its last line states the counts.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "cli_helpers.hpp"

namespace {

// A ctest JUnit file with the <testsuite> counts ctest writes (one attribute a line).
std::string junit(int tests, int failures, int skipped) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"gpugap\"\n\ttests=\"" + std::to_string(tests) +
         "\"\n\tfailures=\"" + std::to_string(failures) + "\"\n\tdisabled=\"0\"\n\tskipped=\"" + std::to_string(skipped) +
         "\"\n\thostname=\"\"\n\ttime=\"0\"\n\t>\n" +
         (skipped > 0 ? "\t<testcase name=\"Some.SkippedTest\" classname=\"Some.SkippedTest\" time=\"0\" status=\"notrun\">\n"
                        "\t\t<skipped message=\"SKIP_REGULAR_EXPRESSION_MATCHED\"/>\n\t</testcase>\n"
                      : "") +
         "</testsuite>\n";
}

int min_count() {
  std::ifstream in(gpugap::test::source_dir() + "/tests/min_test_count");
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') return std::stoi(line);
  return -1;
}

}  // namespace

TEST(CiGate, FailsOnASkipTooFewTestsOrNoResults) {
  const gpugap::test::TempDir tmp("gate");
  const int min = min_count();
  ASSERT_GT(min, 0) << "tests/min_test_count holds no number";
  auto gate = [&](const std::string& xml) {
    const auto file = tmp.path() / "j.xml";
    std::ofstream(file) << xml;
    if (xml.empty()) std::filesystem::remove(file);
    gpugap::test::CliResult r;
    FILE* pipe = ::popen((gpugap::test::source_dir() + "/tests/ci_gate.sh " + file.string() + " 2>&1").c_str(), "r");
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) r.out.append(buf, n);
    const int status = ::pclose(pipe);
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  };
  // All ran and passed, at the minimum: the gate passes and says so on its last line.
  auto r = gate(junit(min, 0, 0));
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("test gate: " + std::to_string(min) + " tests ran, 0 failed, 0 skipped"), std::string::npos) << r.out;
  // One skipped (ctest counts it as passed): the gate fails and names it.
  r = gate(junit(min + 1, 0, 1));
  EXPECT_NE(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("1 skipped"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Some.SkippedTest"), std::string::npos) << r.out;
  // One test fewer than the committed minimum.
  r = gate(junit(min - 1, 0, 0));
  EXPECT_NE(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("fewer than the minimum"), std::string::npos) << r.out;
  // No results file: ctest did not run.
  r = gate("");
  EXPECT_NE(r.rc, 0) << r.out;
}
