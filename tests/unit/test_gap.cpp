// The gap engine on a small hand-made catalog (written to a temp folder) and a
// closed-form economics source: ratios, launch-year and export-control
// gating, swapping figures, the lever decomposition, the claim check and the
// bottom-up demand arithmetic.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "analysis/scenario.hpp"
#include "gap/demand.hpp"
#include "gap/gap.hpp"

using namespace gpugap;
using score::ChipEconomics;
using score::Figure;
namespace fs = std::filesystem;

namespace {

struct ChipDef {
  std::string id, vendor;
  int year;
  double bf16_tflops, bw_tbs;
  int dies = 1;
  std::optional<int> cn_from, cn_until;
  double price_usd = 10000;
};

std::string chip_yaml(const ChipDef& c) {
  std::string s = "id: " + c.id + "\nname: " + c.id + "\nvendor: " + c.vendor + "\nsource: test\n";
  s += "launch_year: " + std::to_string(c.year) + "\n";
  s += "compute:\n  bf16: \"" + std::to_string(c.bf16_tflops) + " TFLOPS\"\n";
  s += "memory:\n  bandwidth: \"" + std::to_string(c.bw_tbs) + " TB/s\"\n  capacity: \"96 GB\"\n";
  s += "scaleup:\n  bandwidth: \"400 GB/s\"\n  domain_size: 8\n";
  s += "power:\n  tdp: \"500 W\"\n";
  s += "silicon:\n  compute_dies: " + std::to_string(c.dies) + "\n";
  s += "price:\n  cn: \"" + std::to_string(c.price_usd) + " USD\"\n";
  s += "export_control:\n  cn_available_from: " + (c.cn_from ? std::to_string(*c.cn_from) : "null") + "\n";
  s += "  cn_available_until: " + (c.cn_until ? std::to_string(*c.cn_until) : "null") + "\n";
  return s;
}

struct SystemDef {
  std::string id, chip;
  int year;
  int chips;
  double power_kw;
  std::optional<int> racks = std::nullopt;
  std::optional<double> price_usd = std::nullopt;
  std::optional<int> domain = std::nullopt;  // scale-up domain size if not the whole system
};

// A catalog folder with the given chips (and systems) plus the three workloads.
catalog::Catalog make_catalog(const std::vector<ChipDef>& chips, const std::string& tag, const std::vector<SystemDef>& systems = {}) {
  const fs::path dir = fs::temp_directory_path() / ("gpugap-gap-test-" + std::to_string(::getpid()) + "-" + tag);
  fs::remove_all(dir);
  fs::create_directories(dir / "chips");
  fs::create_directories(dir / "workloads");
  fs::create_directories(dir / "regions");
  std::ofstream(dir / "regions" / "cn.yaml") << "id: cn\nname: China\ncurrency: USD\nsource: test\n";
  for (const auto& c : chips) std::ofstream(dir / "chips" / (c.id + ".yaml")) << chip_yaml(c);
  if (!systems.empty()) fs::create_directories(dir / "systems");
  for (const auto& x : systems)
    std::ofstream(dir / "systems" / (x.id + ".yaml")) << "id: " << x.id << "\nname: " << x.id << "\nchip: " << x.chip
                                                     << "\nsource: test\nlaunch_year: " << x.year
                                                     << "\nchips_per_domain: " << x.chips << "\npower: \"" << x.power_kw
                                                     << " kW\"\n"
                                                     << (x.racks ? "racks: " + std::to_string(*x.racks) + "\n" : "")
                                                     << (x.price_usd ? "price: \"" + std::to_string(*x.price_usd) + " USD\"\n" : "");
  // Each vendor's side of the gap is its catalog `country`, as in catalog/vendors/.
  fs::create_directories(dir / "vendors");
  std::set<std::string> vendors;
  for (const auto& c : chips) vendors.insert(c.vendor);
  for (const auto& v : vendors)
    std::ofstream(dir / "vendors" / (v + ".yaml"))
        << "id: " << v << "\nname: " << v << "\ncountry: " << (v.starts_with("nvidia") ? "us" : "cn") << "\nsource: test\n";
  for (auto [id, isl, osl] : {std::tuple{"chat", 1024, 1024}, {"reasoning", 1024, 8192}, {"long-context", 32768, 1024}})
    std::ofstream(dir / "workloads" / (std::string(id) + ".yaml"))
        << "id: " << id << "\nname: " << id << "\nsource: test\nisl: " << isl << "\nosl: " << osl << "\n";
  auto cat = catalog::Catalog::load({dir.string()});
  fs::remove_all(dir);
  return cat;
}

// tps = bandwidth (TB/s) x 100 x eta_memory (1 when unset) x domain/8 (or x 1
// with domain_scales false); the money figures follow from TDP and price.
class FormulaSource final : public score::EconomicsSource {
 public:
  explicit FormulaSource(bool domain_scales = true, double prefill_share = 0)
      : domain_scales_(domain_scales), prefill_share_(prefill_share) {}
  ChipEconomics get(const ChipSpec& c, const std::string& model, const std::string& workload) const override {
    ChipEconomics e;
    e.chip = c.id;
    e.model = model;
    e.workload = workload;
    const double tps = c.mem_bandwidth->value() / 1e12 * 100 * c.eta_memory.value_or(1.0) *
                       (c.scaleup_domain && domain_scales_ ? *c.scaleup_domain / 8.0 : 1.0);
    e.output_tps = Figure::of(tps);
    e.tps_per_watt = Figure::of(tps / c.tdp->value());
    const double usd = c.price.at("cn")->value();
    e.tps_per_watt_per_kusd = Figure::of(*e.tps_per_watt.value / (usd / 1e3));
    e.usd_per_mtok = Figure::of(usd / tps);
    e.prefill_share = prefill_share_;
    return e;
  }

