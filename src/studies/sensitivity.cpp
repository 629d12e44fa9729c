#include "studies/sensitivity.hpp"
#include "studies/engines.hpp"


#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <cmath>
#include <set>

namespace gpugap::studies {
namespace {

using BetaDist = boost::math::beta_distribution<double, boost::math::policies::policy<boost::math::policies::promote_double<false>>>;
constexpr double kMaxSwing = 0.99;  // a swing of 100% or more would flip or zero a value

struct Driver {
  SensitivityRow row;
  std::vector<std::pair<ParamIndex, double>> low;
  std::vector<std::pair<ParamIndex, double>> high;
};

double clamp_to(const ParamTable& t, ParamIndex i, double v) {
  const Range r = param_range(t, i);
  return std::clamp(v, r.lo, r.hi);
}

void add_declared(const ParamTable& t, const UncertainParam& p, std::vector<Driver>& out) {
  Driver d;
  d.row.param = p.path;
  d.row.basis = SwingBasis::kInterval;
  d.row.relative = p.relative;
  const double lo = p.p5();
  const double hi = p.p95();
  d.row.param_base = p.relative ? 1.0 : t.at(p.targets.front()).value;
  d.row.param_low = lo;
  d.row.param_high = hi;
  for (const ParamIndex i : p.targets) {
    const double b = t.at(i).value;
    d.low.emplace_back(i, clamp_to(t, i, p.relative ? b * lo : lo));
    d.high.emplace_back(i, clamp_to(t, i, p.relative ? b * hi : hi));
  }
  out.push_back(std::move(d));
}

// A Dirichlet share swings to the p5/p95 of its Beta marginal; the group's
// other shares give way in proportion, so every year still sums to its total.
void add_dirichlet(const ParamTable& t, const DirichletGroup& g, std::vector<Driver>& out) {
  const double a0 = g.concentration;
  for (std::size_t m = 0; m < g.members.size(); ++m) {
    const double am = g.alphas[m];
    const BetaDist beta(am, a0 - am);
    const double mean = am / a0;
    const double q_lo = boost::math::quantile(beta, UncertainParam::kLowQuantile) / mean;
    const double q_hi = boost::math::quantile(beta, UncertainParam::kHighQuantile) / mean;
    Driver d;
    d.row.param = g.members[m];
    d.row.basis = SwingBasis::kDirichlet;
    d.row.relative = g.targets[m].size() > 1;
    d.row.param_base = d.row.relative ? 1.0 : t.at(g.targets[m].front()).value;
    d.row.param_low = d.row.relative ? q_lo : d.row.param_base * q_lo;
    d.row.param_high = d.row.relative ? q_hi : d.row.param_base * q_hi;
    for (std::size_t y = 0; y < g.targets[m].size(); ++y) {
      double total = 0;
      for (const auto& tg : g.targets) total += t.at(tg[y]).value;
      const double own = t.at(g.targets[m][y]).value;
      for (const double q : {q_lo, q_hi}) {
        auto& side = q == q_lo ? d.low : d.high;
        const double mine = std::min(own * q, total);
        const double rest = (total - mine) / (total - own);
        for (std::size_t k = 0; k < g.targets.size(); ++k) {
          const ParamIndex i = g.targets[k][y];
          side.emplace_back(i, k == m ? mine : t.at(i).value * rest);
        }
      }
    }
    out.push_back(std::move(d));
  }
}

}  // namespace

std::string_view basis_name(SwingBasis b) {
  switch (b) {
    case SwingBasis::kInterval: return "interval";
    case SwingBasis::kFraction: return "fraction";
    case SwingBasis::kDirichlet: return "dirichlet";
  }
  return "";
}

void SensitivityOptions::validate() const {
  if (!(swing > 0 && swing <= kMaxSwing))
    throw UserError(Location{"", 0, "sensitivity"}, fmt::format("--swing in (0, {}]", kMaxSwing), fmt::format("{}", swing));
  if (threads < 0) throw UserError(Location{"", 0, "sensitivity"}, "--threads >= 0", fmt::format("{}", threads));
}

SensitivityResult sensitivity(const ParamTable& t, const Uncertainty& u, const CompiledMetrics& f, const std::string& metric,
                              const SensitivityOptions& opt) {
  opt.validate();
  const std::vector<double> base = t.values();
  SensitivityResult res;
  res.metric = metric;
  double b = 0;
  f(base, std::span<double>(&b, 1));
  res.base = b;

  std::vector<Driver> drivers;
  std::set<ParamIndex> declared;
  for (const auto& p : u.params) {
    add_declared(t, p, drivers);
    declared.insert(p.targets.begin(), p.targets.end());
  }
  for (const auto& g : u.dirichlet) {
    add_dirichlet(t, g, drivers);
    for (const auto& tg : g.targets) declared.insert(tg.begin(), tg.end());
  }
  for (ParamIndex i = 0; i < t.size(); ++i) {
    const Param& p = t.at(i);
    // Null: nothing to swing. Years: a fractional swing of a calendar year is
    // meaningless. Zero: a fractional swing of zero is zero.
    if (declared.count(i) || p.is_null || p.dim == Dim::kYear || p.unit == "year" || p.value == 0) continue;
    // A named choice (a yield model) is an index, not a quantity to swing.
    if (const ParamDecl* decl = find_decl(strip_year(p.path)); decl && !decl->choices.empty()) continue;
    Driver d;
    d.row.param = p.path;
    d.row.basis = SwingBasis::kFraction;
    d.row.param_base = p.value;
    double lo = clamp_to(t, i, p.value * (1 - opt.swing));
    double hi = clamp_to(t, i, p.value * (1 + opt.swing));
    if (p.dim == Dim::kCount) {
      lo = std::round(lo);
      hi = std::round(hi);
    }
    if (lo == p.value && hi == p.value) continue;
    d.row.param_low = lo;
    d.row.param_high = hi;
    d.low.emplace_back(i, lo);
    d.high.emplace_back(i, hi);
    drivers.push_back(std::move(d));
  }

  std::vector<std::string> errors(drivers.size());
  tbb::task_arena arena(opt.threads > 0 ? opt.threads : tbb::task_arena::automatic);
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, drivers.size(), 16), [&](const tbb::blocked_range<std::size_t>& r) {
      std::vector<double> v = base;
      const CompiledMetrics eval = f;
      for (std::size_t k = r.begin(); k != r.end(); ++k) {
        Driver& d = drivers[k];
        try {
          for (const auto& [i, x] : d.low) v[i] = x;
          eval(v, std::span<double>(&d.row.low, 1));
          for (const auto& [i, x] : d.high) v[i] = x;
          eval(v, std::span<double>(&d.row.high, 1));
        } catch (const std::exception& e) {
          errors[k] = e.what();
        }
        for (const auto& [i, x] : d.low) v[i] = base[i];
      }
    });
  });

  res.evaluated = drivers.size();
  for (std::size_t k = 0; k < drivers.size(); ++k) {
    SensitivityRow& row = drivers[k].row;
    if (!errors[k].empty()) {
      res.failures.push_back(row.param + ": " + errors[k]);
      continue;
    }
    // Bit-identical to the base on both sides: the parameter does not feed the metric.
    if (row.low == res.base && row.high == res.base) continue;
    if (!std::isfinite(row.low) || !std::isfinite(row.high)) {
      res.failures.push_back(row.param + ": the metric is not finite at the swing's ends");
      continue;
    }
    row.delta = row.high - row.low;
    res.rows.push_back(row);
  }
  res.feeding = res.rows.size();
  std::stable_sort(res.rows.begin(), res.rows.end(), [](const SensitivityRow& a, const SensitivityRow& b) {
    const double da = std::abs(a.delta);
    const double db = std::abs(b.delta);
    if (da != db) return da > db;
    return a.param < b.param;
  });
  if (opt.top > 0 && res.rows.size() > opt.top) res.rows.resize(opt.top);
  return res;
}

}  // namespace gpugap::studies
