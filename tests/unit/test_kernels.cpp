// Kernel evidence (perf/kernels.hpp): the shipped tables load, malformed ones are
// refused with file and line, curves reproduce their points and stay within the
// chip's peaks, and a kernel-calibrated step is the sum of its operators.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "catalog_helpers.hpp"
#include "cli_helpers.hpp"
#include "core/error.hpp"
#include "core/source_dir.hpp"
#include "perf/engine.hpp"
#include "perf/kernels.hpp"
#include "perf/perf.hpp"
#include "perf/validation_detail.hpp"

using namespace gpugap;
using namespace gpugap::perf;
namespace fs = std::filesystem;

namespace {

std::string shipped() { return core::source_dir() + "/data/kernels/kernels.csv"; }

const KernelTables& tables() {
  static const KernelTables t = KernelTables::load(
      shipped(), [](const std::string& s) { return test::cat().try_resolve("chips", s).value_or(""); });
  return t;
}

// Writes `body` under the header to a temporary file and returns the UserError it raises ("" if none).
std::string load_error(const std::string& name, const std::string& body) {
  const auto path = fs::temp_directory_path() / ("gpugap-kernels-" + std::to_string(::getpid()) + "-" + name + ".csv");
  {
    std::ofstream out(path);
    out << "system,backend,version,op,dtype,ranks,x,value,points\n" << body;
  }
  std::string what;
  try {
    (void)KernelTables::read(path.string());
  } catch (const UserError& e) {
    what = e.what();
  }
  fs::remove(path);
  return what;
}

}  // namespace

TEST(KernelTables, ShippedTablesCoverTheAicSystemsAndBackends) {
  for (const char* chip : {"nvidia-h100-sxm", "nvidia-h200-sxm", "nvidia-b200", "nvidia-b300", "nvidia-gb200", "nvidia-gb300"})
    for (const char* backend : {"trtllm", "sglang", "vllm"}) {
      const KernelEvidence* e = tables().find(chip, backend);
      ASSERT_NE(e, nullptr) << chip << " " << backend;
      EXPECT_FALSE(e->gemm_tflops[int(KernelType::kBf16)].empty()) << chip << " " << backend;
      EXPECT_FALSE(e->gemm_tflops[int(KernelType::kFp8)].empty()) << chip << " " << backend;
      EXPECT_FALSE(e->gemm_fixed_s[int(KernelType::kBf16)].empty());
      EXPECT_FALSE(e->decode_gbps[int(KernelType::kBf16)].empty());
      EXPECT_FALSE(e->prefill_tflops.empty());
      EXPECT_FALSE(e->allreduce_s.empty()) << chip << " " << backend;
    }
  EXPECT_EQ(tables().find("huawei-ascend-910c", "sglang"), nullptr);  // no table: the roofline stays
  EXPECT_EQ(tables().find("nvidia-h200-sxm", "mindie"), nullptr);
}

TEST(KernelTables, MalformedTablesAreRefusedWithFileLineAndColumn) {
  const std::string ok = "h200_sxm,trtllm,1,gemm,bf16,0,1,2.5,9\n";
  EXPECT_EQ(load_error("ok", ok), "");
  const std::string op = load_error("op", ok + "h200_sxm,trtllm,1,gem,bf16,0,2,2.5,9\n");
  EXPECT_NE(op.find(":3"), std::string::npos) << op;
  EXPECT_NE(op.find("op"), std::string::npos) << op;
  EXPECT_NE(op.find("gemm"), std::string::npos) << op;  // did you mean
  const std::string order = load_error("order", ok + "h200_sxm,trtllm,1,gemm,bf16,0,1,3,9\n");
  EXPECT_NE(order.find("increasing"), std::string::npos) << order;
  EXPECT_NE(load_error("fields", "h200_sxm,trtllm,1,gemm,bf16,0,1,2.5\n").find("9 comma-separated fields"), std::string::npos);
  EXPECT_NE(load_error("number", "h200_sxm,trtllm,1,gemm,bf16,0,1,fast,9\n").find("value"), std::string::npos);
  EXPECT_NE(load_error("negative", "h200_sxm,trtllm,1,gemm,bf16,0,1,-2,9\n").find("positive"), std::string::npos);
  EXPECT_NE(load_error("dtype", "h200_sxm,trtllm,1,gemm,int3,0,1,2,9\n").find("dtype"), std::string::npos);
  EXPECT_NE(load_error("ranks", "h200_sxm,trtllm,1,allreduce,bf16,1,128,3,1\n").find("ranks"), std::string::npos);
}

