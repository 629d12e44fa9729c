#include "studies/uncertainty.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <optional>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "core/suggest.hpp"
#include "studies/engines.hpp"

namespace gpugap::studies {
namespace {

int line_of(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

std::string scalar_text(const YAML::Node& n) {
  if (!n) return "nothing";
  if (n.IsNull()) return "null";
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  return n.IsMap() ? "a mapping" : "a list";
}

const std::vector<std::string>& provenance_keys() {
  static const std::vector<std::string> k = {"source", "as_of", "confidence", "estimate", "rationale", "note"};
  return k;
}

// source / estimate + rationale, as for every value (never an unsourced number).
Provenance parse_provenance(const YAML::Node& n, const std::string& file, const std::string& path) {
  Provenance p;
  const Location where{file, line_of(n), path};
  if (n["source"]) p.source = n["source"].IsScalar() ? n["source"].Scalar() : "";
  if (n["as_of"]) p.as_of = n["as_of"].Scalar();
  if (n["confidence"]) p.confidence = catalog::parse_confidence(n["confidence"], Location{file, line_of(n["confidence"]), path + ".confidence"});
  if (n["estimate"]) {
    const std::string e = n["estimate"].Scalar();
    if (e != "true" && e != "false")
      throw UserError(Location{file, line_of(n["estimate"]), path + ".estimate"}, "true or false", "'" + e + "'");
    p.estimate = e == "true";
  }
  if (n["rationale"]) p.rationale = n["rationale"].Scalar();
  if (n["note"]) p.note = n["note"].Scalar();
  if (p.source.empty() && !p.estimate)
    throw UserError(where, "a 'source' (or 'estimate: true' with a 'rationale')", "a range with no provenance");
  if (p.estimate && p.source.empty() && p.rationale.empty())
    throw UserError(where, "a 'rationale' for an estimate", "none");
  return p;
}

void check_keys(const YAML::Node& n, const std::vector<std::string>& allowed, const std::string& file,
                const std::string& path, const std::string& what) {
  std::set<std::string> seen;
  for (const auto& kv : n) {
    const std::string k = kv.first.Scalar();
    const Location at{file, line_of(kv.first), path + "." + k};
    if (!seen.insert(k).second) throw UserError(at, "each key once", "duplicate key '" + k + "'");
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      throw UserError(at, what, "unknown key '" + k + "'", suggest(k, allowed));
  }
}

bool parse_bool(const YAML::Node& n, const std::string& file, const std::string& path) {
  const std::string s = n.IsScalar() ? n.Scalar() : "";
  if (s != "true" && s != "false") throw UserError(Location{file, line_of(n), path}, "true or false", scalar_text(n));
  return s == "true";
}

// Where a parameter path points: one parameter or one per year.
struct Resolved {
  std::vector<ParamIndex> targets;
  bool yearly = false;
};

std::vector<std::string> path_candidates(const ParamTable& t) {
  std::vector<std::string> out = t.paths();
  std::set<std::string> bases;
  for (const auto& p : out)
    if (strip_year(p).size() != p.size()) bases.insert(std::string(strip_year(p)));
  out.insert(out.end(), bases.begin(), bases.end());
  return out;
}

Resolved resolve(const ParamTable& t, const std::string& path, const Location& where) {
  Resolved r;
  auto check_value = [&](ParamIndex i) {
    if (t.at(i).is_null)
      throw UserError(where, "a parameter with a value (a range is not a substitute for missing data)",
                      "'" + t.at(i).path + "' is null");
  };
  if (const ParamDecl* d = find_decl(path); d && !d->choices.empty())
    throw UserError(where, "a numeric parameter", fmt::format("'{}', a named choice ({})", path, fmt::join(d->choices, ", ")));
  if (auto i = t.find(path)) {
    check_value(*i);
    r.targets.push_back(*i);
    return r;
  }
  for (int y = kFirstYear; y <= kLastYear; ++y) {
    auto i = t.find(fmt::format("{}.{}", path, y));
    if (!i) {
      r.targets.clear();
      break;
    }
    check_value(*i);
    r.targets.push_back(*i);
  }
  if (r.targets.empty())
    throw UserError(where, "a parameter path or the base path of a yearly series", "unknown parameter '" + path + "'",
                    suggest(path, path_candidates(t)));
  r.yearly = true;
  return r;
}

// Reads a bound: a multiplier (relative) or a value in the parameter's unit.
double read_bound(const YAML::Node& n, const Param& p, bool relative, const std::string& file, const std::string& path) {
  const Location at{file, line_of(n), path};
  if (!n.IsScalar()) throw UserError(at, "a number", scalar_text(n));
  if (relative) {
    auto v = parse_number(n.Scalar());
    if (!v) throw UserError(at, "a number (a multiplier of the base value)", scalar_text(n));
    return *v;
  }
  auto r = parse_quantity(n.Scalar(), p.dim);
  if (!r.value) throw UserError(at, r.error.substr(std::min<std::size_t>(9, r.error.size())), "");
  if ((p.dim == Dim::kMoney || p.dim == Dim::kEnergyPrice) && p.currency != Currency::kNone &&
      r.value->currency != p.currency)
    throw UserError(at, fmt::format("a value in {}", p.currency == Currency::kRmb ? "RMB" : "USD"), scalar_text(n));
  return r.value->value;
}

// `key_line`: the line of the parameter path itself, where a user looks first.
UncertainParam parse_one(const ParamTable& t, const std::string& path, const YAML::Node& n, const std::string& file,
                         int key_line) {
  const std::string key = "uncertainty." + path;
  const Location where{file, key_line, key};
  if (!n.IsMap())
    throw UserError(where, "a mapping like {dist: lognormal, p5: 0.8, p95: 1.25, source: ...}", scalar_text(n));
  static const std::vector<std::string> number_keys = {"min", "mode", "max", "p5", "p95", "mean", "sd"};
  std::vector<std::string> allowed = {"dist", "relative"};
  allowed.insert(allowed.end(), number_keys.begin(), number_keys.end());
  allowed.insert(allowed.end(), provenance_keys().begin(), provenance_keys().end());
  check_keys(n, allowed, file, key, "a distribution key (dist, min, mode, max, p5, p95, mean, sd, relative, source, ...)");

  UncertainParam u;
  u.path = path;
  u.where = where;
  const Resolved r = resolve(t, path, where);
  u.targets = r.targets;
  u.yearly = r.yearly;
  if (!n["dist"]) throw UserError(where, "a 'dist' key (fixed, uniform, triangular, pert, normal, lognormal)", "none");
  const std::string dist = n["dist"].Scalar();
  static const std::vector<std::string> dists = {"fixed", "uniform", "triangular", "pert", "normal", "lognormal"};
  if (std::find(dists.begin(), dists.end(), dist) == dists.end())
    throw UserError(Location{file, line_of(n["dist"]), key + ".dist"}, "one of fixed, uniform, triangular, pert, normal, lognormal",
                    "'" + dist + "'", suggest(dist, dists));
  u.relative = u.yearly;
  if (n["relative"]) {
    u.relative = parse_bool(n["relative"], file, key + ".relative");
    if (u.yearly && !u.relative)
      throw UserError(Location{file, line_of(n["relative"]), key + ".relative"},
                      "relative: true (a yearly series takes one multiplicative draw for all years; "
                      "give an absolute range on one year's path instead)",
                      "relative: false");
  }
  // Which number keys each distribution takes.
  std::vector<std::string> need;
  if (dist == "uniform") need = {"min", "max"};
  else if (dist == "triangular" || dist == "pert") need = {"min", "mode", "max"};
  else if (dist == "lognormal") need = {"p5", "p95"};
  else if (dist == "normal") need = n["mean"] || n["sd"] ? std::vector<std::string>{"mean", "sd"} : std::vector<std::string>{"p5", "p95"};
  for (const auto& k : number_keys) {
    const bool wanted = std::find(need.begin(), need.end(), k) != need.end();
    if (n[k] && !wanted)
      throw UserError(Location{file, line_of(n[k]), key + "." + k},
                      need.empty() ? std::string("no bounds for dist: fixed")
                                   : fmt::format("only {} for dist: {}", fmt::join(need, ", "), dist),
                      "'" + k + "'");
    if (!n[k] && wanted)
      throw UserError(where, fmt::format("keys {} for dist: {}", fmt::join(need, ", "), dist), "no '" + k + "'");
  }
  if (dist != "fixed") u.prov = parse_provenance(n, file, key);
  const Param& p = t.at(u.targets.front());
  auto num = [&](const char* k) { return read_bound(n[k], p, u.relative, file, key + "." + k); };
  try {
    if (dist == "fixed") u.dist = Distribution::fixed(u.relative ? 1.0 : p.value);
    else if (dist == "uniform") u.dist = Distribution::uniform(num("min"), num("max"));
    else if (dist == "triangular") u.dist = Distribution::triangular(num("min"), num("mode"), num("max"));
    else if (dist == "pert") u.dist = Distribution::pert(num("min"), num("mode"), num("max"));
    else if (dist == "lognormal") u.dist = Distribution::lognormal_p90(num("p5"), num("p95"));
    else if (n["mean"]) u.dist = Distribution::normal(num("mean"), num("sd"));
    else u.dist = Distribution::normal_p90(num("p5"), num("p95"));
  } catch (const std::invalid_argument& e) {
    throw UserError(where, e.what(), fmt::format("dist: {}", dist));
  }
  // A bounded range must contain the value it is uncertainty about: this
  // catches a percentage written for a fraction, or a range for the wrong year.
  if (std::isfinite(u.dist.lower()) && std::isfinite(u.dist.upper()) && u.dist.kind() != DistKind::kFixed) {
    for (const ParamIndex i : u.targets) {
      const Param& q = t.at(i);
      if (q.overridden) continue;
      const double v = u.relative ? 1.0 : q.value;
      if (v < u.dist.lower() || v > u.dist.upper())
        throw UserError(where,
                        fmt::format("a range that contains {} ({}{})", u.relative ? "the multiplier 1" : "the parameter's value",
                                    q.path, u.relative ? "" : fmt::format(" = {:g}", q.value)),
                        fmt::format("[{:g}, {:g}]", u.dist.lower(), u.dist.upper()));
    }
  }
  return u;
}

bool cholesky(std::vector<double>& m, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) {
    double d = m[j * n + j];
    for (std::size_t k = 0; k < j; ++k) d -= m[j * n + k] * m[j * n + k];
    if (!(d > 0)) return false;
    const double ljj = std::sqrt(d);
    m[j * n + j] = ljj;
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = m[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= m[i * n + k] * m[j * n + k];
      m[i * n + j] = s / ljj;
    }
    for (std::size_t k = j + 1; k < n; ++k) m[j * n + k] = 0.0;
  }
  return true;
}


}  // namespace

double normal_score_correlation(double spearman_rho) {
  return 2.0 * std::sin(std::numbers::pi * spearman_rho / 6.0);
}

std::string_view strip_year(std::string_view path) {
  const auto dot = path.rfind('.');
  if (dot == std::string_view::npos) return path;
  const auto last = path.substr(dot + 1);
  int year = 0;
  const auto [ptr, ec] = std::from_chars(last.data(), last.data() + last.size(), year);
  if (ec != std::errc() || ptr != last.data() + last.size() || year < kFirstYear || year > kLastYear) return path;
  return path.substr(0, dot);
}

Range param_range(const ParamTable& t, ParamIndex i) {
  const Param& p = t.at(i);
  Range r;
  if (const ParamDecl* d = find_decl(strip_year(p.path))) {
    r.lo = d->lo;
    r.hi = d->hi;
  }
  switch (p.dim) {
    case Dim::kFraction:
      r.lo = std::max(r.lo, 0.0);
      r.hi = std::min(r.hi, 1.0);
      break;
    case Dim::kCount:
    case Dim::kCompute:
    case Dim::kBandwidth:
    case Dim::kBytes:
    case Dim::kPower:
    case Dim::kTime:
    case Dim::kArea:
    case Dim::kMoney:
    case Dim::kEnergyPrice: r.lo = std::max(r.lo, 0.0); break;
    case Dim::kNumber:
    case Dim::kYear: break;
  }
  // Schema-positive values (prices, areas): the smallest positive double.
  if (p.positive) r.lo = std::max(r.lo, std::numeric_limits<double>::min());
  return r;
}

std::pair<std::vector<std::size_t>, std::vector<double>> correlation_factor(const Uncertainty& u) {
  std::map<std::string, std::size_t> index;
  for (std::size_t k = 0; k < u.params.size(); ++k) index[u.params[k].path] = k;
  std::set<std::size_t> vars;
  for (const auto& c : u.correlations) {
    vars.insert(index.at(c.a));
    vars.insert(index.at(c.b));
  }
  std::vector<std::size_t> order(vars.begin(), vars.end());
  const std::size_t n = order.size();
  if (n > kMaxCorrelated)
    throw UserError(u.correlations.front().where, fmt::format("at most {} correlated parameters", kMaxCorrelated),
                    fmt::format("{}", n));
  std::map<std::size_t, std::size_t> pos;
  for (std::size_t k = 0; k < n; ++k) pos[order[k]] = k;
  std::vector<double> m(n * n, 0.0);
  for (std::size_t k = 0; k < n; ++k) m[k * n + k] = 1.0;
  for (const auto& c : u.correlations) {
    const std::size_t i = pos.at(index.at(c.a));
    const std::size_t j = pos.at(index.at(c.b));
    m[i * n + j] = m[j * n + i] = normal_score_correlation(c.rho);
  }
  if (!cholesky(m, n))
    throw UserError(u.correlations.front().where,
                    "mutually consistent rank correlations (their normal-score correlation matrix must be positive definite)",
                    "a set no joint distribution can have");
  return {order, m};
}

const UncertainParam* Uncertainty::find(std::string_view path) const {
  for (const auto& p : params)
    if (p.path == path) return &p;
  return nullptr;
}

const UncertainParam* Uncertainty::covering(ParamIndex i) const {
  for (const auto& p : params)
    if (std::find(p.targets.begin(), p.targets.end(), i) != p.targets.end()) return &p;
  return nullptr;
}

namespace {

// Which declaration draws each parameter: one declaration a parameter.
class Claims {
 public:
  explicit Claims(const ParamTable& t) : t_(t) {}
  void claim(ParamIndex i, const std::string& by, const Location& where) {
    auto [it, fresh] = owner_.emplace(i, by);
    if (!fresh)
      throw UserError(where, "each parameter drawn by one declaration",
                      fmt::format("'{}' is drawn by both '{}' and '{}'", t_.at(i).path, it->second, by));
  }

