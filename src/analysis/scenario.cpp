#include "analysis/scenario.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "core/source_dir.hpp"
#include "core/suggest.hpp"

namespace fs = std::filesystem;

namespace gpugap::analysis {
namespace {

int line_of(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

std::vector<std::string> decl_names(std::span<const ParamDecl> decls) {
  std::vector<std::string> out;
  for (const auto& d : decls) out.push_back(d.pattern);
  return out;
}

struct Loaded {
  std::string file;
  YAML::Node params;
  YAML::Node published;
};

// A named choice ({value: negative_binomial} or a bare name) -> its index.
YAML::Node with_choice(const ParamDecl& d, const YAML::Node& node, const Location& where) {
  if (d.choices.empty()) return node;
  YAML::Node n = YAML::Clone(node);
  YAML::Node v = n.IsMap() ? n["value"] : n;
  if (!v || !v.IsScalar()) return node;
  const std::string idx = resolve_choice(d, v.Scalar(), where);
  if (n.IsMap()) n["value"] = idx;
  else n = YAML::Node(idx);
  return n;
}

// Applies one scenario file's params onto the table.
void apply_params(std::span<const ParamDecl> decls, ParamTable& table, const YAML::Node& params, const std::string& file) {
  if (!params) return;
  if (!params.IsMap()) throw UserError(Location{file, line_of(params), "params"}, "a mapping of parameter paths", "something else");
  std::set<std::string> seen;
  for (const auto& kv : params) {
    const std::string path = kv.first.Scalar();
    const Location where{file, line_of(kv.first), "params." + path};
    if (!seen.insert(path).second) throw UserError(where, "each parameter once", "duplicate key '" + path + "'");
    // A catalog value overridden by the scenario (chips.X.price.cn, regions.cn.pue...).
    if (auto idx = table.find(path); idx && !find_decl(decls, path)) {
      const Param& old = table.at(*idx);
      Param p = catalog::parse_sourced(kv.second, path, old.dim, old.positive, file, {}, old.unit);
      table.put(std::move(p));
      continue;
    }
    const ParamDecl* d = find_decl(decls, path);
    if (!d) {
      std::vector<std::string> cands = decl_names(decls);
      for (const auto& pth : table.paths()) cands.push_back(pth);
      throw UserError(where, "a declared scenario parameter", "unknown parameter '" + path + "'", suggest(path, cands));
    }
    auto check_range = [&](const Param& p) {
      if (!p.is_null && (p.value < d->lo || p.value > d->hi))
        throw UserError(p.where, fmt::format("a value in [{}, {}]", d->lo, d->hi), fmt::format("{}", p.value));
    };
    if (!d->yearly) {
      Param p = catalog::parse_sourced(with_choice(*d, kv.second, where), path, d->dim, false, file, {}, d->unit);
      check_range(p);
      table.put(std::move(p));
      continue;
    }
    // Yearly series: {2024: v, 2030: v}; interpolate the years between.
    if (!kv.second.IsMap()) throw UserError(where, "a mapping of year: value", "a single value");
    std::map<int, Param> given;
    for (const auto& yv : kv.second) {
      const std::string ys = yv.first.Scalar();
      auto y = parse_number(ys);
      const Location yw{file, line_of(yv.first), path + "." + ys};
      if (!y || *y != std::floor(*y) || *y < kFirstYear - 10 || *y > kLastYear + 10)
        throw UserError(yw, fmt::format("a year {}..{}", kFirstYear, kLastYear), "'" + ys + "'");
      const int year = static_cast<int>(*y);
      if (given.count(year)) throw UserError(yw, "each year once", "duplicate key '" + ys + "'");
      Param p = catalog::parse_sourced(yv.second, path + "." + ys, d->dim, false, file, {}, d->unit);
      check_range(p);
      given.emplace(year, std::move(p));
    }
    if (given.empty()) throw UserError(where, "at least one year", "none");
    for (int year = kFirstYear; year <= kLastYear; ++year) {
      const std::string yp = fmt::format("{}.{}", path, year);
      if (auto it = given.find(year); it != given.end()) {
        table.put(it->second);
        continue;
      }
      auto hi = given.lower_bound(year);
      Param p;
      if (hi == given.begin() || hi == given.end()) {
        // Outside the given years: hold the nearest value, flagged as a default.
        const Param& near = hi == given.end() ? std::prev(hi)->second : hi->second;
        p = near;
        p.prov.is_default = true;
        p.prov.note = fmt::format("held from {}", near.path);
      } else {
        auto lo = std::prev(hi);
        const double t = static_cast<double>(year - lo->first) / (hi->first - lo->first);
        p = lo->second;
        if (lo->second.is_null || hi->second.is_null) p.is_null = true;
        else if (d->geometric && lo->second.value > 0 && hi->second.value > 0)
          p.value = lo->second.value * std::pow(hi->second.value / lo->second.value, t);
        else
          p.value = lo->second.value + t * (hi->second.value - lo->second.value);
        p.prov.source = fmt::format("interpolated ({}) between {} and {}", d->geometric ? "geometric" : "linear",
                                    lo->first, hi->first);
        p.prov.confidence = std::min(lo->second.prov.confidence, hi->second.prov.confidence);
        p.prov.estimate = lo->second.prov.estimate || hi->second.prov.estimate;
        p.prov.note.clear();
      }
      p.path = yp;
      table.put(std::move(p));
    }
  }
}

void merge_map(YAML::Node& into, const YAML::Node& from) {
  if (!from || !from.IsMap()) return;
  if (!into || !into.IsMap()) into = YAML::Node(YAML::NodeType::Map);
  // The original key node goes in (not a copy of its text), so its line stays known for error messages.
  for (const auto& kv : from) {
    into.remove(kv.first.Scalar());
    into.force_insert(kv.first, kv.second);
  }
}

}  // namespace

bool matches_pattern(std::string_view pattern, std::string_view path) {
  while (true) {
    const auto pd = pattern.find('.');
    const auto sd = path.find('.');
    const auto pc = pattern.substr(0, pd);
    const auto sc = path.substr(0, sd);
    if (pc != "*" && pc != sc) return false;
    if (pd == std::string_view::npos || sd == std::string_view::npos) return pd == sd;
    pattern.remove_prefix(pd + 1);
    path.remove_prefix(sd + 1);
  }
}

std::string resolve_choice(const ParamDecl& d, const std::string& text, const Location& where) {
  if (d.choices.empty() || parse_number(text)) return text;
  for (std::size_t i = 0; i < d.choices.size(); ++i)
    if (d.choices[i] == text) return std::to_string(i);
  throw UserError(where, "one of " + fmt::format("{}", fmt::join(d.choices, ", ")), "'" + text + "'",
                  suggest(text, d.choices));
}

const ParamDecl* find_decl(std::span<const ParamDecl> decls, std::string_view path) {
  for (const auto& d : decls)
    if (matches_pattern(d.pattern, path)) return &d;
  return nullptr;
}

std::string default_catalog_dir() {
  if (const char* env = std::getenv("GPUGAP_CATALOG"); env && *env) return env;
  return core::source_dir() + "/catalog";
}

void apply_overrides(std::span<const ParamDecl> decls, Context& ctx, const std::vector<std::string>& overrides) {
  for (const auto& o : overrides) {
    auto [path, value] = split_assignment(o);
    if (const ParamDecl* d = find_decl(decls, path)) value = resolve_choice(*d, value, Location{"--set", 0, path});
    ctx.params.set_from_text(path, value);
    // The declared range holds for overrides too (a yearly path ends in .<year>).
    const ParamDecl* d = find_decl(decls, path);
    if (!d) {
      const auto dot = path.rfind('.');
      if (dot != std::string::npos && parse_number(path.substr(dot + 1)))
        if (const ParamDecl* y = find_decl(decls, path.substr(0, dot)); y && y->yearly) d = y;
    }
    if (const double v = ctx.params.at(path).value; d && (v < d->lo || v > d->hi))
      throw UserError(Location{"--set", 0, path}, fmt::format("a value in [{}, {}]", d->lo, d->hi), "'" + value + "'");
    ctx.overrides.push_back(path + "=" + value);
  }
}

Context make_context(std::span<const ParamDecl> decls, const std::vector<std::string>& catalog_dirs,
                     const std::string& scenario_name, const std::vector<std::string>& overrides,
                     const std::function<void(catalog::Catalog&)>& prepare) {
  Context ctx;
  auto cat = std::make_shared<catalog::Catalog>(catalog::Catalog::load(catalog_dirs));
  if (prepare) prepare(*cat);
  ctx.catalog = cat;
  ctx.params = cat->params();

  // Resolve the scenario chain (child first), detecting cycles.
  std::vector<const catalog::Entry*> chain;
  std::unique_ptr<catalog::Catalog> file_cat;
  const catalog::Entry* cur = nullptr;
  if (scenario_name.size() > 5 && (scenario_name.ends_with(".yaml") || scenario_name.ends_with(".yml"))) {
    if (!fs::exists(scenario_name)) throw UserError(Location{scenario_name, 0, ""}, "a scenario file", "no such file");
    // A scenario file outside the catalog: validate it as a scenario entry.
    const fs::path tmpdir = fs::path(scenario_name).parent_path();
    (void)tmpdir;
    file_cat = std::make_unique<catalog::Catalog>(catalog::Catalog::load_files_as(scenario_name, "scenarios"));
    cur = file_cat->find("scenarios", fs::path(scenario_name).stem().string());
  } else {
    cur = &cat->entry("scenarios", scenario_name);
  }
  std::set<std::string> visited;
  while (cur) {
    if (!visited.insert(cur->id).second)
      throw UserError(chain.back()->at("extends"), "a scenario chain without cycles",
                      "circular extends through '" + cur->id + "'");
    chain.push_back(cur);
    const std::string parent = cur->str("extends");
    if (parent.empty()) break;
    if (!cat->try_resolve("scenarios", parent))
      throw UserError(cur->at("extends"),
                      "a known scenario id", "'" + parent + "'", suggest(parent, cat->ids("scenarios")));
    cur = &cat->entry("scenarios", parent);
  }
  // Apply parents first so children override.
  Scenario& sc = ctx.scenario;
  sc.id = chain.front()->id;
  sc.name = chain.front()->str("name", sc.id);
  sc.description = chain.front()->str("description");
  std::map<std::string, Published> published;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const catalog::Entry& e = **it;
    sc.chain.insert(sc.chain.begin(), e.id);
    sc.files.push_back(e.file());
    if (auto p = e.raw.find("params"); p != e.raw.end()) apply_params(decls, ctx.params, p->second, e.file());
    if (auto p = e.raw.find("published"); p != e.raw.end() && !p->second.IsNull()) {
      if (!p->second.IsMap())
        throw UserError(Location{e.file(), e.raw_lines.at("published"), "scenarios." + e.id + ".published"},
                        "a mapping of metric paths to sourced values", "something else");
      for (const auto& kv : p->second) {
        const std::string metric = kv.first.Scalar();
        Param v = catalog::parse_sourced(kv.second, "published." + metric, Dim::kNumber, false, e.file(), {});
        published[metric] = Published{metric, v.value, "", v.prov};
      }
    }
    if (auto p = e.raw.find("uncertainty"); p != e.raw.end()) {
      merge_map(sc.uncertainty, p->second);
      if (p->second.IsMap())
        for (const auto& kv : p->second) sc.uncertainty_files[kv.first.Scalar()] = e.file();
    }
    // reset, not =: Node assignment would write the child's block through
    // into the parent entry's node.
    if (auto p = e.raw.find("correlations"); p != e.raw.end()) {
      sc.correlations.reset(p->second);
      sc.correlations_file = e.file();
    }
    if (const std::string b = e.str("stack_backend"); !b.empty()) {
      sc.stack_backend = b;
      sc.stack_backend_at = e.at("stack_backend");
      sc.stack_backend_at.path = "scenarios." + e.id + ".stack_backend";
    }
    if (auto p = e.raw.find("dirichlet"); p != e.raw.end()) {
      sc.dirichlet.reset(p->second);
      sc.dirichlet_file = e.file();
    }
  }
  for (auto& [k, v] : published) sc.published.push_back(v);

  apply_overrides(decls, ctx, overrides);
  return ctx;
}

}  // namespace gpugap::analysis
