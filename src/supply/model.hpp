// The supply engine, bottom-up: foundry capacity by node (announced plans,
// or after them the binding one of capex and lithography tools) as a monthly
// path with a wafer-start-to-chip lag -> AI wafers -> good dies (defect
// density with learning, a metrology lever) plus the TSMC-made die bank drawn
// by a stated rule -> package starts, allocated in the state-directed vendor
// order against HBM (in GB, by generation) and packaging capacity -> chips by
// vendor and SKU; whatever is not packaged carries over as inventory. Unit
// economics (cost per good die, COGS, ASP path) give revenue and gross margin
// per vendor. Equations and sources: docs/model-supply.md.
//
// A SupplyModel is built once from a parameter table (every index resolved,
// every null input reported as InsufficientData, dies-per-wafer enumerated for
// the baseline geometry) and then evaluated many times on flat parameter
// vectors (Monte Carlo) with plain arithmetic.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analysis/scenario.hpp"
#include "supply/geometry.hpp"
#include "supply/slots.hpp"
#include "supply/yield.hpp"

namespace gpugap::supply {

// The most products, vendors, nodes and HBM lines one scenario may have: the model runs on
// fixed-size scratch arrays of this size (no allocation in the hot path; build.cpp checks it).
inline constexpr std::size_t kMaxKeys = 32;

using YearIdx = std::array<std::size_t, kYears>;

// supply.binding_constraint.<year> codes.
enum class Binding { kLogicDies = 0, kHbm = 1, kPackaging = 2 };
inline constexpr std::array<std::string_view, 3> kBindingNames = {"logic dies", "HBM", "packaging capacity"};
std::string_view binding_name(double code);

// supply.capacity_binding.<node>.<year> codes.
enum class CapacityBinding { kAnnounced = 0, kCapex = 1, kLithography = 2 };
inline constexpr std::array<std::string_view, 3> kCapacityBindingNames = {"announced", "capex", "lithography"};
std::string_view capacity_binding_name(double code);

// HBM generations, in the order of the supply.hbm.*.<gen> paths and the
// supply.inventory.hbm-<gen> items.
inline constexpr std::array<std::string_view, 3> kHbmGenerations = {"hbm2e", "hbm3", "hbm3e"};
inline constexpr std::size_t kHbmGens = kHbmGenerations.size();
// A catalog memory.type ("HBM2e", "HBM3E") as a generation index; none for other memory.
std::optional<std::size_t> hbm_generation(std::string_view memory_type);

struct NodeIn {
  std::string id;
  YearIdx wafers_per_month{};   // announced year-end capacity
  std::array<bool, kYears> announced{};  // false where the series only holds an earlier point
  bool limits = false;          // capex and lithography limits declared
  YearIdx capex_share{}, litho_share{};
  std::size_t capex_per_kwpm = 0, litho_passes = 0;
  std::size_t wafer_price = 0;  // USD per processed wafer
  YearIdx ai_share{};
  bool from_yield = true;       // yield series (inverted to D0) or D0 learning curve
  YearIdx yield{};
  std::size_t ref_area = 0;     // die area the yield is stated for
  std::size_t d0_initial = 0, d0_floor = 0, d0_tau = 0, d0_start = 0;
};

struct ProductIn {
  std::string chip;
  std::size_t vendor = 0;       // index into vendors
  std::size_t die_area = 0;
  std::size_t dies_per_package = 0;
  std::size_t hbm_stacks = 0;
  std::size_t memory_bytes = 0; // HBM per package
  std::size_t hbm_gen = 0;      // index into kHbmGenerations
  std::size_t compute = 0;      // dense BF16 (FP16 when BF16 is not published), FLOP/s
  std::string compute_path;
  std::size_t compute8 = 0;     // dense FP8 (INT8 when FP8 is not published), op/s
  std::size_t price = 0;        // chips.X.price.cn
  bool price_rmb = false;
  int baseline_gdw = 0;         // exact GDW at the baseline geometry
  double baseline_area = 0;
  double baseline_simple = 0, baseline_exp = 0, baseline_over = 0;  // closed forms, reticle flag
  int primary_node = -1;        // node of its first allocation (its yield and wafer price are reported)
};

struct AllocIn {
  std::size_t node = 0;
  std::size_t product = 0;
  YearIdx share{};
  bool primary = false;  // at the product's primary node (its die yield is the one reported)
};

struct DiebankIn {
  std::size_t product = 0;
  std::size_t vendor = 0;
  YearIdx mix{};                // share of the vendor's yearly draw packaged as this chip
};

struct HbmLineIn {
  std::string id;
  YearIdx wafers_per_month{}, die_yield{};
  std::array<YearIdx, kHbmGens> gen_share{};
  std::size_t die_area = 0, gb_per_die = 0, stack_yield = 0;
  int baseline_gdw = 0;
  double baseline_area = 0;
};

struct VendorIn {
  std::string id;
  std::optional<std::size_t> diebank_stock, diebank_years, diebank_start;
  std::size_t priority = 0;     // supply.priority.<vendor> (lower = served first)
};

class SupplyModel {
 public:
  // Resolves every input; InsufficientData(path) for a null or missing one.
  static std::shared_ptr<const SupplyModel> build(const analysis::Context& ctx, const ParamTable& params);

