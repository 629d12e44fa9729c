#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "analysis/metrics.hpp"
#include "catalog/import_hf.hpp"
#include "catalog/schema.hpp"
#include "catalog/specs.hpp"
#include "cli/cli.hpp"
#include "core/suggest.hpp"
#include "studies/evaluate.hpp"
#include "studies/engines.hpp"

namespace fs = std::filesystem;

namespace gpugap::cli {
namespace {

std::string provenance_text(const Provenance& p) {
  std::string s = p.source;
  if (!p.as_of.empty()) s += " (" + p.as_of + ")";
  if (p.estimate) s = "ESTIMATE: " + (p.rationale.empty() ? s : p.rationale);
  return s;
}

std::string display_value(const Param& p) {
  if (p.is_null) return "null";
  if (p.dim == Dim::kNumber || p.dim == Dim::kCount || p.dim == Dim::kFraction || p.dim == Dim::kYear)
    return fmt_num(p.value, 6) + (p.unit.empty() ? "" : " " + p.unit);
  return format_quantity(p.value, p.dim, p.currency);
}

nlohmann::json param_json(const Param& p) {
  nlohmann::json j;
  j["path"] = p.path;
  j["value"] = p.is_null ? nlohmann::json(nullptr) : nlohmann::json(p.value);
  j["unit"] = p.unit.empty() ? std::string(dim_unit(p.dim)) : p.unit;
  if (p.currency == Currency::kRmb) j["unit"] = p.dim == Dim::kEnergyPrice ? "RMB/kWh" : "RMB";
  j["display"] = display_value(p);
  j["source"] = p.prov.source;
  j["as_of"] = p.prov.as_of;
  j["confidence"] = std::string(confidence_name(p.prov.confidence));
  j["estimate"] = p.prov.estimate;
  if (!p.prov.rationale.empty()) j["rationale"] = p.prov.rationale;
  if (!p.prov.note.empty()) j["note"] = p.prov.note;
  if (p.prov.is_default) j["default"] = true;
  if (p.overridden) j["overridden"] = true;
  j["file"] = p.where.file;
  j["line"] = p.where.line;
  return j;
}

void list_cmd(const Global& g, const std::string& kind_arg) {
  const auto cat = catalog::Catalog::load(g.catalog_dirs());
  std::vector<std::string> kinds;
  if (kind_arg.empty()) kinds = catalog::kinds();
  else {
    const auto& ks = catalog::kinds();
    if (std::find(ks.begin(), ks.end(), kind_arg) == ks.end())
      throw UserError(Location{"", 0, "catalog list"}, "one of chips, systems, models, workloads, regions, stacks, vendors, scenarios",
                      "'" + kind_arg + "'", suggest(kind_arg, ks));
    kinds = {kind_arg};
  }
  Output out;
  Table t{{"kind", "id", "name", "vendor/notes"}, {}, {}};
  for (const auto& k : kinds) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& id : cat.ids(k)) {
      const auto& e = *cat.find(k, id);
      nlohmann::json item{{"id", id}, {"name", e.str("name", id)}};
      if (!e.aliases.empty()) item["aliases"] = e.aliases;
      if (k == "chips") item["vendor"] = e.str("vendor");
      arr.push_back(item);
      t.rows.push_back({k, id, e.str("name", id), k == "chips" ? e.str("vendor") : ""});
    }
    if (kind_arg.empty()) out.json[k] = arr;
    else out.json = arr;
  }
  out.tables.push_back(t);
  emit(g, out);
}

