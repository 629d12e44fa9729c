// The serving stack perf, search, econ, score and gap run a chip on (perf/serving.hpp):
// the default follows the stated rule on the catalog's evidence, --stack-backend changes
// the result and the output names it, an unknown backend exits 2 with a suggestion, and
// perf with kernel tables gives what validate predicts for the same deployment.
#include <gtest/gtest.h>

#include <cmath>

#include "catalog_helpers.hpp"
#include "cli_helpers.hpp"
#include "perf/serving.hpp"
#include "perf/validation.hpp"

using namespace gpugap;
using namespace gpugap::perf;

namespace {

// The shipped catalog with the shipped kernel tables as its serving setup (what
// studies::make_context builds for the commands).
const catalog::Catalog& serving_cat() {
  static const catalog::Catalog c = [] {
    catalog::Catalog x = test::cat();
    x.set_serving({"", load_kernel_tables(x)});
    return x;
  }();
  return c;
}

BackendEvidence ev(std::string b, int fam, int stack, bool released = true) { return {std::move(b), fam, stack, released}; }

}  // namespace

TEST(ServingStack, DefaultRuleTakesTheReleasedBackendWithMostFamilyRowsThenStackRows) {
  std::vector<BackendEvidence> v = {ev("a", 10, 900), ev("b", 40, 100), ev("c", 25, 500)};
  ASSERT_NE(default_backend(v), nullptr);
  EXPECT_EQ(default_backend(v)->backend, "b");  // family rows decide before stack rows
  v[1].released = false;
  EXPECT_EQ(default_backend(v)->backend, "c");  // an unreleased stack is never the default
  std::vector<BackendEvidence> none_for_family = {ev("a", 0, 300), ev("b", 0, 700), ev("c", 0, 700)};
  EXPECT_EQ(default_backend(none_for_family)->backend, "b");  // stack rows; ties by name (sorted input)
  EXPECT_EQ(default_backend({ev("x", 0, 0)}), nullptr);       // nothing fitted: the pooled values
}

TEST(ServingStack, HopperChipRunsTheBackendWithMostRowsAndMoreEvidenceMovesTheChoice) {
  const auto& cat = serving_cat();
  const ParamTable& p = cat.params();
  const auto backends = stack_backends(cat, p, "cuda", "nvidia-hopper");
  const BackendEvidence* best = nullptr;
  for (const auto& b : backends)
    if (b.released && (!best || b.family_rows > best->family_rows)) best = &b;
  ASSERT_NE(best, nullptr);
  ASSERT_GT(best->family_rows, 0);
  const ChipSpec h100 = serving_chip(cat, p, "nvidia-h100-sxm");
  EXPECT_EQ(h100.serving.backend, best->backend);
  EXPECT_NE(h100.serving.why.find("default: most evidence (" + std::to_string(best->family_rows) + " rows"), std::string::npos)
      << h100.serving.why;
  EXPECT_EQ(h100.serving.values, "stacks.cuda.family.nvidia-hopper.backend." + best->backend);
  // Give another backend more rows than the leader: the default follows the evidence.
  const std::string other = best->backend == "sglang" ? "vllm" : "sglang";
  ParamTable moved = p;
  const auto i = moved.find("stacks.cuda.family.nvidia-hopper.backend." + other + ".rows");
  ASSERT_TRUE(i.has_value());
  moved.set_value(*i, best->family_rows + 1000);
  EXPECT_EQ(serving_chip(cat, moved, "nvidia-h100-sxm").serving.backend, other);
  // CloudMatrix-Infer is not released: never an Ascend chip's default.
  EXPECT_NE(serving_chip(cat, p, "huawei-ascend-910c").serving.backend, "cloudmatrix-infer");
}

