// The China-US gap over time: for each basis (peak compute, memory bandwidth,
// predicted tokens/s per chip, per chip inside its scale-up system and per MW
// of a system: never a raw system total against a system of another size;
// cost per million tokens, tokens/s per watt and per watt per dollar), each comparison set
// ("available in China" under the dated export-control rules of the catalog,
// and the "global frontier") and each year, the best US and the best domestic
// part launched by then, and the ratio US / domestic (>1: the US leads); beside
// it the best domestic part whose vendor ships at least gap.available_min_chips
// that year, and the shipment-weighted domestic average (weights: the supply
// model's chips per vendor).
// A lever decomposition swaps one lever at a time (per-die compute, packaging,
// scale-up, software efficiency) from the US part into the domestic one.
// Pure functions; see docs/model-gap.md.
#pragma once

#include <map>
#include <optional>
#include <tuple>
#include <span>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "score/inference.hpp"
#include "score/score.hpp"

namespace gpugap::gap {

enum class Set { kChina, kGlobal };
inline constexpr Set kAllSets[] = {Set::kChina, Set::kGlobal};
std::string_view set_name(Set s);  // "china", "global"

enum class Side { kUs, kDomestic, kOther };
// US vendors' parts vs Chinese vendors', by the vendor's catalog `country`
// ("us"; "cn" is ChipSpec::domestic()).
inline constexpr std::string_view kUsCountry = "us";
Side side_of(const ChipSpec& c);

enum class BasisKind { kComputeBf16, kCompute8bit, kMemoryBandwidth, kTpsChip, kTpsSystemPerChip, kTpsSystemPerMw,
                       kTpsSystemPerRack, kTpsSystemPerMusd, kUsdPerMtok, kTpsPerWatt, kTpsPerWattPerKusd };
// The bases that judge a scale-up system (normalised per chip, MW, rack or USD; never a raw total).
bool is_system(BasisKind k);

struct Basis {
  std::string id;          // path component: compute_bf16, tps_chat, usd_per_mtok, ...
  BasisKind kind = BasisKind::kComputeBf16;
  std::string workload;    // kTpsChip / system bases: one workload; economics bases: the weighted set
  bool higher_is_better = true;
  std::string unit;
  std::string description;
  [[nodiscard]] bool needs_perf() const { return kind != BasisKind::kComputeBf16 && kind != BasisKind::kCompute8bit && kind != BasisKind::kMemoryBandwidth; }
};

// Scenario parameters of the gap analysis (paths gap.*), plus the model and
// workload set of the perf-based bases.
struct Settings {
  int today = 0;            // gap.today_year
  int horizon_years = 0;    // gap.horizon_years ("within four years")
  std::string model;
  std::map<std::string, double> workload_weights;  // score.workload_weights.* (the standard set)
  std::string system_workload = "chat";            // workload of the per-system basis
  std::string region = "cn";
  bool perf_bases = true;   // false: spec bases only (fast)
  std::vector<int> decomposition_years;            // empty: today and today + horizon
  // The report's claim (scenario gap.claim.*, from the report): a gap within
  // [claim_today_low, claim_today_high] today and within claim_parity_band of
  // 1 (either way) at the horizon.
  double claim_today_low = 0, claim_today_high = 0, claim_parity_band = 0;
  // A domestic part is "available" (shipping in volume) in a year when its
  // vendor ships at least this many chips that year (gap.available_min_chips).
  double available_min_chips = 0;
  // Chips per domestic vendor per year from the supply model (attach_supply);
  // empty: the supply model did not evaluate (available and weighted: no data).
  std::map<std::string, std::map<int, double>> vendor_chips;
  // The US side in China follows the market's import regime: licensed imports
  // per year (market.imports.licensed_usd_bn.<year>) split over the US parts
  // sold into China (gap.imports.mix.<chip>.<year>, shares of the licensed
  // dollars); chips of a part = dollars x share / its China price. Empty: the
  // scenario has no regime (the weighted US side is insufficient data).
  std::map<int, double> licensed_usd_bn;
  std::map<std::string, std::map<int, double>> us_mix;
};
// The US part with the largest share of the licensed imports in a year (the
// reference part of that year), or none when the regime names no part.
std::optional<std::string> regime_reference(const Settings& s, int year);
Settings settings(const ParamTable& p);

// The gap.* and score.workload_weights.* parameters resolved to indices once
// (InsufficientData on a missing or null one, as settings()): a compiled
// Monte Carlo reads each sample's settings from its value vector.
class SettingsReader {
 public:
  explicit SettingsReader(const ParamTable& p);
  [[nodiscard]] Settings read(std::span<const double> v) const;