 private:
  bool domain_scales_ = true;
  double prefill_share_ = 0;  // share of chip time on prefill (no prefix-cache hits)
};

gap::Settings settings(bool perf = true) {
  gap::Settings s;
  s.today = 2025;
  s.horizon_years = 4;
  s.model = "m";
  s.workload_weights = {{"chat", 1}, {"reasoning", 1}, {"long-context", 1}};
  s.perf_bases = perf;
  s.claim_today_low = 1.5;  // the report's numbers, as in the ms-2025 scenario
  s.claim_today_high = 2.0;
  s.claim_parity_band = 1.2;
  return s;
}

double ratio(const gap::GapResult& r, const std::string& basis, gap::Set set, int year) {
  const gap::Cell* c = r.cell(basis, set, year);
  EXPECT_TRUE(c && c->ratio.ok()) << basis << " " << year << (c ? " " + c->ratio.missing : "");
  return c && c->ratio.ok() ? *c->ratio.value : std::nan("");
}

const std::vector<ChipDef> kBase = {
    {"us-a", "nvidia", 2024, 1000, 4.0, 1, std::nullopt, std::nullopt},    // global only
    {"us-h", "nvidia-china", 2024, 150, 4.0, 1, 2024, std::nullopt},       // sold in China
    {"cn-x", "huawei", 2025, 500, 2.0, 1, 2025, std::nullopt},
    {"cn-y", "cambricon", 2027, 800, 3.0, 2, 2027, std::nullopt},          // launches later
};

}  // namespace

TEST(Gap, RatioIsUsOverDomestic) {
  const auto cat = make_catalog(kBase, "ratio");
  const FormulaSource src;
  const auto r = gap::evaluate(cat, cat.params(), settings(), src);
  // Global frontier, 2025: best US BF16 1000 (us-a) over best domestic 500 (cn-x).
  EXPECT_NEAR(ratio(r, "compute_bf16", gap::Set::kGlobal, 2025), 2.0, 1e-12);
  // Available in China, 2025: us-h (150) vs cn-x (500).
  EXPECT_NEAR(ratio(r, "compute_bf16", gap::Set::kChina, 2025), 0.3, 1e-12);
  // Memory bandwidth 4.0 / 2.0 on both sets.
  EXPECT_NEAR(ratio(r, "memory_bandwidth", gap::Set::kChina, 2025), 2.0, 1e-12);
  // Cost is lower-is-better: the ratio is domestic cost / US cost (here equal prices: bandwidth ratio).
  EXPECT_NEAR(ratio(r, "usd_per_mtok", gap::Set::kGlobal, 2025), 2.0, 1e-9);
  EXPECT_NEAR(ratio(r, "tps_chat", gap::Set::kGlobal, 2025), 2.0, 1e-9);
}

TEST(Gap, LaunchYearGatesWhenAChipCounts) {
  const auto cat = make_catalog(kBase, "gate");
  const FormulaSource src;
  const auto r = gap::evaluate(cat, cat.params(), settings(false), src);
  // No domestic part launched by 2024.
  const gap::Cell* c24 = r.cell("compute_bf16", gap::Set::kGlobal, 2024);
  ASSERT_TRUE(c24);
  EXPECT_FALSE(c24->domestic);
  EXPECT_FALSE(c24->ratio.ok());
  // cn-y (launch 2027) does not count in 2026, does from 2027.
  EXPECT_EQ(r.cell("compute_bf16", gap::Set::kGlobal, 2026)->domestic->id, "cn-x");
  EXPECT_EQ(r.cell("compute_bf16", gap::Set::kGlobal, 2027)->domestic->id, "cn-y");
  EXPECT_NEAR(ratio(r, "compute_bf16", gap::Set::kGlobal, 2027), 1000.0 / 800.0, 1e-12);
  // Moving its launch to 2026 moves the step.
  ParamTable p = cat.params();
  p.set_from_text("chips.cn-y.launch_year", "2026");
  p.set_from_text("chips.cn-y.export_control.cn_available_from", "2026");
  const auto r2 = gap::evaluate(cat, p, settings(false), src);
  EXPECT_EQ(r2.cell("compute_bf16", gap::Set::kGlobal, 2026)->domestic->id, "cn-y");
}

