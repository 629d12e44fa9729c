// `gpugap catalog import-hf`: real config.json files (tests/fixtures/hf-configs, origin
// in its README) against an independent record (../shared/data/models.json) and
// against the catalog's own entries; errors name the field; SHA-256 against FIPS 180-2.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "analysis/scenario.hpp"
#include "catalog/catalog.hpp"
#include "catalog/import_hf.hpp"
#include "catalog/specs.hpp"
#include "cli_helpers.hpp"
#include "core/error.hpp"
#include "core/sha256.hpp"

using namespace gpugap;
using namespace gpugap::test;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path fixtures() { return fs::path(source_dir()) / "tests" / "fixtures" / "hf-configs"; }

catalog::HfImport import_fixture(const std::string& name, const std::string& id = "") {
  return catalog::import_hf_config(slurp(fixtures() / name), {name, id, "2026-12-07"});
}

// A YAML value: a bare scalar or {value: ...}; nullopt for null or absent.
std::optional<double> num(const YAML::Node& n) {
  if (!n || n.IsNull()) return std::nullopt;
  const YAML::Node v = n.IsMap() ? n["value"] : n;
  if (!v || v.IsNull()) return std::nullopt;
  return v.as<double>();
}

std::optional<double> jnum(const nlohmann::json& r, const std::string& key) {
  if (!r.contains(key) || r[key].is_null()) return std::nullopt;
  return r[key].get<double>();
}

const nlohmann::json& record(const std::string& id) {
  static const nlohmann::json all = nlohmann::json::parse(slurp(fs::path(source_dir()) / ".." / "shared" / "data" / "models.json"));
  for (const auto& r : all)
    if (r["id"] == id) return r;
  throw std::runtime_error("no models.json record " + id);
}

struct Case {
  std::string fixture, record, catalog_id;
};

// Every fixture with its models.json record and the catalog entry built from that record.
const std::vector<Case>& cases() {
  static const std::vector<Case> c = {
      {"deepseek-ai--DeepSeek-R1.json", "deepseek-ai/DeepSeek-R1", "deepseek-r1"},
      {"deepseek-ai--DeepSeek-V3.2.json", "deepseek-ai/DeepSeek-V3.2-Exp", "deepseek-v3.2-exp"},
      {"moonshotai--Kimi-K2-Instruct.json", "moonshotai/Kimi-K2-Instruct", "kimi-k2"},
      {"Qwen--Qwen3-235B-A22B.json", "Qwen/Qwen3-235B-A22B", "qwen3-235b-a22b"},
      {"Qwen--Qwen3-30B-A3B.json", "Qwen/Qwen3-30B-A3B", "qwen3-30b-a3b"},
      {"Qwen--Qwen3-32B.json", "Qwen/Qwen3-32B", "qwen3-32b"},
      {"openai--gpt-oss-120b.json", "openai/gpt-oss-120b", "gpt-oss-120b"},
      {"mistralai--Mixtral-8x7B-v0.1.json", "mistralai/Mixtral-8x7B-Instruct-v0.1", "mixtral-8x7b"},
      {"MiniMaxAI--MiniMax-M2.5.json", "MiniMaxAI/MiniMax-M2.5", "minimax-m2.5"},
      {"zai-org--GLM-5.json", "zai-org/GLM-5", "glm-5"},
  };
  return c;
}

}  // namespace

