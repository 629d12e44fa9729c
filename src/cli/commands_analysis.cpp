// sensitivity, mc and goalseek: generic over parameter and metric paths.
#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include "studies/goalseek.hpp"
#include "analysis/metrics.hpp"
#include "studies/montecarlo.hpp"
#include "studies/mpi.hpp"
#include "studies/sensitivity.hpp"
#include "studies/uncertainty.hpp"
#include "cli/cli.hpp"
#include "core/suggest.hpp"
#include "studies/evaluate.hpp"

namespace gpugap::cli {

nlohmann::json json_number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

// Parses "1e6", "100000" as a whole number of samples.
std::uint64_t parse_count(const std::string& text, const std::string& flag) {
  auto v = parse_number(text);
  if (!v || *v < 0 || *v != std::floor(*v) || *v > 1e18)
    throw UserError(Location{"", 0, flag}, "a whole number (e.g. 100000 or 1e5)", "'" + text + "'");
  return static_cast<std::uint64_t>(*v);
}

namespace {

constexpr int kHistogramWidth = 40;  // characters of the longest histogram bar

nlohmann::json uncertainty_json(const studies::Uncertainty& u) {
  nlohmann::json params = nlohmann::json::array();
  for (const auto& p : u.params) {
    nlohmann::json j{{"param", p.path}, {"dist", p.dist.describe()}, {"relative", p.relative}};
    if (p.yearly) j["years"] = p.targets.size();
    j["source"] = p.prov.estimate && p.prov.source.empty() ? "ESTIMATE: " + p.prov.rationale : p.prov.source;
    params.push_back(j);
  }
  nlohmann::json corr = nlohmann::json::array();
  for (const auto& c : u.correlations) corr.push_back({{"params", {c.a, c.b}}, {"rho", c.rho}});
  nlohmann::json dir = nlohmann::json::array();
  for (const auto& g : u.dirichlet)
    dir.push_back({{"name", g.name}, {"params", g.members}, {"concentration", g.concentration}});
  return {{"params", params}, {"correlations", corr}, {"dirichlet", dir}, {"fixed_by_override", u.fixed_by_override}};
}

// --vary must name one parameter; a yearly series gets a pointed suggestion.
ParamIndex vary_index(const ParamTable& t, const std::string& path) {
  if (auto i = t.find(path)) return *i;
  if (t.find(fmt::format("{}.{}", path, analysis::kLastYear)))
    throw UserError(Location{"", 0, "goalseek --vary"}, "one parameter (one year of a yearly series)",
                    "'" + path + "' is a yearly series", fmt::format("{}.{}", path, analysis::kLastYear));
  return t.require(path, "parameter");
}

double parse_param_value(const Param& p, const std::string& text, const std::string& flag) {
  auto r = parse_quantity(text, p.dim);
  if (!r.value) throw UserError(Location{"", 0, flag}, r.error.substr(std::min<std::size_t>(9, r.error.size())), "");
  return r.value->value;
}

std::string histogram_text(const studies::MetricSummary& s) {
  std::string out = fmt::format("{} (n = {}{})\n", s.metric, s.n, s.non_finite ? fmt::format(", {} not finite", s.non_finite) : "");
  std::uint64_t peak = 1;
  for (const auto c : s.histogram.counts) peak = std::max(peak, c);
  for (std::size_t b = 0; b < s.histogram.counts.size(); ++b) {
    const auto c = s.histogram.counts[b];
    const auto len = static_cast<std::size_t>(static_cast<double>(c) / static_cast<double>(peak) * kHistogramWidth + 0.5);
    out += fmt::format("  {:>12} .. {:<12} {:>9} {}\n", fmt_num(s.histogram.edges[b]), fmt_num(s.histogram.edges[b + 1]), c,
                       std::string(len, '#'));
  }
  return out;
}

void mc_cmd(const Global& g, const std::vector<std::string>& metrics, const std::string& samples_text, std::uint64_t seed,
            int bins) {
  // MPI first: under mpirun every rank runs this same command.
  const studies::MpiSession mpi;
  if (studies::MpiSession::launched_by_mpirun() && !studies::MpiSession::built_with_mpi())
    std::cerr << "gpugap: note: built without MPI; every rank runs the whole Monte Carlo\n";
  studies::McOptions opt;
  opt.samples = parse_count(samples_text, "mc --samples");
  opt.seed = seed;
  opt.bins = bins;
  opt.threads = g.threads;
  opt.progress = progress_mode(g.quiet);
  opt.validate(metrics.size());

  const auto ctx = g.context();
  const auto u = studies::parse_uncertainty(ctx);
  const auto f = studies::compile(ctx, metrics);
  opt.used = studies::params_read(ctx, metrics);
  if (u.empty() && mpi.root())
    std::cerr << "gpugap: note: scenario '" << ctx.scenario.id << "' declares no uncertainty: every sample equals the base\n";
  const auto res = studies::monte_carlo(ctx.params, u, f, metrics, opt, &mpi);
  if (!res.root) return;  // rank 0 writes the answer

  Output out;
  out.json = {{"scenario", ctx.scenario.id}, {"overrides", ctx.overrides}, {"samples", res.samples}, {"seed", res.seed},
              {"metrics", nlohmann::json::object()}};
  Table t{{"metric", "base", "mean", "sem", "p5", "p50", "p95", "n"}, {}, {}};
  for (const auto& s : res.metrics) {
    nlohmann::json hist{{"edges", nlohmann::json::array()}, {"counts", s.histogram.counts}};
    for (const double e : s.histogram.edges) hist["edges"].push_back(json_number(e));
    out.json["metrics"][s.metric] = {{"base", json_number(s.base)}, {"mean", json_number(s.mean)}, {"sd", json_number(s.sd)},
                                     {"sem", json_number(s.sem)}, {"p5", json_number(s.p5)}, {"p50", json_number(s.p50)},
                                     {"p95", json_number(s.p95)}, {"min", json_number(s.min)}, {"max", json_number(s.max)},
                                     {"n", s.n}, {"non_finite", s.non_finite}, {"histogram", hist}};
    t.rows.push_back({s.metric, fmt_num(s.base), fmt_num(s.mean), fmt_num(s.sem, 2), fmt_num(s.p5), fmt_num(s.p50),
                      fmt_num(s.p95), std::to_string(s.n)});
  }
  out.json["uncertainty"] = uncertainty_json(u);
  nlohmann::json clamped = nlohmann::json::object();
  for (const auto& [path, n] : res.clamped) clamped[path] = n;
  out.json["clamped"] = clamped;
  out.json["not_drawn"] = res.not_drawn;
  out.titles = {fmt::format("Monte Carlo: scenario {}, {} samples, seed {}{}", ctx.scenario.id, res.samples, res.seed,
                            ctx.overrides.empty() ? "" : fmt::format(", overrides: {}", fmt::join(ctx.overrides, " ")))};
  out.tables.push_back(t);
  for (const auto& s : res.metrics) out.text += histogram_text(s);
  out.text += fmt::format("{} uncertain parameters, {} rank correlations, {} Dirichlet groups\n", u.params.size(),
                          u.correlations.size(), u.dirichlet.size());
  if (!u.fixed_by_override.empty())
    out.text += fmt::format("held at --set values: {}\n", fmt::join(u.fixed_by_override, ", "));
  for (const auto& [path, n] : res.clamped) out.text += fmt::format("clamped to its allowed range: {} ({} draws)\n", path, n);
  if (!res.not_drawn.empty())
    out.text += fmt::format("not drawn (no metric here reads them): {}\n", fmt::join(res.not_drawn, ", "));
  emit(g, out);
}

void sensitivity_cmd(const Global& g, const std::string& metric, double swing, std::size_t top) {
  studies::SensitivityOptions opt;
  opt.swing = swing;
  opt.top = top;
  opt.threads = g.threads;
  opt.validate();
  const auto ctx = g.context();
  const auto u = studies::parse_uncertainty(ctx);
  const auto f = studies::compile(ctx, {metric});
  const auto res = studies::sensitivity(ctx.params, u, f, metric, opt);

  Output out;
  out.json = {{"scenario", ctx.scenario.id}, {"overrides", ctx.overrides}, {"metric", res.metric},
              {"base", json_number(res.base)}, {"swing", swing}, {"rows", nlohmann::json::array()},
              {"evaluated", res.evaluated}, {"feeding", res.feeding}, {"failures", res.failures}};
  Table t{{"param", "swing", "param low", "param high", "metric low", "metric high", "delta"}, {}, {}};
  for (const auto& r : res.rows) {
    out.json["rows"].push_back({{"param", r.param}, {"low", json_number(r.low)}, {"high", json_number(r.high)},
                                {"delta", json_number(r.delta)}, {"basis", std::string(studies::basis_name(r.basis))},
                                {"relative", r.relative}, {"param_base", r.param_base}, {"param_low", r.param_low},
                                {"param_high", r.param_high}});
    const std::string basis = r.basis == studies::SwingBasis::kFraction ? fmt::format("+/-{:g}%", swing * 100)
                              : r.relative ? "p5/p95 x base" : "p5/p95";
    t.rows.push_back({r.param, basis, fmt_num(r.param_low), fmt_num(r.param_high), fmt_num(r.low), fmt_num(r.high),
                      fmt_num(r.delta)});
  }
  out.titles = {fmt::format("Sensitivity of {} (base {}), scenario {}{}", metric, fmt_num(res.base), ctx.scenario.id,
                            ctx.overrides.empty() ? "" : fmt::format(", overrides: {}", fmt::join(ctx.overrides, " ")))};
  out.tables.push_back(t);
  out.text = fmt::format("{} parameters swung, {} move the metric{}\n", res.evaluated, res.feeding,
                         top > 0 && res.feeding > top ? fmt::format(" (top {} shown)", top) : "");
  for (const auto& f_msg : res.failures) out.text += "swing rejected: " + f_msg + "\n";
  emit(g, out);
}

void goalseek_cmd(const Global& g, const std::string& target_text, const std::string& vary, const std::string& lo_text,
                  const std::string& hi_text) {
  auto [metric, value_text] = split_assignment(target_text);
  auto target = parse_number(value_text);
  if (!target) throw UserError(Location{"", 0, "goalseek --target"}, "PATH=NUMBER", "'" + target_text + "'");
  const auto ctx = g.context();
  const ParamIndex i = vary_index(ctx.params, vary);
  studies::GoalSeekOptions opt;
  if (!lo_text.empty()) opt.lo = parse_param_value(ctx.params.at(i), lo_text, "goalseek --lo");
  if (!hi_text.empty()) opt.hi = parse_param_value(ctx.params.at(i), hi_text, "goalseek --hi");
  const auto u = studies::parse_uncertainty(ctx);
  const auto f = studies::compile(ctx, {metric});
  const auto r = studies::goal_seek(ctx.params, u, f, metric, *target, i, opt);

  Output out;
  out.json = {{"scenario", ctx.scenario.id},
              {"overrides", ctx.overrides},
              {"target", {{"metric", r.metric}, {"value", r.target}}},
              {"vary", r.param},
              {"value", r.value},
              {"param_base", r.param_base},
              {"metric_base", json_number(r.metric_base)},
              {"achieved", json_number(r.achieved)},
              {"range", {r.lo, r.hi}},
              {"range_basis", r.range_basis},
              {"evaluations", r.evaluations}};
  if (r.interval_p5) {
    out.json["declared_interval"] = {*r.interval_p5, *r.interval_p95};
    out.json["within_declared_interval"] = r.value >= *r.interval_p5 && r.value <= *r.interval_p95;
  } else {
    out.json["declared_interval"] = nullptr;
    out.json["within_declared_interval"] = nullptr;
  }
  Table t{{"", ""}, {}, {false, true}};
  t.rows.push_back({"target", fmt::format("{} = {}", r.metric, fmt_num(r.target, 6))});
  t.rows.push_back({"vary", r.param});
  t.rows.push_back({"solution", fmt_num(r.value, 8)});
  t.rows.push_back({"scenario value", fmt_num(r.param_base, 8)});
  t.rows.push_back({"metric at scenario value", fmt_num(r.metric_base, 8)});
  t.rows.push_back({"metric at solution", fmt_num(r.achieved, 8)});
  t.rows.push_back({"range searched", fmt::format("[{}, {}] ({})", fmt_num(r.lo), fmt_num(r.hi), r.range_basis)});
  if (r.interval_p5)
    t.rows.push_back({"declared p5..p95", fmt::format("[{}, {}]{}", fmt_num(*r.interval_p5), fmt_num(*r.interval_p95),
                                                      r.value >= *r.interval_p5 && r.value <= *r.interval_p95 ? "" : " (solution outside)")});
  out.titles = {fmt::format("Goal seek, scenario {}{}", ctx.scenario.id,
                            ctx.overrides.empty() ? "" : fmt::format(", overrides: {}", fmt::join(ctx.overrides, " ")))};
  out.tables.push_back(t);
  emit(g, out);
}

}  // namespace

void add_analysis_commands(CLI::App& app, Global& g) {
  struct Opts {
    std::vector<std::string> mc_metrics;
    std::string samples = "10000";
    std::uint64_t seed = 1;
    int bins = studies::kDefaultBins;
    std::string sens_metric;
    double swing = studies::kDefaultSwing;
    std::size_t top = 0;
    std::string target;
    std::string vary;
    std::string lo;
    std::string hi;
  };
  auto o = std::make_shared<Opts>();

  auto* sens = app.add_subcommand("sensitivity", "one-at-a-time swings of every parameter that feeds a metric (tornado)");
  sens->add_option("--metric", o->sens_metric, "metric path, e.g. market.tam_usd_bn.2030")->required();
  sens->add_option("--swing", o->swing, "+/- fraction for parameters without a declared interval");
  sens->add_option("--top", o->top, "show the K largest swings (0 = all)")->check(count_at_least(0));
  sens->callback([&g, o] { sensitivity_cmd(g, o->sens_metric, o->swing, o->top); });

  auto* mc = app.add_subcommand("mc", "Monte Carlo over the scenario's declared uncertainty (threads; MPI under mpirun)");
  mc->add_option("--metric", o->mc_metrics, "metric paths (repeatable, or several after one --metric)")->required();
  mc->add_option("--samples", o->samples, fmt::format("number of samples (at most {})", studies::kMaxSamples));
  mc->add_option("--seed", o->seed, "random seed: same seed, same answer, on any thread or rank count");
  mc->add_option("--bins", o->bins, "histogram bins")->check(count_at_least(1));
  mc->callback([&g, o] { mc_cmd(g, o->mc_metrics, o->samples, o->seed, o->bins); });

  auto* gs = app.add_subcommand("goalseek", "the value of one parameter that makes a metric hit a target");
  gs->add_option("--target", o->target, "METRIC=VALUE, e.g. market.tam_usd_bn.2030=67")->required();
  gs->add_option("--vary", o->vary, "the parameter path to solve for")->required();
  gs->add_option("--lo", o->lo, "lower end of the search range (default: the parameter's allowed range)");
  gs->add_option("--hi", o->hi, "upper end of the search range");
  gs->callback([&g, o] { goalseek_cmd(g, o->target, o->vary, o->lo, o->hi); });
}

}  // namespace gpugap::cli
