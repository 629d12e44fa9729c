// TCO engine: hand-computed cases, capital-recovery identities, unit
// consistency (RMB/USD, kW/W, hours/years) and the catalog regions.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/scenario.hpp"
#include "catalog/catalog.hpp"
#include "catalog/specs.hpp"
#include "econ/econ.hpp"

using namespace gpugap;

namespace {

const catalog::Catalog& shipped() {
  static const catalog::Catalog c = catalog::Catalog::load({analysis::default_catalog_dir()});
  return c;
}

// A round-number case worked by hand below.
econ::TcoInputs hand_case() {
  econ::TcoInputs in;
  in.chip_price = Usd(10000);
  in.power.it_power = Watts(1000);
  in.power.chip_tdp = Watts(600);
  in.power.utilisation = 0.5;
  in.power.pue = 1.2;
  in.server_overhead_fraction = 0.1;
  in.network_fraction = 0.2;
  in.depreciation_years = 5;
  in.cost_of_capital = 0.0;
  in.datacenter_capex_per_kw = Usd(10000);
  in.datacenter_years = 10;
  in.operations_fraction = 0.05;
  in.electricity = UsdPerJoule(0.10 / kJoulesPerKwh);
  return in;
}

}  // namespace

TEST(EconTco, CapitalRecoveryFactorMatchesAnnuityTable) {
  // Annuity factor A/P at 8%, 5 years = 0.25046 (standard interest table).
  EXPECT_NEAR(econ::capital_recovery_factor(0.08, 5), 0.2504565, 1e-6);
  // A/P at 10%, 10 years = 0.16275.
  EXPECT_NEAR(econ::capital_recovery_factor(0.10, 10), 0.1627454, 1e-6);
  // Zero rate: straight-line.
  EXPECT_DOUBLE_EQ(econ::capital_recovery_factor(0.0, 4), 0.25);
  // Continuity at zero.
  EXPECT_NEAR(econ::capital_recovery_factor(1e-9, 6), 1.0 / 6, 1e-8);
  // Identity: the present value of the payments equals the capital.
  const double r = 0.07, n = 6, a = econ::capital_recovery_factor(r, n);
  double pv = 0;
  for (int t = 1; t <= 6; ++t) pv += a / std::pow(1 + r, t);
  EXPECT_NEAR(pv, 1.0, 1e-12);
}

TEST(EconTco, HandComputedZeroRate) {
  const auto r = econ::tco(hand_case());
  // chip: 10000 USD / 5 yr / 8760 h
  EXPECT_NEAR(r.item_usd_per_hour("chip"), 10000.0 / 5 / 8760, 1e-12);
  EXPECT_NEAR(r.item_usd_per_hour("server"), 1000.0 / 5 / 8760, 1e-12);
  EXPECT_NEAR(r.item_usd_per_hour("network"), 2000.0 / 5 / 8760, 1e-12);
  // data centre: 10000 USD/kW x 1 kW / 10 yr
  EXPECT_NEAR(r.item_usd_per_hour("datacenter"), 10000.0 / 10 / 8760, 1e-12);
  // energy: 1 kW x 0.5 x 1.2 = 0.6 kWh per hour x 0.10 USD/kWh
  EXPECT_NEAR(r.item_usd_per_hour("energy"), 0.06, 1e-12);
  // operations: 5%/yr of 13000 USD IT capex
  EXPECT_NEAR(r.item_usd_per_hour("operations"), 650.0 / 8760, 1e-12);
  EXPECT_NEAR(r.usd_per_hour(), 0.5451598173515982, 1e-12);
  EXPECT_DOUBLE_EQ(r.it_capex.value(), 13000);
  EXPECT_DOUBLE_EQ(r.datacenter_capex.value(), 10000);
  EXPECT_DOUBLE_EQ(r.wall_power.value(), 600);
}

