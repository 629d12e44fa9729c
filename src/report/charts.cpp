#include "report/charts.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gpugap::report::charts {
namespace {

using nlohmann::json;

constexpr int kTitleTop = 4;
constexpr int kLegendTop = 30;
constexpr int kCategoryNameGap = 6;    // px between a horizontal chart's top bar and its category name
constexpr int kCategoryNameRoom = 18;  // px more above the grid for that name
constexpr double kBandOpacity = 0.18;
constexpr double kInnerBandOpacity = 0.32;

// Percent axes show fractions as percentages (ECharts formatters cannot scale).
double shown(const Axis& a, double v) {
  if (!std::isfinite(v)) return std::numeric_limits<double>::quiet_NaN();
  return a.format.percent ? v * 100.0 : v;
}

json value_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

// Rounds for display inside the chart (labels) without changing the data table.
json rounded(const Axis& a, double v) {
  if (!std::isfinite(v)) return nullptr;
  const double s = shown(a, v);
  const double m = std::pow(10.0, std::max(0, a.format.decimals + (a.format.percent ? 0 : 1)));
  return std::round(s * m) / m;
}

json axis_json(const Axis& a, const char* type) {
  json j = {{"type", a.log ? "log" : type}, {"name", a.name}, {"nameLocation", "middle"}, {"nameGap", 34},
            {"nameTextStyle", {{"fontWeight", "bold"}}}};
  if (a.format.percent) j["axisLabel"] = {{"formatter", "{value}%"}};
  if (a.format.integer_year) j["axisLabel"] = {{"formatter", "{value}"}};
  if (std::string(type) == "value") j["scale"] = false;
  return j;
}

json base_option(const std::string& title, bool legend) {
  json o = {{"animation", false},
            {"title", {{"text", title}, {"left", "center"}, {"top", kTitleTop}, {"textStyle", {{"fontSize", 15}}}}},
            {"tooltip", {{"trigger", "axis"}}},
            {"grid", {{"left", 24}, {"right", 32}, {"top", legend ? 72 : 48}, {"bottom", 44}, {"containLabel", true}}}};
  if (legend) o["legend"] = {{"top", kLegendTop}, {"type", "scroll"}};
  return o;
}

Cell num_cell(double v, const NumberFormat& f) { return Cell::num(v, f); }

TableData data_table(const std::string& id, const std::string& what) {
  TableData t;
  t.id = id + "-data";
  t.title = "Data: " + what;
  return t;
}

}  // namespace

Chart bar(std::string id, std::string title, std::string takeaway, const Axis& x, const Axis& y,
          const std::vector<std::string>& categories, const std::vector<Series>& series, bool horizontal,
          const std::vector<std::string>& point_colors) {
  Chart c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.takeaway = std::move(takeaway);
  json o = base_option(c.title, series.size() > 1);
  const Axis& cat_axis = x;
  const Axis& val_axis = y;
  json cat = axis_json(cat_axis, "category");
  cat["data"] = categories;
  cat["axisLabel"] = {{"interval", 0}, {"rotate", !horizontal && categories.size() > 6 ? 30 : 0}};
  json val = axis_json(val_axis, "value");
  if (horizontal) {
    // The category name goes above the labels, right-aligned to the axis line: in the
    // middle (nameGap past the labels) it sat on long labels, whose width varies.
    cat["inverse"] = true;
    cat["nameLocation"] = "start";  // the top end of an inverted axis
    cat["nameGap"] = kCategoryNameGap;
    cat["nameTextStyle"] = {{"fontWeight", "bold"}, {"align", "right"}, {"verticalAlign", "bottom"}};
    o["grid"]["top"] = o["grid"]["top"].get<int>() + kCategoryNameRoom;
    o["xAxis"] = val;
    o["yAxis"] = cat;
  } else {
    o["xAxis"] = cat;
    o["yAxis"] = val;
  }
  json ss = json::array();
  for (const auto& s : series) {
    json data = json::array();
    for (std::size_t i = 0; i < categories.size(); ++i) {
      const double v = i < s.values.size() ? s.values[i] : std::nan("");
      if (series.size() == 1 && i < point_colors.size() && !point_colors[i].empty())
        data.push_back({{"value", rounded(val_axis, v)}, {"itemStyle", {{"color", point_colors[i]}}}});
      else
        data.push_back(rounded(val_axis, v));
    }
    json js = {{"name", s.name}, {"type", "bar"}, {"data", data}};
    if (!s.color.empty()) js["itemStyle"] = {{"color", s.color}};
    if (!s.stack.empty()) js["stack"] = s.stack;
    ss.push_back(js);
  }
  o["series"] = ss;
  c.option = o;
  c.height_px = horizontal ? std::max(320, 60 + 28 * static_cast<int>(categories.size())) : 400;

  c.data = data_table(c.id, val_axis.name);
  c.data.headers.push_back(cat_axis.name);
  for (const auto& s : series) c.data.headers.push_back(s.name);
  for (std::size_t i = 0; i < categories.size(); ++i) {
    std::vector<Cell> row{Cell::txt(categories[i])};
    for (const auto& s : series) row.push_back(num_cell(i < s.values.size() ? s.values[i] : std::nan(""), val_axis.format));
    c.data.rows.push_back(std::move(row));
  }
  return c;
}

