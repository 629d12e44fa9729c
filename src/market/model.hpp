// The market engine: China cloud capex -> AI accelerator TAM (cloud chain plus
// the sovereign and innovator buyers) -> imports under an export-control regime
// -> domestic supply (the supply model's chips x ASP plus unsold stock) meeting
// the demand left, year by year -> domestic market, unmet demand and
// self-sufficiency as outcomes; the AI-infrastructure
// returns layer (depreciation, power, facility leasing, revenue -> margin,
// break-even year); valuation by vendor. Equations and sources:
// docs/model-market.md.
#pragma once

#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analysis/scenario.hpp"
#include "market/tokens.hpp"
#include "supply/model.hpp"
#include "supply/slots.hpp"

namespace gpugap::market {

using supply::kYears;
using supply::YearIdx;

// market.breakeven_year and market.breakeven_year_cashflow have no value (NaN:
// null in JSON) when the quantity stays negative through kLastYear; this says
// why, from the last year's revenue and the cost it had to cover (cost: the
// accounting cost, or for cash flow power + leasing + the year's server spend).
std::string no_breakeven_reason(bool cash_flow, double revenue_rmb_bn, double cost_rmb_bn);

struct ValuationIn {
  std::string vendor;
  std::optional<std::size_t> supply_vendor; // index into the supply model's vendors (none: not made there)
  std::optional<std::size_t> domestic_share;  // market.valuation.domestic_share.<vendor> (vendors supply lacks)
  std::optional<std::size_t> ps_multiple;   // market.valuation.ps_multiple.<vendor>
  std::optional<std::size_t> market_cap;    // market.valuation.market_cap_rmb_bn.<vendor>
};

class MarketModel {
 public:
  static std::shared_ptr<const MarketModel> build(const analysis::Context& ctx, const ParamTable& params);

  [[nodiscard]] const supply::Slots& slots() const { return slots_; }
  // What a run fills beyond the demand chain (TAM, self-sufficiency, domestic
  // market and their growth rates). A Monte Carlo sample asks for a few
  // metrics and skips the blocks that none of them reads.
  struct RunOptions {
    bool supply = true;     // run the supply model (into the scratch region at supply_offset(),
                            // so its own metrics can be read there too) and close the market:
                            // domestic sales, self-sufficiency, unmet demand, the domestic CAGR
    bool growth = true;     // TAM and capex CAGRs
    bool infra = true;      // AI-infrastructure returns: margin, break-even year (reads the closure's
                            // domestic share of each vintage when the model has supply)
    bool valuation = true;  // vendor shares, revenue and implied values (needs supply)
    supply::SupplyModel::RunOptions supply_options = supply::SupplyModel::kLean;
  };
  void run(std::span<const double> v, double* out, const RunOptions& options) const;
  // Options that fill at least the given market slots (supply off unless one needs it).
  [[nodiscard]] RunOptions options_for(const std::vector<std::size_t>& slots) const;

  // Metrics at or after this slot need the supply model.
  [[nodiscard]] std::size_t first_supply_metric() const { return first_supply_metric_; }
  [[nodiscard]] bool has_supply() const { return supply_ != nullptr; }
  [[nodiscard]] const std::string& supply_missing() const { return supply_missing_; }
  // The token inputs (demand.*) the AI-infrastructure revenue needs; empty when present.
  [[nodiscard]] const std::string& tokens_missing() const { return tokens_missing_; }
  [[nodiscard]] const supply::SupplyModel* supply_model() const { return supply_.get(); }
  [[nodiscard]] std::size_t supply_offset() const { return supply_base_; }
  [[nodiscard]] const std::vector<ValuationIn>& valuations() const { return valuations_; }
  // Every parameter index a run can read (with repeats), the supply model's included.
  [[nodiscard]] const std::vector<ParamIndex>& reads() const { return reads_; }

