#include "studies/distributions.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace gpugap::studies {
namespace {

namespace bm = boost::math;
// Plain double arithmetic (no promotion to long double: several times faster,
// and accuracy stays at double's). Errors throw, as everywhere in Boost.Math.
using Policy = bm::policies::policy<bm::policies::promote_double<false>>;
using Normal = bm::normal_distribution<double, Policy>;
using Lognormal = bm::lognormal_distribution<double, Policy>;
using Triangular = bm::triangular_distribution<double, Policy>;
using Uniform = bm::uniform_distribution<double, Policy>;
using Beta = bm::beta_distribution<double, Policy>;

constexpr double kPertWeight = 4.0;  // weight of the mode in Beta-PERT
// PERT quantile table: 2048 intervals keep the interpolation error below 1e-8
// of the range (6e-9 at worst in the tests, far below Monte Carlo noise) and
// the table small enough (48 KB) to stay in cache: with 8192 a draw cost a few
// cache misses. 2048 buckets index it by u, so a draw scans a knot or two.
constexpr std::size_t kPertKnots = 2048;
constexpr std::size_t kBuckets = 2048;
constexpr double kInf = std::numeric_limits<double>::infinity();
// Keeps Phi(z) strictly inside (0, 1) for extreme scores.
constexpr double kMinUnit = 1e-300;

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument(what); }

void require_finite(std::initializer_list<double> xs) {
  for (const double x : xs)
    if (!std::isfinite(x)) bad("finite numbers");
}

}  // namespace

std::string_view dist_name(DistKind k) {
  switch (k) {
    case DistKind::kFixed: return "fixed";
    case DistKind::kUniform: return "uniform";
    case DistKind::kTriangular: return "triangular";
    case DistKind::kPert: return "pert";
    case DistKind::kNormal: return "normal";
    case DistKind::kLognormal: return "lognormal";
  }
  return "";
}

double normal_quantile(double u) {
  // Coefficients of AS 241 (PPND16), in order of increasing power.
  static constexpr std::array<double, 8> kA = {3.3871328727963666080e0,   1.3314166789178437745e+2,
                                               1.9715909503065514427e+3,  1.3731693765509461125e+4,
                                               4.5921953931549871457e+4,  6.7265770927008700853e+4,
                                               3.3430575583588128105e+4,  2.5090809287301226727e+3};
  static constexpr std::array<double, 8> kB = {1.0,                       4.2313330701600911252e+1,
                                               6.8718700749205790830e+2,  5.3941960214247511077e+3,
                                               2.1213794301586595867e+4,  3.9307895800092710610e+4,
                                               2.8729085735721942674e+4,  5.2264952788528545610e+3};
  static constexpr std::array<double, 8> kC = {1.42343711074968357734e0,  4.63033784615654529590e0,
                                               5.76949722146069140550e0,  3.64784832476320460504e0,
                                               1.27045825245236838258e0,  2.41780725177450611770e-1,
                                               2.27238449892691845833e-2, 7.74545014278341407640e-4};
  static constexpr std::array<double, 8> kD = {1.0,                       2.05319162663775882187e0,
                                               1.67638483018380384940e0,  6.89767334985100004550e-1,
                                               1.48103976427480074590e-1, 1.51986665636164571966e-2,
                                               5.47593808499534494600e-4, 1.05075007164441684324e-9};
  static constexpr std::array<double, 8> kE = {6.65790464350110377720e0,  5.46378491116411436990e0,
                                               1.78482653991729133580e0,  2.96560571828504891230e-1,
                                               2.65321895265761230930e-2, 1.24266094738807843860e-3,
                                               2.71155556874348757815e-5, 2.01033439929228813265e-7};
  static constexpr std::array<double, 8> kF = {1.0,                       5.99832206555887937690e-1,
                                               1.36929880922735805310e-1, 1.48753612908506148525e-2,
                                               7.86869131145613259100e-4, 1.84631831751005468180e-5,
                                               1.42151175831644588870e-7, 2.04426310338993978564e-15};
  constexpr double kSplit1 = 0.425;
  constexpr double kSplit2 = 5.0;
  constexpr double kConst1 = 0.180625;
  constexpr double kConst2 = 1.6;
  auto poly = [](const std::array<double, 8>& c, double x) {
    double v = c[7];
    for (int i = 6; i >= 0; --i) v = v * x + c[static_cast<std::size_t>(i)];
    return v;
  };
  if (!(u > 0.0 && u < 1.0)) return u <= 0.0 ? -kInf : kInf;
  const double q = u - 0.5;
  if (std::abs(q) <= kSplit1) {
    const double r = kConst1 - q * q;
    return q * poly(kA, r) / poly(kB, r);
  }
  double r = std::sqrt(-std::log(q < 0 ? u : 1.0 - u));
  double v = 0;
  if (r <= kSplit2) {
    r -= kConst2;
    v = poly(kC, r) / poly(kD, r);
  } else {
    r -= kSplit2;
    v = poly(kE, r) / poly(kF, r);
  }
  return q < 0 ? -v : v;
}
double normal_cdf(double z) { return bm::cdf(Normal(0.0, 1.0), z); }

