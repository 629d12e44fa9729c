// Serving simulator: queueing identities (one request alone, waves of a burst,
// Little's law, unloaded latency under light Poisson load), scheduler rules
// (preemption, reservation), MTP, disaggregation, determinism, and the CLI.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "analysis/scenario.hpp"
#include "catalog/catalog.hpp"
#include "catalog/specs.hpp"
#include "catalog_helpers.hpp"
#include "cli_helpers.hpp"
#include "perf/step.hpp"
#include "serve/serve.hpp"
#include "serve/validate.hpp"

using namespace gpugap;
using namespace gpugap::serve;

namespace {

using test::cat;
using test::chip;
using test::model;

// Llama-3.1-8B BF16 on one H100: a small dense model, one chip.
perf::Deployment one_chip() {
  perf::Deployment d;
  d.format = {perf::DType::kBf16, perf::DType::kBf16};
  d.kv = perf::DType::kBf16;
  d.tp = 1;
  return d;
}

// The DeepSeek-R1 tests' deployment on one 8-chip node: FP8 weights, activations and KV, TP 8, EP 8.
perf::Deployment fp8_tp8_ep8() {
  perf::Deployment d;
  d.format = {perf::DType::kFp8, perf::DType::kFp8};
  d.kv = perf::DType::kFp8;
  d.tp = 8;
  d.ep = 8;
  return d;
}

SimOptions fixed(int n, int isl, int osl, const std::string& sched = "vllm") {
  SimOptions o;
  o.requests.count = n;
  o.requests.isl = isl;
  o.requests.osl = osl;
  o.requests.dist = LengthDist::kFixed;
  o.scheduler = *scheduler_preset(sched);
  return o;
}

SimResult run(const SimOptions& o, const perf::Deployment& d = one_chip()) {
  return simulate(chip("nvidia-h100-sxm"), model("llama-3.1-8b"), d, o);
}

perf::StepModel step_model(const perf::Deployment& d = one_chip()) {
  return perf::StepModel(chip("nvidia-h100-sxm"), model("llama-3.1-8b"), d);
}

double prefill_step(int isl) {
  perf::StepLoad l;
  l.prefill_tokens = isl;
  l.prefill_ctx_sum = isl * (isl / 2.0);
  l.prefill_done = 1;
  return step_model().seconds(l);
}

TEST(Serve, OneRequestIsOnePrefillAndDecodeSteps) {
  const int isl = 1000, osl = 50;
  const SimResult r = run(fixed(1, isl, osl));
  ASSERT_TRUE(r.ok()) << r.status;
  EXPECT_NEAR(r.ttft_ms.mean, prefill_step(isl) * 1e3, 1e-9);
  // Each later token is one decode step of the lone sequence at its current length.
  const auto m = step_model();
  double sum = 0;
  for (int j = 1; j < osl; ++j) {
    perf::StepLoad l;
    l.decode_seqs = 1;
    l.decode_ctx_sum = isl + j;
    sum += m.seconds(l);
  }
  EXPECT_NEAR(r.tpot_ms.mean, sum / (osl - 1) * 1e3, 1e-9);
  EXPECT_NEAR(r.e2e_ms.mean, r.ttft_ms.mean + sum * 1e3, 1e-9);
  EXPECT_NEAR(r.duration_s, r.e2e_ms.mean / 1e3, 1e-12);
  EXPECT_EQ(r.output_tokens, osl);
  EXPECT_EQ(r.steps, osl);
}

// Distinct finish times of a run, rounded to a nanosecond.
std::set<long long> finish_times(const SimResult& r) {
  std::set<long long> t;
  for (const auto& q : r.records) t.insert(std::llround(q.last_token_s * 1e9));
  return t;
}

TEST(Serve, BurstWithBatchCapFinishesInWaves) {
  for (const std::string sched : {"vllm", "sglang", "trtllm"}) {
    SimOptions one = fixed(4, 200, 32, sched);
    one.scheduler.max_running = 4;
    const SimResult wave = run(one);
    ASSERT_TRUE(wave.ok());
    for (int n : {10, 12, 13}) {
      SimOptions o = fixed(n, 200, 32, sched);
      o.scheduler.max_running = 4;
      const SimResult r = run(o);
      ASSERT_TRUE(r.ok());
      const int waves = (n + 3) / 4;
      EXPECT_EQ(finish_times(r).size(), static_cast<std::size_t>(waves)) << sched << " n " << n;
      // Full waves are identical: the last full one ends at k x one wave.
      EXPECT_NEAR(*std::next(finish_times(r).begin(), n / 4 - 1) / 1e9, (n / 4) * wave.duration_s, 1e-9) << sched;
      EXPECT_GE(r.duration_s, (waves - 1) * wave.duration_s) << sched;
      EXPECT_LE(r.duration_s, waves * wave.duration_s + 1e-9) << sched;
    }
  }
}

TEST(Serve, ClosedLoopObeysLittlesLaw) {
  SimOptions o = fixed(3000, 600, 150);
  o.requests.dist = LengthDist::kUniform;
  o.requests.range_ratio = 0.5;
  o.arrivals.max_concurrency = 24;
  o.seed = 7;
  const SimResult r = run(o);
  ASSERT_TRUE(r.ok());
  // Throughput = concurrency / mean latency (zero think time: a slot is refilled at once).
  const double little = 24.0 / (r.e2e_ms.mean / 1e3);
  EXPECT_NEAR(r.request_tps / little, 1.0, 0.01);
  EXPECT_NEAR(r.mean_running, 24.0, 24.0 * 0.02);
}

TEST(Serve, LightPoissonLoadGivesUnloadedTtft) {
  SimOptions o = fixed(200, 1000, 100);
  o.arrivals.rate = 0.05;  // one request every 20 s against ~1 s of service
  o.seed = 3;
  const SimResult r = run(o);
  ASSERT_TRUE(r.ok());
  const double unloaded = prefill_step(1000) * 1e3;
  EXPECT_NEAR(r.ttft_ms.p50 / unloaded, 1.0, 0.01);
  EXPECT_NEAR(r.ttft_ms.mean / unloaded, 1.0, 0.05);
  EXPECT_GE(r.ttft_ms.p99, unloaded * (1 - 1e-9));
  // Heavier load queues: the mean TTFT grows.
  o.arrivals.rate = 20;
  EXPECT_GT(run(o).ttft_ms.mean, 1.3 * unloaded);
}

// A closed loop whose clients all send at once (aiperf after its warm-up) queues the
// first round's prompts: with a prefill-first scheduler whose step holds exactly one
// prompt, request j's first token comes after j + 1 prefill steps, so the round's mean
// TTFT is (c + 1) / 2 prefill steps (an identity of the scheduler rules).
TEST(ClosedLoop, SynchronizedStartQueuesTheFirstRound) {
  const int c = 8, isl = 1000;
  SimOptions o = fixed(3 * c, isl, 64, "sglang");
  o.scheduler.max_batched_tokens = isl;
  o.arrivals.max_concurrency = c;
  const SimResult r = run(o);
  ASSERT_TRUE(r.ok()) << r.status;
  double first = 0;
  for (int j = 0; j < c; ++j) {
    EXPECT_NEAR(r.records[j].first_token_s, (j + 1) * prefill_step(isl), 1e-9) << j;
    first += r.records[j].first_token_s - r.records[j].sent_s;
  }
  EXPECT_NEAR(first / c, (c + 1) / 2.0 * prefill_step(isl), 1e-9);
}

// validate's fast path (rounds simulated until periodic, the rest as the last; decode steps
// interpolated on a 32-token grid) against the whole run evaluated step by step: within
// 1% for TTFT, TPOT and end-to-end latency on small closed loops of fixed lengths.
TEST(ClosedLoop, FewRoundsMatchTheWholeRun) {
  struct Case {
    int c, isl, osl;
    const char* sched;
  };
  for (const Case k : {Case{4, 2000, 128, "vllm"}, Case{16, 1000, 64, "vllm"}, Case{8, 3000, 96, "sglang"},
                       Case{12, 1500, 80, "trtllm"}}) {
    SimOptions o = fixed(20 * k.c, k.isl, k.osl, k.sched);
    o.arrivals.max_concurrency = k.c;
    o.scheduler.max_batched_tokens = k.c + k.isl + 1500;  // AIConfigurator's vLLM agg limit
    const SimResult whole = run(o);
    ASSERT_TRUE(whole.ok()) << whole.status;
    SimOptions f = o;
    f.step_grid_tokens = 32;
    const LoopMeans fast = closed_loop_means(chip("nvidia-h100-sxm"), model("llama-3.1-8b"), one_chip(), f);
    ASSERT_TRUE(fast.run.ok()) << fast.run.status;
    EXPECT_TRUE(fast.extrapolated) << k.sched << " c " << k.c;
    EXPECT_LT(fast.simulated_rounds, 20) << k.sched << " c " << k.c;
    EXPECT_NEAR(fast.ttft_ms / whole.ttft_ms.mean, 1.0, 0.01) << k.sched << " c " << k.c;
    EXPECT_NEAR(fast.tpot_ms / whole.tpot_ms.mean, 1.0, 0.01) << k.sched << " c " << k.c;
    EXPECT_NEAR(fast.e2e_ms / whole.e2e_ms.mean, 1.0, 0.01) << k.sched << " c " << k.c;
    EXPECT_NEAR(fast.output_tps_per_chip / whole.output_tps_per_chip, 1.0, 0.03) << k.sched << " c " << k.c;
  }
}

// The fitted TTFT overhead (API server, tokenisation, the engine's per-request prefill path
// outside the step model) is a latency every request sees, not engine time: a closed loop's
// mean TTFT and end-to-end latency rise by exactly it, TPOT and throughput stay.
TEST(ClosedLoop, TtftOverheadAddsToEveryRequestAndHoldsNoSlot) {
  SimOptions o = fixed(20 * 4, 1000, 64, "vllm");
  o.arrivals.max_concurrency = 4;
  o.step_grid_tokens = 32;
  const LoopMeans base = closed_loop_means(chip("nvidia-h100-sxm"), model("llama-3.1-8b"), one_chip(), o);
  o.ttft_overhead_s = 0.15;
  const LoopMeans with = closed_loop_means(chip("nvidia-h100-sxm"), model("llama-3.1-8b"), one_chip(), o);
  ASSERT_TRUE(base.run.ok() && with.run.ok());
  EXPECT_NEAR(with.ttft_ms - base.ttft_ms, 150.0, 1e-6);
  EXPECT_NEAR(with.e2e_ms - base.e2e_ms, 150.0, 1e-6);
  EXPECT_DOUBLE_EQ(with.tpot_ms, base.tpot_ms);
  EXPECT_DOUBLE_EQ(with.output_tps_per_chip, base.output_tps_per_chip);
}

// The engine defaults each preset stands for carry their source and the engine version read.
TEST(ClosedLoop, PresetsCiteTheEngineVersions) {
  for (const auto& name : scheduler_names()) {
    const auto s = scheduler_preset(name);
    ASSERT_TRUE(s.has_value());
    EXPECT_FALSE(s->source.empty()) << name;
  }
  EXPECT_NE(scheduler_preset("vllm")->source.find("0.19"), std::string::npos);
  EXPECT_NE(scheduler_preset("sglang")->source.find("0.5.9"), std::string::npos);
  EXPECT_NE(scheduler_preset("trtllm")->source.find("1.3"), std::string::npos);
}

TEST(Serve, PreemptsWhenTheCacheRunsOutUnlessItReserves) {
  // Long outputs on a cache that holds the prompts but not every output: vLLM preempts,
  // TensorRT-LLM's no-evict admission does not, and both finish every request.
  const auto m = step_model();
  const int kv = static_cast<int>(m.kv_tokens());
  const int osl = 2000, isl = 200;
  const int n = kv / (isl + osl / 2) + 200;  // more sequences than hold their full length
  for (const std::string sched : {"vllm", "trtllm"}) {
    SimOptions o = fixed(n, isl, osl, sched);
    o.scheduler.max_running = n;
    const SimResult r = run(o);
    ASSERT_TRUE(r.ok()) << r.status;
    EXPECT_EQ(r.output_tokens, static_cast<long long>(n) * osl);
    if (sched == "vllm") EXPECT_GT(r.preemptions, 0);
    else EXPECT_EQ(r.preemptions, 0);
  }
}

TEST(Serve, MtpAcceptanceSetsTokensPerStep) {
  perf::Deployment d = fp8_tp8_ep8();
  d.mtp = 1;
  d.mtp_acceptance = 0.7;
  const SimOptions o = fixed(1, 100, 4001);
  const SimResult r = simulate(chip("nvidia-h200-sxm"), model("deepseek-r1"), d, o);
  ASSERT_TRUE(r.ok()) << r.status;
  const perf::StepModel m(chip("nvidia-h200-sxm"), model("deepseek-r1"), d);
  perf::StepLoad l;
  l.decode_seqs = 1;
  l.decode_ctx_sum = 100 + 2000;
  // 1 + 0.7 tokens per step on average (4000 steps: the mean is within ~1.3% at 3 sigma).
  EXPECT_NEAR(r.tpot_ms.mean / (m.seconds(l) / 1.7 * 1e3), 1.0, 0.02);
  EXPECT_GT(r.itl_ms.mean, r.tpot_ms.mean);  // a step with an accepted draft streams two tokens at once
}

// The per-step draw takes the first draft with a and each later one with b: one request of
// 90,000 decode steps' worth of tokens, so the mean tokens per decode step (sd ~1.08 per step)
// is within ~0.15% of 1 + a + a b + a b^2 at 3 sigma; drawing every draft with a would give 3.08.
TEST(Serve, LaterDraftAcceptanceDrawMatchesTheAnalyticMean) {
  perf::Deployment d = fp8_tp8_ep8();
  d.mtp = 3;
  d.mtp_acceptance = 0.85;
  d.mtp_acceptance_later = 0.63;
  const int osl = 250001;
  const SimResult r = simulate(chip("nvidia-h200-sxm"), model("deepseek-r1"), d, fixed(1, 100, osl));
  ASSERT_TRUE(r.ok()) << r.status;
  ASSERT_EQ(r.output_tokens, osl);
  // One prefill step gives the first token; every other step is a decode step.
  const double per_step = double(osl - 1) / double(r.steps - 1);
  EXPECT_NEAR(per_step / perf::expected_tokens_per_step(d), 1.0, 0.01);
}

TEST(Serve, DisaggregatedCountsBothPools) {
  perf::Deployment d = fp8_tp8_ep8();
  d.mode = perf::ServeMode::kDisagg;
  d.prefill_decode_ratio = 1.0;
  SimOptions o = fixed(400, 2000, 300);
  o.arrivals.max_concurrency = 64;
  const SimResult r = simulate(chip("nvidia-h200-sxm"), model("deepseek-r1"), d, o);
  ASSERT_TRUE(r.ok()) << r.status;
  EXPECT_EQ(r.decode_chips, 8);
  EXPECT_EQ(r.prefill_chips, 8);
  EXPECT_EQ(r.chips, 16);
  EXPECT_NEAR(r.output_tps_per_decode_chip, 2 * r.output_tps_per_chip, 1e-9 * r.output_tps);
  // The first token comes from the prefill pool; the decode pool adds the KV transfer to the second.
  const perf::StepModel pm(chip("nvidia-h200-sxm"), model("deepseek-r1"), d);
  EXPECT_GT(r.itl_ms.p99, pm.kv_transfer_seconds(2000) * 1e3);
  EXPECT_GT(r.ttft_ms.p50, 0);
}

TEST(Serve, SameSeedSameResultOtherSeedOther) {
  SimOptions o = fixed(300, 800, 200);
  o.requests.dist = LengthDist::kUniform;
  o.requests.range_ratio = 0.8;
  o.arrivals.rate = 12;
  o.seed = 11;
  const SimResult a = run(o), b = run(o);
  EXPECT_EQ(a.duration_s, b.duration_s);
  EXPECT_EQ(a.ttft_ms.p99, b.ttft_ms.p99);
  EXPECT_EQ(a.itl_ms.p50, b.itl_ms.p50);
  o.seed = 12;
  EXPECT_NE(run(o).duration_s, a.duration_s);
}

TEST(Serve, UniformLengthsFollowVllmRandomDataset) {
  RequestSpec s;
  s.count = 20000;
  s.isl = 1000;
  s.osl = 100;
  s.dist = LengthDist::kUniform;
  s.range_ratio = 0.25;
  const auto l = draw_lengths(s, 5);
  double sum = 0;
  int lo = 1 << 30, hi = 0;
  for (const auto& x : l) {
    sum += x.input;
    lo = std::min(lo, x.input);
    hi = std::max(hi, x.input);
    EXPECT_GE(x.output, 75);
    EXPECT_LE(x.output, 125);
  }
  EXPECT_EQ(lo, 750);
  EXPECT_EQ(hi, 1250);
  EXPECT_NEAR(sum / l.size(), 1000, 5);
}

TEST(Serve, PoissonArrivalsHaveTheirRate) {
  ArrivalSpec a;
  a.rate = 4;
  const auto t = draw_arrivals(40000, a, 9);
  EXPECT_EQ(t.front(), 0.0);
  EXPECT_NEAR((t.size() - 1) / t.back(), 4.0, 0.1);
}

TEST(Serve, DatasetFileErrorsNameFileLineAndColumn) {
  test::TempDir dir("serve-ds");
  const auto good = dir.path() / "lens.csv";
  std::ofstream(good) << "# source: test\ninput_tokens,output_tokens\n10,20\n30,40\n";
  const Dataset ds = load_dataset(good.string());
  EXPECT_EQ(ds.rows.size(), 2u);
  EXPECT_EQ(ds.source, "test");
  const auto bad = dir.path() / "bad.csv";
  std::ofstream(bad) << "input_tokens,output_tokens\n10,20\n30,x\n";
  try {
    (void)load_dataset(bad.string());
    FAIL() << "no error";
  } catch (const UserError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("bad.csv"), std::string::npos) << m;
    EXPECT_NE(m.find("3"), std::string::npos) << m;
    EXPECT_NE(m.find("output_tokens"), std::string::npos) << m;
  }
  const auto header = dir.path() / "hdr.csv";
  std::ofstream(header) << "input_token,output_tokens\n10,20\n";
  EXPECT_THROW((void)load_dataset(header.string()), UserError);
}

