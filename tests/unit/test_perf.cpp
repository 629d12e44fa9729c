// Perf engine: analytic identities, reference measurements, infeasible
// deployments, search, metric paths.
#include <gtest/gtest.h>

#include <cmath>
#include <tuple>

#include "analysis/metrics.hpp"
#include "analysis/scenario.hpp"
#include "catalog/catalog.hpp"
#include "catalog/specs.hpp"
#include "catalog_helpers.hpp"
#include "cli_helpers.hpp"
#include "perf/engine.hpp"
#include "perf/perf.hpp"
#include "perf/serving.hpp"
#include "perf/validation.hpp"
#include "studies/evaluate.hpp"

using namespace gpugap;
using namespace gpugap::perf;

namespace {

using test::cat;
using test::chip;
using test::model;
using test::wl;

// An idealised chip: efficiencies 1, no launch overhead, everything known.
ChipSpec ideal(double flops, double bw) {
  ChipSpec c;
  c.id = "ideal";
  for (auto p : kAllPrecisions) c.compute[static_cast<int>(p)] = FlopsPerSecond(flops);
  c.mem_capacity = Bytes(1e13);
  c.mem_bandwidth = BytesPerSecond(bw);
  c.scaleup_bandwidth = BytesPerSecond(450e9);
  c.scaleup_domain = 8;
  c.scaleout_bandwidth = BytesPerSecond(50e9);
  c.eta_compute = 1.0;
  c.eta_memory = 1.0;
  c.eta_comm = 1.0;
  c.launch_overhead = Seconds(0.0);
  return c;
}

// Llama-3.1-70B FP8 (FP8 cache) at TP2: one H100 pair's memory holds a few hundred sequences.
Deployment fp8_tp2() {
  Deployment d;
  d.format = {DType::kFp8, DType::kFp8};
  d.kv = DType::kFp8;
  d.tp = 2;
  return d;
}

Deployment decode_only(int batch, Format f = {DType::kBf16, DType::kBf16}) {
  Deployment d;
  d.format = f;
  d.kv = DType::kBf16;
  d.batch = batch;
  d.mode = ServeMode::kDisagg;
  return d;
}

}  // namespace

// A memory-bound decode step takes exactly its bytes over the bandwidth.
TEST(Perf, MemoryBoundDecodeStepIsBytesOverBandwidth) {
  const ModelSpec m = model("llama-3.1-8b");
  const double bw = 1e12;
  const ChipSpec c = ideal(1e18, bw);  // compute so fast that every operator is memory-bound
  const PerfResult r = evaluate(c, m, decode_only(1), wl(1000, 2));
  ASSERT_TRUE(r.ok()) << r.status;
  double bytes = 0;
  for (const auto& op : r.breakdown)
    if (op.phase == Phase::kDecode) bytes += op.bytes;
  EXPECT_NEAR(r.decode_step_s, bytes / bw, 1e-12 * r.decode_step_s + 1e-15);
  // Independent check: one read of all weights but the input embedding (8.03e9 - 0.53e9 parameters, BF16).
  const double read = (m.params_total - double(m.vocab) * m.hidden) * 2.0;
  EXPECT_NEAR(bytes, read, 0.03 * read);
  EXPECT_NEAR(r.weight_bytes, m.params_total * 2.0, 0.03 * m.params_total * 2.0);
}

// The stack's launch overhead is a fixed cost per forward step, whatever the
// depth (docs/model-perf.md): it adds exactly L to a decode step of a 32-layer
// and of an 80-layer model alike, L/pp to each pipeline stage, and L per MTP draft.
TEST(Perf, LaunchOverheadIsPerStepNotPerLayer) {
  const double L = 2e-3;
  for (const char* id : {"llama-3.1-8b", "llama-3.1-70b"}) {
    const ModelSpec m = model(id);
    ChipSpec c = ideal(1e15, 3e12);
    const auto p0 = detail::prepare(c, m, Format{}, DType::kBf16);
    c.launch_overhead = Seconds(L);
    const auto p1 = detail::prepare(c, m, Format{}, DType::kBf16);
    Deployment d = decode_only(8);
    d.tp = 8;
    const double t0 = detail::run(p0, d, wl(1000, 200)).step;
    const double t1 = detail::run(p1, d, wl(1000, 200)).step;
    EXPECT_NEAR(t1 - t0, L, 1e-12) << id;
    d.pp = 2;  // a round is pp stage steps, each paying its 1/pp share
    EXPECT_NEAR(detail::run(p1, d, wl(1000, 200)).step - detail::run(p0, d, wl(1000, 200)).step, L, 1e-12) << id;
  }
  const ModelSpec ds = model("deepseek-r1");
  ChipSpec c = ideal(1e15, 3e12);
  const auto p0 = detail::prepare(c, ds, Format{DType::kFp8, DType::kFp8}, DType::kBf16);
  c.launch_overhead = Seconds(L);
  const auto p1 = detail::prepare(c, ds, Format{DType::kFp8, DType::kFp8}, DType::kBf16);
  Deployment d = decode_only(8, Format{DType::kFp8, DType::kFp8});
  d.tp = 8;
  d.mtp = 2;
  d.mtp_acceptance = 0.5;
  EXPECT_NEAR(detail::run(p1, d, wl(1000, 200)).step - detail::run(p0, d, wl(1000, 200)).step, 3 * L, 1e-12);
}

