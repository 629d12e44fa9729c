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

// The by-node, by-vendor and by-product tables (one column a year).
std::array<Table, 3> detail_tables(const supply::SupplyModel& model, const std::vector<double>& buf) {
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
  std::vector<std::string> node_ids, chip_ids, vendor_ids;
  for (const auto& n : model.nodes()) node_ids.push_back(n.id);
  for (const auto& p : model.products()) chip_ids.push_back(p.chip);
  for (const auto& v : model.vendors()) vendor_ids.push_back(v.id);
  Table node_t = by_year_table("node");
  add_rows(node_t, node_ids, " wafers/month", o.wpm, 1.0, 0);
  add_rows(node_t, node_ids, " AI wafers/month", o.ai_wpm, 1.0, 0);
  add_rows(node_t, node_ids, " D0 (defects/cm2)", o.d0, 1.0, 3);
  Table vendor_t = by_year_table("vendor");
  add_rows(vendor_t, vendor_ids, " chips (M)", o.chips, 1e6, 3);
  add_rows(vendor_t, vendor_ids, " value ($bn)", o.vendor_value, 1.0, 2);
  Table product_t = by_year_table("product");
  add_rows(product_t, chip_ids, " packages (M)", o.packages, 1e6, 3);
  add_rows(product_t, chip_ids, " good dies/wafer", o.gdw_year, 1.0, 1);

  return {node_t, vendor_t, product_t};
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
  Table summary{{"year", "AI wafers/mo", "good dies (M)", "HBM avail (M)", "HBM need (M)", "pkg cap (M)", "chips (M)",
                 "PFLOPS bf16", "H20-eq (M)", "value $bn", "binding constraint"},
                {},
                {true, true, true, true, true, true, true, true, true, true, false}};
  for (int y = 0; y < kYears; ++y) {
    double ai_wpm = 0, good = 0;
    nlohmann::json jn = nlohmann::json::object(), jv = nlohmann::json::object(), jp = nlohmann::json::object();
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      ai_wpm += at(o.ai_wpm, n, y);
      jn[nodes[n].id] = {{"wafers_per_month", at(o.wpm, n, y)}, {"ai_wafers_per_month", at(o.ai_wpm, n, y)},
                         {"d0_per_cm2", at(o.d0, n, y)}};
    }
    for (std::size_t p = 0; p < products.size(); ++p) {
      good += at(o.good_dies, p, y);
      jp[products[p].chip] = {{"wafers", at(o.wafers, p, y)},           {"die_yield", at(o.die_yield, p, y)},
                              {"good_dies_per_wafer", at(o.gdw_year, p, y)}, {"good_dies", at(o.good_dies, p, y)},
                              {"packages", at(o.packages, p, y)}};
    }
    for (std::size_t v = 0; v < vendors.size(); ++v)
      jv[vendors[v].id] = {{"chips", at(o.chips, v, y)}, {"value_usd_bn", at(o.vendor_value, v, y)}};
    const double binding = buf[o.binding + y];
    years.push_back({{"year", year_at(y)},
                     {"nodes", jn},
                     {"products", jp},
                     {"vendors", jv},
                     {"hbm_stacks_available", buf[o.hbm_available + y]},
                     {"hbm_stacks_domestic", buf[o.hbm_domestic + y]},
                     {"hbm_stacks_needed", buf[o.hbm_needed + y]},
                     {"hbm_stock_remaining", buf[o.hbm_stock_left + y]},
                     {"packaging_capacity", buf[o.packaging_capacity + y]},
                     {"die_limited_packages", buf[o.die_limited + y]},
                     {"package_starts", buf[o.starts + y]},
                     {"chips_total", buf[o.chips_total + y]},
                     {"pflops_bf16", buf[o.pflops + y]},
                     {"h20_equivalents", buf[o.h20e + y]},
                     {"h100_equivalents", buf[o.h100e + y]},
                     {"value_usd_bn", buf[o.value + y]},
                     {"binding_constraint", binding},
                     {"binding_constraint_name", std::string(supply::binding_name(binding))}});
    summary.rows.push_back({std::to_string(year_at(y)), num(ai_wpm), millions(good), millions(buf[o.hbm_available + y]),
                            millions(buf[o.hbm_needed + y]), millions(buf[o.packaging_capacity + y]),
                            millions(buf[o.chips_total + y]), num(buf[o.pflops + y]), millions(buf[o.h20e + y]),
                            num(buf[o.value + y]), std::string(supply::binding_name(binding))});
  }

  const auto [node_t, vendor_t, product_t] = detail_tables(*model, buf);
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
                "by node", "by vendor", "by product"};
  out.tables = {summary, node_t, vendor_t, product_t};
  out.text = warnings +
             "binding constraint: the smallest of logic dies (capacity x AI share x yield, + die bank), HBM stacks, "
             "packaging capacity; codes 0/1/2 in supply.binding_constraint.<year>\n";
  emit(g, out);
}

}  // namespace

void add_supply_commands(CLI::App& app, Global& g) {
  auto* cmd = app.add_subcommand("supply", "foundry capacity -> chips per year, node, vendor; binding constraint");
  cmd->callback([&g] { supply_cmd(g); });
}

}  // namespace gpugap::cli