TEST(EconTco, HandComputedWithCostOfCapital) {
  auto in = hand_case();
  in.cost_of_capital = 0.08;
  const auto r = econ::tco(in);
  const double crf5 = 0.08 * std::pow(1.08, 5) / (std::pow(1.08, 5) - 1);
  const double crf10 = 0.08 * std::pow(1.08, 10) / (std::pow(1.08, 10) - 1);
  EXPECT_NEAR(r.item_usd_per_hour("chip"), 10000 * crf5 / 8760, 1e-12);
  EXPECT_NEAR(r.item_usd_per_hour("datacenter"), 10000 * crf10 / 8760, 1e-12);
  // Capital costs more than straight-line depreciation; energy and operations unchanged.
  EXPECT_GT(r.usd_per_hour(), econ::tco(hand_case()).usd_per_hour());
  EXPECT_NEAR(r.item_usd_per_hour("energy"), 0.06, 1e-12);
}

TEST(EconTco, BreakdownSumsToTotal) {
  auto in = hand_case();
  in.cost_of_capital = 0.11;
  const auto r = econ::tco(in);
  double sum = 0;
  for (const auto& c : r.breakdown) sum += c.usd_per_hour();
  EXPECT_NEAR(sum, r.usd_per_hour(), 1e-12);
  ASSERT_EQ(r.breakdown.size(), 6u);
}

TEST(EconTco, ScalesLinearlyInPriceAndPower) {
  // Capital items scale with price; energy and data centre with power.
  auto a = hand_case();
  auto b = hand_case();
  b.chip_price = Usd(20000);
  const auto ra = econ::tco(a), rb = econ::tco(b);
  EXPECT_NEAR(rb.item_usd_per_hour("chip"), 2 * ra.item_usd_per_hour("chip"), 1e-12);
  EXPECT_NEAR(rb.item_usd_per_hour("energy"), ra.item_usd_per_hour("energy"), 1e-15);
  auto c = hand_case();
  c.power.it_power = Watts(2000);
  const auto rc = econ::tco(c);
  EXPECT_NEAR(rc.item_usd_per_hour("energy"), 2 * ra.item_usd_per_hour("energy"), 1e-12);
  EXPECT_NEAR(rc.item_usd_per_hour("datacenter"), 2 * ra.item_usd_per_hour("datacenter"), 1e-12);
  EXPECT_NEAR(rc.item_usd_per_hour("chip"), ra.item_usd_per_hour("chip"), 1e-15);
}

TEST(EconTco, UnitsHoursYearsKilowatts) {
  // 1 kW for one year at 1 USD/kWh, utilisation 1, PUE 1: 8760 USD per year = 1 USD/h.
  auto in = hand_case();
  in.power.it_power = Watts(1000);
  in.power.utilisation = 1;
  in.power.pue = 1;
  in.electricity = UsdPerJoule(1.0 / kJoulesPerKwh);
  EXPECT_NEAR(econ::tco(in).item_usd_per_hour("energy"), 1.0, 1e-12);
  // 8760 USD of capital over 1 year at 0%: 1 USD/h.
  in.chip_price = Usd(8760);
  in.depreciation_years = 1;
  EXPECT_NEAR(econ::tco(in).item_usd_per_hour("chip"), 1.0, 1e-12);
  // 1000 USD/kW for 500 W over 1 year: 500 USD/yr.
  in.datacenter_capex_per_kw = Usd(1000);
  in.power.it_power = Watts(500);
  in.datacenter_years = 1;
  EXPECT_NEAR(econ::tco(in).item_usd_per_hour("datacenter") * kHoursPerYear, 500.0, 1e-9);
}

TEST(EconTco, RejectsOutOfRangeInputs) {
  auto in = hand_case();
  in.depreciation_years = 0;
  EXPECT_THROW(econ::tco(in), UserError);
  in = hand_case();
  in.chip_price = Usd(-1);
  EXPECT_THROW(econ::tco(in), UserError);
  in = hand_case();
  in.operations_fraction = -0.1;
  EXPECT_THROW(econ::tco(in), UserError);
}

