// The calibration overlay: written with yaml-cpp's emitter, read back by the
// catalog loader with the same values.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/scenario.hpp"
#include "catalog/catalog.hpp"
#include "catalog/overlay.hpp"
#include "catalog/specs.hpp"
#include "cli_helpers.hpp"
#include "perf/calibration_overlay.hpp"

using namespace gpugap;

namespace {

perf::FitGroup group(const std::string& family, const std::string& backend, const std::string& model, double k) {
  perf::FitGroup g;
  g.stack = "cuda";
  g.family = family;
  g.backend = backend;
  g.model = model;
  g.rows = std::vector<std::size_t>(static_cast<std::size_t>(10 * k), 0);
  g.fitted.eta_compute = 0.41234 * k;
  g.fitted.eta_memory = 0.71 / k;
  g.fitted.launch_overhead_s = 2.345e-4 * k;
  g.fitted.ttft_overhead_s = 0.1127 * k;
  g.fitted.comm_latency_s = 4.372e-5 * k;
  g.fitted.seq_overhead_s = 3.21e-6 * k;
  g.fitted.burst = 0.25 / k;
  g.heldout_median_abs_error_pct = 12.34;
  return g;
}

// The value written for a fitted number, as the loader reads it (SI units).
void expect_values(const ParamTable& p, const std::string& base, const perf::FitGroup& g) {
  const auto& f = g.fitted;
  auto near = [&](const std::string& key, double want, double rel) {
    const auto v = p.maybe(base + key);
    ASSERT_TRUE(v.has_value()) << base + key;
    EXPECT_NEAR(*v, want, rel * std::fabs(want)) << base + key;
  };
  near("eta_compute", f.eta_compute, 1e-3);  // 4 decimals written
  near("eta_memory", f.eta_memory, 1e-3);
  near("launch_overhead", f.launch_overhead_s, 1e-3);  // 4 significant digits
  near("ttft_overhead", f.ttft_overhead_s, 1e-3);
  near("comm_latency", f.comm_latency_s, 1e-3);
  near("seq_overhead", f.seq_overhead_s, 1e-3);
  near("benchmark_burst", f.burst, 1e-3);
}

}  // namespace

TEST(Overlay, EmitterQuotesTextAndKeepsOrder) {
  catalog::OverlayFile f;
  f.comment = "written by a test";
  f.root.add("id", catalog::OverlayNode::plain("cuda"));
  f.root.add("calibration", catalog::OverlayNode::quoted("a \"quoted\" text: with a colon"));
  f.root.child("backend").add("trtllm", catalog::OverlayNode::quantity(catalog::OverlayNode::plain("0.5"), {"src", "2026-01-01"}));
  const std::string y = catalog::emit_overlay(f);
  EXPECT_EQ(y.rfind("# written by a test\nid: cuda\ncalibration: \"a \\\"quoted\\\" text: with a colon\"\n", 0), 0u) << y;
  EXPECT_NE(y.find("backend:\n  trtllm:\n    value: 0.5\n    source: \"src\"\n    as_of: \"2026-01-01\"\n    confidence: medium\n"),
            std::string::npos)
      << y;
}

TEST(Overlay, CalibrationOverlayRoundTrips) {
  const std::string shipped = analysis::default_catalog_dir();
  const auto base = catalog::Catalog::load({shipped});
  perf::CalibrationResult cal;
  cal.groups = {group("", "", "", 1.0), group("", "trtllm", "", 1.1), group("nvidia-hopper", "", "", 1.2),
                group("nvidia-hopper", "trtllm", "", 1.3), group("nvidia-hopper", "trtllm", "llama-3.1-8b", 1.4)};
  const auto files = perf::calibration_overlay(cal, base, base.params(), {"a.csv + b.csv", "2026-01-02", 5});
  ASSERT_TRUE(files.count("stacks/cuda.yaml"));
  ASSERT_TRUE(files.count("chips/nvidia-h200-sxm.yaml"));
  EXPECT_FALSE(files.count("chips/nvidia-h20.yaml"));  // family nvidia-hopper-h20
  test::TempDir dir("overlay");
  catalog::write_overlay(dir.path().string(), files);
  const auto cat = catalog::Catalog::load({shipped, dir.path().string()});
  const ParamTable& p = cat.params();
  expect_values(p, "stacks.cuda.", cal.groups[0]);
  expect_values(p, "stacks.cuda.backend.trtllm.", cal.groups[1]);
  expect_values(p, "chips.nvidia-h200-sxm.software.", cal.groups[2]);
  expect_values(p, "stacks.cuda.family.nvidia-hopper.backend.trtllm.", cal.groups[3]);
  expect_values(p, "stacks.cuda.family.nvidia-hopper.backend.trtllm.model.llama-3_1-8b.", cal.groups[4]);
  EXPECT_EQ(p.maybe("stacks.cuda.backend.trtllm.rows"), 11.0);
  const auto& stack = cat.entry("stacks", "cuda");
  EXPECT_EQ(stack.str("calibration"), "fitted on 10 rows of a.csv + b.csv, 2026-01-02");
  EXPECT_TRUE(stack.flags.at("calibrated"));
  const ChipSpec h200 = chip_spec(cat, p, "nvidia-h200-sxm");
  EXPECT_TRUE(h200.calibrated);
  EXPECT_NEAR(*h200.eta_compute, cal.groups[2].fitted.eta_compute, 1e-4);
}