TEST(KernelTables, CliRefusesAMalformedTableWithExitCode2) {
  const auto path = fs::temp_directory_path() / ("gpugap-kernels-cli-" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream out(path);
    out << "system,backend,version,op,dtype,ranks,x,value,points\nh200_sxm,trtllm,1,gemm,bf16,0,1,oops,9\n";
  }
  const auto r = test::run_cli("validate --measurements " + core::source_dir() + "/data/measurements/measurements-shared.csv" +
                               " --folds-by source --heldout-publication docs.nvidia.com --kernels " + path.string());
  fs::remove(path);
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find(":2"), std::string::npos) << r.err;
}

TEST(KernelCurve, ReproducesEveryTablePointAndStaysBetweenNeighbours) {
  const KernelEvidence* e = tables().find("nvidia-h200-sxm", "trtllm");
  ASSERT_NE(e, nullptr);
  for (const Curve* c : {&e->gemm_tflops[int(KernelType::kFp8)], &e->decode_gbps[int(KernelType::kBf16)], &e->prefill_tflops}) {
    const auto& x = c->xs();
    const auto& y = c->ys();
    ASSERT_GE(x.size(), 5u);
    for (std::size_t i = 0; i < x.size(); ++i) EXPECT_DOUBLE_EQ(c->at(x[i]), y[i]) << i;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) {
      const double mid = std::sqrt(x[i] * x[i + 1]);  // halfway in log x: the mean of the two values
      EXPECT_NEAR(c->at(mid), (y[i] + y[i + 1]) / 2, 1e-9 * std::max(y[i], y[i + 1]));
    }
    // Beyond the evidence the curve holds its last value (no extrapolation).
    EXPECT_DOUBLE_EQ(c->at(x.front() / 4), y.front());
    EXPECT_DOUBLE_EQ(c->at(x.back() * 4), y.back());
  }
}

// Physics the tables must show: no GEMM or attention kernel beats the chip's dense
// peak, and a memory-bound GEMM (few tokens) does twice the work in about the same
// time with twice the tokens.
TEST(KernelCurve, RatesRespectThePeakAndGrowWithTokensWhileMemoryBound) {
  for (const auto& e : tables().sets()) {
    if (e.chip_id.empty()) continue;
    const ChipSpec c = test::chip(e.chip_id);
    const std::pair<KernelType, Precision> types[] = {{KernelType::kBf16, Precision::kBf16}, {KernelType::kFp8, Precision::kFp8},
                                                      {KernelType::kFp4, Precision::kFp4}};
    for (const auto& [kt, prec] : types) {
      const Curve& g = e.gemm_tflops[int(kt)];
      if (g.empty()) continue;
      ASSERT_TRUE(c.has(prec)) << e.describe();
      const double peak = c.need_compute(prec).value() / 1e12;
      for (double y : g.ys()) EXPECT_LE(y, peak) << e.describe() << " " << int(kt);
      // Memory-bound: the weights are read once whatever M, so the rate grows with M.
      for (double m = 1; m <= 16; m *= 2) EXPECT_GT(g.at(2 * m), 1.5 * g.at(m)) << e.describe() << " M " << m;
      // The streaming rate at M = 1 reads the weights at no more than the memory bandwidth.
      const double wbytes = kt == KernelType::kBf16 ? 2.0 : kt == KernelType::kFp8 ? 1.0 : 0.5;
      EXPECT_LE(g.at(1) * 1e12 / 2.0 * wbytes, c.need_bandwidth().value() * 1.02) << e.describe() << " " << int(kt);
    }
    const double bf16 = c.need_compute(Precision::kBf16).value() / 1e12;
    for (double y : e.prefill_tflops.ys()) EXPECT_LE(y, bf16) << e.describe();
    for (double y : e.decode_gbps[int(KernelType::kBf16)].ys()) EXPECT_LE(y * 1e9, c.need_bandwidth().value() * 1.02) << e.describe();
  }
}