// The per-sequence host overhead (scheduling, input preparation, sampling) adds
// x per sequence of a rank's batch to every step: with x set, the TPOT of a
// bandwidth-bound decode at batch b grows by b x over the same step without it,
// so TPOT(b) - TPOT(1) grows by (b - 1) x; under attention-DP each rank's
// scheduler handles its own b / adp sequences. x = 0 reproduces the old result.
TEST(Perf, SeqOverheadAddsPerSequencePerStep) {
  const double x = 30e-6;
  const ModelSpec m = model("llama-3.1-70b");
  ChipSpec c = ideal(1e18, 3e12);  // every operator bandwidth-bound
  const auto p0 = detail::prepare(c, m, Format{}, DType::kBf16);
  c.seq_overhead = Seconds(x);
  const auto p1 = detail::prepare(c, m, Format{}, DType::kBf16);
  auto tpot = [&](const detail::Prepared& p, int b, int adp) {
    Deployment d = decode_only(b);
    d.tp = 8 / adp;
    d.attention_dp = adp;
    return detail::run(p, d, wl(1000, 200)).tpot;
  };
  for (int b : {1, 8, 64, 256}) EXPECT_NEAR(tpot(p1, b, 1) - tpot(p0, b, 1), b * x, 1e-12) << b;
  EXPECT_NEAR((tpot(p1, 64, 1) - tpot(p1, 1, 1)) - (tpot(p0, 64, 1) - tpot(p0, 1, 1)), 63 * x, 1e-12);
  EXPECT_NEAR(tpot(p1, 64, 2) - tpot(p0, 64, 2), 32 * x, 1e-12);  // 32 sequences per attention-DP rank
  // Zero overhead: identical to a chip that never heard of it.
  ChipSpec z = ideal(1e18, 3e12);
  z.seq_overhead = Seconds(0.0);
  const auto pz = detail::prepare(z, m, Format{}, DType::kBf16);
  EXPECT_EQ(tpot(pz, 64, 1), tpot(p0, 64, 1));
}

// Chunked prefill in aggregated serving: a share f = min(1, B/osl x n_chunks) of
// the steps carries one prefill piece (isl / n_chunks tokens per joining request),
// the others are pure decode steps, and the mean step is their weighted mean.
// The pure decode step is the decode pool's step of the same deployment; the
// mixed step is read back from the TTFT (n_chunks mixed steps + half a mean step).
TEST(Perf, AggregatedStepAveragesDecodeAndPrefillSteps) {
  const ModelSpec m = model("llama-3.1-70b");
  const ChipSpec c = ideal(1e15, 3e12);
  for (const auto& [isl, osl, b] : {std::tuple{1000, 1000, 8}, std::tuple{8192, 1024, 32}, std::tuple{20000, 1000, 16}}) {
    Deployment d = decode_only(b);
    d.tp = 4;
    const double n_chunks = std::ceil(double(isl) / kPrefillChunkTokens);
    const double f = std::min(1.0, double(b) / osl * n_chunks);
    ASSERT_LT(f, 1.0);
    const PerfResult dec = evaluate(c, m, d, wl(isl, osl));
    d.mode = ServeMode::kAgg;
    const PerfResult agg = evaluate(c, m, d, wl(isl, osl));
    ASSERT_TRUE(dec.ok() && agg.ok());
    const double mixed = (agg.ttft_s - 0.5 * agg.decode_step_s) / n_chunks;
    EXPECT_GT(mixed, dec.decode_step_s);
    EXPECT_NEAR(agg.decode_step_s, f * mixed + (1 - f) * dec.decode_step_s, 1e-9 * agg.decode_step_s) << isl;
    // Bandwidth-bound decode: the prefill piece is paid in full in its step, so the mean step is
    // longer than the decode step by f x (mixed - decode), not by the averaged prefill riding free.
    EXPECT_GT(agg.decode_step_s, dec.decode_step_s);
  }
}

// The step time is continuous in the batch across the ridge point (a max of
// continuous functions): no jump between neighbouring batches.
TEST(Perf, RooflineContinuousAcrossTheRidge) {
  const ModelSpec m = model("llama-3.1-8b");
  const ChipSpec c = ideal(1e15, 3e12);
  const auto p = detail::prepare(c, m, Format{}, DType::kBf16);
  double prev = 0;
  bool crossed = false;
  Bottleneck first = Bottleneck::kNone;
  for (int b = 1; b <= 2048; ++b) {
    Deployment d = decode_only(b);
    const auto o = detail::run(p, d, wl(200, 2));
    if (b == 1) first = o.decode_bn;
    if (o.decode_bn != first) crossed = true;
    if (b > 1) {
      EXPECT_LT(std::fabs(o.step - prev) / prev, 0.02) << "jump at batch " << b;
    }
    prev = o.step;
  }
  EXPECT_TRUE(crossed) << "the sweep never crossed from memory- to compute-bound";
  // At the ridge of a single GEMM, compute time equals memory time: here the
  // crossing batch sits where FLOPs/peak = bytes/bandwidth for the weights (B ~ peak/bw).
  EXPECT_EQ(first, Bottleneck::kMemory);
}

