// The serving stack perf, search, econ, score and gap run a chip on (perf/serving.hpp):
// the default follows the stated rule on the catalog's evidence, --stack-backend changes
// the result and the output names it, an unknown backend exits 2 with a suggestion, and
// perf with kernel tables gives what validate predicts for the same deployment.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "catalog_helpers.hpp"
#include "cli_helpers.hpp"
#include "perf/kernels.hpp"
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
    x.set_serving({"", load_kernel_tables(x), {}});
    return x;
  }();
  return c;
}

BackendEvidence ev(std::string b, int fam, int stack, bool released = true) { return {std::move(b), fam, stack, released}; }

// perf against validate on one deployment: the first AIC H100 TensorRT-LLM row with a TPOT whose
// model has no model-level group (perf applies (family, backend) values, as validate does for such
// a model), its deployment run on `chip_id`. perf's TPOT on the chip's TensorRT-LLM serving stack
// must equal validate's prediction of the row. `c` keeps the prediction and the chip for the
// caller's own checks; c.checked when a row was compared.
struct Compared {
  bool checked = false;
  RowPrediction prediction;
  ChipSpec chip;
};

void expect_perf_equals_validate(const catalog::Catalog& cat, const ValidateOptions& vo, const std::string& chip_id, Compared& c) {
  const ParamTable& p = cat.params();
  for (const auto& row : read_measurements(test::source_dir() + "/data/measurements/aic-silicon-sample.csv")) {
    if (row.backend != "trtllm" || !row.tpot_ms || cat.try_resolve("chips", row.chip).value_or("") != "nvidia-h100-sxm") continue;
    const auto model_id = cat.try_resolve("models", row.model);
    if (!model_id || p.maybe("stacks.cuda.family.nvidia-hopper.backend.trtllm.model." + calibration_model_key(*model_id) + ".eta_compute"))
      continue;
    Measurement m = row;
    m.chip = chip_id;
    const RowPrediction r = predict(cat, p, m, vo);
    if (!r.skip_reason.empty()) continue;
    const MetricError* tpot = nullptr;
    for (const auto& e : r.metrics)
      if (e.metric == "tpot_ms") tpot = &e;
    if (!tpot) continue;
    const auto specs = row_specs(cat, p, m, vo);
    ASSERT_TRUE(specs.has_value());
    c.chip = serving_chip(cat, p, chip_id, "trtllm");
    ASSERT_NE(c.chip.kernels, nullptr);
    const PerfResult res = evaluate(c.chip, specs->model, r.deployment, specs->workload);
    ASSERT_TRUE(res.ok()) << res.status;
    EXPECT_NEAR(res.tpot_s * 1e3, tpot->predicted, 1e-9 * tpot->predicted) << m.id;
    c.prediction = r;
    c.checked = true;
    return;
  }
}

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
  const auto tables = load_kernel_tables(cat);
  ASSERT_NE(tables, nullptr);
  ValidateOptions vo;
  vo.kernels = tables.get();
  Compared c;
  expect_perf_equals_validate(cat, vo, "nvidia-h100-sxm", c);
  ASSERT_TRUE(c.checked) << "no H100 trtllm AIC row with a TPOT and no model-level group";
  EXPECT_TRUE(c.chip.serving.kernels);
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

// A chip of the same silicon as one with tables (data/kernels/proxies.csv): perf runs it on the
// proxy's curves carried to its own roofline, exactly as validate predicts a row of it.
TEST(ServingStack, PerfOnAProxiedChipEqualsValidatesPredictionOfTheSameDeployment) {
  const auto& cat = serving_cat();
  const auto tables = cat.serving().kernels;
  ASSERT_NE(tables, nullptr);
  ValidateOptions vo;
  vo.kernels = tables.get();
  vo.operator_evidence = &tables->operator_evidence();
  Compared c;  // the H100 row's deployment on the H800 (GH100, NVLink 400 GB/s)
  expect_perf_equals_validate(cat, vo, "nvidia-h800", c);
  ASSERT_TRUE(c.checked) << "no H100 trtllm AIC row with a TPOT predicted on the H800";
  EXPECT_NE(c.prediction.method.find("carried to nvidia-h800"), std::string::npos) << c.prediction.method;
  EXPECT_EQ(c.chip.serving.kernel_source.rfind("proxy nvidia-h100-sxm (same silicon: ", 0), 0u) << c.chip.serving.kernel_source;
  EXPECT_EQ(stack_json(c.chip)["kernel_source"], c.chip.serving.kernel_source);
}

