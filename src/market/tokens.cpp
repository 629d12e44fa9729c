#include "market/tokens.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"

namespace gpugap::market {

TokenBook::TokenBook(const ParamTable& p, std::vector<ParamIndex>* reads) {
  auto need_i = [&](const std::string& path) {
    auto i = p.find(path);
    if (!i || p.at(*i).is_null) throw InsufficientData(path);
    if (reads) reads->push_back(*i);
    return *i;
  };
  for (int y = 0; y < supply::kYears; ++y) daily_[y] = need_i(fmt::format("demand.daily_tokens.{}", supply::year_at(y)));
  prior_ = need_i("demand.daily_tokens_prior");
  output_share_ = need_i("demand.output_token_share");
  cache_hit_ = need_i("demand.prefix_cache_hit_share");
  price_input_ = need_i("demand.price.input_rmb_per_mtok");
  price_cached_ = need_i("demand.price.cached_input_rmb_per_mtok");
  price_output_ = need_i("demand.price.output_rmb_per_mtok");
  price_year_ = need_i("demand.price.year");
  learning_ = need_i("demand.price.decline_per_year");
}

double TokenBook::mean_rate(double start, double end) {
  if (start <= 0 || end <= 0 || std::abs(end / start - 1.0) < 1e-12) return 0.5 * (start + end);
  return (end - start) / std::log(end / start);
}

std::array<TokenYear, supply::kYears> TokenBook::run(std::span<const double> v) const {
  std::array<TokenYear, supply::kYears> out{};
  const double out_share = v[output_share_];
  const double hit = v[cache_hit_];
  // Price of a million tokens of the mix in the price year; it falls by the
  // learning rate each year after (and is higher by it before).
  const double base = (1.0 - out_share) * (hit * v[price_cached_] + (1.0 - hit) * v[price_input_]) +
                      out_share * v[price_output_];
  const double keep = 1.0 - v[learning_];
  double prev = v[prior_];
  for (int y = 0; y < supply::kYears; ++y) {
    const double end = v[daily_[y]];
    TokenYear& t = out[y];
    t.tokens = mean_rate(prev, end) * kDaysPerYear;
    t.output = t.tokens * out_share;
    t.input = t.tokens - t.output;
    t.cached_input = t.input * hit;
    t.price_rmb_per_mtok = base * std::pow(keep, supply::year_at(y) - v[price_year_]);
    t.revenue_rmb_bn = t.tokens / 1e6 * t.price_rmb_per_mtok / 1e9;
    prev = end;
  }
  return out;
}

}  // namespace gpugap::market
