// Per-operator kernel evidence: achieved rates of GEMM, attention and all-reduce
// kernels measured per (system, serving backend), reduced from AIConfigurator's
// tables by tools/gen_kernels.py (data/kernels/README.md). The step model uses
// them instead of a fitted efficiency where a row's chip and backend have them.
#pragma once

#include <array>
#include <string>
#include <vector>

namespace gpugap::perf {

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
};

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
  // The evidence for a catalog chip and a backend; null when there is none.
  [[nodiscard]] const KernelEvidence* find(const std::string& chip_id, const std::string& backend) const;
  [[nodiscard]] const std::vector<KernelEvidence>& sets() const { return sets_; }

 private:
  std::vector<KernelEvidence> sets_;
};

}  // namespace gpugap::perf
