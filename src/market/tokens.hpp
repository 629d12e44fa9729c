// The tokens China serves in a year and what they are worth at list prices:
// the one home of the token volume (year-end run rates, geometric between
// them), its input/output and prefix-cache mix (sourced traffic data) and the
// price per token with its learning per year. The market's AI-infrastructure
// revenue reads it; the bottom-up demand (src/gap/demand.cpp, above market in
// the layering) reads the same output share for its fleet.
#pragma once

#include <array>
#include <span>
#include <vector>

#include "core/params.hpp"
#include "supply/slots.hpp"

namespace gpugap::market {

inline constexpr double kDaysPerYear = 365.0;

struct TokenYear {
  double tokens = 0;                // served in the year, input + output
  double input = 0, cached_input = 0, output = 0;
  double price_rmb_per_mtok = 0;    // blended over input (cache hit / miss) and output
  double revenue_rmb_bn = 0;        // tokens x price
};
class TokenBook {
 public:
  // Resolves demand.daily_tokens*, demand.output_token_share, demand.prefix_cache_hit_share
  // and demand.price.*; InsufficientData(path) for a missing or null one. `reads`
  // collects the indices (for Monte Carlo).
  explicit TokenBook(const ParamTable& p, std::vector<ParamIndex>* reads = nullptr);
  [[nodiscard]] std::array<TokenYear, supply::kYears> run(std::span<const double> v) const;
  [[nodiscard]] double output_share(std::span<const double> v) const { return v[output_share_]; }
  // Mean daily rate over a year whose run rate moves geometrically from `start` to `end`.
  static double mean_rate(double start, double end);

 private:
  std::array<ParamIndex, supply::kYears> daily_{};
  ParamIndex prior_ = 0, output_share_ = 0, cache_hit_ = 0;
  ParamIndex price_input_ = 0, price_cached_ = 0, price_output_ = 0, price_year_ = 0, learning_ = 0;
};

}  // namespace gpugap::market
