#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "report/report.hpp"

namespace gpugap::report {
namespace {

constexpr int kMaxDecimals = 6;

// Inserts thousands separators into the integer part of a plain decimal.
std::string group_thousands(const std::string& s) {
  const std::size_t start = (!s.empty() && s[0] == '-') ? 1 : 0;
  std::size_t end = s.find('.');
  if (end == std::string::npos) end = s.size();
  std::string out = s.substr(0, start);
  const std::string digits = s.substr(start, end - start);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out + s.substr(end);
}

}  // namespace

std::string format_number(double v, const NumberFormat& f) {
  if (!std::isfinite(v)) return "n/a";
  if (f.integer_year) return fmt::format("{:.0f}", v);
  if (f.general) return fmt::format("{:.6g}", v);
  const int d = std::clamp(f.decimals, 0, kMaxDecimals);
  std::string s = fmt::format("{:.{}f}", f.percent ? v * 100.0 : v, d);
  // "-0.0" reads as a sign error; show it as "0.0".
  if (s.starts_with("-") && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  if (f.percent) return s + "%";
  return f.thousands ? group_thousands(s) : s;
}

std::string excel_format(const NumberFormat& f) {
  if (f.integer_year) return "0";
  if (f.general) return "General";
  const int d = std::clamp(f.decimals, 0, kMaxDecimals);
  std::string s = f.thousands && !f.percent ? "#,##0" : "0";
  if (d > 0) s += "." + std::string(static_cast<std::size_t>(d), '0');
  if (f.percent) s += "%";
  return s;
}

std::string Cell::display() const {
  switch (kind) {
    case Kind::kEmpty: return "";
    case Kind::kText: return text;
    case Kind::kNumber: return format_number(number, format);
  }
  return "";
}

}  // namespace gpugap::report
