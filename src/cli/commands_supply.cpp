// `gpugap supply`: foundry capacity -> chips, per year, per node, per vendor,
// per product, with the binding constraint by name.
#include <fmt/format.h>

#include <array>

#include "cli/cli.hpp"
#include "supply/model.hpp"

namespace gpugap::cli {
namespace {

using supply::kYears;
using supply::year_at;

std::string num(double v, int sig = 4) { return fmt_num(v, sig); }
std::string millions(double v) { return fmt::format("{:.3f}", v / 1e6); }

// The by-node, by-HBM-generation, by-vendor and by-product tables (one column a year).
std::array<Table, 4> detail_tables(const supply::SupplyModel& model, const std::vector<double>& buf) {
  const auto& o = model.out();
  auto at = [&](std::size_t base, std::size_t key, int y) { return buf[base + key * kYears + y]; };
  std::vector<std::string> year_headers;
  for (int y = 0; y < kYears; ++y) year_headers.push_back(std::to_string(year_at(y)));
  auto by_year_table = [&](const std::string& first) {
    Table t;
    t.headers = {first};
    t.headers.insert(t.headers.end(), year_headers.begin(), year_headers.end());
    t.right_align.assign(t.headers.size(), true);
    t.right_align[0] = false;
    return t;
  };
  auto add_rows = [&](Table& t, const std::vector<std::string>& keys, const std::string& suffix, std::size_t base,
                      double scale, int digits) {
    for (std::size_t k = 0; k < keys.size(); ++k) {
      std::vector<std::string> row{keys[k] + suffix};
      for (int y = 0; y < kYears; ++y) row.push_back(fmt::format("{:.{}f}", at(base, k, y) / scale, digits));
      t.rows.push_back(std::move(row));
    }
  };
  std::vector<std::string> node_ids, chip_ids, vendor_ids, gens;
  for (const auto& n : model.nodes()) node_ids.push_back(n.id);
  for (const auto& p : model.products()) chip_ids.push_back(p.chip);
  for (const auto& v : model.vendors()) vendor_ids.push_back(v.id);
  for (auto g : supply::kHbmGenerations) gens.emplace_back(g);
  Table node_t = by_year_table("node");
  add_rows(node_t, node_ids, " capacity, year-end (wafers/month)", o.wpm, 1.0, 0);
  add_rows(node_t, node_ids, " capex-limited", o.cap_capex, 1.0, 0);
  add_rows(node_t, node_ids, " lithography-limited", o.cap_tool, 1.0, 0);
  for (std::size_t n = 0; n < node_ids.size(); ++n) {
    std::vector<std::string> row{node_ids[n] + " binding capacity"};
    for (int y = 0; y < kYears; ++y) row.push_back(std::string(supply::capacity_binding_name(at(o.cap_binding, n, y))));
    node_t.rows.push_back(std::move(row));
  }
  add_rows(node_t, node_ids, " wafer starts, lagged (wafers/month)", o.starts_wpm, 1.0, 0);
  add_rows(node_t, node_ids, " AI wafers/month", o.ai_wpm, 1.0, 0);
  add_rows(node_t, node_ids, " D0 (defects/cm2)", o.d0, 1.0, 3);
  Table hbm_t = by_year_table("HBM (million GB)");
  std::vector<std::string> lines;
  for (const auto& l : model.hbm_lines()) lines.push_back("line " + l.id);
  add_rows(hbm_t, lines, " output", o.hbm_line, 1e6, 1);
  add_rows(hbm_t, gens, " domestic supply", o.hbm_domestic, 1e6, 1);
  add_rows(hbm_t, gens, " needed", o.hbm_needed, 1e6, 1);
  add_rows(hbm_t, gens, " used", o.hbm_used, 1e6, 1);
  add_rows(hbm_t, gens, " inventory carried", o.hbm_inventory, 1e6, 1);
  Table vendor_t = by_year_table("vendor");
  add_rows(vendor_t, vendor_ids, " chips (M)", o.chips, 1e6, 3);
  add_rows(vendor_t, vendor_ids, " revenue ($bn)", o.revenue, 1.0, 2);
  add_rows(vendor_t, vendor_ids, " gross margin", o.margin, 1.0, 3);
  add_rows(vendor_t, vendor_ids, " installed base (M)", o.installed, 1e6, 3);
  add_rows(vendor_t, vendor_ids, " retirements (M)", o.retired, 1e6, 3);
  add_rows(vendor_t, vendor_ids, " die bank left (M dies)", o.diebank_left, 1e6, 3);
  Table product_t = by_year_table("SKU");
  add_rows(product_t, chip_ids, " chips (M)", o.sku_chips, 1e6, 3);
  add_rows(product_t, chip_ids, " good dies (M)", o.good_dies, 1e6, 3);
  add_rows(product_t, chip_ids, " good dies/wafer", o.gdw_year, 1.0, 1);
  add_rows(product_t, chip_ids, " dies in inventory (M)", o.inventory_dies, 1e6, 3);
  add_rows(product_t, chip_ids, " cost per good die ($)", o.die_cost, 1.0, 0);
  add_rows(product_t, chip_ids, " COGS ($)", o.cogs, 1.0, 0);
  add_rows(product_t, chip_ids, " ASP ($)", o.asp, 1.0, 0);
  return {node_t, hbm_t, vendor_t, product_t};
}

nlohmann::json year_json(const supply::SupplyModel& model, const std::vector<double>& buf, int y) {
  const auto& o = model.out();
  auto at = [&](std::size_t base, std::size_t key) { return buf[base + key * kYears + y]; };
  nlohmann::json jn = nlohmann::json::object(), jv = nlohmann::json::object(), jp = nlohmann::json::object(),
                 jh = nlohmann::json::object();
  for (std::size_t n = 0; n < model.nodes().size(); ++n)
    jn[model.nodes()[n].id] = {{"capacity_wafers_per_month", at(o.wpm, n)},
                               {"capacity_capex_limited", at(o.cap_capex, n)},
                               {"capacity_tool_limited", at(o.cap_tool, n)},
                               {"capacity_binding", std::string(supply::capacity_binding_name(at(o.cap_binding, n)))},
                               {"wafer_starts_per_month", at(o.starts_wpm, n)},
                               {"ai_wafers_per_month", at(o.ai_wpm, n)},
                               {"d0_per_cm2", at(o.d0, n)}};
  for (std::size_t p = 0; p < model.products().size(); ++p)
    jp[model.products()[p].chip] = {
        {"vendor", model.vendors()[model.products()[p].vendor].id},
        {"wafers", at(o.wafers, p)},           {"die_yield", at(o.die_yield, p)},
        {"good_dies_per_wafer", at(o.gdw_year, p)}, {"dies_started", at(o.dies_started, p)},
        {"good_dies", at(o.good_dies, p)},     {"diebank_draw", at(o.bank_draw, p)},
        {"package_starts", at(o.sku_starts, p)}, {"package_yield", at(o.pkg_yield, p)},
        {"chips", at(o.sku_chips, p)},         {"scrap_yield_dies", at(o.scrap_yield, p)},
        {"scrap_packaging_dies", at(o.scrap_pkg, p)}, {"inventory_dies", at(o.inventory_dies, p)},
        {"cost_per_good_die_usd", at(o.die_cost, p)}, {"cogs_usd", at(o.cogs, p)},
        {"asp_usd", at(o.asp, p)}};
  for (std::size_t g = 0; g < supply::kHbmGens; ++g)
    jh[std::string(supply::kHbmGenerations[g])] = {{"domestic_gb", at(o.hbm_domestic, g)}, {"needed_gb", at(o.hbm_needed, g)},
                                                  {"used_gb", at(o.hbm_used, g)},         {"in_chips_gb", at(o.hbm_in_chips, g)},
                                                  {"scrap_gb", at(o.hbm_scrap, g)},       {"inventory_gb", at(o.hbm_inventory, g)}};
  for (std::size_t v = 0; v < model.vendors().size(); ++v)
    jv[model.vendors()[v].id] = {{"chips", at(o.chips, v)},
                                 {"revenue_usd_bn", at(o.revenue, v)},
                                 {"cogs_usd_bn", at(o.cogs_bn, v)},
                                 {"gross_margin", at(o.margin, v)},
                                 {"installed_base", at(o.installed, v)},
                                 {"retirements", at(o.retired, v)},
                                 {"diebank_remaining", at(o.diebank_left, v)}};
  const double binding = buf[o.binding + y];
  return {{"year", year_at(y)},
          {"nodes", jn},
          {"products", jp},
          {"hbm", jh},
          {"vendors", jv},
          {"packaging_capacity", buf[o.packaging_capacity + y]},
          {"die_limited_packages", buf[o.die_limited + y]},
          {"package_starts", buf[o.starts + y]},
          {"chips_total", buf[o.chips_total + y]},
          {"pflops_bf16", buf[o.pflops + y]},
          {"h20_equivalents", buf[o.h20e + y]},
          {"h100_equivalents", buf[o.h100e + y]},
          {"h100_equivalents_8bit", buf[o.h100e8 + y]},
          {"installed_base_h100e", buf[o.installed_h100e + y]},
          {"installed_base_h100e_8bit", buf[o.installed_h100e8 + y]},
          {"retirements_h100e", buf[o.retired_h100e + y]},
          {"value_usd_bn", buf[o.value + y]},
          {"binding_constraint", binding},
          {"binding_constraint_name", std::string(supply::binding_name(binding))}};
}

void supply_cmd(const Global& g) {
  const auto ctx = g.context();
  const auto model = supply::SupplyModel::build(ctx, ctx.params);
  const auto values = ctx.params.values();
  std::vector<double> buf(model->slots().size());
  model->run(values, buf.data());
  const auto& o = model->out();
  const auto& nodes = model->nodes();
  const auto& products = model->products();
  const auto& vendors = model->vendors();
  auto at = [&](std::size_t base, std::size_t key, int y) { return buf[base + key * kYears + y]; };

  Output out;
  nlohmann::json years = nlohmann::json::array();
  Table summary{{"year", "capacity/mo", "AI wafers/mo", "good dies (M)", "HBM need (M GB)", "HBM used (M GB)",
                 "pkg cap (M)", "chips (M)", "H100-eq (M)", "H100-eq 8-bit (M)", "installed H100-eq (M)", "revenue $bn",
                 "inventory (M dies)", "binding constraint"},
                {},
                {true, true, true, true, true, true, true, true, true, true, true, true, true, false}};
  for (int y = 0; y < kYears; ++y) {
    double cap = 0, ai_wpm = 0, good = 0, hbm_need = 0, hbm_used = 0, inv = 0;
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      cap += at(o.wpm, n, y);
      ai_wpm += at(o.ai_wpm, n, y);
    }
    for (std::size_t p = 0; p < products.size(); ++p) {
      good += at(o.good_dies, p, y);
      inv += at(o.inventory_dies, p, y);
    }
    for (std::size_t gi = 0; gi < supply::kHbmGens; ++gi) {
      hbm_need += at(o.hbm_needed, gi, y);
      hbm_used += at(o.hbm_used, gi, y);
    }
    double revenue = 0;
    for (std::size_t v = 0; v < vendors.size(); ++v) revenue += at(o.revenue, v, y);
    years.push_back(year_json(*model, buf, y));
    const double binding = buf[o.binding + y];
    summary.rows.push_back({std::to_string(year_at(y)), num(cap), num(ai_wpm), millions(good), millions(hbm_need),
                            millions(hbm_used), millions(buf[o.packaging_capacity + y]),
                            millions(buf[o.chips_total + y]), millions(buf[o.h100e + y]), millions(buf[o.h100e8 + y]),
                            millions(buf[o.installed_h100e + y]), num(revenue), millions(inv),
                            std::string(supply::binding_name(binding))});
  }

