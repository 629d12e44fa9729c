// Scenario analysis on hand-made parameter tables and metrics (independent of
// the engines): random streams, distributions, copula, Dirichlet, Monte Carlo
// determinism, sensitivity and goal seek against closed forms.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <tuple>
#include <cmath>
#include <numeric>

#include "studies/distributions.hpp"
#include "studies/goalseek.hpp"
#include "studies/montecarlo.hpp"
#include "studies/rng.hpp"
#include "studies/sensitivity.hpp"
#include "studies/uncertainty.hpp"

using namespace gpugap;
using namespace gpugap::analysis;
using namespace gpugap::studies;

namespace {

ParamIndex put(ParamTable& t, const std::string& path, double v, Dim dim = Dim::kNumber) {
  Param p;
  p.path = path;
  p.value = v;
  p.dim = dim;
  p.prov.source = "test";
  p.where = Location{"test", 0, path};
  return t.put(std::move(p));
}

// A context with test.a, test.b, test.c, test.d (numbers), test.share (a
// fraction) and a yearly series test.capex.<year>.
Context make_test_context(const std::string& uncertainty_yaml = "", const std::string& correlations_yaml = "",
                          const std::string& dirichlet_yaml = "") {
  Context ctx;
  put(ctx.params, "test.a", 10);
  put(ctx.params, "test.b", 4);
  put(ctx.params, "test.c", 2);
  put(ctx.params, "test.d", 7);
  put(ctx.params, "test.share", 0.4, Dim::kFraction);
  for (int y = kFirstYear; y <= kLastYear; ++y) put(ctx.params, fmt::format("test.capex.{}", y), 100.0 + 10 * (y - kFirstYear));
  put(ctx.params, "test.v.x", 0.5, Dim::kFraction);
  put(ctx.params, "test.v.y", 0.3, Dim::kFraction);
  put(ctx.params, "test.v.z", 0.2, Dim::kFraction);
  ctx.scenario.id = "test";
  ctx.scenario.files = {"test-scenario.yaml"};
  if (!uncertainty_yaml.empty()) ctx.scenario.uncertainty = YAML::Load(uncertainty_yaml);
  if (!correlations_yaml.empty()) ctx.scenario.correlations = YAML::Load(correlations_yaml);
  if (!dirichlet_yaml.empty()) ctx.scenario.dirichlet = YAML::Load(dirichlet_yaml);
  return ctx;
}

// metric = 3 a + 2 b - 5 c (d does not feed it).
CompiledMetrics linear_metric(const ParamTable& t) {
  const ParamIndex a = t.require("test.a");
  const ParamIndex b = t.require("test.b");
  const ParamIndex c = t.require("test.c");
  return [a, b, c](std::span<const double> v, std::span<double> out) { out[0] = 3 * v[a] + 2 * v[b] - 5 * v[c]; };
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

std::vector<double> ranks(const std::vector<double>& x) {
  std::vector<std::size_t> idx(x.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](std::size_t i, std::size_t j) { return x[i] < x[j]; });
  std::vector<double> r(x.size());
  for (std::size_t k = 0; k < idx.size(); ++k) r[idx[k]] = static_cast<double>(k);
  return r;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

}  // namespace

// Known-answer vectors of Random123 (kat_vectors): counter, key -> output.
TEST(AnalysisRng, PhiloxKnownAnswers) {
  EXPECT_EQ(philox4x32_10({0, 0, 0, 0}, {0, 0}), (Philox4x32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}),
            (Philox4x32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}),
            (Philox4x32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(AnalysisRng, StreamsAreKeyedAndUniform) {
  Stream a(7, 3, stream_id("x"));
  Stream b(7, 3, stream_id("x"));
  Stream c(7, 4, stream_id("x"));
  Stream d(8, 3, stream_id("x"));
  const double ua = a.uniform();
  EXPECT_EQ(ua, b.uniform());
  EXPECT_NE(ua, c.uniform());
  EXPECT_NE(ua, d.uniform());
  EXPECT_NE(stream_id("x"), stream_id("y"));
  // Mean and variance of U(0,1): 1/2 and 1/12.
  constexpr int kN = 200000;
  double s = 0, s2 = 0;
  for (int i = 0; i < kN; ++i) {
    Stream st(1, static_cast<std::uint32_t>(i), 42);
    const double u = st.uniform();
    ASSERT_GT(u, 0.0);
    ASSERT_LT(u, 1.0);
    s += u;
    s2 += u * u;
  }
  EXPECT_NEAR(s / kN, 0.5, 0.003);
  EXPECT_NEAR(s2 / kN - (s / kN) * (s / kN), 1.0 / 12, 0.001);
}

TEST(AnalysisDistributions, NinetyPercentIntervalsAreExact) {
  const auto n = Distribution::normal_p90(80, 120);
  EXPECT_NEAR(n.quantile(0.05), 80, 1e-9);
  EXPECT_NEAR(n.quantile(0.95), 120, 1e-9);
  EXPECT_NEAR(n.mean(), 100, 1e-12);
  const auto l = Distribution::lognormal_p90(0.8, 1.25);
  EXPECT_NEAR(l.quantile(0.05), 0.8, 1e-12);
  EXPECT_NEAR(l.quantile(0.95), 1.25, 1e-12);
  EXPECT_NEAR(l.quantile(0.5), 1.0, 1e-12);  // geometric mean of 0.8 and 1.25
  EXPECT_NEAR(l.from_normal(0.0), 1.0, 1e-12);
  EXPECT_NEAR(Distribution::triangular(0, 1, 2).quantile(0.5), 1.0, 1e-12);
  EXPECT_NEAR(Distribution::uniform(2, 4).quantile(0.25), 2.5, 1e-12);
  // from_normal(z) = quantile(Phi(z)) for every kind.
  for (const auto& d : {Distribution::pert(0, 1, 4), Distribution::triangular(1, 2, 5), Distribution::uniform(-1, 1)})
    EXPECT_NEAR(d.from_normal(0.7), d.quantile(normal_cdf(0.7)), 1e-9) << d.describe();
}

TEST(AnalysisDistributions, FastQuantilesMatchBoost) {
  // AS 241 against Boost.Math's normal quantile, across the body and far tails.
  const boost::math::normal_distribution<double> nd(0, 1);
  for (const double u : {1e-300, 1e-100, 1e-20, 1e-8, 0.001, 0.02, 0.075, 0.3, 0.5, 0.6, 0.925, 0.99, 1 - 1e-9, 1 - 1e-16}) {
    const double z = normal_quantile(u);
    EXPECT_NEAR(z, boost::math::quantile(nd, u), 1e-14 * std::max(1.0, std::abs(z))) << u;
  }
  // The tabulated PERT quantile against Boost's Beta quantile (ibeta_inv).
  for (const auto& [lo, mode, hi] : {std::tuple{0.0, 0.0, 1.0}, {10.0, 12.0, 20.0}, {0.2, 0.3, 0.4}, {0.0, 0.9, 1.0}}) {
    const auto d = Distribution::pert(lo, mode, hi);
    const double a = 1 + 4 * (mode - lo) / (hi - lo);
    const boost::math::beta_distribution<double> beta(a, 6 - a);
    double worst = 0;
    for (int i = 0; i < 2000; ++i) {
      const double u = (i + 0.37) / 2000;
      worst = std::max(worst, std::abs(d.quantile(u) - (lo + (hi - lo) * boost::math::quantile(beta, u))));
    }
    for (const double u : {1e-12, 1e-7, 1e-4, 1 - 1e-4, 1 - 1e-7})
      worst = std::max(worst, std::abs(d.quantile(u) - (lo + (hi - lo) * boost::math::quantile(beta, u))));
    EXPECT_LT(worst, 1e-7 * (hi - lo)) << d.describe();  // table interpolation: far below Monte Carlo noise
  }
}

TEST(AnalysisDistributions, SampleMomentsMatchTheory) {
  constexpr int kN = 200000;
  const std::vector<Distribution> dists = {
      Distribution::uniform(2, 5),           Distribution::triangular(0, 1, 4), Distribution::pert(10, 12, 20),
      Distribution::normal_p90(80, 120),     Distribution::lognormal_p90(0.8, 1.25), Distribution::pert(0, 0, 1)};
  for (const auto& d : dists) {
    double s = 0, s2 = 0;
    for (int i = 0; i < kN; ++i) {
      Stream st(11, static_cast<std::uint32_t>(i), stream_id(d.describe()));
      const double x = d.quantile(st.uniform());
      ASSERT_GE(x, d.lower());
      ASSERT_LE(x, d.upper());
      s += x;
      s2 += x * x;
    }
    const double mean = s / kN;
    const double sd = std::sqrt(s2 / kN - mean * mean);
    // 5 standard errors of the mean; 1.5% on the standard deviation.
    EXPECT_NEAR(mean, d.mean(), 5 * d.sd() / std::sqrt(kN)) << d.describe();
    EXPECT_NEAR(sd, d.sd(), 0.015 * d.sd()) << d.describe();
  }
  // Closed forms: triangular(0,1,4) mean 5/3; PERT(10,12,20) mean (10+48+20)/6 = 13.
  EXPECT_NEAR(Distribution::triangular(0, 1, 4).mean(), 5.0 / 3, 1e-12);
  EXPECT_NEAR(Distribution::pert(10, 12, 20).mean(), 13.0, 1e-12);
}

TEST(AnalysisDistributions, GammaDrawMoments) {
  constexpr int kN = 100000;
  for (const double shape : {0.3, 1.0, 2.5, 40.0}) {
    double s = 0, s2 = 0;
    for (int i = 0; i < kN; ++i) {
      Stream st(5, static_cast<std::uint32_t>(i), 9);
      const double x = gamma_draw(shape, st);
      ASSERT_GE(x, 0.0);
      s += x;
      s2 += x * x;
    }
    const double mean = s / kN;
    const double var = s2 / kN - mean * mean;
    EXPECT_NEAR(mean, shape, 5 * std::sqrt(shape / kN)) << shape;  // Gamma(k,1): mean k, variance k
    EXPECT_NEAR(var, shape, 0.04 * shape) << shape;
  }
}

TEST(AnalysisDistributions, RejectsBadArguments) {
  EXPECT_THROW(Distribution::uniform(2, 1), std::invalid_argument);
  EXPECT_THROW(Distribution::triangular(0, 3, 2), std::invalid_argument);
  EXPECT_THROW(Distribution::lognormal_p90(0, 1), std::invalid_argument);
  EXPECT_THROW(Distribution::normal_p90(1, 1), std::invalid_argument);
}

TEST(AnalysisUncertainty, ParsesEveryKind) {
  const auto ctx = make_test_context(R"(
test.a: {dist: normal, p5: 8, p95: 12, source: "test"}
test.b: {dist: uniform, min: 3, max: 5, estimate: true, rationale: "test"}
test.c: {dist: triangular, min: 1, mode: 2, max: 4, source: "test"}
test.d: {dist: pert, min: 5, mode: 7, max: 8, source: "test"}
test.share: {dist: lognormal, p5: 0.3, p95: 0.5, source: "test"}
test.capex: {dist: lognormal, p5: 0.8, p95: 1.25, source: "test"}
)");
  const auto u = parse_uncertainty(ctx);
  ASSERT_EQ(u.params.size(), 6u);
  const auto* capex = u.find("test.capex");
  ASSERT_NE(capex, nullptr);
  EXPECT_TRUE(capex->yearly);
  EXPECT_TRUE(capex->relative);
  EXPECT_EQ(capex->targets.size(), static_cast<std::size_t>(kLastYear - kFirstYear + 1));
  EXPECT_EQ(u.find("test.d")->dist.kind(), DistKind::kPert);
  EXPECT_NEAR(u.find("test.a")->p5(), 8, 1e-9);
}

TEST(AnalysisUncertainty, ClearErrors) {
  auto err = [](const std::string& yaml) { return error_of([&] { (void)parse_uncertainty(make_test_context(yaml)); }); };
  EXPECT_NE(err("test.aa: {dist: normal, p5: 8, p95: 12, source: s}").find("did you mean 'test.a'"), std::string::npos);
  EXPECT_NE(err("test.a: {dist: normall, p5: 8, p95: 12, source: s}").find("did you mean 'normal'"), std::string::npos);
  EXPECT_NE(err("test.a: {dist: normal, p5: 8, p95: 12}").find("source"), std::string::npos);
  EXPECT_NE(err("test.a: {dist: uniform, min: 20, max: 30, source: s}").find("contains"), std::string::npos);
  EXPECT_NE(err("test.a: {dist: uniform, min: 8, source: s}").find("max"), std::string::npos);
  EXPECT_NE(err("test.a: {dist: uniform, min: 8, max: 12, mode: 9, source: s}").find("mode"), std::string::npos);
  EXPECT_NE(err("test.capex: {dist: uniform, min: 80, max: 300, relative: false, source: s}").find("relative: true"),
            std::string::npos);
  EXPECT_NE(err("test.a: {dist: normal, p5: 12, p95: 8, source: s}").find("p5 < p95"), std::string::npos);
  EXPECT_NE(err("test.a: {dist: normal, p5: 8, p95: 12, sorce: s}").find("did you mean 'source'"), std::string::npos);
  // The message names the file and the key path.
  EXPECT_NE(err("test.a: {dist: normal, p5: 8, p95: 12}").find("test-scenario.yaml"), std::string::npos);
  EXPECT_NE(err("test.a: {dist: normal, p5: 8, p95: 12}").find("uncertainty.test.a"), std::string::npos);
}

TEST(AnalysisUncertainty, OverridePinsAParameter) {
  auto ctx = make_test_context("test.a: {dist: normal, p5: 8, p95: 12, source: s}\ntest.b: {dist: uniform, min: 3, max: 5, source: s}");
  ctx.params.set_from_text("test.a", "11");
  const auto u = parse_uncertainty(ctx);
  EXPECT_EQ(u.find("test.a"), nullptr);
  EXPECT_NE(u.find("test.b"), nullptr);
  EXPECT_EQ(u.fixed_by_override, std::vector<std::string>{"test.a"});
}

TEST(AnalysisUncertainty, RankCorrelationAchieved) {
  for (const double rho : {0.7, -0.5}) {
    const auto ctx = make_test_context(
        "test.a: {dist: lognormal, p5: 5, p95: 20, source: s}\ntest.b: {dist: triangular, min: 1, mode: 4, max: 6, source: s}\n"
        "test.c: {dist: uniform, min: 1, max: 3, source: s}",
        fmt::format("- {{params: [test.a, test.b], rho: {}, source: s}}", rho));
    const auto u = parse_uncertainty(ctx);
    const Sampler smp(ctx.params, u);
    const ParamIndex ia = ctx.params.require("test.a"), ib = ctx.params.require("test.b"), ic = ctx.params.require("test.c");
    constexpr int kN = 20000;
    std::vector<double> a(kN), b(kN), c(kN);
    std::vector<double> v = smp.base();
    std::vector<std::uint64_t> clamps(smp.touched().size());
    for (int i = 0; i < kN; ++i) {
      smp.draw(3, static_cast<std::uint32_t>(i), v, clamps);
      a[i] = v[ia];
      b[i] = v[ib];
      c[i] = v[ic];
    }
    // Spearman = Pearson of the ranks; its standard error here is ~0.005.
    EXPECT_NEAR(pearson(ranks(a), ranks(b)), rho, 0.02) << rho;
    EXPECT_NEAR(pearson(ranks(a), ranks(c)), 0.0, 0.03);
    // The marginals keep their declared intervals.
    std::sort(a.begin(), a.end());
    EXPECT_NEAR(a[kN / 20], 5, 0.3);
    EXPECT_NEAR(a[kN - kN / 20], 20, 1.0);
  }
}

TEST(AnalysisUncertainty, InconsistentCorrelationsRejected) {
  const std::string u = "test.a: {dist: normal, p5: 8, p95: 12, source: s}\ntest.b: {dist: normal, p5: 3, p95: 5, source: s}\n"
                        "test.c: {dist: normal, p5: 1, p95: 3, source: s}";
  const std::string c = "- {params: [test.a, test.b], rho: 0.9, source: s}\n- {params: [test.b, test.c], rho: 0.9, source: s}\n"
                        "- {params: [test.a, test.c], rho: -0.9, source: s}";
  EXPECT_NE(error_of([&] { (void)parse_uncertainty(make_test_context(u, c)); }).find("positive definite"), std::string::npos);
  EXPECT_NE(error_of([&] { (void)parse_uncertainty(make_test_context(u, "- {params: [test.a, test.d], rho: 0.5, source: s}")); })
                .find("declared in 'uncertainty'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { (void)parse_uncertainty(make_test_context(u, "- {params: [test.a, test.b], rho: 1.5, source: s}")); })
                .find("(-1, 1)"),
            std::string::npos);
}

TEST(AnalysisUncertainty, DirichletSharesSumToOne) {
  const auto ctx = make_test_context("", "", "vendors: {params: [test.v.x, test.v.y, test.v.z], concentration: 50, source: s}");
  const auto u = parse_uncertainty(ctx);
  ASSERT_EQ(u.dirichlet.size(), 1u);
  const Sampler smp(ctx.params, u);
  const ParamIndex ix = ctx.params.require("test.v.x"), iy = ctx.params.require("test.v.y"), iz = ctx.params.require("test.v.z");
  constexpr int kN = 20000;
  std::vector<double> v = smp.base();
  std::vector<std::uint64_t> clamps(smp.touched().size());
  double mx = 0, vx = 0;
  for (int i = 0; i < kN; ++i) {
    smp.draw(1, static_cast<std::uint32_t>(i), v, clamps);
    ASSERT_NEAR(v[ix] + v[iy] + v[iz], 1.0, 1e-12);
    ASSERT_GT(v[iz], 0.0);
    mx += v[ix];
    vx += v[ix] * v[ix];
  }
  mx /= kN;
  vx = vx / kN - mx * mx;
  // Dirichlet marginal: Beta(25, 25): mean 0.5, variance 0.25 / 51.
  EXPECT_NEAR(mx, 0.5, 0.003);
  EXPECT_NEAR(vx, 0.25 / 51, 0.0003);
}

TEST(AnalysisUncertainty, YearlySeriesTakesOneDrawForAllYears) {
  const auto ctx = make_test_context("test.capex: {dist: lognormal, p5: 0.8, p95: 1.25, source: s}");
  const auto u = parse_uncertainty(ctx);
  const Sampler smp(ctx.params, u);
  std::vector<double> v = smp.base();
  std::vector<std::uint64_t> clamps(smp.touched().size());
  for (std::uint32_t i = 0; i < 50; ++i) {
    smp.draw(9, i, v, clamps);
    const double r0 = v[ctx.params.require("test.capex.2024")] / 100.0;
    for (int y = kFirstYear; y <= kLastYear; ++y)
      EXPECT_NEAR(v[ctx.params.require(fmt::format("test.capex.{}", y))] / (100.0 + 10 * (y - kFirstYear)), r0, 1e-12);
  }
}

TEST(AnalysisUncertainty, DrawsOutsideTheRangeAreClampedAndCounted) {
  const auto ctx = make_test_context("test.share: {dist: normal, p5: 0.1, p95: 0.9, source: s}");
  const auto u = parse_uncertainty(ctx);
  const Sampler smp(ctx.params, u);
  std::vector<double> v = smp.base();
  std::vector<std::uint64_t> clamps(smp.touched().size());
  const ParamIndex is = ctx.params.require("test.share");
  for (std::uint32_t i = 0; i < 10000; ++i) {
    smp.draw(2, i, v, clamps);
    ASSERT_GE(v[is], 0.0);
    ASSERT_LE(v[is], 1.0);
  }
  // sd = 0.8 / 3.29 = 0.243: P(outside [0, 1]) = 2 x P(z > 0.5 / 0.243) = 4%.
  EXPECT_NEAR(static_cast<double>(clamps[0]) / 10000, 0.0397, 0.008);
}

TEST(AnalysisMonteCarlo, PercentilesAreType7) {
  std::vector<double> v{5, 1, 4, 2, 3};
  EXPECT_DOUBLE_EQ(percentile(v, 0.5), 3);
  EXPECT_DOUBLE_EQ(percentile(v, 0.05), 1.2);
  EXPECT_DOUBLE_EQ(percentile(v, 0.95), 4.8);
  const auto s = summarise("m", std::vector<double>{1, 2, 3, 4, std::nan("")}, 3);
  EXPECT_EQ(s.n, 4u);
  EXPECT_EQ(s.non_finite, 1u);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_EQ(s.histogram.counts, (std::vector<std::uint64_t>{1, 1, 2}));
  EXPECT_DOUBLE_EQ(s.histogram.edges.front(), 1);
  EXPECT_DOUBLE_EQ(s.histogram.edges.back(), 4);
}

TEST(AnalysisMonteCarlo, LinearMetricMomentsAndErrorEstimate) {
  const auto ctx = make_test_context("test.a: {dist: normal, p5: 8, p95: 12, source: s}\ntest.b: {dist: uniform, min: 3, max: 5, source: s}");
  const auto u = parse_uncertainty(ctx);
  McOptions opt;
  opt.samples = 50000;
  opt.seed = 7;
  const auto r = monte_carlo(ctx.params, u, linear_metric(ctx.params), {"m"}, opt);
  ASSERT_EQ(r.metrics.size(), 1u);
  const auto& s = r.metrics[0];
  // 3a + 2b - 5c: mean 3*10 + 2*4 - 10 = 28; var 9 (4/3.29)^2 + 4 (2^2/12).
  const double sd = std::sqrt(9 * std::pow(4 / (2 * kZ95), 2) + 4 * 4.0 / 12);
  EXPECT_NEAR(s.base, 28, 1e-12);
  EXPECT_NEAR(s.mean, 28, 5 * sd / std::sqrt(50000.0));
  EXPECT_NEAR(s.sd, sd, 0.02 * sd);
  EXPECT_NEAR(s.sem, s.sd / std::sqrt(50000.0), 1e-15);
  EXPECT_LT(s.p5, s.p50);
  EXPECT_LT(s.p50, s.p95);
  std::uint64_t total = 0;
  for (const auto c : s.histogram.counts) total += c;
  EXPECT_EQ(total, 50000u);
}

TEST(AnalysisMonteCarlo, BitIdenticalForAnyThreadCountAndSplit) {
  const auto ctx = make_test_context(
      "test.a: {dist: lognormal, p5: 8, p95: 12, source: s}\ntest.b: {dist: pert, min: 3, mode: 4, max: 6, source: s}\n"
      "test.capex: {dist: normal, p5: 0.9, p95: 1.1, source: s}",
      "- {params: [test.a, test.b], rho: 0.6, source: s}",
      "v: {params: [test.v.x, test.v.y, test.v.z], concentration: 30, source: s}");
  const auto u = parse_uncertainty(ctx);
  const ParamIndex ia = ctx.params.require("test.a"), ib = ctx.params.require("test.b"),
                   ic = ctx.params.require("test.capex.2030"), ix = ctx.params.require("test.v.x");
  const CompiledMetrics f = [=](std::span<const double> v, std::span<double> out) {
    out[0] = v[ia] * v[ib] + v[ic];
    out[1] = v[ix] * v[ic];
  };
  McOptions opt;
  opt.samples = 30011;  // not a multiple of the grain
  opt.seed = 123;
  std::vector<McResult> runs;
  for (const int threads : {1, 2, 3}) {
    opt.threads = threads;
    runs.push_back(monte_carlo(ctx.params, u, f, {"m0", "m1"}, opt));
  }
  for (std::size_t r = 1; r < runs.size(); ++r) {
    for (std::size_t k = 0; k < 2; ++k) {
      const auto& a = runs[0].metrics[k];
      const auto& b = runs[r].metrics[k];
      EXPECT_EQ(a.mean, b.mean);
      EXPECT_EQ(a.sd, b.sd);
      EXPECT_EQ(a.p5, b.p5);
      EXPECT_EQ(a.p50, b.p50);
      EXPECT_EQ(a.p95, b.p95);
      EXPECT_EQ(a.histogram.counts, b.histogram.counts);
    }
  }
  // Two "ranks" computing halves give exactly the values of one run.
  const Sampler smp(ctx.params, u);
  std::vector<double> whole(2 * 1000), halves(2 * 1000);
  std::vector<std::uint64_t> cl(smp.touched().size());
  run_samples(smp, f, 2, 5, 0, 1000, 2, gpugap::ProgressMode::kOff, whole, cl);
  run_samples(smp, f, 2, 5, 0, 377, 1, gpugap::ProgressMode::kOff, std::span<double>(halves).subspan(0, 2 * 377), cl);
  run_samples(smp, f, 2, 5, 377, 1000, 2, gpugap::ProgressMode::kOff, std::span<double>(halves).subspan(2 * 377), cl);
  EXPECT_EQ(whole, halves);
  // A different seed gives different draws.
  opt.seed = 124;
  EXPECT_NE(monte_carlo(ctx.params, u, f, {"m0", "m1"}, opt).metrics[0].mean, runs[0].metrics[0].mean);
}

// Draws that no metric reads are skipped (McOptions::used); every stream
// belongs to one declaration, so the metrics come out bit-identical. A
// correlated draw stays even when unread (the copula couples it to the rest).
TEST(AnalysisMonteCarlo, UnreadDrawsSkippedWithoutChangingTheResult) {
  const auto ctx = make_test_context(
      "test.a: {dist: lognormal, p5: 8, p95: 12, source: s}\ntest.b: {dist: pert, min: 3, mode: 4, max: 6, source: s}\n"
      "test.c: {dist: uniform, min: 1, max: 3, source: s}\ntest.d: {dist: triangular, min: 5, mode: 7, max: 9, source: s}",
      "- {params: [test.a, test.b], rho: 0.6, source: s}",
      "v: {params: [test.v.x, test.v.y, test.v.z], concentration: 30, source: s}");
  const auto u = parse_uncertainty(ctx);
  const ParamIndex ia = ctx.params.require("test.a"), ic = ctx.params.require("test.c");
  const CompiledMetrics f = [=](std::span<const double> v, std::span<double> out) { out[0] = v[ia] * v[ic]; };
  McOptions opt;
  opt.samples = 5000;
  opt.seed = 9;
  const auto all = monte_carlo(ctx.params, u, f, {"m"}, opt);
  std::vector<bool> used(ctx.params.size(), false);
  used[ia] = used[ic] = true;
  opt.used = used;
  const auto some = monte_carlo(ctx.params, u, f, {"m"}, opt);
  EXPECT_EQ(all.metrics[0].mean, some.metrics[0].mean);
  EXPECT_EQ(all.metrics[0].p5, some.metrics[0].p5);
  EXPECT_EQ(all.metrics[0].p95, some.metrics[0].p95);
  EXPECT_TRUE(all.not_drawn.empty());
  EXPECT_EQ(some.not_drawn, (std::vector<std::string>{"test.d", "v"}));
  // A metric that reads a Dirichlet member draws the whole group.
  used[ctx.params.require("test.v.y")] = true;
  EXPECT_EQ(Sampler(ctx.params, u, &used).skipped(), (std::vector<std::string>{"test.d"}));
}

// summarise() finds its percentiles by bucketing (no sort); they must equal
// the plain nth_element percentiles exactly, also with heavy ties, a long
// tail and values that all fall in one bucket but a few.
TEST(AnalysisMonteCarlo, SummaryPercentilesEqualExactOrderStatistics) {
  std::vector<std::vector<double>> cases(4);
  Stream s(3, 0, 1);
  for (int i = 0; i < 100003; ++i) {
    const double u = s.uniform();
    cases[0].push_back(u);
    cases[1].push_back(std::floor(u * 3));        // three values only
    cases[2].push_back(std::exp(20 * u * u * u));  // long right tail
    cases[3].push_back(i % 1000 == 0 ? 1e9 : u);   // nearly everything in the first bucket
  }
  cases.push_back({42.0});
  cases.push_back({1.0, 2.0});
  for (auto& v : cases) {
    const auto sum = summarise("m", v, 10);
    auto copy = v;
    EXPECT_EQ(sum.p5, percentile(copy, 0.05));
    EXPECT_EQ(sum.p50, percentile(copy, 0.50));
    EXPECT_EQ(sum.p95, percentile(copy, 0.95));
  }
}

TEST(AnalysisMonteCarlo, RefusesTooManySamples) {
  McOptions opt;
  opt.samples = kMaxSamples + 1;
  EXPECT_NE(error_of([&] { opt.validate(1); }).find("--samples between"), std::string::npos);
  opt.samples = kMaxSamples / 2;
  EXPECT_NE(error_of([&] { opt.validate(3); }).find("samples x metrics"), std::string::npos);
  opt.samples = 1;
  EXPECT_FALSE(error_of([&] { opt.validate(1); }).empty());
}

TEST(AnalysisSensitivity, LinearMetricSwingsEqualItsCoefficients) {
  const auto ctx = make_test_context();
  SensitivityOptions opt;
  opt.swing = 0.2;
  const auto r = sensitivity(ctx.params, {}, linear_metric(ctx.params), "m", opt);
  EXPECT_DOUBLE_EQ(r.base, 28);
  // Only a, b, c feed the metric; d, share, capex, v.* do not.
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.feeding, 3u);
  // |delta| = |coefficient| x 2 x 0.2 x value: a 3*4 = 12, c 5*0.8 = 4, b 2*1.6 = 3.2.
  EXPECT_EQ(r.rows[0].param, "test.a");
  EXPECT_NEAR(r.rows[0].delta, 12, 1e-12);
  EXPECT_EQ(r.rows[1].param, "test.c");
  EXPECT_NEAR(r.rows[1].delta, -4, 1e-12);
  EXPECT_EQ(r.rows[2].param, "test.b");
  EXPECT_NEAR(r.rows[2].delta, 3.2, 1e-12);
  for (const auto& row : r.rows) {
    const double coef = row.param == "test.a" ? 3 : row.param == "test.b" ? 2 : -5;
    EXPECT_NEAR(row.delta / (row.param_high - row.param_low), coef, 1e-12) << row.param;
  }
  opt.top = 1;
  EXPECT_EQ(sensitivity(ctx.params, {}, linear_metric(ctx.params), "m", opt).rows.size(), 1u);
}

TEST(AnalysisSensitivity, DeclaredIntervalIsUsed) {
  const auto ctx = make_test_context("test.b: {dist: uniform, min: 0, max: 10, source: s}");
  const auto u = parse_uncertainty(ctx);
  const auto r = sensitivity(ctx.params, u, linear_metric(ctx.params), "m", {});
  const auto it = std::find_if(r.rows.begin(), r.rows.end(), [](const auto& row) { return row.param == "test.b"; });
  ASSERT_NE(it, r.rows.end());
  EXPECT_EQ(it->basis, SwingBasis::kInterval);
  EXPECT_NEAR(it->param_low, 0.5, 1e-12);   // p5 of U(0, 10)
  EXPECT_NEAR(it->param_high, 9.5, 1e-12);  // p95
  EXPECT_NEAR(it->delta, 2 * 9.0, 1e-12);
}

TEST(AnalysisGoalSeek, LinearMetricClosedForm) {
  const auto ctx = make_test_context();
  const ParamIndex ia = ctx.params.require("test.a");
  // 3a + 2*4 - 5*2 = 50  ->  a = 52/3.
  const auto r = goal_seek(ctx.params, {}, linear_metric(ctx.params), "m", 50, ia);
  EXPECT_NEAR(r.value, 52.0 / 3, 1e-9);
  EXPECT_NEAR(r.achieved, 50, 1e-9);
  EXPECT_EQ(r.range_basis, "expanded");
  // Negative direction, far from the base.
  EXPECT_NEAR(goal_seek(ctx.params, {}, linear_metric(ctx.params), "m", -1000, ia).value, (-1000 + 2.0) / 3, 1e-7);
}

TEST(AnalysisGoalSeek, NonlinearAndBoundedRange) {
  const auto ctx = make_test_context();
  const ParamIndex is = ctx.params.require("test.share");
  const CompiledMetrics f = [is](std::span<const double> v, std::span<double> out) { out[0] = 130 * (1 - v[is]) * (1 - v[is]); };
  const auto r = goal_seek(ctx.params, {}, f, "m", 67, is);
  EXPECT_NEAR(r.value, 1 - std::sqrt(67.0 / 130), 1e-10);
  EXPECT_EQ(r.range_basis, "declared");
  EXPECT_DOUBLE_EQ(r.lo, 0);
  EXPECT_DOUBLE_EQ(r.hi, 1);
  // 130 (1-s)^2 cannot exceed 130 for s in [0, 1].
  const std::string err = error_of([&] { (void)goal_seek(ctx.params, {}, f, "m", 200, is); });
  EXPECT_NE(err.find("ranges only over [0, 130]"), std::string::npos) << err;
  // A parameter the metric does not read.
  const std::string err2 = error_of([&] { (void)goal_seek(ctx.params, {}, f, "m", 50, ctx.params.require("test.d")); });
  EXPECT_NE(err2.find("depends on"), std::string::npos) << err2;
}