// More bandwidth (memory, link) or more compute never makes anything slower.
TEST(Perf, MoreBandwidthOrComputeNeverSlows) {
  struct Case {
    std::string chip, model;
    Deployment d;
    int isl, osl;
  };
  std::vector<Case> cases;
  Deployment a;
  a.format = {DType::kFp8, DType::kFp8};
  a.kv = DType::kFp8;
  a.tp = 8;
  a.ep = 8;
  a.batch = 64;
  cases.push_back({"nvidia-h200-sxm", "deepseek-r1", a, 1024, 1024});
  Deployment b = a;
  b.tp = 1;
  b.attention_dp = 8;
  b.batch = 512;
  b.mode = ServeMode::kDisagg;
  cases.push_back({"nvidia-h200-sxm", "deepseek-r1", b, 8192, 1024});
  Deployment c;
  c.format = {DType::kBf16, DType::kBf16};
  c.tp = 2;
  c.batch = 32;
  cases.push_back({"nvidia-h20", "qwen3-32b", c, 1024, 1024});
  Deployment e = c;
  e.tp = 4;
  e.pp = 2;
  e.batch = 8;
  cases.push_back({"nvidia-h100-sxm", "llama-3.1-70b", e, 4096, 256});
  for (const auto& k : cases) {
    const ChipSpec base = chip(k.chip);
    const ModelSpec m = model(k.model);
    const PerfResult r0 = evaluate(base, m, k.d, wl(k.isl, k.osl));
    ASSERT_TRUE(r0.ok()) << r0.status;
    for (int which = 0; which < 3; ++which) {
      ChipSpec faster = base;
      if (which == 0) faster.mem_bandwidth = *base.mem_bandwidth * 2.0;
      if (which == 1) faster.scaleup_bandwidth = *base.scaleup_bandwidth * 2.0;
      if (which == 2)
        for (auto& cp : faster.compute)
          if (cp) cp = *cp * 2.0;
      const PerfResult r1 = evaluate(faster, m, k.d, wl(k.isl, k.osl));
      ASSERT_TRUE(r1.ok());
      EXPECT_LE(r1.tpot_s, r0.tpot_s * (1 + 1e-12)) << k.chip << " " << which;
      EXPECT_LE(r1.ttft_s, r0.ttft_s * (1 + 1e-12)) << k.chip << " " << which;
      EXPECT_GE(r1.output_tps_per_chip, r0.output_tps_per_chip * (1 - 1e-12)) << k.chip << " " << which;
    }
  }
}

// Expected distinct experts touched by B tokens with top-k of E: E (1 - (1 - k/E)^B).
TEST(Perf, MoeReadsTheExpectedDistinctExperts) {
  const ModelSpec m = model("deepseek-r1");
  const ChipSpec c = ideal(1e18, 1e12);
  const double expert_bytes = 3.0 * m.hidden * m.expert_intermediate * 1.0;  // FP8
  for (int b : {1, 4, 64}) {
    Deployment d = decode_only(b, {DType::kFp8, DType::kFp8});
    const PerfResult r = evaluate(c, m, d, wl(100, 2));
    ASSERT_TRUE(r.ok()) << r.status;
    double bytes = 0;
    for (const auto& op : r.breakdown)
      if (op.phase == Phase::kDecode && op.name == "routed experts") bytes += op.bytes;
    const double touched = m.experts * (1 - std::pow(1.0 - double(m.experts_per_token) / m.experts, b));
    const double act = b * double(m.experts_per_token) * m.hidden * 2.0 * 2.0;  // activations in and out
    EXPECT_NEAR(bytes / m.moe_layers(), touched * expert_bytes + act, 1e-6 * bytes) << b;
  }
}

// MLA caches kv_lora_rank + rope dims per token per layer; GQA 2 x kv_heads x head_dim.
TEST(Perf, KvCacheBytesPerToken) {
  const ChipSpec c = ideal(1e15, 1e12);
  {
    const ModelSpec m = model("deepseek-r1");
    const PerfResult r = evaluate(c, m, decode_only(10, {DType::kFp8, DType::kFp8}), wl(1000, 2));
    EXPECT_NEAR(r.kv_bytes, 10 * 1001.0 * (512 + 64) * 61 * 2.0, 1.0);
  }
  {
    const ModelSpec m = model("llama-3.1-70b");
    Deployment d = decode_only(4);
    d.tp = 4;
    const PerfResult r = evaluate(c, m, d, wl(1000, 2));
    EXPECT_NEAR(r.kv_bytes, 4 * 1001.0 * 2 * (8.0 / 4) * 128 * 80 * 2.0, 1.0);
  }
}

