// The gap engine's settings: the gap.* parameters (and the import regime the
// US side follows) read from the parameter table, and the list of bases.
#include <fmt/format.h>

#include <cmath>
#include <optional>
#include <string>

#include "gap/gap.hpp"

namespace gpugap::gap {

SettingsReader::SettingsReader(const ParamTable& p) {
  auto need_index = [&](const std::string& path) {
    auto i = p.find(path);
    if (!i || p.at(*i).is_null) throw InsufficientData(path);
    return *i;
  };
  today_ = need_index("gap.today_year");
  horizon_ = need_index("gap.horizon_years");
  claim_lo_ = need_index("gap.claim.today_low");
  claim_hi_ = need_index("gap.claim.today_high");
  parity_ = need_index("gap.claim.parity_band");
  min_chips_ = need_index("gap.available_min_chips");
  const std::string wl = "score.workload_weights.";
  const std::string lic = "market.imports.licensed_usd_bn.", mix = "gap.imports.mix.";
  auto year_of = [](const std::string& path) -> std::optional<int> {
    const auto dot = path.rfind('.');
    const std::string tail = path.substr(dot + 1);
    if (tail.empty() || tail.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoi(tail);
  };
  for (ParamIndex i = 0; i < p.size(); ++i) {
    const Param& prm = p.at(i);
    if (prm.path.starts_with(lic) && !prm.is_null) {
      if (auto y = year_of(prm.path)) licensed_.emplace_back(*y, i);
    } else if (prm.path.starts_with(mix) && !prm.is_null) {
      const std::string rest = prm.path.substr(mix.size());
      const auto dot = rest.rfind('.');
      if (auto y = year_of(prm.path); y && dot != std::string::npos) mix_.emplace_back(rest.substr(0, dot), *y, i);
    }
    if (!prm.path.starts_with(wl)) continue;
    if (prm.is_null) throw InsufficientData(prm.path);
    workloads_.emplace_back(prm.path.substr(wl.size()), i);
  }
}

std::optional<std::string> regime_reference(const Settings& s, int year) {
  std::optional<std::string> best;
  double best_share = 0;
  for (const auto& [chip, years] : s.us_mix) {
    auto it = years.find(year);
    if (it == years.end() || it->second <= best_share) continue;
    best_share = it->second;
    best = chip;
  }
  return best;
}

Settings SettingsReader::read(std::span<const double> v) const {
  Settings s;
  s.today = static_cast<int>(std::lround(v[today_]));
  s.horizon_years = static_cast<int>(std::lround(v[horizon_]));
  s.claim_today_low = v[claim_lo_];
  s.claim_today_high = v[claim_hi_];
  s.claim_parity_band = v[parity_];
  s.available_min_chips = v[min_chips_];
  for (const auto& [y, i] : licensed_) s.licensed_usd_bn[y] = v[i];
  for (const auto& [chip, y, i] : mix_) s.us_mix[chip][y] = v[i];
  for (const auto& [k, i] : workloads_)
    if (v[i] > 0) s.workload_weights[k] = v[i];
  if (s.workload_weights.empty()) throw InsufficientData("score.workload_weights.*");
  if (!s.workload_weights.count(s.system_workload)) s.system_workload = s.workload_weights.begin()->first;
  s.model = std::string(score::kDefaultModel);
  return s;
}

Settings settings(const ParamTable& p) { return SettingsReader(p).read(p.values()); }

std::vector<Basis> bases(const Settings& s) {
  std::vector<Basis> b;
  b.push_back({"compute_bf16", BasisKind::kComputeBf16, "", true, "FLOP/s", "peak dense BF16 compute per chip"});
  b.push_back({"compute_8bit", BasisKind::kCompute8bit, "", true, "FLOP/s", "peak dense 8-bit compute per chip (FP8, else INT8)"});
  b.push_back({"memory_bandwidth", BasisKind::kMemoryBandwidth, "", true, "B/s", "memory bandwidth per chip"});
  if (!s.perf_bases) return b;
  for (const auto& [wl, w] : s.workload_weights)
    b.push_back({"tps_" + wl, BasisKind::kTpsChip, wl, true, "tokens/s",
                 "predicted output tokens/s per chip on " + wl + " (" + s.model + ", best deployment under the targets)"});
  // Systems differ in size (8 to 9,216 chips): compared per chip and per MW, never as totals.
  b.push_back({"tps_system_per_chip", BasisKind::kTpsSystemPerChip, s.system_workload, true, "tokens/s",
               "predicted output tokens/s per chip inside its scale-up system on " + s.system_workload});
  b.push_back({"tps_system_per_mw", BasisKind::kTpsSystemPerMw, s.system_workload, true, "tokens/s/MW",
               "predicted output tokens/s of a scale-up system per MW of the system's power on " + s.system_workload});
  b.push_back({"tps_system_per_rack", BasisKind::kTpsSystemPerRack, s.system_workload, true, "tokens/s/rack",
               "predicted output tokens/s of a scale-up system per rack it occupies (network racks included) on " +
                   s.system_workload});
  b.push_back({"tps_system_per_musd", BasisKind::kTpsSystemPerMusd, s.system_workload, true, "tokens/s/MUSD",
               "predicted output tokens/s of a scale-up system per million USD of the system's price on " + s.system_workload});
  b.push_back({"usd_per_mtok", BasisKind::kUsdPerMtok, "", false, "USD/Mtok",
               "cost per million output tokens in region " + s.region + " (workload-weighted)"});
  b.push_back({"tps_per_watt", BasisKind::kTpsPerWatt, "", true, "tokens/s/W", "output tokens/s per wall watt (workload-weighted)"});
  b.push_back({"tps_per_watt_per_kusd", BasisKind::kTpsPerWattPerKusd, "", true, "tokens/s/W/kUSD",
               "tokens/s per watt per thousand USD of chip price in region " + s.region + " (workload-weighted)"});
  return b;
}

}  // namespace gpugap::gap
