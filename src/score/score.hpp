// The two-layer vendor framework of the report's third question (which
// Chinese AI GPU vendors can win?): a computed quantitative layer (inference
// economics of each vendor's current and next chip, normalised to a reference
// chip) and a qualitative layer from sourced vendor data (capacity access,
// ties with cloud buyers, policy, roadmap), a composite with configurable
// weights, the four winning conditions checked one by one, and a rank.
// Pure functions: catalog + parameters + an economics source in, a value out.
// See docs/model-score.md.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "analysis/metrics.hpp"
#include "catalog/catalog.hpp"
#include "score/inference.hpp"
#include "supply/model.hpp"

namespace gpugap::score {

// The default normaliser of the quantitative layer: the report compares
// domestic parts with the H20, the NVIDIA part sold in China in volume.
inline constexpr std::string_view kDefaultReferenceChip = "nvidia-h20";
// The default model of the standard workload set: a 235B-parameter MoE that
// fits in one 8-chip domain of 96 GB parts (the H20 reference included), so
// that no chip is judged on a deployment its memory cannot hold (see
// docs/model-score.md).
inline constexpr std::string_view kDefaultModel = "qwen3-235b-a22b";
inline constexpr std::string_view kDefaultRegion = "cn";
// Scores of the qualitative layer run 0..5 (catalog/vendors, docs/catalog.md).
inline constexpr double kMaxScore = 5.0;

// The qualitative keys of catalog/vendors/<id>.yaml.
inline constexpr std::array<std::string_view, 4> kQualitativeKeys = {"capacity_access", "csp_ties", "policy",
                                                                     "roadmap"};
// The report's four winning conditions, in its order.
inline constexpr std::array<std::string_view, 4> kConditions = {"inference_economics", "capacity", "csp_ties",
                                                                "policy"};

// Scenario parameters of the scorecard (paths score.*).
struct Settings {
  // Composite weights: the quantitative layer and each qualitative key.
  double weight_quantitative = 0;
  std::map<std::string, double> weight_qualitative;  // capacity_access, csp_ties, policy, roadmap
  // Weights of the four metrics inside the quantitative layer.
  std::map<Metric, double> metric_weights;
  // The standard workload set and each workload's weight.
  std::map<std::string, double> workload_weights;
  // Thresholds of the four conditions: the quantitative index (1 = the
  // reference chip) and the qualitative scores (0..5).
  double threshold_index = 0;
  std::map<std::string, double> threshold_score;  // capacity, csp_ties, policy
  double full_marks_index = 0;    // quantitative index that earns 5/5
  double next_chip_weight = 0;    // weight of the next chip in the vendor's index
  int as_of_year = 0;             // "current" = launched by this year
  // Secured volume (capacity condition): vendors the supply model covers
  // need at least `threshold_supply_chips` chips in `supply_year`.
  int supply_year = 0;
  double threshold_supply_chips = 0;
  // The capacity key used in the composite is the lower of the judged score
  // and the supply model's volume on a 0-5 scale (5 at this many chips).
  double supply_full_marks = 0;
  std::map<std::string, double> supply_chips;  // vendor -> supply.chips.<vendor>.<supply_year> (filled by attach_supply)
  std::string reference_chip{kDefaultReferenceChip};
  // The reference part follows the import regime: in each year the US part with
  // the largest share of the licensed imports (gap.imports.mix.<chip>.<year>);
  // reference_chip is the one of as_of_year (kDefaultReferenceChip when the
  // scenario has no regime, noted in reference_source).
  std::map<int, std::string> reference_by_year;
  std::string reference_source = "default (the scenario has no gap.imports.mix)";
  std::string model{kDefaultModel};
  std::string region{kDefaultRegion};
};

// Reads score.* from the parameter table (InsufficientData on a missing one).
Settings settings(const ParamTable& p);

// The score.* parameters resolved to indices once (InsufficientData on a
// missing or null one, as settings()): a compiled Monte Carlo reads each
// sample's settings from its value vector, with no path look-up.
class SettingsReader {
 public:
  explicit SettingsReader(const ParamTable& p);
  [[nodiscard]] Settings read(std::span<const double> v) const;

