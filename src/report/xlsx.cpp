// XLSX export: a Contents sheet, then one sheet per section with the same
// tables (numbers as numbers with number formats, chart data included), the
// last one being the assumptions appendix. Written to a temporary file and
// renamed, so a failure never leaves a partial workbook.
#include <fmt/format.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "core/error.hpp"
#include "analysis/provenance.hpp"
#include "report/report.hpp"

namespace fs = std::filesystem;

namespace gpugap::report {
namespace {

constexpr std::size_t kMaxSheetName = 31;
constexpr double kMinColWidth = 10;
constexpr double kMaxColWidth = 60;
constexpr lxw_color_t kHeaderBg = 0xE8ECEE;
constexpr lxw_color_t kFlagBg = 0xFFF3CD;
constexpr lxw_color_t kAccent = 0xC0392B;
constexpr lxw_color_t kWarn = 0x9A7D0A;
// Fixed document date so the same inputs give the same bytes (overridable
// with SOURCE_DATE_EPOCH, the reproducible-builds convention).
constexpr time_t kFixedCreated = 1735689600;  // 2025-01-01T00:00:00Z

// Excel forbids []:*?/\ in sheet names and limits them to 31 characters.
std::string sheet_name(std::string_view title, std::set<std::string>& used) {
  std::string s;
  for (char c : title) s += std::string_view("[]:*?/\\").find(c) == std::string_view::npos ? c : ' ';
  if (s.size() > kMaxSheetName) s.resize(kMaxSheetName);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\'')) s.pop_back();
  std::string name = s;
  for (int k = 2; used.count(name); ++k) {
    const std::string suffix = fmt::format(" {}", k);
    name = s.substr(0, kMaxSheetName - suffix.size()) + suffix;
  }
  used.insert(name);
  return name;
}

class Writer {
 public:
  explicit Writer(lxw_workbook* wb) : wb_(wb) {
    title_ = workbook_add_format(wb_);
    format_set_bold(title_);
    format_set_font_size(title_, 14);
    format_set_font_color(title_, kAccent);
    bold_ = workbook_add_format(wb_);
    format_set_bold(bold_);
    header_ = workbook_add_format(wb_);
    format_set_bold(header_);
    format_set_bg_color(header_, kHeaderBg);
    format_set_border(header_, LXW_BORDER_THIN);
    format_set_text_wrap(header_);
    warn_ = workbook_add_format(wb_);
    format_set_font_color(warn_, kWarn);
    format_set_italic(warn_);
    italic_ = workbook_add_format(wb_);
    format_set_italic(italic_);
  }

  lxw_format* number_format(const NumberFormat& f, bool flag) {
    const std::string code = excel_format(f);
    auto& slot = numbers_[{code, flag}];
    if (!slot) {
      slot = workbook_add_format(wb_);
      format_set_num_format(slot, code.c_str());
      if (flag) format_set_bg_color(slot, kFlagBg);
    }
    return slot;
  }
  lxw_format* text_format(bool flag) {
    if (!flag) return nullptr;
    if (!flag_text_) {
      flag_text_ = workbook_add_format(wb_);
      format_set_bg_color(flag_text_, kFlagBg);
    }
    return flag_text_;
  }

  void text(lxw_worksheet* ws, lxw_row_t r, lxw_col_t c, const std::string& s, lxw_format* f = nullptr) {
    worksheet_write_string(ws, r, c, s.c_str(), f);
  }

  // Writes a table at row r; returns the next free row. Tracks column widths.
  lxw_row_t table(lxw_worksheet* ws, lxw_row_t r, const TableData& t, std::vector<double>& widths) {
    if (!t.title.empty()) text(ws, r++, 0, t.title, bold_);
    for (std::size_t c = 0; c < t.headers.size(); ++c) {
      text(ws, r, static_cast<lxw_col_t>(c), t.headers[c], header_);
      widen(widths, c, static_cast<double>(std::min<std::size_t>(t.headers[c].size(), 24)));
    }
    ++r;
    for (const auto& row : t.rows) {
      for (std::size_t c = 0; c < row.size(); ++c) {
        const Cell& cell = row[c];
        const auto col = static_cast<lxw_col_t>(c);
        switch (cell.kind) {
          case Cell::Kind::kEmpty: break;
          case Cell::Kind::kText:
            text(ws, r, col, cell.text, text_format(cell.flag));
            widen(widths, c, static_cast<double>(cell.text.size()));
            break;
          case Cell::Kind::kNumber:
            worksheet_write_number(ws, r, col, cell.number, number_format(cell.format, cell.flag));
            widen(widths, c, static_cast<double>(cell.display().size()) + 2);
            break;
        }
      }
      ++r;
    }
    if (!t.note.empty()) text(ws, r++, 0, t.note, italic_);
    return r + 1;
  }

  lxw_format* title() const { return title_; }
  lxw_format* bold() const { return bold_; }
  lxw_format* warn() const { return warn_; }
  lxw_format* italic() const { return italic_; }

