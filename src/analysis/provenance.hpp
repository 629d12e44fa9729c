// The provenance stamp every output file carries (report JSON/HTML/XLSX, compare,
// table2): what produced it and from which inputs, so a number can be traced and rerun.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "analysis/scenario.hpp"

namespace gpugap::analysis {

// {"gpugap": {"version", "commit"}, "catalog": {"sha256", "files"}, "scenario",
// "overrides"}; callers add what their run adds ("seed", "samples", "measurements").
nlohmann::json provenance_stamp(const Context& ctx);

// [{"file": NAME, "sha256": HEX}] of input files (names only: the same in any checkout).
nlohmann::json file_hashes(const std::vector<std::string>& files);

// One line per stamp entry ("gpugap 0.1.0 (commit ...)", "catalog sha256 ... (129 files)"...),
// for the HTML footer and the XLSX contents sheet.
std::vector<std::string> provenance_lines(const nlohmann::json& stamp);

}  // namespace gpugap::analysis
