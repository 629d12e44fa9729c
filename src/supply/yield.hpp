// Die-yield models, chosen by name in the scenario (supply.yield.model). Each
// gives the random-defect yield Y(AD) of a die of area A at defect density D0
// (AD = A x D0, A in cm^2), and its inverse (AD implied by a stated yield), so
// a yield stated for one die size converts to another through D0 instead of
// being copied across sizes. Formulas: supply-market-notes.md section 1.2.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace gpugap::supply {

// Named by formula; the order is the numeric code stored in the parameter.
enum class YieldModel {
  kPoisson = 0,           // exp(-AD)
  kMurphy,                // ((1 - exp(-AD)) / AD)^2   (triangular D on [0, 2 D0])
  kMurphyUniform,         // (1 - exp(-2 AD)) / (2 AD) (uniform D on [0, 2 D0])
  kSeeds,                 // 1 / (1 + AD)              (exponential D; NB with alpha = 1)
  kMoore,                 // exp(-sqrt(AD))
  kBoseEinstein,          // (1 + AD)^-n, D0 per critical layer, n layers
  kNegativeBinomial,      // (1 + AD / alpha)^-alpha   (Stapper; alpha -> inf: Poisson)
};

inline constexpr std::array<std::string_view, 7> kYieldModelNames = {
    "poisson", "murphy", "murphy_uniform", "seeds", "moore", "bose_einstein", "negative_binomial"};

std::string_view yield_model_name(YieldModel m);
std::optional<YieldModel> parse_yield_model(std::string_view name);
// From the numeric parameter value (rounded); nullopt when out of range.
std::optional<YieldModel> yield_model_from_code(double code);

struct YieldShape {
  double alpha = 2.0;   // negative binomial clustering
  double layers = 1.0;  // Bose-Einstein critical layers
};

// Random-defect yield at AD (>= 0).
double random_yield(YieldModel m, double ad, const YieldShape& s);
// AD at which the model gives yield y (0 < y <= 1); closed form except Murphy
// (bisection, monotone). y >= 1 gives 0.
double implied_ad(YieldModel m, double y, const YieldShape& s);

inline constexpr double kMm2PerCm2 = 100.0;

// Sellable fraction of dies: systematic yield x (fully good + harvested share
// of the dies a random defect hit).
inline double sellable_yield(double random, double systematic, double harvest) {
  return systematic * (random + harvest * (1.0 - random));
}

}  // namespace gpugap::supply