  struct Out {
    std::size_t capex, ai_capex_rmb, ai_capex_growth, ai_capex_bridged, implied_scope, chain, cloud, sovereign,
        innovator, non_cloud, tam, cloud_share, foreign, licensed, grey, adoption_cap;
    std::size_t infra_capex, infra_installed, infra_pre2024, infra_domestic_share, infra_gw, infra_dep, infra_power,
        infra_lease, infra_cost, infra_tokens, infra_price, infra_revenue, infra_profit, margin, infra_cash;
    std::size_t tam_cagr, capex_cagr, breakeven, cash_breakeven;
    // supply-dependent: the market closure
    std::size_t supply_value, available, domestic, self_suff, unmet, unsold, domestic_demand, domestic_cagr;
    std::size_t val_share, val_revenue, val_value, val_ps;  // by valuation vendor, yearly
  };
  [[nodiscard]] const Out& out() const { return out_; }

 private:
  void run_infra(std::span<const double> v, double* out, const std::array<double, kYears>& infra_capex,
                 bool closed) const;
  void run_supply(std::span<const double> v, double* out, const RunOptions& options) const;
  // build()'s steps: the valuation vendors (after the supply model), then the metric slots.
  void resolve_valuations(const ParamTable& params, const supply::Resolver& r);
  void register_slots();

  YearIdx capex_{}, overseas_{}, server_{}, ai_server_{}, accel_{}, sovereign_{}, innovator_{};
  // Import regime and adoption (docs/model-market.md section 3).
  YearIdx licensed_{}, guidance_{}, grey_{}, cap_cloud_{}, cap_sovereign_{}, cap_innovator_{};
  // AI capex in RMB (the tech companies' series) where a year has a figure, else
  // bridged from the cloud capex by FX and the scope ratio.
  YearIdx ai_capex_{}, scope_{}, subsidy_{};
  std::array<bool, kYears> ai_capex_given_{};
  std::size_t usd_per_kw_ = 0, servers_2022_ = 0, servers_2023_ = 0, pre2024_domestic_ = 0;
  std::shared_ptr<const TokenBook> tokens_;
  std::string tokens_missing_;
  std::size_t fx_ = 0, dep_years_ = 0, elec_ = 0, pue_ = 0, util_ = 0, dc_capex_ = 0, dc_years_ = 0;
  bool elec_rmb_ = false, dc_capex_rmb_ = false;
  std::vector<ValuationIn> valuations_;
  std::shared_ptr<const supply::SupplyModel> supply_;
  std::string supply_missing_;
  supply::Slots slots_;
  Out out_{};
  std::size_t first_supply_metric_ = 0;
  std::size_t supply_base_ = 0;
  std::vector<ParamIndex> reads_;
};

// The market's headline series, per model year (NaN where a year is undefined).
// Other engines read the market through this typed call, never through metric paths.
struct Totals {
  std::array<double, kYears> tam_usd_bn{};
  std::array<double, kYears> domestic_usd_bn{};
  // The supply model's years (chips and ASP by SKU): the fleet the bottom-up
  // demand buys each year. Empty without supply inputs.
  std::vector<supply::SupplyYear> supply;
};
// The series for one or many parameter vectors (Monte Carlo samples): the
// model is built once, each read runs only the blocks the two series need.
class TotalsReader {
 public:
  TotalsReader(const analysis::Context& ctx, const ParamTable& params);  // throws InsufficientData
  [[nodiscard]] Totals read(std::span<const double> values) const;

 private:
  std::shared_ptr<const MarketModel> model_;
  MarketModel::RunOptions options_;
  std::optional<supply::SupplyReader> supply_;
};
// The reader, or none when the market model lacks an input (figures shown beside others).
std::optional<TotalsReader> try_totals_reader(const analysis::Context& ctx, const ParamTable& params);
// The series at `params`' own values, or none likewise.
std::optional<Totals> try_totals(const analysis::Context& ctx, const ParamTable& params);

// Compound annual growth rate between two values n years apart.
inline double cagr(double from, double to, double years) {
  return from > 0 && years > 0 ? std::pow(to / from, 1.0 / years) - 1.0 : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace gpugap::market
