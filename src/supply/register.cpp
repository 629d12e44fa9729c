// Registers the supply engine's scenario parameters and metric providers.
#include <vector>

#include "supply/register.hpp"
#include "supply/model.hpp"

namespace gpugap::supply {
namespace {

using analysis::ParamDecl;

std::vector<std::string> yield_model_choices() {
  return {kYieldModelNames.begin(), kYieldModelNames.end()};
}

class SupplyProvider final : public analysis::MetricProvider {
 public:
  [[nodiscard]] std::string prefix() const override { return "supply"; }

  void compute(const analysis::Context& ctx, const ParamTable& params, analysis::MetricMap& out) const override {
    const auto model = SupplyModel::build(ctx, params);
    const auto values = params.values();
    std::vector<double> buf(model->slots().size());
    model->run(values, buf.data());
    for (std::size_t i = 0; i < model->slots().metric_count(); ++i) out[model->slots().name(i)] = buf[i];
  }

  [[nodiscard]] analysis::CompiledMetrics compile(const analysis::Context& ctx,
                                                  const std::vector<std::string>& metrics) const override {
    auto model = SupplyModel::build(ctx, ctx.params);
    auto idx = slot_indices(model->slots(), metrics);
    const auto options = model->options_for(idx);
    return compiled_metrics(std::move(model), std::move(idx),
                            [options](const SupplyModel& m, std::span<const double> v, double* o) { m.run(v, o, options); });
  }

