// Validation against measurements and calibration of the stack efficiencies.
// How each row becomes a deployment is documented in docs/model-perf.md
// ("Validation rows").
#include "perf/validation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <regex>
#include <functional>
#include <sstream>
#include <tuple>

#include <tbb/parallel_for.h>

#include "perf/engine.hpp"

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

}  // namespace

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
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::string chip_family(const std::string& id) {
  // Same silicon generation and stack: the level at which efficiencies transfer.
  static const std::vector<std::pair<std::string, std::string>> families = {
      {"nvidia-a100", "nvidia-ampere"}, {"nvidia-a800", "nvidia-ampere"},    {"nvidia-h100", "nvidia-hopper"},
      {"nvidia-h200", "nvidia-hopper"}, {"nvidia-h800", "nvidia-hopper"},    {"nvidia-h20", "nvidia-hopper-h20"},
      {"nvidia-gh200", "nvidia-hopper"}, {"nvidia-b200", "nvidia-blackwell"}, {"nvidia-b300", "nvidia-blackwell"},
      {"nvidia-gb200", "nvidia-blackwell"}, {"nvidia-gb300", "nvidia-blackwell"}, {"nvidia-b30a", "nvidia-blackwell"},
      {"nvidia-l40s", "nvidia-ada"},    {"nvidia-rtx-pro", "nvidia-blackwell-rtx"}, {"amd-mi3", "amd-cdna3"},
      {"huawei-ascend-910", "huawei-ascend-910"}, {"huawei-ascend-9", "huawei-ascend-950+"}, {"hygon", "hygon-dcu"},
  };
  for (const auto& [prefix, fam] : families)
    if (id.rfind(prefix, 0) == 0) return fam;
  return id;
}