// H20 (GH100 with 78 SMs) runs at the H100 SXM's measured curves at its own roofline, not at the
// stack-level efficiencies it ran on before the proxies reached perf and econ.
TEST(ServingStack, H20RunsOnItsProxysCurvesNotTheStackLevelValues) {
  const auto& cat = serving_cat();
  const ParamTable& p = cat.params();
  const ChipSpec h20 = serving_chip(cat, p, "nvidia-h20");
  ASSERT_NE(h20.kernels, nullptr);
  EXPECT_NE(h20.serving.kernel_source.find("proxy nvidia-h100-sxm"), std::string::npos) << h20.serving.kernel_source;
  catalog::Catalog tables_only = test::cat();  // the measured tables alone: H20 has none
  tables_only.set_serving({"", std::make_shared<const KernelTables>(KernelTables::load(
                                    test::source_dir() + "/data/kernels/kernels.csv",
                                    [&](const std::string& s) { return tables_only.try_resolve("chips", s).value_or(""); })),
                           {}});
  const ChipSpec stack_level = serving_chip(tables_only, p, "nvidia-h20");
  EXPECT_EQ(stack_level.kernels, nullptr);
  EXPECT_EQ(stack_level.serving.backend, h20.serving.backend);
  const ModelSpec model = model_spec(cat, p, "deepseek-r1");
  Workload w;
  w.id = w.name = "t";
  w.isl = 1000;
  w.osl = 1000;
  Deployment d;
  d.tp = 8;
  d.batch = 64;
  const PerfResult a = evaluate(h20, model, d, w);
  const PerfResult b = evaluate(stack_level, model, d, w);
  ASSERT_TRUE(a.ok() && b.ok()) << a.status << b.status;
  EXPECT_GT(std::abs(a.tpot_s / b.tpot_s - 1), 0.05) << a.tpot_s << " vs " << b.tpot_s;
  // econ says so in its stack object.
  const auto r = test::run_cli("econ --model deepseek-r1 --workload chat --region cn --chips nvidia-h20 --no-frontier --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  ASSERT_FALSE(j["rows"].empty());
  EXPECT_NE(j["rows"][0]["stack"]["kernel_source"].get<std::string>().find("proxy nvidia-h100-sxm"), std::string::npos);
}

// An Ascend chip without tables runs its GEMMs at the published microbenchmark's fraction of peak
// (data/kernels/ascend-evidence.csv), and the stack object names it.
TEST(ServingStack, AscendChipsRunTheirGemmsAtThePublishedOperatorEvidence) {
  const auto& cat = serving_cat();
  const ChipSpec c = serving_chip(cat, cat.params(), "huawei-ascend-910c");
  EXPECT_EQ(c.kernels, nullptr);
  EXPECT_NEAR(c.gemm_fraction, 0.891, 1e-12);  // 315.36 / 353.8 TFLOP/s, torch.matmul 4096^3 BF16 on a 910B2
  EXPECT_NE(c.serving.operator_evidence.find("zzc0721/torch-performance-test-data"), std::string::npos) << c.serving.operator_evidence;
  EXPECT_FALSE(stack_json(c)["operator_evidence"].is_null());
}

namespace {

// A scenario file extending ms-2025 with `stack_backend: NAME` (line 6).
std::string scenario_with_backend(const test::TempDir& dir, const std::string& backend) {
  const auto f = dir.path() / ("sb-" + backend + ".yaml");
  std::ofstream(f) << "id: sb-" << backend << "\nname: \"stack backend test\"\nextends: ms-2025\nsource: \"test\"\n"
                   << "as_of: \"2026-12\"\nstack_backend: " << backend << "\nconfidence: low\n";
  return f.string();
}

}  // namespace

TEST(ServingStackCli, ScenarioStackBackendChangesTheResultAndIsRecorded) {
  test::TempDir dir("scenario-stack-backend");
  const std::string perf = " perf --chip nvidia-h100-sxm --model llama-3.1-70b --format json";
  const auto s = test::run_cli("--scenario " + scenario_with_backend(dir, "sglang") + perf);
  const auto t = test::run_cli("--scenario " + scenario_with_backend(dir, "trtllm") + perf);
  ASSERT_EQ(s.rc, 0) << s.err;
  ASSERT_EQ(t.rc, 0) << t.err;
  const auto sj = s.json();
  const auto tj = t.json();
  EXPECT_EQ(sj["stack"]["backend"], "sglang");
  EXPECT_EQ(tj["stack"]["backend"], "trtllm");
  EXPECT_NE(sj["stack"]["why"].get<std::string>().find("requested (scenario sb-sglang"), std::string::npos) << sj["stack"]["why"];
  EXPECT_NE(sj["output_tps_per_chip"].get<double>(), tj["output_tps_per_chip"].get<double>());
  // --set stack_backend=NAME as in a what-if, recorded the same way; --stack-backend wins over both.
  const auto w = test::run_cli("--set stack_backend=sglang" + perf);
  ASSERT_EQ(w.rc, 0) << w.err;
  EXPECT_EQ(w.json()["stack"]["backend"], "sglang");
  const auto o = test::run_cli("--scenario " + scenario_with_backend(dir, "sglang") + perf + " --stack-backend trtllm");
  ASSERT_EQ(o.rc, 0) << o.err;
  EXPECT_EQ(o.json()["stack"]["backend"], "trtllm");
}

TEST(ServingStackCli, UnknownScenarioStackBackendExitsTwoNamingFileAndLine) {
  test::TempDir dir("scenario-stack-backend-bad");
  const std::string f = scenario_with_backend(dir, "sglan");
  const auto r = test::run_cli("--scenario " + f + " perf --chip nvidia-h100-sxm --model llama-3.1-70b");
  EXPECT_EQ(r.rc, 2) << r.out;
  EXPECT_NE(r.err.find(f + ":6"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("stack_backend"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'sglang'"), std::string::npos) << r.err;
  const auto s = test::run_cli("--set stack_backend=trtlm perf --chip nvidia-h100-sxm --model llama-3.1-70b");
  EXPECT_EQ(s.rc, 2) << s.out;
  EXPECT_NE(s.err.find("did you mean 'trtllm'"), std::string::npos) << s.err;
}
