#include "core/params.hpp"

#include <fmt/format.h>

#include "core/suggest.hpp"

namespace gpugap {

std::string_view confidence_name(Confidence c) {
  switch (c) {
    case Confidence::kHigh: return "high";
    case Confidence::kMedium: return "medium";
    case Confidence::kLow: return "low";
    case Confidence::kUnknown: return "";
  }
  return "";
}

ParamIndex ParamTable::put(Param p) {
  if (auto it = index_.find(p.path); it != index_.end()) {
    params_[it->second] = std::move(p);
    return it->second;
  }
  const ParamIndex i = params_.size();
  index_.emplace(p.path, i);
  params_.push_back(std::move(p));
  return i;
}

std::optional<ParamIndex> ParamTable::find(std::string_view path) const {
  if (auto it = index_.find(std::string(path)); it != index_.end()) return it->second;
  return std::nullopt;
}

std::vector<std::string> ParamTable::paths() const {
  std::vector<std::string> out;
  out.reserve(params_.size());
  for (const auto& p : params_) out.push_back(p.path);
  return out;
}

ParamIndex ParamTable::require(std::string_view path, std::string_view context) const {
  if (auto i = find(path)) return *i;
  throw UserError(Location{"", 0, std::string(path)}, fmt::format("a known {} path", context), "unknown path",
                  suggest(path, paths()));
}

double ParamTable::value(ParamIndex i) const {
  const Param& p = params_[i];
  if (p.is_null) throw InsufficientData(p.path);
  return p.value;
}

std::optional<double> ParamTable::maybe(std::string_view path) const {
  auto i = find(path);
  if (!i || params_[*i].is_null) return std::nullopt;
  return params_[*i].value;
}

void ParamTable::set_from_text(std::string_view path, std::string_view text) {
  const auto found = find(path);
  if (!found)
    throw UserError(Location{"--set", 0, std::string(path)}, "a known parameter path", "unknown path",
                    suggest(path, paths()));
  Param& p = params_[*found];
  auto r = parse_quantity(text, p.dim);
  if (!r.value) throw UserError(Location{"--set", 0, std::string(path)}, r.error.substr(9), "", "");
  if (p.dim == Dim::kMoney || p.dim == Dim::kEnergyPrice) {
    if (r.value->currency != p.currency && p.currency != Currency::kNone)
      throw UserError(Location{"--set", 0, std::string(path)},
                      fmt::format("a value in {}", p.currency == Currency::kRmb ? "RMB" : "USD"),
                      std::string(text));
    p.currency = r.value->currency;
  }
  const bool positive = p.positive || p.dim == Dim::kCompute || p.dim == Dim::kBandwidth || p.dim == Dim::kBytes ||
                        p.dim == Dim::kMoney || p.dim == Dim::kPower || p.dim == Dim::kEnergyPrice;
  if (positive && r.value->value <= 0)
    throw UserError(Location{"--set", 0, std::string(path)}, "a positive value", std::string(text));
  p.value = r.value->value;
  p.is_null = false;
  p.overridden = true;
  p.prov = Provenance{"override --set", "", Confidence::kUnknown, false, "", "", false};
}

std::vector<double> ParamTable::values() const {
  std::vector<double> v;
  v.reserve(params_.size());
  for (const auto& p : params_) v.push_back(p.value);
  return v;
}

void ParamTable::assign(const std::vector<double>& v) {
  for (std::size_t i = 0; i < v.size() && i < params_.size(); ++i) params_[i].value = v[i];
}

std::pair<std::string, std::string> split_assignment(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 >= text.size())
    throw UserError(Location{"--set", 0, std::string(text)}, "PATH=VALUE", std::string(text));
  auto trim = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return std::string(s);
  };
  return {trim(text.substr(0, eq)), trim(text.substr(eq + 1))};
}

}  // namespace gpugap