namespace {

// A row resolved once: specs, deployment, workload and how to predict it.
struct PreparedRow {
  RowPrediction base;  // chip/model ids, skip reason, method
  ChipSpec chip;
  ModelSpec model;
  Deployment d;
  Workload w;
  bool iso_tpot = false;     // batch chosen so that TPOT matches the measured TPOT
  bool offline = false;      // batch: the most that fit
  bool prefill_only = false;
  bool decode_only = false;
  int concurrency_batch = 0; // measured concurrency per instance
  double burst = 0.0;        // the backend's fitted benchmark burst share
  bool has_ttft = false;     // the row measures TTFT (identifies the TTFT overhead and wave share)
};

// The most of a device's memory a serving stack is set to use (weights + KV), for
// measured deployments whose weights exceed the default share: 3% is left for the
// CUDA context and activations.
constexpr double kMeasuredMemoryFraction = 0.97;
// TensorRT-LLM KvCacheConfig.free_gpu_memory_fraction default (nvidia.github.io/TensorRT-LLM/examples/kvcacheconfig.html).
constexpr double kTrtllmKvFreeFraction = 0.9;

// The benchmark harness a row's wave share belongs to: a publication of the shared file;
// "" for the AIC rows (the groups' own harness: they hold nearly every TTFT row of each group).
std::string harness_of(const Measurement& m) { return m.schema == "shared" ? m.source : std::string(); }

int pow2_floor(int v) {
  int p = 1;
  while (p * 2 <= v) p *= 2;
  return p;
}

PreparedRow prepare_row(const catalog::Catalog& cat, const ParamTable& params, const Measurement& m, const ValidateOptions& opt) {
  PreparedRow pr;
  pr.has_ttft = m.ttft_ms.has_value();
  RowPrediction& r = pr.base;
  r.row = &m;
  auto skip = [&](std::string why) { r.skip_reason = std::move(why); return pr; };
  const auto chip_id = cat.try_resolve("chips", m.chip);
  if (!chip_id) return skip("chip '" + m.chip + "' is not in the catalog (no id or alias)");
  const auto model_id = cat.try_resolve("models", m.model);
  if (!model_id) return skip("model '" + m.model + "' is not in the catalog (no id or alias)");
  r.chip_id = *chip_id;
  r.model_id = *model_id;
  r.family = chip_family(r.chip_id);
  try {
    pr.chip = chip_spec(cat, params, *chip_id);
    pr.model = model_spec(cat, params, *model_id);
  } catch (const InsufficientData& e) {
    return skip(e.what());
  }
  r.stack = pr.chip.stack;
  // Efficiencies, most specific first: (stack, family, backend, model), (stack, family, backend),
  // (stack, backend), the chip's own software block (the family fit), the stack (see calibrate()).
  if (auto v = params.maybe("chips." + r.chip_id + ".software.benchmark_burst")) pr.burst = *v;
  else if (!pr.chip.stack.empty())
    if (auto v = params.maybe("stacks." + pr.chip.stack + ".benchmark_burst")) pr.burst = *v;
  if (opt.use_backend && !pr.chip.stack.empty() && !m.backend.empty()) {
    const std::string fb = "stacks." + pr.chip.stack + ".family." + r.family + ".backend." + m.backend + ".";
    std::string b = fb + "model." + calibration_model_key(r.model_id) + ".";
    if (!params.maybe(b + "eta_compute")) b = fb;
    if (!params.maybe(b + "eta_compute")) b = "stacks." + pr.chip.stack + ".backend." + m.backend + ".";
    if (auto v = params.maybe(b + "eta_compute")) pr.chip.eta_compute = v;
    if (auto v = params.maybe(b + "eta_memory")) pr.chip.eta_memory = v;
    if (auto v = params.maybe(b + "eta_comm")) pr.chip.eta_comm = v;
    if (auto v = params.maybe(b + "launch_overhead")) pr.chip.launch_overhead = Seconds(*v);
    if (auto v = params.maybe(b + "ttft_overhead")) pr.chip.ttft_overhead = Seconds(*v);
    if (auto v = params.maybe(b + "comm_latency")) pr.chip.comm_latency = Seconds(*v);
    if (auto v = params.maybe(b + "seq_overhead")) pr.chip.seq_overhead = Seconds(*v);
    if (auto v = params.maybe(b + "benchmark_burst")) pr.burst = *v;
  }
  if (opt.harness)
    if (auto it = opt.harness->find(harness_of(m)); it != opt.harness->end()) pr.burst = it->second.burst;
  const ChipSpec& chip = pr.chip;
  const ModelSpec& model = pr.model;
  const bool moe = model.ffn == FfnKind::kMoe;

  int isl = 0;
  if (m.isl) isl = *m.isl;
  else if (opt.assumed_isl) { isl = *opt.assumed_isl; r.assumed_isl = true; }
  else return skip("no isl: the dataset's mean input length is not given with a cited source (see --assume-isl)");
  const bool prefill_only = m.mode == "prefill";
  const bool decode_only = m.mode == "decode";
  int osl = m.osl.value_or(0);
  if (osl <= 0) {
    if (prefill_only || decode_only) osl = 1;
    else return skip("no osl");
  }
  pr.w.id = m.id;
  pr.w.name = m.id;
  pr.w.isl = isl;
  pr.w.osl = osl;

  auto fmt_opt = parse_format(m.precision.empty() ? "bf16" : m.precision);
  if (!fmt_opt) return skip("precision '" + m.precision + "' is not a known format");
  Deployment& d = pr.d;
  std::string note;
  d.format = resolve_format(chip, *fmt_opt, &note);
  const auto kv_row = parse_dtype(m.kv_precision);
  const bool kv_stated = kv_row.has_value();
  if (kv_stated) d.kv = *kv_row;
  else {
    // Not stated: FP8 for TensorRT-LLM FP8/FP4 (ModelOpt checkpoints carry KV scales), else the 16-bit default.
    const bool q = fmt_opt->activations == DType::kFp8 || fmt_opt->activations == DType::kFp4;
    d.kv = (m.backend == "trtllm" && q && chip.has(Precision::kFp8)) ? DType::kFp8 : DType::kBf16;
  }
  if (d.kv == DType::kFp8 && !chip.has(Precision::kFp8)) d.kv = chip.has(Precision::kInt8) ? DType::kInt8 : DType::kBf16;
  d.mtp = m.mtp.value_or(0);
  if (d.mtp > 0) {
    auto acc = m.mtp_acceptance ? m.mtp_acceptance : model_mtp_acceptance(params, model);
    d.mtp_acceptance = acc.value_or(0.0);
  }
  std::vector<std::string> method;
  if (d.mtp > 0 && m.mtp_acceptance) method.push_back(fmt::format("draft acceptance {:.0f}% (stated in the row)", *m.mtp_acceptance * 100));
  if (m.backend == "trtllm" && m.kv_free_fraction)
    method.push_back(fmt::format("KV pool {:.2f} of the free memory (stated in the row)", *m.kv_free_fraction));
  const int n_chips = m.n_chips.value_or(0);
  // Fills a pool's layout; returns false when nothing is stated.
  auto layout = [&](int tp, int adp, int ep, int moe_tp, int& otp, int& oadp, int& oep, int& omoe) {
    if (tp <= 0 && adp <= 0 && ep <= 0 && moe_tp <= 0) return false;
    const int domain = chip.scaleup_domain.value_or(0);
    const int width0 = std::max(tp, 1) * std::max(adp, 1);
    if (moe && moe_tp > 1 && ep > 1 && moe_tp * ep == width0 && domain > 0 && width0 > domain && moe_tp <= domain &&
        (tp <= 1 || adp <= 1)) {
      // Exported with EP folded into the attention size (tp_size = TP x EP, moe_tp_size = TP): the same
      // measurements appear under the plain layout, e.g. (64, 1, 8, 8) and (8, 1, 1, 8) on an 8-GPU box.
      method.push_back(fmt::format("layout read as {} {} x EP {} (exported as tp {} adp {} moe_tp {} ep {})",
                                   tp > 1 ? "TP" : "DP-attention", moe_tp, ep, tp, adp, moe_tp, ep));
      if (tp > 1) tp = moe_tp;
      else adp = moe_tp;
      moe_tp = 1;
    } else if (tp > 1 && model.heads % tp != 0) {
      // tp_size is the world size of a DP-attention deployment (no TP can split the heads so).
      const int w = tp * std::max(adp, 1);
      method.push_back(fmt::format("tp_size {} read as the world size: DP-attention {}{}", tp, w,
                                   moe && !(ep > 1 && moe_tp * ep == w) ? fmt::format(" x EP {}", std::min(w, model.experts)) : ""));
      tp = 1;
      adp = w;
      if (moe && !(ep > 1 && moe_tp * ep == w)) {
        ep = std::min(w, model.experts);
        moe_tp = 0;
      }
    }
    otp = std::max(tp, 1);
    oadp = adp > 0 ? adp : std::max(1, std::max(ep, moe_tp > 0 && ep > 0 ? ep * moe_tp : 0) / otp);
    const int width = otp * oadp;
    if (moe) {
      if (ep > 0) oep = ep;
      else if (moe_tp > 0) oep = std::max(1, width / moe_tp);
      else oep = oadp > 1 ? width : 1;
      oep = std::min(oep, model.experts);
      omoe = (width % oep == 0) ? width / oep : 0;
      if (omoe == 0) { oep = 1; omoe = width; }
    } else {
      oep = 1;
      omoe = 0;
    }
    return true;
  };
  auto unknown_layout = [&](int chips) {
    if (moe) {
      // DP attention + expert parallelism over the stated chips (the max-throughput recipes of SGLang/TRT-LLM).
      const int width = std::max(1, chips);
      d.tp = 1;
      d.attention_dp = width;
      d.ep = std::min(width, model.experts);
      while (width % d.ep != 0) --d.ep;
      d.moe_tp = width / d.ep;
      method.push_back(fmt::format("layout not stated: DP-attention {} x EP {}", width, d.ep));
    } else {
      // The smallest power-of-two TP that fits, replicas filling the chips.
      const auto p = detail::prepare(chip, model, d.format, d.kv);
      int tp = 1;
      const int cap = std::max(1, chips > 0 ? pow2_floor(chips) : 8);
      while (tp < cap && (model.heads % (tp * 2) == 0)) {
        Deployment t = d;
        t.tp = tp;
        if (detail::max_batch(p, t, pr.w) >= 16) break;
        tp *= 2;
      }
      d.tp = tp;
      method.push_back(fmt::format("layout not stated: TP {} (smallest that fits)", tp));
    }
  };
  try {
    if (m.mode == "disagg") {
      d.mode = ServeMode::kDisagg;
      int tp = 0, adp = 0, ep = 0, mt = 0;
      if (layout(m.d_tp, m.d_adp, m.d_ep, m.d_moe_tp, tp, adp, ep, mt)) {
        d.tp = tp; d.attention_dp = adp; d.ep = ep; d.moe_tp = mt;
      } else {
        unknown_layout(n_chips > 0 ? n_chips / 2 : 8);
      }
      int ptp = 0, padp = 0, pep = 0, pmt = 0;
      if (layout(m.p_tp, m.p_adp, m.p_ep, m.p_moe_tp, ptp, padp, pep, pmt)) {
        d.prefill_tp = ptp; d.prefill_attention_dp = padp; d.prefill_ep = pep;
        if (m.p_workers > 0 && m.d_workers > 0)
          d.prefill_decode_ratio = double(m.p_workers * ptp * padp) / double(m.d_workers * d.width());
      }
      if (m.p_batch > 0) d.prefill_tokens = m.p_batch * isl;
      if (m.d_batch > 0) pr.concurrency_batch = m.d_batch * std::max(1, d.attention_dp);
      else if (m.concurrency && m.d_workers > 0) pr.concurrency_batch = static_cast<int>(std::lround(*m.concurrency / m.d_workers));
      else if (m.concurrency && m.schema == "aic")
        // The concurrency is the whole system's and the number of decode instances is not stated.
        return skip("disaggregated row without decode_num_workers or decode_batch_size: the batch per decode instance is unknown");
    } else {
      d.mode = decode_only ? ServeMode::kDisagg : ServeMode::kAgg;
      int tp = 0, adp = 0, ep = 0, mt = 0;
      if (layout(m.tp, m.adp, m.ep, m.moe_tp, tp, adp, ep, mt)) {
        d.tp = tp; d.attention_dp = adp; d.ep = ep; d.moe_tp = mt;
        d.pp = std::max(1, m.pp);
      } else {
        unknown_layout(n_chips);
      }
      // The measured concurrency (AIC: silicon_concurrency) is the instance's load; batch_size is
      // per attention-DP rank of the layout as exported, so it is used only without a concurrency.
      if (m.concurrency) pr.concurrency_batch = static_cast<int>(std::lround(*m.concurrency));
      else if (m.batch_per_rank > 0) pr.concurrency_batch = m.batch_per_rank * std::max(1, m.adp);
      if (prefill_only && m.concurrency) d.prefill_tokens = static_cast<int>(*m.concurrency * isl / d.width() / std::max(1, d.pp));
    }
  } catch (const InsufficientData& e) {
    return skip(e.what());
  }
  if (auto err = check_deployment(model, d); !err.empty()) return skip("deployment: " + err);
  if (m.backend == "trtllm") d.kv_free_fraction = m.kv_free_fraction.value_or(kTrtllmKvFreeFraction);
  try {
    // A measured deployment ran, so it fit: where the weights exceed the default usable
    // share, the serving stack was set to use more of the memory (SGLang mem_fraction_static).
    const auto pc = detail::prepare(chip, model, d.format, d.kv);
    if (detail::max_batch(pc, d, pr.w) <= 0) {
      d.memory_fraction = kMeasuredMemoryFraction;
      if (detail::max_batch(pc, d, pr.w) > 0)
        method.push_back(fmt::format("usable memory {:.0f}% (the weights exceed the default {:.0f}%)", kMeasuredMemoryFraction * 100,
                                     kUsableMemoryFraction * 100));
    }
    // A measured concurrency that a 16-bit cache cannot hold but an 8-bit one can says the
    // (unstated) cache was 8-bit: the row's TTFT shows no wait for a free slot otherwise.
    if (!kv_stated && d.kv == DType::kBf16 && chip.has(Precision::kFp8) && pr.concurrency_batch > 0 &&
        detail::max_batch(pc, d, pr.w) < pr.concurrency_batch) {
      const auto p8 = detail::prepare(chip, model, d.format, DType::kFp8);
      if (detail::max_batch(p8, d, pr.w) >= pr.concurrency_batch) {
        d.kv = DType::kFp8;
        method.push_back(fmt::format("kv fp8 (not stated; a 16-bit cache cannot hold the measured concurrency {})", pr.concurrency_batch));
      }
    }
  } catch (const InsufficientData& e) {
    return skip(e.what());
  }
  pr.prefill_only = prefill_only;
  pr.decode_only = decode_only;
  if (!prefill_only) {
    if (pr.concurrency_batch > 0) method.push_back(fmt::format("batch {} (measured concurrency)", pr.concurrency_batch));
    else if (m.tpot_ms) { pr.iso_tpot = true; method.push_back("batch at the measured TPOT (iso-latency)"); }
    else { pr.offline = true; method.push_back("offline: the most sequences that fit"); }
  }
  if (!note.empty()) method.push_back(note);
  r.method = fmt::format("{}", fmt::join(method, "; "));
  return pr;
}

PerfResult eval_at(const PreparedRow& pr, const ChipSpec& chip, int batch, double burst = 0.0) {
  Deployment d = pr.d;
  d.batch = batch;
  d.concurrency = pr.concurrency_batch;
  d.burst = pr.concurrency_batch > 0 ? burst : 0.0;
  return evaluate(chip, pr.model, d, pr.w, EvalOptions{false});
}

RowPrediction predict_prepared(const PreparedRow& pr, const Efficiency* eff) {
  RowPrediction r = pr.base;
  if (!r.skip_reason.empty()) return r;
  ChipSpec chip = pr.chip;
  if (eff) {
    chip.eta_compute = eff->eta_compute;
    chip.eta_memory = eff->eta_memory;
    chip.launch_overhead = Seconds(eff->launch_overhead_s);
    chip.ttft_overhead = Seconds(eff->ttft_overhead_s);
    chip.comm_latency = Seconds(eff->comm_latency_s);
    chip.seq_overhead = Seconds(eff->seq_overhead_s);
  }
  const double burst = eff ? eff->burst : pr.burst;
  const Measurement& m = *r.row;
  // The most sequences that fit (0 when even the weights do not).
  PerfResult probe = eval_at(pr, chip, 0);
  if (!probe.ok()) { r.skip_reason = probe.status; return r; }
  if (probe.max_batch <= 0) {
    r.skip_reason = fmt::format("the stated deployment cannot hold the weights ({:.0f} GB per chip, {:.0f} GB usable): the layout columns "
                                "do not describe what ran", probe.weight_bytes / 1e9, probe.memory_capacity_bytes / 1e9);
    return r;
  }
  const int maxb = std::max(probe.max_batch, 1);
  int batch = maxb;
  if (pr.concurrency_batch > 0) batch = std::min(pr.concurrency_batch, maxb);
  PerfResult res;
  if (pr.iso_tpot) {
    // Largest batch whose TPOT does not exceed the measured one (TPOT grows with batch).
    const double target = *m.tpot_ms / 1e3;
    int lo = 1, hi = maxb;
    if (eval_at(pr, chip, hi).tpot_s <= target) lo = hi;
    else {
      while (hi - lo > 1) {
        const int mid = lo + (hi - lo) / 2;
        (eval_at(pr, chip, mid).tpot_s <= target ? lo : hi) = mid;
      }
    }
    batch = lo;
  }
  res = eval_at(pr, chip, batch, burst);
  if (!res.ok()) { r.skip_reason = res.status; return r; }
  r.deployment = res.deployment;
  auto add = [&](const char* name, const std::optional<double>& meas, double pred) {
    if (meas && *meas > 0 && std::isfinite(pred) && pred > 0) r.metrics.push_back({name, *meas, pred});
  };
  if (pr.prefill_only) {
    add("input_tps_per_chip", m.input_tps_per_chip, res.prefill_tps_per_chip);
    return r;
  }
  if (pr.decode_only) {
    const double out = res.batch * res.tokens_per_step / res.decode_step_s / res.deployment.chips();
    add("tpot_ms", m.tpot_ms, res.tpot_s * 1e3);
    add("output_tps_per_chip", m.output_tps_per_chip, out);
    return r;
  }
  add("ttft_ms", m.ttft_ms, res.ttft_s * 1e3);
  if (!pr.iso_tpot) add("tpot_ms", m.tpot_ms, res.tpot_s * 1e3);
  add("output_tps_per_chip", m.output_tps_per_chip, res.output_tps_per_chip);
  if (!m.output_tps_per_chip) add("input_tps_per_chip", m.input_tps_per_chip, res.input_tps_per_chip);
  return r;
}

}  // namespace