// The parameter count implied by the architecture matches the model card.
TEST(Perf, ArchitectureMatchesPublishedParameterCounts) {
  for (const char* id : {"deepseek-r1", "llama-3.1-70b", "qwen3-32b", "qwen3-235b-a22b", "mixtral-8x7b", "llama-3.1-8b"}) {
    const ModelSpec m = model(id);
    const auto c = detail::model_constants(m);
    const double total = c.layers * (c.attn_split + c.attn_kv_split + c.attn_repl) + c.dense_layers * c.dense_ffn +
                         c.moe_layers * (c.experts * c.expert + c.shared + c.router) + c.lm_head + c.embed;
    EXPECT_NEAR(total / m.params_total, 1.0, 0.03) << id;
  }
}

TEST(Perf, InfeasibleDeploymentReportsShortfall) {
  const ChipSpec c = chip("nvidia-h20");
  const ModelSpec m = model("deepseek-r1");
  Deployment d;
  d.format = {DType::kBf16, DType::kBf16};
  d.batch = 1;
  const PerfResult r = evaluate(c, m, d, wl(1024, 1024));
  ASSERT_TRUE(r.ok()) << r.status;
  EXPECT_FALSE(r.feasible);
  // 671B BF16 parameters (~1.34 TB) against 0.9 x 96 GB.
  EXPECT_GT(r.memory_shortfall_bytes, 1.2e12);
  EXPECT_NE(r.infeasible_reason.find("short by"), std::string::npos) << r.infeasible_reason;
  EXPECT_EQ(r.decode_bottleneck, Bottleneck::kCapacity);
}

TEST(Perf, BatchIsCappedByMemory) {
  const ChipSpec c = chip("nvidia-h100-sxm");
  const ModelSpec m = model("llama-3.1-70b");
  Deployment d = fp8_tp2();
  const PerfResult auto_b = evaluate(c, m, d, wl(1024, 1024));
  ASSERT_TRUE(auto_b.feasible);
  EXPECT_GT(auto_b.batch, 8);
  d.batch = auto_b.max_batch + 50;
  const PerfResult over = evaluate(c, m, d, wl(1024, 1024));
  EXPECT_FALSE(over.feasible);
  EXPECT_GT(over.memory_shortfall_bytes, 0.0);
}

// TensorRT-LLM sizes the KV pool as a share of the memory left after weights and
// activations (KvCacheConfig.free_gpu_memory_fraction, default 0.9); the other stacks
// as a share of the total. At share 1 the two agree; at 0.9 the free-memory rule
// leaves the pool more room, by 0.1 x (weights + workspace).
TEST(Perf, TrtllmKvPoolIsAShareOfFreeMemory) {
  const ChipSpec c = chip("nvidia-h100-sxm");
  const ModelSpec m = model("llama-3.1-70b");
  Deployment d = fp8_tp2();
  Deployment total = d, free = d;
  total.memory_fraction = 1.0;
  free.kv_free_fraction = 1.0;
  const PerfResult rt = evaluate(c, m, total, wl(1024, 1024)), rf = evaluate(c, m, free, wl(1024, 1024));
  ASSERT_TRUE(rt.ok() && rf.ok());
  EXPECT_EQ(rt.max_batch, rf.max_batch);
  EXPECT_NEAR(rt.memory_capacity_bytes, rf.memory_capacity_bytes, 1.0);
  total.memory_fraction = 0.9;
  free.kv_free_fraction = 0.9;
  const PerfResult t9 = evaluate(c, m, total, wl(1024, 1024)), f9 = evaluate(c, m, free, wl(1024, 1024));
  EXPECT_GT(f9.max_batch, t9.max_batch);
  const double cap = rt.memory_capacity_bytes;
  // capacity = weights + workspace + 0.9 (cap - weights - workspace): the workspace it implies is small and positive.
  const double workspace = (f9.memory_capacity_bytes - 0.9 * cap) / 0.1 - f9.weight_bytes;
  EXPECT_GT(workspace, 0.0);
  EXPECT_LT(workspace, 2e9);
  free.batch = f9.max_batch;
  EXPECT_TRUE(evaluate(c, m, free, wl(1024, 1024)).feasible);
  free.batch = f9.max_batch + f9.max_batch / 10 + 1;
  EXPECT_FALSE(evaluate(c, m, free, wl(1024, 1024)).feasible);
}

TEST(Perf, MissingDataIsReportedNotCrashed) {
  const ChipSpec c = chip("huawei-ascend-910b");  // generic 910B: bin unknown, compute null
  const PerfResult r = evaluate(c, model("qwen3-32b"), Deployment{}, wl(1024, 1024));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status.rfind("insufficient data: chips.huawei-ascend-910b.", 0), 0u) << r.status;
  const SearchResult s = search(c, model("qwen3-32b"), wl(1024, 1024));
  EXPECT_FALSE(s.found);
  EXPECT_EQ(s.status.rfind("insufficient data: ", 0), 0u) << s.status;
}

