// The keys each catalog entry kind may have, declared once. The loader
// rejects anything else with a "did you mean", and help/docs read this table.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/unit_parse.hpp"

namespace gpugap::catalog {

enum class FieldKind {
  kQuantity,    // numeric value with provenance -> a parameter
  kString,      // free text or an enum
  kBool,
  kStringList,
  kAny,         // free-form (lists of facts); validated by the consumer
  kScore,       // {score, rationale, sources, estimate}: a judged score -> a parameter
};

struct Field {
  std::string_view pattern;   // dotted key path; '*' matches one component
  FieldKind kind;
  Dim dim = Dim::kNumber;
  bool positive = false;      // must be > 0 when not null
  bool required = false;
  std::string_view description = {};
};

const std::vector<std::string>& kinds();  // chips, systems, models, ...
const std::vector<Field>& schema_for(std::string_view kind);

// Keys allowed inside a quantity mapping: value, source, as_of, confidence, ...
const std::vector<std::string>& quantity_keys();

}  // namespace gpugap::catalog
