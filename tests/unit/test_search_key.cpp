// The search key (perf::search_key) is the one cache key of econ's
// perf-econ join. Property: every scenario parameter that the deployment
// search reads changes the key, so a Monte Carlo sample, a tornado bar or a
// lever swap that moves one never reuses a stale search; the parameters it
// does not read (money, power, dates, supply-side figures) leave the key, and
// the search, unchanged, so those samples reuse it.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "analysis/scenario.hpp"
#include "catalog/specs.hpp"
#include "perf/perf.hpp"
#include "perf/search_key.hpp"
#include "perf/serving.hpp"
#include "studies/engines.hpp"

using namespace gpugap;

namespace {

const analysis::Context& base_ctx() {
  static const analysis::Context ctx = studies::make_context({analysis::default_catalog_dir()}, "ms-2025", {});
  return ctx;
}

struct Inputs {
  ChipSpec chip;
  ModelSpec model;
  Workload w;
  perf::SearchOptions so;
};

// The inputs as econ's join builds them from a parameter table: the chip on its serving stack.
Inputs inputs(const ParamTable& p, const std::string& chip, const std::string& model, const std::string& wl) {
  const auto& cat = *base_ctx().catalog;
  Inputs in{perf::serving_chip(cat, p, chip), model_spec(cat, p, model), workload_spec(cat, p, wl), {}};
  in.so.mtp_acceptance = perf::model_mtp_acceptance(p, in.model).value_or(0.0);
  in.so.mtp_acceptance_later = perf::model_mtp_acceptance_later(p, in.model).value_or(-1.0);
  in.so.pareto = false;
  return in;
}

std::string key_of(const Inputs& in) { return perf::search_key(in.chip, in.model, in.w, in.so); }

// Chip fields the search does not read: money, power, dates, silicon and
// supply figures (econ's money side and the supply model read them).
bool money_or_supply_field(std::string_view f) {
  // software.devices_per_package: read by `perf --rank device` only; the search ranks packages.
  for (std::string_view pre : {"price.", "power.", "launch_year", "silicon.", "export_control.", "memory.hbm_stacks",
                               "software.devices_per_package"})
    if (f.starts_with(pre)) return true;
  return false;
}

// Whether the search reads the stack field `f` (path under "stacks.S."): the values of the
// group the chip's serving stack applies (`values`, perf/serving.hpp), and the pooled values
// that group does not override. The benchmark wave share, other backends' and model-level
// fits are read only by `gpugap validate`.
bool stack_field_read(const ParamTable& p, std::string_view f, const std::string& stack_pre, const std::string& values) {
  if (f == "benchmark_burst" || f.ends_with(".benchmark_burst")) return false;
  const std::string path = stack_pre + std::string(f);
  if (path.starts_with(values + ".")) return path.find('.', values.size() + 1) == std::string::npos;
  if (f.find('.') != std::string_view::npos) return false;
  return values + "." == stack_pre || !p.find(values + "." + std::string(f));
}

struct Perturbed {
  bool ok = false;
  Inputs in;
};

// The parameter doubled; halved, or moved by 1%, when that is not a valid spec
// (cross-field checks: fp8 compute >= bf16, ...). Zero or null: 1, 2 or large.
Perturbed perturb(const ParamTable& p, ParamIndex i, const std::string& chip, const std::string& model,
                  const std::string& wl) {
  const Param& prm = p.at(i);
  const double base = prm.is_null || prm.value == 0 ? 0.0 : prm.value;
  constexpr double kLarge = 1e18;  // a null compute value must exceed the higher precisions' (1 EFLOP/s)
  const std::vector<double> tries = base == 0 ? std::vector<double>{1.0, 2.0, kLarge}
                                              : std::vector<double>{base * 2, base * 0.5, base * 1.01, base * 0.99};
  for (double v : tries) {
    ParamTable q = p;
    q.set_value(i, v);
    try {
      return {true, inputs(q, chip, model, wl)};
    } catch (const UserError&) {
    }
  }
  return {};
}

struct Case {
  std::string chip, model, workload;
};
// Named in test output (ctest lists the parameter).
void PrintTo(const Case& c, std::ostream* os) { *os << c.chip << " x " << c.model << " x " << c.workload; }

class SearchKeyProperty : public ::testing::TestWithParam<Case> {};

TEST_P(SearchKeyProperty, EveryPerfInputChangesTheKeyAndNothingElseDoes) {
  const Case c = GetParam();
  const ParamTable& p = base_ctx().params;
  const Inputs base = inputs(p, c.chip, c.model, c.workload);
  const std::string k0 = key_of(base);
  const std::string chip_pre = "chips." + base.chip.id + ".";
  const std::string stack_pre = base.chip.stack.empty() ? std::string("\x01") : "stacks." + base.chip.stack + ".";
  const std::string model_pre = "models." + base.model.id + ".";
  const std::string wl_pre = "workloads." + base.w.id + ".";
  constexpr int kHarnessChecks = 3;
  int read = 0, not_read = 0, harness_checked = 0;
  std::vector<std::string> stale, spurious, unperturbable;
  std::optional<perf::SearchResult> base_search;
  for (ParamIndex i = 0; i < p.size(); ++i) {
    const std::string& path = p.at(i).path;
    bool perf_input = false;
    if (path.starts_with(chip_pre)) perf_input = !money_or_supply_field(std::string_view(path).substr(chip_pre.size()));
    else if (path.starts_with(stack_pre)) {
      // A backend's row count moves the default choice only across a threshold (tests/unit/test_serving.cpp).
      if (path.ends_with(".rows")) continue;
      perf_input = stack_field_read(p, std::string_view(path).substr(stack_pre.size()), stack_pre, base.chip.serving.values);
    }
    else if (path.starts_with(model_pre) || path.starts_with(wl_pre)) perf_input = true;
    else continue;
    const Perturbed q = perturb(p, i, c.chip, c.model, c.workload);
    if (!q.ok) {
      unperturbable.push_back(path);
      continue;
    }
    const bool changed = key_of(q.in) != k0;
    if (perf_input) {
      ++read;
      if (!changed) stale.push_back(path);
      continue;
    }
    ++not_read;
    if (changed) spurious.push_back(path);
    // The claim that the search does not read it, checked on the search itself
    // (the per-backend fits: the first few of their hundreds).
    if (path.starts_with(stack_pre) && std::string_view(path).substr(stack_pre.size()).find('.') != std::string_view::npos &&
        ++harness_checked > kHarnessChecks)
      continue;
    if (!base_search) base_search = perf::search(base.chip, base.model, base.w, base.so);
    const perf::SearchResult s = perf::search(q.in.chip, q.in.model, q.in.w, q.in.so);
    EXPECT_EQ(s.status, base_search->status) << path;
    EXPECT_EQ(s.best.output_tps_per_chip, base_search->best.output_tps_per_chip) << path;
    EXPECT_EQ(s.best.ttft_s, base_search->best.ttft_s) << path;
    EXPECT_EQ(s.evaluated, base_search->evaluated) << path;
  }
  EXPECT_GT(read, 20) << "too few perf inputs found: the prefixes are wrong";
  EXPECT_GT(not_read, 0);
  EXPECT_TRUE(unperturbable.empty()) << "no valid perturbation of " << unperturbable.front();
  for (const auto& s : stale) ADD_FAILURE() << "the search reads " << s << " but the key ignores it (stale cache hits)";
  for (const auto& s : spurious) ADD_FAILURE() << "the search does not read " << s << " but the key changes with it";
}

// A GQA and an MLA model, a chip with a stack, a domestic chip, every workload field.
INSTANTIATE_TEST_SUITE_P(Catalog, SearchKeyProperty,
                         ::testing::Values(Case{"nvidia-h20", "qwen3-235b-a22b", "chat"},
                                           Case{"huawei-ascend-910c", "deepseek-r1", "reasoning"}),
                         [](const auto& info) { return std::to_string(info.index); });

// Options the search reads are in the key too.
TEST(SearchKey, EverySearchOptionChangesTheKey) {
  const Inputs base = inputs(base_ctx().params, "nvidia-h20", "qwen3-235b-a22b", "chat");
  const std::string k0 = key_of(base);
  std::vector<std::pair<std::string, perf::SearchOptions>> variants;
  auto add = [&](const std::string& what, auto&& change) {
    perf::SearchOptions so = base.so;
    change(so);
    variants.emplace_back(what, so);
  };
  add("ttft_target_s", [](auto& so) { so.ttft_target_s = 1.0; });
  add("tpot_target_s", [](auto& so) { so.tpot_target_s = 0.05; });
  add("formats", [](auto& so) { so.formats = {perf::Format{}}; });
  add("kv", [](auto& so) { so.kv = perf::DType::kFp8; });
  add("allow_disagg", [](auto& so) { so.allow_disagg = !so.allow_disagg; });
  add("allow_mtp", [](auto& so) { so.allow_mtp = !so.allow_mtp; });
  add("allow_overlap", [](auto& so) { so.allow_overlap = !so.allow_overlap; });
  add("mtp_acceptance", [](auto& so) { so.mtp_acceptance += 0.125; });
  add("mtp_acceptance_later", [](auto& so) { so.mtp_acceptance_later = 0.5; });
  add("max_width", [](auto& so) { so.max_width = 4; });
  add("pareto", [](auto& so) { so.pareto = !so.pareto; });
  add("fixed_mode", [](auto& so) { so.fixed_mode = !so.fixed_mode; });
  add("mode", [](auto& so) { so.mode = perf::ServeMode::kDisagg; });
  for (const auto& [what, so] : variants) EXPECT_NE(perf::search_key(base.chip, base.model, base.w, so), k0) << what;
}

}  // namespace
