// Values stored in the golden files (tests/golden/*.json) checked against references
// that do not come from gpugap: hand computations from the catalog's cited inputs
// (each input named with its catalog path; the source is cited there) and published
// figures. The golden tests (PerfGolden.*, EconGolden.*) compare gpugap's output with
// the stored files; these tests compare the stored files with the references, so a
// regeneration (`make goldens`) that moves one of these values fails here, and the
// commit that moves it must say why.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <string>

#include "golden_helpers.hpp"

using gpugap::test::read_golden;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Capital recovery factor: the yearly payment that repays 1 over n years at rate r.
double crf(double r, double n) { return r * std::pow(1 + r, n) / (std::pow(1 + r, n) - 1); }

const json* row_of(const json& t, const std::string& chip) {
  for (const auto& r : t["rows"])
    if (r["chip"] == chip) return &r;
  return nullptr;
}

double item(const json& row, const std::string& name) {
  for (const auto& i : row["tco"]["breakdown"])
    if (i["item"] == name) return i["usd_per_hour"].get<double>();
  ADD_FAILURE() << "no TCO item " << name;
  return std::nan("");
}

constexpr double kHoursPerYear = 8760;
// perf's convention (src/perf/perf.hpp kUsableMemoryFraction, docs/model-perf.md): 90% of
// device memory is usable for weights and KV cache.
constexpr double kUsable = 0.9;

}  // namespace

// Every golden file is made by a command in the manifest, and every command has its file.
TEST(GoldenReference, ManifestAndFilesAgree) {
  const auto cmds = gpugap::test::golden_commands();
  EXPECT_EQ(cmds.size(), 4u);
  std::set<std::string> files;
  for (const auto& e : fs::directory_iterator(gpugap::test::golden_dir()))
    if (e.path().extension() == ".json") files.insert(e.path().stem().string());
  std::set<std::string> names;
  for (const auto& [name, args] : cmds) {
    names.insert(name);
    EXPECT_NE(args.find("--format json"), std::string::npos) << name;
  }
  EXPECT_EQ(files, names);
}

// The H20 row's TCO, by hand from the region's and the chip's catalog inputs.
TEST(GoldenReference, EconH20TcoIsTheHandComputation) {
  const json t = read_golden("econ-deepseek-r1-chat-cn");
  ASSERT_FALSE(t.is_null());
  const json* h = row_of(t, "nvidia-h20");
  ASSERT_NE(h, nullptr);
  ASSERT_EQ((*h)["status"], "ok");
  // Inputs (catalog path: value):
  //   chips.nvidia-h20.price.cn: 110000 RMB (880000 RMB per 8-GPU module / 8, Tencent Technology 2025-12-24)
  //   regions.cn.fx_per_usd: 7.15 RMB/USD
  //   regions.cn.cost_of_capital 0.08/yr, depreciation_years 5, datacenter_years 15
  //   regions.cn.server_overhead_fraction 0.1455, network_fraction 0.333, operations_fraction 0.06/yr
  //   regions.cn.datacenter_capex_per_kw 7110 USD/kW (Cushman & Wakefield APAC 2025)
  //   chips.nvidia-h20.power.tdp 400 W; regions.cn.host_power_fraction 0.821 (DGX H100 10.2 kW / 8 chips)
  //   regions.cn.utilisation 0.6, pue 1.5, electricity_price_foreign_chips 0.112 USD/kWh (FT 2025-11-04)
  const double price = 110000.0 / 7.15;          // 15384.615 USD
  const double it_w = 400.0 * (1 + 0.821);       // 728.4 W
  const double it_capex = price * (1 + 0.1455 + 0.333);  // 22746.15 USD
  const double crf5 = crf(0.08, 5);              // 0.250456/yr
  const double crf15 = crf(0.08, 15);            // 0.116830/yr
  // Tolerance 1e-9 relative: the same arithmetic in double precision, in another order.
  auto near = [](double want, double got, const char* what) {
    EXPECT_NEAR(got, want, 1e-9 * std::fabs(want)) << what;
  };
  near(price, (*h)["price_usd"].get<double>(), "price_usd");
  near(crf5, (*h)["tco"]["it_crf_per_year"].get<double>(), "it_crf_per_year");
  near(crf15, (*h)["tco"]["datacenter_crf_per_year"].get<double>(), "datacenter_crf_per_year");
  near(it_w, (*h)["it_power_w"].get<double>(), "it_power_w");
  near(it_capex, (*h)["tco"]["it_capex_usd"].get<double>(), "it_capex_usd");
  near(price * crf5 / kHoursPerYear, item(*h, "chip"), "chip");                            // 0.43986 USD/h
  near(0.1455 * price * crf5 / kHoursPerYear, item(*h, "server"), "server");               // 0.06400 USD/h
  near(0.333 * price * crf5 / kHoursPerYear, item(*h, "network"), "network");              // 0.14647 USD/h
  near(7110 * it_w / 1000 * crf15 / kHoursPerYear, item(*h, "datacenter"), "datacenter");  // 0.06907 USD/h
  near(it_w / 1000 * 0.6 * 1.5 * 0.112, item(*h, "energy"), "energy");                     // 0.07342272 USD/h
  near(0.06 * it_capex / kHoursPerYear, item(*h, "operations"), "operations");             // 0.15580 USD/h
  near(it_w * 0.6 * 1.5, (*h)["power_w"].get<double>(), "power_w (wall, at utilisation and PUE)");  // 655.56 W
  const double per_hour = (1 + 0.1455 + 0.333) * price * crf5 / kHoursPerYear + 7110 * it_w / 1000 * crf15 / kHoursPerYear +
                          it_w / 1000 * 0.6 * 1.5 * 0.112 + 0.06 * it_capex / kHoursPerYear;  // 0.94862 USD/h
  near(per_hour, (*h)["usd_per_hour"].get<double>(), "usd_per_hour");
  near(per_hour * 7.15, (*h)["rmb_per_hour"].get<double>(), "rmb_per_hour");
  EXPECT_EQ(t["rmb_per_usd"].get<double>(), 7.15);
}