// Decode attention streams the KV cache: more bytes per call amortise the same fixed cost, so the
// achieved bandwidth never falls with the bytes. The per-bin medians of B200 TensorRT-LLM fell
// 2-3x on every power-of-two bin (those mix every GQA ratio, the bins between only ratio 1) and
// charged Llama-3.1-70B decode at a third of the bandwidth (tools/gen_kernels.py keeps the envelope).
TEST(KernelCurve, DecodeAttentionBandwidthNeverFallsWithTheBytes) {
  for (const auto& e : tables().sets())
    for (const Curve& c : e.decode_gbps) {
      const auto& y = c.ys();
      for (std::size_t i = 1; i < y.size(); ++i) EXPECT_GE(y[i], y[i - 1]) << e.describe() << " at " << c.xs()[i] << " bytes";
    }
  // A 2^27-byte read (a Llama-3.1-70B TP4 decode step near batch 128: 2 KV heads x 128 dims x 2 (K, V)
  // x 1 byte x ~2,000 tokens x 128), FP8 cache: at least the 1.5 x 2^26-byte bin's median (1,592 GB/s),
  // not its own bin's median (679 GB/s).
  const KernelEvidence* b200 = tables().find("nvidia-b200", "trtllm");
  ASSERT_NE(b200, nullptr);
  EXPECT_GE(b200->decode_gbps[int(KernelType::kFp8)].at(1.34e8), 1590.0);
}

// A kernel-calibrated decode step (one pipeline stage, no overlap) is the sum of its
// operators, and each GEMM term is its FLOPs at the rate measured for its token count.
TEST(KernelStep, DecodeStepIsTheSumOfItsOperatorTimes) {
  const KernelEvidence* e = tables().find("nvidia-h200-sxm", "trtllm");
  ASSERT_NE(e, nullptr);
  const ChipSpec chip = test::chip("nvidia-h200-sxm");
  const ModelSpec model = test::model("llama-3.1-70b");
  Deployment d;
  d.format = {DType::kFp8, DType::kFp8};
  d.kv = DType::kFp8;
  d.tp = 4;
  d.batch = 32;
  d.mode = ServeMode::kDisagg;
  const Workload w = test::wl(2048, 256);
  const PerfResult r = evaluate(chip, model, d, w, EvalOptions{true, e});
  ASSERT_TRUE(r.ok()) << r.status;
  double sum = 0;
  for (const auto& op : r.breakdown)
    if (op.phase == Phase::kDecode) sum += op.time_s;
  EXPECT_NEAR(r.decode_step_s, sum, 1e-12 * r.decode_step_s);
  // The dense FFN: 80 layers x (2 GEMM calls' fixed latency at M = 32 + FLOPs at the rate measured at M = 32).
  const double ffn_w = 3.0 * model.hidden * model.intermediate / d.tp;
  const double rate = std::min(e->gemm_tflops[int(KernelType::kFp8)].at(32) * 1e12, chip.need_compute(Precision::kFp8).value());
  const double want = model.layers * (2 * e->gemm_fixed_s[int(KernelType::kFp8)].at(32) + 2.0 * 32 * ffn_w / rate);
  bool found = false;
  for (const auto& op : r.breakdown)
    if (op.phase == Phase::kDecode && op.name == "dense FFN") {
      EXPECT_NEAR(op.time_s, want, 1e-9 * want);
      found = true;
    }
  EXPECT_TRUE(found);
  // The result says which evidence it used.
  bool noted = false;
  for (const auto& n : r.notes) noted = noted || n.find("AIConfigurator h200_sxm trtllm") != std::string::npos;
  EXPECT_TRUE(noted);
  // Without evidence the same deployment runs on the fitted efficiencies: a different step.
  const PerfResult plain = evaluate(chip, model, d, w);
  EXPECT_NE(plain.decode_step_s, r.decode_step_s);
}

