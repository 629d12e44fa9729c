// User errors (bad input: exit 2) and internal errors (bugs: exit 70) are
// different types. Library code throws; only the CLI decides the exit code.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace gpugap {

// Where in an input a problem is: file, line (1-based, 0 = unknown), key path.
struct Location {
  std::string file;
  int line = 0;
  std::string path;
};

class UserError : public std::runtime_error {
 public:
  UserError(Location where, std::string expected, std::string found, std::string suggestion = {});
  explicit UserError(std::string message);
  [[nodiscard]] const Location& where() const { return where_; }

 private:
  Location where_;
};

// A user-input check: throws UserError(where, expected, found) unless `cond`.
inline void require(bool cond, const Location& where, std::string_view expected, std::string_view found = {}) {
  if (!cond) throw UserError(where, std::string(expected), std::string(found));
}

// An engine needs a value the catalog does not have (null). Engines catch it
// and turn it into a result with status "insufficient data: PATH".
class InsufficientData : public std::runtime_error {
 public:
  explicit InsufficientData(std::string path);  // what(): insufficient_data_text(path) (core/status.hpp)
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace gpugap
