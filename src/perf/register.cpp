// Registers the perf engine's metric provider:
//   perf.<chip>.<model>.<workload>.{output_tps_per_chip, tpot_ms, ttft_ms, tokens_per_s_per_user}
// = the best deployment `gpugap search` finds for that chip, model and
// workload under the workload's TTFT/TPOT targets (NaN when none is found or
// the chip lacks data). Requested paths are computed lazily: ids may contain
// dots, so a path is split by matching catalog ids.
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <tuple>

#include "perf/register.hpp"
#include "perf/perf.hpp"
#include "perf/serving.hpp"

namespace gpugap::perf {
namespace {

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> m = {"output_tps_per_chip", "tpot_ms", "ttft_ms", "tokens_per_s_per_user"};
  return m;
}

// Models published for every chip by compute() (the full set).
const std::vector<std::string>& default_models() {
  static const std::vector<std::string> m = {"deepseek-r1", "qwen3-32b", "llama-3.1-70b"};
  return m;
}

struct Combo {
  std::string chip, model, workload;
  bool operator<(const Combo& o) const { return std::tie(chip, model, workload) < std::tie(o.chip, o.model, o.workload); }
};

// Splits "perf.<chip>.<model>.<workload>.<metric>" by matching catalog ids.
std::optional<Combo> parse(const catalog::Catalog& cat, const std::string& path) {
  if (path.rfind("perf.", 0) != 0) return std::nullopt;
  const auto last = path.rfind('.');
  if (last == std::string::npos || last < 5) return std::nullopt;
  const std::string metric = path.substr(last + 1);
  if (std::find(metric_names().begin(), metric_names().end(), metric) == metric_names().end()) return std::nullopt;
  const std::string body = path.substr(5, last - 5);
  for (std::size_t a = body.find('.'); a != std::string::npos; a = body.find('.', a + 1)) {
    const std::string chip = body.substr(0, a);
    if (!cat.find("chips", chip)) continue;
    for (std::size_t b = body.find('.', a + 1); b != std::string::npos; b = body.find('.', b + 1)) {
      const std::string model = body.substr(a + 1, b - a - 1);
      const std::string wl = body.substr(b + 1);
      if (cat.find("models", model) && cat.find("workloads", wl)) return Combo{chip, model, wl};
    }
  }
  return std::nullopt;
}

void compute_combos(const analysis::Context& ctx, const ParamTable& params, const std::vector<Combo>& combos,
                    analysis::MetricMap& out) {
  const auto& cat = *ctx.catalog;
  std::vector<std::array<double, 4>> vals(combos.size());
  tbb::parallel_for(std::size_t(0), combos.size(), [&](std::size_t i) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    vals[i] = {nan, nan, nan, nan};
    try {
      const ChipSpec chip = serving_chip(cat, params, combos[i].chip);
      const ModelSpec model = model_spec(cat, params, combos[i].model);
      const Workload w = workload_spec(cat, params, combos[i].workload);
      SearchOptions so;
      so.pareto = false;
      so.mtp_acceptance = model_mtp_acceptance(params, model).value_or(0.0);
      so.mtp_acceptance_later = model_mtp_acceptance_later(params, model).value_or(-1.0);
      const SearchResult r = search(chip, model, w, so);
      if (r.found)
        vals[i] = {r.best.output_tps_per_chip, r.best.tpot_s * 1e3, r.best.ttft_s * 1e3, r.best.tokens_per_s_per_user};
    } catch (const InsufficientData&) {
      // NaN: the chip or model lacks a value the search needs.
    }
  });
  for (std::size_t i = 0; i < combos.size(); ++i) {
    const std::string base = "perf." + combos[i].chip + "." + combos[i].model + "." + combos[i].workload + ".";
    for (std::size_t k = 0; k < 4; ++k) out[base + metric_names()[k]] = vals[i][k];
  }
}

class PerfProvider : public analysis::MetricProvider {
 public:
  [[nodiscard]] std::string prefix() const override { return "perf"; }

  void compute(const analysis::Context& ctx, const ParamTable& params, analysis::MetricMap& out) const override {
    const auto& cat = *ctx.catalog;
    std::vector<Combo> combos;
    for (const auto& chip : cat.ids("chips"))
      for (const auto& model : default_models())
        if (cat.find("models", model))
          for (const auto& wl : cat.ids("workloads")) combos.push_back({chip, model, wl});
    compute_combos(ctx, params, combos, out);
  }

  void compute_paths(const analysis::Context& ctx, const ParamTable& params, const std::vector<std::string>& paths,
                     analysis::MetricMap& out) const override {
    std::set<Combo> want;
    for (const auto& p : paths)
      if (auto c = parse(*ctx.catalog, p)) want.insert(*c);
    if (want.empty()) {
      // Unknown paths: publish one chip's metrics so the caller's error can suggest real ones.
      const auto chips = ctx.catalog->ids("chips");
      if (!chips.empty())
        for (const auto& model : default_models())
          if (ctx.catalog->find("models", model) && ctx.catalog->find("workloads", "chat"))
            want.insert({chips.front(), model, "chat"});
    }
    compute_combos(ctx, params, std::vector<Combo>(want.begin(), want.end()), out);
  }
};

}  // namespace

void register_engine(analysis::Registry& r) { r.providers.push_back(std::make_unique<PerfProvider>()); }

}  // namespace gpugap::perf
