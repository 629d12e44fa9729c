// Every input has a path. A ParamTable is the flat, compiled form of the
// catalog plus a scenario plus overrides: engines resolve the indices they
// need once, then read values by index (no string look-ups in hot loops).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "core/unit_parse.hpp"

namespace gpugap {

enum class Confidence { kUnknown, kLow, kMedium, kHigh };
std::string_view confidence_name(Confidence c);

struct Provenance {
  std::string source;
  std::string as_of;
  Confidence confidence = Confidence::kUnknown;
  bool estimate = false;
  std::string rationale;
  std::string note;
  bool is_default = false;  // filled in by a declared default, not by the input
};

struct Param {
  std::string path;
  double value = 0.0;  // SI per dim; money in `currency`
  bool is_null = false;
  Dim dim = Dim::kNumber;
  Currency currency = Currency::kNone;
  std::string unit;     // display unit for dimensionless params ("USD bn", "wafers/month")
  Provenance prov;
  Location where;
  bool overridden = false;
  bool positive = false;  // the schema requires > 0 (checked again on --set)
};

using ParamIndex = std::size_t;

class ParamTable {
 public:
  // Adds or replaces (an overlay replaces the shipped value at the same path).
  ParamIndex put(Param p);
  [[nodiscard]] std::optional<ParamIndex> find(std::string_view path) const;
  // Unknown path -> UserError with a "did you mean".
  [[nodiscard]] ParamIndex require(std::string_view path, std::string_view context = "parameter") const;
  [[nodiscard]] const Param& at(ParamIndex i) const { return params_[i]; }
  [[nodiscard]] const Param& at(std::string_view path) const { return params_[require(path)]; }
  [[nodiscard]] std::size_t size() const { return params_.size(); }
  [[nodiscard]] const std::vector<Param>& all() const { return params_; }
  [[nodiscard]] std::vector<std::string> paths() const;

  // Value or InsufficientData(path) when null.
  [[nodiscard]] double value(ParamIndex i) const;
  [[nodiscard]] double value(std::string_view path) const { return value(require(path)); }
  [[nodiscard]] std::optional<double> maybe(std::string_view path) const;

  // --set PATH=VALUE: parsed with the parameter's own dimension.
  void set_from_text(std::string_view path, std::string_view text);
  void set_value(ParamIndex i, double v) { params_[i].value = v; params_[i].is_null = false; }

  // The values as one flat vector (for Monte Carlo: copy, perturb, evaluate).
  [[nodiscard]] std::vector<double> values() const;
  void assign(const std::vector<double>& v);

 private:
  std::vector<Param> params_;
  std::unordered_map<std::string, ParamIndex> index_;
};

// Splits "a.b.c=v" into path and value; UserError on a malformed override.
std::pair<std::string, std::string> split_assignment(std::string_view text);

}  // namespace gpugap