Distribution Distribution::fixed(double value) {
  require_finite({value});
  return {DistKind::kFixed, value, 0, 0};
}

Distribution Distribution::uniform(double lo, double hi) {
  require_finite({lo, hi});
  if (!(lo < hi)) bad(fmt::format("min < max (got min {}, max {})", lo, hi));
  return {DistKind::kUniform, lo, hi, 0};
}

Distribution Distribution::triangular(double lo, double mode, double hi) {
  require_finite({lo, mode, hi});
  if (!(lo < hi) || mode < lo || mode > hi)
    bad(fmt::format("min <= mode <= max with min < max (got min {}, mode {}, max {})", lo, mode, hi));
  return {DistKind::kTriangular, lo, mode, hi};
}

Distribution Distribution::pert(double lo, double mode, double hi) {
  require_finite({lo, mode, hi});
  if (!(lo < hi) || mode < lo || mode > hi)
    bad(fmt::format("min <= mode <= max with min < max (got min {}, mode {}, max {})", lo, mode, hi));
  Distribution d{DistKind::kPert, lo, mode, hi};
  d.alpha_ = 1.0 + kPertWeight * (mode - lo) / (hi - lo);
  d.beta_ = 1.0 + kPertWeight * (hi - mode) / (hi - lo);
  // Knots dense at both ends (Chebyshev spacing), where the quantile bends most.
  auto t = std::make_shared<QuantileTable>();
  for (std::size_t k = 0; k <= kPertKnots; ++k) {
    const double x = k == kPertKnots ? 1.0 : 0.5 * (1.0 - std::cos(std::numbers::pi * static_cast<double>(k) / kPertKnots));
    t->knots.push_back({bm::ibeta(d.alpha_, d.beta_, x, Policy()), x,
                        1.0 / bm::ibeta_derivative(d.alpha_, d.beta_, x, Policy())});
  }
  for (std::size_t j = 0; j <= kBuckets; ++j) {
    const double uj = static_cast<double>(j) / kBuckets;
    const auto k = std::upper_bound(t->knots.begin(), t->knots.end(), uj,
                                    [](double u, const Knot& kn) { return u < kn.u; }) -
                   t->knots.begin();
    t->bucket.push_back(static_cast<std::uint32_t>(k > 0 ? k - 1 : 0));
  }
  d.table_ = std::move(t);
  return d;
}