TEST(EconTco, TokenCostsReconcileWithTco) {
  auto in = hand_case();
  in.cost_of_capital = 0.08;
  const auto r = econ::tco(in);
  const econ::Throughput t{1000.0, 4000.0, 0.3};
  const auto c = econ::token_costs(r, t);
  // Output and input shares together pay for the whole chip-hour.
  const double per_hour = c.usd_per_mtok_output * t.output_tps * 3600 / 1e6 + c.usd_per_mtok_input * t.input_tps * 3600 / 1e6;
  EXPECT_NEAR(per_hour, r.usd_per_hour(), 1e-12);
  // All-in: the whole chip-hour over output tokens (perf-model.md formula).
  EXPECT_NEAR(c.usd_per_mtok_output_all_in, r.usd_per_hour() / (3600 * 1000.0) * 1e6, 1e-12);
  EXPECT_NEAR(c.usd_per_mtok_output, 0.7 * c.usd_per_mtok_output_all_in, 1e-12);
  // 600 W at the wall / 1000 tokens/s = 0.6 J per token.
  EXPECT_NEAR(c.joules_per_output_token, 0.6, 1e-12);
  EXPECT_NEAR(c.tps_per_watt, 1000.0 / 600, 1e-12);
  EXPECT_THROW(econ::token_costs(r, econ::Throughput{0.0, 0.0, 0.0}), InternalError);
}

TEST(EconTco, CatalogRegionsHaveEveryInput) {
  // Both shipped regions carry every TCO input (sourced or flagged estimates).
  for (const char* rid : {"cn", "us"}) {
    const auto region = region_spec(shipped(), shipped().params(), rid);
    EXPECT_TRUE(region.pue && region.utilisation && region.cost_of_capital && region.depreciation_years) << rid;
    EXPECT_TRUE(region.server_overhead_fraction && region.datacenter_capex_per_kw && region.datacenter_years &&
                region.operations_fraction && region.electricity_usd_per_kwh)
        << rid;
    const auto ep = econ::econ_params(shipped().params(), region);
    EXPECT_TRUE(ep.network_fraction && ep.host_power_fraction) << rid;
    for (const char* f : {"server_overhead_fraction", "network_fraction", "host_power_fraction", "datacenter_capex_per_kw",
                          "datacenter_years", "operations_fraction"}) {
      const auto& prm = shipped().params().at(std::string("regions.") + rid + "." + f);
      EXPECT_TRUE(!prm.prov.source.empty() || (prm.prov.estimate && !prm.prov.rationale.empty())) << prm.path;
    }
  }
}

TEST(EconTco, RmbPriceConvertsAtRegionFx) {
  // H20: 110000 RMB per chip (Tencent Technology 2025-12-24, module price / 8) at 7.15 RMB/USD.
  const auto& cat = shipped();
  const auto h20 = chip_spec(cat, cat.params(), "nvidia-h20");
  EXPECT_NEAR(h20.need_price("cn").value(), 110000.0 / 7.15, 1e-6);
  // A different fx moves the USD price, and the capital items with it, in inverse proportion.
  ParamTable p = cat.params();
  p.set_from_text("regions.cn.fx_per_usd", "7.0");
  const auto h20b = chip_spec(cat, p, "nvidia-h20");
  EXPECT_NEAR(h20b.need_price("cn").value(), 110000.0 / 7.0, 1e-6);
  const auto region = region_spec(cat, cat.params(), "cn");
  const auto region_b = region_spec(cat, p, "cn");
  const auto a = econ::tco(cat, cat.params(), h20, region);
  const auto b = econ::tco(cat, p, h20b, region_b);
  EXPECT_NEAR(b.item_usd_per_hour("chip") / a.item_usd_per_hour("chip"), 7.15 / 7.0, 1e-12);
}

TEST(EconTco, ElectricityInRmbEqualsUsdAtFx) {
  const auto& cat = shipped();
  const auto chip = chip_spec(cat, cat.params(), "huawei-ascend-910c");
  ParamTable usd = cat.params();
  usd.set_from_text("regions.cn.electricity_price", "0.05 USD/kWh");
  // Currency is fixed per parameter: an RMB override of a USD parameter is rejected...
  EXPECT_THROW(usd.set_from_text("regions.cn.electricity_price", "0.3575 RMB/kWh"), UserError);
  // ...but a region whose price is in RMB converts at regions.cn.fx_per_usd.
  Param rmb_price = usd.at("regions.cn.electricity_price");
  rmb_price.value = 0.3575;
  rmb_price.currency = Currency::kRmb;
  ParamTable rmb = usd;
  rmb.put(rmb_price);
  const auto a = econ::tco(cat, usd, chip, region_spec(cat, usd, "cn"));
  const auto b = econ::tco(cat, rmb, chip, region_spec(cat, rmb, "cn"));
  EXPECT_NEAR(a.item_usd_per_hour("energy"), b.item_usd_per_hour("energy"), 1e-12);
}