// Llama-3.1-70B FP8 on 2 H200 (TP 2), batch 64, chat 1k/1k: memory by hand from the
// architecture (catalog/models/llama-3.1-70b.yaml: the HF config) and the datasheet.
TEST(GoldenReference, PerfH200Llama70bMemoryIsTheHandComputation) {
  const json j = read_golden("perf_h200_llama70b_chat");
  ASSERT_FALSE(j.is_null());
  // H200 SXM: 141 GB HBM3e (NVIDIA H200 datasheet), 90% usable.
  EXPECT_NEAR(j["memory"]["capacity_gb"].get<double>(), kUsable * 141, 1e-6);  // 126.9 GB
  // KV cache: 80 layers x (K and V) x 8 KV heads / TP 2 x head_dim 128 x 1 byte (fp8) = 81920 B
  // per token per chip, for 64 sequences at the mean decode context isl + osl/2 = 1536 tokens.
  const double kv = 64 * 1536.0 * (80 * 2 * (8 / 2) * 128 * 1) / 1e9;  // 8.053 GB
  EXPECT_NEAR(j["memory"]["kv_gb"].get<double>(), kv, 1e-4 * kv);     // the golden keeps 6 digits
  // Weights: a layer holds q 8192x8192, k and v 8192x1024 each, o 8192x8192 and the FFN
  // 3 x 8192 x 28672 = 855.6M parameters; 80 layers are split over TP 2; the embedding and
  // the LM head (128256 x 8192 each, untied) are held whole on each chip; 1 byte each (fp8).
  const double layer = 2 * 8192.0 * 8192 + 2 * 8192.0 * 1024 + 3 * 8192.0 * 28672;
  const double weights = (80 * layer / 2 + 2 * 128256.0 * 8192) / 1e9;  // 36.326 GB
  // 1e-4: the norms' 1.3M parameters, left out above, and the golden's 6 digits.
  EXPECT_NEAR(j["memory"]["weights_gb"].get<double>(), weights, 1e-4 * weights);
  // Throughput from the step time: each of 64 users gets a token per TPOT, over 2 chips.
  const double tpot = j["tpot_ms"].get<double>();
  EXPECT_NEAR(j["tokens_per_s_per_user"].get<double>(), 1000 / tpot, 1e-4 * 1000 / tpot);
  EXPECT_NEAR(j["output_tps_per_chip"].get<double>(), 64 * 1000 / tpot / 2, 1e-4 * 64 * 1000 / tpot / 2);
  EXPECT_EQ(j["chips"], 2);
  // MLPerf Inference llama2-70b-interactive Server constraints (catalog/workloads/chat.yaml).
  EXPECT_EQ(j["targets"]["tpot_ms"].get<double>(), 40.0);
  EXPECT_EQ(j["targets"]["ttft_ms"].get<double>(), 450.0);
}

