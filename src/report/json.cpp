// JSON export: the whole report (sections, tables with numbers as numbers,
// chart options and data) plus the full result tree gathered by the builder.
#include "report/report.hpp"

namespace gpugap::report {
namespace {

using nlohmann::json;

json cell_json(const Cell& c) {
  switch (c.kind) {
    case Cell::Kind::kEmpty: return nullptr;
    case Cell::Kind::kText: return c.text;
    case Cell::Kind::kNumber: return c.number;
  }
  return nullptr;
}

json table_json(const TableData& t) {
  json rows = json::array();
  json flags = json::array();
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    json row = json::array();
    for (std::size_t c = 0; c < t.rows[r].size(); ++c) {
      row.push_back(cell_json(t.rows[r][c]));
      if (t.rows[r][c].flag) flags.push_back({r, c});
    }
    rows.push_back(row);
  }
  json j = {{"id", t.id}, {"title", t.title}, {"headers", t.headers}, {"rows", rows}};
  if (!flags.empty()) j["flagged_cells"] = flags;
  if (!t.note.empty()) j["note"] = t.note;
  return j;
}

}  // namespace

json to_json(const Report& r) {
  json sections = json::array();
  for (const auto& s : r.sections) {
    json items = json::array();
    for (const auto& item : s.items) {
      if (const auto* p = std::get_if<Paragraph>(&item)) {
        items.push_back({{"type", "text"}, {"text", p->text}});
      } else if (const auto* t = std::get_if<TableData>(&item)) {
        json j = table_json(*t);
        j["type"] = "table";
        items.push_back(j);
      } else if (const auto* c = std::get_if<Chart>(&item)) {
        items.push_back({{"type", "chart"}, {"id", c->id}, {"title", c->title}, {"takeaway", c->takeaway},
                         {"data", table_json(c->data)}, {"echarts_option", c->option}});
      } else if (const auto* u = std::get_if<Unavailable>(&item)) {
        items.push_back({{"type", "unavailable"}, {"what", u->what}, {"reason", u->reason}});
      }
    }
    sections.push_back({{"id", s.id}, {"title", s.title}, {"takeaway", s.takeaway}, {"items", items}});
  }
  return {{"title", r.title},         {"provenance", r.provenance}, {"scenario", r.scenario_id}, {"scenario_name", r.scenario_name},
          {"overrides", r.overrides}, {"sections", sections},        {"results", r.results}};
}

}  // namespace gpugap::report