// Chips without tables of their own but with the die and memory of a chip that has them
// (data/kernels/proxies.csv) run at its measured curves, carried by the ratio of rooflines.
TEST(KernelTransfer, ShippedProxiesNameCatalogChipsWithTablesAndASource) {
  const auto proxies = KernelTables::read_proxies(core::source_dir() + "/data/kernels/proxies.csv");
  ASSERT_GE(proxies.size(), 2u);
  bool h800 = false;
  for (const auto& p : proxies) {
    EXPECT_TRUE(test::cat().try_resolve("chips", p.chip).has_value()) << p.chip;
    EXPECT_EQ(tables().find(p.chip, "sglang"), nullptr) << p.chip << " has tables of its own";
    EXPECT_NE(tables().find(p.proxy, "sglang"), nullptr) << p.proxy << " has no tables";
    EXPECT_FALSE(p.source.empty());
    EXPECT_FALSE(p.as_of.empty());
    h800 = h800 || (p.chip == "nvidia-h800" && p.proxy == "nvidia-h100-sxm");
  }
  EXPECT_TRUE(h800);
  // A line without its source is refused with its line and column.
  const auto path = fs::temp_directory_path() / ("gpugap-proxies-" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream out(path);
    out << "chip,proxy,reason,source,as_of,confidence\nnvidia-h800,nvidia-h100-sxm,same die,,2026-12,high\n";
  }
  std::string what;
  try {
    (void)KernelTables::read_proxies(path.string());
  } catch (const UserError& e) {
    what = e.what();
  }
  fs::remove(path);
  EXPECT_NE(what.find(":2"), std::string::npos) << what;
  EXPECT_NE(what.find("source"), std::string::npos) << what;
}

// H800 = the H100's die and HBM3 (the same peaks in the catalog), NVLink at 400 instead of
// 900 GB/s: every GEMM and attention curve is the H100's, and each all-reduce point takes
// the H100's latency plus its bytes' extra time on the slower link (2 (n-1)/n x size x (1/link - 1/link of the H100)).
TEST(KernelTransfer, SameDieKeepsTheCurvesAndChargesTheSlowerLink) {
  const KernelEvidence* h100 = tables().find("nvidia-h100-sxm", "sglang");
  ASSERT_NE(h100, nullptr);
  const ChipPeaks from = chip_peaks(test::chip("nvidia-h100-sxm"));
  const ChipPeaks to = chip_peaks(test::chip("nvidia-h800"));
  const KernelEvidence h800 = transfer(*h100, from, to, "nvidia-h800", "same die");
  for (int t : {int(KernelType::kBf16), int(KernelType::kFp8)}) {
    EXPECT_EQ(h800.gemm_tflops[t].ys(), h100->gemm_tflops[t].ys());
    EXPECT_EQ(h800.gemm_fixed_s[t].ys(), h100->gemm_fixed_s[t].ys());
  }
  EXPECT_EQ(h800.prefill_tflops.ys(), h100->prefill_tflops.ys());
  EXPECT_NEAR(from.link / to.link, 900.0 / 400.0, 1e-9);  // the datasheets' NVLink figures (per direction in the catalog)
  ASSERT_FALSE(h100->allreduce_s.empty());
  for (std::size_t k = 0; k < h100->allreduce_s.size(); ++k) {
    const auto& [n, ref] = h100->allreduce_s[k];
    const Curve& c = h800.allreduce_s[k].second;
    for (std::size_t i = 0; i < ref.xs().size(); ++i) {
      const double vol = 2.0 * (n - 1) / n * ref.xs()[i];
      EXPECT_NEAR(c.ys()[i], ref.ys()[i] + vol * (1 / to.link - 1 / from.link), 1e-12) << n << " ranks, " << ref.xs()[i] << " bytes";
    }
  }
  EXPECT_NE(h800.describe().find("carried to nvidia-h800"), std::string::npos) << h800.describe();
  // A decode step without collectives (TP 1) is the H100's to the bit; with TP 8 it is slower.
  const ModelSpec model = test::model("llama-3.1-8b");
  Deployment d;
  d.format = {DType::kFp8, DType::kFp8};
  d.batch = 16;
  d.mode = ServeMode::kDisagg;
  const Workload w = test::wl(1024, 256);
  const PerfResult a = evaluate(test::chip("nvidia-h100-sxm"), model, d, w, EvalOptions{false, h100});
  const PerfResult b = evaluate(test::chip("nvidia-h800"), model, d, w, EvalOptions{false, &h800});
  ASSERT_TRUE(a.ok() && b.ok()) << a.status << b.status;
  EXPECT_EQ(a.decode_step_s, b.decode_step_s);
  d.tp = 8;
  const PerfResult a8 = evaluate(test::chip("nvidia-h100-sxm"), model, d, w, EvalOptions{false, h100});
  const PerfResult b8 = evaluate(test::chip("nvidia-h800"), model, d, w, EvalOptions{false, &h800});
  EXPECT_GT(b8.decode_step_s, a8.decode_step_s);
}