TEST(Sha256, FipsTestVectors) {
  // FIPS 180-2, appendix B.1 and B.2; the empty string from NIST's examples.
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// The import agrees with shared/data/models.json (an independent record of the same
// configs) field by field; parameter counts, which the importer derives from the shapes
// while the record quotes model cards ("1T", "671B"), within stated tolerances.
TEST(ImportHf, AgreesFieldByFieldWithTheIndependentRecord) {
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"layers", "num_hidden_layers"},
      {"hidden", "hidden_size"},
      {"vocab", "vocab_size"},
      {"attention.heads", "num_attention_heads"},
      {"attention.kv_heads", "num_key_value_heads"},
      {"attention.head_dim", "head_dim"},
      {"attention.q_lora_rank", "q_lora_rank"},
      {"attention.kv_lora_rank", "kv_lora_rank"},
      {"attention.qk_nope_dim", "qk_nope_head_dim"},
      {"attention.qk_rope_dim", "qk_rope_head_dim"},
      {"attention.v_head_dim", "v_head_dim"},
      {"attention.sliding_window", "sliding_window"},
      {"ffn.intermediate", "intermediate_size"},
      {"ffn.experts", "n_routed_experts"},
      {"ffn.experts_per_token", "num_experts_per_tok"},
      {"ffn.shared_experts", "n_shared_experts"},
      {"ffn.expert_intermediate", "moe_intermediate_size"},
      {"ffn.shared_intermediate", "shared_expert_intermediate_size"},
      {"ffn.dense_layers", "n_dense_ffn_layers"},
  };
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.fixture);
    const auto imp = import_fixture(c.fixture);
    const YAML::Node y = YAML::Load(imp.yaml);
    const auto& r = record(c.record);
    for (const auto& [key, rkey] : fields) {
      const auto dot = key.find('.');  // one level at most ("ffn.experts")
      const YAML::Node n = dot == std::string::npos ? y[key] : y[key.substr(0, dot)][key.substr(dot + 1)];
      EXPECT_EQ(num(n), jnum(r, rkey)) << key << " vs models.json " << rkey;
    }
    EXPECT_EQ(num(y["mtp_layers"]).value_or(-1), jnum(r, "num_nextn_predict_layers").value_or(0));
    const double sliding = r["layer_pattern"].is_object() ? r["layer_pattern"].value("n_sliding_layers", 0.0) : 0.0;
    EXPECT_EQ(num(y["attention"]["sliding_layers"]), sliding);
    EXPECT_EQ(y["tie_embeddings"].as<bool>(), r["tie_word_embeddings"].get<bool>());
    const std::string quant = r["quantization"].is_object() ? r["quantization"]["method"].get<std::string>() : "";
    const std::string expected = quant == "fp8" ? "fp8" : quant == "mxfp4" ? "fp4" : "bf16";
    EXPECT_EQ(y["native_precision"].as<std::string>(), expected);
    if (auto total = jnum(r, "total_params_b")) {
      // Kimi-K2: 1026 B counted against the card's "1T" (2.6%); the rest within 1%.
      EXPECT_NEAR(*num(y["params_total_b"]), *total, 0.03 * *total);
      // Cards differ on counting the input embedding (Qwen3-30B-A3B's 3.3 B does: 3.04 B without it).
      EXPECT_NEAR(*num(y["params_active_b"]), *jnum(r, "active_params_b"), 0.1 * *jnum(r, "active_params_b"));
    }
  }
}

// Importing the configs of models already in the catalog reproduces their entries: the
// same ModelSpec, field by field (parameter counts within the tolerances above).
TEST(ImportHf, ReproducesTheCatalogEntries) {
  const auto shipped = catalog::Catalog::load({analysis::default_catalog_dir()});
  const TempDir tmp("import-hf");
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.fixture);
    const auto imp = import_fixture(c.fixture, c.catalog_id);
    fs::create_directories(tmp.path() / "models");
    const fs::path file = tmp.path() / "models" / (c.catalog_id + ".yaml");
    std::ofstream(file) << imp.yaml;
    const auto cat = catalog::Catalog::load_files({file.string()});
    const ModelSpec a = model_spec(cat, cat.params(), c.catalog_id);
    const ModelSpec b = model_spec(shipped, shipped.params(), c.catalog_id);
    EXPECT_EQ(a.layers, b.layers);
    EXPECT_EQ(a.hidden, b.hidden);
    EXPECT_EQ(a.vocab, b.vocab);
    EXPECT_EQ(a.tie_embeddings, b.tie_embeddings);
    EXPECT_EQ(a.native_format, b.native_format);
    EXPECT_EQ(a.attention, b.attention);
    EXPECT_EQ(a.heads, b.heads);
    EXPECT_EQ(a.kv_heads, b.kv_heads);
    EXPECT_EQ(a.head_dim, b.head_dim);
    EXPECT_EQ(a.q_lora_rank, b.q_lora_rank);
    EXPECT_EQ(a.kv_lora_rank, b.kv_lora_rank);
    EXPECT_EQ(a.qk_nope_dim, b.qk_nope_dim);
    EXPECT_EQ(a.qk_rope_dim, b.qk_rope_dim);
    EXPECT_EQ(a.v_head_dim, b.v_head_dim);
    EXPECT_EQ(a.sliding_window, b.sliding_window);
    EXPECT_EQ(a.sliding_layers, b.sliding_layers);
    EXPECT_EQ(a.ffn, b.ffn);
    EXPECT_EQ(a.intermediate, b.intermediate);
    EXPECT_EQ(a.experts, b.experts);
    EXPECT_EQ(a.experts_per_token, b.experts_per_token);
    EXPECT_EQ(a.shared_experts, b.shared_experts);
    EXPECT_EQ(a.expert_intermediate, b.expert_intermediate);
    EXPECT_EQ(a.shared_intermediate, b.shared_intermediate);
    EXPECT_EQ(a.dense_layers, b.dense_layers);
    EXPECT_EQ(a.mtp_layers, b.mtp_layers);
    if (b.params_total > 0) {
      EXPECT_NEAR(a.params_total, b.params_total, 0.03 * b.params_total);
      EXPECT_NEAR(a.params_active, b.params_active, 0.1 * b.params_active);
    }
  }
}

