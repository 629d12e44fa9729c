// Missing data as a value (core/status.hpp): the one rendering
// "insufficient data: PATH", its parse-back, the exception round trip, and an
// econ row listing every path it missed; the require() check for user input.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "analysis/scenario.hpp"
#include "catalog/specs.hpp"
#include "core/error.hpp"
#include "core/status.hpp"
#include "econ/join.hpp"
#include "studies/engines.hpp"

using namespace gpugap;

TEST(Status, RendersInsufficientDataWithThePath) {
  EXPECT_EQ(insufficient_data_text("chips.x.price.cn"), "insufficient data: chips.x.price.cn");
  EXPECT_EQ(Missing("chips.x.power.tdp").text(), "insufficient data: chips.x.power.tdp");
  EXPECT_EQ(Missing().text(), "");
  EXPECT_TRUE(Missing().ok());
  EXPECT_FALSE(Missing("a.b").ok());
  // The exception renders through the same function.
  EXPECT_STREQ(InsufficientData("a.b.c").what(), "insufficient data: a.b.c");
}

TEST(Status, ParsesTheRenderingBack) {
  for (const std::string path : {"chips.amd-mi300x.price.cn", "supply.nodes.*.wafers_per_month", "x"}) {
    EXPECT_EQ(insufficient_data_path(insufficient_data_text(path)), path);
    const Missing m = Missing::parse(Missing(path).text());
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.first(), path);
    EXPECT_EQ(m, Missing(path));
  }
  // Other statuses carry no missing path.
  for (const char* other : {"ok", "no deployment fits in memory", "no deployment meets the targets", "insufficient data",
                            "partial: insufficient data: x"}) {
    EXPECT_FALSE(insufficient_data_path(other).has_value()) << other;
    EXPECT_TRUE(Missing::parse(other).ok()) << other;
  }
}

TEST(Status, RoundTripsThroughTheException) {
  try {
    Missing("regions.cn.fx_per_usd").raise();
    FAIL() << "raise() on a missing path must throw";
  } catch (const InsufficientData& e) {
    EXPECT_EQ(e.path(), "regions.cn.fx_per_usd");
    EXPECT_EQ(Missing(e), Missing("regions.cn.fx_per_usd"));
    EXPECT_EQ(Missing::parse(e.what()), Missing(e));
  }
  EXPECT_NO_THROW(Missing().raise());
}

TEST(Status, AddKeepsTheOrderMetWithoutDuplicates) {
  Missing m;
  EXPECT_TRUE(m.add("b"));
  EXPECT_TRUE(m.add("a"));
  EXPECT_FALSE(m.add("b"));
  EXPECT_EQ(m.paths(), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(m.first(), "b");
  EXPECT_EQ(m.text(), "insufficient data: b");
}

TEST(Status, RequireThrowsAUserErrorWithTheLocation) {
  EXPECT_NO_THROW(require(true, Location{"f.yaml", 3, "a.b"}, "a positive value", "-1"));
  try {
    require(false, Location{"f.yaml", 3, "a.b"}, "a positive value", "-1");
    FAIL() << "require(false, ...) must throw";
  } catch (const UserError& e) {
    EXPECT_EQ(e.where().path, "a.b");
    EXPECT_EQ(e.where().line, 3);
    EXPECT_STREQ(e.what(), "f.yaml:3: a.b: expected a positive value, found -1");
  }
}

// A chip without a TDP and without a price in the region: the joined row lists
// both paths, and its status names the first.
TEST(Status, EconRowListsEveryMissingPath) {
  const analysis::Context ctx = studies::make_context({analysis::default_catalog_dir()}, "ms-2025", {});
  const catalog::Catalog& cat = *ctx.catalog;
  ChipSpec chip = chip_spec(cat, ctx.params, "amd-mi300x");
  chip.tdp.reset();
  chip.price.erase("cn");
  const RegionSpec region = region_spec(cat, ctx.params, "cn");
  const econ::EconParams ep = econ::econ_params(ctx.params, region);
  const ModelSpec model = model_spec(cat, ctx.params, "deepseek-r1");
  const Workload w = workload_spec(cat, ctx.params, "chat");
  const econ::Row row = econ::join(econ::Money{cat, ctx.params, region, ep}, chip, model, w,
                                   econ::join_options(ctx.params, model, false), nullptr);
  const auto& paths = row.missing.paths();
  ASSERT_GE(paths.size(), 2u) << row.status;
  auto has = [&](const std::string& p) { return std::find(paths.begin(), paths.end(), p) != paths.end(); };
  EXPECT_TRUE(has("chips.amd-mi300x.power.tdp")) << row.status;
  EXPECT_TRUE(has("chips.amd-mi300x.price.cn")) << row.status;
  EXPECT_EQ(row.status, insufficient_data_text(paths.front()));
  EXPECT_EQ(Missing::parse(row.status).first(), row.missing.first());
  EXPECT_FALSE(row.costs.has_value());
}