RowPrediction predict(const catalog::Catalog& cat, const ParamTable& params, const Measurement& m, const ValidateOptions& opt,
                      const Efficiency* eff) {
  const PreparedRow pr = prepare_row(cat, params, m, opt);
  return predict_prepared(pr, eff);
}

Summary summarize(const std::vector<double>& errs) {
  Summary s;
  s.n = errs.size();
  if (errs.empty()) return s;
  std::vector<double> v = errs;
  std::sort(v.begin(), v.end());
  auto q = [&](double p) {
    const double pos = p * (v.size() - 1);
    const auto i = static_cast<std::size_t>(std::floor(pos));
    const double f = pos - i;
    return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
  };
  s.median_abs_error_pct = q(0.5);
  s.p90_abs_error_pct = q(0.9);
  return s;
}

// ---- calibration -------------------------------------------------------------

namespace {

constexpr double kHuberDelta = 0.2;  // log-error beyond which residuals count linearly (~22%)
constexpr double kEtaMin = 0.02, kEtaMax = 0.95;  // no kernel sustains its peak
constexpr double kLaunchMin = 1e-6, kLaunchMax = 2e-4;  // collective latency (NVLink one-shot all-reduce: a few us)
constexpr double kStepMin = 1e-6, kStepMax = 2e-2;      // fixed time per forward step
constexpr double kSeqMin = 1e-8, kSeqMax = 1e-3;        // host time per sequence per step

double huber(double r) {
  const double a = std::fabs(r);
  return a <= kHuberDelta ? 0.5 * r * r : kHuberDelta * (a - 0.5 * kHuberDelta);
}

constexpr int kParams = 7;  // eta_compute, eta_memory, launch overhead, TTFT overhead, burst share, collective latency,
                            // per-sequence overhead
using Vec = std::array<double, kParams>;
constexpr double kTtftMin = 1e-4, kTtftMax = 3.0;

double sig(double v) { return 1.0 / (1.0 + std::exp(-v)); }
double logit(double p) {
  p = std::clamp(p, 1e-6, 1 - 1e-6);
  return std::log(p / (1 - p));
}
double log_between(double lo, double hi, double u) { return std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * u); }
double log_share(double lo, double hi, double v) { return (std::log(std::clamp(v, lo, hi)) - std::log(lo)) / (std::log(hi) - std::log(lo)); }

