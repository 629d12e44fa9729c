#include "perf/search_key.hpp"

#include <fmt/format.h>

#include "perf/kernels.hpp"

namespace gpugap::perf {
namespace {

// Appends fields separated by '|'; doubles round-trip exactly (17 digits), a missing value is '-'.
class KeyWriter {
 public:
  KeyWriter& add(double v) {
    fmt::format_to(std::back_inserter(k_), "|{:.17g}", v);
    return *this;
  }
  KeyWriter& add(int v) {
    fmt::format_to(std::back_inserter(k_), "|{}", v);
    return *this;
  }
  KeyWriter& add(bool v) { return add(v ? 1 : 0); }
  KeyWriter& add(std::string_view s) {
    k_ += '|';
    k_ += s;
    return *this;
  }
  template <class T>
  KeyWriter& add(const std::optional<T>& v) {
    if (v) return add(get(*v));
    k_ += "|-";
    return *this;
  }
  KeyWriter& section(char tag) {
    k_ += '#';
    k_ += tag;
    return *this;
  }
  std::string take() { return std::move(k_); }

 private:
  template <class T>
  static auto get(const T& v) {
    if constexpr (requires { v.value(); }) return v.value();
    else return v;
  }
  std::string k_;
};

// The chip's perf side: what prepare(), the search's layouts and formats, and
// econ's no-fit explanation read. Price, power, dates and silicon are money or
// supply inputs and stay out, so a sample that moves only them reuses the search.
void add_chip(KeyWriter& k, const ChipSpec& c) {
  k.section('c').add(c.id).add(c.stack);
  for (const auto& x : c.compute) k.add(x);
  k.add(c.mem_capacity).add(c.mem_bandwidth).add(c.scaleup_bandwidth).add(c.scaleup_domain).add(c.scaleout_bandwidth);
  k.add(c.eta_compute).add(c.eta_memory).add(c.eta_comm);
  k.add(c.launch_overhead.value()).add(c.ttft_overhead.value()).add(c.comm_latency.value()).add(c.seq_overhead.value());
  k.add(c.serving.backend).add(c.kernels ? c.kernels->describe() : std::string("-")).add(c.gemm_fraction);
}

// Every field of the model spec: the search reads most through model_constants().
void add_model(KeyWriter& k, const ModelSpec& m) {
  k.section('m').add(m.id).add(m.params_total).add(m.params_active).add(m.layers).add(m.hidden).add(m.vocab);
  k.add(m.tie_embeddings).add(m.native_format).add(static_cast<int>(m.attention)).add(m.heads).add(m.kv_heads);
  k.add(m.head_dim).add(m.q_lora_rank).add(m.kv_lora_rank).add(m.qk_nope_dim).add(m.qk_rope_dim).add(m.v_head_dim);
  k.add(m.sliding_window).add(m.sliding_layers).add(static_cast<int>(m.ffn)).add(m.intermediate).add(m.experts);
  k.add(m.experts_per_token).add(m.shared_experts).add(m.expert_intermediate).add(m.shared_intermediate);
  k.add(m.dense_layers).add(m.mtp_layers);
}

void add_workload(KeyWriter& k, const Workload& w) {
  k.section('w').add(w.id).add(w.isl).add(w.osl).add(w.ttft_target).add(w.tpot_target);
}

void add_options(KeyWriter& k, const SearchOptions& o) {
  k.section('o').add(o.ttft_target_s).add(o.tpot_target_s).add(static_cast<int>(o.formats.size()));
  for (const Format& f : o.formats) k.add(static_cast<int>(f.weights)).add(static_cast<int>(f.activations));
  k.add(o.kv ? static_cast<int>(*o.kv) : -1).add(o.allow_disagg).add(o.allow_mtp).add(o.allow_overlap).add(o.mtp_acceptance);
  k.add(o.mtp_acceptance_later);
  k.add(o.max_width).add(o.pareto).add(o.fixed_mode).add(static_cast<int>(o.mode));
}

}  // namespace

std::string search_key(const ChipSpec& chip, const ModelSpec& model, const Workload& w, const SearchOptions& opt) {
  KeyWriter k;
  add_chip(k, chip);
  add_model(k, model);
  add_workload(k, w);
  add_options(k, opt);
  return k.take();
}

}  // namespace gpugap::perf