TEST(Gap, ExportControlYearsGateTheChinaSet) {
  auto defs = kBase;
  defs.push_back({"us-old", "nvidia", 2020, 2000, 1.0, 1, 2020, 2022});  // sold in China 2020-2022 only
  const auto cat = make_catalog(defs, "export");
  const FormulaSource src;
  const auto r = gap::evaluate(cat, cat.params(), settings(false), src);
  // Not available in China after 2022: the China set's best US part is us-h.
  EXPECT_EQ(r.cell("compute_bf16", gap::Set::kChina, 2025)->us->id, "us-h");
  // The global frontier counts it (launched 2020).
  EXPECT_EQ(r.cell("compute_bf16", gap::Set::kGlobal, 2025)->us->id, "us-old");
}

TEST(Gap, SwappingTwoChipsFiguresInvertsTheRatio) {
  const auto cat = make_catalog(kBase, "swap");
  const FormulaSource src;
  const auto r = gap::evaluate(cat, cat.params(), settings(), src);
  const double before_bw = ratio(r, "memory_bandwidth", gap::Set::kChina, 2025);
  const double before_tps = ratio(r, "tps_reasoning", gap::Set::kChina, 2025);
  const double before_bf16 = ratio(r, "compute_bf16", gap::Set::kChina, 2025);
  ParamTable p = cat.params();
  p.set_from_text("chips.us-h.memory.bandwidth", "2.0 TB/s");
  p.set_from_text("chips.cn-x.memory.bandwidth", "4.0 TB/s");
  p.set_from_text("chips.us-h.compute.bf16", "500 TFLOPS");
  p.set_from_text("chips.cn-x.compute.bf16", "150 TFLOPS");
  const auto s = gap::evaluate(cat, p, settings(), src);
  EXPECT_NEAR(ratio(s, "memory_bandwidth", gap::Set::kChina, 2025), 1.0 / before_bw, 1e-12);
  EXPECT_NEAR(ratio(s, "tps_reasoning", gap::Set::kChina, 2025), 1.0 / before_tps, 1e-12);
  EXPECT_NEAR(ratio(s, "compute_bf16", gap::Set::kChina, 2025), 1.0 / before_bf16, 1e-12);
}

TEST(Gap, SwappingEveryLeverClosesAPerformanceGap) {
  const auto cat = make_catalog(kBase, "levers");
  const FormulaSource src;
  const auto r = gap::evaluate(cat, cat.params(), settings(), src);
  bool seen = false;
  for (const auto& d : r.decompositions) {
    if (d.basis != "tps_chat" || d.set != gap::Set::kGlobal || d.year != 2025) continue;
    seen = true;
    ASSERT_EQ(d.status, "ok");
    EXPECT_EQ(d.us_part, "us-a");
    EXPECT_EQ(d.domestic_part, "cn-x");
    for (const auto& l : d.levers) {
      // The formula reads bandwidth (packaging lever), domain and eta only.
      if (l.lever == "packaging" || l.lever == "all") {
        ASSERT_TRUE(l.ratio_after.ok()) << l.lever << ": " << l.ratio_after.missing;
        EXPECT_NEAR(*l.ratio_after.value, 1.0, 1e-12) << l.lever;
        EXPECT_NEAR(*l.share_closed.value, 1.0, 1e-12) << l.lever;
      }
      if (l.lever == "process" || l.lever == "scaleup" || l.lever == "software") {
        ASSERT_TRUE(l.share_closed.ok()) << l.lever;
        EXPECT_NEAR(*l.share_closed.value, 0.0, 1e-12) << l.lever;
      }
    }
  }
  EXPECT_TRUE(seen);
}

TEST(Gap, ProcessLeverSwapsPerDieCompute) {
  ChipSpec us, dom;
  us.id = "u";
  dom.id = "d";
  us.compute[0] = FlopsPerSecond(2000e12);
  us.compute_dies = 2;
  us.mem_capacity = Bytes(192e9);
  us.mem_bandwidth = BytesPerSecond(8e12);
  dom.compute[0] = FlopsPerSecond(300e12);
  dom.compute_dies = 1;
  const ChipSpec x = gap::swap_lever(dom, us, gap::Lever::kProcess);
  EXPECT_DOUBLE_EQ(x.compute[0]->value(), 1000e12);  // US per-die compute on one die
  const ChipSpec y = gap::swap_lever(dom, us, gap::Lever::kPackaging);
  EXPECT_DOUBLE_EQ(y.compute[0]->value(), 600e12);   // own die, US die count
  EXPECT_DOUBLE_EQ(y.mem_bandwidth->value(), 8e12);  // and the US part's HBM
  dom.compute_dies.reset();
  EXPECT_THROW((void)gap::swap_lever(dom, us, gap::Lever::kProcess), InsufficientData);
}

