// Output helpers: atomic file writes (temp + rename) and simple tables that
// render as aligned text or CSV.
#pragma once

#include <string>
#include <vector>

namespace gpugap {

// Writes `content` to `path` via a temporary file in the same folder and a
// rename, so a reader never sees a partial file and a failure leaves the old one.
void atomic_write(const std::string& path, const std::string& content);

struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> right_align;  // per column; default: numbers right

  [[nodiscard]] std::string text() const;
  [[nodiscard]] std::string csv() const;
};

std::string csv_escape(const std::string& s);
// Fixed, locale-independent number formatting for tables (not JSON).
std::string fmt_num(double v, int significant = 4);

}  // namespace gpugap