Chart line(std::string id, std::string title, std::string takeaway, const Axis& x, const Axis& y,
           const std::vector<std::string>& categories, const std::vector<Series>& series) {
  Chart c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.takeaway = std::move(takeaway);
  json o = base_option(c.title, true);
  json xa = axis_json(x, "category");
  xa["data"] = categories;
  xa["boundaryGap"] = false;
  o["xAxis"] = xa;
  o["yAxis"] = axis_json(y, "value");
  json ss = json::array();
  for (const auto& s : series) {
    json data = json::array();
    for (std::size_t i = 0; i < categories.size(); ++i) data.push_back(rounded(y, i < s.values.size() ? s.values[i] : std::nan("")));
    json js = {{"name", s.name}, {"type", "line"}, {"data", data}, {"symbolSize", 7}, {"connectNulls", false}};
    json ls = {{"width", 2.5}};
    if (!s.color.empty()) {
      js["itemStyle"] = {{"color", s.color}};
      ls["color"] = s.color;
    }
    if (s.dashed) ls["type"] = "dashed";
    js["lineStyle"] = ls;
    if (!s.stack.empty()) {
      js["stack"] = s.stack;
      js["areaStyle"] = json::object();
    }
    ss.push_back(js);
  }
  o["series"] = ss;
  c.option = o;

  c.data = data_table(c.id, y.name);
  c.data.headers.push_back(x.name);
  for (const auto& s : series) c.data.headers.push_back(s.name);
  for (std::size_t i = 0; i < categories.size(); ++i) {
    std::vector<Cell> row{Cell::txt(categories[i])};
    for (const auto& s : series) row.push_back(num_cell(i < s.values.size() ? s.values[i] : std::nan(""), y.format));
    c.data.rows.push_back(std::move(row));
  }
  return c;
}

