// One self-contained HTML file: the vendored ECharts inlined, no external URL,
// a table of contents, and a self-check script that records in the page
// (document.title and #gpugap-selfcheck) whether every chart drew and whether
// any script error occurred, so a headless browser test can read it back.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/source_dir.hpp"
#include "analysis/provenance.hpp"
#include "report/report.hpp"

namespace fs = std::filesystem;

namespace gpugap::report {
namespace {

constexpr const char* kEchartsRel = "third_party/node_modules/echarts/dist/echarts.min.js";

std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// DOM ids: lower-case letters, digits and '-'.
std::string dom_id(std::string_view s) {
  std::string out;
  for (char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') out += c;
    else if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
    else out += '-';
  }
  return out.empty() ? "x" : out;
}

// JSON inside <script>: "</" would end the script element.
std::string script_safe(std::string s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' && i + 1 < s.size() && s[i + 1] == '/') out += "<\\";
    else out += s[i];
  }
  return out;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr const char* kCss = R"CSS(
:root { --ink:#1c2833; --muted:#5d6d7e; --rule:#d5dbdb; --band:#f4f6f7; --accent:#c0392b; --flag:#fff3cd; }
* { box-sizing: border-box; }
body { margin:0; font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; color:var(--ink); background:#fff; }
header { padding: 24px 32px 12px; border-bottom: 3px solid var(--accent); background: var(--band); }
header h1 { margin: 0 0 4px; font-size: 26px; }
header .meta { color: var(--muted); font-size: 13px; }
.layout { display: flex; align-items: flex-start; }
nav.toc { position: sticky; top: 0; flex: 0 0 260px; max-height: 100vh; overflow-y: auto; padding: 16px 20px; border-right: 1px solid var(--rule); font-size: 14px; }
nav.toc h2 { font-size: 14px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 0 0 8px; }
nav.toc ol { padding-left: 0; margin: 0; list-style: none; }
nav.toc li { margin: 0 0 10px; }
nav.toc a { color: var(--ink); font-weight: 600; text-decoration: none; }
nav.toc a:hover { color: var(--accent); }
nav.toc .tk { display: block; color: var(--muted); font-size: 12px; line-height: 1.35; }
main { flex: 1 1 auto; min-width: 0; padding: 8px 32px 48px; max-width: 1180px; }
section { padding-top: 12px; border-bottom: 1px solid var(--rule); padding-bottom: 20px; }
section h2 { font-size: 22px; margin: 14px 0 4px; }
p.takeaway { font-size: 16px; font-weight: 600; border-left: 4px solid var(--accent); padding: 6px 12px; background: var(--band); margin: 8px 0 16px; }
.chart-box { margin: 18px 0 8px; border: 1px solid var(--rule); border-radius: 6px; padding: 8px 8px 4px; }
.chart { width: 100%; }
.chart-box .caption { font-size: 14px; margin: 4px 6px 6px; }
.chart-box .caption b { color: var(--accent); }
details { margin: 2px 6px 8px; font-size: 13px; }
details summary { cursor: pointer; color: var(--muted); }
table { border-collapse: collapse; margin: 8px 0 14px; font-size: 13px; width: auto; max-width: 100%; }
.table-wrap { overflow-x: auto; }
caption { text-align: left; font-weight: 700; font-size: 14px; padding: 4px 0; }
th, td { border: 1px solid var(--rule); padding: 4px 8px; vertical-align: top; max-width: 340px; overflow-wrap: anywhere; }
th { background: var(--band); text-align: left; }
tbody tr:nth-child(even) td { background: #fbfcfc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.flag, tbody tr:nth-child(even) td.flag { background: var(--flag); }
.tnote { color: var(--muted); font-size: 12px; margin: -8px 0 14px; }
.unavailable { border: 1px dashed #b9770e; background: #fef9e7; padding: 8px 12px; margin: 12px 0; border-radius: 4px; }
.unavailable b { color: #9a7d0a; }
footer { color: var(--muted); font-size: 12px; padding: 16px 32px; }
#gpugap-selfcheck { display: none; }
@media print { nav.toc { display: none; } .layout { display: block; } .chart-box { break-inside: avoid; page-break-inside: avoid; } h2, h3 { break-after: avoid; page-break-after: avoid; } }
@media (max-width: 900px) { .layout { display: block; } nav.toc { position: static; max-height: none; border-right: 0; } main { padding: 8px 16px; } }
)CSS";

// Records script errors before anything else runs (read by the self-check).
constexpr const char* kErrorHook = R"JS(
window.__gpugapErrors = [];
window.addEventListener('error', function (e) { window.__gpugapErrors.push(String(e.message || e)); });
(function () {
  var orig = console.error;
  console.error = function () {
    window.__gpugapErrors.push(Array.prototype.join.call(arguments, ' '));
    return orig.apply(console, arguments);
  };
})();
)JS";

// Draws every chart, then checks each has a canvas with painted pixels.
constexpr const char* kRenderAndCheck = R"JS(
(function () {
  var errors = window.__gpugapErrors;
  var ids = Object.keys(GPUGAP_CHARTS);
  var charts = [];
  var failed = [];
  if (typeof echarts === 'undefined') errors.push('echarts library not loaded');
  ids.forEach(function (id) {
    var el = document.getElementById(id);
    if (!el) { failed.push(id + ': no container'); return; }
    try {
      var chart = echarts.init(el, null, { renderer: 'canvas' });
      chart.setOption(GPUGAP_CHARTS[id]);
      charts.push(chart);
    } catch (e) {
      errors.push(id + ': ' + e.message);
    }
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  var MIN_PAINTED = 200;
  ids.forEach(function (id) {
    var el = document.getElementById(id);
    var cv = el && el.querySelector('canvas');
    if (!cv || cv.width === 0 || cv.height === 0) { failed.push(id + ': no canvas'); return; }
    var px = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
    var painted = 0;
    for (var i = 3; i < px.length; i += 4 * 5) if (px[i] !== 0) painted++;
    if (painted < MIN_PAINTED) failed.push(id + ': blank canvas');
  });
  var ok = failed.length === 0 && errors.length === 0;
  var marker = document.getElementById('gpugap-selfcheck');
  marker.setAttribute('data-status', ok ? 'ok' : 'failed');
  marker.setAttribute('data-charts', String(ids.length));
  marker.setAttribute('data-rendered', String(ids.length - failed.length));
  marker.setAttribute('data-errors', String(errors.length));
  marker.textContent = JSON.stringify({ failed: failed, errors: errors });
  document.title = document.title + ' [selfcheck ' + (ok ? 'ok' : 'failed') + ' charts=' + ids.length +
    ' rendered=' + (ids.length - failed.length) + ' errors=' + errors.length + ']';
})();
)JS";

void render_table(std::string& out, const TableData& t) {
  out += "<div class=\"table-wrap\"><table";
  if (!t.id.empty()) out += " id=\"" + dom_id(t.id) + "\"";
  out += ">";
  if (!t.title.empty()) out += "<caption>" + esc(t.title) + "</caption>";
  out += "<thead><tr>";
  for (const auto& h : t.headers) out += "<th>" + esc(h) + "</th>";
  out += "</tr></thead><tbody>";
  for (const auto& row : t.rows) {
    out += "<tr>";
    for (const auto& c : row) {
      std::string cls;
      if (c.kind == Cell::Kind::kNumber) cls = "num";
      if (c.flag) cls += cls.empty() ? "flag" : " flag";
      out += cls.empty() ? "<td>" : "<td class=\"" + cls + "\">";
      out += esc(c.display());
      out += "</td>";
    }
    out += "</tr>";
  }
  out += "</tbody></table></div>\n";
  if (!t.note.empty()) out += "<p class=\"tnote\">" + esc(t.note) + "</p>\n";
}

}  // namespace

std::string echarts_path() {
  std::vector<fs::path> tried;
  if (const char* env = std::getenv("GPUGAP_ECHARTS"); env && *env) tried.emplace_back(env);
  tried.emplace_back(fs::path(core::source_dir()) / kEchartsRel);
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    tried.push_back(exe.parent_path() / kEchartsRel);
    tried.push_back(exe.parent_path().parent_path() / kEchartsRel);
  }
  for (const auto& p : tried)
    if (fs::is_regular_file(p, ec)) return p.string();
  throw UserError(Location{tried.front().string(), 0, "report"},
                  "the vendored ECharts library (third_party/node_modules/echarts)",
                  "no such file", "run `make report-deps` (npm ci --prefix third_party) or set GPUGAP_ECHARTS");
}

std::string render_html(const Report& r) {
  const std::string lib = read_file(echarts_path());
  std::string out;
  out.reserve(lib.size() + 256 * 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + esc(r.title) + "</title>\n<script>" + std::string(kErrorHook) + "</script>\n";
  out += "<style>" + std::string(kCss) + "</style>\n</head>\n<body>\n";
  out += "<header><h1>" + esc(r.title) + "</h1><div class=\"meta\">Scenario <b>" + esc(r.scenario_id) + "</b>";
  if (!r.scenario_name.empty() && r.scenario_name != r.scenario_id) out += " (" + esc(r.scenario_name) + ")";
  out += r.overrides.empty() ? " &middot; no overrides"
                             : " &middot; overrides: <code>" + esc(fmt::format("{}", fmt::join(r.overrides, "  "))) + "</code>";
  out += " &middot; every figure is computed by gpugap from the sourced assumptions listed in the appendix;"
         " published figures are shown beside computed ones, never as outputs.</div></header>\n";

  out += "<div class=\"layout\">\n<nav class=\"toc\"><h2>Contents</h2><ol>\n";
  for (const auto& s : r.sections)
    out += "<li><a href=\"#" + dom_id(s.id) + "\">" + esc(s.title) + "</a><span class=\"tk\">" + esc(s.takeaway) + "</span></li>\n";
  out += "</ol></nav>\n<main>\n";

  nlohmann::json options = nlohmann::json::object();
  for (const auto& s : r.sections) {
    out += "<section id=\"" + dom_id(s.id) + "\">\n<h2>" + esc(s.title) + "</h2>\n";
    out += "<p class=\"takeaway\">" + esc(s.takeaway) + "</p>\n";
    for (const auto& item : s.items) {
      if (const auto* p = std::get_if<Paragraph>(&item)) {
        out += "<p>" + esc(p->text) + "</p>\n";
      } else if (const auto* t = std::get_if<TableData>(&item)) {
        render_table(out, *t);
      } else if (const auto* c = std::get_if<Chart>(&item)) {
        const std::string id = "chart-" + dom_id(c->id);
        options[id] = c->option;
        out += "<div class=\"chart-box\"><div class=\"chart\" id=\"" + id + "\" style=\"height:" + std::to_string(c->height_px) +
               "px\"></div>\n<p class=\"caption\"><b>Takeaway:</b> " + esc(c->takeaway) + "</p>\n";
        if (!c->data.rows.empty()) {
          out += "<details><summary>Data behind this chart</summary>\n";
          render_table(out, c->data);
          out += "</details>\n";
        }
        out += "</div>\n";
      } else if (const auto* u = std::get_if<Unavailable>(&item)) {
        out += "<div class=\"unavailable\"><b>Not available: " + esc(u->what) + "</b> &mdash; " + esc(u->reason) + "</div>\n";
      }
    }
    out += "</section>\n";
  }
  out += "</main>\n</div>\n<footer>Generated by gpugap from scenario " + esc(r.scenario_id) +
         ". Charts: Apache ECharts (Apache-2.0), inlined. Same inputs give the same file, byte for byte.";
  if (r.provenance.is_object()) {
    out += "<div class=\"provenance\" id=\"provenance\"><b>Provenance</b>";
    for (const auto& line : analysis::provenance_lines(r.provenance)) out += "<br>" + esc(line);
    out += "</div>";
  }
  out += "</footer>\n";
  out += "<div id=\"gpugap-selfcheck\" data-status=\"pending\"></div>\n";
  out += "<script>\n" + lib + "\n</script>\n";
  out += "<script>\nvar GPUGAP_CHARTS = " + script_safe(options.dump()) + ";\n</script>\n";
  out += "<script>" + std::string(kRenderAndCheck) + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace gpugap::report
