// The golden files (tests/golden/NAME.json) and the commands that make them
// (tests/golden/goldens.tsv). Tests only read goldens: `make goldens`
// (tools/update_goldens.sh) regenerates them, never a test run.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_helpers.hpp"

namespace gpugap::test {

inline std::filesystem::path golden_dir() { return std::filesystem::path(source_dir()) / "tests" / "golden"; }

// NAME -> gpugap arguments, from tests/golden/goldens.tsv.
inline std::map<std::string, std::string> golden_commands() {
  std::map<std::string, std::string> out;
  std::ifstream in(golden_dir() / "goldens.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    out[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return out;
}

// The arguments of golden NAME; a name missing from the manifest fails the calling test.
inline std::string golden_args(const std::string& name) {
  const auto cmds = golden_commands();
  const auto it = cmds.find(name);
  EXPECT_NE(it, cmds.end()) << name << " is not in tests/golden/goldens.tsv";
  return it == cmds.end() ? std::string() : it->second;
}

// The stored golden NAME (null and a test failure when missing: `make goldens` writes it).
inline nlohmann::json read_golden(const std::string& name) {
  const auto file = golden_dir() / (name + ".json");
  std::ifstream in(file);
  EXPECT_TRUE(in.good()) << "missing " << file << " (`make goldens` writes it)";
  if (!in.good()) return nullptr;
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

}  // namespace gpugap::test