  [[nodiscard]] const Slots& slots() const { return slots_; }
  // What a run must fill beyond the vendor and total series, which are always
  // written. A Monte Carlo sample asks for a few metrics: skipping the stores
  // of the rest keeps a run cheap.
  struct RunOptions {
    bool d0 = true;        // supply.d0_per_cm2 (otherwise D0 is computed only where a die size differs)
    bool nodes = true;     // capacity, wafer starts by node
    bool products = true;  // by product (SKU) and HBM generation: wafers, yields, dies, packages, costs, inventory
    bool geometry = true;  // gross dies per wafer by product (exact, closed forms, reticle flag)
  };
  static constexpr RunOptions kLean{.d0 = false, .nodes = false, .products = false, .geometry = false};
  // Writes the slots of slots() into out (size slots().size()); the blocks an
  // option turns off are left unwritten.
  void run(std::span<const double> v, double* out, RunOptions options) const;
  void run(std::span<const double> v, double* out) const { run(v, out, RunOptions{}); }
  // Options that fill at least the given slots.
  [[nodiscard]] RunOptions options_for(const std::vector<std::size_t>& slots) const;

  [[nodiscard]] const std::vector<NodeIn>& nodes() const { return nodes_; }
  [[nodiscard]] const std::vector<ProductIn>& products() const { return products_; }
  [[nodiscard]] const std::vector<AllocIn>& allocs() const { return allocs_; }
  [[nodiscard]] const std::vector<VendorIn>& vendors() const { return vendors_; }
  [[nodiscard]] const std::vector<HbmLineIn>& hbm_lines() const { return hbm_lines_; }
  [[nodiscard]] YieldModel yield_model(std::span<const double> v) const;
  // Years a chip stays in the installed base (supply.service_life_years).
  [[nodiscard]] double service_life(std::span<const double> v) const { return v[service_life_]; }
  // Every parameter index a run can read (with repeats).
  [[nodiscard]] const std::vector<ParamIndex>& reads() const { return reads_; }

  // Slot bases (offset = base + key * kYears + year index).
  struct Out {
    // by node
    std::size_t wpm, cap_capex, cap_tool, cap_binding, starts_wpm, ai_wpm, d0;
    // by product
    std::size_t wafers, die_yield, gdw_year, good_dies, packages, dies_started, scrap_yield, scrap_pkg, bank_draw,
        sku_starts, pkg_yield, inventory_dies, die_cost, cogs, asp, sku_chips;
    std::size_t gdw_exact, gdw_simple, gdw_exp, over_reticle;  // by product, not yearly
    // by HBM generation
    std::size_t hbm_domestic, hbm_needed, hbm_used, hbm_in_chips, hbm_scrap, hbm_inventory, hbm_line;
    // by vendor
    std::size_t chips, vendor_value, revenue, cogs_bn, margin, installed, retired, diebank_left;
    // totals
    std::size_t chips_total, binding, packaging_capacity, die_limited, starts, pflops, h20e, h100e, h100e8, value,
        installed_h100e, installed_h100e8, retired_h100e;
    std::size_t hbm_gdw;
    // Block ranges for options_for: [begin, end) of the node, product and geometry metrics.
    std::size_t node_begin, node_end, product_begin, product_end, geometry_begin, geometry_end;
  };
  [[nodiscard]] const Out& out() const { return out_; }

