// A scenario = catalog snapshot + assumptions (scenario file, with `extends:`)
// + overrides (--set). It compiles to one flat ParamTable that every engine
// reads. Scenario parameters must be declared by an engine (the registry passes
// the declarations in).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "core/params.hpp"

namespace gpugap::analysis {

inline constexpr int kFirstYear = 2024;
inline constexpr int kLastYear = 2030;

// A scenario parameter an engine reads. '*' in the pattern matches one path
// component (a vendor, a node); yearly parameters get a `.<year>` suffix per
// year kFirstYear..kLastYear, interpolated between the years a scenario gives.
struct ParamDecl {
  std::string pattern;
  Dim dim = Dim::kNumber;
  std::string unit;         // display unit, e.g. "USD bn", "wafers/month"
  std::string description;
  bool yearly = false;
  bool geometric = false;   // interpolate growth series geometrically
  double lo = -1e300;       // allowed range
  double hi = 1e300;
  // Named values (e.g. yield models): the scenario or --set may give a name,
  // stored as its index in this list. Empty: a plain number.
  std::vector<std::string> choices = {};
};

// The declaration matching a parameter path (without its year), or null.
const ParamDecl* find_decl(std::span<const ParamDecl> decls, std::string_view path_without_year);

struct Published {
  std::string metric;  // metric path it compares with
  double value = 0;
  std::string unit;
  Provenance prov;
};

struct Scenario {
  std::string id;
  std::string name;
  std::string description;
  std::vector<std::string> chain;   // ms-2025-bull -> ms-2025
  std::vector<std::string> files;
  std::vector<Published> published;
  YAML::Node uncertainty;           // merged, child wins
  YAML::Node correlations;
  YAML::Node dirichlet;
  // The file each uncertainty key, and the correlations and dirichlet blocks,
  // came from (for file:line in error messages).
  std::map<std::string, std::string> uncertainty_files;
  std::string correlations_file;
  std::string dirichlet_file;
  // stack_backend: the serving backend asked for (child wins; "" = each chip's default) and where.
  std::string stack_backend;
  Location stack_backend_at;
};

struct Context {
  std::shared_ptr<const catalog::Catalog> catalog;
  ParamTable params;
  Scenario scenario;
  std::vector<std::string> overrides;  // as given, "PATH=VALUE"
  int threads = 0;
  bool quiet = false;
};

// Loads the catalog folders and the scenario (catalog id or a .yaml file),
// compiles the parameter table and applies the overrides. `decls` are the
// engines' declarations (the registry's; the 3-argument form in
// analysis/engines.hpp passes them).
// `prepare`, when given, completes the catalog before it is shared (studies::make_context sets
// its serving setup: the kernel tables, perf/serving.hpp).
Context make_context(std::span<const ParamDecl> decls, const std::vector<std::string>& catalog_dirs,
                     const std::string& scenario, const std::vector<std::string>& overrides,
                     const std::function<void(catalog::Catalog&)>& prepare = {});

// Applies "PATH=VALUE" overrides to a loaded context, in order, as make_context does with
// its own (the what-if page applies the page's overrides to a copy of one loaded context).
void apply_overrides(std::span<const ParamDecl> decls, Context& ctx, const std::vector<std::string>& overrides);

// Shipped catalog folder (source tree, or next to the binary when installed).
std::string default_catalog_dir();

bool matches_pattern(std::string_view pattern, std::string_view path);

// For a parameter declared with `choices`: a name becomes its index (as text);
// anything else is returned unchanged. Unknown names: UserError with a suggestion.
std::string resolve_choice(const ParamDecl& d, const std::string& text, const Location& where);

}  // namespace gpugap::analysis
