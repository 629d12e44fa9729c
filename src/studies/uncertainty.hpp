// Uncertainty declared in a scenario file: a marginal distribution per
// parameter, rank correlations between them (Gaussian copula), and Dirichlet
// shares that sum to a fixed total. Parsed once against the compiled
// parameter table; a Sampler then writes sample i's draws into a flat
// parameter vector with no string look-ups.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/scenario.hpp"
#include "studies/distributions.hpp"
#include "studies/evaluate.hpp"

namespace gpugap::studies {

using analysis::Context;
using analysis::ParamDecl;
using analysis::Scenario;
using analysis::kFirstYear;
using analysis::kLastYear;

struct UncertainParam {
  std::string path;       // a parameter path, or the base path of a yearly series
  Distribution dist = Distribution::fixed(0);
  bool relative = false;  // the draw multiplies the base value(s)
  bool yearly = false;    // a base path: one draw for every year of the series
  std::vector<ParamIndex> targets;  // the parameter, or each year's
  Location where;
  Provenance prov;
  // The swing interval (p5, p95) in the parameter's own values: for a
  // relative draw, the multiplier times the base value.
  [[nodiscard]] double p5() const { return dist.quantile(kLowQuantile); }
  [[nodiscard]] double p95() const { return dist.quantile(kHighQuantile); }
  static constexpr double kLowQuantile = 0.05;
  static constexpr double kHighQuantile = 0.95;
};

struct RankCorrelation {
  std::string a;
  std::string b;
  double rho = 0;  // Spearman rank correlation, in (-1, 1)
  Location where;
};

struct DirichletGroup {
  std::string name;
  std::vector<std::string> members;               // parameter or yearly base paths
  std::vector<std::vector<ParamIndex>> targets;   // [member][year or 0]
  double concentration = 0;                       // sum of the alphas
  std::vector<double> alphas;                     // concentration x mean share
  Location where;
  Provenance prov;
};

struct Uncertainty {
  std::vector<UncertainParam> params;  // sorted by path; no `fixed` entries
  std::vector<RankCorrelation> correlations;
  std::vector<DirichletGroup> dirichlet;
  // Declared uncertain, but overridden with --set: held at the override.
  std::vector<std::string> fixed_by_override;

  [[nodiscard]] const UncertainParam* find(std::string_view path) const;
  // The declaration that covers parameter index i (directly or as one year
  // of a yearly base path), or nullptr.
  [[nodiscard]] const UncertainParam* covering(ParamIndex i) const;
  [[nodiscard]] bool empty() const { return params.empty() && dirichlet.empty(); }
};

// Parses ctx.scenario.{uncertainty, correlations, dirichlet} against
// ctx.params. Bad input is a UserError naming file, line and key path.
Uncertainty parse_uncertainty(const Context& ctx);

// The copula and the Dirichlet draw keep their working vectors on the stack.
inline constexpr std::size_t kMaxCorrelated = 64;
inline constexpr std::size_t kMaxDirichletMembers = 64;
// The correlated variables (indices into u.params) and the lower-triangular
// Cholesky factor (row-major) of their normal-score correlation matrix.
// UserError when the declared correlations are not positive definite.
std::pair<std::vector<std::size_t>, std::vector<double>> correlation_factor(const Uncertainty& u);

// The allowed range of a parameter's value: the engine's declared range
// (ParamDecl lo/hi), [0, 1] for fractions, >= 0 for physical quantities.
struct Range {
  double lo = -1e300;
  double hi = 1e300;
};
Range param_range(const ParamTable& t, ParamIndex i);
// "market.overseas_share.2030" -> "market.overseas_share" when the last
// component is a year in kFirstYear..kLastYear; else the path unchanged.
std::string_view strip_year(std::string_view path);

// Draws samples: compiled once from the table and the declarations.
class Sampler {
 public:
  // With `used` (studies::params_read), an independent draw or a Dirichlet
  // group none of whose parameters is used is skipped: every stream belongs
  // to one declaration, so the other draws keep their values.
  Sampler(const ParamTable& table, const Uncertainty& u, const std::vector<bool>* used = nullptr);

  // Writes sample `sample`'s draws into `values` (a copy of the table's
  // values; only touched() indices are written, and the result does not
  // depend on what they held). Counts clamped draws per touched index.
  void draw(std::uint64_t seed, std::uint32_t sample, std::span<double> values,
            std::span<std::uint64_t> clamp_counts) const;

  [[nodiscard]] const std::vector<ParamIndex>& touched() const { return touched_; }
  [[nodiscard]] const std::vector<double>& base() const { return base_; }
  [[nodiscard]] std::size_t variables() const { return vars_.size(); }
  // Declarations left undrawn because no used parameter depends on them
  // (parameter paths, and Dirichlet group names), sorted.
  [[nodiscard]] const std::vector<std::string>& skipped() const { return skipped_; }

 private:
  struct Target {
    std::size_t slot;   // index into touched_ (clamp counts)
    ParamIndex index;   // touched_[slot], kept here: one load less per write
    double base;
    Range range;
    bool check = true;  // false when every possible draw lies inside the range
  };
  struct Var {
    Distribution dist;
    bool relative;
    std::uint64_t stream;
    std::vector<Target> targets;
  };
  struct Group {
    std::vector<double> alphas;
    std::vector<double> mean_share;              // alpha / sum(alpha)
    std::vector<std::uint64_t> streams;          // per member
    std::vector<std::vector<Target>> targets;    // [member][year]
  };
  void write(const Target& t, double v, std::span<double> values, std::span<std::uint64_t> clamps) const;

  std::vector<double> base_;
  std::vector<ParamIndex> touched_;
  std::vector<Var> independent_;
  std::vector<Var> correlated_;
  std::vector<double> chol_;  // lower-triangular Cholesky factor, row-major, of the normal-score correlations
  std::vector<Var> vars_;     // all, for variables()
  std::vector<Group> groups_;
  std::vector<std::string> skipped_;
};

// Spearman rank correlation -> Pearson correlation of the normal scores that
// gives it exactly under a Gaussian copula: r = 2 sin(pi rho / 6).
double normal_score_correlation(double spearman_rho);

}  // namespace gpugap::studies