double Distribution::beta_quantile(double u) const {
  const auto& t = table_->knots;
  const std::size_t n = t.size();
  // The end intervals hold the infinite slopes (pdf 0 at 0 or 1): exact there
  // (a probability of ~1e-6, so its cost does not show).
  if (u <= t[1].u || u >= t[n - 2].u) return bm::quantile(Beta(alpha_, beta_), u);
  // The last knot at or below u: from its bucket's first candidate, forward.
  std::size_t k = table_->bucket[std::min(static_cast<std::size_t>(u * kBuckets), kBuckets - 1)];
  while (t[k + 1].u <= u) ++k;
  // Cubic Hermite between knots k and k + 1 (values and slopes exact).
  const Knot& a = t[k];
  const Knot& b = t[k + 1];
  const double h = b.u - a.u;
  const double s = (u - a.u) / h;
  const double h00 = (1 + 2 * s) * (1 - s) * (1 - s);
  const double h10 = s * (1 - s) * (1 - s);
  const double h01 = s * s * (3 - 2 * s);
  const double h11 = s * s * (s - 1);
  return h00 * a.x + h10 * h * a.slope + h01 * b.x + h11 * h * b.slope;
}

Distribution Distribution::normal(double mean, double sd) {
  require_finite({mean, sd});
  if (!(sd > 0)) bad(fmt::format("a positive standard deviation (got {})", sd));
  return {DistKind::kNormal, mean, sd, 0};
}

Distribution Distribution::normal_p90(double p5, double p95) {
  require_finite({p5, p95});
  if (!(p5 < p95)) bad(fmt::format("p5 < p95 (got p5 {}, p95 {})", p5, p95));
  return normal(0.5 * (p5 + p95), (p95 - p5) / (2 * kZ95));
}

Distribution Distribution::lognormal(double mu, double sigma) {
  require_finite({mu, sigma});
  if (!(sigma > 0)) bad(fmt::format("a positive sigma (got {})", sigma));
  return {DistKind::kLognormal, mu, sigma, 0};
}

Distribution Distribution::lognormal_p90(double p5, double p95) {
  require_finite({p5, p95});
  if (!(p5 > 0) || !(p5 < p95)) bad(fmt::format("0 < p5 < p95 (got p5 {}, p95 {})", p5, p95));
  const double lo = std::log(p5);
  const double hi = std::log(p95);
  return lognormal(0.5 * (lo + hi), (hi - lo) / (2 * kZ95));
}

double Distribution::quantile(double u) const {
  switch (kind_) {
    case DistKind::kFixed: return a_;
    // Closed forms (Boost's argument checks cost more than the arithmetic;
    // the tests compare both with Boost.Math).
    case DistKind::kUniform: return a_ + u * (b_ - a_);
    case DistKind::kTriangular: {
      const double width = c_ - a_;
      return u * width < b_ - a_ ? a_ + std::sqrt(u * width * (b_ - a_))
                                 : c_ - std::sqrt((1.0 - u) * width * (c_ - b_));
    }
    case DistKind::kPert: return a_ + (c_ - a_) * beta_quantile(u);
    case DistKind::kNormal: return a_ + b_ * normal_quantile(u);
    case DistKind::kLognormal: return std::exp(a_ + b_ * normal_quantile(u));
  }
  return a_;
}

double Distribution::from_normal(double z) const {
  switch (kind_) {
    case DistKind::kNormal: return a_ + b_ * z;
    case DistKind::kLognormal: return std::exp(a_ + b_ * z);
    case DistKind::kFixed: return a_;
    default: break;
  }
  // Phi(z) and 1 - Phi(z) by erfc, each accurate in its own tail.
  const double u = z < 0 ? 0.5 * std::erfc(-z / std::sqrt(2.0)) : 1.0 - 0.5 * std::erfc(z / std::sqrt(2.0));
  return quantile(std::clamp(u, kMinUnit, std::nextafter(1.0, 0.0)));
}

