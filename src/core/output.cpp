#include "core/output.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"

namespace fs = std::filesystem;

namespace gpugap {

void atomic_write(const std::string& path, const std::string& content) {
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw UserError(Location{path, 0, ""}, "a writable output folder", ec.message());
  const fs::path tmp = dir / fmt::format(".{}.tmp.{}", target.filename().string(), ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw UserError(Location{path, 0, ""}, "a writable output file", "cannot create " + tmp.string());
    out << content;
    out.flush();
    if (!out) {
      out.close();
      fs::remove(tmp, ec);
      throw UserError(Location{path, 0, ""}, "a writable output file", "write failed");
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw UserError(Location{path, 0, ""}, "a writable output file", "rename failed");
  }
}

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string fmt_num(double v, int significant) {
  if (!std::isfinite(v)) return "n/a";
  if (v != 0 && (std::fabs(v) >= 1e7 || std::fabs(v) < 1e-3)) return fmt::format("{:.{}e}", v, significant - 1);
  std::string s = fmt::format("{:.{}g}", v, std::max(significant, static_cast<int>(std::log10(std::fabs(v) + 1)) + 1));
  return s;
}

namespace {
bool looks_numeric(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end && (*end == '\0' || *end == '%' || *end == 'x');
}
}  // namespace

std::string Table::text() const {
  std::vector<std::size_t> w(headers.size(), 0);
  for (std::size_t c = 0; c < headers.size(); ++c) w[c] = headers[c].size();
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size() && c < w.size(); ++c) w[c] = std::max(w[c], r[c].size());
  std::string out;
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    for (std::size_t c = 0; c < w.size(); ++c) {
      const std::string cell = c < cells.size() ? cells[c] : "";
      const bool right = !header && (c < right_align.size() ? right_align[c] : looks_numeric(cell));
      out += right ? fmt::format("{:>{}}", cell, w[c]) : fmt::format("{:<{}}", cell, w[c]);
      if (c + 1 < w.size()) out += "  ";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  };
  line(headers, true);
  std::string rule;
  for (std::size_t c = 0; c < w.size(); ++c) rule += std::string(w[c], '-') + (c + 1 < w.size() ? "  " : "");
  out += rule + "\n";
  for (const auto& r : rows) line(r, false);
  return out;
}

std::string Table::csv() const {
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t c = 0; c < cells.size(); ++c) out += (c ? "," : "") + csv_escape(cells[c]);
    out += '\n';
  };
  line(headers);
  for (const auto& r : rows) line(r);
  return out;
}

}  // namespace gpugap