TEST(Gap, ClaimCheckReadsTheTwoYears) {
  const auto cat = make_catalog(kBase, "claim");
  const FormulaSource src;
  const auto r = gap::evaluate(cat, cat.params(), settings(false), src);
  for (const auto& c : gap::check_claim(r)) {
    if (c.basis != "compute_bf16" || c.set != gap::Set::kGlobal) continue;
    EXPECT_EQ(c.today, 2025);
    EXPECT_EQ(c.horizon, 2029);
    // 2025: 1000 / 500 = 2.0 (inside 1.5-2x); 2029: 1000 / 800 = 1.25 (outside ~1x within 20%).
    EXPECT_EQ(c.holds_today, std::optional<bool>(true));
    EXPECT_EQ(c.holds_horizon, std::optional<bool>(false));
  }
}

TEST(Gap, DemandChipsFollowTokensAndThroughput) {
  const auto cat = make_catalog(kBase, "demand");
  const FormulaSource src;
  gap::DemandSettings s;
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
    s.daily_tokens[y] = 1e12 * (y - 2023);
    s.inference_share[y] = 0.5;
  }
  s.prior_daily_tokens = 1e11;
  s.output_share = 0.5;  // output tokens / all tokens (the scenario's sourced traffic mix)
  s.workload_mix = {{"chat", 1.0}};
  s.model_mix = {{"m", 1.0}};
  s.utilisation = 0.5;
  s.life_years = 5;
  market::Totals market;
  market.tam_usd_bn.fill(std::nan(""));
  market.domestic_usd_bn.fill(std::nan(""));
  market.tam_usd_bn[2026 - analysis::kFirstYear] = 10.0;
  const auto d = gap::demand(cat, cat.params(), s, src, market);
  // No domestic chip in 2024; from 2025 cn-x (only one with tps; price 10k).
  EXPECT_FALSE(d.years[0].chips_needed.ok());
  const auto& y25 = d.years[1];
  ASSERT_TRUE(y25.chips_needed.ok()) << y25.chips_needed.missing;
  EXPECT_EQ(y25.chip, "cn-x");
  const double out_tps = 2e12 * 0.5 / gap::kSecondsPerDay;  // half of the tokens are output
  EXPECT_NEAR(y25.output_tokens_per_s, out_tps, 1e-6);
  const double chip_tps = 2.0 * 100;                         // 2 TB/s x 100
  EXPECT_NEAR(*y25.chips_needed.value, out_tps / 0.5 / chip_tps, 1e-6);
  // Bought in 2026: growth since 2025 plus one fifth of 2025's capacity.
  const auto& y26 = d.years[2];
  const double cap25 = out_tps / 0.5, cap26 = 3e12 * 0.5 / gap::kSecondsPerDay / 0.5;
  EXPECT_NEAR(*y26.chips_bought.value, (cap26 - cap25 + cap25 / 5) / chip_tps, 1e-6);
  EXPECT_NEAR(*y26.spend_usd_bn.value, *y26.chips_bought.value * 10000 / 1e9, 1e-12);
  EXPECT_NEAR(*y26.implied_total_usd_bn.value, *y26.spend_usd_bn.value / 0.5, 1e-12);
  EXPECT_NEAR(*y26.tam_ratio.value, *y26.implied_total_usd_bn.value / 10.0, 1e-12);
}

namespace {
gap::DemandSettings one_chat_settings() {
  gap::DemandSettings s;
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
    s.daily_tokens[y] = 1e12 * (y - 2023);
    s.inference_share[y] = 0.5;
  }
  s.prior_daily_tokens = 1e11;
  s.output_share = 0.5;
  s.workload_mix = {{"chat", 1.0}};
  s.model_mix = {{"m", 1.0}};
  s.utilisation = 0.5;
  s.life_years = 5;
  return s;
}
}  // namespace

TEST(Gap, PrefixCacheHitsCutOnlyPrefillWork) {
  // A chip spends 40% of its time on prefill at 200 output tok/s. Hit share 0:
  // the old figure; hit share h: the prefill time x (1 - h), decode unchanged,
  // so tok/s = 200 / (1 - 0.4 h). Without prefill time the hit share changes nothing.
  const auto cat = make_catalog(kBase, "prefix");
  gap::DemandSettings s = one_chat_settings();
  const FormulaSource with_prefill(true, 0.4), no_prefill;
  auto tps25 = [&](const score::EconomicsSource& src, double hit) {
    s.prefix_cache_hit = hit;
    const auto d = gap::demand(cat, cat.params(), s, src, std::nullopt);
    return *d.years[1].chip_tps.value;
  };
  EXPECT_DOUBLE_EQ(tps25(with_prefill, 0.0), 200.0);
  EXPECT_NEAR(tps25(with_prefill, 0.563), 200.0 / (1 - 0.4 * 0.563), 1e-9);
  EXPECT_NEAR(tps25(with_prefill, 1.0), 200.0 / 0.6, 1e-9);
  EXPECT_DOUBLE_EQ(tps25(no_prefill, 0.563), 200.0);
}

