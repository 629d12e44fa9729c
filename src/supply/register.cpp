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
  // Foundry nodes.
  add({"supply.nodes.*.wafers_per_month", Dim::kNumber, "wafers/month", "wafer starts per month at the node", true,
       false, 0, kBig});
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
  // TSMC-made die bank (a stock of good dies).
  add({"supply.diebank.*.stock", Dim::kNumber, "dies", "die bank at the start of 2024 (vendor)", false, false, 0, kBig});
  add({"supply.diebank.*.draw", Dim::kFraction, "fraction",
       "share of the vendor's initial die bank packaged into this chip in the year", true, false, 0, 1});
  // Packaging.
  add({"supply.packaging.yield", Dim::kFraction, "fraction", "advanced-packaging yield (good packages per start)", true,
       false, 0.01, 1});
  add({"supply.packaging.capacity", Dim::kNumber, "packages/year", "2.5D/3D package starts available to AI chips",
       true, false, 0, kBig});
  // HBM.
  add({"supply.hbm.stock", Dim::kNumber, "stacks", "HBM stacks stockpiled (available from 2024)", false, false, 0, kBig});
  add({"supply.hbm.wafers_per_month", Dim::kNumber, "wafers/month", "domestic DRAM wafer starts for HBM", true, false,
       0, kBig});
  add({"supply.hbm.die_area_mm2", Dim::kNumber, "mm2", "HBM DRAM die area", false, false, 1, 2000});
  add({"supply.hbm.die_yield", Dim::kFraction, "fraction", "HBM DRAM die yield", true, false, 0, 1});
  add({"supply.hbm.layers_per_stack", Dim::kNumber, "dies/stack", "DRAM dies per HBM stack", false, false, 1, 32});
  add({"supply.hbm.stack_yield", Dim::kFraction, "fraction", "stacking yield", false, false, 0, 1});

  r.providers.push_back(std::make_unique<SupplyProvider>());
}

}  // namespace gpugap::supply
