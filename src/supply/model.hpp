// The supply engine: foundry capacity by node -> AI wafers -> good dies (with
// the TSMC-made die bank as a stock) -> packages, limited by HBM stacks and
// packaging capacity -> chips by vendor and product per year, delivered
// compute, value at ASP, and the binding constraint. Equations and sources:
// docs/model-supply.md.
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

using YearIdx = std::array<std::size_t, kYears>;

// supply.binding_constraint.<year> codes.
enum class Binding { kLogicDies = 0, kHbm = 1, kPackaging = 2 };
inline constexpr std::array<std::string_view, 3> kBindingNames = {"logic dies", "HBM stacks", "packaging capacity"};
std::string_view binding_name(double code);

struct NodeIn {
  std::string id;
  YearIdx wafers_per_month{};
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
  std::size_t compute = 0;      // dense BF16 (FP16 when BF16 is not published), FLOP/s
  std::string compute_path;
  std::size_t price = 0;        // chips.X.price.cn
  bool price_rmb = false;
  int baseline_gdw = 0;         // exact GDW at the baseline geometry
  double baseline_area = 0;
  double baseline_simple = 0, baseline_exp = 0, baseline_over = 0;  // closed forms, reticle flag
  int primary_node = -1;        // node of its first allocation (for good_dies_per_wafer)
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
  YearIdx draw{};               // fraction of the vendor's initial stock drawn per year
};

struct VendorIn {
  std::string id;
  std::optional<std::size_t> diebank_stock;
};

class SupplyModel {
 public:
  // Resolves every input; InsufficientData(path) for a null or missing one.
  static std::shared_ptr<const SupplyModel> build(const analysis::Context& ctx, const ParamTable& params);

  [[nodiscard]] const Slots& slots() const { return slots_; }
  // What a run must fill beyond the vendor and total series (chips, values,
  // HBM, packaging, binding constraint), which are always written. A Monte
  // Carlo sample asks for a few metrics: skipping the stores of the rest
  // roughly halves a run.
  struct RunOptions {
    bool d0 = true;        // supply.d0_per_cm2 (otherwise D0 is computed only where a die size differs)
    bool nodes = true;     // wafer starts by node
    bool products = true;  // wafers, yields, good dies and packages by product and year
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
  [[nodiscard]] const std::vector<VendorIn>& vendors() const { return vendors_; }
  [[nodiscard]] YieldModel yield_model(std::span<const double> v) const;
  // Every parameter index a run can read (with repeats).
  [[nodiscard]] const std::vector<ParamIndex>& reads() const { return reads_; }

  // Slot bases (offset = base + key * kYears + year index).
  struct Out {
    std::size_t wpm, ai_wpm, d0;                                        // by node
    std::size_t wafers, die_yield, gdw_year, good_dies, packages;       // by product
    std::size_t gdw_exact, gdw_simple, gdw_exp, over_reticle;           // by product, not yearly
    std::size_t chips, vendor_value, diebank_left;                      // by vendor
    std::size_t chips_total, binding, hbm_available, hbm_domestic, hbm_needed, hbm_stock_left,
        packaging_capacity, die_limited, starts, pflops, h20e, h100e, value;
    std::size_t hbm_gdw;
  };
  [[nodiscard]] const Out& out() const { return out_; }

 private:
  friend struct SupplyBuilder;  // build()'s steps (model.cpp)
  std::vector<NodeIn> nodes_;
  std::vector<ProductIn> products_;
  std::vector<AllocIn> allocs_;
  std::vector<DiebankIn> diebank_;
  std::vector<VendorIn> vendors_;

  std::size_t diameter_ = 0, edge_ = 0, scribe_ = 0, reticle_w_ = 0, reticle_h_ = 0;
  double base_diameter_ = 0, base_edge_ = 0, base_scribe_ = 0, base_reticle_w_ = 0, base_reticle_h_ = 0;
  std::size_t model_ = 0, alpha_ = 0, systematic_ = 0, harvest_ = 0;
  std::optional<std::size_t> layers_;
  YearIdx pkg_yield_{}, pkg_capacity_{}, hbm_wpm_{}, hbm_die_yield_{};
  std::size_t hbm_stock_ = 0, hbm_die_area_ = 0, hbm_layers_ = 0, hbm_stack_yield_ = 0;
  int hbm_baseline_gdw_ = 0;
  double hbm_baseline_area_ = 0;
  std::size_t fx_ = 0, h20_compute_ = 0, h100_compute_ = 0;

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

}  // namespace gpugap::supply