void show_cmd(const Global& g, const std::string& id) {
  const auto cat = catalog::Catalog::load(g.catalog_dirs());
  const catalog::Entry* e = nullptr;
  std::vector<std::string> cands;
  for (const auto& k : catalog::kinds()) {
    if (auto r = cat.try_resolve(k, id)) { e = cat.find(k, *r); break; }
    for (const auto& i : cat.ids(k)) cands.push_back(i);
  }
  if (!e) throw UserError(Location{"", 0, "catalog show"}, "a known catalog id", "'" + id + "'", suggest(id, cands));
  Output out;
  const std::string prefix = e->kind + "." + e->id + ".";
  out.json["kind"] = e->kind;
  out.json["id"] = e->id;
  out.json["files"] = e->files;
  out.json["strings"] = e->strings;
  if (!e->aliases.empty()) out.json["aliases"] = e->aliases;
  Table t{{"key", "value", "confidence", "source"}, {}, {false, true, false, false}};
  nlohmann::json vals = nlohmann::json::array();
  for (const auto& p : cat.params().all()) {
    if (!p.path.starts_with(prefix)) continue;
    vals.push_back(param_json(p));
    t.rows.push_back({p.path.substr(prefix.size()), display_value(p), std::string(confidence_name(p.prov.confidence)),
                      provenance_text(p.prov)});
  }
  out.json["values"] = vals;
  Table s{{"key", "text"}, {}, {false, false}};
  for (const auto& [k, v] : e->strings) s.rows.push_back({k, v});
  for (const auto& [k, v] : e->flags) s.rows.push_back({k, v ? "true" : "false"});
  if (e->kind == "chips") {
    // Whether the perf model's software parameters are fitted or spec-only.
    const auto spec = chip_spec(cat, cat.params(), e->id);
    const std::string cal = spec.calibrated ? "calibrated: " + spec.calibration : "spec-only (software efficiency not calibrated on measurements)";
    out.json["calibration"] = cal;
    s.rows.push_back({"calibration", cal});
  }
  out.titles = {fmt::format("{} {} ({})", e->kind, e->id, fmt::join(e->files, ", ")), ""};
  out.tables = {t, s};
  emit(g, out);
}

void validate_cmd(const Global& g, const std::vector<std::string>& files) {
  Output out;
  if (files.empty()) {
    const auto cat = catalog::Catalog::load(g.catalog_dirs());
    // Typed specs check cross-field contradictions.
    for (const auto& id : cat.ids("chips")) (void)chip_spec(cat, cat.params(), id);
    for (const auto& id : cat.ids("models")) (void)model_spec(cat, cat.params(), id);
    for (const auto& id : cat.ids("workloads")) (void)workload_spec(cat, cat.params(), id);
    for (const auto& id : cat.ids("systems")) (void)system_spec(cat, cat.params(), id);
    for (const auto& id : cat.ids("regions")) (void)region_spec(cat, cat.params(), id);
    // Every scenario compiles.
    for (const auto& id : cat.ids("scenarios")) (void)studies::make_context(g.catalog_dirs(), id, {});
    std::size_t numeric = 0, sourced = 0, estimates = 0, nulls = 0;
    for (const auto& p : cat.params().all()) {
      if (p.is_null) { ++nulls; continue; }
      ++numeric;
      if (!p.prov.source.empty()) ++sourced;
      if (p.prov.estimate) ++estimates;
    }
    const double frac = numeric ? static_cast<double>(sourced) / numeric : 1.0;
    out.json = {{"ok", true}, {"files", cat.file_count()}, {"values", numeric}, {"sourced", sourced},
                {"sourced_fraction", frac}, {"estimates", estimates}, {"nulls", nulls}};
    Table t{{"check", "result"}, {}, {false, true}};
    t.rows.push_back({"files", std::to_string(cat.file_count())});
    for (const auto& k : catalog::kinds()) t.rows.push_back({"  " + k, std::to_string(cat.ids(k).size())});
    t.rows.push_back({"numeric values", std::to_string(numeric)});
    t.rows.push_back({"with a source", fmt::format("{} ({:.1f}%)", sourced, 100 * frac)});
    t.rows.push_back({"estimates (flagged)", std::to_string(estimates)});
    t.rows.push_back({"unknown (null)", std::to_string(nulls)});
    out.tables.push_back(t);
    out.text = "catalog OK\n";
  } else {
    for (const auto& f : files)
      if (!fs::exists(f)) throw UserError(Location{f, 0, ""}, "an existing file", "no such file");
    const auto cat = catalog::Catalog::load_files(files);
    out.json = {{"ok", true}, {"files", files.size()}};
    out.text = fmt::format("{} file(s) OK\n", files.size());
  }
  emit(g, out);
}

struct ImportArgs {
  std::string file, id, date;
};

