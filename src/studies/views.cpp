// compare and table2: see views.hpp.
#include "studies/views.hpp"

#include <cmath>
#include <limits>

#include "analysis/provenance.hpp"
#include "core/error.hpp"
#include "core/status.hpp"
#include "studies/engines.hpp"
#include "studies/evaluate.hpp"

namespace gpugap::studies {

namespace {

nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

Comparison compare(const std::vector<std::string>& catalog_dirs, const std::vector<std::string>& scenarios,
                   const std::vector<std::string>& overrides, const std::vector<std::string>& metrics) {
  return compare([&](const std::string& id) { return make_context(catalog_dirs, id, overrides); }, scenarios, metrics);
}

Comparison compare(const std::function<analysis::Context(const std::string&)>& load,
                   const std::vector<std::string>& scenarios, const std::vector<std::string>& metrics) {
  require(scenarios.size() >= 2, Location{"", 0, "--scenarios"}, "at least two scenarios, comma-separated",
          std::to_string(scenarios.size()));
  require(!metrics.empty(), Location{"", 0, "--metric"}, "at least one metric path", "none");
  Comparison c;
  c.metrics = metrics;
  c.values.assign(metrics.size(), std::vector<double>(scenarios.size(), std::numeric_limits<double>::quiet_NaN()));
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    const auto ctx = load(scenarios[s]);
    c.scenarios.push_back(ctx.scenario.id);
    if (s == 0) c.provenance = analysis::provenance_stamp(ctx);
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      try {
        c.values[m][s] = evaluate(ctx, {metrics[m]}).at(metrics[m]);
      } catch (const InsufficientData& e) {
        c.missing.push_back(ctx.scenario.id + ": " + metrics[m] + ": " + e.what());
      }
    }
  }
  c.provenance["scenario"] = c.scenarios;
  return c;
}

nlohmann::json to_json(const Comparison& c, const std::vector<std::string>& overrides) {
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t m = 0; m < c.metrics.size(); ++m) {
    nlohmann::json values = nlohmann::json::object();
    for (std::size_t s = 0; s < c.scenarios.size(); ++s) values[c.scenarios[s]] = number_or_null(c.values[m][s]);
    rows.push_back({{"metric", c.metrics[m]}, {"values", values}});
  }
  return {{"provenance", c.provenance}, {"scenarios", c.scenarios}, {"overrides", overrides}, {"rows", rows},
          {"missing", c.missing}};
}

Vary parse_vary(const std::string& text, const std::string& flag) {
  const auto eq = text.find('=');
  require(eq != std::string::npos && eq > 0 && eq + 1 < text.size(), Location{"", 0, flag}, "PATH=V1,V2,...", "'" + text + "'");
  Vary v;
  v.path = text.substr(0, eq);
  const std::string list = text.substr(eq + 1);
  for (std::size_t p = 0; p <= list.size();) {
    const auto q = std::min(list.find(',', p), list.size());
    require(q > p, Location{"", 0, flag}, "PATH=V1,V2,... without empty values", "'" + text + "'");
    v.values.push_back(list.substr(p, q - p));
    p = q + 1;
  }
  return v;
}

DataTable table2(const analysis::Context& ctx, const std::vector<std::string>& catalog_dirs, const std::string& scenario,
                 const std::string& metric, const Vary& rows, const Vary& cols) {
  require(rows.path != cols.path, Location{"", 0, "--vary"}, "two different parameters", rows.path + " twice");
  // Each value passes through the scenario loader once, as `--set PATH=VALUE` would:
  // unknown paths, units and declared ranges are checked there, with its messages.
  auto checked = [&](const Vary& v) {
    for (const auto& value : v.values) {
      auto sets = ctx.overrides;
      sets.push_back(v.path + "=" + value);
      try {
        (void)make_context(catalog_dirs, scenario, sets);
      } catch (const UserError& e) {  // the same message as --set's, naming the flag given
        const std::string m = e.what();
        throw UserError(m.rfind("--set: ", 0) == 0 ? "--vary: " + m.substr(7) : m);
      }
    }
  };
  checked(rows);
  if (!cols.path.empty()) checked(cols);
  return table2_grid(ctx, metric, rows, cols);
}

DataTable table2_grid(const analysis::Context& ctx, const std::string& metric, const Vary& rows, const Vary& cols) {
  require(rows.path != cols.path, Location{"", 0, "--vary"}, "two different parameters", rows.path + " twice");
  const std::size_t ncol = cols.path.empty() ? 1 : cols.values.size();
  const auto f = compile(ctx, {metric});
  DataTable t{metric, rows, cols, 0, {}};
  const auto base = ctx.params.values();
  f(base, std::span<double>(&t.base, 1));
  t.values.assign(rows.values.size(), std::vector<double>(ncol, 0.0));
  for (std::size_t i = 0; i < rows.values.size(); ++i)
    for (std::size_t j = 0; j < ncol; ++j) {
      ParamTable p = ctx.params;
      p.set_from_text(rows.path, rows.values[i]);
      if (!cols.path.empty()) p.set_from_text(cols.path, cols.values[j]);
      const auto v = p.values();
      f(v, std::span<double>(&t.values[i][j], 1));
    }
  return t;
}

nlohmann::json to_json(const DataTable& t, nlohmann::json provenance) {
  nlohmann::json grid = nlohmann::json::array();
  for (const auto& row : t.values) {
    nlohmann::json jr = nlohmann::json::array();
    for (const double v : row) jr.push_back(number_or_null(v));
    grid.push_back(jr);
  }
  return {{"provenance", std::move(provenance)},
          {"metric", t.metric},
          {"base", number_or_null(t.base)},
          {"rows", {{"path", t.rows.path}, {"values", t.rows.values}}},
          {"cols", t.cols.path.empty() ? nlohmann::json(nullptr) : nlohmann::json{{"path", t.cols.path}, {"values", t.cols.values}}},
          {"values", grid}};
}

}  // namespace gpugap::studies
