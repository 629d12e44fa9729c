// Per-operator kernel evidence: achieved rates of GEMM, attention and all-reduce
// kernels measured per (system, serving backend), reduced from AIConfigurator's
// tables by tools/gen_kernels.py (data/kernels/README.md). The step model uses
// them instead of a fitted efficiency where a row's chip and backend have them.
#pragma once

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "catalog/specs.hpp"

namespace gpugap::perf {

// The fields of one line of an unquoted side table (kernels, proxies, operator evidence,
// intervals): split at every comma, a trailing comma giving an empty last field.
std::vector<std::string> split_plain_csv(const std::string& line);

// y(x) piecewise linear in log x between measured points, constant beyond the
// first and last (no extrapolation of a curve past its evidence).
class Curve {
 public:
  Curve() = default;
  // x strictly increasing and positive, y positive, same length (>= 1).
  Curve(std::vector<double> x, std::vector<double> y);
  [[nodiscard]] double at(double x) const;
  [[nodiscard]] bool empty() const { return lx_.empty(); }
  [[nodiscard]] const std::vector<double>& xs() const { return x_; }
  [[nodiscard]] const std::vector<double>& ys() const { return y_; }

 private:
  std::vector<double> x_, lx_, y_;
};

// Kernel formats of the tables (GEMM activation types; KV-cache types).
enum class KernelType : int { kBf16 = 0, kFp8, kFp4, kCount };
inline constexpr int kKernelTypes = static_cast<int>(KernelType::kCount);

// The kernels of one (system, backend, version).
struct KernelEvidence {
  std::string system, backend, version, chip_id;  // chip_id: the catalog chip the system resolves to
  // A GEMM of M tokens and an N x K weight takes gemm_fixed_s(M) + 2 M N K / gemm_tflops(M):
  // a fixed latency and the rate large matrices approach (both fitted per M over the table's shapes).
  std::array<Curve, kKernelTypes> gemm_tflops;
  std::array<Curve, kKernelTypes> gemm_fixed_s;
  std::array<Curve, kKernelTypes> decode_gbps;     // decode attention by KV bytes read per call, by KV type
  Curve prefill_tflops;                            // causal context attention by FLOPs per call (BF16)
  std::vector<std::pair<int, Curve>> allreduce_s;  // by ranks: seconds by message bytes
  [[nodiscard]] const Curve* allreduce(int ranks) const;
  [[nodiscard]] std::string describe() const;  // "AIConfigurator h200_sxm trtllm 1.3.0rc10"
  // Set for tables carried from another chip of the same silicon (transfer): why, for `describe`,
  // and the chip they were measured on (add_proxies).
  std::string carried, proxy;
};

// A chip's peaks as the transfer of kernel curves sees them (catalog values; 0: unknown).
struct ChipPeaks {
  std::array<double, kKernelTypes> gemm{};  // dense FLOP/s of each GEMM type
  double attn = 0;                          // dense BF16 FLOP/s (attention)
  double bw = 0;                            // memory bytes/s
  double link = 0;                          // scale-up bytes/s per chip
};

// The kernels of `ref` (measured on a chip with peaks `from`) carried to a chip of the same
// silicon with peaks `to`: every operator runs at the fraction of its roofline the reference
// achieved at the same shape. A GEMM of M tokens at the fraction of min(peak, 2M / weight bytes
// x bandwidth), decode attention at the fraction of the bandwidth, context attention at the
// fraction of the BF16 peak; the fixed cost of a call is the reference's; an all-reduce takes the
// reference's latency plus the time its bytes need more over the slower link.
// The peaks of a catalog chip (its dense compute by GEMM type, memory and scale-up bandwidth).
ChipPeaks chip_peaks(const ChipSpec& chip);

KernelEvidence transfer(const KernelEvidence& ref, const ChipPeaks& from, const ChipPeaks& to, const std::string& chip_id,
                        const std::string& why);

// One line of data/kernels/proxies.csv: a chip without tables and the chip with tables of the
// same die and memory whose measured curves it runs at (with the source that says so).
struct KernelProxy {
  std::string chip, proxy, reason, source, as_of, confidence;
};

// A published operator microbenchmark of a chip without kernel tables (data/kernels/
// ascend-evidence.csv): what one kernel achieved, its share of the catalog's peak, its source.
struct OperatorEvidence {
  std::string chip, op, dtype, shape, unit, source, date, confidence, note;
  double achieved = 0, fraction_of_peak = 0;
};
// Malformed input throws UserError naming file, line and column.
std::vector<OperatorEvidence> read_operator_evidence(const std::string& path);
// The GEMM evidence a chip of family `family` runs at where it has no tables: the best measured
// fraction of peak among `ev`'s GEMM rows whose chip `family_of` maps to `family`; null: none.
template <class FamilyOf>
const OperatorEvidence* best_gemm_evidence(const std::vector<OperatorEvidence>& ev, const std::string& family, FamilyOf family_of) {
  const OperatorEvidence* best = nullptr;
  for (const auto& e : ev)
    if (e.op == "gemm" && family_of(e.chip) == family && (!best || e.fraction_of_peak > best->fraction_of_peak)) best = &e;
  return best;
}

class KernelTables {
 public:
  // Reads data/kernels/kernels.csv; `resolve` maps a system name to a catalog chip
  // id ("" when unknown: its rows are kept but match no chip). Malformed input
  // throws UserError naming file, line and column.
  template <class Resolve>
  static KernelTables load(const std::string& path, Resolve resolve) {
    KernelTables t = read(path);
    for (auto& e : t.sets_) e.chip_id = resolve(e.system);
    return t;
  }
  static KernelTables read(const std::string& path);
  // Reads data/kernels/proxies.csv (chip,proxy,reason,source,as_of,confidence); malformed
  // input throws UserError naming file, line and column.
  static std::vector<KernelProxy> read_proxies(const std::string& path);
  // For each proxy line whose chip has no tables of its own, the proxy chip's tables (every
  // backend) carried to the chip; `peaks` gives a chip's peaks (nullopt: unknown, skipped).
  template <class Peaks>
  void add_proxies(const std::vector<KernelProxy>& proxies, Peaks peaks) {
    std::vector<KernelEvidence> added;
    for (const auto& p : proxies) {
      if (std::any_of(sets_.begin(), sets_.end(), [&](const KernelEvidence& e) { return e.chip_id == p.chip; })) continue;
      const auto to = peaks(p.chip);
      const auto from = peaks(p.proxy);
      if (!to || !from) continue;
      for (const auto& e : sets_)
        if (e.chip_id == p.proxy) {
          added.push_back(transfer(e, *from, *to, p.chip, p.reason));
          added.back().proxy = p.proxy;
        }
    }
    for (auto& e : added) sets_.push_back(std::move(e));
  }
  // The evidence for a catalog chip and a backend; null when there is none.
  [[nodiscard]] const KernelEvidence* find(const std::string& chip_id, const std::string& backend) const;
  [[nodiscard]] const std::vector<KernelEvidence>& sets() const { return sets_; }
  // The published operator microbenchmarks read beside the tables (ascend-evidence.csv).
  [[nodiscard]] const std::vector<OperatorEvidence>& operator_evidence() const { return evidence_; }
  void set_operator_evidence(std::vector<OperatorEvidence> e) { evidence_ = std::move(e); }

 private:
  std::vector<KernelEvidence> sets_;
  std::vector<OperatorEvidence> evidence_;
};

}  // namespace gpugap::perf