void import_hf_cmd(const Global& g, const ImportArgs& a) {
  std::ifstream in(a.file, std::ios::binary);
  if (!in) throw UserError(Location{a.file, 0, ""}, "a readable config.json", "no such file");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string date = a.date.empty() ? today_utc() : a.date;
  const auto r = catalog::import_hf_config(ss.str(), {a.file, a.id, date});
  Output out;
  out.json = {{"id", r.id}, {"model_type", r.model_type}, {"file", a.file}, {"sha256", r.sha256}, {"derived", r.derived},
              {"yaml", r.yaml}};
  out.text = r.yaml;
  emit(g, out);
  if (!g.out.empty() && !g.quiet)
    std::cerr << fmt::format("wrote {} (model {}, {} derived values); check it with: gpugap catalog validate {}\n", g.out, r.id,
                             r.derived.size(), g.out);
}

}  // namespace

void add_catalog_commands(CLI::App& app, Global& g) {
  auto* cat = app.add_subcommand("catalog", "list, show and validate catalog entries");
  cat->require_subcommand(1);
  auto* list = cat->add_subcommand("list", "list entries of a kind (all kinds when omitted)");
  auto kind = std::make_shared<std::string>();
  list->add_option("kind", *kind, "chips|systems|models|workloads|regions|stacks|vendors|scenarios");
  list->callback([&g, kind] { list_cmd(g, *kind); });
  auto* show = cat->add_subcommand("show", "every value of an entry with its source and confidence");
  auto id = std::make_shared<std::string>();
  show->add_option("id", *id, "entry id or alias")->required();
  show->callback([&g, id] { show_cmd(g, *id); });
  auto* val = cat->add_subcommand("validate", "validate the catalog (or the given files)");
  auto files = std::make_shared<std::vector<std::string>>();
  val->add_option("paths", *files, "YAML files to validate");
  val->callback([&g, files] { validate_cmd(g, *files); });
  auto* imp = cat->add_subcommand("import-hf", "write a catalog model entry (YAML, with provenance) from a Hugging Face config.json");
  auto ia = std::make_shared<ImportArgs>();
  imp->add_option("config", ia->file, "the model's config.json")->required();
  imp->add_option("--id", ia->id, "catalog id (default: from the file name, e.g. Qwen--Qwen3-8B.json -> qwen3-8b)");
  imp->add_option("--date", ia->date, "as_of written into the entry (default: today, UTC)");
  imp->callback([&g, ia] { import_hf_cmd(g, *ia); });
}

void add_param_commands(CLI::App& app, Global& g) {
  auto* params = app.add_subcommand("params", "list parameter paths, values, units and sources");
  auto prefix = std::make_shared<std::string>();
  params->add_option("prefix", *prefix, "only paths starting with this");
  params->callback([&g, prefix] {
    const auto ctx = g.context();
    Output out;
    Table t{{"path", "value", "confidence", "source"}, {}, {false, true, false, false}};
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& p : ctx.params.all()) {
      if (!prefix->empty() && !p.path.starts_with(*prefix)) continue;
      arr.push_back(param_json(p));
      t.rows.push_back({p.path, display_value(p), std::string(confidence_name(p.prov.confidence)), provenance_text(p.prov)});
    }
    if (arr.empty() && !prefix->empty())
      throw UserError(Location{"", 0, *prefix}, "a prefix of known parameter paths", "no parameter matches",
                      suggest(*prefix, ctx.params.paths()));
    out.json = {{"scenario", ctx.scenario.id}, {"overrides", ctx.overrides}, {"params", arr}};
    out.tables.push_back(t);
    emit(g, out);
  });

  auto* eval = app.add_subcommand("eval", "print metrics by path");
  auto paths = std::make_shared<std::vector<std::string>>();
  eval->add_option("paths", *paths, "metric paths, e.g. market.tam_usd_bn.2030")->required();
  eval->callback([&g, paths] {
    const auto ctx = g.context();
    const auto m = studies::evaluate(ctx, *paths);
    Output out;
    out.json = {{"scenario", ctx.scenario.id}, {"overrides", ctx.overrides}, {"metrics", nlohmann::json::object()}};
    Table t{{"metric", "value"}, {}, {false, true}};
    for (const auto& p : *paths) {
      out.json["metrics"][p] = m.at(p);
      t.rows.push_back({p, fmt_num(m.at(p), 6)});
    }
    out.tables.push_back(t);
    emit(g, out);
  });
}

}  // namespace gpugap::cli
