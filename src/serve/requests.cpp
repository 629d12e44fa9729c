// Request sets, arrivals and scheduler presets of the serving simulator.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/source_dir.hpp"
#include "core/suggest.hpp"
#include "serve/rng.hpp"
#include "serve/serve.hpp"

namespace fs = std::filesystem;

namespace gpugap::serve {
namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) {
    while (!cell.empty() && (cell.back() == '\r' || cell.back() == ' ')) cell.pop_back();
    while (!cell.empty() && cell.front() == ' ') cell.erase(cell.begin());
    out.push_back(cell);
  }
  return out;
}

int parse_length(const std::string& cell, const std::string& file, int line, const std::string& column) {
  std::size_t used = 0;
  long v = 0;
  try {
    v = std::stol(cell, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  require(used == cell.size() && !cell.empty() && v >= 1 && v <= 10'000'000, Location{file, line, column},
          "a whole number of tokens >= 1", "'" + cell + "'");
  return static_cast<int>(v);
}

// vLLM RandomDataset: lengths uniform in [int(x (1 - r)), int(x (1 + r))], at least 1.
int uniform_length(Rng& rng, int mean, double r) {
  const auto lo = std::max<long long>(1, static_cast<long long>(mean * (1.0 - r)));
  const auto hi = std::max<long long>(lo, static_cast<long long>(mean * (1.0 + r)));
  return static_cast<int>(rng.integer(lo, hi));
}

void require_lengths(const RequestSpec& spec) {
  require(spec.isl >= 1 && spec.osl >= 1, Location{"", 0, "--isl/--osl"}, "input and output lengths >= 1",
          fmt::format("{} / {}", spec.isl, spec.osl));
}

}  // namespace

Dataset load_dataset(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UserError(Location{path, 0, "--dataset"}, "a readable CSV of input_tokens,output_tokens", "no such file");
  Dataset ds;
  ds.name = fs::path(path).stem().string();
  std::string line;
  int lineno = 0;
  int col_in = -1, col_out = -1;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line == "\r") continue;
    if (line[0] == '#') {
      const std::string key = "# source:";
      if (line.rfind(key, 0) == 0) ds.source = line.substr(key.size() + (line.size() > key.size() && line[key.size()] == ' '));
      continue;
    }
    const auto cells = split_csv(line);
    if (col_in < 0) {
      for (std::size_t i = 0; i < cells.size(); ++i) {
        if (cells[i] == "input_tokens") col_in = static_cast<int>(i);
        if (cells[i] == "output_tokens") col_out = static_cast<int>(i);
      }
      const std::string found = cells.empty() ? "''" : "'" + cells[0] + "'";
      require(col_in >= 0, Location{path, lineno, "header"}, "a header with the column input_tokens",
              found + (cells.empty() ? "" : "; did you mean " + suggest(cells[0], {"input_tokens", "output_tokens"}) + "?"));
      require(col_out >= 0, Location{path, lineno, "header"}, "a header with the column output_tokens", found);
      continue;
    }
    require(static_cast<int>(cells.size()) > std::max(col_in, col_out), Location{path, lineno, "row"},
            fmt::format("at least {} columns", std::max(col_in, col_out) + 1), fmt::format("{}", cells.size()));
    ds.rows.push_back({parse_length(cells[col_in], path, lineno, "input_tokens"),
                       parse_length(cells[col_out], path, lineno, "output_tokens")});
  }
  require(!ds.rows.empty(), Location{path, lineno, "rows"}, "at least one row of lengths", "none");
  return ds;
}

std::string dataset_dir() { return (fs::path(core::source_dir()) / "data" / "datasets").string(); }

