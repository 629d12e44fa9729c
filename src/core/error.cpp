#include "core/error.hpp"

#include <fmt/format.h>

#include "core/status.hpp"

namespace gpugap {
namespace {
std::string format(const Location& w, const std::string& expected, const std::string& found,
                   const std::string& suggestion) {
  std::string where;
  if (!w.file.empty()) where = w.line > 0 ? fmt::format("{}:{}: ", w.file, w.line) : fmt::format("{}: ", w.file);
  if (!w.path.empty()) where = fmt::format("{}{}: ", where, w.path);
  return fmt::format("{}expected {}{}{}", where, expected, found.empty() ? "" : ", found " + found,
                     suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)");
}
}  // namespace

UserError::UserError(Location where, std::string expected, std::string found, std::string suggestion)
    : std::runtime_error(format(where, expected, found, suggestion)), where_(std::move(where)) {}

UserError::UserError(std::string message) : std::runtime_error(std::move(message)) {}

InsufficientData::InsufficientData(std::string path)
    : std::runtime_error(insufficient_data_text(path)), path_(std::move(path)) {}

}  // namespace gpugap