// H20 = the same die with 78 SMs (148 of the H100's 989 BF16 TFLOPS) and HBM3 at 4.0 TB/s:
// a GEMM of one token is memory-bound on both and runs 4.0 / 3.35 faster; one of 8192
// tokens is compute-bound on both and runs at 148 / 989 of the H100's rate.
TEST(KernelTransfer, LowerPeakChipRunsAtTheReferencesFractionOfItsRoofline) {
  const KernelEvidence* h100 = tables().find("nvidia-h100-sxm", "vllm");
  ASSERT_NE(h100, nullptr);
  const ChipSpec h20c = test::chip("nvidia-h20");
  const ChipSpec h100c = test::chip("nvidia-h100-sxm");
  const KernelEvidence h20 = transfer(*h100, chip_peaks(h100c), chip_peaks(h20c), "nvidia-h20", "78-SM die");
  const int bf16 = int(KernelType::kBf16);
  const double bw = h20c.need_bandwidth().value() / h100c.need_bandwidth().value();
  const double peak = h20c.need_compute(Precision::kBf16).value() / h100c.need_compute(Precision::kBf16).value();
  EXPECT_NEAR(h20.gemm_tflops[bf16].at(1) / h100->gemm_tflops[bf16].at(1), bw, 1e-9);
  EXPECT_NEAR(h20.gemm_tflops[bf16].at(8192) / h100->gemm_tflops[bf16].at(8192), peak, 1e-9);
  EXPECT_NEAR(h20.decode_gbps[bf16].at(1e8) / h100->decode_gbps[bf16].at(1e8), bw, 1e-9);
  EXPECT_NEAR(h20.prefill_tflops.at(1e12) / h100->prefill_tflops.at(1e12), peak, 1e-9);
}

// Published Ascend operator microbenchmarks (data/kernels/ascend-evidence.csv) load with their
// source, and each fraction of peak is its achieved rate over the catalog's peak of that chip.
TEST(OperatorEvidence, AscendMicrobenchmarksLoadWithSourcesAndMatchTheCatalogPeaks) {
  const auto ev = read_operator_evidence(core::source_dir() + "/data/kernels/ascend-evidence.csv");
  ASSERT_GE(ev.size(), 2u);
  bool gemm = false, mla = false;
  for (const auto& e : ev) {
    EXPECT_EQ(e.source.rfind("https://", 0), 0u) << e.source;
    EXPECT_FALSE(e.date.empty());
    const ChipSpec c = test::chip(e.chip);
    const Precision p = e.dtype == "fp16" ? Precision::kFp16 : Precision::kBf16;
    EXPECT_NEAR(e.fraction_of_peak, e.achieved * 1e12 / c.need_compute(p).value(), 0.001) << e.chip << " " << e.shape;
    gemm = gemm || (e.op == "gemm" && e.chip == "huawei-ascend-910b2" && e.shape == "M=N=K=4096" && e.achieved == 315.36);
    mla = mla || e.op == "attn_decode_mla";
  }
  EXPECT_TRUE(gemm);
  EXPECT_TRUE(mla);
}

namespace {

// One publication of the shared file and the CloudMatrix384 file held out (no AIC rows: seconds):
// the held-out error of each (row id, metric) and the method of each row id.
struct HeldOut {
  std::map<std::string, double> error;  // "id metric" -> error %
  std::map<std::string, std::string> method;
};

HeldOut held_out(const std::string& publication) {
  const std::string dir = core::source_dir() + "/data/measurements/";
  const auto r = test::run_cli("validate --measurements " + dir + "measurements-shared.csv --measurements " + dir +
                               "cloudmatrix384-2506.12708.csv --folds-by source --heldout-publication " + publication +
                               " --format json -q");
  EXPECT_EQ(r.rc, 0) << r.err;
  HeldOut h;
  if (r.rc != 0) return h;
  const nlohmann::json j = r.json();
  for (const auto& row : j["heldout"]["rows"]) {
    h.error[row["id"].get<std::string>() + " " + row["metric"].get<std::string>()] = row["error_pct"].get<double>();
    h.method[row["id"].get<std::string>()] = row["method"].get<std::string>();
  }
  return h;
}

}  // namespace