// A chip without FP8 runs an FP8 checkpoint as W8A8 INT8 (Ascend 910C), not at a fictional FP8 rate.
TEST(Perf, NoFp8ChipRunsW8A8) {
  const ChipSpec c = chip("huawei-ascend-910c");
  std::string note;
  const Format f = resolve_format(c, {DType::kFp8, DType::kFp8}, &note);
  EXPECT_EQ(f.activations, DType::kInt8);
  EXPECT_EQ(f.weights, DType::kInt8);
  EXPECT_NE(note.find("no FP8"), std::string::npos);
  const ChipSpec a100 = chip("nvidia-a100-sxm");
  EXPECT_EQ(resolve_format(a100, {DType::kFp8, DType::kFp8}).activations, DType::kInt8);
  // H20 has no FP4: FP4 weights run with FP8 GEMMs (as Chitu does).
  const Format h20 = resolve_format(chip("nvidia-h20"), {DType::kFp4, DType::kFp4});
  EXPECT_EQ(h20.weights, DType::kFp4);
  EXPECT_EQ(h20.activations, DType::kFp8);
}

TEST(Perf, MtpRaisesTokensPerStep) {
  const ChipSpec c = chip("nvidia-h200-sxm");
  const ModelSpec m = model("deepseek-r1");
  Deployment d;
  d.format = {DType::kFp8, DType::kFp8};
  d.kv = DType::kFp8;
  d.tp = 8;
  d.ep = 8;
  d.batch = 1;
  const PerfResult base = evaluate(c, m, d, wl(1024, 2048));
  d.mtp = 3;
  d.mtp_acceptance = 0.8;
  const PerfResult mtp = evaluate(c, m, d, wl(1024, 2048));
  EXPECT_NEAR(mtp.tokens_per_step, 1 + 0.8 + 0.64 + 0.512, 1e-12);
  EXPECT_LT(mtp.tpot_s, base.tpot_s);  // at batch 1 the step is memory-bound: drafts are nearly free
}

// Later drafts chain on the first: 1 + a + a b + a b^2 for three drafts.
TEST(Perf, LaterDraftAcceptanceChainsOnTheFirst) {
  Deployment d;
  d.mtp = 3;
  d.mtp_acceptance = 0.85;
  d.mtp_acceptance_later = 0.63;
  EXPECT_NEAR(expected_tokens_per_step(d), 1 + 0.85 + 0.5355 + 0.337365, 1e-12);
  d.format = {DType::kFp8, DType::kFp8};
  d.kv = DType::kFp8;
  d.tp = 8;
  d.ep = 8;
  d.batch = 1;
  const PerfResult r = evaluate(chip("nvidia-h200-sxm"), model("deepseek-r1"), d, wl(1024, 2048));
  EXPECT_NEAR(r.tokens_per_step, 1 + 0.85 + 0.5355 + 0.337365, 1e-12);
}

// Unset (or equal to the first) later acceptance: the geometric sum (1 - a^(k+1)) / (1 - a).
TEST(Perf, UnsetLaterAcceptanceIsTheGeometricSum) {
  Deployment d;
  d.mtp = 4;
  d.mtp_acceptance = 0.7;
  const double geometric = (1 - std::pow(0.7, 5)) / (1 - 0.7);
  EXPECT_NEAR(expected_tokens_per_step(d), geometric, 1e-12);
  d.mtp_acceptance_later = 0.7;
  EXPECT_NEAR(expected_tokens_per_step(d), geometric, 1e-12);
  d.mtp = 0;
  EXPECT_EQ(expected_tokens_per_step(d), 1.0);
}

// The catalog's later-draft acceptance reproduces the mean acceptance length it is derived from:
// 3.20 at 7 drafts for DeepSeek-V3's original MTP head (huggingface.co/nebius/MTP-DeepSeek-V3-0324
// model card, temperature 0), given the first draft's 0.85; rounding 0.6286 to 0.63 moves it < 0.01.
TEST(Perf, CatalogLaterAcceptanceGivesThePublishedAcceptanceLength) {
  for (const std::string id : {"deepseek-r1", "deepseek-v3"}) {
    const ModelSpec m = model(id);
    Deployment d;
    d.mtp = 7;
    d.mtp_acceptance = model_mtp_acceptance(cat().params(), m).value();
    d.mtp_acceptance_later = model_mtp_acceptance_later(cat().params(), m).value();
    EXPECT_NEAR(expected_tokens_per_step(d), 3.20, 0.01) << id;
  }
  EXPECT_FALSE(model_mtp_acceptance_later(cat().params(), model("qwen3-32b")));  // absent: mtp_acceptance
}

TEST(Perf, PrefixHitsCutTtft) {
  const ChipSpec c = chip("nvidia-h100-sxm");
  const ModelSpec m = model("llama-3.1-70b");
  Deployment d;
  d.format = {DType::kFp8, DType::kFp8};
  d.tp = 4;
  d.batch = 16;
  const PerfResult cold = evaluate(c, m, d, wl(8192, 256));
  d.prefix_hit = 0.75;
  const PerfResult warm = evaluate(c, m, d, wl(8192, 256));
  EXPECT_LT(warm.ttft_s, 0.5 * cold.ttft_s);
}