TEST(EconTco, DomesticAndImportedChipsPayTheirSitePrice) {
  // China: subsidised power only for sites with domestic chips (FT 2025-11-04).
  const auto& cat = shipped();
  const auto region = region_spec(cat, cat.params(), "cn");
  const auto ep = econ::econ_params(cat.params(), region);
  const auto h20 = econ::tco_inputs(cat, cat.params(), chip_spec(cat, cat.params(), "nvidia-h20"), region, ep);
  const auto c910 = econ::tco_inputs(cat, cat.params(), chip_spec(cat, cat.params(), "huawei-ascend-910c"), region, ep);
  EXPECT_NEAR(c910.electricity.value() * kJoulesPerKwh, 0.056, 1e-12);
  EXPECT_NEAR(h20.electricity.value() * kJoulesPerKwh, 0.112, 1e-12);
  // The US has one price for every chip.
  const auto us = region_spec(cat, cat.params(), "us");
  const auto h100 =
      econ::tco_inputs(cat, cat.params(), chip_spec(cat, cat.params(), "nvidia-h100-sxm"), us, econ::econ_params(cat.params(), us));
  EXPECT_NEAR(h100.electricity.value() * kJoulesPerKwh, 0.091, 1e-12);
}

TEST(EconTco, PowerFromSystemOrTdp) {
  const auto& cat = shipped();
  const auto region = region_spec(cat, cat.params(), "cn");
  const auto ep = econ::econ_params(cat.params(), region);
  // CloudMatrix 384: 559 kW / 384 chips (SemiAnalysis 2025-04-16).
  const auto c910 = econ::power_inputs(cat, cat.params(), chip_spec(cat, cat.params(), "huawei-ascend-910c"), region, ep);
  EXPECT_EQ(c910.basis, econ::PowerBasis::kSystem);
  EXPECT_NEAR(c910.it_power.value(), 559000.0 / 384, 1e-9);
  // H20: 400 W TDP x (1 + 0.821) host share (DGX H100 10.2 kW / 8 / 700 W - 1).
  const auto h20 = econ::power_inputs(cat, cat.params(), chip_spec(cat, cat.params(), "nvidia-h20"), region, ep);
  EXPECT_EQ(h20.basis, econ::PowerBasis::kChipTdp);
  EXPECT_NEAR(h20.it_power.value(), 400 * 1.821, 1e-9);
  // H100: the HGX system figure and the TDP factor agree by construction (10.2 kW / 8).
  const auto h100 = econ::power_inputs(cat, cat.params(), chip_spec(cat, cat.params(), "nvidia-h100-sxm"), region, ep);
  EXPECT_NEAR(h100.it_power.value(), 10200.0 / 8, 1e-9);
  // The catalog's host share is the DGX H100 figure (10.2 kW per 8 chips of 700 W TDP, NVIDIA
  // DGX H100 datasheet) rounded to 3 decimals: 10200 / 8 / 700 - 1 = 0.82143.
  EXPECT_NEAR(cat.params().value("regions.cn.host_power_fraction"), 10200.0 / 8 / 700 - 1, 5e-4);
}

TEST(EconTco, MissingValueNamesItsPath) {
  const auto& cat = shipped();
  const auto region = region_spec(cat, cat.params(), "cn");
  // Ascend 910B: no public TDP and no catalog system with a power figure.
  try {
    (void)econ::tco(cat, cat.params(), chip_spec(cat, cat.params(), "huawei-ascend-910b"), region);
    FAIL();
  } catch (const InsufficientData& e) {
    EXPECT_EQ(e.path(), "chips.huawei-ascend-910b.power.tdp");
  }
  // MI300X has no China price (B200 gained one from the grey-market premium).
  try {
    (void)econ::tco(cat, cat.params(), chip_spec(cat, cat.params(), "amd-mi300x"), region);
    FAIL();
  } catch (const InsufficientData& e) {
    EXPECT_EQ(e.path(), "chips.amd-mi300x.price.cn");
  }
}