 private:
  ParamIndex today_ = 0, horizon_ = 0, claim_lo_ = 0, claim_hi_ = 0, parity_ = 0, min_chips_ = 0;
  std::vector<std::pair<std::string, ParamIndex>> workloads_;
  std::vector<std::pair<int, ParamIndex>> licensed_;
  std::vector<std::tuple<std::string, int, ParamIndex>> mix_;
};

std::vector<Basis> bases(const Settings& s);

// Fills Settings::vendor_chips from the supply model for every modelled year
// (left empty when the supply model cannot evaluate).
void attach_supply(const analysis::Context& ctx, const ParamTable& p, Settings& s);
// The same from a supply model built once (a compiled Monte Carlo), at the sample's values.
void attach_supply(const score::SupplyVolumes& volumes, std::span<const double> v, Settings& s);

// One candidate part (a chip, or a scale-up system for the system bases).
struct Part {
  std::string id;          // chip or system id
  std::string chip;        // its chip
  std::string vendor;      // its chip's vendor
  Side side = Side::kOther;
  std::optional<int> launch_year;
  std::optional<int> cn_from;   // available in China from (null: never)
  std::optional<int> cn_until;  // ... until (null: still)
  score::Figure value;     // the basis figure
  std::string detail;      // e.g. deployment, or "72 chips x 1234 tok/s / 120 kW"
};

// Whether a part counts on its side in a year and set.
bool counts(const Part& p, Set set, int year);

struct Cell {
  int year = 0;
  Set set = Set::kChina;
  std::optional<Part> us;        // best US part counting that year
  std::optional<Part> domestic;  // best domestic part
  score::Figure ratio;           // US advantage factor (>1: US ahead)
  // The best domestic part whose vendor ships >= available_min_chips this year.
  std::optional<Part> domestic_available;
  score::Figure ratio_available;
  // Shipment-weighted domestic figure: each supply-modelled vendor's best part
  // counting this year, weighted by the vendor's chips this year. The US side
  // stays the best part (its weights need the market's import regime).
  score::Figure domestic_weighted;
  score::Figure ratio_weighted;
  double weighted_chips = 0;     // total weight
  // China set: the US side weighted by the import regime's chips per part
  // (Settings::licensed_usd_bn x us_mix / China price); ratio_weighted compares
  // it with domestic_weighted. Global set: the best US part.
  score::Figure us_weighted;
  double us_weighted_chips = 0;
  std::vector<std::pair<std::string, double>> us_mix;  // part id -> chips that year
};

struct LeverResult {
  std::string lever;             // process, packaging, scaleup, software, all
  std::string description;
  score::Figure ratio_after;     // the gap with this lever swapped into the domestic part
  score::Figure share_closed;    // ln(r0 / r1) / ln(r0): fraction of the (log) gap closed
};

// Shares add up: the four single-lever shares + interaction + residual = 1,
// where residual = ln(ratio with every lever swapped) / ln(ratio) is the part
// of the gap no lever moves (price, power, system integration, ...), and
// interaction = share(all) - sum of the single shares is what the levers close
// only together (or double-count alone). A lever whose values are the same on
// both parts has share 0.
struct Decomposition {
  std::string basis;
  Set set = Set::kChina;
  int year = 0;
  std::string us_part, domestic_part;  // chips (system bases: the systems' chips)
  std::string us_system, domestic_system;  // system bases only
  score::Figure ratio;
  std::vector<LeverResult> levers;
  score::Figure interaction;  // share(all) - sum of the applicable single-lever shares
  score::Figure residual;     // 1 - share(all): the gap left with every lever swapped
  std::string status = "ok";
};

struct BasisResult {
  Basis basis;
  std::vector<Part> parts;       // every candidate with its figure
  std::vector<Cell> cells;       // by set, then year
};

struct GapResult {
  Settings settings;
  std::vector<BasisResult> bases;
  std::vector<Decomposition> decompositions;
  std::vector<std::string> notes;
  [[nodiscard]] const Cell* cell(const std::string& basis, Set set, int year) const;
};

// The whole analysis with a given economics source (tests: hand-made).
// `specs` (of `p`) gives the chip and system specs when given; otherwise they are built here.
GapResult evaluate(const catalog::Catalog& cat, const ParamTable& p, const Settings& s, const score::EconomicsSource& src,
                   const score::SpecBook* specs = nullptr);
GapResult evaluate(const analysis::Context& ctx, const ParamTable& p, const Settings& s,
                   econ::SearchCache* cache = nullptr);

// The report's claim: a system-level gap of "~1.5-2x today, ~1x within four
// years" (mission.md Q2), its numbers in the scenario (Settings::claim_*).
struct ClaimCheck {
  std::string basis;
  Set set = Set::kChina;
  int today = 0, horizon = 0;
  score::Figure today_ratio, horizon_ratio;
  std::optional<bool> holds_today;    // ratio in [claim_today_low, claim_today_high] (null: no ratio)
  std::optional<bool> holds_horizon;  // ratio within claim_parity_band of 1
  score::Figure today_weighted, horizon_weighted;  // the same on the shipment-weighted domestic figure
  std::optional<bool> weighted_holds_today, weighted_holds_horizon;
  std::string verdict;
};
std::vector<ClaimCheck> check_claim(const GapResult& r);

// The levers, applied to a copy of the domestic chip from the US chip.
enum class Lever { kProcess, kPackaging, kScaleup, kSoftware, kAll };
inline constexpr Lever kAllLevers[] = {Lever::kProcess, Lever::kPackaging, Lever::kScaleup, Lever::kSoftware, Lever::kAll};
std::string_view lever_name(Lever l);
// Returns the modified domestic spec, or throws InsufficientData(path) when a
// value the swap needs is null. With `memory_only`, packaging swaps the HBM
// alone (no die counts needed: the memory-bandwidth basis).
ChipSpec swap_lever(const ChipSpec& domestic, const ChipSpec& us, Lever l, bool memory_only = false);
// Whether a lever can move a basis (peak compute: process and packaging;
// bandwidth: packaging; everything else: all). `all` = the relevant ones.
bool lever_applies(BasisKind b, Lever l);
// Below this gap factor (either way) lever shares are not reported: the log
// of a ratio near 1 makes any share explode.
inline constexpr double kMinGapForShares = 1.05;

}  // namespace gpugap::gap