  [[nodiscard]] std::optional<std::vector<ParamIndex>> reads(const analysis::Context& ctx,
                                                             const std::vector<std::string>&) const override {
    return SupplyModel::build(ctx, ctx.params)->reads();
  }
};

}  // namespace

void register_engine(analysis::Registry& r) {
  constexpr double kBig = 1e12;
  auto add = [&r](ParamDecl d) { r.params.push_back(std::move(d)); };
  // Wafer geometry (dies per wafer) and the lithography field.
  add({"supply.wafer.diameter_mm", Dim::kNumber, "mm", "wafer diameter", false, false, 50, 450});
  add({"supply.wafer.edge_exclusion_mm", Dim::kNumber, "mm", "edge exclusion (no usable die within it)", false, false, 0, 20});
  add({"supply.wafer.scribe_mm", Dim::kNumber, "mm", "scribe (saw) street between dies", false, false, 0, 2});
  add({"supply.reticle.width_mm", Dim::kNumber, "mm", "exposure field width", false, false, 1, 100});
  add({"supply.reticle.height_mm", Dim::kNumber, "mm", "exposure field height", false, false, 1, 100});
  // Die yield.
  add({"supply.yield.model", Dim::kNumber, "choice",
       "die-yield model by name: poisson, murphy, murphy_uniform, seeds, moore, bose_einstein, negative_binomial",
       false, false, 0, static_cast<double>(kYieldModelNames.size() - 1), yield_model_choices()});
  add({"supply.yield.alpha", Dim::kNumber, "", "negative-binomial clustering parameter alpha", false, false, 1e-3, 1e6});
  add({"supply.yield.bose_einstein_layers", Dim::kNumber, "layers", "critical mask layers (Bose-Einstein model)",
       false, false, 1, 1000});
  add({"supply.yield.systematic", Dim::kFraction, "fraction", "systematic (parametric) yield multiplier", false, false, 0.01, 1});
  add({"supply.yield.harvest", Dim::kFraction, "fraction",
       "share of defect-hit dies sold after harvesting (cores disabled); 0 = off", false, false, 0, 1});
  add({"supply.yield.metrology_d0_factor", Dim::kNumber, "x",
       "defect-density multiplier for fewer inspection steps (restricted metrology); 1 = as stated", false, false, 0.1,
       10});
  // Foundry capacity: announced year-end points; after them the smaller of the capex- and lithography-limited paths.
  add({"supply.lag_quarters", Dim::kNumber, "quarters", "wafer start to finished chip", false, false, 0, 12});
  add({"supply.capex.usd_bn", Dim::kNumber, "USD bn", "foundry capital expenditure in the year", true, false, 0, 1000});
  add({"supply.litho.installed_scanners", Dim::kNumber, "scanners",
       "immersion DUV scanners in advanced-logic fabs at the start of the first model year", false, false, 0, 1e5});
  add({"supply.litho.imports", Dim::kNumber, "scanners/year", "immersion DUV scanners added in the year", true, false,
       0, 1e4});
  add({"supply.litho.wafers_per_hour", Dim::kNumber, "wafer passes/hour", "scanner throughput", false, false, 1, 1000});
  add({"supply.litho.uptime", Dim::kFraction, "fraction", "scanner availability x utilisation", false, false, 0.01, 1});
  add({"supply.nodes.*.wafers_per_month", Dim::kNumber, "wafers/month",
       "announced year-end capacity of the node (held points after the last one count only for nodes without limits)",
       true, false, 0, kBig});
  add({"supply.nodes.*.capex_share", Dim::kFraction, "fraction", "share of the foundry's capex spent on the node",
       true, false, 0, 1});
  add({"supply.nodes.*.capex_usd_bn_per_kwpm", Dim::kNumber, "USD bn per 1k wafers/month",
       "capex of 1,000 wafers/month of the node's capacity", false, false, 1e-4, 100});
  add({"supply.nodes.*.litho_share", Dim::kFraction, "fraction", "share of the scanner fleet exposing the node", true,
       false, 0, 1});
  add({"supply.nodes.*.litho_passes", Dim::kNumber, "passes/wafer", "immersion exposures per wafer (multi-patterning)",
       false, false, 1, 500});
  add({"supply.nodes.*.wafer_price_usd", Dim::kNumber, "USD/wafer", "price of a processed wafer", false, false, 0, 1e6});
  add({"supply.nodes.*.ai_share", Dim::kFraction, "fraction", "share of the node's wafers going to AI accelerators",
       true, false, 0, 1});
  add({"supply.nodes.*.yield", Dim::kFraction, "fraction",
       "stated die yield of the reference die (converted to other die sizes through the implied D0)", true, false, 1e-4, 1});
  add({"supply.nodes.*.yield_ref_area_mm2", Dim::kNumber, "mm2", "die area the stated yield refers to", false, false, 1, 2000});
  add({"supply.nodes.*.d0_initial", Dim::kNumber, "defects/cm2", "learning curve: D0 at the start year", false, false, 0, 100});
  add({"supply.nodes.*.d0_floor", Dim::kNumber, "defects/cm2", "learning curve: mature D0", false, false, 0, 100});
  add({"supply.nodes.*.d0_tau_years", Dim::kNumber, "years", "learning curve: time constant", false, false, 0, 100});
  add({"supply.nodes.*.d0_start_year", Dim::kNumber, "year", "learning curve: start year", false, false, 1990, 2100});
  // Allocation of a node's AI wafers to products (vendor = the chip's vendor).
  add({"supply.alloc.*.*", Dim::kFraction, "fraction", "share of the node's AI wafers going to this chip (node, chip)",
       true, false, 0, 1});
  add({"supply.priority.*", Dim::kNumber, "rank",
       "vendor's place in the state-directed order for HBM and packaging (1 = first; equal ranks share pro rata)", false,
       false, 0, 1000});
  // TSMC-made die bank (a stock of good dies) and its drawdown rule.
  add({"supply.diebank.*.stock", Dim::kNumber, "dies", "die bank at the start of its drawdown (vendor)", false, false, 0, kBig});
  add({"supply.diebank.*.drawdown_years", Dim::kNumber, "years", "the bank is drawn evenly over this many years (vendor)",
       false, false, 0.1, 50});
  add({"supply.diebank.*.start_year", Dim::kNumber, "year", "first year of the drawdown (vendor)", false, false, 1990, 2100});
  add({"supply.diebank.*.mix", Dim::kFraction, "fraction", "share of the vendor's yearly draw packaged as this chip",
       true, false, 0, 1});
  // Packaging.
  add({"supply.packaging.yield", Dim::kFraction, "fraction",
       "advanced-packaging yield of the reference package (good packages per start)", true, false, 0.01, 1});
  add({"supply.packaging.ref_components", Dim::kNumber, "dies + stacks",
       "logic dies + HBM stacks of the package the yield refers to", false, false, 1, 100});
  add({"supply.packaging.capacity", Dim::kNumber, "packages/year", "2.5D/3D package starts available to AI chips",
       true, false, 0, kBig});
  add({"supply.packaging.cost_usd", Dim::kNumber, "USD/package start", "assembly of one 2.5D package", false, false, 0, 1e5});
  add({"supply.cogs.other_usd", Dim::kNumber, "USD/chip", "board, power delivery and final test per chip", false, false,
       0, 1e5});
  // HBM, in GB by generation.
  add({"supply.hbm.stock_gb.*", Dim::kNumber, "GB", "HBM stockpiled before the first model year (generation)", false,
       false, 0, kBig});
  add({"supply.hbm_lines.*.gen_share.*", Dim::kFraction, "fraction", "share of the line's HBM output of this generation",
       true,
       false, 0, 1});
  add({"supply.hbm.usd_per_gb.*", Dim::kNumber, "USD/GB", "HBM price by generation", true, false, 0, 1000});
  add({"supply.hbm_generation.*", Dim::kNumber, "choice", "HBM generation of a chip where the catalog gives none",
       false, false, 0, static_cast<double>(kHbmGens - 1), {kHbmGenerations.begin(), kHbmGenerations.end()}});
  add({"supply.hbm_lines.*.wafers_per_month", Dim::kNumber, "wafers/month",
       "DRAM wafer starts for HBM on the line (CXMT, a Huawei in-house line, ...)", true, false,
       0, kBig});
  add({"supply.hbm_lines.*.die_area_mm2", Dim::kNumber, "mm2", "HBM DRAM die area", false, false, 1, 2000});
  add({"supply.hbm_lines.*.gb_per_die", Dim::kNumber, "GB", "capacity of one HBM DRAM die", false, false, 0.01, 100});
  add({"supply.hbm_lines.*.die_yield", Dim::kFraction, "fraction", "HBM DRAM die yield", true, false, 0, 1});
  add({"supply.hbm.newer_generation_ok", Dim::kNumber, "0/1",
       "1: a SKU whose own HBM generation runs out takes a newer one (its successor on the same die); 0: never", false,
       false, 0, 1});
  add({"supply.hbm_lines.*.stack_yield", Dim::kFraction, "fraction", "stacking (TSV) yield", false, false, 0, 1});
  // Prices and the installed base.
  add({"supply.asp.annual_change", Dim::kNumber, "fraction/year", "change of every SKU's ASP per year", false, false,
       -0.9, 1});
  add({"supply.asp.base_year", Dim::kNumber, "year", "year of the catalog's chips.<id>.price.cn", false, false, 1990,
       2100});
  add({"supply.service_life_years", Dim::kNumber, "years", "years an accelerator stays in the installed base", false,
       false, 0.5, 30});

  r.providers.push_back(std::make_unique<SupplyProvider>());
}

}  // namespace gpugap::supply
