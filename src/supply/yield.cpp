#include "supply/yield.hpp"

#include <cmath>

namespace gpugap::supply {

std::string_view yield_model_name(YieldModel m) { return kYieldModelNames[static_cast<std::size_t>(m)]; }

std::optional<YieldModel> parse_yield_model(std::string_view name) {
  for (std::size_t i = 0; i < kYieldModelNames.size(); ++i)
    if (kYieldModelNames[i] == name) return static_cast<YieldModel>(i);
  return std::nullopt;
}

std::optional<YieldModel> yield_model_from_code(double code) {
  const double r = std::round(code);
  if (!(r >= 0) || r >= static_cast<double>(kYieldModelNames.size())) return std::nullopt;
  return static_cast<YieldModel>(static_cast<int>(r));
}

namespace {
// Below this AD the Murphy forms use their series (avoids 0/0).
constexpr double kSmallAd = 1e-8;
constexpr int kBisectionSteps = 200;

double murphy(double ad) {
  if (ad < kSmallAd) return 1.0 - ad;
  const double t = -std::expm1(-ad) / ad;
  return t * t;
}
double murphy_uniform(double ad) {
  if (ad < kSmallAd) return 1.0 - ad;
  return -std::expm1(-2.0 * ad) / (2.0 * ad);
}
}  // namespace

double random_yield(YieldModel m, double ad, const YieldShape& s) {
  if (ad <= 0) return 1.0;
  switch (m) {
    case YieldModel::kPoisson: return std::exp(-ad);
    case YieldModel::kMurphy: return murphy(ad);
    case YieldModel::kMurphyUniform: return murphy_uniform(ad);
    case YieldModel::kSeeds: return 1.0 / (1.0 + ad);
    case YieldModel::kMoore: return std::exp(-std::sqrt(ad));
    case YieldModel::kBoseEinstein: return std::pow(1.0 + ad, -s.layers);
    case YieldModel::kNegativeBinomial: return std::exp(-s.alpha * std::log1p(ad / s.alpha));
  }
  return std::exp(-ad);
}

double implied_ad(YieldModel m, double y, const YieldShape& s) {
  if (y >= 1.0) return 0.0;
  if (y <= 0.0) return INFINITY;
  switch (m) {
    case YieldModel::kPoisson: return -std::log(y);
    case YieldModel::kSeeds: return 1.0 / y - 1.0;
    case YieldModel::kMoore: { const double l = std::log(y); return l * l; }
    case YieldModel::kBoseEinstein: return std::expm1(-std::log(y) / s.layers);
    case YieldModel::kNegativeBinomial: return s.alpha * std::expm1(-std::log(y) / s.alpha);
    case YieldModel::kMurphy:
    case YieldModel::kMurphyUniform: {
      // Monotone decreasing in AD: bracket, then bisect to machine precision.
      double lo = 0.0, hi = 1.0;
      while (random_yield(m, hi, s) > y && hi < 1e6) hi *= 2.0;
      for (int i = 0; i < kBisectionSteps && hi - lo > 1e-15 * hi; ++i) {
        const double mid = 0.5 * (lo + hi);
        (random_yield(m, mid, s) > y ? lo : hi) = mid;
      }
      return 0.5 * (lo + hi);
    }
  }
  return -std::log(y);
}

}  // namespace gpugap::supply
