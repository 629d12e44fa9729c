#include "core/status.hpp"

#include <algorithm>

namespace gpugap {
namespace {
constexpr std::string_view kInsufficient = "insufficient data: ";
const std::string kNone;
}  // namespace

std::string insufficient_data_text(std::string_view path) {
  std::string out(kInsufficient);
  out += path;
  return out;
}

std::optional<std::string> insufficient_data_path(std::string_view text) {
  if (!text.starts_with(kInsufficient)) return std::nullopt;
  return std::string(text.substr(kInsufficient.size()));
}

Missing::Missing(std::string path) { paths_.push_back(std::move(path)); }

Missing::Missing(const InsufficientData& e) : Missing(e.path()) {}

Missing Missing::parse(std::string_view text) {
  if (auto p = insufficient_data_path(text)) return Missing(std::move(*p));
  return {};
}

const std::string& Missing::first() const { return paths_.empty() ? kNone : paths_.front(); }

std::string Missing::text() const { return paths_.empty() ? std::string() : insufficient_data_text(paths_.front()); }

bool Missing::add(const std::string& path) {
  if (std::find(paths_.begin(), paths_.end(), path) != paths_.end()) return false;
  paths_.push_back(path);
  return true;
}

void Missing::raise() const {
  if (!paths_.empty()) throw InsufficientData(paths_.front());
}

}  // namespace gpugap
