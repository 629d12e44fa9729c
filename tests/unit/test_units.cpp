#include <gtest/gtest.h>

#include "core/suggest.hpp"
#include "core/unit_parse.hpp"
#include "core/units.hpp"

using namespace gpugap;

TEST(Units, DimensionsCombine) {
  const Bytes b(4.8e12);
  const BytesPerSecond bw(4.8e12);
  const Seconds t = b / bw;
  EXPECT_DOUBLE_EQ(t.value(), 1.0);
  const Flops f(2e15);
  const FlopsPerSecond peak(1e15);
  EXPECT_DOUBLE_EQ((f / peak).value(), 2.0);
  const Watts w(700);
  const Joules j = w * Seconds(3600);
  EXPECT_DOUBLE_EQ(j.value(), 700 * 3600.0);
  // Flops / BytesPerSecond is not Seconds: checked at compile time.
  static_assert(!std::is_same_v<decltype(Flops(1) / BytesPerSecond(1)), Seconds>);
}

TEST(UnitParse, DecimalAndBinaryPrefixes) {
  EXPECT_DOUBLE_EQ(parse_quantity("4.0 TB/s", Dim::kBandwidth).value->value, 4e12);
  EXPECT_DOUBLE_EQ(parse_quantity("900 GB/s", Dim::kBandwidth).value->value, 9e11);
  EXPECT_DOUBLE_EQ(parse_quantity("400 Gb/s", Dim::kBandwidth).value->value, 5e10);
  EXPECT_DOUBLE_EQ(parse_quantity("96 GiB", Dim::kBytes).value->value, 96.0 * 1073741824.0);
  EXPECT_DOUBLE_EQ(parse_quantity("141 GB", Dim::kBytes).value->value, 141e9);
  EXPECT_DOUBLE_EQ(parse_quantity("989 TFLOPS", Dim::kCompute).value->value, 989e12);
  EXPECT_DOUBLE_EQ(parse_quantity("1979 TOPS", Dim::kCompute).value->value, 1979e12);
  EXPECT_DOUBLE_EQ(parse_quantity("132 kW", Dim::kPower).value->value, 132e3);
  EXPECT_DOUBLE_EQ(parse_quantity("50 ms", Dim::kTime).value->value, 0.05);
  EXPECT_DOUBLE_EQ(parse_quantity("1.5e3 W", Dim::kPower).value->value, 1500);
  auto rmb = parse_quantity("142500 RMB", Dim::kMoney);
  EXPECT_EQ(rmb.value->currency, Currency::kRmb);
}

TEST(UnitParse, RejectsWrongUnitsAndJunk) {
  EXPECT_FALSE(parse_quantity("4 TB", Dim::kBandwidth).value);       // size, not bandwidth
  EXPECT_NE(parse_quantity("4 TB", Dim::kBandwidth).error.find("4 TB"), std::string::npos);
  EXPECT_FALSE(parse_quantity("4", Dim::kBandwidth).value);          // missing unit
  EXPECT_FALSE(parse_quantity("nan W", Dim::kPower).value);
  EXPECT_FALSE(parse_quantity("inf W", Dim::kPower).value);
  EXPECT_FALSE(parse_quantity("1e400 W", Dim::kPower).value);        // overflow
  EXPECT_FALSE(parse_quantity("1e300 TW", Dim::kPower).value);       // overflow after scaling (unknown unit too)
  EXPECT_FALSE(parse_quantity("1.5", Dim::kFraction).value);
  EXPECT_FALSE(parse_quantity("3.5", Dim::kCount).value);
  EXPECT_FALSE(parse_quantity("12 W", Dim::kNumber).value);
  EXPECT_TRUE(parse_quantity("0.5", Dim::kFraction).value);
}

TEST(Suggest, FindsCloseNames) {
  EXPECT_EQ(suggest("bandwith", {"bandwidth", "capacity", "type"}), "bandwidth");
  EXPECT_EQ(suggest("nvidia-h2O", {"nvidia-h20", "nvidia-h200-sxm"}), "nvidia-h20");
  EXPECT_EQ(suggest("zzzzzz", {"bandwidth"}), "");
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}
