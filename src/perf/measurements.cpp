// Reading measurement CSV files (shared schema and AIC silicon sample) into
// one row type.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "core/suggest.hpp"
#include "perf/validation.hpp"

namespace gpugap::perf {
namespace {

// RFC 4180 records: quoted fields may hold commas, quotes ("") and newlines.
std::vector<std::vector<std::string>> read_csv(const std::string& path, std::vector<int>& lines) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(Location{path, 0, ""}, "a readable CSV file", "cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string s = ss.str();
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  int line = 1, start = 1;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < s.size() && s[i + 1] == '"') { field += '"'; ++i; }
        else quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"') quoted = true;
    else if (c == ',') { row.push_back(std::move(field)); field.clear(); }
    else if (c == '\r') continue;
    else if (c == '\n') {
      row.push_back(std::move(field));
      field.clear();
      if (!(row.size() == 1 && row[0].empty())) { rows.push_back(std::move(row)); lines.push_back(start); }
      row.clear();
      start = ++line;
    } else field += c;
  }
  if (quoted) throw UserError(Location{path, start, ""}, "a closed quoted field", "end of file inside quotes");
  if (!field.empty() || !row.empty()) { row.push_back(field); rows.push_back(row); lines.push_back(start); }
  return rows;
}

std::optional<double> num(const std::string& s, const std::string& file, int line, const std::string& col) {
  if (s.empty()) return std::nullopt;
  auto v = parse_number(s);
  if (!v) throw UserError(Location{file, line, col}, "a number", "'" + s + "'");
  return v;
}

int as_int(const std::optional<double>& v) { return v ? static_cast<int>(std::lround(*v)) : 0; }

std::string field_of(const std::string& text, const std::string& key) {
  const auto p = text.find(key + "=");
  if (p == std::string::npos) return "";
  const auto b = p + key.size() + 1;
  const auto e = text.find_first_of(";, ", b);
  return text.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

// The harness columns (empty = unknown); a value outside the schema's names is an error.
template <class Get, class Num>
void read_harness(Measurement& m, const Get& get, const Num& n, const std::string& path, int line) {
  auto name = [&](const char* col, const std::vector<std::string>& names) {
    const std::string v = get(col);
    if (!v.empty() && std::find(names.begin(), names.end(), v) == names.end())
      throw UserError(Location{path, line, col}, "one of " + fmt::format("{}", fmt::join(names, ", ")), "'" + v + "'",
                      suggest(v, names));
    return v;
  };
  m.harness = name("harness", harness_names());
  m.dataset = name("dataset", dataset_names());
  if (auto v = n("num_prompts")) {
    if (*v < 1 || *v != std::floor(*v)) throw UserError(Location{path, line, "num_prompts"}, "a whole number >= 1", get("num_prompts"));
    m.num_prompts = static_cast<int>(*v);
  }
  m.request_rate = n("request_rate");
  if (m.request_rate && !(*m.request_rate > 0))
    throw UserError(Location{path, line, "request_rate"}, "a rate > 0 (empty: all at once or closed loop)", get("request_rate"));
  m.range_ratio = n("range_ratio");
  if (m.range_ratio && !(*m.range_ratio >= 0 && *m.range_ratio <= 1))
    throw UserError(Location{path, line, "range_ratio"}, "a ratio in [0, 1]", get("range_ratio"));
}

// A file that is a verbatim copy (the AIC sample) gets its benchmark from the side table
// harness-map.csv next to it (data/measurements/README.md): one row per file naming the
// harness, the dataset and the requests each closed-loop client sends (num_prompts =
// prompts_per_client x the row's concurrency). No side table, or no row for the file:
// the harness stays unknown.
void apply_harness_map(const std::string& path, std::vector<Measurement>& rows) {
  const auto map_path = (std::filesystem::path(path).parent_path() / "harness-map.csv").string();
  if (!std::filesystem::exists(map_path)) return;
  std::vector<int> lines;
  const auto t = read_csv(map_path, lines);
  if (t.empty()) return;
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < t[0].size(); ++i) col[t[0][i]] = i;
  for (const char* k : {"file", "harness", "dataset", "prompts_per_client", "source"})
    if (!col.count(k)) throw UserError(Location{map_path, 1, k}, "a column '" + std::string(k) + "'", "none");
  const std::string base = std::filesystem::path(path).filename().string();
  for (std::size_t r = 1; r < t.size(); ++r) {
    const auto& row = t[r];
    if (row.size() != t[0].size())
      throw UserError(Location{map_path, lines[r], ""}, fmt::format("{} fields", t[0].size()), fmt::format("{} fields", row.size()));
    auto get = [&](const std::string& k) -> std::string { return col.count(k) ? row[col.at(k)] : std::string(); };
    if (get("file") != base) continue;
    if (get("source").empty()) throw UserError(Location{map_path, lines[r], "source"}, "the citation the harness is read from", "empty");
    auto n = [&](const std::string& k) { return num(get(k), map_path, lines[r], k); };
    Measurement proto;
    read_harness(proto, get, n, map_path, lines[r]);
    const auto per_client = n("prompts_per_client");
    if (!per_client || *per_client < 1 || *per_client != std::floor(*per_client))
      throw UserError(Location{map_path, lines[r], "prompts_per_client"}, "a whole number >= 1", "'" + get("prompts_per_client") + "'");
    // Optional: whose engine limits the deployments ran with.
    const std::string limits = get("engine_limits");
    if (!limits.empty() && limits != "aiconfigurator")
      throw UserError(Location{map_path, lines[r], "engine_limits"}, "'aiconfigurator' or empty", "'" + limits + "'");
    for (auto& m : rows) {
      m.harness = proto.harness;
      m.dataset = proto.dataset;
      m.range_ratio = proto.range_ratio;
      m.harness_source = get("source");
      m.engine_limits = limits;
      if (m.concurrency && *m.concurrency >= 1) m.num_prompts = static_cast<int>(*per_client * std::lround(*m.concurrency));
    }
  }
}

}  // namespace

