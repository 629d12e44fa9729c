#include <gtest/gtest.h>

#include "analysis/scenario.hpp"
#include "catalog/catalog.hpp"
#include "catalog/specs.hpp"
#include "cli_helpers.hpp"

using namespace gpugap;
using gpugap::test::run_cli;

namespace {
const catalog::Catalog& shipped() {
  static const catalog::Catalog c = catalog::Catalog::load({analysis::default_catalog_dir()});
  return c;
}
}  // namespace

TEST(Catalog, ShippedCatalogValidates) {
  auto r = run_cli("catalog validate");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("catalog OK"), std::string::npos);
}

TEST(Catalog, AtLeastNinetyPercentSourced) {
  auto r = run_cli("catalog validate --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_GE(r.json()["sourced_fraction"].get<double>(), 0.90);
}

TEST(Catalog, ListsEveryRequiredChipId) {
  auto r = run_cli("catalog list chips --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  std::set<std::string> ids;
  for (const auto& c : r.json()) ids.insert(c["id"].get<std::string>());
  for (const char* id :
       {"nvidia-a100-sxm", "nvidia-a800", "nvidia-h100-sxm", "nvidia-h800", "nvidia-h20", "nvidia-h200-sxm",
        "nvidia-b200", "nvidia-b300", "nvidia-gb200", "nvidia-gb300", "amd-mi300x", "amd-mi325x", "amd-mi355x",
        "huawei-ascend-910b", "huawei-ascend-910b2", "huawei-ascend-910b3", "huawei-ascend-910b4",
        "huawei-ascend-910c", "huawei-ascend-950pr", "huawei-ascend-950dt", "huawei-ascend-960",
        "cambricon-mlu370-x8", "cambricon-mlu590", "cambricon-mlu690", "hygon-k100", "hygon-bw1000",
        "kunlunxin-p800", "thead-ppu", "moorethreads-s4000", "moorethreads-s5000", "metax-c500", "biren-br100",
        "google-tpu-v6e"})
    EXPECT_TRUE(ids.count(id)) << id;
}

TEST(Catalog, AliasesResolve) {
  EXPECT_EQ(shipped().resolve("chips", "h200_sxm"), "nvidia-h200-sxm");
  EXPECT_EQ(shipped().resolve("chips", "nvidia-h20-96gb"), "nvidia-h20");
  EXPECT_EQ(shipped().resolve("models", "deepseek-ai/DeepSeek-R1"), "deepseek-r1");
}

TEST(Catalog, UnknownIdSuggests) {
  try {
    (void)shipped().resolve("chips", "nvidia-h2O");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'nvidia-h20'"), std::string::npos) << e.what();
  }
}

TEST(Catalog, BidirectionalLinkStoredPerDirection) {
  // H20: 900 GB/s bidirectional NVLink -> 450 GB/s per direction.
  const auto c = chip_spec(shipped(), shipped().params(), "nvidia-h20");
  ASSERT_TRUE(c.scaleup_bandwidth);
  EXPECT_DOUBLE_EQ(c.scaleup_bandwidth->value(), 450e9);
}

TEST(Catalog, RmbPriceConvertsThroughRegionRate) {
  const auto& p = shipped().params();
  const auto c = chip_spec(shipped(), p, "nvidia-h20");
  const Param& price = p.at("chips.nvidia-h20.price.cn");
  ASSERT_EQ(price.currency, Currency::kRmb);
  EXPECT_NEAR(c.need_price("cn").value(), price.value / p.value("regions.cn.fx_per_usd"), 1e-6);
}

TEST(Catalog, ShowPrintsSourceAndConfidence) {
  auto r = run_cli("catalog show nvidia-h200-sxm");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("memory.bandwidth"), std::string::npos);
  EXPECT_NE(r.out.find("high"), std::string::npos);
}