Chart waterfall(std::string id, std::string title, std::string takeaway, const Axis& y, const std::vector<Step>& steps) {
  Chart c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.takeaway = std::move(takeaway);
  json o = base_option(c.title, true);
  o["tooltip"] = {{"trigger", "item"}};
  std::vector<std::string> labels;
  json base = json::array(), up = json::array(), down = json::array(), total = json::array();
  double running = 0;
  c.data = data_table(c.id, y.name);
  c.data.headers = {"step", "change or total", "running total"};
  for (const auto& s : steps) {
    labels.push_back(s.label);
    if (s.total) {
      running = s.value;
      base.push_back(0);
      total.push_back(rounded(y, s.value));
      up.push_back(nullptr);
      down.push_back(nullptr);
    } else {
      const double next = running + s.value;
      base.push_back(rounded(y, std::min(running, next)));
      up.push_back(s.value >= 0 ? rounded(y, s.value) : json(nullptr));
      down.push_back(s.value < 0 ? rounded(y, -s.value) : json(nullptr));
      total.push_back(nullptr);
      running = next;
    }
    c.data.rows.push_back({Cell::txt(s.label), num_cell(s.value, y.format), num_cell(running, y.format)});
  }
  json xa = axis_json(Axis{"", kOne, false}, "category");
  xa["data"] = labels;
  xa["axisLabel"] = {{"interval", 0}, {"rotate", labels.size() > 5 ? 20 : 0}};
  o["xAxis"] = xa;
  o["yAxis"] = axis_json(y, "value");
  const json label_top = {{"show", true}, {"position", "top"}};
  o["series"] = json::array({
      {{"name", "base"}, {"type", "bar"}, {"stack", "wf"}, {"silent", true},
       {"itemStyle", {{"color", "rgba(0,0,0,0)"}, {"borderColor", "rgba(0,0,0,0)"}}}, {"data", base}},
      {{"name", "total"}, {"type", "bar"}, {"stack", "wf"}, {"itemStyle", {{"color", kForeign}}}, {"label", label_top},
       {"data", total}},
      {{"name", "increase"}, {"type", "bar"}, {"stack", "wf"}, {"itemStyle", {{"color", "#27ae60"}}}, {"label", label_top},
       {"data", up}},
      {{"name", "decrease"}, {"type", "bar"}, {"stack", "wf"}, {"itemStyle", {{"color", kDomestic}}}, {"label", label_top},
       {"data", down}},
  });
  o["legend"] = {{"top", kLegendTop}, {"data", {"total", "increase", "decrease"}}};
  c.option = o;
  return c;
}

Chart scatter(std::string id, std::string title, std::string takeaway, const Axis& x, const Axis& y,
              const std::vector<PointSeries>& series) {
  Chart c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.takeaway = std::move(takeaway);
  json o = base_option(c.title, true);
  o["tooltip"] = {{"trigger", "item"}};
  json xa = axis_json(x, "value");
  json ya = axis_json(y, "value");
  ya["nameGap"] = 48;
  o["xAxis"] = xa;
  o["yAxis"] = ya;
  json ss = json::array();
  c.data = data_table(c.id, x.name + " vs " + y.name);
  c.data.headers = {"series", x.name, y.name};
  for (const auto& s : series) {
    json data = json::array();
    for (const auto& [px, py] : s.points) {
      data.push_back({rounded(x, px), rounded(y, py)});
      c.data.rows.push_back({Cell::txt(s.name), num_cell(px, x.format), num_cell(py, y.format)});
    }
    json js = {{"name", s.name}, {"type", s.joined ? "line" : "scatter"}, {"data", data}, {"symbolSize", 8}};
    if (!s.color.empty()) js["itemStyle"] = {{"color", s.color}};
    ss.push_back(js);
  }
  o["series"] = ss;
  c.option = o;
  c.height_px = 440;
  return c;
}

Chart radar(std::string id, std::string title, std::string takeaway, const std::vector<std::pair<std::string, double>>& indicators,
            const std::vector<Series>& series) {
  Chart c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.takeaway = std::move(takeaway);
  json o = base_option(c.title, true);
  o.erase("grid");
  o["tooltip"] = {{"trigger", "item"}};
  json ind = json::array();
  for (const auto& [name, max] : indicators) ind.push_back({{"name", name}, {"max", max}});
  o["radar"] = {{"indicator", ind}, {"center", {"50%", "58%"}}, {"radius", "62%"}};
  json data = json::array();
  c.data = data_table(c.id, "scores");
  c.data.headers.push_back("series");
  for (const auto& [name, max] : indicators) c.data.headers.push_back(name);
  for (const auto& s : series) {
    json vals = json::array();
    std::vector<Cell> row{Cell::txt(s.name)};
    for (std::size_t i = 0; i < indicators.size(); ++i) {
      const double v = i < s.values.size() ? s.values[i] : std::nan("");
      vals.push_back(value_or_null(v));
      row.push_back(num_cell(v, kTwo));
    }
    json d = {{"name", s.name}, {"value", vals}};
    if (!s.color.empty()) d["itemStyle"] = {{"color", s.color}};
    data.push_back(d);
    c.data.rows.push_back(std::move(row));
  }
  o["series"] = json::array({{{"type", "radar"}, {"data", data}, {"areaStyle", {{"opacity", 0.08}}}}});
  c.option = o;
  c.height_px = 460;
  return c;
}

