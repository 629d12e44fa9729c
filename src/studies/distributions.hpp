// Marginal distributions for scenario uncertainty. Each is sampled by its
// inverse CDF (quantile) so that one uniform gives one draw: the Gaussian
// copula and the counter-based streams need exactly that. Boost.Math does the
// numerics.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>
#include <string_view>

#include "studies/rng.hpp"

namespace gpugap::studies {

enum class DistKind { kFixed, kUniform, kTriangular, kPert, kNormal, kLognormal };

std::string_view dist_name(DistKind k);

// z-score of the 95th percentile of the standard normal: a 90% interval
// [p5, p95] is mean -/+ 1.6449 sd.
inline constexpr double kZ95 = 1.6448536269514722;

class Distribution {
 public:
  // Factories check their arguments and throw std::invalid_argument with a
  // human sentence (the scenario parser adds file, line and path).
  static Distribution fixed(double value);
  static Distribution uniform(double lo, double hi);
  static Distribution triangular(double lo, double mode, double hi);
  // Beta-PERT with the classic weight 4 on the mode (Malcolm et al. 1959).
  static Distribution pert(double lo, double mode, double hi);
  static Distribution normal(double mean, double sd);
  static Distribution normal_p90(double p5, double p95);
  static Distribution lognormal(double mu, double sigma);  // of log(X)
  static Distribution lognormal_p90(double p5, double p95);

  [[nodiscard]] DistKind kind() const { return kind_; }
  // Inverse CDF for u in (0, 1).
  [[nodiscard]] double quantile(double u) const;
  // quantile(Phi(z)) for a standard-normal score z (Gaussian copula); exact
  // and cheap for normal and lognormal.
  [[nodiscard]] double from_normal(double z) const;
  [[nodiscard]] double cdf(double x) const;
  [[nodiscard]] double mean() const;
  [[nodiscard]] double sd() const;
  // Support; +-infinity when unbounded.
  [[nodiscard]] double lower() const;
  [[nodiscard]] double upper() const;
  // "lognormal(p5 0.8, p95 1.25)" and the like, for tables and JSON.
  [[nodiscard]] std::string describe() const;
  // The parameters as given (lo/mode/hi, mean/sd, mu/sigma).
  [[nodiscard]] double a() const { return a_; }
  [[nodiscard]] double b() const { return b_; }
  [[nodiscard]] double c() const { return c_; }

 private:
  Distribution(DistKind k, double a, double b, double c) : kind_(k), a_(a), b_(b), c_(c) {}
  DistKind kind_ = DistKind::kFixed;
  double a_ = 0;  // fixed: value; uniform: lo; triangular/pert: lo; normal: mean; lognormal: mu
  double b_ = 0;  // uniform: hi; triangular/pert: mode; normal: sd; lognormal: sigma
  double c_ = 0;  // triangular/pert: hi
  double alpha_ = 0;  // pert: beta shape parameters
  double beta_ = 0;
  // pert: the Beta inverse CDF tabulated once (Boost's ibeta_inv costs tens of
  // microseconds a call; a million samples cannot wait for that).
  struct Knot {
    double u;      // CDF at the knot
    double x;      // knot in [0, 1]
    double slope;  // dx/du = 1 / pdf at the knot
  };
  struct QuantileTable {
    std::vector<Knot> knots;  // one cache line serves a whole knot: a draw is a few cache misses
    std::vector<std::uint32_t> bucket;  // last knot at or below each 1/kBuckets slice of u
  };
  std::shared_ptr<const QuantileTable> table_;
  [[nodiscard]] double beta_quantile(double u) const;
};

// Standard normal inverse CDF: Wichura's AS 241 (Applied Statistics 37(3),
// 1988), relative error ~1e-16, several times faster than the general
// Boost.Math route; checked against Boost in the tests.
double normal_quantile(double u);
double normal_cdf(double z);  // Boost.Math

// A Gamma(shape, 1) draw by Marsaglia & Tsang (ACM TOMS 26(3), 2000), from
// the uniforms of one stream (rejection uses as many as it needs, which is
// fine: the stream belongs to this one draw).
double gamma_draw(double shape, Stream& s);

}  // namespace gpugap::studies