std::vector<std::string> dataset_names() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dataset_dir(), ec))
    if (e.path().extension() == ".csv") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Lengths> draw_lengths(const RequestSpec& spec, std::uint64_t seed) {
  require(spec.count >= 1, Location{"", 0, "--requests"}, "at least one request", std::to_string(spec.count));
  Rng rng(seed, kStreamLengths);
  std::vector<Lengths> out(static_cast<std::size_t>(spec.count));
  switch (spec.dist) {
    case LengthDist::kFixed:
      require_lengths(spec);
      for (auto& l : out) l = {spec.isl, spec.osl};
      break;
    case LengthDist::kUniform:
      require_lengths(spec);
      require(spec.range_ratio >= 0 && spec.range_ratio < 1, Location{"", 0, "--range-ratio"}, "a ratio in [0, 1)",
              fmt::format("{}", spec.range_ratio));
      // Inputs first, then outputs, as vLLM draws them.
      for (auto& l : out) l.input = uniform_length(rng, spec.isl, spec.range_ratio);
      for (auto& l : out) l.output = uniform_length(rng, spec.osl, spec.range_ratio);
      break;
    case LengthDist::kUniformBelow:
      require_lengths(spec);
      require(spec.range_ratio >= 0 && spec.range_ratio <= 1, Location{"", 0, "range_ratio"}, "a ratio in [0, 1]",
              fmt::format("{}", spec.range_ratio));
      // SGLang bench_serving: randint(max(int(x r), 1), x) for inputs, then outputs.
      for (auto& l : out)
        l.input = static_cast<int>(rng.integer(std::max(1, static_cast<int>(spec.isl * spec.range_ratio)), spec.isl));
      for (auto& l : out)
        l.output = static_cast<int>(rng.integer(std::max(1, static_cast<int>(spec.osl * spec.range_ratio)), spec.osl));
      break;
    case LengthDist::kEmpirical: {
      const auto& rows = spec.dataset.rows;
      require(!rows.empty(), Location{"", 0, "--dataset"}, "a length table with rows", "none");
      for (auto& l : out) l = rows[static_cast<std::size_t>(rng.integer(0, static_cast<long long>(rows.size()) - 1))];
      break;
    }
  }
  return out;
}

std::vector<double> draw_arrivals(int count, const ArrivalSpec& spec, std::uint64_t seed) {
  require(spec.rate >= 0 && std::isfinite(spec.rate), Location{"", 0, "--request-rate"}, "a rate >= 0 (0: all at once)",
          fmt::format("{}", spec.rate));
  require(spec.max_concurrency >= 0, Location{"", 0, "--max-concurrency"}, "a count >= 0", std::to_string(spec.max_concurrency));
  std::vector<double> t(static_cast<std::size_t>(std::max(count, 0)), 0.0);
  if (spec.rate <= 0) return t;
  Rng rng(seed, kStreamArrivals);
  for (std::size_t i = 1; i < t.size(); ++i) t[i] = t[i - 1] + rng.exponential(spec.rate);
  return t;
}

// The presets, one row each: name, max running, tokens per step, chunked prefill, policy,
// block tokens, reserve the output at admission, where the defaults come from.
const std::vector<SchedulerSpec>& presets() {
  static const std::vector<SchedulerSpec> v = {
      {"vllm", 1024, 8192, true, BatchPolicy::kMixed, 16, false,
       "vLLM V1 OpenAI server on GPUs >= 70 GiB: max_num_seqs 1024, max_num_batched_tokens 8192 "
       "(vllm/engine/arg_utils.py get_batch_defaults); chunked prefill on, running requests scheduled before "
       "waiting ones; block_size 16; preemption by recompute (docs.vllm.ai, Optimization and Tuning). The AIC "
       "sample's vllm 0.19.0 deployments override both limits with AIConfigurator's (serve/validate.cpp)"},
      {"sglang", 0, 8192, true, BatchPolicy::kPrefillFirst, 1, false,
       "SGLang: --chunked-prefill-size 8192 on large GPUs, max running requests from the KV pool, a prefill batch "
       "whenever one can be formed (mixed chunks off by default), page size 1, decode requests retracted when the "
       "pool runs out (docs.sglang.ai, server arguments). The AIC sample's sglang 0.5.9 deployments set "
       "max_running_requests, max_prefill_tokens and, in agg, --enable-mixed-chunk (AIConfigurator's limits)"},
      {"trtllm", 2048, 8192, false, BatchPolicy::kMixed, 32, true,
       "TensorRT-LLM: max_batch_size 2048, max_num_tokens 8192 (nvidia.github.io/TensorRT-LLM, tuning max batch "
       "size and max num tokens); in-flight batching of context and generation requests; capacity scheduler "
       "GUARANTEED_NO_EVICT (KV reserved for the whole output); tokens_per_block 32; chunked context off. The AIC "
       "sample's trtllm 1.3.0rc10 deployments set max_batch_size and max_num_tokens (AIConfigurator's limits)"},
  };
  return v;
}

std::optional<SchedulerSpec> scheduler_preset(std::string_view name) {
  for (const auto& s : presets())
    if (s.name == name) return s;
  return std::nullopt;
}

std::vector<std::string> scheduler_names() {
  std::vector<std::string> out;
  for (const auto& s : presets()) out.push_back(s.name);
  return out;
}

}  // namespace gpugap::serve