 private:
  const ParamTable& t_;
  std::map<ParamIndex, std::string> owner_;
};

// The scenario's `correlations:` list (Spearman rank correlations between
// parameters declared uncertain).
void parse_correlations(const Scenario& sc, const std::string& default_file, Uncertainty& u) {
  if (!sc.correlations || sc.correlations.IsNull()) return;
  const std::string file = sc.correlations_file.empty() ? default_file : sc.correlations_file;
  const Location top{file, line_of(sc.correlations), "correlations"};
  if (!sc.correlations.IsSequence())
    throw UserError(top, "a list of {params: [A, B], rho: R, source: ...}", scalar_text(sc.correlations));
  std::set<std::pair<std::string, std::string>> pairs;
  std::vector<std::string> declared;
  for (const auto& p : u.params) declared.push_back(p.path);
  std::size_t k = 0;
  for (const auto& c : sc.correlations) {
    const std::string key = fmt::format("correlations[{}]", k++);
    const Location where{file, line_of(c), key};
    if (!c.IsMap()) throw UserError(where, "a mapping {params: [A, B], rho: R, source: ...}", scalar_text(c));
    std::vector<std::string> allowed = {"params", "rho"};
    allowed.insert(allowed.end(), provenance_keys().begin(), provenance_keys().end());
    check_keys(c, allowed, file, key, "params, rho (Spearman rank correlation) or a provenance key");
    if (!c["params"] || !c["params"].IsSequence() || c["params"].size() != 2)
      throw UserError(where, "params: [A, B] (two parameter paths)", scalar_text(c["params"]));
    if (!c["rho"]) throw UserError(where, "a 'rho' key (Spearman rank correlation in (-1, 1))", "none");
    (void)parse_provenance(c, file, key);
    RankCorrelation rc{c["params"][0].Scalar(), c["params"][1].Scalar(), 0, where};
    auto rho = c["rho"].IsScalar() ? parse_number(c["rho"].Scalar()) : std::nullopt;
    if (!rho || !(*rho > -1 && *rho < 1))
      throw UserError(Location{file, line_of(c["rho"]), key + ".rho"}, "a rank correlation in (-1, 1)", scalar_text(c["rho"]));
    rc.rho = *rho;
    if (rc.a == rc.b) throw UserError(where, "two different parameters", "'" + rc.a + "' twice");
    bool pinned = false;
    for (const auto& name : {rc.a, rc.b}) {
      if (u.find(name)) continue;
      // Declared but pinned by --set or declared fixed: nothing to correlate.
      const bool fixed = sc.uncertainty && sc.uncertainty.IsMap() && sc.uncertainty[name];
      if (fixed) {
        pinned = true;
        continue;
      }
      throw UserError(where, "parameters declared in 'uncertainty'", "'" + name + "'", suggest(name, declared));
    }
    if (pinned) continue;
    auto key_pair = std::minmax(rc.a, rc.b);
    if (!pairs.insert({key_pair.first, key_pair.second}).second)
      throw UserError(where, "each pair once", fmt::format("'{}' and '{}' again", rc.a, rc.b));
    u.correlations.push_back(rc);
  }
  if (!u.correlations.empty()) (void)correlation_factor(u);
}

// The scenario's `dirichlet:` groups (shares drawn together so they keep their sum).
void parse_dirichlet(const ParamTable& t, const Scenario& sc, const std::string& default_file, Claims& claims,
                     Uncertainty& u) {
  if (!sc.dirichlet || sc.dirichlet.IsNull()) return;
  const std::string file = sc.dirichlet_file.empty() ? default_file : sc.dirichlet_file;
  if (!sc.dirichlet.IsMap())
    throw UserError(Location{file, line_of(sc.dirichlet), "dirichlet"},
                    "a mapping of group names to {params: [...], concentration: K, source: ...}", scalar_text(sc.dirichlet));
  for (const auto& kv : sc.dirichlet) {
    const std::string name = kv.first.Scalar();
    const std::string key = "dirichlet." + name;
    const YAML::Node& n = kv.second;
    const Location where{file, line_of(n), key};
    if (!n.IsMap()) throw UserError(where, "a mapping {params: [...], concentration: K, source: ...}", scalar_text(n));
    std::vector<std::string> allowed = {"params", "concentration"};
    allowed.insert(allowed.end(), provenance_keys().begin(), provenance_keys().end());
    check_keys(n, allowed, file, key, "params, concentration or a provenance key");
    if (!n["params"] || !n["params"].IsSequence() || n["params"].size() < 2)
      throw UserError(where, "params: a list of at least two share parameters", scalar_text(n["params"]));
    if (n["params"].size() > kMaxDirichletMembers)
      throw UserError(where, fmt::format("at most {} shares", kMaxDirichletMembers), fmt::format("{}", n["params"].size()));
    if (!n["concentration"]) throw UserError(where, "a 'concentration' (sum of the Dirichlet alphas, > 0)", "none");
    DirichletGroup g;
    g.name = name;
    g.where = where;
    g.prov = parse_provenance(n, file, key);
    auto conc = n["concentration"].IsScalar() ? parse_number(n["concentration"].Scalar()) : std::nullopt;
    if (!conc || !(*conc > 0))
      throw UserError(Location{file, line_of(n["concentration"]), key + ".concentration"}, "a positive number",
                      scalar_text(n["concentration"]));
    g.concentration = *conc;
    bool any_override = false;
    std::optional<bool> yearly;
    for (const auto& m : n["params"]) {
      const std::string path = m.Scalar();
      const Location at{file, line_of(m), key + ".params"};
      const Resolved r = resolve(t, path, at);
      if (yearly && *yearly != r.yearly)
        throw UserError(at, "shares of one kind (all yearly series, or all single parameters)", "'" + path + "'");
      yearly = r.yearly;
      for (const ParamIndex i : r.targets) {
        if (t.at(i).value < 0) throw UserError(at, "shares >= 0", fmt::format("{} = {:g}", t.at(i).path, t.at(i).value));
        any_override = any_override || t.at(i).overridden;
      }
      if (std::find(g.members.begin(), g.members.end(), path) != g.members.end())
        throw UserError(at, "each share once", "'" + path + "' twice");
      g.members.push_back(path);
      g.targets.push_back(r.targets);
    }
    if (any_override) {
      for (const auto& m : g.members) u.fixed_by_override.push_back(m);
      continue;
    }
    // Mean share of each member (averaged over the years of a series).
    const std::size_t years = g.targets.front().size();
    std::vector<double> share(g.members.size(), 0.0);
    for (std::size_t y = 0; y < years; ++y) {
      double total = 0;
      for (const auto& tg : g.targets) total += t.at(tg[y]).value;
      if (!(total > 0)) throw UserError(where, "shares with a positive total in every year", "a total of 0");
      for (std::size_t m = 0; m < g.members.size(); ++m) share[m] += t.at(g.targets[m][y]).value / total / years;
    }
    // A share that is zero in some years is fine (it stays zero there); one
    // that is zero throughout has no Dirichlet alpha.
    for (std::size_t m = 0; m < g.members.size(); ++m)
      if (!(share[m] > 0))
        throw UserError(where, "shares that are positive in at least one year", "'" + g.members[m] + "' is 0 throughout");
    for (const double s : share) g.alphas.push_back(g.concentration * s);
    for (std::size_t m = 0; m < g.members.size(); ++m)
      for (const ParamIndex i : g.targets[m]) claims.claim(i, key, Location{file, line_of(n["params"]), key + ".params"});
    u.dirichlet.push_back(std::move(g));
  }
}

}  // namespace

Uncertainty parse_uncertainty(const Context& ctx) {
  const ParamTable& t = ctx.params;
  const Scenario& sc = ctx.scenario;
  const std::string default_file = sc.files.empty() ? std::string("scenario") : sc.files.back();
  Uncertainty u;
  Claims claims(t);

  if (sc.uncertainty && !sc.uncertainty.IsNull()) {
    if (!sc.uncertainty.IsMap())
      throw UserError(Location{default_file, line_of(sc.uncertainty), "uncertainty"}, "a mapping of parameter paths",
                      scalar_text(sc.uncertainty));
    for (const auto& kv : sc.uncertainty) {
      const std::string path = kv.first.Scalar();
      auto f = sc.uncertainty_files.find(path);
      const std::string file = f == sc.uncertainty_files.end() ? default_file : f->second;
      const int key_line = line_of(kv.first);
      UncertainParam p = parse_one(t, path, kv.second, file, key_line > 0 ? key_line : line_of(kv.second));
      if (p.dist.kind() == DistKind::kFixed) continue;
      // An override (--set) pins the parameter: its declared range is about
      // the scenario's value, not the user's.
      std::vector<ParamIndex> kept;
      for (const ParamIndex i : p.targets) {
        if (t.at(i).overridden) u.fixed_by_override.push_back(t.at(i).path);
        else kept.push_back(i);
      }
      if (kept.empty()) continue;
      p.targets = kept;
      for (const ParamIndex i : p.targets) claims.claim(i, p.path, p.where);
      u.params.push_back(std::move(p));
    }
  }
  std::sort(u.params.begin(), u.params.end(), [](const auto& a, const auto& b) { return a.path < b.path; });

  parse_correlations(sc, default_file, u);
  parse_dirichlet(t, sc, default_file, claims, u);
  std::sort(u.fixed_by_override.begin(), u.fixed_by_override.end());
  return u;
}

}  // namespace gpugap::studies