// DeepSeek's H800 profile (DeepSeek's in-house engine: no kernel table) held out with its
// publication: its group (CUDA, Hopper) is fitted with rows that have tables, and its
// efficiencies had drifted on the few rows left without them (TPOT +1450%, prefill -95% in
// docs/validation.md before the fix). Now it takes the group's roofline fit over all its rows.
TEST(LeaveOnePublicationOut, RowsWithoutTablesTakeTheirGroupsRooflineFit) {
  const HeldOut h = held_out("github.com/lm-sys/lm-sys.github.io");
  ASSERT_TRUE(h.error.count("DS-PROFILE-DECODE tpot_ms"));
  EXPECT_LE(std::fabs(h.error.at("DS-PROFILE-DECODE tpot_ms")), 35.0);  // measured +31.4%
  EXPECT_LE(std::fabs(h.error.at("DS-PROFILE-DECODE output_tps_per_chip")), 20.0);  // -16.6%
  EXPECT_LE(std::fabs(h.error.at("DS-PROFILE-PREFILL input_tps_per_chip")), 35.0);  // -32.6%
  EXPECT_NE(h.method.at("DS-PROFILE-DECODE").find("on the roofline over all its"), std::string::npos) << h.method.at("DS-PROFILE-DECODE");
  // The Chitu H20 rows: their fold leaves no Chitu or H20 row, so the CUDA stack's roofline fit
  // predicts them (before: TPOT +1065% median). The FP4-to-FP8 DeepSeek-R1 row stays a miss
  // (measured 355 ms TPOT at batch 128 on 8 H20s).
  const HeldOut c = held_out("github.com/thu-pacman/chitu");
  ASSERT_TRUE(c.error.count("CHITU-QWEN3-32B-H20-BS1 tpot_ms"));
  EXPECT_LE(std::fabs(c.error.at("CHITU-QWEN3-32B-H20-BS1 tpot_ms")), 20.0);        // -16.0%
  EXPECT_LE(std::fabs(c.error.at("CHITU-DSR1-H20x16-TP8PP2-BS128 tpot_ms")), 55.0);  // -50.4%
}

// The CloudMatrix384 paper held out: CloudMatrix-Infer has no rows of its own, so the pooled
// CANN fit (SGLang-Ascend and Chitu rows) predicts it, with the GEMMs at the published 910B
// GEMM fraction of peak. Before: decode TPOT +77..+95%, prefill -48..-56%.
TEST(LeaveOnePublicationOut, CloudMatrixFromPhysicsAndAscendEvidence) {
  const HeldOut h = held_out("arxiv.org");
  ASSERT_TRUE(h.error.count("CM384-DSR1-DECODE-4K256-B96 tpot_ms"));
  // Bounds at the figures of 2026-12-07 plus a margin: decode got worse (+48 -> +95%) once the
  // SGLang-Ascend rows ran at their stated load with DeepSeek's sourced later-draft acceptance
  // (the CANN fit these rows come from); docs/model-perf.md, "Decode transfers". They guard
  // against the 10x failures this test was written for, not the 15% the issue asks.
  EXPECT_LE(std::fabs(h.error.at("CM384-DSR1-DECODE-4K256-B96 tpot_ms")), 100.0);  // measured +94.6%
  EXPECT_LE(std::fabs(h.error.at("CM384-DSR1-DECODE-1K1K-B128 tpot_ms")), 90.0);  // +86.3%
  EXPECT_LE(std::fabs(h.error.at("CM384-DSR1-DECODE-4K256-B96 output_tps_per_chip")), 52.0);  // -48.6%
  EXPECT_LE(std::fabs(h.error.at("CM384-DSR1-PREFILL-4K-DEFAULT input_tps_per_chip")), 22.0);  // +20.1%
  EXPECT_NE(h.method.at("CM384-DSR1-DECODE-4K256-B96").find("GEMMs at 0.891 of peak"), std::string::npos)
      << h.method.at("CM384-DSR1-DECODE-4K256-B96");
}