Efficiency from_x(const Vec& x) {
  Efficiency e;
  e.eta_compute = kEtaMin + (kEtaMax - kEtaMin) * sig(x[0]);
  e.eta_memory = kEtaMin + (kEtaMax - kEtaMin) * sig(x[1]);
  e.launch_overhead_s = log_between(kStepMin, kStepMax, sig(x[2]));
  e.ttft_overhead_s = log_between(kTtftMin, kTtftMax, sig(x[3]));
  e.burst = sig(x[4]);
  e.comm_latency_s = log_between(kLaunchMin, kLaunchMax, sig(x[5]));
  e.seq_overhead_s = log_between(kSeqMin, kSeqMax, sig(x[6]));
  return e;
}

Vec to_x(const Efficiency& e) {
  return {logit((e.eta_compute - kEtaMin) / (kEtaMax - kEtaMin)), logit((e.eta_memory - kEtaMin) / (kEtaMax - kEtaMin)),
          logit(log_share(kStepMin, kStepMax, e.launch_overhead_s)),
          logit(log_share(kTtftMin, kTtftMax, std::max(e.ttft_overhead_s, kTtftMin))), logit(std::clamp(e.burst, 0.01, 0.99)),
          logit(log_share(kLaunchMin, kLaunchMax, e.comm_latency_s)), logit(log_share(kSeqMin, kSeqMax, e.seq_overhead_s))};
}