TEST(ImportHf, ProvenanceNamesTheFileItsHashAndEachField) {
  const auto imp = import_fixture("Qwen--Qwen3-8B.json");
  EXPECT_EQ(imp.id, "qwen3-8b");
  EXPECT_EQ(imp.sha256, "f7c4eadfbbf522470667b797a3c89be2524832d2d599797248dc304fff447c30");  // sha256sum of the fixture
  const YAML::Node y = YAML::Load(imp.yaml);
  EXPECT_EQ(y["aliases"][0].as<std::string>(), "Qwen/Qwen3-8B");
  EXPECT_NE(y["source"].as<std::string>().find("Qwen--Qwen3-8B.json (sha256 " + imp.sha256 + ")"), std::string::npos);
  EXPECT_EQ(y["as_of"].as<std::string>(), "2026-12-07");
  EXPECT_EQ(y["layers"]["source"].as<std::string>(), "config.json num_hidden_layers");
  EXPECT_FALSE(y["layers"]["note"]);
  EXPECT_EQ(y["attention"]["kv_heads"]["source"].as<std::string>(), "config.json num_key_value_heads");
  // Derived values say so: parameter counts, dense_layers of a dense model.
  EXPECT_EQ(y["params_total_b"]["confidence"].as<std::string>(), "medium");
  EXPECT_EQ(y["params_total_b"]["note"].as<std::string>().rfind("derived: ", 0), 0u);
  EXPECT_EQ(y["ffn"]["dense_layers"]["note"].as<std::string>(), "derived: dense model: every layer");
  const std::vector<std::string> want = {"params_total_b", "params_active_b", "attention.sliding_layers", "ffn.dense_layers",
                                         "mtp_layers"};
  EXPECT_EQ(imp.derived, want);
  // 36 layers x (attention 2 x 4096 x (32 + 8) x 128 + FFN 3 x 4096 x 12288) + 2 x 151936 x 4096 = 8.19 B.
  EXPECT_DOUBLE_EQ(y["params_total_b"]["value"].as<double>(), 8.19);
  // Same bytes for the same input.
  EXPECT_EQ(import_fixture("Qwen--Qwen3-8B.json").yaml, imp.yaml);
}

TEST(ImportHf, SlidingWindowsAndGemmaRules) {
  // gpt-oss: layer_types lists 18 sliding layers of 128 tokens.
  auto y = YAML::Load(import_fixture("openai--gpt-oss-120b.json").yaml);
  EXPECT_EQ(num(y["attention"]["sliding_window"]), 128);
  EXPECT_EQ(num(y["attention"]["sliding_layers"]), 18);
  // Gemma 3 without layer_types: every 6th layer global (sliding_window_pattern 6); 62 layers -> 52 sliding.
  const std::string gemma3 = R"({"model_type": "gemma3_text", "num_hidden_layers": 62, "hidden_size": 5376, "vocab_size": 262208,
    "num_attention_heads": 32, "num_key_value_heads": 16, "head_dim": 128, "intermediate_size": 21504,
    "sliding_window": 1024, "sliding_window_pattern": 6, "torch_dtype": "bfloat16"})";
  y = YAML::Load(catalog::import_hf_config(gemma3, {"gemma3.json", "", "2026-12-07"}).yaml);
  EXPECT_EQ(num(y["attention"]["sliding_layers"]), 52);
  EXPECT_EQ(num(y["attention"]["sliding_window"]), 1024);
  EXPECT_TRUE(y["tie_embeddings"].as<bool>());  // Gemma ties its embeddings by default
}