// SGLang-Ascend held out leaves the pooled CANN stack 3 Chitu rows: a 7-value fit on them had
// put its rows at -85..-99%. The stack then shares the rows of its separately fitted named
// stack (CloudMatrix-Infer, same silicon), and the row's method says so.
TEST(LeaveOnePublicationOut, StackWithTooFewRowsSharesItsSiliconsRows) {
  const HeldOut h = held_out("github.com/sgl-project/sglang");
  ASSERT_TRUE(h.error.count("SGL-ASC-A3-DSR1-32C-6K1.6K-LL tpot_ms"));
  for (const char* id : {"SGL-ASC-A3-DSR1-32C-3.5K1.5K-HT", "SGL-ASC-A3-DSR1-32C-6K1.6K-LL", "SGL-ASC-A3-DSR1-32C-3.5K1K-LL"})
    // At most 39.1% on 2026-12-07 (30% before these rows ran at their stated load with DeepSeek's
    // sourced later-draft acceptance); the failure guarded against was -85..-99%.
    EXPECT_LE(std::fabs(h.error.at(std::string(id) + " tpot_ms")), 45.0) << id;
  EXPECT_NE(h.method.at("SGL-ASC-A3-DSR1-32C-6K1.6K-LL").find("of its separately fitted named stacks"), std::string::npos)
      << h.method.at("SGL-ASC-A3-DSR1-32C-6K1.6K-LL");
}

// The fit's least efficiency (kEtaFloor) is below every kernel the tables measured: large GEMMs
// (256+ tokens) as a share of the chip's dense peak of their type, one-token GEMMs (weights
// streamed once) as a share of HBM bandwidth. A floor above a measured kernel would forbid a fit
// what a chip was seen doing; the tables' minima are 0.16 and 0.38.
TEST(Kernels, NoMeasuredKernelRunsBelowTheFitsEfficiencyFloor) {
  const auto tables = KernelTables::read(shipped());
  const std::map<std::string, std::string> chip_of = {{"h100_sxm", "nvidia-h100-sxm"}, {"h200_sxm", "nvidia-h200-sxm"},
                                                      {"b200_sxm", "nvidia-b200"},      {"b300_sxm", "nvidia-b300"},
                                                      {"gb200", "nvidia-gb200"},        {"gb300", "nvidia-gb300"}};
  const std::array<double, kKernelTypes> weight_bytes = {2.0, 1.0, 0.5625};  // BF16, FP8, NVFP4 (+ its scales)
  double least_compute = 1, least_stream = 1;
  int large = 0, single = 0;
  for (const auto& e : tables.sets()) {
    ASSERT_TRUE(chip_of.count(e.system)) << e.system;
    const ChipPeaks peaks = chip_peaks(test::chip(chip_of.at(e.system)));
    for (int t = 0; t < kKernelTypes; ++t) {
      const Curve& c = e.gemm_tflops[t];
      if (c.empty() || peaks.gemm[t] <= 0) continue;
      for (std::size_t i = 0; i < c.xs().size(); ++i) {
        const double rate = c.ys()[i] * 1e12;  // FLOP/s large matrices approach at M tokens
        if (c.xs()[i] >= 256) {
          least_compute = std::min(least_compute, rate / peaks.gemm[t]);
          ++large;
        } else if (c.xs()[i] == 1) {  // 2 FLOP per weight: weight bytes/s = rate / 2 x bytes per weight
          least_stream = std::min(least_stream, rate / 2 * weight_bytes[t] / peaks.bw);
          ++single;
        }
      }
    }
  }
  EXPECT_GT(large, 100);
  EXPECT_GT(single, 30);
  EXPECT_GE(least_compute, detail::kEtaFloor);
  EXPECT_GE(least_stream, detail::kEtaFloor);
  EXPECT_LT(least_compute, 0.2);  // the floor is tight: the least measured large GEMM is 0.16 of peak
}