Chart heatmap(std::string id, std::string title, std::string takeaway, const Axis& x, const Axis& y,
              const std::vector<std::string>& cols, const std::vector<std::string>& rows,
              const std::vector<std::vector<double>>& values, double lo, double hi, const NumberFormat& f) {
  Chart c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.takeaway = std::move(takeaway);
  json o = base_option(c.title, false);
  o["tooltip"] = {{"trigger", "item"}};
  json xa = axis_json(x, "category");
  xa["data"] = cols;
  xa["axisLabel"] = {{"interval", 0}, {"rotate", cols.size() > 5 ? 20 : 0}};
  xa["splitArea"] = {{"show", true}};
  json ya = axis_json(y, "category");
  ya["data"] = rows;
  ya["nameGap"] = 90;
  ya["splitArea"] = {{"show", true}};
  o["xAxis"] = xa;
  o["yAxis"] = ya;
  o["grid"]["bottom"] = 90;
  const Axis va{"", f, false};
  o["visualMap"] = {{"min", shown(va, lo)}, {"max", shown(va, hi)}, {"calculable", true}, {"orient", "horizontal"},
                    {"left", "center"}, {"bottom", 4}, {"inRange", {{"color", {"#fdedec", "#f5b7b1", "#c0392b"}}}}};
  json data = json::array();
  c.data = data_table(c.id, x.name + " by " + y.name);
  c.data.headers.push_back(y.name);
  for (const auto& col : cols) c.data.headers.push_back(col);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::vector<Cell> row{Cell::txt(rows[r])};
    for (std::size_t k = 0; k < cols.size(); ++k) {
      const double v = r < values.size() && k < values[r].size() ? values[r][k] : std::nan("");
      data.push_back({k, r, rounded(va, v)});
      row.push_back(num_cell(v, f));
    }
    c.data.rows.push_back(std::move(row));
  }
  o["series"] = json::array({{{"type", "heatmap"}, {"data", data}, {"label", {{"show", true}}}}});
  c.option = o;
  c.height_px = std::max(320, 140 + 36 * static_cast<int>(rows.size()));
  return c;
}

Chart tornado(std::string id, std::string title, std::string takeaway, const Axis& x, double base,
              const std::vector<TornadoRow>& rows) {
  Chart c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.takeaway = std::move(takeaway);
  json o = base_option(c.title, true);
  o["tooltip"] = {{"trigger", "item"}};
  std::vector<std::string> labels;
  json lo = json::array(), hi = json::array();
  c.data = data_table(c.id, x.name);
  c.data.headers = {"input", "low setting", "metric at low", "high setting", "metric at high", "swing (high - low)"};
  for (const auto& r : rows) {
    labels.push_back(r.label);
    lo.push_back(rounded(x, r.low - base));
    hi.push_back(rounded(x, r.high - base));
    c.data.rows.push_back({Cell::txt(r.label), Cell::txt(r.low_text), num_cell(r.low, x.format), Cell::txt(r.high_text),
                           num_cell(r.high, x.format), num_cell(r.high - r.low, x.format)});
  }
  json xa = axis_json(Axis{x.name + " - change from base " + format_number(base, x.format), x.format, false}, "value");
  json ya = axis_json(Axis{"", kOne, false}, "category");
  ya["data"] = labels;
  ya["inverse"] = true;
  ya["axisLabel"] = {{"interval", 0}};
  o["xAxis"] = xa;
  o["yAxis"] = ya;
  o["series"] = json::array({
      {{"name", "input at low setting"}, {"type", "bar"}, {"barGap", "-100%"}, {"itemStyle", {{"color", kForeign}, {"opacity", 0.85}}},
       {"data", lo}},
      {{"name", "input at high setting"}, {"type", "bar"}, {"barGap", "-100%"}, {"itemStyle", {{"color", kDomestic}, {"opacity", 0.85}}},
       {"data", hi}},
  });
  c.option = o;
  c.height_px = std::max(320, 100 + 30 * static_cast<int>(rows.size()));
  return c;
}