  const auto [node_t, hbm_t, vendor_t, product_t] = detail_tables(*model, buf);
  nlohmann::json jproducts = nlohmann::json::object();
  std::string warnings;
  for (std::size_t p = 0; p < products.size(); ++p) {
    jproducts[products[p].chip] = {{"vendor", vendors[products[p].vendor].id},
                                   {"die_area_mm2", values[products[p].die_area]},
                                   {"gross_dies_per_wafer", buf[o.gdw_exact + p]},
                                   {"gross_dies_closed_form", buf[o.gdw_simple + p]},
                                   {"gross_dies_exp_form", buf[o.gdw_exp + p]},
                                   {"dies_per_package", values[products[p].dies_per_package]},
                                   {"hbm_stacks_per_package", values[products[p].hbm_stacks]},
                                   {"hbm_gb_per_package", values[products[p].memory_bytes] / 1e9},
                                   {"hbm_generation", std::string(supply::kHbmGenerations[products[p].hbm_gen])},
                                   {"over_reticle", buf[o.over_reticle + p] != 0}};
    if (buf[o.over_reticle + p] != 0)
      warnings += fmt::format("warning: {} die ({:.0f} mm2) exceeds the reticle field; it cannot be made as one die\n",
                              products[p].chip, values[products[p].die_area]);
  }
  out.json = {{"scenario", ctx.scenario.id},
              {"overrides", ctx.overrides},
              {"yield_model", std::string(supply::yield_model_name(model->yield_model(values)))},
              {"binding_constraint_legend", {{"0", supply::kBindingNames[0]}, {"1", supply::kBindingNames[1]},
                                             {"2", supply::kBindingNames[2]}}},
              {"products", jproducts},
              {"years", years}};
  out.titles = {fmt::format("supply, scenario {} (yield model {}; equations: docs/model-supply.md)", ctx.scenario.id,
                            supply::yield_model_name(model->yield_model(values))),
                "by node", "HBM by generation", "by vendor", "by SKU"};
  out.tables = {summary, node_t, hbm_t, vendor_t, product_t};
  out.text = warnings +
             "binding constraint: what held package starts below the dies available (logic dies = nothing did; HBM; "
             "packaging capacity), codes 0/1/2 in supply.binding_constraint.<year>; capacity after the last announced "
             "point is the smaller of the capex- and lithography-limited paths\n";
  emit(g, out);
}

}  // namespace

void add_supply_commands(CLI::App& app, Global& g) {
  auto* cmd = app.add_subcommand("supply", "foundry capacity -> chips per year, node, vendor; binding constraint");
  cmd->callback([&g] { supply_cmd(g); });
}

}  // namespace gpugap::cli