TEST(Serve, ShippedAzureTraceKeepsItsLengths) {
  // Azure LLM inference trace 2023, conversation: 19,366 requests, mean 1,154.7 context and
  // 211.1 generated tokens (computed from data/AzureLLMInferenceTrace_conv.csv of
  // github.com/Azure/AzurePublicDataset when the table was made).
  const Dataset ds = load_dataset(dataset_dir() + "/azure-conv-2023.csv");
  ASSERT_EQ(ds.rows.size(), 19366u);
  double in = 0, out = 0;
  for (const auto& r : ds.rows) {
    in += r.input;
    out += r.output;
  }
  EXPECT_NEAR(in / ds.rows.size(), 1154.70, 0.01);
  EXPECT_NEAR(out / ds.rows.size(), 211.13, 0.01);
  EXPECT_NE(ds.source.find("AzurePublicDataset"), std::string::npos);
  // Drawn requests follow the table.
  RequestSpec s;
  s.count = 50000;
  s.dist = LengthDist::kEmpirical;
  s.dataset = ds;
  double drawn = 0;
  for (const auto& l : draw_lengths(s, 1)) drawn += l.output;
  EXPECT_NEAR(drawn / s.count, 211.13, 211.13 * 0.03);
}

TEST(Serve, RequestLargerThanTheCacheIsInfeasible) {
  const SimResult r = run(fixed(1, 4'000'000, 10));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status.find("exceeds the KV cache"), std::string::npos) << r.status;
}