TEST(ImportHf, WhatItDoesNotUnderstandIsAnErrorNamingIt) {
  const std::string qwen = slurp(fixtures() / "Qwen--Qwen3-8B.json");
  auto error_of = [](const std::string& text) -> std::string {
    try {
      (void)catalog::import_hf_config(text, {"x.json", "x", "2026-12-07"});
    } catch (const UserError& e) {
      return e.what();
    }
    return "no error";
  };
  // An unknown field: named, with its line, never silently dropped.
  std::string t = qwen;
  t.replace(t.find("\"attention_bias\""), 16, "\"attention_sinks\"");
  EXPECT_EQ(error_of(t).rfind("x.json:5: attention_sinks: expected a config.json field gpugap understands for model_type 'qwen3'", 0), 0u)
      << error_of(t);
  // An unknown architecture, with the nearest known one.
  t = qwen;
  t.replace(t.find("\"qwen3\""), 7, "\"qwen33\"");
  EXPECT_NE(error_of(t).find("model_type: expected a model_type gpugap imports"), std::string::npos) << error_of(t);
  EXPECT_NE(error_of(t).find("did you mean 'qwen3'"), std::string::npos) << error_of(t);
  // A field of the wrong type; a rule gpugap does not model; a multimodal wrapper; not JSON.
  t = qwen;
  t.replace(t.find("\"num_hidden_layers\": 36"), 23, "\"num_hidden_layers\": \"36\"");
  EXPECT_NE(error_of(t).find("num_hidden_layers: expected a whole number >= 0, found \"36\""), std::string::npos) << error_of(t);
  t = qwen;
  t.replace(t.find("\"use_sliding_window\": false"), 27, "\"use_sliding_window\": true");
  t.replace(t.find("\"sliding_window\": null"), 22, "\"sliding_window\": 4096");
  EXPECT_NE(error_of(t).find("use_sliding_window: expected false"), std::string::npos) << error_of(t);
  EXPECT_NE(error_of(R"({"architectures": ["Gemma3ForConditionalGeneration"], "text_config": {}})").find("text_config"),
            std::string::npos);
  EXPECT_NE(error_of("{not json").find("x.json: expected a JSON object"), std::string::npos);
}

TEST(ImportHf, CliWritesAnEntryTheCatalogAcceptsAndPerfRuns) {
  const TempDir tmp("import-hf-cli");
  fs::create_directories(tmp.path() / "models");
  const std::string out = (tmp.path() / "models" / "qwen3-8b.yaml").string();
  const std::string fixture = (fixtures() / "Qwen--Qwen3-8B.json").string();
  auto r = run_cli("catalog import-hf '" + fixture + "' --date 2026-12-07 -o '" + out + "'");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("wrote"), std::string::npos);
  const std::string written = slurp(out);
  EXPECT_EQ(written, import_fixture("Qwen--Qwen3-8B.json").yaml);
  r = run_cli("catalog validate '" + out + "'");
  EXPECT_EQ(r.rc, 0) << r.err;
  r = run_cli("--catalog '" + tmp.path().string() + "' catalog validate");
  EXPECT_EQ(r.rc, 0) << r.err;
  r = run_cli("--catalog '" + tmp.path().string() + "' perf --chip nvidia-h20 --model Qwen/Qwen3-8B --format json");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.json()["model"], "qwen3-8b");
  EXPECT_GT(r.json()["output_tps_per_chip"].get<double>(), 0);
  // stdout without -o; exit 2 naming the field for a bad config, and no file written.
  r = run_cli("catalog import-hf '" + fixture + "' --date 2026-12-07");
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, written);
  std::ofstream(tmp.path() / "bad.json") << "{\"frobnicate\": 1," << slurp(fixture).substr(1);
  const std::string bad_out = (tmp.path() / "bad.yaml").string();
  r = run_cli("catalog import-hf '" + (tmp.path() / "bad.json").string() + "' --id bad -o '" + bad_out + "'");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("frobnicate"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(bad_out));
  r = run_cli("catalog import-hf '" + (tmp.path() / "missing.json").string() + "'");
  EXPECT_EQ(r.rc, 2);
}