TEST(Gap, InstalledFleetSumsVintagesAtTheirOwnThroughput) {
  // The supply model's chips in service (every vintage, by SKU) give the
  // fleet's capacity and its capex per token, each SKU at its own tok/s
  // (cn-x 200, cn-y 300) and purchase cost; the year's purchases stay at the
  // year's mix.
  const auto cat = make_catalog(kBase, "fleet");
  const gap::DemandSettings s = one_chat_settings();
  market::Totals market;
  market.tam_usd_bn.fill(std::nan(""));
  market.domestic_usd_bn.fill(std::nan(""));
  for (int y = analysis::kFirstYear; y <= analysis::kLastYear; ++y) {
    supply::SupplyYear sy;
    sy.year = y;
    sy.skus["cn-x"] = supply::SkuYear{"huawei", 1000, 10000, 5000, 0, 3000, 2.5e7};
    sy.skus["cn-y"] = supply::SkuYear{"cambricon", 0, 20000, 8000, 0, 1000, 2e7};  // none bought this year
    market.supply.push_back(sy);
  }
  const FormulaSource src;
  const auto d = gap::demand(cat, cat.params(), s, src, market);
  const auto& y26 = d.years[2026 - analysis::kFirstYear];
  ASSERT_TRUE(y26.fleet_tps.ok()) << y26.fleet_tps.missing;
  const double fleet_tps = 3000 * 200.0 + 1000 * 300.0;
  EXPECT_NEAR(*y26.fleet_chips.value, 4000, 1e-9);
  EXPECT_NEAR(*y26.fleet_tps.value, fleet_tps, 1e-6);
  const double out_tps = 3e12 * 0.5 / gap::kSecondsPerDay;
  EXPECT_NEAR(*y26.fleet_coverage.value, fleet_tps * 0.5 / out_tps, 1e-12);
  EXPECT_NEAR(*y26.chips_needed.value, out_tps / 0.5 / (fleet_tps / 4000), 1e-6);
  EXPECT_NEAR(*y26.capex_usd_per_mtok.value,
              4.5e7 / (fleet_tps * 0.5 * 5 * gap::kDaysPerYear * gap::kSecondsPerDay) * 1e6, 1e-12);
  // Purchases: this year's mix only (cn-x at 200 tok/s, $10k).
  EXPECT_NEAR(*y26.chip_tps.value, 200, 1e-9);
  EXPECT_NEAR(*y26.usd_per_tps.value, 10000 / 200.0, 1e-9);
}

// Systems of different sizes are compared per chip and per MW: doubling the
// chips (and the power) of one system leaves both ratios as they were, where
// a system total would have doubled.
TEST(Gap, DoublingAChipsSystemLeavesPerChipAndPerMwRatios) {
  const std::vector<SystemDef> systems = {{"us-box", "us-h", 2024, 8, 10}, {"cn-pod", "cn-x", 2025, 384, 500}};
  const auto cat = make_catalog(kBase, "systems", systems);
  const FormulaSource src(false);  // per-chip throughput independent of the domain size
  const auto base = gap::evaluate(cat, cat.params(), settings(), src);
  ParamTable p = cat.params();
  p.set_value(*p.find("systems.cn-pod.chips_per_domain"), 768);
  p.set_value(*p.find("systems.cn-pod.power"), 1.0e6);
  const auto twice = gap::evaluate(cat, p, settings(), src);
  for (const char* b : {"tps_system_per_chip", "tps_system_per_mw"}) {
    EXPECT_NEAR(ratio(twice, b, gap::Set::kChina, 2025), ratio(base, b, gap::Set::kChina, 2025), 1e-12) << b;
    EXPECT_NEAR(ratio(twice, b, gap::Set::kChina, 2029), ratio(base, b, gap::Set::kChina, 2029), 1e-12) << b;
  }
  // Per chip: us-h 4.0 TB/s vs cn-x 2.0 TB/s; per MW: (8 x 400 / 0.01) / (384 x 200 / 0.5).
  EXPECT_NEAR(ratio(base, "tps_system_per_chip", gap::Set::kChina, 2025), 2.0, 1e-12);
  EXPECT_NEAR(ratio(base, "tps_system_per_mw", gap::Set::kChina, 2025), (8 * 400.0 / 0.01) / (384 * 200.0 / 0.5), 1e-9);
  const gap::Cell* c = twice.cell("tps_system_per_mw", gap::Set::kChina, 2025);
  ASSERT_TRUE(c && c->domestic);
  EXPECT_NE(c->domestic->detail.find("768 chips"), std::string::npos) << c->domestic->detail;
  for (const auto& br : base.bases) EXPECT_NE(br.basis.id, "tps_system") << "a raw system total is not a basis";
}