TEST(Perf, DisaggSizesThePrefillPool) {
  const ChipSpec c = chip("nvidia-h200-sxm");
  const ModelSpec m = model("deepseek-r1");
  Deployment d;
  d.format = {DType::kFp8, DType::kFp8};
  d.kv = DType::kFp8;
  d.tp = 1;
  d.attention_dp = 8;
  d.ep = 8;
  d.batch = 256;
  d.mode = ServeMode::kDisagg;
  const PerfResult r = evaluate(c, m, d, wl(8192, 1024));
  ASSERT_TRUE(r.feasible) << r.infeasible_reason;
  EXPECT_GT(r.chips, d.chips());  // prefill chips added
  // Too few prefill chips: infeasible (the prefill pool cannot keep up).
  d.prefill_decode_ratio = 0.01;
  const PerfResult starved = evaluate(c, m, d, wl(8192, 1024));
  EXPECT_FALSE(starved.feasible);
}

// Reference cases from published measurements (calibrated catalog; loose
// tolerances: these guard against gross regressions, docs/validation.md has the errors).
TEST(Perf, ReferenceChituQwen3H20BatchOne) {
  // Chitu benchmark, Qwen3-32B BF16 on one H20, batch 1, 128/1024: TPOT 22.33 ms
  // (shared/data/measurements-shared.csv row CHITU-QWEN3-32B-H20-BS1; github.com/thu-pacman/chitu).
  Deployment d;
  d.batch = 1;
  const PerfResult r = evaluate(chip("nvidia-h20"), model("qwen3-32b"), d, wl(128, 1024));
  ASSERT_TRUE(r.ok()) << r.status;
  EXPECT_NEAR(r.tpot_s * 1e3, 22.33, 0.30 * 22.33);
}

TEST(Perf, ReferenceTrtllmLlama8bH200Offline) {
  // TensorRT-LLM v1.0 perf-overview: Llama-3.1-8B FP8 on one H200, 1000/1000, offline max throughput
  // 17,744 output tok/s (measurements-shared.csv row TRTLLM-PO-L3.1-8B-H200-1K1K).
  Deployment d;
  d.format = {DType::kFp8, DType::kFp8};
  d.kv = DType::kFp8;
  const PerfResult r = evaluate(chip("nvidia-h200-sxm"), model("llama-3.1-8b"), d, wl(1000, 1000));
  ASSERT_TRUE(r.feasible) << r.infeasible_reason;
  EXPECT_NEAR(r.output_tps_per_chip, 17744, 0.40 * 17744);
}

TEST(Perf, SearchFindsBestUnderTargetsAndAFrontier) {
  const ChipSpec c = chip("nvidia-h200-sxm");
  const ModelSpec m = model("deepseek-r1");
  Workload w = wl(1024, 1024);
  w.ttft_target = Seconds(2.0);
  w.tpot_target = Seconds(0.05);
  SearchOptions so;
  so.mtp_acceptance = 0.8;
  const SearchResult r = search(c, m, w, so);
  ASSERT_TRUE(r.found) << r.status;
  EXPECT_LE(r.best.tpot_s, 0.05);
  EXPECT_LE(r.best.ttft_s, 2.0);
  EXPECT_TRUE(r.best.feasible);
  EXPECT_GT(r.evaluated, 100u);
  ASSERT_GE(r.pareto.size(), 3u);
  for (std::size_t i = 1; i < r.pareto.size(); ++i) {
    EXPECT_GT(r.pareto[i].tokens_per_s_per_user, r.pareto[i - 1].tokens_per_s_per_user);
    EXPECT_LT(r.pareto[i].output_tps_per_chip, r.pareto[i - 1].output_tps_per_chip);
  }
  // No frontier point under the targets beats the best.
  for (const auto& p : r.pareto)
    if (p.tpot_s <= 0.05 && p.ttft_s <= 2.0) {
      EXPECT_LE(p.output_tps_per_chip, r.best.output_tps_per_chip * (1 + 1e-9));
    }
  // Tighter TPOT never raises the best throughput.
  SearchOptions tight = so;
  tight.tpot_target_s = 0.02;
  const SearchResult t = search(c, m, w, tight);
  ASSERT_TRUE(t.found) << t.status;  // 20 ms is within reach of H200 (the chat search meets 40 ms with room)
  EXPECT_LE(t.best.output_tps_per_chip, r.best.output_tps_per_chip);
}

