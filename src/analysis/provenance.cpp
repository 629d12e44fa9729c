// Provenance stamp: see provenance.hpp.
#include "analysis/provenance.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "catalog/catalog.hpp"
#include "core/sha256.hpp"
#include "core/source_dir.hpp"

namespace gpugap::analysis {

nlohmann::json provenance_stamp(const Context& ctx) {
  nlohmann::json j;
  j["gpugap"] = {{"version", core::build_version()}, {"commit", core::build_commit()}};
  j["catalog"] = {{"sha256", ctx.catalog ? ctx.catalog->fingerprint() : ""},
                  {"files", ctx.catalog ? ctx.catalog->file_count() : 0}};
  j["scenario"] = ctx.scenario.id;
  j["overrides"] = ctx.overrides;
  return j;
}

nlohmann::json file_hashes(const std::vector<std::string>& files) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    out.push_back({{"file", std::filesystem::path(f).filename().string()}, {"sha256", sha256_hex(bytes.str())}});
  }
  return out;
}

std::vector<std::string> provenance_lines(const nlohmann::json& s) {
  std::vector<std::string> out;
  out.push_back(fmt::format("gpugap {} (commit {})", s["gpugap"].value("version", ""), s["gpugap"].value("commit", "")));
  out.push_back(fmt::format("catalog sha256 {} ({} files)", s["catalog"].value("sha256", ""), s["catalog"].value("files", 0)));
  std::string overrides = "none";
  if (s.contains("overrides") && !s["overrides"].empty()) {
    overrides.clear();
    for (const auto& o : s["overrides"]) overrides += (overrides.empty() ? "" : "  ") + o.get<std::string>();
  }
  out.push_back(fmt::format("scenario {}; overrides: {}", s.value("scenario", ""), overrides));
  if (s.contains("seed")) out.push_back(fmt::format("seed {}; Monte Carlo samples {}", s["seed"].dump(), s.value("samples", 0)));
  if (s.contains("measurements"))
    for (const auto& m : s["measurements"])
      out.push_back(fmt::format("measurements {} sha256 {}", m.value("file", ""), m.value("sha256", "")));
  return out;
}

}  // namespace gpugap::analysis
