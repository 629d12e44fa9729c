// The China-US gap over time: for each basis (peak compute, memory bandwidth,
// predicted tokens/s per chip and per scale-up system, cost per million
// tokens, tokens/s per watt and per watt per dollar), each comparison set
// ("available in China" under the dated export-control rules of the catalog,
// and the "global frontier") and each year, the best US and the best domestic
// part launched by then, and the ratio US / domestic (>1: the US leads).
// A lever decomposition swaps one lever at a time (per-die compute, packaging,
// scale-up, software efficiency) from the US part into the domestic one.
// Pure functions; see docs/model-gap.md.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "score/inference.hpp"

namespace gpugap::gap {

enum class Set { kChina, kGlobal };
inline constexpr Set kAllSets[] = {Set::kChina, Set::kGlobal};
std::string_view set_name(Set s);  // "china", "global"

enum class Side { kUs, kDomestic, kOther };
// US vendors' parts vs Chinese vendors', by the vendor's catalog `country`
// ("us"; "cn" is ChipSpec::domestic()).
inline constexpr std::string_view kUsCountry = "us";
Side side_of(const ChipSpec& c);

enum class BasisKind { kComputeBf16, kCompute8bit, kMemoryBandwidth, kTpsChip, kTpsSystem, kTpsSystemPerChip,
                       kUsdPerMtok, kTpsPerWatt, kTpsPerWattPerKusd };

struct Basis {
  std::string id;          // path component: compute_bf16, tps_chat, usd_per_mtok, ...
  BasisKind kind = BasisKind::kComputeBf16;
  std::string workload;    // kTpsChip / kTpsSystem: one workload; economics bases: the weighted set
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
};
Settings settings(const ParamTable& p);

// The gap.* and score.workload_weights.* parameters resolved to indices once
// (InsufficientData on a missing or null one, as settings()): a compiled
// Monte Carlo reads each sample's settings from its value vector.
class SettingsReader {
 public:
  explicit SettingsReader(const ParamTable& p);
  [[nodiscard]] Settings read(std::span<const double> v) const;

 private:
  ParamIndex today_ = 0, horizon_ = 0;
  std::vector<std::pair<std::string, ParamIndex>> workloads_;
};

std::vector<Basis> bases(const Settings& s);

// One candidate part (a chip, or a scale-up system for kTpsSystem).
struct Part {
  std::string id;          // chip or system id
  std::string chip;        // its chip
  Side side = Side::kOther;
  std::optional<int> launch_year;
  std::optional<int> cn_from;   // available in China from (null: never)
  std::optional<int> cn_until;  // ... until (null: still)
  score::Figure value;     // the basis figure
  std::string detail;      // e.g. deployment, or "72 chips x 1234 tok/s"
};

// Whether a part counts on its side in a year and set.
bool counts(const Part& p, Set set, int year);

struct Cell {
  int year = 0;
  Set set = Set::kChina;
  std::optional<Part> us;        // best US part counting that year
  std::optional<Part> domestic;  // best domestic part
  score::Figure ratio;           // US advantage factor (>1: US ahead)
};

struct LeverResult {
  std::string lever;             // process, packaging, scaleup, software, all
  std::string description;
  score::Figure ratio_after;     // the gap with this lever swapped into the domestic part
  score::Figure share_closed;    // ln(r0 / r1) / ln(r0): fraction of the (log) gap closed
};

struct Decomposition {
  std::string basis;
  Set set = Set::kChina;
  int year = 0;
  std::string us_part, domestic_part;
  score::Figure ratio;
  std::vector<LeverResult> levers;
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
// years" (mission.md Q2). "~1x" is read as parity within kParityBand either way.
inline constexpr double kClaimTodayLo = 1.5;
inline constexpr double kClaimTodayHi = 2.0;
inline constexpr double kParityBand = 1.2;

struct ClaimCheck {
  std::string basis;
  Set set = Set::kChina;
  int today = 0, horizon = 0;
  score::Figure today_ratio, horizon_ratio;
  std::optional<bool> holds_today;    // ratio in [1.5, 2.0] (null: no ratio)
  std::optional<bool> holds_horizon;  // ratio in [1/1.2, 1.2]
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