TEST(ServeCli, JsonShapeTraceAndDeterminism) {
  test::TempDir dir("serve-cli");
  const auto trace = (dir.path() / "trace.csv").string();
  const std::string args =
      "simulate --chip nvidia-h100-sxm --model llama-3.1-8b --requests 200 --isl 512 --osl 128 --dataset random --range-ratio 0.5 "
      "--request-rate 20 --seed 4 --format json --trace " + trace;
  const auto a = test::run_cli(args);
  ASSERT_EQ(a.rc, 0) << a.err;
  const auto j = a.json();
  for (const char* k : {"requests", "duration_s", "output_tps", "output_tps_per_chip"}) EXPECT_TRUE(j.contains(k)) << k;
  for (const char* k : {"ttft_ms", "tpot_ms", "itl_ms", "e2e_ms"})
    for (const char* s : {"mean", "p50", "p90", "p99"}) EXPECT_TRUE(j[k].contains(s)) << k << "." << s;
  EXPECT_EQ(j["requests"], 200);
  std::ifstream in(trace);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("instance,start_s,end_s", 0), 0u) << header;
  long long rows = 0;
  for (std::string line; std::getline(in, line);) ++rows;
  EXPECT_EQ(rows, j["steps"].get<long long>());
  const auto b = test::run_cli(args);
  EXPECT_EQ(a.out, b.out);
}