TEST(Perf, MetricPathsEvaluate) {
  const auto ctx = [] {
    analysis::Context c;
    auto cp = std::make_shared<catalog::Catalog>(cat());
    cp->set_serving({"", perf::load_kernel_tables(*cp), {}});  // as the commands' context (perf/serving.hpp)
    c.catalog = cp;
    c.params = cp->params();
    return c;
  }();
  const std::string p = "perf.nvidia-h200-sxm.llama-3.1-70b.chat.output_tps_per_chip";
  const auto m = studies::evaluate(ctx, {p, "perf.nvidia-h200-sxm.llama-3.1-70b.chat.tpot_ms"});
  // The metric is the best deployment `gpugap search` finds for the chip, model and workload:
  // the same numbers as search's row (1e-4 relative: the JSON keeps 6 significant digits).
  const auto s = gpugap::test::run_cli("search --model llama-3.1-70b --chips nvidia-h200-sxm --workload chat -q --format json");
  ASSERT_EQ(s.rc, 0) << s.err;
  const auto row = s.json()["rows"][0];
  ASSERT_TRUE(row["found"].get<bool>()) << row.dump();
  const double tps = row["output_tps_per_chip"].get<double>(), tpot = row["tpot_ms"].get<double>();
  EXPECT_NEAR(m.at(p), tps, 1e-4 * tps);
  EXPECT_NEAR(m.at("perf.nvidia-h200-sxm.llama-3.1-70b.chat.tpot_ms"), tpot, 1e-4 * tpot);
  EXPECT_LE(m.at("perf.nvidia-h200-sxm.llama-3.1-70b.chat.tpot_ms"), 40.0 + 1e-9);  // chat target (MLPerf interactive)
  EXPECT_THROW(studies::evaluate(ctx, {"perf.nvidia-h200-sxm.llama-3.1-70b.chat.tps"}), UserError);
}

// A benchmark wave that fits in one prefill step: every request waits for the whole
// wave, so with burst share 1 the mean TTFT gains (B - 1) prefills of its own size.
TEST(Perf, WaveInOnePrefillStepWaitsForTheWholeWave) {
  const ChipSpec c = ideal(1e15, 3e12);
  const ModelSpec m = model("llama-3.1-8b");
  Deployment d;
  d.batch = 8;
  d.concurrency = 8;
  const Workload w = wl(512, 256);  // 8 x 512 tokens fit in one 8192-token step
  const PerfResult calm = evaluate(c, m, d, w);
  d.burst = 1.0;
  const PerfResult wave = evaluate(c, m, d, w);
  ASSERT_TRUE(calm.ok() && wave.ok());
  const double prefill = 512.0 / wave.prefill_tps_per_chip;
  EXPECT_NEAR(wave.ttft_s - calm.ttft_s, 7.0 * prefill, 1e-9 * wave.ttft_s);
  // Half the share, half the wait.
  d.burst = 0.5;
  EXPECT_NEAR(evaluate(c, m, d, w).ttft_s - calm.ttft_s, 3.5 * prefill, 1e-9 * wave.ttft_s);
}

// Under attention-DP the dense FFN, shared experts and LM head are split over the
// whole instance while it stays in one scale-up domain, and replicated per TP group
// beyond it (the wide-EP recipes); routed experts are split over every rank either way.
TEST(Perf, AttentionDpSplitsTheDenseLayersInsideTheDomain) {
  const ChipSpec c = ideal(1e15, 3e12);  // domain 8
  const ModelSpec m = model("deepseek-r1");
  auto weights = [&](int adp) {
    Deployment d;
    d.format = {DType::kFp8, DType::kFp8};
    d.attention_dp = adp;
    d.ep = adp;
    d.batch = adp;
    return evaluate(c, m, d, wl(1024, 1024)).weight_bytes;
  };
  const double dense_and_head = (3.0 * m.hidden * m.intermediate * m.dense_layers +
                                 3.0 * m.hidden * m.shared_intermediate * m.shared_experts * (m.layers - m.dense_layers)) +
                                2.0 * 2.0 * double(m.hidden) * m.vocab;  // 1-byte dense weights, 2-byte embeddings + head
  const double routed = double(m.experts) * 3.0 * m.hidden * m.expert_intermediate * (m.layers - m.dense_layers);
  // adp 8 -> 16: routed experts halve; the dense parts go from split-by-8 to replicated.
  EXPECT_NEAR(weights(16) - weights(8), -routed / 16.0 + dense_and_head * (1.0 - 1.0 / 8.0), 0.01 * weights(8));
}

// ---- what a measurement row states, and its benchmark harness -------------------------

namespace {

std::vector<Measurement> shared_rows() {
  return read_measurements(gpugap::test::source_dir() + "/data/measurements/measurements-shared.csv");
}

const Measurement& row_by_id(const std::vector<Measurement>& rows, const std::string& id) {
  for (const auto& m : rows)
    if (m.id == id) return m;
  throw std::runtime_error("no row " + id);
}

double metric_of(const RowPrediction& p, const std::string& name) {
  for (const auto& m : p.metrics)
    if (m.metric == name) return m.predicted;
  return std::nan("");
}

}  // namespace

