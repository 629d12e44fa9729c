#include "catalog/schema.hpp"

#include <map>

namespace gpugap::catalog {
namespace {
using K = FieldKind;

// Keys every entry kind has.
std::vector<Field> common() {
  return {{"id", K::kString, Dim::kNumber, false, true},
          {"name", K::kString},
          {"aliases", K::kStringList},
          {"source", K::kString},
          {"as_of", K::kString},
          {"confidence", K::kString},
          {"notes", K::kString},
          {"status", K::kString}};
}

std::vector<Field> with_common(std::vector<Field> own) {
  auto all = common();
  all.insert(all.end(), own.begin(), own.end());
  return all;
}

// long function: one declarative table of every kind's fields, kept whole so
// that the schema reads (and is reviewed) in one place.
const std::map<std::string, std::vector<Field>, std::less<>>& table() {
  static const std::map<std::string, std::vector<Field>, std::less<>> t = {
      {"chips",
       with_common({
           {"vendor", K::kString, Dim::kNumber, false, true},
           {"launch_year", K::kQuantity, Dim::kYear},
           {"compute.bf16", K::kQuantity, Dim::kCompute, true, false, "dense BF16 per chip"},
           {"compute.fp16", K::kQuantity, Dim::kCompute, true},
           {"compute.fp8", K::kQuantity, Dim::kCompute, true},
           {"compute.int8", K::kQuantity, Dim::kCompute, true},
           {"compute.fp4", K::kQuantity, Dim::kCompute, true},
           {"memory.type", K::kString},
           {"memory.capacity", K::kQuantity, Dim::kBytes, true},
           {"memory.bandwidth", K::kQuantity, Dim::kBandwidth, true},
           {"memory.hbm_stacks", K::kQuantity, Dim::kCount},
           {"scaleup.interconnect", K::kString},
           {"scaleup.bandwidth", K::kQuantity, Dim::kBandwidth, true, false, "per chip, per direction after conversion"},
           {"scaleup.domain_size", K::kQuantity, Dim::kCount, true},
           {"scaleout.bandwidth", K::kQuantity, Dim::kBandwidth, true},
           {"power.tdp", K::kQuantity, Dim::kPower, true},
           {"silicon.process_node", K::kString},
           {"silicon.foundry", K::kString},
           {"silicon.compute_dies", K::kQuantity, Dim::kCount, true},
           {"silicon.die_area", K::kQuantity, Dim::kArea, true},
           {"silicon.transistors_bn", K::kQuantity, Dim::kNumber, true},
           {"price.*", K::kQuantity, Dim::kMoney, true, false, "per chip in a region"},
           {"software.stack", K::kString},
           {"software.devices_per_package", K::kQuantity, Dim::kCount, true, false, "framework devices (ranks, each with its own memory) one package shows: Ascend 910C 2 (one per die), B200 1 (two dies, one CUDA device)"},
           {"software.family", K::kString, Dim::kNumber, false, false, "chips of one generation and stack: where fitted efficiencies transfer (default: the chip id)"},
           {"software.eta_compute", K::kQuantity, Dim::kFraction, true},
           {"software.eta_memory", K::kQuantity, Dim::kFraction, true},
           {"software.eta_comm", K::kQuantity, Dim::kFraction, true},
           {"software.launch_overhead", K::kQuantity, Dim::kTime},
           {"software.ttft_overhead", K::kQuantity, Dim::kTime},
           {"software.comm_latency", K::kQuantity, Dim::kTime},
           {"software.seq_overhead", K::kQuantity, Dim::kTime},
           {"software.benchmark_burst", K::kQuantity, Dim::kFraction},
           {"software.calibrated", K::kBool},
           {"software.calibration", K::kString},
           {"export_control.cn_available_from", K::kQuantity, Dim::kYear},
           {"export_control.cn_available_until", K::kQuantity, Dim::kYear},
           {"export_control.note", K::kString},
       })},
      {"systems",
       with_common({
           {"vendor", K::kString},
           {"chip", K::kString, Dim::kNumber, false, false, "chip id; empty when not public"},
           {"launch_year", K::kQuantity, Dim::kYear},
           {"chips_per_domain", K::kQuantity, Dim::kCount, true},
           {"scaleup_bandwidth", K::kQuantity, Dim::kBandwidth, true},
           {"scaleout_bandwidth", K::kQuantity, Dim::kBandwidth, true},
           {"power", K::kQuantity, Dim::kPower, true},
           {"price", K::kQuantity, Dim::kMoney, true},
           {"racks", K::kQuantity, Dim::kCount, true, false, "racks (cabinets) the system occupies, network racks included"},
       })},
      {"models",
       with_common({
           {"params_total_b", K::kQuantity, Dim::kNumber, true},
           {"params_active_b", K::kQuantity, Dim::kNumber, true},
           {"layers", K::kQuantity, Dim::kCount, true, true},
           {"hidden", K::kQuantity, Dim::kCount, true, true},
           {"vocab", K::kQuantity, Dim::kCount, true},
           {"tie_embeddings", K::kBool},
           {"native_precision", K::kString},
           {"attention.kind", K::kString, Dim::kNumber, false, true},
           {"attention.heads", K::kQuantity, Dim::kCount, true},
           {"attention.kv_heads", K::kQuantity, Dim::kCount, true},
           {"attention.head_dim", K::kQuantity, Dim::kCount, true},
           {"attention.q_lora_rank", K::kQuantity, Dim::kCount},
           {"attention.kv_lora_rank", K::kQuantity, Dim::kCount, true},
           {"attention.qk_nope_dim", K::kQuantity, Dim::kCount},
           {"attention.qk_rope_dim", K::kQuantity, Dim::kCount},
           {"attention.v_head_dim", K::kQuantity, Dim::kCount},
           {"attention.sliding_window", K::kQuantity, Dim::kCount},
           {"attention.sliding_layers", K::kQuantity, Dim::kCount},
           {"ffn.kind", K::kString, Dim::kNumber, false, true},
           {"ffn.intermediate", K::kQuantity, Dim::kCount},
           {"ffn.experts", K::kQuantity, Dim::kCount},
           {"ffn.experts_per_token", K::kQuantity, Dim::kCount},
           {"ffn.shared_experts", K::kQuantity, Dim::kCount},
           {"ffn.expert_intermediate", K::kQuantity, Dim::kCount},
           {"ffn.shared_intermediate", K::kQuantity, Dim::kCount},
           {"ffn.dense_layers", K::kQuantity, Dim::kCount},
           {"mtp_layers", K::kQuantity, Dim::kCount},
           {"mtp_acceptance", K::kQuantity, Dim::kFraction, false, false, "probability a draft token is accepted"},
           {"mtp_acceptance_later", K::kQuantity, Dim::kFraction, false, false,
            "probability a draft after the first is accepted, given the one before it was (absent: mtp_acceptance)"},
       })},
      {"workloads",
       with_common({
           {"isl", K::kQuantity, Dim::kCount, true, true},
           {"osl", K::kQuantity, Dim::kCount, true, true},
           {"ttft_target", K::kQuantity, Dim::kTime, true},
           {"tpot_target", K::kQuantity, Dim::kTime, true},
           {"description", K::kString},
       })},
      {"regions",
       with_common({
           {"currency", K::kString},
           {"fx_per_usd", K::kQuantity, Dim::kNumber, true},
           {"electricity_price", K::kQuantity, Dim::kEnergyPrice, true},
           {"pue", K::kQuantity, Dim::kNumber, true},
           {"cost_of_capital", K::kQuantity, Dim::kFraction},
           {"depreciation_years", K::kQuantity, Dim::kNumber, true},
           {"server_overhead_fraction", K::kQuantity, Dim::kNumber},
           {"datacenter_capex_per_kw", K::kQuantity, Dim::kMoney, true},
           {"datacenter_years", K::kQuantity, Dim::kNumber, true},
           {"operations_fraction", K::kQuantity, Dim::kFraction},
           {"utilisation", K::kQuantity, Dim::kFraction},
           {"electricity_price_foreign_chips", K::kQuantity, Dim::kEnergyPrice, true, false,
            "price paid by sites running non-domestic chips (when it differs)"},
           {"network_fraction", K::kQuantity, Dim::kNumber, false, false,
            "networking capex as a fraction of accelerator cost"},
           {"host_power_fraction", K::kQuantity, Dim::kNumber, false, false,
            "non-accelerator IT power as a fraction of accelerator TDP"},
       })},
      {"stacks",
       with_common({
           {"eta_compute", K::kQuantity, Dim::kFraction, true, false, "achieved fraction of peak compute"},
           {"eta_memory", K::kQuantity, Dim::kFraction, true, false, "achieved fraction of peak memory bandwidth"},
           {"eta_comm", K::kQuantity, Dim::kFraction, true, false, "achieved fraction of link bandwidth"},
           {"launch_overhead", K::kQuantity, Dim::kTime, false, false, "fixed time per forward step (host scheduling, sampling, launch)"},
           {"ttft_overhead", K::kQuantity, Dim::kTime, false, false, "fixed latency before the first token (API, scheduling)"},
           {"comm_latency", K::kQuantity, Dim::kTime, false, false, "fixed time of one collective"},
           {"seq_overhead", K::kQuantity, Dim::kTime, false, false, "host time per sequence in the batch per forward step (scheduling, input preparation, sampling)"},
           {"benchmark_burst", K::kQuantity, Dim::kFraction, false, false, "share of benchmark requests sent in the first simultaneous wave (validation only)"},
           {"calibrated", K::kBool},
           {"calibration", K::kString},
           {"named.*.name", K::kString, Dim::kNumber, false, false, "a serving stack on this vendor stack, by the backend name measurement rows give it"},
           {"named.*.separate", K::kBool, Dim::kNumber, false, false, "its rows fit only its own groups, never the pooled stack and family fits"},
           {"named.*.source", K::kString},
           {"named.*.released", K::kBool, Dim::kNumber, false, false,
            "false: not a product one can run (a publication's in-house stack); never a chip's default serving stack"},
           {"backend.*.eta_compute", K::kQuantity, Dim::kFraction, true},
           {"backend.*.eta_memory", K::kQuantity, Dim::kFraction, true},
           {"backend.*.eta_comm", K::kQuantity, Dim::kFraction, true},
           {"backend.*.launch_overhead", K::kQuantity, Dim::kTime},
           {"backend.*.ttft_overhead", K::kQuantity, Dim::kTime},
           {"backend.*.comm_latency", K::kQuantity, Dim::kTime},
           {"backend.*.seq_overhead", K::kQuantity, Dim::kTime},
           {"backend.*.benchmark_burst", K::kQuantity, Dim::kFraction, false, false, "share of benchmark requests sent in the first simultaneous wave"},
           {"family.*.backend.*.eta_compute", K::kQuantity, Dim::kFraction, true},
           {"family.*.backend.*.eta_memory", K::kQuantity, Dim::kFraction, true},
           {"family.*.backend.*.eta_comm", K::kQuantity, Dim::kFraction, true},
           {"family.*.backend.*.launch_overhead", K::kQuantity, Dim::kTime},
           {"family.*.backend.*.ttft_overhead", K::kQuantity, Dim::kTime},
           {"family.*.backend.*.comm_latency", K::kQuantity, Dim::kTime},
           {"family.*.backend.*.seq_overhead", K::kQuantity, Dim::kTime},
           {"family.*.backend.*.benchmark_burst", K::kQuantity, Dim::kFraction},
           {"family.*.backend.*.rows", K::kQuantity, Dim::kCount},
           {"family.*.backend.*.kernels", K::kBool, Dim::kNumber, false, false,
            "fitted on kernel tables (overheads only): its efficiencies are not evidence for a chip of the family without them"},
           {"family.*.backend.*.model.*.eta_compute", K::kQuantity, Dim::kFraction, true},
           {"family.*.backend.*.model.*.eta_memory", K::kQuantity, Dim::kFraction, true},
           {"family.*.backend.*.model.*.launch_overhead", K::kQuantity, Dim::kTime},
           {"family.*.backend.*.model.*.ttft_overhead", K::kQuantity, Dim::kTime},
           {"family.*.backend.*.model.*.comm_latency", K::kQuantity, Dim::kTime},
           {"family.*.backend.*.model.*.seq_overhead", K::kQuantity, Dim::kTime},
           {"family.*.backend.*.model.*.benchmark_burst", K::kQuantity, Dim::kFraction},
           {"family.*.backend.*.model.*.rows", K::kQuantity, Dim::kCount, false, false,
            "measurements of this model the values were fitted on (model id with '.' written '_')"},
           {"backend.*.rows", K::kQuantity, Dim::kCount, false, false, "measurements the backend values were fitted on"},
       })},
      {"vendors",
       with_common({
           {"country", K::kString},
           {"chips", K::kStringList},
           {"facts", K::kAny},
           {"gaps", K::kAny},
           {"deployments", K::kAny, Dim::kNumber, false, false,
            "named deployments: buyer, buyer_kind, chip, year, chips (null: not public), source, confidence"},
           {"policy_lists", K::kAny, Dim::kNumber, false, false,
            "policy lists naming the vendor: list, year, effect (support | restriction), source, confidence"},
           {"qualitative.*", K::kScore, Dim::kNumber, false, false, "0..5 score with rationale and sources"},
       })},
      {"scenarios",
       with_common({
           {"description", K::kString},
           {"extends", K::kString},
           {"params", K::kAny},
           {"published", K::kAny},
           {"uncertainty", K::kAny},
           {"correlations", K::kAny},
           {"dirichlet", K::kAny},
           {"report_chips", K::kStringList},
           // The serving backend chips are evaluated on (as --stack-backend; perf/serving.hpp).
           {"stack_backend", K::kString},
       })},
  };
  return t;
}
}  // namespace

const std::vector<std::string>& kinds() {
  static const std::vector<std::string> k = {"chips",   "systems", "models",  "workloads",
                                             "regions", "stacks",  "vendors", "scenarios"};
  return k;
}

const std::vector<Field>& schema_for(std::string_view kind) {
  static const std::vector<Field> empty;
  auto it = table().find(kind);
  return it == table().end() ? empty : it->second;
}

const std::vector<std::string>& quantity_keys() {
  static const std::vector<std::string> k = {"value", "source", "as_of", "confidence", "estimate",
                                             "rationale", "note", "direction", "date"};
  return k;
}

}  // namespace gpugap::catalog