TEST(ServeCli, BadInputExitsTwoWithASuggestion) {
  const auto s = test::run_cli("simulate --chip nvidia-h100-sxm --model llama-3.1-8b --requests 10 --scheduler vlm");
  EXPECT_EQ(s.rc, 2);
  EXPECT_NE(s.err.find("vllm"), std::string::npos) << s.err;
  const auto d = test::run_cli("simulate --chip nvidia-h100-sxm --model llama-3.1-8b --requests 10 --dataset sharegtp");
  EXPECT_EQ(d.rc, 2);
  EXPECT_NE(d.err.find("--dataset"), std::string::npos) << d.err;
  const auto n = test::run_cli("simulate --chip nvidia-h100-sxm --model llama-3.1-8b --requests 0");
  EXPECT_EQ(n.rc, 2);
  const auto sg = test::run_cli("simulate --chip nvidia-h100-sxm --model llama-3.1-8b --requests 10 --dataset sharegpt");
  EXPECT_EQ(sg.rc, 2);
  EXPECT_NE(sg.err.find("azure-conv-2023"), std::string::npos) << sg.err;
  const auto ok = test::run_cli(
      "simulate --chip nvidia-h100-sxm --model llama-3.1-8b --requests 100 --dataset azure-conv-2023 --max-concurrency 16");
  EXPECT_EQ(ok.rc, 0) << ok.err;
}

}  // namespace