 private:
  friend struct SupplyBuilder;  // build()'s steps (build.cpp)
  std::vector<NodeIn> nodes_;
  std::vector<ProductIn> products_;
  std::vector<AllocIn> allocs_;
  std::vector<DiebankIn> diebank_;
  std::vector<VendorIn> vendors_;
  // Products in allocation order, and [begin, end) runs of equal vendor priority in it.
  std::vector<std::size_t> order_;
  std::vector<std::pair<std::size_t, std::size_t>> groups_;

  std::size_t diameter_ = 0, edge_ = 0, scribe_ = 0, reticle_w_ = 0, reticle_h_ = 0;
  double base_diameter_ = 0, base_edge_ = 0, base_scribe_ = 0, base_reticle_w_ = 0, base_reticle_h_ = 0;
  std::size_t model_ = 0, alpha_ = 0, systematic_ = 0, harvest_ = 0, metrology_ = 0;
  std::optional<std::size_t> layers_;
  std::size_t lag_ = 0;
  YearIdx capex_{}, litho_imports_{};
  std::size_t litho_installed_ = 0, litho_wph_ = 0, litho_uptime_ = 0;
  bool litho_ = false;
  YearIdx pkg_yield_{}, pkg_capacity_{};
  std::vector<HbmLineIn> hbm_lines_;
  std::size_t pkg_ref_components_ = 0, pkg_cost_ = 0, other_cost_ = 0;
  std::array<std::size_t, kHbmGens> hbm_stock_{};
  std::array<YearIdx, kHbmGens> hbm_usd_per_gb_{};
  std::size_t hbm_upgrade_ = 0;
  std::size_t asp_change_ = 0, asp_base_year_ = 0, service_life_ = 0;
  std::size_t fx_ = 0, h20_compute_ = 0, h100_compute_ = 0, h100_compute8_ = 0;

  Slots slots_;
  Out out_{};
  std::vector<ParamIndex> reads_;
};

// Names of the metrics a supply model publishes (for did-you-mean).
std::vector<std::string> supply_metric_names(const SupplyModel& m);

// Chips delivered per supply vendor in a year, for one or many parameter
// vectors (Monte Carlo samples): the typed call other engines use (the score's
// supply layer); the model is built once. None for a year outside the modelled ones.
class ChipsReader {
 public:
  ChipsReader(const analysis::Context& ctx, const ParamTable& params);  // throws InsufficientData
  [[nodiscard]] std::map<std::string, double> read(std::span<const double> values, int year) const;

 private:
  std::shared_ptr<const SupplyModel> model_;
};

// What the market reads from supply, typed: per year, chips, ASP and COGS by
// SKU, revenue, gross margin and installed base by vendor, inventory by item.
struct SkuYear {
  std::string vendor;
  double chips = 0, asp_usd = 0, cogs_usd = 0, inventory_dies = 0;
  // The SKU's installed base: its chips of every vintage still in service
  // (supply.service_life_years, the vendors' installed-base rule), and what
  // they cost when bought (each vintage at its own year's ASP).
  double installed = 0, installed_usd = 0;
};
struct VendorYear {
  double chips = 0, revenue_usd_bn = 0, gross_margin = 0, installed_base = 0, retirements = 0;
};
struct SupplyYear {
  int year = 0;
  std::map<std::string, SkuYear> skus;        // by chip id
  std::map<std::string, VendorYear> vendors;  // by vendor id
  std::map<std::string, double> hbm_inventory_gb;  // by generation
  double h100_equivalents = 0, h100_equivalents_8bit = 0, installed_h100e = 0, installed_h100e_8bit = 0;
};
class SupplyReader {
 public:
  SupplyReader(const analysis::Context& ctx, const ParamTable& params);  // throws InsufficientData
  // Every modelled year, in order.
  [[nodiscard]] std::vector<SupplyYear> read(std::span<const double> values) const;

 private:
  std::shared_ptr<const SupplyModel> model_;
};

}  // namespace gpugap::supply