// DeepSeek-R1 on Ascend 910C, DP-attention 16 x EP 16, batch 1024, 2k/2k, one MTP token.
TEST(GoldenReference, Perf910cDeepseekKvAndMtpAreTheHandComputation) {
  const json j = read_golden("perf_910c_dsr1_disagg");
  ASSERT_FALSE(j.is_null());
  // Ascend 910C: 128 GB (SemiAnalysis CloudMatrix 384: 49.2 TB / 384 chips), 90% usable.
  EXPECT_NEAR(j["memory"]["capacity_gb"].get<double>(), kUsable * 128, 1e-6);  // 115.2 GB
  // MLA cache: (kv_lora_rank 512 + rope 64) x 61 layers x 2 bytes (bf16: the 910C has no FP8)
  // = 70272 B per token; 1024 / 16 = 64 sequences per chip at the mean context 2048 + 2048/2.
  const double kv = 64 * 3072.0 * (576 * 61 * 2) / 1e9;  // 13.816 GB
  EXPECT_NEAR(j["memory"]["kv_gb"].get<double>(), kv, 1e-4 * kv);
  EXPECT_EQ(j["deployment"]["kv_precision"], "bf16");
  // One draft token accepted with probability 0.85 (DeepSeek-V3 report, arXiv:2412.19437
  // section 5.4.3: 85-90%): 1.85 tokens per decode step.
  EXPECT_NEAR(j["tokens_per_step"].get<double>(), 1.85, 1e-12);
  const double tpot = j["tpot_ms"].get<double>();
  EXPECT_NEAR(j["tokens_per_s_per_user"].get<double>(), 1000 / tpot, 1e-4 * 1000 / tpot);
}

// The search's best configuration per chip: targets from MLPerf, throughput from the step time.
TEST(GoldenReference, SearchRowsMeetTheMlperfTargets) {
  const json j = read_golden("search_dsr1_chat");
  ASSERT_FALSE(j.is_null());
  // MLPerf Inference llama2-70b-interactive Server constraints (catalog/workloads/chat.yaml).
  EXPECT_EQ(j["targets"]["tpot_ms"].get<double>(), 40.0);
  EXPECT_EQ(j["targets"]["ttft_ms"].get<double>(), 450.0);
  ASSERT_EQ(j["rows"].size(), 4u);
  for (const auto& r : j["rows"]) {
    ASSERT_TRUE(r["found"].get<bool>()) << r["chip"];
    const double tpot = r["tpot_ms"].get<double>();
    EXPECT_LE(tpot, 40.0) << r["chip"];
    EXPECT_LE(r["ttft_ms"].get<double>(), 450.0) << r["chip"];
    // concurrency users at 1000 / TPOT tokens/s each, over the instance's chips (6 digits kept).
    const double tps = r["deployment"]["concurrency"].get<double>() * 1000 / tpot / r["deployment"]["chips_per_instance"].get<double>();
    EXPECT_NEAR(r["output_tps_per_chip"].get<double>(), tps, 1e-4 * tps) << r["chip"];
  }
  // The 910C has no FP8 (catalog/chips/huawei-ascend-910c.yaml): its cache is 16-bit.
  for (const auto& r : j["rows"]) {
    if (r["chip"] == "huawei-ascend-910c") {
      EXPECT_EQ(r["deployment"]["kv_precision"], "bf16");
    }
  }
}
