// End-to-end: gpugap mc / sensitivity / goalseek on the shipped scenario
// ms-2025 and the market engine (issue 7's acceptance checks).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "analysis/metrics.hpp"
#include "cli_helpers.hpp"
#include "studies/engines.hpp"

using gpugap::test::CliResult;
using gpugap::test::run_cli;

namespace {

// Runs a shell command line (for mpirun), capturing stdout and the exit code.
CliResult run_shell(const std::string& cmd) {
  CliResult r;
  FILE* pipe = ::popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

double param_value(const nlohmann::json& params, const std::string& path) {
  for (const auto& p : params["params"])
    if (p["path"] == path) return p["value"].get<double>();
  ADD_FAILURE() << "no parameter " << path;
  return std::nan("");
}

const std::string kMc = "mc --metric market.tam_usd_bn.2030 --samples 100000 --seed 7 --format json";

}  // namespace

TEST(AnalysisCli, MonteCarloSameBytesForAnyThreadCount) {
  const auto one = run_cli(kMc + " --threads 1");
  ASSERT_EQ(one.rc, 0) << one.err;
  const auto two = run_cli(kMc + " --threads 2");
  ASSERT_EQ(two.rc, 0) << two.err;
  EXPECT_EQ(one.out, two.out);
  const auto j = one.json();
  EXPECT_EQ(j["scenario"], "ms-2025");
  EXPECT_EQ(j["samples"], 100000);
  EXPECT_EQ(j["seed"], 7);
  EXPECT_TRUE(j["overrides"].is_array());
  const auto& m = j["metrics"]["market.tam_usd_bn.2030"];
  EXPECT_EQ(m["n"], 100000);
  // The scenario declares uncertainty on the TAM's inputs: a real spread.
  EXPECT_LT(m["p5"].get<double>(), m["p50"].get<double>());
  EXPECT_LT(m["p50"].get<double>(), m["p95"].get<double>());
  EXPECT_GT(m["sem"].get<double>(), 0.0);
  EXPECT_NEAR(m["sem"].get<double>(), m["sd"].get<double>() / std::sqrt(100000.0), 1e-12);
  EXPECT_EQ(m["histogram"]["counts"].size(), 20u);
  // A different seed, different bytes.
  const auto other = run_cli("mc --metric market.tam_usd_bn.2030 --samples 100000 --seed 8 --format json --threads 2");
  ASSERT_EQ(other.rc, 0) << other.err;
  EXPECT_NE(other.json()["metrics"]["market.tam_usd_bn.2030"]["mean"], m["mean"]);
}

// `make test` sets GPUGAP_REQUIRE_MPI=1: there a missing MPI is a failure, not a skip.
bool mpi_required() {
  const char* v = std::getenv("GPUGAP_REQUIRE_MPI");
  return v != nullptr && std::string(v) == "1";
}

TEST(AnalysisCli, MonteCarloSameBytesUnderMpirun) {
#ifndef GPUGAP_HAVE_MPI
  if (mpi_required()) FAIL() << "GPUGAP_REQUIRE_MPI=1 but gpugap was built without MPI (install libopenmpi-dev)";
  GTEST_SKIP() << "built without MPI";
#else
  if (std::system("command -v mpirun >/dev/null 2>&1") != 0) {
    if (mpi_required()) FAIL() << "GPUGAP_REQUIRE_MPI=1 but mpirun is not installed (openmpi-bin)";
    GTEST_SKIP() << "mpirun not installed";
  }
  const auto one = run_cli(kMc + " --threads 1");
  ASSERT_EQ(one.rc, 0) << one.err;
  const auto two = run_cli(kMc + " --threads 2");
  ASSERT_EQ(two.rc, 0) << two.err;
  EXPECT_EQ(two.out, one.out);
  // As root Open MPI refuses to start without these; --oversubscribe lets two
  // ranks share fewer cores.
  const std::string mpirun =
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none "
      "mpirun -n 2 --oversubscribe ";
  const auto mpi = run_shell(mpirun + gpugap::test::binary() + " " + kMc + " --threads 1");
  ASSERT_EQ(mpi.rc, 0);
  EXPECT_EQ(mpi.out, one.out);
  const auto mpi2 = run_shell(mpirun + gpugap::test::binary() + " " + kMc + " --threads 2");
  ASSERT_EQ(mpi2.rc, 0);
  // Equal bytes also show only rank 0 printed: two unconnected copies would print twice.
  EXPECT_EQ(mpi2.out, one.out);
#endif
}

TEST(AnalysisCli, GoalSeekOverseasShareMatchesClosedForm) {
  const auto r = run_cli("goalseek --target market.tam_usd_bn.2030=67 --vary market.chain.overseas_share.2030 --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  const auto p = run_cli("params market --format json");
  ASSERT_EQ(p.rc, 0) << p.err;
  const auto params = p.json();
  // TAM = capex (1 - s) server ai accel + added buyers  =>  s = 1 - (TAM - added) / (capex server ai accel).
  const double capex = param_value(params, "market.cloud_capex_usd_bn.2030");
  const double chain = param_value(params, "market.chain.server_share.2030") *
                       param_value(params, "market.chain.ai_server_share.2030") *
                       param_value(params, "market.chain.accelerator_share.2030");
  const double added = param_value(params, "market.buyers.sovereign_usd_bn.2030") +
                       param_value(params, "market.buyers.innovator_usd_bn.2030");
  const double expected = 1.0 - (67.0 - added) / (capex * chain);
  EXPECT_NEAR(j["value"].get<double>(), expected, 1e-9);
  EXPECT_NEAR(j["achieved"].get<double>(), 67.0, 1e-8);
  EXPECT_EQ(j["vary"], "market.chain.overseas_share.2030");
  EXPECT_EQ(j["scenario"], "ms-2025");
  EXPECT_EQ(j["range_basis"], "declared");
}

TEST(AnalysisCli, GoalSeekUnreachableTargetIsAClearError) {
  const auto r = run_cli("goalseek --target market.tam_usd_bn.2030=1000 --vary market.chain.overseas_share.2030");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("ranges only over"), std::string::npos) << r.err;
  const auto y = run_cli("goalseek --target market.tam_usd_bn.2030=67 --vary market.chain.overseas_share");
  EXPECT_EQ(y.rc, 2);
  EXPECT_NE(y.err.find("market.chain.overseas_share.2030"), std::string::npos) << y.err;
}

TEST(AnalysisCli, SensitivityTornado) {
  const auto r = run_cli("sensitivity --metric market.tam_usd_bn.2030 --top 6 --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["scenario"], "ms-2025");
  EXPECT_EQ(j["metric"], "market.tam_usd_bn.2030");
  const auto& rows = j["rows"];
  ASSERT_FALSE(rows.empty());
  EXPECT_LE(rows.size(), 6u);
  for (std::size_t k = 1; k < rows.size(); ++k)
    EXPECT_GE(std::abs(rows[k - 1]["delta"].get<double>()), std::abs(rows[k]["delta"].get<double>()));
  // Every row moves the metric; the 2024 capex (another year) never appears.
  for (const auto& row : rows) {
    EXPECT_NE(row["low"], row["high"]);
    EXPECT_NE(row["param"], "market.cloud_capex_usd_bn.2024");
  }
  // The cloud part of TAM 2030 is proportional to the 2030 capex (the added buyers are not):
  // its swing is the cloud demand times the swing of the capex.
  const auto all = run_cli("sensitivity --metric market.tam_usd_bn.2030 --format json").json();
  bool found = false;
  for (const auto& row : all["rows"]) {
    const std::string param = row["param"];
    if (param != "market.cloud_capex_usd_bn" && param != "market.cloud_capex_usd_bn.2030") continue;
    found = true;
    const double base = run_cli("eval market.cloud_ai_gpu_usd_bn.2030 --format json")
                            .json()["metrics"]["market.cloud_ai_gpu_usd_bn.2030"]
                            .get<double>();
    const double rel = (row["param_high"].get<double>() - row["param_low"].get<double>()) /
                       (row["relative"].get<bool>() ? 1.0 : row["param_base"].get<double>());
    EXPECT_NEAR(row["delta"].get<double>(), base * rel, 1e-9 * base) << param;
  }
  EXPECT_TRUE(found);
}

TEST(AnalysisCli, ClearErrorsAndRecordedOverrides) {
  const auto big = run_cli("mc --metric market.tam_usd_bn.2030 --samples 2e8");
  EXPECT_EQ(big.rc, 2);
  EXPECT_NE(big.err.find("--samples between 2 and 100000000"), std::string::npos) << big.err;
  const auto typo = run_cli("mc --metric market.tam_usd_bn.2031 --samples 100");
  EXPECT_EQ(typo.rc, 2);
  EXPECT_NE(typo.err.find("did you mean"), std::string::npos) << typo.err;
  const auto set = run_cli("mc --metric market.tam_usd_bn.2030 --samples 1000 --format json --set market.chain.overseas_share.2030=0.25");
  ASSERT_EQ(set.rc, 0) << set.err;
  const auto j = set.json();
  EXPECT_EQ(j["overrides"][0], "market.chain.overseas_share.2030=0.25");
  EXPECT_EQ(j["samples"], 1000);
}
