// Immutable typed specs built from the parameter table. Engines take these,
// never YAML. Unknown values stay std::nullopt; `need_*` throws
// InsufficientData with the value's path.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "core/units.hpp"

namespace gpugap {
namespace perf {
struct KernelEvidence;  // perf/kernels.hpp
}

// The serving stack a chip is evaluated on (perf::serving_chip; chip_spec leaves it empty:
// the stack's pooled values, which validation starts from).
struct ServingStack {
  std::string backend;   // serving backend whose fitted values apply ("" = the stack's pooled values)
  std::string name;      // its display name (stacks.S.named.B.name, else the backend id)
  std::string why;       // why this backend: the default rule with its evidence count, or the request
  std::string values;    // the parameter group the efficiencies come from ("stacks.cuda.family.nvidia-hopper.backend.trtllm")
  std::string evidence;  // kernel tables with fitted overheads, fitted efficiencies, or pooled values
  int rows = 0;          // measurement rows behind the chosen values
  bool kernels = false;  // measured kernel tables replace the GEMM, attention and all-reduce efficiencies
  // Whose tables: "measured on this chip: ..." or "proxy CHIP (same silicon: ...): ..." ("" without tables).
  std::string kernel_source;
  // Without tables: the published operator microbenchmark the GEMMs run at ("" = none, eta_compute).
  std::string operator_evidence;
};

enum class Precision { kBf16 = 0, kFp16, kFp8, kInt8, kFp4 };
inline constexpr std::array<Precision, 5> kAllPrecisions = {Precision::kBf16, Precision::kFp16, Precision::kFp8,
                                                            Precision::kInt8, Precision::kFp4};
std::string_view precision_name(Precision p);
std::optional<Precision> parse_precision(std::string_view s);
// Bytes per element of a tensor stored at this precision.
double bytes_per_element(Precision p);

struct ChipSpec {
  std::string id;
  std::string name;
  std::string vendor;
  std::string country;  // the vendor's (Catalog::vendor_country)
  std::string stack;  // software stack id (catalog/stacks)
  std::array<std::optional<FlopsPerSecond>, 5> compute{};  // dense, by Precision
  std::optional<Bytes> mem_capacity;
  std::optional<BytesPerSecond> mem_bandwidth;
  std::optional<BytesPerSecond> scaleup_bandwidth;  // per chip, per direction
  std::optional<int> scaleup_domain;
  std::optional<BytesPerSecond> scaleout_bandwidth;  // per chip
  std::optional<Watts> tdp;
  std::optional<int> launch_year;
  std::optional<int> compute_dies;
  // Framework devices per package (software.devices_per_package): each its own rank and memory.
  std::optional<int> devices_per_package;
  std::optional<int> hbm_stacks;
  std::optional<double> die_area_mm2;
  std::string process_node;
  std::string foundry;
  std::map<std::string, std::optional<Usd>> price;  // by region, converted to USD
  std::optional<int> cn_available_from;
  std::optional<int> cn_available_until;
  // Software stack (chip value, else the stack's).
  std::optional<double> eta_compute;
  std::optional<double> eta_memory;
  std::optional<double> eta_comm;
  Seconds launch_overhead{0.0};
  Seconds ttft_overhead{0.0};  // fixed serving latency before the first token (API, scheduling)
  Seconds comm_latency{0.0};   // fixed time of one collective (launch + synchronisation)
  Seconds seq_overhead{0.0};   // host time per sequence in the batch per forward step (scheduling, sampling)
  bool calibrated = false;
  std::string calibration;  // provenance of the fitted values
  ServingStack serving;
  // Measured kernel rates of the serving backend on this chip (null: the roofline with the
  // efficiencies above); evaluate() and search() use them unless EvalOptions names others.
  std::shared_ptr<const perf::KernelEvidence> kernels;
  // Without tables: the fraction of the GEMM peak published microbenchmarks of the chip's family
  // reach (perf::serving_chip; 0: GEMMs at eta_compute, as every other operator).
  double gemm_fraction = 0;

