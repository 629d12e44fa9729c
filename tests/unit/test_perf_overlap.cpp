// Perf breakdown and two-micro-batch overlap: collectives are charged (and named)
// only where one runs; overlap runs two half batches, so it pays where
// communication is heavy and costs where weight reads dominate; search explores it
// when asked and never does worse than without.
#include <gtest/gtest.h>

#include <algorithm>

#include "analysis/scenario.hpp"
#include "catalog/catalog.hpp"
#include "catalog/specs.hpp"
#include "catalog_helpers.hpp"
#include "perf/perf.hpp"
#include "perf/step.hpp"

using namespace gpugap;
using namespace gpugap::perf;

namespace {

using test::cat;
using test::chip;
using test::model;
using test::wl;

std::vector<std::string> comm_ops(const PerfResult& r) {
  std::vector<std::string> out;
  for (const auto& op : r.breakdown)
    if (op.bound == Bottleneck::kComm && std::find(out.begin(), out.end(), op.name) == out.end()) out.emplace_back(op.name);
  return out;
}

Deployment dsr1(int tp, int adp, int ep, int batch) {
  Deployment d;
  d.format = {DType::kFp8, DType::kFp8};
  d.kv = DType::kFp8;
  d.tp = tp;
  d.attention_dp = adp;
  d.ep = ep;
  d.batch = batch;
  return d;
}

TEST(PerfBreakdown, NoTpAllReduceAtTp1) {
  // One chip, dense model: no collective at all.
  Deployment one;
  one.batch = 8;
  EXPECT_TRUE(comm_ops(evaluate(chip("nvidia-h100-sxm"), model("llama-3.1-8b"), one, wl(1000, 100))).empty());
  // TP 1 under attention DP: the dense layers gather the ranks' tokens; that is not a TP all-reduce.
  const auto adp = comm_ops(evaluate(chip("nvidia-h200-sxm"), model("deepseek-r1"), dsr1(1, 8, 8, 256), wl(1000, 100)));
  EXPECT_EQ(std::count(adp.begin(), adp.end(), "TP all-reduce"), 0);
  EXPECT_EQ(std::count(adp.begin(), adp.end(), "dense-layer gather (attention DP)"), 1);
  EXPECT_EQ(std::count(adp.begin(), adp.end(), "MoE dispatch/combine"), 1);
  // TP 8: the attention all-reduce is there, no gather.
  const auto tp = comm_ops(evaluate(chip("nvidia-h200-sxm"), model("deepseek-r1"), dsr1(8, 1, 8, 256), wl(1000, 100)));
  EXPECT_EQ(std::count(tp.begin(), tp.end(), "TP all-reduce"), 1);
  EXPECT_EQ(std::count(tp.begin(), tp.end(), "dense-layer gather (attention DP)"), 0);
}

double decode_step(const Deployment& d, double seqs) {
  const StepModel m(chip("nvidia-h20"), model("deepseek-r1"), d);
  StepLoad l;
  l.decode_seqs = seqs;
  l.decode_ctx_sum = seqs * 1500;
  return m.seconds(l);
}

TEST(PerfOverlap, TwoHalvesPayWhereCommunicationIsHeavy) {
  // Wide EP over 16 H20 (two servers: the dispatch crosses the NIC) with a large batch: hiding the
  // all-to-all behind the other half's compute saves time.
  Deployment d = dsr1(1, 16, 16, 0);
  Deployment o = d;
  o.overlap = true;
  EXPECT_LT(decode_step(o, 2048), decode_step(d, 2048));
  // Two sequences per rank: the step is weight reads, which each half pays again.
  EXPECT_GT(decode_step(o, 32), decode_step(d, 32));
  // Never worse than running the step twice.
  EXPECT_LT(decode_step(o, 32), 2 * decode_step(d, 32));
  EXPECT_EQ(decode_step(o, 16), decode_step(d, 16));  // one sequence per rank cannot be split
}

TEST(PerfOverlap, SearchExploresItWhenAsked) {
  const Workload w = workload_spec(cat(), cat().params(), "chat");
  SearchOptions so;
  so.mtp_acceptance = 0.85;
  const auto base = search(chip("huawei-ascend-910c"), model("deepseek-r1"), w, so);
  so.allow_overlap = true;
  const auto tbo = search(chip("huawei-ascend-910c"), model("deepseek-r1"), w, so);
  ASSERT_TRUE(base.found);
  ASSERT_TRUE(tbo.found);
  EXPECT_GT(tbo.evaluated, base.evaluated);
  // A superset of the deployments: the best can only improve.
  EXPECT_GE(tbo.best.output_tps_per_chip, base.best.output_tps_per_chip * (1 - 1e-12));
  EXPECT_FALSE(base.best.deployment.overlap);
}

}  // namespace