const std::vector<std::string>& harness_names() {
  static const std::vector<std::string> v = {"vllm-bench-serve", "sglang-bench-serving", "genai-perf", "aiperf", "trtllm-bench",
                                             "mlperf-offline",   "mlperf-server",        "other"};
  return v;
}

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> v = {"random", "sharegpt", "fixed", "other"};
  return v;
}

std::vector<Measurement> read_measurements(const std::string& path) {
  std::vector<int> lines;
  const auto rows = read_csv(path, lines);
  if (rows.empty()) throw UserError(Location{path, 1, ""}, "a header row", "an empty file");
  const auto& header = rows[0];
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
  const bool aic = col.count("system") && col.count("model_path");
  const bool shared = col.count("chip") && col.count("model");
  if (!aic && !shared)
    throw UserError(Location{path, 1, "header"}, "the measurement schema (chip, model, ...) or the AIC schema (system, model_path, ...)",
                    "neither");
  const std::string base = std::filesystem::path(path).filename().string();
  std::vector<Measurement> out;
  std::map<std::vector<std::string>, std::string> first_of;  // AIC: deployment, load and values -> first id
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    const int line = lines[r];
    if (row.size() != header.size())
      throw UserError(Location{path, line, ""}, fmt::format("{} fields", header.size()), fmt::format("{} fields", row.size()));
    auto get = [&](const std::string& k) -> std::string {
      auto it = col.find(k);
      return it == col.end() ? std::string() : row[it->second];
    };
    auto n = [&](const std::string& k) { return num(get(k), path, line, k); };
    Measurement m;
    m.file = base;
    m.line = line;
    m.id = get("id");
    m.backend = get("backend");
    m.mode = get("mode");
    m.isl = n("isl") ? std::optional<int>(as_int(n("isl"))) : std::nullopt;
    m.osl = n("osl") ? std::optional<int>(as_int(n("osl"))) : std::nullopt;
    m.tp = as_int(n("tp_size"));
    m.pp = as_int(n("pp_size"));
    m.adp = as_int(n("attention_dp_size"));
    m.moe_tp = as_int(n("moe_tp_size"));
    m.ep = as_int(n("moe_ep_size"));
    m.p_workers = as_int(n("prefill_num_workers"));
    m.p_tp = as_int(n("prefill_tp_size"));
    m.p_ep = as_int(n("prefill_moe_ep_size"));
    m.p_moe_tp = as_int(n("prefill_moe_tp_size"));
    m.d_moe_tp = as_int(n("decode_moe_tp_size"));
    m.d_workers = as_int(n("decode_num_workers"));
    m.d_tp = as_int(n("decode_tp_size"));
    m.d_ep = as_int(n("decode_moe_ep_size"));
    if (aic) {
      m.schema = "aic";
      m.chip = get("system");
      m.model = get("model_path");
      m.precision = get("precision");
      const std::string gq = get("gemm_quant_mode");
      if (gq == "int4_wo") m.precision = "w4a16";
      else if (m.precision.empty()) m.precision = gq.empty() ? "bf16" : (gq == "nvfp4" ? "fp4" : "fp8");
      m.batch_per_rank = as_int(n("batch_size"));
      m.p_adp = as_int(n("prefill_attention_dp_size"));
      m.d_adp = as_int(n("decode_attention_dp_size"));
      m.p_batch = as_int(n("prefill_batch_size"));
      m.d_batch = as_int(n("decode_batch_size"));
      const std::string src = get("silicon_data_source");
      if (auto c = field_of(src, "silicon_concurrency"); !c.empty()) m.concurrency = parse_number(c);
      m.source = field_of(src, "source_file");
      if (m.source.empty()) m.source = base;
      m.ttft_ms = n("silicon_ttft_ms");
      m.tpot_ms = n("silicon_tpot_ms");
      m.trust = "high";
      std::vector<std::string> key;
      for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] != "id" && header[i] != "silicon_data_source") key.push_back(row[i]);
      key.push_back(field_of(src, "silicon_concurrency"));
      if (auto [it, fresh] = first_of.emplace(std::move(key), m.id); !fresh) m.duplicate_of = it->second;
    } else {
      m.schema = "shared";
      m.chip = get("chip");
      m.model = get("model");
      m.precision = get("precision");
      m.kv_precision = get("kv_precision");
      m.trust = get("trust");
      m.source = get("source");
      m.n_chips = n("n_chips") ? std::optional<int>(as_int(n("n_chips"))) : std::nullopt;
      m.concurrency = n("concurrency");
      if (auto v = n("mtp_tokens")) m.mtp = as_int(v);
      m.ttft_ms = n("ttft_ms");
      m.tpot_ms = n("tpot_ms");
      m.output_tps_per_chip = n("output_tps_per_chip");
      m.input_tps_per_chip = n("input_tps_per_chip");
      const std::string notes = get("notes");
      static const std::regex acceptance(R"(\b(100|\d{1,2}(?:\.\d+)?)% acceptance)");
      static const std::regex kv_free(R"(kv_cache_free_gpu_mem_fraction (0?\.\d+|1(?:\.0+)?))");
      std::smatch g;
      if (std::regex_search(notes, g, acceptance)) m.mtp_acceptance = std::stod(g[1].str()) / 100.0;
      if (std::regex_search(notes, g, kv_free))
        if (const double v = std::stod(g[1].str()); v > 0) m.kv_free_fraction = v;
      m.tpot_includes_context = notes.find("including the context phase") != std::string::npos ||
                                notes.find("includes the context phase") != std::string::npos;
      read_harness(m, get, n, path, line);
    }
    out.push_back(std::move(m));
  }
  if (aic) apply_harness_map(path, out);
  return out;
}

}  // namespace gpugap::perf
