// Progress on long work: a bar with the time left on a terminal, one final line
// otherwise, always on stderr (JSON on stdout stays clean), nothing with -q.
#include <gtest/gtest.h>

#include "cli_helpers.hpp"
#include "core/progress.hpp"

using gpugap::Progress;
using gpugap::test::run_cli;

TEST(Progress, BarShowsShareCountAndTimeLeft) {
  // 250 of 1000 in 10 s: the rate so far (25/s) leaves 750 for 30 s.
  EXPECT_EQ(Progress::bar("Monte Carlo", 250, 1000, "samples", 10.0),
            "Monte Carlo [#######.......................]  25% 250/1000 samples, about 30.0 s left");
  EXPECT_EQ(Progress::bar("report", 0, 17, "steps", 0.5), "report [..............................]   0% 0/17 steps, time left ?");
  EXPECT_EQ(Progress::bar("report", 17, 17, "steps", 75.0),
            "report [##############################] 100% 17/17 steps, 1 min 15 s elapsed");
  EXPECT_EQ(gpugap::duration_text(3725), "1 h 02 min");
  EXPECT_EQ(gpugap::duration_text(-1), "?");
}

TEST(Progress, OneFinalLineOffATerminalNothingWithQuiet) {
  // ctest captures stderr: not a terminal, so one line at the end, and stdout is pure JSON.
  auto r = run_cli("mc --metric market.tam_usd_bn.2030 --samples 2000 --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.json()["samples"], 2000);
  EXPECT_EQ(r.err.rfind("Monte Carlo: 2000 samples in ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  r = run_cli("-q mc --metric market.tam_usd_bn.2030 --samples 2000 --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(Progress, ABarOnATerminal) {
  // `script` gives the command a pseudo-terminal: the bar is redrawn in place (\r) and ends at 100%.
  const gpugap::test::TempDir tmp("progress-tty");
  const std::string log = (tmp.path() / "tty.txt").string();
  const std::string cmd = "script -qec \"" + gpugap::test::binary() +
                          " mc --metric market.tam_usd_bn.2030 --samples 20000 --format json > /dev/null\" '" + log + "' > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(log, std::ios::binary);
  const std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(out.find("\r\033[KMonte Carlo ["), std::string::npos) << out;
  EXPECT_NE(out.find("100% 20000/20000 samples"), std::string::npos) << out;
}