// A row that drafts tokens for a model whose draft acceptance is unknown (the SGLang-Ascend
// Qwen3 recipes run EAGLE3, 3 steps, with an unnamed draft model) is not predicted as plain
// decoding: that put its TPOT about 2x high and pulled the CANN fit the wrong way.
TEST(Validation, DraftingRowWithoutAnAcceptanceIsInsufficientData) {
  const auto rows = shared_rows();
  const Measurement& q = row_by_id(rows, "SGL-ASC-A3-QWEN3-32B-2C-2K2K");
  ASSERT_EQ(q.mtp.value_or(0), 3);
  const auto p = predict(cat(), cat().params(), q, ValidateOptions{});
  EXPECT_EQ(p.skip_reason.rfind("insufficient data: models.", 0), 0u) << p.skip_reason;
  EXPECT_NE(p.skip_reason.find(".mtp_acceptance"), std::string::npos) << p.skip_reason;
  // With an acceptance stated in the row it is predicted.
  Measurement stated = q;
  stated.mtp_acceptance = 0.7;
  const auto s = predict(cat(), cat().params(), stated, ValidateOptions{});
  EXPECT_TRUE(s.skip_reason.empty()) << s.skip_reason;
}

TEST(Validation, ReadsServingSettingsStatedInTheNotes) {
  const auto rows = shared_rows();
  // lmsys large-scale EP blog: "60% acceptance assumed" for the simulated MTP row.
  const Measurement& mtp = row_by_id(rows, "SGL-H100-DECODE-4K-SIMMTP");
  ASSERT_TRUE(mtp.mtp_acceptance.has_value());
  EXPECT_DOUBLE_EQ(*mtp.mtp_acceptance, 0.6);
  // TensorRT-LLM perf-overview: "kv_cache_free_gpu_mem_fraction 0.95".
  const Measurement& po = row_by_id(rows, "TRTLLM-PO-L3.1-8B-H100-1K1K");
  ASSERT_TRUE(po.kv_free_fraction.has_value());
  EXPECT_DOUBLE_EQ(*po.kv_free_fraction, 0.95);
  const Measurement& nim = row_by_id(rows, "NIM-L3.3-70B-2xH100-5K500-C25");
  EXPECT_FALSE(nim.mtp_acceptance.has_value());
  EXPECT_FALSE(nim.kv_free_fraction.has_value());

  const ValidateOptions vo;
  // One draft token per step: tokens per step 1 + a, the decode step itself unchanged.
  Measurement unstated = mtp;
  unstated.mtp_acceptance.reset();
  const auto with = predict(cat(), cat().params(), mtp, vo);
  const auto without = predict(cat(), cat().params(), unstated, vo);
  ASSERT_TRUE(with.skip_reason.empty()) << with.skip_reason;
  EXPECT_NE(with.method.find("draft acceptance 60% (stated in the row)"), std::string::npos) << with.method;
  const double a = *model_mtp_acceptance(cat().params(), model("deepseek-v3"));
  EXPECT_NEAR(metric_of(with, "output_tps_per_chip") / metric_of(without, "output_tps_per_chip"), 1.6 / (1.0 + a), 1e-6);
  // A larger KV pool holds more sequences of the offline run: more tokens/s, never fewer.
  Measurement pool90 = po;
  pool90.kv_free_fraction.reset();
  const auto p95 = predict(cat(), cat().params(), po, vo);
  const auto p90 = predict(cat(), cat().params(), pool90, vo);
  EXPECT_NE(p95.method.find("KV pool 0.95 of the free memory (stated in the row)"), std::string::npos) << p95.method;
  EXPECT_GT(p95.deployment.batch, p90.deployment.batch);
  EXPECT_GT(metric_of(p95, "output_tps_per_chip"), metric_of(p90, "output_tps_per_chip"));
}

TEST(Validation, FitsAPublicationsWaveShareBackFromItsOwnPredictions) {
  // TTFTs the model predicts with a known wave share, fitted back: the share is recovered.
  std::vector<Measurement> nim;
  for (const auto& m : shared_rows())
    if (m.id.rfind("NIM-L3.3-70B-2xH100", 0) == 0) nim.push_back(m);
  ASSERT_EQ(nim.size(), 4u);
  const std::string src = nim.front().source;
  EXPECT_EQ(src, "docs.nvidia.com/nim/benchmarking/llm/1.0.0/performance");
  for (double share : {0.0, 0.3, 0.8}) {
    const std::map<std::string, HarnessFit> given = {{src, HarnessFit{share, nim.size()}}};
    ValidateOptions vo;
    vo.harness = &given;
    std::vector<Measurement> synth = nim;
    for (auto& m : synth) {
      const auto p = predict(cat(), cat().params(), m, vo);
      ASSERT_TRUE(p.skip_reason.empty()) << p.skip_reason;
      m.ttft_ms = metric_of(p, "ttft_ms");
    }
    const auto fitted = fit_harness(cat(), cat().params(), synth, ValidateOptions{});
    ASSERT_EQ(fitted.count(src), 1u);
    EXPECT_EQ(fitted.at(src).rows, 4u);
    EXPECT_NEAR(fitted.at(src).burst, share, 1e-3) << share;
  }
  // Fewer than three TTFT rows say nothing about a harness.
  nim.resize(2);
  EXPECT_TRUE(fit_harness(cat(), cat().params(), nim, ValidateOptions{}).empty());
}