namespace {

std::string shared_csv() { return test::source_dir() + "/data/measurements/measurements-shared.csv"; }

TEST(ServeValidate, RowsWithADescribedHarnessAreSimulated) {
  const auto r = test::run_cli("validate --measurements " + shared_csv() + " --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  int simulated = 0, offline = 0;
  const auto j = r.json();
  for (const auto& row : j["rows"]) {
    const std::string id = row["id"], method = row["method"];
    if (id == "TRTLLM-H200-DSR1-MINLAT") {
      EXPECT_NE(method.find("simulated: trtllm-bench with 10 requests"), std::string::npos) << method;
      ++simulated;
    }
    if (id.rfind("TRTLLM-PO-", 0) == 0) {  // offline runs: trtllm-bench, but no load stated
      EXPECT_NE(method.find("not simulated: neither the concurrency nor the request rate"), std::string::npos) << method;
      ++offline;
    }
  }
  EXPECT_EQ(simulated, 2);  // its TPOT and output tokens/s
  EXPECT_GT(offline, 10);
}

TEST(ServeValidate, ReplayGapSaysWhy) {
  perf::Measurement m;
  EXPECT_EQ(replay_gap(m), "harness unknown");
  m.harness = "mlperf-server";
  EXPECT_NE(replay_gap(m).find("not replayed"), std::string::npos);
  m.harness = "vllm-bench-serve";
  m.mode = "agg";
  EXPECT_NE(replay_gap(m).find("concurrency"), std::string::npos);
  m.concurrency = 16;
  m.isl = 1000;
  m.osl = 100;
  EXPECT_EQ(replay_gap(m), "");  // vLLM's default 1000 prompts
  m.harness = "genai-perf";
  EXPECT_NE(replay_gap(m).find("number of requests"), std::string::npos);
  m.num_prompts = 500;
  EXPECT_EQ(replay_gap(m), "");
}

TEST(ServeValidate, BadHarnessValueIsAnErrorWithASuggestion) {
  test::TempDir dir("serve-harness");
  std::ifstream in(shared_csv());
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  // The last five columns are the harness columns: misspell the harness.
  const auto cut = row.rfind(",mlperf-");
  ASSERT_NE(cut, std::string::npos);
  row = row.substr(0, cut) + ",mlperf-ofline" + row.substr(row.find(',', cut + 1));
  const auto path = dir.path() / "bad.csv";
  std::ofstream(path) << header << "\n" << row << "\n";
  const auto r = test::run_cli("validate --measurements " + path.string());
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("bad.csv"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("harness"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("mlperf-offline"), std::string::npos) << r.err;
}

// Writes `rows` (lines of the AIC sample) under the sample's `header` into `dir`, beside the
// shipped side table (harness-map.csv) that says how the sample was measured; returns the CSV's path.
static std::string write_aic_sample(const test::TempDir& dir, const std::string& header, const std::string& rows) {
  std::ofstream(dir.path() / "aic-silicon-sample.csv") << header << "\n" << rows;
  std::ifstream map(test::source_dir() + "/data/measurements/harness-map.csv");
  std::ofstream(dir.path() / "harness-map.csv") << map.rdbuf();
  return (dir.path() / "aic-silicon-sample.csv").string();
}

// A handful of AIC rows with the shipped side table: their TTFT and TPOT come from the
// simulated aiperf closed loop under AIConfigurator's engine limits, and the method says so.
TEST(ServeValidate, AicRowsArePredictedFromTheirHarness) {
  test::TempDir dir("aic-replay");
  std::ifstream in(test::source_dir() + "/data/measurements/aic-silicon-sample.csv");
  std::string header, line, rows;
  std::getline(in, header);
  int kept = 0;
  // Small agg rows of the three engines (short runs keep the test fast).
  for (const char* want : {"_vllm_", "_sglang_", "_trtllm_"}) {
    in.clear();
    in.seekg(0);
    std::getline(in, line);
    while (std::getline(in, line))
      if (line.find(want) != std::string::npos && line.find("_agg_") != std::string::npos &&
          line.find("x1024_c8_") != std::string::npos && line.find("silicon_concurrency=8;") != std::string::npos) {
        rows += line + "\n";
        ++kept;
        break;
      }
  }
  ASSERT_EQ(kept, 3);
  const auto r = test::run_cli("validate --measurements " + write_aic_sample(dir, header, rows) + " --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  int simulated = 0;
  const auto j = r.json();
  for (const auto& row : j["rows"]) {
    const std::string method = row["method"];
    if (method.find("simulated: aiperf with 160 requests, closed loop at 8") == std::string::npos) continue;
    EXPECT_NE(method.find("with AIConfigurator's limits"), std::string::npos) << method;
    EXPECT_NE(method.find("of 20 rounds simulated, periodic from there"), std::string::npos) << method;
    EXPECT_NE(method.find("clients starting together"), std::string::npos) << method;
    EXPECT_GT(row["predicted"].get<double>(), 0.0);
    ++simulated;
  }
  EXPECT_EQ(simulated, 6) << r.out;  // TTFT and TPOT of each row
}

// The AIC sample's rows with these ids, then `extra` lines, written by write_aic_sample.
static std::string aic_subset(const test::TempDir& dir, const std::vector<std::string>& ids, const std::string& extra = "") {
  std::ifstream in(test::source_dir() + "/data/measurements/aic-silicon-sample.csv");
  std::string header, line, rows;
  std::getline(in, header);
  while (std::getline(in, line))
    for (const auto& id : ids)
      if (line.rfind(id + ",", 0) == 0) rows += line + "\n";
  return write_aic_sample(dir, header, rows + extra);
}

// A disaggregated row's clients spread over its decode instances: DeepSeek-V3 on GB200 with
// 4 decode workers at batch 1 and 4 clients is one client per decode instance. Replaying all
// 4 on the one simulated instance queued 3 for its only slot and counted the wait as TPOT
// (24.4 ms predicted against 6.35 measured, 3.8x).
TEST(ServeValidate, DisaggregatedClientsSpreadOverTheDecodeInstances) {
  test::TempDir dir("aic-disagg");
  const auto path = aic_subset(dir, {"dsr1_gb200_trtllm_fp4_disagg_1024x1024_c4_cfg237"});
  const auto r = test::run_cli("validate --measurements " + path + " --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  int tpot = 0;
  const auto j = r.json();
  for (const auto& row : j["rows"]) {
    if (row["metric"].get<std::string>() != "tpot_ms") continue;
    const std::string method = row["method"];
    EXPECT_NE(method.find("1 of the 4 clients on one of the 4 decode instances"), std::string::npos) << method;
    EXPECT_NE(method.find("aiperf with 20 requests, closed loop at 1"), std::string::npos) << method;
    const double measured = row["measured"].get<double>(), predicted = row["predicted"].get<double>();
    EXPECT_LT(predicted, 2.0 * measured);  // one sequence per decode step, not four queued
    ++tpot;
  }
  EXPECT_EQ(tpot, 1) << r.out;
}

// An AIC export of DP-attention 8 x EP 8 on 8 B200 as "tp 1, adp 64, batch 2" at 128 clients runs
// 64 x 2 = 128 sequences: the batch is per exported rank. Reading it per rank of the layout as
// understood (8) capped the replay at 16 running and queued the rest (TTFT 92 s predicted
// against 0.8 s measured).
TEST(ServeValidate, ExportedBatchIsPerExportedAttentionRank) {
  test::TempDir dir("aic-adp");
  const auto path = aic_subset(dir, {"dsr1_b200_trtllm_fp4_agg_1024x1024_c128_cfg191"});
  const auto r = test::run_cli("validate --measurements " + path + " --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  int n = 0;
  for (const auto& row : j["rows"]) {
    const std::string method = row["method"];
    EXPECT_NE(method.find("exported as tp 1 adp 64"), std::string::npos) << method;
    EXPECT_NE(method.find("simulated: aiperf"), std::string::npos) << method;
    if (row["metric"].get<std::string>() == "ttft_ms") {
      EXPECT_LT(row["predicted"].get<double>(), 2.0 * row["measured"].get<double>());
    }
    ++n;
  }
  EXPECT_EQ(n, 2) << r.out;
}

// The sample exports some runs twice (two silicon data files, same deployment, load and
// values): the copy is listed as skipped, so each measurement counts once.
TEST(ServeValidate, AMeasurementExportedTwiceCountsOnce) {
  test::TempDir dir("aic-dup");
  const std::string id = "minimaxm2_5_b300_vllm_fp8_agg_8192x1024_c8_cfg733";
  std::ifstream in(test::source_dir() + "/data/measurements/aic-silicon-sample.csv");
  std::string line, copy;
  while (std::getline(in, line))
    if (line.rfind(id + ",", 0) == 0) copy = "copy_of_c8" + line.substr(id.size());
  ASSERT_FALSE(copy.empty());
  copy.replace(copy.find("db-dump/"), 8, "db-dump-2/");  // another export file
  const auto path = aic_subset(dir, {id}, copy + "\n");
  const auto r = test::run_cli("validate --measurements " + path + " --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  for (const auto& row : j["rows"]) EXPECT_EQ(row["id"], id);
  ASSERT_EQ(j["skipped"].size(), 1u) << r.out;
  EXPECT_EQ(j["skipped"][0]["id"], "copy_of_c8");
  EXPECT_NE(j["skipped"][0]["reason"].get<std::string>().find("the same measurement as row " + id), std::string::npos);
  // The same row with other measured values is another measurement.
  std::string other = copy;
  other.replace(other.rfind(','), std::string::npos, ",9.9");
  const auto path2 = aic_subset(dir, {id}, other + "\n");
  const auto r2 = test::run_cli("validate --measurements " + path2 + " --format json");
  ASSERT_EQ(r2.rc, 0) << r2.err;
  EXPECT_TRUE(r2.json()["skipped"].empty()) << r2.out;
}

TEST(ServeCli, SearchVerifyReChecksTheTopWithTheSimulator) {
  const auto r = test::run_cli(
      "search --model llama-3.1-8b --chips nvidia-h100-sxm,nvidia-h200-sxm --workload chat --no-disagg --verify 1 --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  const auto& rows = j["rows"];
  ASSERT_TRUE(rows[0].contains("verify"));
  EXPECT_FALSE(rows[1].contains("verify"));
  const auto v = rows[0]["verify"];
  EXPECT_EQ(v["status"], "ok");
  // The simulated run of the same deployment lands near the steady state (ramp-up and tail cost a little).
  EXPECT_GT(v["ratio_to_analytic"].get<double>(), 0.7);
  EXPECT_LT(v["ratio_to_analytic"].get<double>(), 1.1);
}

}  // namespace

namespace {

TEST(LeaveOnePublicationOut, PublicationIsTheSiteOrRepository) {
  const auto rows = perf::read_measurements(shared_csv());
  std::set<std::string> pubs;
  for (const auto& m : rows) {
    pubs.insert(perf::publication_of(m));
    if (m.id.rfind("MLPERF41", 0) == 0) {
      EXPECT_EQ(perf::publication_of(m), "github.com/mlcommons/inference_results_v4.1");
    }
    if (m.id.rfind("NIM-", 0) == 0) {
      EXPECT_EQ(perf::publication_of(m), "docs.nvidia.com");
    }
  }
  // MLPerf v4.1, the LMSYS blog, SGLang's Ascend docs, TensorRT-LLM's docs, NIM, Chitu, dstack.
  EXPECT_EQ(pubs.size(), 7u);
  perf::Measurement aic;
  aic.schema = "aic";
  aic.source = "2026-04-06.csv";
  EXPECT_EQ(perf::publication_of(aic), "aic-silicon-sample");
}

TEST(LeaveOnePublicationOut, ValidateFoldsBySourceHasOneFoldPerPublication) {
  const auto r = test::run_cli("validate --measurements " + shared_csv() + " --folds-by source --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["heldout"]["folds"], 7);
  EXPECT_EQ(j["heldout"]["folds_by"], "source");
  EXPECT_GT(j["heldout"]["rows"].size(), 0u);
  const auto bad = test::run_cli("validate --measurements " + shared_csv() + " --folds-by sorce");
  EXPECT_EQ(bad.rc, 2);
}

}  // namespace
