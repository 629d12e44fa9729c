// libFuzzer target: one catalog entry of any kind from YAML text, through the
// same loader and typed-spec checks as `gpugap catalog validate FILE`.
// Input: byte 0 picks the kind (index into catalog::kinds()), the rest is the
// YAML text. Any exception other than UserError/InsufficientData is a bug
// (the CLI would exit 70), so it escapes and libFuzzer reports it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "catalog/catalog.hpp"
#include "catalog/schema.hpp"
#include "catalog/specs.hpp"
#include "core/error.hpp"

namespace {

// The loader requires id == file stem; take the stem from the first `id:` line
// so that mutations of the shipped entries get past that check.
std::string id_guess(const std::string& text) {
  std::size_t at = text.rfind("id:", 0) == 0 ? 0 : text.find("\nid:");
  if (at == std::string::npos) return "fuzz";
  at = text.find(':', at) + 1;
  const std::size_t end = text.find('\n', at);
  std::string id = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
  while (!id.empty() && (id.front() == ' ' || id.front() == '"' || id.front() == '\'')) id.erase(0, 1);
  while (!id.empty() && (id.back() == ' ' || id.back() == '"' || id.back() == '\'' || id.back() == '\r'))
    id.pop_back();
  if (id.empty() || id.size() > 100 || id.find('/') != std::string::npos) return "fuzz";
  return id;
}

void typed_specs(const gpugap::catalog::Catalog& cat, const std::string& kind, const std::string& id) {
  using namespace gpugap;
  if (kind == "chips") (void)chip_spec(cat, cat.params(), id);
  else if (kind == "models") (void)model_spec(cat, cat.params(), id);
  else if (kind == "workloads") (void)workload_spec(cat, cat.params(), id);
  else if (kind == "systems") (void)system_spec(cat, cat.params(), id);
  else if (kind == "regions") (void)region_spec(cat, cat.params(), id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& kinds = gpugap::catalog::kinds();
  const std::string& kind = kinds[data[0] % kinds.size()];
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string id = id_guess(text);
  try {
    const auto cat = gpugap::catalog::Catalog::load_text(text, "/fuzz/" + kind + "/" + id + ".yaml", kind);
    typed_specs(cat, kind, id);
  } catch (const gpugap::UserError&) {
  } catch (const gpugap::InsufficientData&) {
  }
  return 0;
}