Chart fan(std::string id, std::string title, std::string takeaway, const Axis& x, const Axis& y,
          const std::vector<std::string>& categories, const Fan& f,
          const std::vector<std::pair<std::string, std::vector<double>>>& overlays) {
  Chart c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.takeaway = std::move(takeaway);
  json o = base_option(c.title, true);
  o["tooltip"] = {{"trigger", "item"}};
  json xa = axis_json(x, "category");
  xa["data"] = categories;
  xa["boundaryGap"] = false;
  o["xAxis"] = xa;
  o["yAxis"] = axis_json(y, "value");
  auto at = [](const std::vector<double>& v, std::size_t i) { return i < v.size() ? v[i] : std::nan(""); };
  json p5 = json::array(), band = json::array(), p25 = json::array(), inner = json::array(), med = json::array();
  const bool has_inner = !f.p25.empty() && !f.p75.empty();
  for (std::size_t i = 0; i < categories.size(); ++i) {
    p5.push_back(rounded(y, at(f.p5, i)));
    band.push_back(rounded(y, at(f.p95, i) - at(f.p5, i)));
    p25.push_back(rounded(y, at(f.p25, i)));
    inner.push_back(rounded(y, at(f.p75, i) - at(f.p25, i)));
    med.push_back(rounded(y, at(f.p50, i)));
  }
  const json hidden_line = {{"opacity", 0}};
  json ss = json::array({
      {{"name", "p5"}, {"type", "line"}, {"stack", "outer"}, {"symbol", "none"}, {"lineStyle", hidden_line}, {"data", p5},
       {"silent", true}},
      {{"name", "90% interval (p5-p95)"}, {"type", "line"}, {"stack", "outer"}, {"symbol", "none"}, {"lineStyle", hidden_line},
       {"areaStyle", {{"color", kDomestic}, {"opacity", kBandOpacity}}}, {"itemStyle", {{"color", kDomestic}}}, {"data", band}},
  });
  if (has_inner) {
    ss.push_back({{"name", "p25"}, {"type", "line"}, {"stack", "inner"}, {"symbol", "none"}, {"lineStyle", hidden_line},
                  {"data", p25}, {"silent", true}});
    ss.push_back({{"name", "50% interval (p25-p75)"}, {"type", "line"}, {"stack", "inner"}, {"symbol", "none"},
                  {"lineStyle", hidden_line}, {"areaStyle", {{"color", kDomestic}, {"opacity", kInnerBandOpacity}}},
                  {"itemStyle", {{"color", kDomestic}}}, {"data", inner}});
  }
  ss.push_back({{"name", "median"}, {"type", "line"}, {"data", med}, {"symbolSize", 6},
                {"itemStyle", {{"color", kDomestic}}}, {"lineStyle", {{"width", 2.5}, {"color", kDomestic}}}});
  for (const auto& [name, vals] : overlays) {
    json d = json::array();
    for (std::size_t i = 0; i < categories.size(); ++i) d.push_back(rounded(y, at(vals, i)));
    ss.push_back({{"name", name}, {"type", "line"}, {"data", d}, {"symbolSize", 8}, {"connectNulls", true},
                  {"itemStyle", {{"color", kPublished}}}, {"lineStyle", {{"type", "dashed"}, {"color", kPublished}}}});
  }
  o["series"] = ss;
  o["legend"] = {{"top", kLegendTop}, {"data", json::array()}};
  for (const auto& s : ss)
    if (s["name"] != "p5" && s["name"] != "p25") o["legend"]["data"].push_back(s["name"]);
  c.option = o;

  c.data = data_table(c.id, y.name);
  c.data.headers = {x.name, "p5", "p25", "median", "p75", "p95", "mean"};
  for (const auto& [name, vals] : overlays) c.data.headers.push_back(name);
  for (std::size_t i = 0; i < categories.size(); ++i) {
    std::vector<Cell> row{Cell::txt(categories[i]),   num_cell(at(f.p5, i), y.format),  num_cell(at(f.p25, i), y.format),
                          num_cell(at(f.p50, i), y.format), num_cell(at(f.p75, i), y.format), num_cell(at(f.p95, i), y.format),
                          num_cell(at(f.mean, i), y.format)};
    for (const auto& [name, vals] : overlays) row.push_back(num_cell(at(vals, i), y.format));
    c.data.rows.push_back(std::move(row));
  }
  return c;
}

}  // namespace gpugap::report::charts
