// Monte Carlo draws: the Sampler compiled from the declared uncertainty
// (independent draws, a Gaussian copula for rank correlations, Dirichlet
// groups of shares), split from the parsing in uncertainty.cpp.
#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <unordered_map>

#include "studies/rng.hpp"
#include "studies/uncertainty.hpp"

namespace gpugap::studies {

Sampler::Sampler(const ParamTable& table, const Uncertainty& u, const std::vector<bool>* used)
    : base_(table.values()) {
  auto any_used = [&](const std::vector<ParamIndex>& targets) {
    return !used || std::any_of(targets.begin(), targets.end(), [&](ParamIndex i) { return used->at(i); });
  };
  std::unordered_map<ParamIndex, std::size_t> slot;
  auto target = [&](ParamIndex i) {
    auto [it, fresh] = slot.emplace(i, touched_.size());
    if (!fresh) throw InternalError("parameter drawn twice: " + table.at(i).path);
    touched_.push_back(i);
    return Target{it->second, i, base_[i], param_range(table, i)};
  };
  std::set<std::uint64_t> streams;
  auto stream = [&](const std::string& name) {
    const std::uint64_t s = stream_id(name);
    if (!streams.insert(s).second) throw InternalError("random stream collision: " + name);
    return s;
  };
  std::vector<Var> all;
  for (const auto& p : u.params) {
    Var v{p.dist, p.relative, stream(p.path), {}};
    for (const ParamIndex i : p.targets) {
      Target t = target(i);
      // A bounded distribution whose whole support (times the base, for a
      // relative draw) lies inside the range never clamps: no check per draw.
      const double a = p.relative ? t.base * p.dist.lower() : p.dist.lower();
      const double b = p.relative ? t.base * p.dist.upper() : p.dist.upper();
      const double margin = 1e-6 * std::max(std::abs(a), std::abs(b));  // covers table interpolation
      t.check = !(std::isfinite(a) && std::isfinite(b) && std::min(a, b) - margin >= t.range.lo &&
                  std::max(a, b) + margin <= t.range.hi);
      v.targets.push_back(t);
    }
    all.push_back(std::move(v));
  }
  std::set<std::size_t> correlated;
  if (!u.correlations.empty()) {
    auto [order, chol] = correlation_factor(u);
    chol_ = std::move(chol);
    for (const std::size_t k : order) {
      correlated_.push_back(all[k]);
      correlated.insert(k);
    }
  }
  // Correlated draws stay (the copula couples them).
  for (std::size_t k = 0; k < all.size(); ++k) {
    if (correlated.count(k)) continue;
    if (any_used(u.params[k].targets)) independent_.push_back(all[k]);
    else skipped_.push_back(u.params[k].path);
  }
  vars_ = all;
  for (const auto& g : u.dirichlet) {
    if (!std::any_of(g.targets.begin(), g.targets.end(), any_used)) {
      skipped_.push_back(g.name);
      continue;
    }
    Group grp;
    grp.alphas = g.alphas;
    double sum = 0;
    for (const double a : g.alphas) sum += a;
    for (std::size_t m = 0; m < g.members.size(); ++m) {
      grp.mean_share.push_back(g.alphas[m] / sum);
      grp.streams.push_back(stream("dirichlet:" + g.name + ":" + g.members[m]));
      std::vector<Target> ts;
      for (const ParamIndex i : g.targets[m]) ts.push_back(target(i));
      grp.targets.push_back(std::move(ts));
    }
    groups_.push_back(std::move(grp));
  }
  std::sort(skipped_.begin(), skipped_.end());
}

void Sampler::write(const Target& t, double v, std::span<double> values, std::span<std::uint64_t> clamps) const {
  if (t.check && (v < t.range.lo || v > t.range.hi)) {
    v = std::clamp(v, t.range.lo, t.range.hi);
    ++clamps[t.slot];
  }
  values[t.index] = v;
}

void Sampler::draw(std::uint64_t seed, std::uint32_t sample, std::span<double> values,
                   std::span<std::uint64_t> clamps) const {
  auto apply = [&](const Var& v, double x) {
    for (const Target& t : v.targets) write(t, v.relative ? t.base * x : x, values, clamps);
  };
  for (const Var& v : independent_) {
    Stream s(seed, sample, v.stream);
    apply(v, v.dist.quantile(s.uniform()));
  }
  if (!correlated_.empty()) {
    const std::size_t n = correlated_.size();
    std::array<double, kMaxCorrelated> z;  // only the first n are used (no zeroing)
    for (std::size_t j = 0; j < n; ++j) {
      Stream s(seed, sample, correlated_[j].stream);
      z[j] = normal_quantile(s.uniform());
    }
    for (std::size_t i = 0; i < n; ++i) {
      double y = 0;
      for (std::size_t k = 0; k <= i; ++k) y += chol_[i * n + k] * z[k];
      apply(correlated_[i], correlated_[i].dist.from_normal(y));
    }
  }
  for (const Group& g : groups_) {
    const std::size_t m = g.alphas.size();
    std::array<double, kMaxDirichletMembers> d;  // first m used
    double sum = 0;
    for (std::size_t k = 0; k < m; ++k) {
      Stream s(seed, sample, g.streams[k]);
      d[k] = gamma_draw(g.alphas[k], s);
      sum += d[k];
    }
    // All gammas underflowing (tiny alphas) leaves no direction: use the mean.
    // One draw for every year: each member's share moves by draw / mean,
    // then each year is renormalised to that year's total.
    for (std::size_t k = 0; k < m; ++k) d[k] = (sum > 0 ? d[k] / sum : g.mean_share[k]) / g.mean_share[k];
    const std::size_t years = g.targets.front().size();
    for (std::size_t y = 0; y < years; ++y) {
      std::array<double, kMaxDirichletMembers> v;
      double total = 0;
      double drawn = 0;
      for (std::size_t k = 0; k < m; ++k) {
        total += g.targets[k][y].base;
        v[k] = g.targets[k][y].base * d[k];
        drawn += v[k];
      }
      for (std::size_t k = 0; k < m; ++k)
        write(g.targets[k][y], drawn > 0 ? v[k] * (total / drawn) : g.targets[k][y].base, values, clamps);
    }
  }
}

}  // namespace gpugap::studies