// Available part and shipment-weighted figure from the supply model's chips per vendor.
TEST(Gap, AvailablePartAndShipmentWeightedFigure) {
  const auto cat = make_catalog(kBase, "weights");
  const FormulaSource src;
  gap::Settings s = settings(false);
  s.available_min_chips = 10000;
  s.vendor_chips = {{"huawei", {{2027, 100000}, {2028, 100000}}}, {"cambricon", {{2027, 5000}, {2028, 50000}}}};
  s.licensed_usd_bn = {{2027, 1.0}, {2028, 1.0}};  // the US side: us-h, the one part sold in China
  s.us_mix = {{"us-h", {{2027, 1.0}, {2028, 1.0}}}};
  const auto r = gap::evaluate(cat, cat.params(), s, src);
  const gap::Cell* c27 = r.cell("compute_bf16", gap::Set::kChina, 2027);
  ASSERT_TRUE(c27 && c27->ratio.ok() && c27->ratio_available.ok() && c27->ratio_weighted.ok());
  EXPECT_NEAR(*c27->ratio.value, 150.0 / 800, 1e-12);            // best part: cn-y, shipping 5k
  EXPECT_EQ(c27->domestic_available->id, "cn-x");                 // cambricon is under the threshold
  EXPECT_NEAR(*c27->ratio_available.value, 150.0 / 500, 1e-12);
  EXPECT_NEAR(*c27->domestic_weighted.value / 1e12, (100000 * 500.0 + 5000 * 800.0) / 105000, 1e-9);  // FLOP/s
  EXPECT_NEAR(c27->weighted_chips, 105000, 1e-9);
  const gap::Cell* c28 = r.cell("compute_bf16", gap::Set::kChina, 2028);
  ASSERT_TRUE(c28 && c28->domestic_available);
  EXPECT_EQ(c28->domestic_available->id, "cn-y");
  // No supply volumes: both aggregations say why, neither is a guess.
  const auto none = gap::evaluate(cat, cat.params(), settings(false), src);
  const gap::Cell* n = none.cell("compute_bf16", gap::Set::kChina, 2027);
  ASSERT_TRUE(n);
  EXPECT_FALSE(n->ratio_available.ok());
  EXPECT_NE(n->ratio_weighted.missing.find("insufficient data"), std::string::npos) << n->ratio_weighted.missing;
}

// The claim's band is the scenario's, not a constant in code.
TEST(Gap, ClaimBandComesFromTheSettings) {
  const auto cat = make_catalog(kBase, "band");
  const FormulaSource src;
  gap::Settings s = settings(false);
  s.claim_today_low = 2.5;
  s.claim_today_high = 3.0;
  s.claim_parity_band = 1.3;
  const auto r = gap::evaluate(cat, cat.params(), s, src);
  for (const auto& c : gap::check_claim(r)) {
    if (c.basis != "compute_bf16" || c.set != gap::Set::kGlobal) continue;
    EXPECT_EQ(c.holds_today, std::optional<bool>(false));   // 2.0 is outside 2.5-3x
    EXPECT_EQ(c.holds_horizon, std::optional<bool>(true));  // 1.25 is within 1.3x of parity
  }
}

