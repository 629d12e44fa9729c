// libFuzzer target: the `--set PATH=VALUE` parser, as make_context applies
// it (split_assignment, named choices, ParamTable::set_from_text), against the
// parameter table of the shipped catalog and default scenario.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "analysis/scenario.hpp"
#include "catalog/catalog.hpp"
#include "core/error.hpp"
#include "core/params.hpp"
#include "studies/engines.hpp"

namespace {

gpugap::ParamTable base_table() {
  using namespace gpugap;
  const std::vector<std::string> dirs{analysis::default_catalog_dir()};
  try {
    return studies::make_context(dirs, "ms-2025", {}).params;
  } catch (const std::exception&) {
    // No default scenario yet: the catalog's own parameters.
    return catalog::Catalog::load(dirs).params();
  }
}

gpugap::ParamTable& table() {
  static gpugap::ParamTable t = base_table();
  return t;
}

}  // namespace

// Load the catalog before fuzzing starts: done lazily in the first input it
// counted against -timeout (seconds under ASan) and was reported as a hang.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  (void)table();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gpugap;
  const std::string text(reinterpret_cast<const char*>(data), size);
  ParamTable& t = table();
  try {
    auto [path, value] = split_assignment(text);
    if (const auto* d = studies::find_decl(path)) value = analysis::resolve_choice(*d, value, Location{"--set", 0, path});
    const auto i = t.find(path);
    if (!i) {
      (void)t.require(path);  // must throw a UserError with a suggestion
      std::abort();
    }
    const Param saved = t.at(*i);  // restore afterwards: each input starts from the same table
    try {
      t.set_from_text(path, value);
    } catch (...) {
      t.put(saved);
      throw;
    }
    const Param& p = t.at(*i);
    if (!std::isfinite(p.value) || p.is_null || !p.overridden) std::abort();
    t.put(saved);
  } catch (const UserError&) {
  }
  return 0;
}
