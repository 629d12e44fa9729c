#include "catalog/specs.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/suggest.hpp"

namespace gpugap {
namespace {

std::optional<double> opt(const ParamTable& p, const std::string& path) { return p.maybe(path); }

// Counts are stored as doubles; one too large for an int is a bad input, not a wrap-around.
int checked_int(const ParamTable& p, const std::string& path, double v) {
  constexpr double kMaxInt = 2147483647.0;
  if (!(std::fabs(v) <= kMaxInt))
    throw UserError(p.at(path).where, "a whole number below 2^31", fmt::format("{}", v));
  return static_cast<int>(std::lround(v));
}

std::optional<int> opt_int(const ParamTable& p, const std::string& path) {
  auto v = p.maybe(path);
  if (!v) return std::nullopt;
  return checked_int(p, path, *v);
}

template <class Q>
std::optional<Q> opt_q(const ParamTable& p, const std::string& path) {
  auto v = p.maybe(path);
  if (!v) return std::nullopt;
  return Q(*v);
}

int need_int(const ParamTable& p, const std::string& path) {
  auto v = p.maybe(path);
  if (!v) throw InsufficientData(path);
  return checked_int(p, path, *v);
}

int int_or(const ParamTable& p, const std::string& path, int fallback) {
  auto v = p.maybe(path);
  return v ? checked_int(p, path, *v) : fallback;
}

UserError contradiction(const catalog::Entry& e, const std::string& path, const std::string& expected,
                        const std::string& found) {
  // The file and line the key was given at (the entry's file when it is missing).
  const std::string prefix = e.kind + "." + e.id + ".";
  Location where = path.starts_with(prefix) ? e.at(path.substr(prefix.size())) : Location{e.file(), 0, path};
  where.path = path;
  return UserError(where, expected, found);
}

}  // namespace

std::string_view precision_name(Precision p) {
  switch (p) {
    case Precision::kBf16: return "bf16";
    case Precision::kFp16: return "fp16";
    case Precision::kFp8: return "fp8";
    case Precision::kInt8: return "int8";
    case Precision::kFp4: return "fp4";
  }
  return "?";
}

std::optional<Precision> parse_precision(std::string_view s) {
  for (auto p : kAllPrecisions)
    if (precision_name(p) == s) return p;
  return std::nullopt;
}

double bytes_per_element(Precision p) {
  switch (p) {
    case Precision::kBf16:
    case Precision::kFp16: return 2.0;
    case Precision::kFp8:
    case Precision::kInt8: return 1.0;
    case Precision::kFp4: return 0.5 + 1.0 / 16.0;  // 4-bit values plus one 8-bit scale per 16
  }
  return 2.0;
}

FlopsPerSecond ChipSpec::need_compute(Precision p) const {
  const auto& c = compute[static_cast<int>(p)];
  if (!c) throw InsufficientData(path("compute." + std::string(precision_name(p))));
  return *c;
}
Bytes ChipSpec::need_capacity() const {
  if (!mem_capacity) throw InsufficientData(path("memory.capacity"));
  return *mem_capacity;
}
BytesPerSecond ChipSpec::need_bandwidth() const {
  if (!mem_bandwidth) throw InsufficientData(path("memory.bandwidth"));
  return *mem_bandwidth;
}
Watts ChipSpec::need_tdp() const {
  if (!tdp) throw InsufficientData(path("power.tdp"));
  return *tdp;
}
Usd ChipSpec::need_price(const std::string& region) const {
  auto it = price.find(region);
  if (it == price.end() || !it->second) throw InsufficientData(path("price." + region));
  return *it->second;
}

std::optional<Usd> money_usd(const ParamTable& p, const Param& money) {
  if (money.is_null) return std::nullopt;
  if (money.currency == Currency::kRmb) {
    auto fx = p.maybe("regions.cn.fx_per_usd");
    if (!fx) throw InsufficientData("regions.cn.fx_per_usd");
    return Usd(money.value / *fx);
  }
  return Usd(money.value);
}

ChipSpec chip_spec(const catalog::Catalog& cat, const ParamTable& p, std::string_view name) {
  const auto& e = cat.entry("chips", name);
  ChipSpec c;
  c.id = e.id;
  const std::string base = "chips." + c.id + ".";
  c.name = e.str("name", c.id);
  c.vendor = e.str("vendor");
  c.country = cat.vendor_country(c.vendor);
  for (auto pr : kAllPrecisions)
    c.compute[static_cast<int>(pr)] = opt_q<FlopsPerSecond>(p, base + "compute." + std::string(precision_name(pr)));
  c.mem_capacity = opt_q<Bytes>(p, base + "memory.capacity");
  c.mem_bandwidth = opt_q<BytesPerSecond>(p, base + "memory.bandwidth");
  c.scaleup_bandwidth = opt_q<BytesPerSecond>(p, base + "scaleup.bandwidth");
  c.scaleup_domain = opt_int(p, base + "scaleup.domain_size");
  c.scaleout_bandwidth = opt_q<BytesPerSecond>(p, base + "scaleout.bandwidth");
  c.tdp = opt_q<Watts>(p, base + "power.tdp");
  c.launch_year = opt_int(p, base + "launch_year");
  c.compute_dies = opt_int(p, base + "silicon.compute_dies");
  c.devices_per_package = opt_int(p, base + "software.devices_per_package");
  c.hbm_stacks = opt_int(p, base + "memory.hbm_stacks");
  c.die_area_mm2 = opt(p, base + "silicon.die_area");
  c.process_node = e.str("silicon.process_node");
  c.foundry = e.str("silicon.foundry");
  c.cn_available_from = opt_int(p, base + "export_control.cn_available_from");
  c.cn_available_until = opt_int(p, base + "export_control.cn_available_until");
  for (const auto& region : cat.ids("regions")) {
    if (auto i = p.find(base + "price." + region)) c.price[region] = money_usd(p, p.at(*i));
  }
  // Software stack: the chip's own values, else its stack's.
  c.stack = e.str("software.stack");
  auto sw = [&](const std::string& key) -> std::optional<double> {
    if (auto v = opt(p, base + "software." + key)) return v;
    if (!c.stack.empty()) return opt(p, "stacks." + c.stack + "." + key);
    return std::nullopt;
  };
  c.eta_compute = sw("eta_compute");
  c.eta_memory = sw("eta_memory");
  c.eta_comm = sw("eta_comm");
  c.launch_overhead = Seconds(sw("launch_overhead").value_or(0.0));
  c.ttft_overhead = Seconds(sw("ttft_overhead").value_or(0.0));
  c.comm_latency = Seconds(sw("comm_latency").value_or(0.0));
  c.seq_overhead = Seconds(sw("seq_overhead").value_or(0.0));
  if (auto f = e.flags.find("software.calibrated"); f != e.flags.end()) c.calibrated = f->second;
  else if (const auto* st = c.stack.empty() ? nullptr : cat.find("stacks", c.stack)) {
    if (auto f2 = st->flags.find("calibrated"); f2 != st->flags.end()) c.calibrated = f2->second;
    c.calibration = st->str("calibration");
  }
  if (c.calibration.empty()) c.calibration = e.str("software.calibration");

  // Cross-field checks: lower precision never has less dense throughput.
  auto c16 = c.compute[static_cast<int>(Precision::kBf16)];
  auto c8 = c.compute[static_cast<int>(Precision::kFp8)];
  if (c16 && c8 && *c8 < *c16 * 0.99)
    throw contradiction(e, base + "compute.fp8", "fp8 compute >= bf16 compute (" + format_quantity(c16->value(), Dim::kCompute) + ")",
                        format_quantity(c8->value(), Dim::kCompute));
  return c;
}

ModelSpec model_spec(const catalog::Catalog& cat, const ParamTable& p, std::string_view name) {
  const auto& e = cat.entry("models", name);
  ModelSpec m;
  m.id = e.id;
  const std::string base = "models." + m.id + ".";
  m.name = e.str("name", m.id);
  m.params_total = p.maybe(base + "params_total_b").value_or(0.0) * 1e9;
  m.params_active = p.maybe(base + "params_active_b").value_or(0.0) * 1e9;
  m.layers = need_int(p, base + "layers");
  m.hidden = need_int(p, base + "hidden");
  m.vocab = need_int(p, base + "vocab");
  if (auto f = e.flags.find("tie_embeddings"); f != e.flags.end()) m.tie_embeddings = f->second;
  m.native_format = e.str("native_precision", "bf16");
  static const std::vector<std::string> formats = {"bf16", "fp16", "fp8", "int8", "fp4", "w4a16", "w4a8"};
  if (std::find(formats.begin(), formats.end(), m.native_format) == formats.end())
    throw UserError(e.at("native_precision"), "one of bf16, fp16, fp8, int8, fp4, w4a16, w4a8",
                    "'" + m.native_format + "'", suggest(m.native_format, formats));
  const std::string ak = e.str("attention.kind");
  if (ak == "mha") m.attention = AttentionKind::kMha;
  else if (ak == "gqa") m.attention = AttentionKind::kGqa;
  else if (ak == "mla") m.attention = AttentionKind::kMla;
  else throw UserError(e.at("attention.kind"), "mha, gqa or mla", "'" + ak + "'", suggest(ak, {"mha", "gqa", "mla"}));
  m.heads = need_int(p, base + "attention.heads");
  m.kv_heads = int_or(p, base + "attention.kv_heads", m.heads);
  m.head_dim = int_or(p, base + "attention.head_dim", m.heads ? m.hidden / m.heads : 0);
  m.q_lora_rank = int_or(p, base + "attention.q_lora_rank", 0);
  m.kv_lora_rank = int_or(p, base + "attention.kv_lora_rank", 0);
  m.qk_nope_dim = int_or(p, base + "attention.qk_nope_dim", 0);
  m.qk_rope_dim = int_or(p, base + "attention.qk_rope_dim", 0);
  m.v_head_dim = int_or(p, base + "attention.v_head_dim", m.head_dim);
  m.sliding_window = int_or(p, base + "attention.sliding_window", 0);
  m.sliding_layers = int_or(p, base + "attention.sliding_layers", 0);
  const std::string fk = e.str("ffn.kind");
  if (fk == "dense") m.ffn = FfnKind::kDense;
  else if (fk == "moe") m.ffn = FfnKind::kMoe;
  else throw UserError(e.at("ffn.kind"), "dense or moe", "'" + fk + "'", suggest(fk, {"dense", "moe"}));
  m.intermediate = int_or(p, base + "ffn.intermediate", 0);
  m.experts = int_or(p, base + "ffn.experts", 0);
  m.experts_per_token = int_or(p, base + "ffn.experts_per_token", 0);
  m.shared_experts = int_or(p, base + "ffn.shared_experts", 0);
  m.expert_intermediate = int_or(p, base + "ffn.expert_intermediate", 0);
  m.shared_intermediate = int_or(p, base + "ffn.shared_intermediate", m.expert_intermediate);
  m.dense_layers = int_or(p, base + "ffn.dense_layers", 0);
  m.mtp_layers = int_or(p, base + "mtp_layers", 0);

  // Cross-field checks.
  if (m.attention == AttentionKind::kMla && m.kv_lora_rank <= 0)
    throw contradiction(e, base + "attention.kv_lora_rank", "a positive kv_lora_rank for MLA", "none");
  if (m.attention != AttentionKind::kMla && (m.kv_heads <= 0 || m.kv_heads > m.heads || m.heads % m.kv_heads != 0))
    throw contradiction(e, base + "attention.kv_heads", fmt::format("kv_heads dividing heads ({})", m.heads),
                        std::to_string(m.kv_heads));
  if (m.ffn == FfnKind::kMoe) {
    if (m.experts <= 0 || m.experts_per_token <= 0 || m.experts_per_token > m.experts)
      throw contradiction(e, base + "ffn.experts_per_token",
                          fmt::format("experts_per_token in 1..experts ({})", m.experts), std::to_string(m.experts_per_token));
    if (m.expert_intermediate <= 0)
      throw contradiction(e, base + "ffn.expert_intermediate", "a positive expert size", "none");
  } else if (m.intermediate <= 0) {
    throw contradiction(e, base + "ffn.intermediate", "a positive FFN size for a dense model", "none");
  }
  if (m.dense_layers > m.layers)
    throw contradiction(e, base + "ffn.dense_layers", fmt::format("at most layers ({})", m.layers), std::to_string(m.dense_layers));
  return m;
}

Workload workload_spec(const catalog::Catalog& cat, const ParamTable& p, std::string_view name) {
  const auto& e = cat.entry("workloads", name);
  Workload w;
  w.id = e.id;
  const std::string base = "workloads." + w.id + ".";
  w.name = e.str("name", w.id);
  w.isl = need_int(p, base + "isl");
  w.osl = need_int(p, base + "osl");
  w.ttft_target = opt_q<Seconds>(p, base + "ttft_target");
  w.tpot_target = opt_q<Seconds>(p, base + "tpot_target");
  return w;
}

SystemSpec system_spec(const catalog::Catalog& cat, const ParamTable& p, std::string_view name) {
  const auto& e = cat.entry("systems", name);
  SystemSpec s;
  s.id = e.id;
  const std::string base = "systems." + s.id + ".";
  s.name = e.str("name", s.id);
  s.vendor = e.str("vendor");
  if (!e.str("chip").empty()) s.chip = cat.resolve("chips", e.str("chip"));
  s.launch_year = opt_int(p, base + "launch_year");
  s.chips_per_domain = opt_int(p, base + "chips_per_domain");
  s.scaleup_bandwidth = opt_q<BytesPerSecond>(p, base + "scaleup_bandwidth");
  s.scaleout_bandwidth = opt_q<BytesPerSecond>(p, base + "scaleout_bandwidth");
  s.power = opt_q<Watts>(p, base + "power");
  if (auto i = p.find(base + "price")) s.price = money_usd(p, p.at(*i));
  s.racks = opt_int(p, base + "racks");
  return s;
}

RegionSpec region_spec(const catalog::Catalog& cat, const ParamTable& p, std::string_view name) {
  const auto& e = cat.entry("regions", name);
  RegionSpec r;
  r.id = e.id;
  const std::string base = "regions." + r.id + ".";
  r.name = e.str("name", r.id);
  r.currency = e.str("currency", "USD");
  r.fx_per_usd = opt(p, base + "fx_per_usd");
  if (auto i = p.find(base + "electricity_price"); i && !p.at(*i).is_null) {
    const Param& ep = p.at(*i);
    double v = ep.value;
    if (ep.currency == Currency::kRmb) {
      auto fx = p.maybe("regions.cn.fx_per_usd");
      if (!fx) throw InsufficientData("regions.cn.fx_per_usd");
      v /= *fx;
    }
    r.electricity_usd_per_kwh = v;
  }
  r.pue = opt(p, base + "pue");
  r.cost_of_capital = opt(p, base + "cost_of_capital");
  r.depreciation_years = opt(p, base + "depreciation_years");
  r.server_overhead_fraction = opt(p, base + "server_overhead_fraction");
  if (auto i = p.find(base + "datacenter_capex_per_kw")) r.datacenter_capex_per_kw = money_usd(p, p.at(*i));
  r.datacenter_years = opt(p, base + "datacenter_years");
  r.operations_fraction = opt(p, base + "operations_fraction");
  r.utilisation = opt(p, base + "utilisation");
  return r;
}

}  // namespace gpugap
