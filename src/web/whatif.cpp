#include "web/whatif.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/unit_parse.hpp"
#include "report/report.hpp"
#include "studies/engines.hpp"
#include "studies/evaluate.hpp"

namespace gpugap::web {
namespace {

using nlohmann::json;

constexpr int kChartFirstYear = analysis::kFirstYear;
constexpr int kChartLastYear = analysis::kLastYear;

// The headline figures: metric path, label, how the page formats it.
struct Card {
  const char* metric;
  const char* label;
  const char* format;  // usd_bn | share | count | year | ratio
};

constexpr Card kCards[] = {
    {"market.tam_usd_bn.2030", "Demand for AI accelerators in China, 2030 (USD bn)", "usd_bn"},
    {"market.domestic_usd_bn.2030", "Domestic chips sold, 2030 (USD bn)", "usd_bn"},
    {"market.imports_usd_bn.2030", "Imported chips, 2030 (USD bn)", "usd_bn"},
    {"market.self_sufficiency.2030", "Self-sufficiency, 2030", "share"},
    {"supply.chips_total.2030", "Domestic accelerators produced, 2030", "count"},
    {"supply.h100_equivalents.2030", "Domestic output in H100 equivalents, 2030", "count"},
    {"market.breakeven_year", "Year AI infrastructure breaks even", "year"},
    {"gap.usd_per_mtok.china.2026", "US / China gap on cost per token, 2026", "ratio"},
};

json yearly(const std::string& name, const std::string& prefix) {
  json metrics = json::array();
  for (int y = kChartFirstYear; y <= kChartLastYear; ++y) metrics.push_back(fmt::format("{}.{}", prefix, y));
  return {{"name", name}, {"metrics", metrics}};
}

// Money and energy prices need their unit on --set ("0.08 USD/kWh", "142500 RMB"); plain numbers do not.
std::string set_unit(const Param& p) {
  switch (p.dim) {
    case Dim::kNumber:
    case Dim::kCount:
    case Dim::kFraction:
    case Dim::kYear: return "";
    case Dim::kMoney: return p.currency == Currency::kRmb ? "RMB" : "USD";
    case Dim::kEnergyPrice: return p.currency == Currency::kRmb ? "RMB/kWh" : "USD/kWh";
    default: return std::string(dim_unit(p.dim));
  }
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(Location{path, 0, "serve"}, "a readable file", "cannot open it");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Response json_response(int status, const json& j) {
  return {status, "application/json", j.dump(-1, ' ', false, json::error_handler_t::replace), {}};
}

Response error_response(const std::exception& e) {
  const std::string line = user_error_line(e);
  if (line.empty()) return json_response(500, {{"error", std::string("gpugap: internal error: ") + e.what()}});
  return json_response(400, {{"error", line}});
}

std::vector<std::string> values_of(const Query& q, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : q)
    if (k == name) out.push_back(v);
  return out;
}

}  // namespace

const std::vector<Control>& controls() {
  static const std::vector<Control> c = {
      {"market.cloud_capex_usd_bn.2030", "Chinese cloud capex, 2030 (USD bn)", "Cloud capex", 0, 400, 5},
      {"market.chain.accelerator_share.2030", "Accelerator share of AI-server spend, 2030", "Cloud capex", 0, 1, 0.01},
      {"supply.nodes.smic-n2.yield.2030", "SMIC N+2 die yield, 2030 (reference die area)", "Yields", 0.05, 1, 0.01},
      {"supply.packaging.yield.2030", "Advanced-packaging yield, 2030", "Yields", 0.5, 1, 0.01},
      {"supply.nodes.smic-n2.wafers_per_month.2030", "SMIC N+2 announced capacity, 2030 (wafers/month)", "Capacity", 0, 150000,
       1000},
      {"supply.capex.usd_bn.2030", "SMIC advanced-node capex, 2030 (USD bn)", "Capacity", 0, 30, 0.1},
      {"supply.litho.imports.2030", "DUV scanners imported, 2030 (per year)", "Capacity", 0, 30, 1},
      {"supply.hbm_lines.cxmt.wafers_per_month.2030", "CXMT HBM wafer starts, 2030 (wafers/month)", "HBM supply", 0, 200000, 1000},
      {"supply.hbm_lines.cxmt.die_yield.2030", "CXMT HBM die yield, 2030", "HBM supply", 0.1, 1, 0.01},
      {"market.imports.guidance_cap_share.2030", "Guidance cap on imported chips' share, 2030", "Import regime", 0, 1, 0.01},
      {"market.imports.licensed_usd_bn.2030", "Licensed imports, 2030 (USD bn)", "Import regime", 0, 50, 0.1},
      {"market.imports.grey_usd_bn.2030", "Grey-market imports, 2030 (USD bn)", "Import regime", 0, 30, 0.5},
      {"regions.cn.electricity_price", "Electricity price, China (USD/kWh)", "Electricity", 0.02, 0.3, 0.001},
      {"regions.us.electricity_price", "Electricity price, US (USD/kWh)", "Electricity", 0.02, 0.3, 0.001},
      {"chips.huawei-ascend-910c.price.cn", "Huawei Ascend 910C price in China (RMB)", "Chip prices", 20000, 400000, 500},
      {"chips.cambricon-mlu590.price.cn", "Cambricon MLU590 price in China (RMB)", "Chip prices", 20000, 400000, 500},
      {"chips.nvidia-h20.price.cn", "NVIDIA H20 price in China (RMB)", "Chip prices", 20000, 400000, 500},
      {"score.weights.quantitative", "Score weight of the quantitative layer", "Score weights", 0, 1, 0.01},
      {"score.metric_weights.usd_per_mtok", "Score weight of cost per token", "Score weights", 0, 1, 0.01},
  };
  return c;
}

std::string user_error_line(const std::exception& e) {
  if (dynamic_cast<const UserError*>(&e) || dynamic_cast<const InsufficientData*>(&e)) return std::string("gpugap: ") + e.what();
  return {};
}

WhatIf::WhatIf(Options opt) : opt_(std::move(opt)) {
  base_ = studies::make_context(opt_.catalog_dirs, opt_.scenario, opt_.sets);
  base_.threads = opt_.threads;
  base_.quiet = true;
  for (const auto& c : controls()) (void)base_.params.require(c.path, "what-if control");
  // The scorecard's vendors, as the score engine lists them.
  for (const auto& [path, v] : studies::evaluate_all(base_, {"score"})) {
    constexpr std::string_view kSuffix = ".composite";
    if (path.ends_with(kSuffix) && std::count(path.begin(), path.end(), '.') == 2)
      vendors_.push_back(path.substr(6, path.size() - 6 - kSuffix.size()));
  }
  echarts_ = read_text(report::echarts_path());
}

analysis::Context WhatIf::context_with(const std::vector<std::string>& sets) const { return studies::with_overrides(base_, sets); }

Response WhatIf::layout() const {
  json j;
  j["scenario"] = base_.scenario.id;
  j["scenario_name"] = base_.scenario.name;
  j["base_overrides"] = base_.overrides;
  json cs = json::array();
  for (const auto& c : controls()) {
    const Param& p = base_.params.at(c.path);
    const std::string unit = set_unit(p);
    cs.push_back({{"path", c.path},
                  {"label", c.label},
                  {"group", c.group},
                  {"lo", c.lo},
                  {"hi", c.hi},
                  {"step", c.step},
                  {"value", p.is_null ? json(nullptr) : json(p.value)},
                  {"unit", unit}});
  }
  j["controls"] = cs;
  json cards = json::array();
  for (const auto& c : kCards) cards.push_back({{"metric", c.metric}, {"label", c.label}, {"format", c.format}});
  j["cards"] = cards;
  j["last_year"] = kChartLastYear;  // a year card with no value reads "not by <last_year>" 
  json years = json::array();
  for (int y = kChartFirstYear; y <= kChartLastYear; ++y) years.push_back(y);
  json score = json::array();
  json vendors = json::array();
  for (const auto& v : vendors_) {
    score.push_back("score." + v + ".composite");
    vendors.push_back(v);
  }
  j["charts"] = json::array(
      {{{"id", "market"},
        {"title", "China's accelerator market by year (USD bn)"},
        {"type", "line"},
        {"x", years},
        {"series",
         {yearly("demand (TAM)", "market.tam_usd_bn"), yearly("domestic", "market.domestic_usd_bn"),
          yearly("imports", "market.imports_usd_bn"), yearly("unmet", "market.unmet_usd_bn")}}},
       {{"id", "self_sufficiency"},
        {"title", "Self-sufficiency by year (domestic share of demand)"},
        {"type", "line"},
        {"x", years},
        {"series", {yearly("self-sufficiency", "market.self_sufficiency")}}},
       {{"id", "supply"},
        {"title", "Domestic accelerators produced by year"},
        {"type", "bar"},
        {"x", years},
        {"series", {yearly("chips", "supply.chips_total"), yearly("H100 equivalents", "supply.h100_equivalents")}}},
       {{"id", "score"},
        {"title", "Vendor scorecard: composite score"},
        {"type", "bar"},
        {"x", vendors},
        {"series", {{{"name", "composite"}, {"metrics", score}}}}}});
  return json_response(200, j);
}

Response WhatIf::eval(const std::vector<std::string>& sets, const std::vector<std::string>& metrics) const {
  try {
    if (metrics.empty()) throw UserError(Location{"", 0, "metric"}, "at least one metric=PATH", "none");
    const auto ctx = context_with(sets);
    const auto m = studies::evaluate(ctx, metrics);
    json out = {{"scenario", ctx.scenario.id}, {"overrides", ctx.overrides}, {"metrics", json::object()}};
    for (const auto& p : metrics) {
      const double v = m.at(p);
      out["metrics"][p] = std::isfinite(v) ? json(v) : json(nullptr);
    }
    return json_response(200, out);
  } catch (const std::exception& e) {
    return error_response(e);
  }
}

Response WhatIf::report(const std::vector<std::string>& sets) const {
  try {
    const auto ctx = context_with(sets);
    report::BuildOptions opt;
    opt.mc_samples = opt_.report_samples;
    opt.threads = opt_.threads;
    std::vector<std::string> all = opt_.sets;
    all.insert(all.end(), sets.begin(), sets.end());
    opt.scenario_context = [this, all](const std::string& id) {
      auto c = studies::make_context(opt_.catalog_dirs, id, all);
      c.threads = opt_.threads;
      c.quiet = true;
      return c;
    };
    const report::Report r = report::build_report(ctx, opt);
    return {200, "text/html; charset=utf-8", report::render_html(r), "gpugap-report-" + ctx.scenario.id + ".html"};
  } catch (const std::exception& e) {
    return error_response(e);
  }
}

Response WhatIf::handle(std::string_view path, const Query& query) const {
  if (path == "/" || path == "/index.html") return {200, "text/html; charset=utf-8", std::string(page_html()), {}};
  if (path == "/echarts.min.js") return {200, "application/javascript", echarts_, {}};
  if (path == "/api/layout") return layout();
  if (path == "/api/eval") return eval(values_of(query, "set"), values_of(query, "metric"));
  if (path == "/api/report") return report(values_of(query, "set"));
  return json_response(404, {{"error", fmt::format("gpugap: no such page: {}", path)}});
}

}  // namespace gpugap::web