// One row's robust loss: each row weighs one in total, shared by its metrics.
double row_loss(const RowPrediction& p) {
  if (!p.skip_reason.empty()) return 1.0;  // a row the fit makes unusable costs like a large miss
  double sum = 0;
  const double w = p.metrics.empty() ? 0.0 : 1.0 / p.metrics.size();
  for (const auto& me : p.metrics) sum += w * huber(std::log(me.predicted / me.measured));
  return sum;
}

double loss(const std::vector<const PreparedRow*>& rows, const std::vector<double>& weight, const Efficiency& e) {
  std::vector<double> per(rows.size(), 0.0);
  tbb::parallel_for(std::size_t(0), rows.size(), [&](std::size_t i) { per[i] = weight[i] * row_loss(predict_prepared(*rows[i], &e)); });
  // Summed in row order: the same bytes whatever the thread count.
  double sum = 0;
  for (double v : per) sum += v;
  return sum;
}

// Nelder-Mead on the unbounded (logit) parameters: deterministic, derivative-free.
// A group with fewer TTFT rows than this keeps the TTFT overhead and wave share it
// starts from: one or two rows cannot tell a fixed overhead from queueing, and a
// value fitted on them would move every TTFT of the stack.
constexpr int kMinTtftRows = 3;

Efficiency fit(const std::vector<const PreparedRow*>& rows, const Efficiency& start) {
  constexpr int kN = kParams;
  constexpr int kIterations = 250;
  constexpr int kRounds = 6;
  constexpr double kTol = 1e-4;
  constexpr double kStep = 0.8;
  std::array<Vec, kN + 1> s{};
  std::array<double, kN + 1> f{};
  const Vec x0 = to_x(start);
  const bool freeze_ttft =
      std::count_if(rows.begin(), rows.end(), [](const PreparedRow* r) { return r->has_ttft; }) < kMinTtftRows;
  // A model's n rows weigh sqrt(n) together: a group's values also stand for models
  // without measurements, so the most-measured model must not decide them alone, and
  // rows of one model (one serving recipe) are not independent evidence.
  auto key = [](const PreparedRow* r) { return r->base.model_id + '|' + r->base.row->source; };
  std::map<std::string, int> per_model;
  for (const auto* r : rows) ++per_model[key(r)];
  std::vector<double> weight(rows.size(), 1.0);
  for (std::size_t i = 0; i < rows.size(); ++i) weight[i] = 1.0 / std::sqrt(double(per_model[key(rows[i])]));
  auto loss = [&](const std::vector<const PreparedRow*>& rs, Efficiency e) {
    if (freeze_ttft) {
      e.ttft_overhead_s = start.ttft_overhead_s;
      e.burst = start.burst;
    }
    return gpugap::perf::loss(rs, weight, e);
  };
  // Nelder-Mead restarted from its best point with a fresh simplex until a round
  // gains less than kTol: one run collapses its simplex on this loss before it
  // converges, and the result would then depend on where it started.
  Vec x = x0;
  double fx = loss(rows, from_x(x));
  for (int round = 0; round < kRounds; ++round) {
    const double step = round == 0 ? kStep : kStep / 2;
    s[0] = x;
    f[0] = fx;
    for (int i = 0; i < kN; ++i) {
      s[i + 1] = s[0];
      s[i + 1][i] += step;
    }
    for (int i = 1; i <= kN; ++i) f[i] = loss(rows, from_x(s[i]));
    std::array<int, kN + 1> idx{};
    for (int it = 0; it < kIterations; ++it) {
      for (int i = 0; i <= kN; ++i) idx[i] = i;
      std::sort(idx.begin(), idx.end(), [&](int a, int b) { return f[a] < f[b] || (f[a] == f[b] && a < b); });
      const int best = idx[0], worst = idx[kN], second = idx[kN - 1];
      if (std::fabs(f[worst] - f[best]) < 1e-7 * (1 + std::fabs(f[best]))) break;
      Vec c{};
      for (int k = 0; k < kN; ++k)
        for (int j = 0; j < kN; ++j) c[j] += s[idx[k]][j] / kN;
      auto along = [&](double t) {
        Vec p{};
        for (int j = 0; j < kN; ++j) p[j] = c[j] + t * (s[worst][j] - c[j]);
        return p;
      };
      const Vec xr = along(-1.0);
      const double fr = loss(rows, from_x(xr));
      if (fr < f[best]) {
        const Vec xe = along(-2.0);
        const double fe = loss(rows, from_x(xe));
        if (fe < fr) { s[worst] = xe; f[worst] = fe; }
        else { s[worst] = xr; f[worst] = fr; }
      } else if (fr < f[second]) {
        s[worst] = xr;
        f[worst] = fr;
      } else {
        const Vec xc = along(0.5);
        const double fc = loss(rows, from_x(xc));
        if (fc < f[worst]) { s[worst] = xc; f[worst] = fc; }
        else {
          for (int k = 1; k <= kN; ++k) {
            const int i = idx[k];
            for (int j = 0; j < kN; ++j) s[i][j] = s[best][j] + 0.5 * (s[i][j] - s[best][j]);
            f[i] = loss(rows, from_x(s[i]));
          }
        }
      }
    }
    int b = 0;
    for (int i = 1; i <= kN; ++i)
      if (f[i] < f[b]) b = i;
    const double gain = fx - f[b];
    if (f[b] < fx) {
      x = s[b];
      fx = f[b];
    }
    if (gain <= kTol * (1 + std::fabs(fx))) break;
  }
  Efficiency out = from_x(x);
  if (freeze_ttft) {
    out.ttft_overhead_s = start.ttft_overhead_s;
    out.burst = start.burst;
  }
  return out;
}