double Distribution::cdf(double x) const {
  switch (kind_) {
    case DistKind::kFixed: return x < a_ ? 0.0 : 1.0;
    case DistKind::kUniform: return bm::cdf(Uniform(a_, b_), std::clamp(x, a_, b_));
    case DistKind::kTriangular: return bm::cdf(Triangular(a_, b_, c_), std::clamp(x, a_, c_));
    case DistKind::kPert: return bm::cdf(Beta(alpha_, beta_), std::clamp((x - a_) / (c_ - a_), 0.0, 1.0));
    case DistKind::kNormal: return bm::cdf(Normal(a_, b_), x);
    case DistKind::kLognormal: return x <= 0 ? 0.0 : bm::cdf(Lognormal(a_, b_), x);
  }
  return 0.0;
}

double Distribution::mean() const {
  switch (kind_) {
    case DistKind::kFixed: return a_;
    case DistKind::kUniform: return 0.5 * (a_ + b_);
    case DistKind::kTriangular: return (a_ + b_ + c_) / 3.0;
    case DistKind::kPert: return (a_ + kPertWeight * b_ + c_) / (kPertWeight + 2.0);
    case DistKind::kNormal: return a_;
    case DistKind::kLognormal: return std::exp(a_ + 0.5 * b_ * b_);
  }
  return a_;
}

double Distribution::sd() const {
  switch (kind_) {
    case DistKind::kFixed: return 0.0;
    case DistKind::kUniform: return (b_ - a_) / std::sqrt(12.0);
    case DistKind::kTriangular:
      return std::sqrt((a_ * a_ + b_ * b_ + c_ * c_ - a_ * b_ - a_ * c_ - b_ * c_) / 18.0);
    case DistKind::kPert: {
      const double s = alpha_ + beta_;
      return (c_ - a_) * std::sqrt(alpha_ * beta_ / (s * s * (s + 1.0)));
    }
    case DistKind::kNormal: return b_;
    case DistKind::kLognormal: return std::sqrt(std::expm1(b_ * b_)) * std::exp(a_ + 0.5 * b_ * b_);
  }
  return 0.0;
}

double Distribution::lower() const {
  switch (kind_) {
    case DistKind::kFixed: return a_;
    case DistKind::kUniform:
    case DistKind::kTriangular:
    case DistKind::kPert: return a_;
    case DistKind::kNormal: return -kInf;
    case DistKind::kLognormal: return 0.0;
  }
  return -kInf;
}

double Distribution::upper() const {
  switch (kind_) {
    case DistKind::kFixed: return a_;
    case DistKind::kUniform: return b_;
    case DistKind::kTriangular:
    case DistKind::kPert: return c_;
    case DistKind::kNormal:
    case DistKind::kLognormal: return kInf;
  }
  return kInf;
}

std::string Distribution::describe() const {
  switch (kind_) {
    case DistKind::kFixed: return fmt::format("fixed({:g})", a_);
    case DistKind::kUniform: return fmt::format("uniform({:g}, {:g})", a_, b_);
    case DistKind::kTriangular: return fmt::format("triangular({:g}, {:g}, {:g})", a_, b_, c_);
    case DistKind::kPert: return fmt::format("pert({:g}, {:g}, {:g})", a_, b_, c_);
    case DistKind::kNormal: return fmt::format("normal(p5 {:.4g}, p95 {:.4g})", a_ - kZ95 * b_, a_ + kZ95 * b_);
    case DistKind::kLognormal:
      return fmt::format("lognormal(p5 {:.4g}, p95 {:.4g})", std::exp(a_ - kZ95 * b_), std::exp(a_ + kZ95 * b_));
  }
  return "";
}

double gamma_draw(double shape, Stream& s) {
  if (shape < 1.0) {
    // Gamma(a) = Gamma(a + 1) * U^(1/a) (Marsaglia & Tsang, section 7).
    const double g = gamma_draw(shape + 1.0, s);
    return g * std::pow(s.uniform(), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    double x = 0;
    double v = 0;
    do {
      x = normal_quantile(s.uniform());
      v = 1.0 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = s.uniform();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
  }
}

}  // namespace gpugap::studies