TEST(ServingStack, PerfWithKernelTablesEqualsValidatesPredictionOfTheSameDeployment) {
  const auto& cat = serving_cat();
  const ParamTable& p = cat.params();
  const auto rows = read_measurements(test::source_dir() + "/data/measurements/aic-silicon-sample.csv");
  const auto tables = load_kernel_tables(cat);
  ASSERT_NE(tables, nullptr);
  ValidateOptions vo;
  vo.kernels = tables.get();
  // The first H100 TensorRT-LLM row with a TPOT whose model has no model-level group (perf applies
  // (family, backend) values, as validate does for such a model).
  bool checked = false;
  for (const auto& m : rows) {
    if (m.backend != "trtllm" || !m.tpot_ms || cat.try_resolve("chips", m.chip).value_or("") != "nvidia-h100-sxm") continue;
    const auto model_id = cat.try_resolve("models", m.model);
    if (!model_id || p.maybe("stacks.cuda.family.nvidia-hopper.backend.trtllm.model." + calibration_model_key(*model_id) + ".eta_compute"))
      continue;
    const RowPrediction r = predict(cat, p, m, vo);
    if (!r.skip_reason.empty()) continue;
    const MetricError* tpot = nullptr;
    for (const auto& e : r.metrics)
      if (e.metric == "tpot_ms") tpot = &e;
    if (!tpot) continue;
    const auto specs = row_specs(cat, p, m, vo);
    ASSERT_TRUE(specs.has_value());
    const ChipSpec chip = serving_chip(cat, p, "nvidia-h100-sxm", "trtllm");
    ASSERT_NE(chip.kernels, nullptr);
    EXPECT_TRUE(chip.serving.kernels);
    const PerfResult res = evaluate(chip, specs->model, r.deployment, specs->workload);
    ASSERT_TRUE(res.ok()) << res.status;
    EXPECT_NEAR(res.tpot_s * 1e3, tpot->predicted, 1e-9 * tpot->predicted) << m.id;
    checked = true;
    break;
  }
  EXPECT_TRUE(checked) << "no H100 trtllm AIC row with a TPOT and no model-level group";
}

TEST(ServingStackCli, StackBackendChangesThePerfResultAndTheOutputNamesIt) {
  const std::string base = "perf --chip nvidia-h100-sxm --model llama-3.1-70b --format json";
  const auto d = test::run_cli(base);
  ASSERT_EQ(d.rc, 0) << d.err;
  const auto dj = d.json();
  ASSERT_TRUE(dj.contains("stack"));
  EXPECT_EQ(dj["stack"]["stack"], "cuda");
  EXPECT_NE(dj["stack"]["why"].get<std::string>().find("default"), std::string::npos);
  const std::string def = dj["stack"]["backend"];
  const std::string other = def == "vllm" ? "sglang" : "vllm";
  const auto o = test::run_cli(base + " --stack-backend " + other);
  ASSERT_EQ(o.rc, 0) << o.err;
  const auto oj = o.json();
  EXPECT_EQ(oj["stack"]["backend"], other);
  EXPECT_NE(oj["stack"]["why"].get<std::string>().find("requested"), std::string::npos);
  EXPECT_NE(oj["output_tps_per_chip"].get<double>(), dj["output_tps_per_chip"].get<double>());
  const auto t = test::run_cli("perf --chip nvidia-h100-sxm --model llama-3.1-70b --stack-backend " + other);
  ASSERT_EQ(t.rc, 0) << t.err;
  EXPECT_NE(t.out.find("stack: cuda / " + other), std::string::npos) << t.out;
}

TEST(ServingStackCli, UnknownBackendExitsTwoWithASuggestion) {
  const auto r = test::run_cli("perf --chip nvidia-h100-sxm --model llama-3.1-70b --stack-backend trtlm");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("did you mean 'trtllm'"), std::string::npos) << r.err;
  // A backend of another stack is not one of this chip's.
  const auto c = test::run_cli("perf --chip nvidia-h100-sxm --model llama-3.1-70b --stack-backend chitu");
  EXPECT_EQ(c.rc, 2) << c.out;
  const auto e = test::run_cli("econ --model llama-3.1-70b --chips nvidia-h20 --no-frontier --stack-backend vlm");
  EXPECT_EQ(e.rc, 2);
  EXPECT_NE(e.err.find("did you mean 'vllm'"), std::string::npos) << e.err;
}

TEST(ServingStackCli, EconRowsSayWhichStackTheyRanOn) {
  const auto r = test::run_cli("econ --model llama-3.1-70b --chips nvidia-h20,huawei-ascend-910c --no-frontier --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();  // iterated below: a temporary's member would not outlive the loop's start
  for (const auto& row : j["rows"]) {
    ASSERT_TRUE(row.contains("stack")) << row["chip"];
    EXPECT_FALSE(row["stack"]["why"].get<std::string>().empty());
    EXPECT_FALSE(row["stack"]["evidence"].get<std::string>().empty());
  }
}