// Per rack and per USD, like per chip and per MW: doubling every chip of a
// system (its power, racks and price with it) leaves each ratio unchanged;
// a raw system total would double.
TEST(Gap, PerRackAndPerDollarRatiosIgnoreSystemSize) {
  const std::vector<SystemDef> systems = {{"us-box", "us-h", 2024, 72, 120, 1, 3.5e6},
                                          {"cn-pod", "cn-x", 2025, 384, 560, 16, 8e6}};
  const auto cat = make_catalog(kBase, "racks", systems);
  const FormulaSource src(false);
  const auto base = gap::evaluate(cat, cat.params(), settings(), src);
  ParamTable p = cat.params();
  p.set_value(*p.find("systems.cn-pod.chips_per_domain"), 768);
  p.set_value(*p.find("systems.cn-pod.power"), 1.12e6);
  p.set_value(*p.find("systems.cn-pod.racks"), 32);
  p.set_value(*p.find("systems.cn-pod.price"), 16e6);
  const auto twice = gap::evaluate(cat, p, settings(), src);
  for (const char* b : {"tps_system_per_chip", "tps_system_per_mw", "tps_system_per_rack", "tps_system_per_musd"})
    EXPECT_NEAR(ratio(twice, b, gap::Set::kChina, 2025), ratio(base, b, gap::Set::kChina, 2025), 1e-12) << b;
  // Per rack: (72 x 400 / 1) / (384 x 200 / 16); per MUSD: (72 x 400 / 3.5) / (384 x 200 / 8).
  EXPECT_NEAR(ratio(base, "tps_system_per_rack", gap::Set::kChina, 2025), (72 * 400.0) / (384 * 200.0 / 16), 1e-9);
  EXPECT_NEAR(ratio(base, "tps_system_per_musd", gap::Set::kChina, 2025), (72 * 400.0 / 3.5) / (384 * 200.0 / 8), 1e-9);
  // A system without a rack count: insufficient data naming the path, not a guess.
  const auto no_racks = make_catalog(kBase, "noracks", {{"us-box", "us-h", 2024, 8, 10}, {"cn-pod", "cn-x", 2025, 384, 500, 16}});
  const auto r = gap::evaluate(no_racks, no_racks.params(), settings(), src);
  const gap::Cell* c = r.cell("tps_system_per_rack", gap::Set::kChina, 2025);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->ratio.ok());
  bool named = false;
  for (const auto& br : r.bases)
    if (br.basis.id == "tps_system_per_rack")
      for (const auto& part : br.parts)
        if (part.id == "us-box") named = part.value.missing.find("systems.us-box.racks") != std::string::npos;
  EXPECT_TRUE(named);
}

// The single-lever shares, the interaction and the residual add up to 1; a
// lever whose values are the same on both parts has share 0.
TEST(Gap, LeverSharesAddUpAndAnIdenticalLeverHasShareZero) {
  std::vector<ChipDef> chips = kBase;
  const auto cat = make_catalog(chips, "shares");
  const FormulaSource src;
  ParamTable p = cat.params();
  // cn-x gets a better software stack than us-a (eta_memory 1.25): the software lever now opens the gap further.
  Param eta;
  eta.path = "chips.cn-x.software.eta_memory";
  eta.value = 1.25;
  eta.dim = Dim::kFraction;
  eta.prov.source = "test";
  p.put(eta);
  const auto r = gap::evaluate(cat, p, settings(), src);
  int checked = 0;
  for (const auto& d : r.decompositions) {
    if (d.status != "ok" || !d.residual.ok() || !d.interaction.ok()) continue;
    double sum = *d.interaction.value + *d.residual.value;
    for (const auto& l : d.levers)
      if (l.lever != "all" && l.share_closed.ok()) sum += *l.share_closed.value;
    EXPECT_NEAR(sum, 1.0, 1e-12) << d.basis << " " << gap::set_name(d.set) << " " << d.year;
    for (const auto& l : d.levers)
      if (l.lever == "scaleup" && d.basis.starts_with("tps_") && !d.basis.starts_with("tps_system")) {
        // Both chips: domain 8 at 400 GB/s (identical): share 0.
        ASSERT_TRUE(l.share_closed.ok()) << d.basis;
        EXPECT_DOUBLE_EQ(*l.share_closed.value, 0.0) << d.basis;
      }
    ++checked;
  }
  EXPECT_GT(checked, 4);
  // tps_chat, global, 2025: us-a 4 TB/s vs cn-x 2 TB/s x eta 1.25 -> ratio 1.6; packaging (HBM) alone gives
  // 4 / (4 x 1.25) = 0.8 -> share ln(1.6/0.8)/ln(1.6); software alone gives 4 / 2 = 2 -> share ln(0.8)/ln(1.6) < 0.
  for (const auto& d : r.decompositions) {
    if (d.basis != "tps_chat" || d.set != gap::Set::kGlobal || d.year != 2025) continue;
    ASSERT_TRUE(d.ratio.ok());
    EXPECT_NEAR(*d.ratio.value, 1.6, 1e-12);
    for (const auto& l : d.levers) {
      if (l.lever == "packaging") {
        EXPECT_NEAR(*l.share_closed.value, std::log(2.0) / std::log(1.6), 1e-12);
      }
      if (l.lever == "software") {
        EXPECT_NEAR(*l.share_closed.value, std::log(0.8) / std::log(1.6), 1e-12);
      }
      if (l.lever == "all") {
        EXPECT_NEAR(*l.share_closed.value, 1.0, 1e-12);
      }
    }
    EXPECT_NEAR(*d.residual.value, 0.0, 1e-12);
    EXPECT_NEAR(*d.interaction.value, 1.0 - (std::log(2.0) + std::log(0.8)) / std::log(1.6), 1e-12);
  }
}

