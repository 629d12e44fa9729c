// The deployment rules of perf/deployment (one home for each) and the one text
// and JSON rendering of a deployment.
#include <gtest/gtest.h>

#include "analysis/scenario.hpp"
#include "catalog/catalog.hpp"
#include "catalog/family.hpp"
#include "catalog/specs.hpp"
#include "perf/deployment.hpp"

using namespace gpugap;
using namespace gpugap::perf;

namespace {

ModelSpec moe(int experts, int heads = 128) {
  ModelSpec m;
  m.id = "m";
  m.ffn = FfnKind::kMoe;
  m.experts = experts;
  m.heads = heads;
  return m;
}

ModelSpec dense(int heads = 64) {
  ModelSpec m;
  m.id = "d";
  m.ffn = FfnKind::kDense;
  m.heads = heads;
  return m;
}

const catalog::Catalog& cat() {
  static const catalog::Catalog c = catalog::Catalog::load({analysis::default_catalog_dir()});
  return c;
}

}  // namespace

TEST(DeploymentRules, DefaultEpSpansTheGroupAndDividesIt) {
  EXPECT_EQ(default_ep(moe(256), 8), 8);
  EXPECT_EQ(default_ep(moe(256), 512), 256);  // at most one rank per expert
  EXPECT_EQ(default_ep(moe(160), 256), 128);  // 160 does not divide 256: the largest that does below it
  EXPECT_EQ(default_ep(moe(256), 8, 4), 4);
  EXPECT_EQ(default_ep(dense(), 8), 1);
}

TEST(DeploymentRules, AStatedEpIsKeptAndRefusedWhenItCannotBeBuilt) {
  // Never a different deployment: EP 3 of a TP-8 group stays 3 (it was once lowered to 2),
  // and check_deployment names the rule it breaks.
  EXPECT_EQ(default_ep(moe(256), 8, 3), 3);
  EXPECT_EQ(default_ep(moe(256), 8, 64), 64);
  EXPECT_EQ(default_ep(moe(256), 1, 160), 160);
  EXPECT_EQ(default_ep(dense(), 8, 2), 2);
  ModelSpec m = moe(256), dm = dense();
  m.layers = dm.layers = 61;
  Deployment d;
  d.tp = 8;
  d.ep = 64;
  EXPECT_EQ(check_deployment(m, d), "ep 64 must divide tp x attention_dp = 8");
  d.ep = 3;
  EXPECT_EQ(check_deployment(m, d), "ep 3 must divide tp x attention_dp = 8");
  d.tp = 1;
  d.ep = 160;
  EXPECT_EQ(check_deployment(m, d), "ep 160 must divide tp x attention_dp = 1");
  d.ep = 2;
  EXPECT_EQ(check_deployment(dm, d), "ep 2 given for the dense model d");
  // A stated prefill EP is checked against the prefill pool as well.
  d = Deployment{};
  d.tp = 8;
  d.ep = 8;
  d.prefill_tp = 4;
  d.prefill_ep = 8;
  EXPECT_EQ(check_deployment(m, d), "prefill ep 8 must divide prefill tp x attention_dp = 4");
  d.prefill_ep = 4;
  EXPECT_EQ(check_deployment(m, d), "");
}

TEST(DeploymentRules, SmallestTpDoublesWithinTheLimitAndTheHeads) {
  EXPECT_EQ(smallest_tp(dense(64), 8, [](int tp) { return tp >= 4; }), 4);
  EXPECT_EQ(smallest_tp(dense(64), 8, [](int) { return false; }), 8);   // the limit
  EXPECT_EQ(smallest_tp(dense(12), 16, [](int) { return false; }), 4);  // 8 does not divide 12 heads
  EXPECT_EQ(smallest_tp(dense(64), 8, [](int) { return true; }), 1);
}

TEST(DeploymentRules, DefaultDeploymentOfALargeMoeSpansTheDomain) {
  const ChipSpec chip = chip_spec(cat(), cat().params(), "nvidia-h200-sxm");
  const ModelSpec model = model_spec(cat(), cat().params(), "deepseek-r1");
  const Deployment d = default_deployment(chip, model);
  EXPECT_EQ(d.tp, default_tp(chip, model, d.format));
  EXPECT_EQ(d.ep, default_ep(model, d.tp));
  EXPECT_EQ(d.kv, DType::kFp8);
  EXPECT_TRUE(check_deployment(model, d).empty());
  EXPECT_EQ(default_kv(chip_spec(cat(), cat().params(), "nvidia-a100-sxm")), DType::kBf16);  // no FP8
}

TEST(DeploymentRender, DescribeAndJsonShareOneSchema) {
  Deployment d;
  d.format = Format{DType::kFp8, DType::kFp8};
  d.kv = DType::kFp8;
  d.tp = 2;
  d.attention_dp = 4;
  d.ep = 8;
  d.pp = 2;
  d.batch = 64;
  d.mtp = 1;
  EXPECT_EQ(describe(d, moe(256)), "fp8 kv fp8 TP2 ADP4 EP8 PP2 B64 agg MTP1");
  EXPECT_EQ(describe(d, dense()), "fp8 kv fp8 TP2 ADP4 PP2 B64 agg MTP1");
  const auto j = to_json(d, moe(256));
  for (const char* k : {"precision", "weights", "activations", "kv_precision", "tp", "pp", "dp", "attention_dp", "ep", "moe_tp",
                        "chips_per_instance", "batch", "mode", "mtp", "mtp_acceptance", "prefix_hit", "overlap", "concurrency"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["chips_per_instance"], 16);
  EXPECT_EQ(j["moe_tp"], 1);
  EXPECT_FALSE(j.contains("prefill_tp"));
  d.mode = ServeMode::kDisagg;
  d.prefill_decode_ratio = 0.123456789;
  const auto jd = to_json(d, moe(256));
  EXPECT_EQ(jd["prefill_tp"], 2);
  EXPECT_DOUBLE_EQ(jd["prefill_decode_ratio"].get<double>(), 0.123457);
}

TEST(ChipFamily, FromTheCatalog) {
  EXPECT_EQ(catalog::chip_family(cat(), "nvidia-h200-sxm"), "nvidia-hopper");
  EXPECT_EQ(catalog::chip_family(cat(), "nvidia-h20"), "nvidia-hopper-h20");
  EXPECT_EQ(catalog::chip_family(cat(), "huawei-ascend-910c"), "huawei-ascend-910");
  EXPECT_EQ(catalog::chip_family(cat(), "huawei-atlas-350"), "huawei-atlas-350");  // none given: its own
}