  static void widen(std::vector<double>& w, std::size_t c, double n) {
    if (w.size() <= c) w.resize(c + 1, kMinColWidth);
    w[c] = std::max(w[c], std::min(n + 1, kMaxColWidth));
  }

 private:
  lxw_workbook* wb_;
  lxw_format* title_ = nullptr;
  lxw_format* bold_ = nullptr;
  lxw_format* header_ = nullptr;
  lxw_format* warn_ = nullptr;
  lxw_format* italic_ = nullptr;
  lxw_format* flag_text_ = nullptr;
  std::map<std::pair<std::string, bool>, lxw_format*> numbers_;
};

void set_widths(lxw_worksheet* ws, const std::vector<double>& widths) {
  for (std::size_t c = 0; c < widths.size(); ++c)
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), widths[c], nullptr);
}

}  // namespace

void write_xlsx(const Report& r, const std::string& path) {
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw UserError(Location{path, 0, ""}, "a writable output folder", ec.message());
  const fs::path tmp = dir / fmt::format(".{}.tmp.{}", target.filename().string(), ::getpid());

  lxw_workbook* wb = workbook_new(tmp.string().c_str());
  if (!wb) throw UserError(Location{path, 0, ""}, "a writable output file", "cannot create " + tmp.string());

  time_t created = kFixedCreated;
  if (const char* e = std::getenv("SOURCE_DATE_EPOCH"); e && *e) created = static_cast<time_t>(std::strtoll(e, nullptr, 10));
  lxw_doc_properties props{};
  std::string title = r.title;
  std::string subject = "scenario " + r.scenario_id;
  std::string author = "gpugap";
  props.title = title.data();
  props.subject = subject.data();
  props.author = author.data();
  props.created = created;
  workbook_set_properties(wb, &props);

  Writer w(wb);
  std::set<std::string> used{"Contents"};
  std::vector<std::string> names;
  for (const auto& s : r.sections) names.push_back(sheet_name(s.title, used));

  // Contents sheet: what the workbook holds and the takeaway of each sheet.
  lxw_worksheet* toc = workbook_add_worksheet(wb, "Contents");
  w.text(toc, 0, 0, r.title, w.title());
  w.text(toc, 1, 0, "scenario", w.bold());
  w.text(toc, 1, 1, r.scenario_id + (r.scenario_name.empty() ? "" : " (" + r.scenario_name + ")"));
  w.text(toc, 2, 0, "overrides", w.bold());
  w.text(toc, 2, 1, r.overrides.empty() ? "none" : fmt::format("{}", fmt::join(r.overrides, "; ")));
  w.text(toc, 4, 0, "sheet", w.bold());
  w.text(toc, 4, 1, "takeaway", w.bold());
  for (std::size_t i = 0; i < r.sections.size(); ++i) {
    w.text(toc, static_cast<lxw_row_t>(5 + i), 0, names[i]);
    w.text(toc, static_cast<lxw_row_t>(5 + i), 1, r.sections[i].takeaway);
  }
  if (r.provenance.is_object()) {
    auto row = static_cast<lxw_row_t>(6 + r.sections.size());
    w.text(toc, row, 0, "provenance", w.bold());
    for (const auto& line : analysis::provenance_lines(r.provenance)) w.text(toc, row++, 1, line);
  }
  worksheet_set_column(toc, 0, 0, 24, nullptr);
  worksheet_set_column(toc, 1, 1, 120, nullptr);

  for (std::size_t i = 0; i < r.sections.size(); ++i) {
    const Section& s = r.sections[i];
    lxw_worksheet* ws = workbook_add_worksheet(wb, names[i].c_str());
    std::vector<double> widths;
    lxw_row_t row = 0;
    w.text(ws, row++, 0, s.title, w.title());
    w.text(ws, row++, 0, s.takeaway, w.bold());
    ++row;
    for (const auto& item : s.items) {
      if (const auto* p = std::get_if<Paragraph>(&item)) {
        w.text(ws, row++, 0, p->text, w.italic());
        ++row;
      } else if (const auto* t = std::get_if<TableData>(&item)) {
        row = w.table(ws, row, *t, widths);
      } else if (const auto* c = std::get_if<Chart>(&item)) {
        w.text(ws, row++, 0, "Chart: " + c->title, w.bold());
        w.text(ws, row++, 0, "Takeaway: " + c->takeaway, w.italic());
        row = w.table(ws, row, c->data, widths);
      } else if (const auto* u = std::get_if<Unavailable>(&item)) {
        w.text(ws, row++, 0, "Not available: " + u->what + " - " + u->reason, w.warn());
        ++row;
      }
    }
    set_widths(ws, widths);
  }

  const lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) {
    fs::remove(tmp, ec);
    throw UserError(Location{path, 0, ""}, "a writable output file", std::string("xlsx write failed: ") + lxw_strerror(err));
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw UserError(Location{path, 0, ""}, "a writable output file", "rename failed: " + ec.message());
  }
}

}  // namespace gpugap::report