// System bases decompose too: the scale-up lever gives the domestic system
// the US system's domain (per-chip throughput grows with the domain here).
TEST(Gap, SystemDecompositionSwapsTheScaleupDomain) {
  const std::vector<SystemDef> systems = {{"us-box", "us-h", 2024, 72, 120, 1, 3.5e6}, {"cn-pod", "cn-x", 2025, 16, 30, 1, 1e6}};
  const auto cat = make_catalog(kBase, "sysdec", systems);
  const FormulaSource src;  // tps x domain / 8
  const auto r = gap::evaluate(cat, cat.params(), settings(), src);
  bool seen = false;
  for (const auto& d : r.decompositions) {
    if (d.basis != "tps_system_per_chip" || d.set != gap::Set::kChina || d.year != 2025) continue;
    seen = true;
    ASSERT_EQ(d.status, "ok");
    EXPECT_EQ(d.us_system, "us-box");
    EXPECT_EQ(d.domestic_system, "cn-pod");
    // us: 4 x 100 x 72/8 = 3600; cn: 2 x 100 x 16/8 = 400 -> 9; scale-up alone: 2 x 100 x 72/8 = 1800 -> 2.
    EXPECT_NEAR(*d.ratio.value, 9.0, 1e-9);
    for (const auto& l : d.levers)
      if (l.lever == "scaleup") {
        EXPECT_NEAR(*l.share_closed.value, std::log(4.5) / std::log(9.0), 1e-12);
      }
  }
  EXPECT_TRUE(seen);
}

// The US side in China follows the import regime: the licensed dollars split
// over the parts sold that year, chips = dollars x share / China price.
TEST(Gap, UsSideInChinaFollowsTheImportRegime) {
  std::vector<ChipDef> chips = kBase;
  chips.push_back({"us-k", "nvidia-china", 2026, 900, 4.8, 1, 2026, std::nullopt, 25000});  // licensed from 2026
  const auto cat = make_catalog(chips, "regime");
  const FormulaSource src;
  gap::Settings s = settings(false);
  s.vendor_chips = {{"huawei", {{2025, 100000}, {2026, 100000}}}};
  s.licensed_usd_bn = {{2025, 1.0}, {2026, 2.0}};
  s.us_mix = {{"us-h", {{2025, 1.0}, {2026, 0.25}}}, {"us-k", {{2025, 1.0}, {2026, 0.75}}}};
  const auto r = gap::evaluate(cat, cat.params(), s, src);
  // 2025: us-k does not count yet (export rules), us-h takes all: 1e9 / 10,000 USD = 100k chips.
  const gap::Cell* c25 = r.cell("memory_bandwidth", gap::Set::kChina, 2025);
  ASSERT_TRUE(c25 && c25->us_weighted.ok() && c25->ratio_weighted.ok()) << (c25 ? c25->ratio_weighted.missing : "");
  EXPECT_NEAR(c25->us_weighted_chips, 1e5, 1e-6);
  EXPECT_NEAR(*c25->us_weighted.value, 4e12, 1);
  EXPECT_NEAR(*c25->ratio_weighted.value, 2.0, 1e-12);  // 4 TB/s vs cn-x 2 TB/s
  // 2026: us-h 0.5e9 / 10k = 50k chips at 4 TB/s, us-k 1.5e9 / 25k = 60k at 4.8 TB/s.
  const gap::Cell* c26 = r.cell("memory_bandwidth", gap::Set::kChina, 2026);
  ASSERT_TRUE(c26 && c26->us_weighted.ok());
  EXPECT_NEAR(c26->us_weighted_chips, 110000, 1e-6);
  EXPECT_NEAR(*c26->us_weighted.value / 1e12, (50000 * 4.0 + 60000 * 4.8) / 110000, 1e-9);
  EXPECT_EQ(c26->us_mix.size(), 2u);
  // The best-part ratio is untouched by the regime; the global set keeps the best US part.
  EXPECT_NEAR(ratio(r, "memory_bandwidth", gap::Set::kChina, 2026), 4.8 / 2.0, 1e-12);
  const gap::Cell* g26 = r.cell("memory_bandwidth", gap::Set::kGlobal, 2026);
  ASSERT_TRUE(g26 && g26->us_weighted.ok() && g26->us);
  EXPECT_EQ(*g26->us_weighted.value, *g26->us->value.value);
  // No regime in the scenario: insufficient data, naming the path.
  gap::Settings none = s;
  none.licensed_usd_bn.clear();
  const auto n = gap::evaluate(cat, cat.params(), none, src);
  const gap::Cell* n25 = n.cell("memory_bandwidth", gap::Set::kChina, 2025);
  ASSERT_TRUE(n25);
  EXPECT_FALSE(n25->ratio_weighted.ok());
  EXPECT_NE(n25->ratio_weighted.missing.find("market.imports.licensed_usd_bn.2025"), std::string::npos);
  // The regime's reference part of a year: the largest share.
  EXPECT_EQ(gap::regime_reference(s, 2026), std::optional<std::string>("us-k"));
  EXPECT_EQ(gap::regime_reference(s, 2030), std::nullopt);
}