// The wave share of one benchmark harness (a publication's rows) is a property of how the
// benchmark sent its requests, not of the serving stack: `f(share)` is its rows' loss, each
// row with its own group's other values. Golden-section search on [0, 1].
double fit_burst(const std::function<double(double)>& f) {
  const double g = (std::sqrt(5.0) - 1) / 2;
  double a = 0, b = 1, c = b - g * (b - a), d = a + g * (b - a);
  double fc = f(c), fd = f(d);
  for (int it = 0; it < 40; ++it) {
    if (fc <= fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = f(c); }
    else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = f(d); }
  }
  return (a + b) / 2;
}

// The TTFT rows of each publication of the shared file among those `take` accepts.
std::map<std::string, std::vector<std::size_t>> harness_rows(const std::vector<Measurement>& rows,
                                                             const std::function<bool(std::size_t)>& take) {
  std::map<std::string, std::vector<std::size_t>> by;
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (!harness_of(rows[i]).empty() && rows[i].ttft_ms && take(i)) by[harness_of(rows[i])].push_back(i);
  return by;
}

// A harness's wave share from its rows, each given as its prediction at a share; none
// from fewer than kMinTtftRows rows.
std::optional<HarnessFit> fit_harness_share(const std::vector<std::function<RowPrediction(double)>>& rows) {
  if (rows.size() < static_cast<std::size_t>(kMinTtftRows)) return std::nullopt;
  const double b = fit_burst([&](double share) {
    double sum = 0;
    for (const auto& predict_at : rows) sum += row_loss(predict_at(share));
    return sum;
  });
  return HarnessFit{b, rows.size()};
}

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

double median_abs(const std::vector<RowPrediction>& preds) {
  std::vector<double> e;
  for (const auto& p : preds)
    for (const auto& m : p.metrics) e.push_back(std::fabs(m.error_pct()));
  return summarize(e).median_abs_error_pct;
}

}  // namespace

namespace {

struct GroupKey {
  std::string stack, family, backend, model;
  bool operator<(const GroupKey& o) const {
    return std::tie(stack, family, backend, model) < std::tie(o.stack, o.family, o.backend, o.model);
  }
};

// The group a fit starts from: a model's -> its (family, backend) pair's -> the backend's ->
// the stack's; a family's -> the stack's.
GroupKey parent_of(const GroupKey& k) {
  if (!k.model.empty()) return {k.stack, k.family, k.backend, ""};
  if (!k.family.empty() && !k.backend.empty()) return {k.stack, "", k.backend, ""};
  return {k.stack, "", "", ""};
}

// The most specific fitted group for a row: (family, backend, model), (family, backend), (backend),
// (family), (stack).
template <class Map>
auto most_specific(const Map& fits, const std::string& stack, const std::string& family, const std::string& backend,
                   const std::string& model) {
  for (const GroupKey& k : {GroupKey{stack, family, backend, model}, GroupKey{stack, family, backend, ""}, GroupKey{stack, "", backend, ""},
                            GroupKey{stack, family, "", ""}, GroupKey{stack, "", "", ""}}) {
    auto it = fits.find(k);
    if (it != fits.end()) return it;
  }
  return fits.end();
}

}  // namespace