  [[nodiscard]] std::string path(std::string_view field) const { return "chips." + id + "." + std::string(field); }
  [[nodiscard]] bool has(Precision p) const { return compute[static_cast<int>(p)].has_value(); }
  [[nodiscard]] FlopsPerSecond need_compute(Precision p) const;
  [[nodiscard]] Bytes need_capacity() const;
  [[nodiscard]] BytesPerSecond need_bandwidth() const;
  [[nodiscard]] Watts need_tdp() const;
  [[nodiscard]] Usd need_price(const std::string& region) const;
  [[nodiscard]] bool domestic() const { return country == catalog::Catalog::kDomesticCountry; }
};

enum class AttentionKind { kMha, kGqa, kMla };
enum class FfnKind { kDense, kMoe };

struct ModelSpec {
  std::string id;
  std::string name;
  double params_total = 0;   // parameters (not billions)
  double params_active = 0;
  int layers = 0;
  int hidden = 0;
  int vocab = 0;
  bool tie_embeddings = false;
  std::string native_format = "bf16";  // checkpoint format: bf16, fp16, fp8, int8, fp4, w4a16, w4a8
  AttentionKind attention = AttentionKind::kGqa;
  int heads = 0;
  int kv_heads = 0;
  int head_dim = 0;
  int q_lora_rank = 0;
  int kv_lora_rank = 0;
  int qk_nope_dim = 0;
  int qk_rope_dim = 0;
  int v_head_dim = 0;
  int sliding_window = 0;  // 0 = none
  int sliding_layers = 0;
  FfnKind ffn = FfnKind::kDense;
  int intermediate = 0;
  int experts = 0;
  int experts_per_token = 0;
  int shared_experts = 0;
  int expert_intermediate = 0;
  int shared_intermediate = 0;
  int dense_layers = 0;  // leading dense layers of an MoE model
  int mtp_layers = 0;

  [[nodiscard]] int moe_layers() const { return ffn == FfnKind::kMoe ? layers - dense_layers : 0; }
};

struct Workload {
  std::string id;
  std::string name;
  int isl = 0;
  int osl = 0;
  std::optional<Seconds> ttft_target;
  std::optional<Seconds> tpot_target;
};

struct SystemSpec {
  std::string id;
  std::string name;
  std::string vendor;
  std::string chip;
  std::optional<int> launch_year;
  std::optional<int> chips_per_domain;
  std::optional<BytesPerSecond> scaleup_bandwidth;
  std::optional<BytesPerSecond> scaleout_bandwidth;
  std::optional<Watts> power;
  std::optional<Usd> price;
  std::optional<int> racks;  // racks (cabinets) of the whole system, network racks included
};

struct RegionSpec {
  std::string id;
  std::string name;
  std::string currency;
  std::optional<double> fx_per_usd;
  std::optional<double> electricity_usd_per_kwh;
  std::optional<double> pue;
  std::optional<double> cost_of_capital;
  std::optional<double> depreciation_years;
  std::optional<double> server_overhead_fraction;
  std::optional<Usd> datacenter_capex_per_kw;
  std::optional<double> datacenter_years;
  std::optional<double> operations_fraction;
  std::optional<double> utilisation;
  [[nodiscard]] std::string path(std::string_view field) const { return "regions." + id + "." + std::string(field); }
};

// Builders: read the (possibly overridden) parameter table.
ChipSpec chip_spec(const catalog::Catalog& cat, const ParamTable& p, std::string_view id_or_alias);
ModelSpec model_spec(const catalog::Catalog& cat, const ParamTable& p, std::string_view id_or_alias);
Workload workload_spec(const catalog::Catalog& cat, const ParamTable& p, std::string_view id_or_alias);
SystemSpec system_spec(const catalog::Catalog& cat, const ParamTable& p, std::string_view id_or_alias);
RegionSpec region_spec(const catalog::Catalog& cat, const ParamTable& p, std::string_view id_or_alias);

// Converts a money parameter to USD (RMB through regions.cn.fx_per_usd).
std::optional<Usd> money_usd(const ParamTable& p, const Param& money);

}  // namespace gpugap
