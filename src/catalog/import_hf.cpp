// Hugging Face config.json -> catalog model entry: see import_hf.hpp and
// docs/catalog.md ("Importing a Hugging Face config").
#include "catalog/import_hf.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "core/error.hpp"
#include "core/sha256.hpp"
#include "core/suggest.hpp"

namespace gpugap::catalog {
namespace {

using nlohmann::json;

enum class Family { kDense, kDeepseek, kQwenMoe, kLocalExperts, kGemma };

// model_type -> how its fields read. One table: adding an architecture is one line here
// plus its fields below.
const std::map<std::string, Family, std::less<>>& families() {
  static const std::map<std::string, Family, std::less<>> f = {
      {"llama", Family::kDense},          {"mistral", Family::kDense},         {"qwen2", Family::kDense},
      {"qwen3", Family::kDense},          {"deepseek_v3", Family::kDeepseek},  {"deepseek_v32", Family::kDeepseek},
      {"kimi_k2", Family::kDeepseek},     {"glm4_moe", Family::kDeepseek},     {"glm_moe_dsa", Family::kDeepseek},
      {"qwen2_moe", Family::kQwenMoe},    {"qwen3_moe", Family::kQwenMoe},     {"mixtral", Family::kLocalExperts},
      {"gpt_oss", Family::kLocalExperts}, {"minimax_m2", Family::kLocalExperts}, {"gemma2", Family::kGemma},
      {"gemma3_text", Family::kGemma}};
  return f;
}

// Fields that change nothing gpugap models (tokens ids, initialisation, norms' epsilon,
// RoPE variants, router training losses, runtime switches): read and left out.
const std::set<std::string, std::less<>>& ignored() {
  static const std::set<std::string, std::less<>> s = {
      "architectures", "transformers_version", "bos_token_id", "eos_token_id", "pad_token_id", "initializer_range",
      "rms_norm_eps", "hidden_act", "hidden_activation", "use_cache", "attention_dropout", "attention_bias", "mlp_bias",
      "rope_theta", "rope_scaling", "rope_parameters", "rope_interleave", "indexer_rope_interleave", "rotary_dim",
      "partial_rotary_factor", "max_position_embeddings", "initial_context_length", "auto_map", "pretraining_tp",
      "aux_loss_alpha", "seq_aux", "router_aux_loss_coef", "output_router_logits", "norm_topk_prob", "n_group",
      "topk_group", "topk_method", "scoring_func", "routed_scaling_factor", "ep_size", "use_qk_norm", "qk_norm_type",
      "use_routing_bias", "swiglu_limit", "router_jitter_noise", "query_pre_attn_scalar", "final_logit_softcapping",
      "attn_logit_softcapping", "cache_implementation", "rope_local_base_freq", "_name_or_path"};
  return s;
}

struct Val {
  std::optional<double> v;
  std::string from;     // config fields read
  std::string derived;  // how it was derived (empty: read verbatim)
};

class Config {
 public:
  Config(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {
    try {
      j_ = json::parse(text_);
    } catch (const json::exception& e) {
      throw UserError(Location{file_, 0, ""}, "a JSON object (a Hugging Face config.json)", e.what());
    }
    if (!j_.is_object()) throw UserError(Location{file_, 0, ""}, "a JSON object (a Hugging Face config.json)", j_.type_name());
  }

  [[nodiscard]] Location at(std::string_view key) const {
    const auto pos = text_.find("\"" + std::string(key) + "\"");
    const int line = pos == std::string_view::npos ? 0 : 1 + static_cast<int>(std::count(text_.begin(), text_.begin() + pos, '\n'));
    return Location{file_, line, std::string(key)};
  }
  [[nodiscard]] bool has(std::string_view key) const { return j_.contains(key) && !j_.at(std::string(key)).is_null(); }
  const json& raw(std::string_view key) {
    used_.insert(std::string(key));
    return j_.at(std::string(key));
  }
  void mark(std::string_view key) { used_.insert(std::string(key)); }

  std::optional<long long> opt_int(std::string_view key) {
    used_.insert(std::string(key));
    if (!has(key)) return std::nullopt;
    const json& v = j_.at(std::string(key));
    if (!v.is_number_integer() || v.get<long long>() < 0)
      throw UserError(at(key), "a whole number >= 0", v.dump());
    return v.get<long long>();
  }
  long long need_int(std::string_view key, bool positive = true) {
    auto v = opt_int(key);
    if (!v) throw UserError(at(key), fmt::format("the field '{}' (this architecture needs it)", key), "none");
    if (positive && *v <= 0) throw UserError(at(key), "a whole number >= 1", std::to_string(*v));
    return *v;
  }
  std::optional<bool> opt_bool(std::string_view key) {
    used_.insert(std::string(key));
    if (!has(key)) return std::nullopt;
    const json& v = j_.at(std::string(key));
    if (!v.is_boolean()) throw UserError(at(key), "true or false", v.dump());
    return v.get<bool>();
  }
  std::optional<std::string> opt_str(std::string_view key) {
    used_.insert(std::string(key));
    if (!has(key)) return std::nullopt;
    const json& v = j_.at(std::string(key));
    if (!v.is_string()) throw UserError(at(key), "a string", v.dump());
    return v.get<std::string>();
  }

  // Every field must have been read or be on the ignored list: one gpugap does not
  // know could change the model, so it stops the import.
  void finish(const std::string& model_type) const {
    std::vector<std::string> known(used_.begin(), used_.end());
    known.insert(known.end(), ignored().begin(), ignored().end());
    for (const auto& [k, v] : j_.items()) {
      if (used_.contains(k) || ignored().contains(k)) continue;
      throw UserError(at(k), fmt::format("a config.json field gpugap understands for model_type '{}'", model_type),
                      "'" + k + "' (not imported: it may change the model)", suggest(k, known));
    }
  }

 private:
  std::string_view text_;
  std::string file_;
  json j_;
  std::set<std::string, std::less<>> used_;
};

Val read(Config& c, std::string_view key) {
  return {static_cast<double>(c.need_int(key)), std::string(key), ""};
}
Val derived(double v, std::string from, std::string how) { return {v, std::move(from), std::move(how)}; }
Val null_val(std::string why) { return {std::nullopt, "", std::move(why)}; }

struct Model {
  std::string model_type, native_precision, precision_from, attention_kind, ffn_kind;
  bool tie = false;
  std::string tie_from;
  Val layers, hidden, vocab, heads, kv_heads, head_dim, q_lora, kv_lora, qk_nope, qk_rope, v_head, window, sliding_layers;
  Val intermediate, experts, experts_per_token, shared_experts, expert_intermediate, shared_intermediate, dense_layers, mtp;
  Val total_b, active_b;
  std::vector<std::string> notes;
};

std::string native_precision(Config& c, Model& m) {
  if (c.has("quantization_config")) {
    const json& q = c.raw("quantization_config");
    const std::string method = q.is_object() && q.contains("quant_method") && q["quant_method"].is_string()
                                   ? q["quant_method"].get<std::string>() : "";
    m.precision_from = "quantization_config.quant_method '" + method + "'";
    c.mark("torch_dtype");  // the unquantised layers' dtype: the quantised weights set the format
    c.mark("dtype");
    if (method == "fp8") return "fp8";
    if (method == "mxfp4") return "fp4";
    throw UserError(c.at("quantization_config"), "quant_method fp8 or mxfp4 (the ones gpugap maps to a format)",
                    "'" + method + "'", suggest(method, {"fp8", "mxfp4"}));
  }
  for (const char* key : {"torch_dtype", "dtype"}) {
    if (auto d = c.opt_str(key)) {
      m.precision_from = std::string(key) + " '" + *d + "'";
      if (*d == "bfloat16") return "bf16";
      if (*d == "float16") return "fp16";
      throw UserError(c.at(key), "bfloat16 or float16", "'" + *d + "'", suggest(*d, {"bfloat16", "float16"}));
    }
  }
  throw UserError(c.at("torch_dtype"), "torch_dtype, dtype or quantization_config (the checkpoint's precision)", "none");
}

void read_attention(Config& c, Model& m) {
  m.heads = read(c, "num_attention_heads");
  const double heads = *m.heads.v;
  if (c.has("kv_lora_rank")) {
    m.attention_kind = "mla";
    m.kv_heads = c.has("num_key_value_heads") ? read(c, "num_key_value_heads")
                                              : derived(heads, "num_attention_heads", "no num_key_value_heads: = heads");
    m.kv_lora = read(c, "kv_lora_rank");
    m.q_lora = c.has("q_lora_rank") ? read(c, "q_lora_rank") : (c.mark("q_lora_rank"), null_val("q_lora_rank null: no query compression"));
    m.qk_nope = read(c, "qk_nope_head_dim");
    m.qk_rope = read(c, "qk_rope_head_dim");
    m.v_head = read(c, "v_head_dim");
    if (auto qk = c.opt_int("qk_head_dim"); qk && double(*qk) != *m.qk_nope.v + *m.qk_rope.v)
      throw UserError(c.at("qk_head_dim"), fmt::format("qk_nope_head_dim + qk_rope_head_dim = {}", *m.qk_nope.v + *m.qk_rope.v),
                      std::to_string(*qk));
    c.mark("head_dim");  // MLA's head sizes are the qk_nope/qk_rope/v fields
    m.head_dim = null_val("MLA: the head sizes are qk_nope_dim, qk_rope_dim and v_head_dim");
    if (c.has("index_topk")) {
      for (const char* k : {"index_topk", "index_n_heads", "index_head_dim"}) (void)c.opt_int(k);
      m.notes.push_back("DeepSeek sparse attention (index_topk, index_n_heads, index_head_dim) is not modelled: attention is costed as dense MLA");
    }
    return;
  }
  m.kv_heads = c.has("num_key_value_heads") ? read(c, "num_key_value_heads")
                                            : derived(heads, "num_attention_heads", "no num_key_value_heads: = heads (MHA)");
  m.attention_kind = *m.kv_heads.v == heads ? "mha" : "gqa";
  m.head_dim = c.has("head_dim") ? read(c, "head_dim")
                                 : (c.mark("head_dim"), derived(std::floor(*m.hidden.v / heads), "hidden_size, num_attention_heads",
                                                                "hidden_size / num_attention_heads"));
}

// Sliding-window layers: layer_types when the config lists them, else the architecture's rule.
void read_sliding(Config& c, Model& m, Family fam) {
  const auto layers = static_cast<long long>(*m.layers.v);
  long long sliding = 0;
  std::string from, how;
  if (c.has("layer_types")) {
    const json& t = c.raw("layer_types");
    if (!t.is_array() || static_cast<long long>(t.size()) != layers)
      throw UserError(c.at("layer_types"), fmt::format("a list of {} layer types", layers), t.dump().substr(0, 80));
    for (const auto& x : t) {
      const std::string s = x.is_string() ? x.get<std::string>() : x.dump();
      if (s == "sliding_attention") ++sliding;
      else if (s != "full_attention")
        throw UserError(c.at("layer_types"), "sliding_attention or full_attention (gpugap models no other attention)", "'" + s + "'",
                        suggest(s, {"sliding_attention", "full_attention"}));
    }
    from = "layer_types";
    how = "count of sliding_attention in layer_types";
  } else if (fam == Family::kGemma) {
    if (m.model_type == "gemma2") {
      sliding = (layers + 1) / 2;
      how = "Gemma 2: every even-indexed layer is sliding";
    } else {
      const long long p = c.need_int("sliding_window_pattern");
      sliding = layers - layers / p;
      how = fmt::format("sliding_window_pattern {}: every {}th layer is global", p, p);
    }
    from = "num_hidden_layers";
  } else if (c.opt_bool("use_sliding_window").value_or(true) && c.has("sliding_window")) {
    if (c.has("use_sliding_window"))
      throw UserError(c.at("use_sliding_window"), "false (Qwen's max_window_layers rule is not modelled)", "true");
    sliding = layers;
    from = "sliding_window";
    how = "sliding_window set without a layer pattern: every layer";
  }
  c.mark("use_sliding_window");
  c.mark("max_window_layers");
  c.mark("sliding_window_pattern");
  if (sliding > 0) {
    m.window = read(c, "sliding_window");
    m.sliding_layers = how.empty() ? Val{double(sliding), from, ""} : derived(double(sliding), from, how);
  } else {
    c.mark("sliding_window");
    m.window = null_val("");
    m.sliding_layers = derived(0, from.empty() ? "sliding_window" : from, "no sliding-window layer");
  }
}

Val none_of(const char* why) { return derived(0, "model_type", why); }

// long function: each family's FFN fields, side by side so their differences read at a glance.
void read_ffn(Config& c, Model& m, Family fam) {
  const double layers = *m.layers.v;
  auto mtp_none = [&] { m.mtp = none_of("this architecture has no MTP head"); };
  if (fam == Family::kDense || fam == Family::kGemma) {
    m.ffn_kind = "dense";
    m.intermediate = read(c, "intermediate_size");
    m.dense_layers = derived(layers, "num_hidden_layers", "dense model: every layer");
    mtp_none();
    return;
  }
  m.ffn_kind = "moe";
  m.experts_per_token = read(c, "num_experts_per_tok");
  if (fam == Family::kDeepseek) {
    m.experts = read(c, "n_routed_experts");
    m.shared_experts = c.has("n_shared_experts") ? read(c, "n_shared_experts") : (c.mark("n_shared_experts"), none_of("no n_shared_experts"));
    m.expert_intermediate = read(c, "moe_intermediate_size");
    m.shared_intermediate = *m.shared_experts.v > 0 ? derived(*m.expert_intermediate.v, "moe_intermediate_size",
                                                              "a shared expert is the size of a routed one")
                                                    : null_val("no shared expert");
    const long long dense = c.opt_int("first_k_dense_replace").value_or(0);
    m.dense_layers = Val{double(dense), "first_k_dense_replace", ""};
    m.intermediate = dense > 0 ? read(c, "intermediate_size") : (c.mark("intermediate_size"), null_val("no dense layer"));
    if (auto f = c.opt_int("moe_layer_freq"); f && *f != 1)
      throw UserError(c.at("moe_layer_freq"), "1 (an MoE block in every layer after the dense ones)", std::to_string(*f));
    m.mtp = c.has("num_nextn_predict_layers") ? Val{double(c.need_int("num_nextn_predict_layers", false)), "num_nextn_predict_layers", ""}
                                              : (c.mark("num_nextn_predict_layers"), none_of("no num_nextn_predict_layers"));
    return;
  }
  if (fam == Family::kQwenMoe) {
    m.experts = read(c, "num_experts");
    m.expert_intermediate = read(c, "moe_intermediate_size");
    if (auto s = c.opt_int("decoder_sparse_step"); s && *s != 1)
      throw UserError(c.at("decoder_sparse_step"), "1 (an MoE block in every layer)", std::to_string(*s));
    long long dense = 0;
    if (c.has("mlp_only_layers")) {
      const json& l = c.raw("mlp_only_layers");
      if (!l.is_array()) throw UserError(c.at("mlp_only_layers"), "a list of layer indices", l.dump());
      dense = static_cast<long long>(l.size());
    }
    m.dense_layers = derived(double(dense), "mlp_only_layers", "count of mlp_only_layers");
    m.intermediate = dense > 0 ? read(c, "intermediate_size") : (c.mark("intermediate_size"), null_val("no dense layer"));
    if (c.has("shared_expert_intermediate_size") && c.need_int("shared_expert_intermediate_size", false) > 0) {
      m.shared_experts = derived(1, "shared_expert_intermediate_size", "Qwen2-MoE: one shared expert");
      m.shared_intermediate = read(c, "shared_expert_intermediate_size");
    } else {
      c.mark("shared_expert_intermediate_size");
      m.shared_experts = none_of("Qwen3-MoE has no shared expert");
      m.shared_intermediate = null_val("no shared expert");
    }
    mtp_none();
    return;
  }
  // Mixtral, gpt-oss, MiniMax-M2: intermediate_size is the expert's size; every layer is MoE.
  m.experts = read(c, "num_local_experts");
  if (auto e = c.opt_int("experts_per_token"); e && double(*e) != *m.experts_per_token.v)
    throw UserError(c.at("experts_per_token"), fmt::format("num_experts_per_tok ({})", *m.experts_per_token.v), std::to_string(*e));
  m.expert_intermediate = read(c, "intermediate_size");
  m.intermediate = null_val("every layer is MoE");
  m.dense_layers = none_of("every layer is MoE");
  if (c.has("shared_intermediate_size")) {
    const long long s = c.need_int("shared_intermediate_size", false);
    m.shared_experts = derived(s > 0 ? 1 : 0, "shared_intermediate_size", "one shared expert when shared_intermediate_size > 0");
    m.shared_intermediate = Val{double(s), "shared_intermediate_size", ""};
  } else {
    m.shared_experts = none_of("no shared expert");
    m.shared_intermediate = null_val("no shared expert");
  }
  if (c.opt_bool("use_mtp").value_or(false)) {
    if (auto per = c.opt_int("mtp_transformer_layers"); per && *per != 1)
      throw UserError(c.at("mtp_transformer_layers"), "1 (one layer per MTP module)", std::to_string(*per));
    m.mtp = read(c, "num_mtp_modules");
  } else {
    for (const char* k : {"num_mtp_modules", "mtp_transformer_layers"}) c.mark(k);
    mtp_none();
  }
}

// Parameters counted from the shapes: embeddings, attention and FFN matrices (norms,
// biases and MTP layers left out). Active leaves out the input embedding (a lookup) and
// the routed experts a token does not reach.
void count_params(Model& m) {
  auto v = [](const Val& x) { return x.v.value_or(0.0); };
  const double h = v(m.hidden), heads = v(m.heads), layers = v(m.layers), vocab = v(m.vocab);
  double attn = 0;
  if (m.attention_kind == "mla") {
    const double qk = v(m.qk_nope) + v(m.qk_rope), ql = v(m.q_lora), kl = v(m.kv_lora);
    attn = (ql > 0 ? h * ql + ql * heads * qk : h * heads * qk) + h * (kl + v(m.qk_rope)) + kl * heads * (v(m.qk_nope) + v(m.v_head)) +
           heads * v(m.v_head) * h;
  } else {
    attn = 2 * h * heads * v(m.head_dim) + 2 * h * v(m.kv_heads) * v(m.head_dim);
  }
  const double dense_ffn = 3 * h * v(m.intermediate);
  double moe_all = 0, moe_active = 0;
  if (m.ffn_kind == "moe") {
    const double expert = 3 * h * v(m.expert_intermediate), shared = v(m.shared_experts) * 3 * h * v(m.shared_intermediate);
    moe_all = v(m.experts) * expert + shared + h * v(m.experts);
    moe_active = v(m.experts_per_token) * expert + shared + h * v(m.experts);
  }
  const double dense = v(m.dense_layers), sparse = layers - dense;
  const double embed = vocab * h, head = m.tie ? 0 : vocab * h;
  const double body = layers * attn + dense * dense_ffn;
  auto round2 = [](double x) { return std::round(x / 1e7) / 100; };  // billions, 2 decimals
  const std::string from = "num_hidden_layers, hidden_size, vocab_size, attention and FFN sizes";
  m.total_b = derived(round2(embed + head + body + sparse * moe_all), from,
                      "counted from the shapes: embeddings, attention and FFN matrices (norms, biases, MTP layers left out)");
  m.active_b = derived(round2(head + body + sparse * moe_active), from,
                       "counted: as params_total_b less the input embedding and the routed experts a token does not use");
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    if (ch == '"' || ch == '\\') out.push_back('\\');
    out.push_back(ch);
  }
  return out + "\"";
}

std::string number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

}  // namespace

const std::vector<std::string>& hf_model_types() {
  static const std::vector<std::string> t = [] {
    std::vector<std::string> out;
    for (const auto& [k, f] : families()) out.push_back(k);
    return out;
  }();
  return t;
}

namespace {

std::string default_id(const HfImportOptions& opt, std::string* name, std::string* alias) {
  std::string stem = std::filesystem::path(opt.file).stem().string();
  if (const auto p = stem.find("--"); p != std::string::npos) {
    *alias = stem.substr(0, p) + "/" + stem.substr(p + 2);
    stem = stem.substr(p + 2);
  }
  *name = stem;
  if (!opt.id.empty()) return opt.id;
  if (stem == "config")
    throw UserError(Location{opt.file, 0, "--id"}, "--id ID (the file name 'config.json' names no model)", "none");
  std::string id;
  for (const char ch : stem) id.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  return id;
}

void emit_val(std::string& y, const std::string& indent, const std::string& key, const Val& v, std::vector<std::string>& derived_keys,
              const std::string& path) {
  if (!v.v) {
    y += indent + key + ": null\n";
    return;
  }
  if (v.derived.empty()) {
    y += fmt::format("{}{}: {{value: {}, source: {}}}\n", indent, key, number(*v.v), quote("config.json " + v.from));
    return;
  }
  derived_keys.push_back(path);
  y += fmt::format("{}{}: {{value: {}, source: {}, confidence: medium, note: {}}}\n", indent, key, number(*v.v),
                   quote("derived from config.json " + v.from), quote("derived: " + v.derived));
}

// long function: the entry's keys in the catalog's order, one line each.
std::string to_yaml(const Model& m, const HfImport& r, const HfImportOptions& opt, const std::string& name, const std::string& alias,
                    std::vector<std::string>& dk) {
  const std::string file = std::filesystem::path(opt.file).filename().string();
  std::string y = fmt::format("# Imported by `gpugap catalog import-hf` from {} (model_type {}).\n", file, m.model_type);
  y += "# Each value names the config.json field it came from; derived values say so, with their arithmetic.\n";
  y += "id: " + r.id + "\n";
  y += "name: " + quote(name) + "\n";
  if (!alias.empty()) y += "aliases: [" + quote(alias) + "]\n";
  y += "source: " + quote(fmt::format("Hugging Face config.json {} (sha256 {})", file, r.sha256)) + "\n";
  y += "as_of: " + quote(opt.as_of) + "\n";
  y += "confidence: high\n";
  auto top = [&](const char* key, const Val& v) { emit_val(y, "", key, v, dk, key); };
  auto sub = [&](const char* block, const char* key, const Val& v) {
    emit_val(y, "  ", key, v, dk, std::string(block) + "." + key);
  };
  top("params_total_b", m.total_b);
  top("params_active_b", m.active_b);
  top("layers", m.layers);
  top("hidden", m.hidden);
  top("vocab", m.vocab);
  y += fmt::format("tie_embeddings: {}\n", m.tie ? "true" : "false");
  y += "native_precision: " + m.native_precision + "\n";
  y += "attention:\n  kind: " + m.attention_kind + "\n";
  sub("attention", "heads", m.heads);
  sub("attention", "kv_heads", m.kv_heads);
  sub("attention", "head_dim", m.head_dim);
  if (m.attention_kind == "mla") {
    sub("attention", "q_lora_rank", m.q_lora);
    sub("attention", "kv_lora_rank", m.kv_lora);
    sub("attention", "qk_nope_dim", m.qk_nope);
    sub("attention", "qk_rope_dim", m.qk_rope);
    sub("attention", "v_head_dim", m.v_head);
  }
  sub("attention", "sliding_window", m.window);
  sub("attention", "sliding_layers", m.sliding_layers);
  y += "ffn:\n  kind: " + m.ffn_kind + "\n";
  sub("ffn", "intermediate", m.intermediate);
  if (m.ffn_kind == "moe") {
    sub("ffn", "experts", m.experts);
    sub("ffn", "experts_per_token", m.experts_per_token);
    sub("ffn", "shared_experts", m.shared_experts);
    sub("ffn", "expert_intermediate", m.expert_intermediate);
    sub("ffn", "shared_intermediate", m.shared_intermediate);
  }
  sub("ffn", "dense_layers", m.dense_layers);
  top("mtp_layers", m.mtp);
  std::string notes = fmt::format("native_precision from {}; tie_embeddings from {}; attention.kind {} ({}).", m.precision_from,
                                  m.tie_from, m.attention_kind,
                                  m.attention_kind == "mla" ? "kv_lora_rank given" : "num_key_value_heads vs num_attention_heads");
  for (const auto& n : m.notes) notes += " " + n + ".";
  y += "notes: " + quote(notes) + "\n";
  return y;
}

}  // namespace

HfImport import_hf_config(std::string_view text, const HfImportOptions& opt) {
  Config c(text, opt.file);
  HfImport r;
  r.sha256 = sha256_hex(text);
  Model m;
  const auto mt = c.opt_str("model_type");
  if (!mt) {
    if (c.has("text_config"))
      throw UserError(c.at("text_config"), "a text model's config.json (multimodal configs are not imported)", "text_config");
    throw UserError(c.at("model_type"), "the field 'model_type'", "none");
  }
  const auto fam_it = families().find(*mt);
  if (fam_it == families().end())
    throw UserError(c.at("model_type"), "a model_type gpugap imports: " + fmt::format("{}", fmt::join(hf_model_types(), ", ")),
                    "'" + *mt + "'", suggest(*mt, hf_model_types()));
  const Family fam = fam_it->second;
  m.model_type = *mt;
  r.model_type = *mt;
  std::string name, alias;
  r.id = default_id(opt, &name, &alias);
  const bool id_ok = !r.id.empty() && std::all_of(r.id.begin(), r.id.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-';
  });
  if (!id_ok) throw UserError(Location{opt.file, 0, "--id"}, "an id of lower-case letters, digits, '.' and '-'", "'" + r.id + "'");

  m.layers = read(c, "num_hidden_layers");
  m.hidden = read(c, "hidden_size");
  m.vocab = read(c, "vocab_size");
  if (auto t = c.opt_bool("tie_word_embeddings")) {
    m.tie = *t;
    m.tie_from = "tie_word_embeddings";
  } else {
    m.tie = fam == Family::kGemma;  // the transformers default of each config class
    m.tie_from = fmt::format("the {} default ({}; no tie_word_embeddings)", *mt, m.tie ? "tied" : "untied");
  }
  m.native_precision = native_precision(c, m);
  read_attention(c, m);
  read_sliding(c, m, fam);
  read_ffn(c, m, fam);
  c.finish(*mt);
  count_params(m);
  r.yaml = to_yaml(m, r, opt, name, alias, r.derived);
  return r;
}

}  // namespace gpugap::catalog
