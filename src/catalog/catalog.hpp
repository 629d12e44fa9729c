// The catalog: YAML entries (chips, systems, models, workloads, regions,
// vendors, scenarios) loaded from one or more folders, validated against the
// schema, with every numeric value turned into a parameter with a path.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/params.hpp"

namespace gpugap::perf {
class KernelTables;  // perf/kernels.hpp
}  // namespace gpugap::perf

namespace gpugap::catalog {

struct Entry {
  std::string kind;
  std::string id;
  std::vector<std::string> files;                       // shipped first, then overlays
  std::map<std::string, std::string> strings;          // key path -> text
  std::map<std::string, std::vector<std::string>> lists;
  std::map<std::string, bool> flags;
  std::map<std::string, YAML::Node> raw;               // free-form subtrees (facts, scenario params)
  std::map<std::string, int> raw_lines;                // line of each raw subtree
  std::vector<std::string> aliases;
  std::map<std::string, Location> where;                // key path -> file, line of the key

  [[nodiscard]] std::string str(const std::string& key, const std::string& fallback = "") const;
  // Where a key was given (for error messages); file only when unknown.
  [[nodiscard]] Location at(const std::string& key) const;
  [[nodiscard]] const std::string& file() const { return files.back(); }
};

// What the perf-family engines evaluate chips on besides the catalog's values
// (perf/serving.hpp): the serving backend asked for ("" = each chip's default, the
// backend with the most evidence) and the measured kernel tables (null: none).
// Set once where the context is made, read by every engine through the catalog.
struct Serving {
  std::string backend;
  std::shared_ptr<const perf::KernelTables> kernels;
  // Who asked for `backend`, as outputs record it: "--stack-backend" (""), "--set stack_backend",
  // "scenario ID (FILE:LINE)".
  std::string origin;
};

class Catalog {
 public:
  // dirs[0] is the shipped catalog; later folders add or override entries.
  static Catalog load(const std::vector<std::string>& dirs);
  // Validates single files (catalog validate PATH...): kind from the parent folder.
  static Catalog load_files(const std::vector<std::string>& files);
  // One file of a given kind, wherever it lives (a scenario file given by path).
  static Catalog load_files_as(const std::string& file, const std::string& kind);
  // One entry from YAML text, as if read from `file` (fuzzing, tests): same
  // checks as a file on disk, no file system access.
  static Catalog load_text(const std::string& text, const std::string& file, const std::string& kind);

  [[nodiscard]] std::string resolve(std::string_view kind, std::string_view id_or_alias) const;
  [[nodiscard]] std::optional<std::string> try_resolve(std::string_view kind, std::string_view id_or_alias) const;
  [[nodiscard]] const Entry& entry(std::string_view kind, std::string_view id_or_alias) const;
  [[nodiscard]] const Entry* find(std::string_view kind, std::string_view id) const;
  [[nodiscard]] std::vector<std::string> ids(std::string_view kind) const;
  [[nodiscard]] const ParamTable& params() const { return params_; }
  [[nodiscard]] std::size_t file_count() const { return file_count_; }
  // SHA-256 over the files load() read, in load order: each "kind/name SHA-256-of-its-bytes"
  // line (names, not paths, so two checkouts of one catalog agree). Empty for load_files.
  [[nodiscard]] std::string fingerprint() const;
  // The one definition of "domestic": a vendor whose catalog `country` is
  // China (catalog/vendors/<id>.yaml). An unknown vendor is not domestic.
  [[nodiscard]] std::string vendor_country(std::string_view vendor) const;
  [[nodiscard]] bool domestic_vendor(std::string_view vendor) const { return vendor_country(vendor) == kDomesticCountry; }
  static constexpr std::string_view kDomesticCountry = "cn";
  [[nodiscard]] const Serving& serving() const { return serving_; }
  void set_serving(Serving s) { serving_ = std::move(s); }

 private:
  void load_file(const std::string& path, const std::string& kind);
  void load_root(const YAML::Node& root, const std::string& path, const std::string& kind);
  void check_references() const;

  std::map<std::string, std::map<std::string, Entry>, std::less<>> entries_;
  std::map<std::string, std::map<std::string, std::string>, std::less<>> alias_;  // kind -> alias -> id
  ParamTable params_;
  std::size_t file_count_ = 0;
  std::string fingerprint_lines_;
  Serving serving_;
};

// Reads a YAML file with bounded size, turning parser errors into UserErrors.
YAML::Node read_yaml(const std::string& path);
// Parses YAML text read from `path` (size and NUL checks, parser errors as UserErrors).
YAML::Node parse_yaml(const std::string& text, const std::string& path);

// Parses a sourced value node ({value, source, ...} or a bare scalar or null)
// into a Param. `inherited` supplies entry-level provenance.
Param parse_sourced(const YAML::Node& node, const std::string& path, Dim dim, bool positive,
                    const std::string& file, const Provenance& inherited, std::string unit_label = {});

Confidence parse_confidence(const YAML::Node& n, const Location& where);

}  // namespace gpugap::catalog
