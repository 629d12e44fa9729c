// A Hugging Face config.json -> a catalog model entry (YAML), with provenance:
// the file's name and SHA-256, the config field each value came from, and the
// values that are derived (parameter counts, head_dim = hidden / heads, ...)
// marked as derived with their arithmetic. An architecture or a field it does not
// understand is a UserError naming it, never a silent guess.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gpugap::catalog {

struct HfImportOptions {
  std::string file;   // the config.json as named by the user (messages, provenance)
  std::string id;     // catalog id; empty: from the file name ("Qwen--Qwen3-8B.json" -> qwen3-8b)
  std::string as_of;  // the entry's as_of (the import date, YYYY-MM-DD)
};

struct HfImport {
  std::string id;
  std::string model_type;
  std::string sha256;
  std::string yaml;                  // the entry, ready for catalog/models/<id>.yaml
  std::vector<std::string> derived;  // catalog keys whose value is derived, not read
};

// The model types understood (Llama, Mistral, Qwen2/3 dense and MoE, DeepSeek-V3/R1/V3.2,
// Kimi-K2, GLM-4.5/5, MiniMax-M2, gpt-oss, Mixtral, Gemma 2/3).
const std::vector<std::string>& hf_model_types();

HfImport import_hf_config(std::string_view json_text, const HfImportOptions& opt);

}  // namespace gpugap::catalog