 private:
  using Named = std::vector<std::pair<std::string, ParamIndex>>;
  ParamIndex quantitative_ = 0;
  Named qualitative_;
  std::vector<std::pair<Metric, ParamIndex>> metrics_;
  Named workloads_;
  ParamIndex threshold_index_ = 0;
  Named threshold_score_;
  ParamIndex full_marks_ = 0, next_chip_ = 0, as_of_ = 0, supply_year_ = 0, supply_chips_ = 0, supply_full_ = 0;
  std::vector<std::tuple<std::string, int, ParamIndex>> mix_;  // gap.imports.mix.<chip>.<year>
};
// Fills Settings::supply_chips from the supply model (vendors it covers);
// leaves it empty when the supply model cannot evaluate.
void attach_supply(const analysis::Context& ctx, const ParamTable& p, Settings& s);

// attach_supply for a compiled Monte Carlo: the supply model built once, run
// per sample on its values.
class SupplyVolumes {
 public:
  SupplyVolumes(const analysis::Context& ctx, const ParamTable& params);
  // Settings::supply_chips for `year` at the sample's values.
  [[nodiscard]] std::map<std::string, double> read(std::span<const double> v, int year) const;

 private:
  std::optional<supply::ChipsReader> reader_;
};

// ---- winning conditions with data ------------------------------------------

// One vendor-year of the supply model: its chips, its AI wafers and its share
// of its main node's AI wafers (capacity), and the watch metrics the supply
// model gives (revenue, gross margin, ASP = revenue / chips).
struct SupplyRow {
  int year = 0;
  double chips = 0;
  double wafers = 0;              // wafer starts of the vendor's products (supply.wafers_per_year)
  std::string node;               // the node where the vendor has the most wafers
  double node_ai_wafers = 0;      // that node's AI wafers in the year (supply.ai_wafers_per_month x 12)
  std::optional<double> node_share;  // wafers on the node / the node's AI wafers
  double revenue_usd_bn = 0, gross_margin = 0;
  std::optional<double> asp_usd;  // revenue / chips
};
// Per supply vendor, every modelled year; empty when the supply model cannot evaluate.
std::map<std::string, std::vector<SupplyRow>> supply_rows(const analysis::Context& ctx, const ParamTable& p);

// A named deployment of a vendor's chips at a buyer (catalog/vendors/<id>.yaml `deployments`).
struct Deployment {
  std::string buyer;
  std::string buyer_kind;          // cloud, telecom, internal, enterprise, ...
  std::string chip;                // chip id or "" when not named
  std::optional<int> year;
  std::optional<double> chips;     // null when the count is not public
  std::string source, confidence, note;
};
// An inclusion on a policy list (catalog/vendors/<id>.yaml `policy_lists`).
struct PolicyListing {
  std::string list;
  std::optional<int> year;
  bool included = true;            // false: a listing against the vendor (e.g. the US Entity List)
  std::string effect;              // "support" or "restriction"
  std::string source, confidence, note;
};
// Counted from the catalog up to a year (deployments: by their year; lists: by theirs).
struct Ties {
  int deployments = 0;
  int buyers = 0;                  // distinct buyers
  double chips_counted = 0;        // sum of the deployments with a public count
  int uncounted = 0;               // deployments whose count is not public
  int support_lists = 0, restriction_lists = 0;
};

// One chip's quantitative result against the reference chip.
struct ChipScore {
  std::string chip;
  std::optional<int> launch_year;
  std::vector<ChipEconomics> rows;              // one per workload
  std::map<Metric, Figure> ratio;               // workload-weighted ratio to the reference (higher = better)
  Figure index;                                 // metric-weighted mean of the ratios
  double coverage = 0;                          // fraction of the metric weight with data
  std::vector<std::string> missing;             // reasons, one per missing metric
};

// The figure behind a winning condition, and where its judgement comes from.
struct Evidence {
  std::string figure;     // e.g. "155,866 chips in 2027 = 14.2% of the modelled domestic output"
  std::string rationale;  // the judged score's rationale (catalog/vendors), or how the figure is computed
  std::string sources;    // "; "-separated
};

struct VendorScore {
  std::string vendor;
  std::string name;
  bool domestic = true;
  std::vector<std::string> chips;               // catalog order
  std::optional<ChipScore> current;
  std::optional<ChipScore> next;
  Figure quant_index;                           // blend of current and next
  Figure quantitative;                          // 0..5
  std::string quant_status;                     // "ok", "partial: ...", "insufficient data: ..."
  std::map<std::string, Figure> qualitative;    // key -> 0..5
  Figure qualitative_score;                     // weighted mean of the keys, 0..5
  double composite = 0;                         // 0..5
  std::string composite_basis;                  // "both layers" or "qualitative only (...)"
  // Both layers have data. Ranking puts complete vendors first: a composite
  // from the qualitative layer alone skips the layer the report calls
  // decisive, so it cannot outrank one that was measured on both.
  bool complete = false;
  int rank = 0;
  std::map<std::string, std::optional<bool>> conditions;  // null: insufficient data
  std::map<std::string, double> condition_value;
  std::map<std::string, double> condition_threshold;
  std::vector<std::string> conditions_missed;   // names not met or not known
  std::map<std::string, Evidence> evidence;     // condition -> the figure behind it
  std::optional<double> supply_chips;           // supply model: chips in Settings::supply_year
  std::vector<Deployment> deployments;          // named deployments (catalog), by year
  std::vector<PolicyListing> policy_lists;      // policy lists (catalog), by year
  Ties ties;                                    // counted through Settings::as_of_year
  std::vector<SupplyRow> supply;                // supply model, every year (capacity share, ASP, margin)
  std::vector<std::string> notes;
};

struct ScoreResult {
  Settings settings;
  ChipScore reference;                          // the reference chip itself (ratios 1)
  std::vector<VendorScore> vendors;             // domestic vendors, by rank
  std::vector<VendorScore> benchmarks;          // foreign vendors with a qualitative layer (not ranked)
  std::vector<std::string> notes;
};

// Vendors scored: every catalog vendor with a qualitative layer. Domestic
// (country cn) ones are ranked; the others are shown as benchmarks.
// `specs` (of `p`) gives the chip specs when given; otherwise they are built here.
ScoreResult evaluate(const catalog::Catalog& cat, const ParamTable& p, const Settings& s, const EconomicsSource& src,
                     const SpecBook* specs = nullptr);

// Convenience: the engine's perf/econ source (searches kept in `cache` when
// given) and the supply model's volumes (attach_supply, unless already given).
ScoreResult evaluate(const analysis::Context& ctx, const ParamTable& p, const Settings& s,
                     econ::SearchCache* cache = nullptr);

// ---- watch metrics -------------------------------------------------------

// One generation of a vendor's chips (spec progression).
struct Generation {
  std::string chip;
  std::string name;
  std::optional<int> launch_year;
  std::optional<double> compute_bf16;   // FLOP/s dense
  std::optional<double> compute_8bit;   // FLOP/s dense, max(FP8, INT8)
  std::optional<double> compute_fp4;
  std::optional<double> mem_bandwidth;  // B/s
  std::optional<double> mem_capacity;   // B
  std::optional<double> tdp;            // W
  std::optional<double> price_usd;      // region cn
};

// One dated vendor fact (shipments, ASP, gross margin, revenue).
struct Fact {
  std::string field;
  std::optional<int> year;
  std::optional<double> value;  // numeric value when the fact is a number
  std::string text;             // the value as written
  std::string unit;
  std::string source;
  std::string confidence;
  std::string note;
};

struct Watch {
  std::string vendor;
  std::string name;
  std::vector<Generation> generations;  // by launch year (unknown years last)
  std::vector<Fact> facts;              // watch fields only, by field then year
};

// The facts fields that the watch metrics follow.
inline constexpr std::array<std::string_view, 6> kWatchFields = {"shipments_units", "shipments_to_buyer", "asp",
                                                                 "gross_margin",    "revenue",            "revenue_ai_chips"};

Watch watch(const catalog::Catalog& cat, const ParamTable& p, const std::string& vendor);
// Vendors with a qualitative layer, domestic first, by id.
std::vector<std::string> scored_vendors(const catalog::Catalog& cat);

}  // namespace gpugap::score