std::string calibration_model_key(const std::string& model_id) {
  std::string k = model_id;
  std::replace(k.begin(), k.end(), '.', '_');
  return k;
}

std::map<std::string, HarnessFit> fit_harness(const catalog::Catalog& cat, const ParamTable& params,
                                              const std::vector<Measurement>& rows, const ValidateOptions& opt) {
  ValidateOptions vo = opt;
  vo.harness = nullptr;
  std::map<std::string, HarnessFit> out;
  for (const auto& [h, idx] : harness_rows(rows, [](std::size_t) { return true; })) {
    std::vector<std::function<RowPrediction(double)>> rs;
    for (auto i : idx) {
      PreparedRow pr = prepare_row(cat, params, rows[i], vo);
      if (predict_prepared(pr, nullptr).metrics.empty()) continue;
      rs.push_back([pr](double share) mutable {
        pr.burst = share;
        return predict_prepared(pr, nullptr);
      });
    }
    if (auto f = fit_harness_share(rs)) out[h] = *f;
  }
  return out;
}

CalibrationResult calibrate(const catalog::Catalog& cat, const ParamTable& params, const std::vector<Measurement>& rows,
                            const CalibrateOptions& opt) {
  CalibrationResult res;
  res.folds = std::max(2, opt.folds);
  ValidateOptions vo = opt.validate;
  vo.use_backend = false;  // fits start from the stack values, never from earlier fits of a backend
  vo.harness = nullptr;    // the fits' own wave shares replace these
  std::vector<PreparedRow> prepared;
  prepared.reserve(rows.size());
  for (const auto& m : rows) prepared.push_back(prepare_row(cat, params, m, vo));
  std::vector<char> usable(prepared.size(), 0);
  tbb::parallel_for(std::size_t(0), prepared.size(), [&](std::size_t i) {
    const auto& pr = prepared[i];
    if (pr.base.skip_reason.empty() && !pr.chip.stack.empty()) usable[i] = !predict_prepared(pr, nullptr).metrics.empty();
  });
  // Every group a row belongs to, with the row indices.
  auto keys_of = [&](std::size_t i) {
    const std::string& st = prepared[i].chip.stack;
    const std::string& fam = prepared[i].base.family;
    const std::string& be = rows[i].backend;
    std::vector<GroupKey> k = {{st, "", "", ""}, {st, fam, "", ""}};
    if (!be.empty()) {
      k.push_back({st, "", be, ""});
      k.push_back({st, fam, be, ""});
      k.push_back({st, fam, be, prepared[i].base.model_id});
    }
    return k;
  };
  std::map<GroupKey, std::vector<std::size_t>> members;
  for (std::size_t i = 0; i < prepared.size(); ++i)
    if (usable[i])
      for (const auto& k : keys_of(i)) members[k].push_back(i);
  // Which groups are fitted: stacks with enough rows; sub-groups with enough rows that differ from their parent.
  std::vector<GroupKey> fitted_keys;
  for (const auto& [k, idx] : members) {
    const bool top = k.family.empty() && k.backend.empty();
    if (top) {
      if (idx.size() >= opt.min_rows_stack) fitted_keys.push_back(k);
      continue;
    }
    if (!members.count({k.stack, "", "", ""}) || members.at({k.stack, "", "", ""}).size() < opt.min_rows_stack) continue;
    if (!k.model.empty()) {
      // Only where the (family, backend) group holds other models too.
      if (idx.size() >= opt.min_rows_model && members.at(parent_of(k)).size() != idx.size())
        fitted_keys.push_back(k);
      continue;
    }
    if (idx.size() < opt.min_rows_backend) continue;
    // A sub-group identical to a coarser one adds nothing.
    const GroupKey parent = parent_of(k);
    const GroupKey other = !k.family.empty() && !k.backend.empty() ? GroupKey{k.stack, k.family, "", ""} : parent;
    if (members.at(parent).size() == idx.size() || members.at(other).size() == idx.size()) continue;
    fitted_keys.push_back(k);
  }
  // Coarse before fine, so each fit starts from its parent's.
  auto level = [](const GroupKey& k) { return (k.family.empty() ? 0 : 1) + (k.backend.empty() ? 0 : 2) + (k.model.empty() ? 0 : 4); };
  std::stable_sort(fitted_keys.begin(), fitted_keys.end(), [&](const GroupKey& a, const GroupKey& b) { return level(a) < level(b); });
  auto start_for = [&](const std::string& stack) {
    Efficiency e;
    if (auto v = params.maybe("stacks." + stack + ".eta_compute")) e.eta_compute = std::clamp(*v, 0.05, 0.95);
    if (auto v = params.maybe("stacks." + stack + ".eta_memory")) e.eta_memory = std::clamp(*v, 0.05, 0.95);
    if (auto v = params.maybe("stacks." + stack + ".launch_overhead")) e.launch_overhead_s = std::clamp(*v, 2e-6, 1e-2);
    if (auto v = params.maybe("stacks." + stack + ".ttft_overhead")) e.ttft_overhead_s = *v;
    e.ttft_overhead_s = std::max(e.ttft_overhead_s, 0.01);
    if (auto v = params.maybe("stacks." + stack + ".comm_latency")) e.comm_latency_s = std::clamp(*v, 2e-6, 1e-4);
    if (auto v = params.maybe("stacks." + stack + ".seq_overhead")) e.seq_overhead_s = std::clamp(*v, 2e-8, 5e-4);
    e.burst = 0.1;
    return e;
  };
  auto fit_rows = [&](const std::vector<std::size_t>& idx, const Efficiency& start) {
    std::vector<const PreparedRow*> ptrs;
    for (auto i : idx) ptrs.push_back(&prepared[i]);
    return fit(ptrs, start);
  };
  // Fits the hierarchy on a subset of rows (all rows, or the training folds).
  struct Fits {
    std::map<GroupKey, Efficiency> groups;
    std::map<std::string, HarnessFit> harness;
  };
  // The values that predict row i: its most specific group's, with its harness's wave share.
  auto eff_for = [&](const Fits& f, std::size_t i) -> std::optional<Efficiency> {
    auto it = most_specific(f.groups, prepared[i].chip.stack, prepared[i].base.family, rows[i].backend, prepared[i].base.model_id);
    if (it == f.groups.end()) return std::nullopt;
    Efficiency e = it->second;
    if (auto h = f.harness.find(harness_of(rows[i])); h != f.harness.end()) e.burst = h->second.burst;
    return e;
  };
  auto fit_all = [&](const std::function<bool(std::size_t)>& in_train) {
    Fits out;
    auto& fits = out.groups;
    for (const auto& k : fitted_keys) {
      std::vector<std::size_t> idx;
      for (auto i : members.at(k))
        if (in_train(i)) idx.push_back(i);
      const bool top = k.family.empty() && k.backend.empty();
      if (idx.size() < (top ? opt.min_rows_stack : opt.min_rows_backend)) continue;
      Efficiency start = start_for(k.stack);
      // From the nearest fitted group up the chain of parents.
      for (GroupKey p = k; !top;) {
        p = parent_of(p);
        if (auto it = fits.find(p); it != fits.end()) {
          start = it->second;
          break;
        }
        if (p.family.empty() && p.backend.empty()) break;
      }
      fits[k] = fit_rows(idx, start);
    }
    // Wave share of each harness with enough TTFT rows in the training set.
    for (const auto& [h, idx] : harness_rows(rows, [&](std::size_t i) { return usable[i] && in_train(i); })) {
      std::vector<std::function<RowPrediction(double)>> rs;
      for (auto i : idx)
        if (auto e = eff_for(out, i))
          rs.push_back([r = &prepared[i], e = *e](double share) mutable {
            e.burst = share;
            return predict_prepared(*r, &e);
          });
      if (auto f = fit_harness_share(rs)) out.harness[h] = *f;
    }
    return out;
  };
  const auto full = fit_all([](std::size_t) { return true; });
  res.harness = full.harness;
  for (const auto& k : fitted_keys) {
    auto it = full.groups.find(k);
    if (it == full.groups.end()) continue;
    FitGroup g;
    g.stack = k.stack;
    g.family = k.family;
    g.backend = k.backend;
    g.model = k.model;
    g.rows = members.at(k);
    g.fitted = it->second;
    res.groups.push_back(g);
  }
  // Train error of each group (its rows predicted with its own values).
  for (auto& g : res.groups) {
    std::vector<RowPrediction> preds;
    for (auto i : g.rows) preds.push_back(predict_prepared(prepared[i], &g.fitted));
    g.train_median_abs_error_pct = median_abs(preds);
    for (const auto& p : preds) g.n_metrics += p.metrics.size();
  }
  // k-fold: refit the hierarchy without the fold, predict the fold with the most specific group.
  auto fold_of = [&](std::size_t i) {
    const std::string key = opt.folds_by_model ? prepared[i].base.model_id : rows[i].id + "#" + std::to_string(i);
    return static_cast<int>(fnv1a(key) % res.folds);
  };
  std::vector<RowPrediction> held(prepared.size());
  std::vector<bool> done(prepared.size(), false);
  for (int k = 0; k < res.folds; ++k) {
    const auto fits = fit_all([&](std::size_t i) { return fold_of(i) != k; });
    for (std::size_t i = 0; i < prepared.size(); ++i) {
      if (!usable[i] || fold_of(i) != k) continue;
      if (const auto e = eff_for(fits, i)) {
        held[i] = predict_prepared(prepared[i], &*e);
      } else {
        held[i] = prepared[i].base;
        held[i].skip_reason = "no fit for stack " + prepared[i].chip.stack + " without this row's fold (too few rows)";
      }
      done[i] = true;
    }
  }
  for (std::size_t i = 0; i < prepared.size(); ++i) {
    if (!done[i]) {
      held[i] = predict_prepared(prepared[i], nullptr);  // skipped rows keep their reason
      if (held[i].skip_reason.empty() && usable[i] == 0) held[i].skip_reason = "no usable prediction";
      else if (held[i].skip_reason.empty()) held[i].skip_reason = "stack " + prepared[i].chip.stack + " has too few rows to fit";
    }
    res.heldout.push_back(held[i]);
  }
  // Held-out error per group.
  for (auto& g : res.groups) {
    std::vector<RowPrediction> preds;
    std::map<std::string, std::vector<double>> by_metric;
    for (auto i : g.rows) {
      preds.push_back(held[i]);
      for (const auto& m : held[i].metrics) by_metric[m.metric].push_back(std::fabs(m.error_pct()));
    }
    g.heldout_median_abs_error_pct = median_abs(preds);
    for (const auto& [k, v] : by_metric) g.heldout_by_metric[k] = summarize(v);
  }
  return res;
}

}  // namespace gpugap::perf
