#include "catalog/catalog.hpp"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "catalog/schema.hpp"
#include "core/sha256.hpp"
#include "core/suggest.hpp"

namespace fs = std::filesystem;

namespace gpugap::catalog {
namespace {

constexpr std::uintmax_t kMaxFileBytes = 8u << 20;  // catalog files are small; refuse huge inputs

int line_of(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

std::string join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "." + b; }

bool matches(std::string_view pattern, std::string_view path) {
  // Component-wise match with '*' for one component.
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

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == '.') { out.push_back(cur); cur.clear(); }
    else cur += c;
  }
  out.push_back(cur);
  return out;
}

// Is `path` a strict prefix of some field (a mapping on the way to it)?
bool is_branch(const std::vector<Field>& schema, const std::string& path) {
  const auto pc = split(path);
  for (const auto& f : schema) {
    const auto fc = split(f.pattern);
    if (fc.size() <= pc.size()) continue;
    bool ok = true;
    for (std::size_t i = 0; i < pc.size() && ok; ++i) ok = fc[i] == "*" || fc[i] == pc[i];
    if (ok) return true;
  }
  return false;
}

const Field* field_for(const std::vector<Field>& schema, const std::string& path) {
  for (const auto& f : schema)
    if (matches(f.pattern, path)) return &f;
  return nullptr;
}

// Keys allowed directly under `prefix` (for "did you mean").
std::vector<std::string> siblings(const std::vector<Field>& schema, const std::string& prefix) {
  std::set<std::string> out;
  const auto pc = prefix.empty() ? std::vector<std::string>{} : split(prefix);
  for (const auto& f : schema) {
    const auto fc = split(f.pattern);
    if (fc.size() <= pc.size()) continue;
    bool ok = true;
    for (std::size_t i = 0; i < pc.size() && ok; ++i) ok = fc[i] == "*" || fc[i] == pc[i];
    if (ok && fc[pc.size()] != "*") out.insert(fc[pc.size()]);
  }
  return {out.begin(), out.end()};
}

// Offset of the first byte that is not UTF-8 (overlong forms, surrogates and
// code points above U+10FFFF included), or npos. JSON output needs valid UTF-8.
std::size_t invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return i;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    const auto c1 = n > 1 ? static_cast<unsigned char>(s[i + 1]) : 0;
    if ((n == 2 && c < 0xC2) || (n == 3 && ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0))) ||
        (n == 4 && ((c == 0xF0 && c1 < 0x90) || c > 0xF4 || (c == 0xF4 && c1 >= 0x90))))
      return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string scalar_text(const YAML::Node& n) { return n.IsScalar() ? n.Scalar() : std::string("a ") + (n.IsMap() ? "mapping" : n.IsSequence() ? "list" : "null"); }

}  // namespace

std::string Entry::str(const std::string& key, const std::string& fallback) const {
  auto it = strings.find(key);
  return it == strings.end() ? fallback : it->second;
}

Location Entry::at(const std::string& key) const {
  if (auto it = where.find(key); it != where.end()) return it->second;
  return Location{files.empty() ? "" : file(), 0, kind + "." + id + "." + key};
}

Confidence parse_confidence(const YAML::Node& n, const Location& where) {
  if (!n || n.IsNull()) return Confidence::kUnknown;
  const std::string s = n.IsScalar() ? n.Scalar() : "";
  if (s == "high") return Confidence::kHigh;
  if (s == "medium") return Confidence::kMedium;
  if (s == "low") return Confidence::kLow;
  throw UserError(where, "confidence high, medium or low", "'" + scalar_text(n) + "'",
                  suggest(s, {"high", "medium", "low"}));
}

YAML::Node read_yaml(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) throw UserError(Location{path, 0, ""}, "a readable file", ec.message());
  if (size > kMaxFileBytes)
    throw UserError(Location{path, 0, ""}, fmt::format("a file under {} MB", kMaxFileBytes >> 20),
                    fmt::format("{} bytes", size));
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_yaml(buf.str(), path);
}

YAML::Node parse_yaml(const std::string& text, const std::string& path) {
  if (text.size() > kMaxFileBytes)
    throw UserError(Location{path, 0, ""}, fmt::format("a file under {} MB", kMaxFileBytes >> 20),
                    fmt::format("{} bytes", text.size()));
  if (text.find('\0') != std::string::npos)
    throw UserError(Location{path, 0, ""}, "a YAML text file", "binary data (NUL byte)");
  if (const auto bad = invalid_utf8(text); bad != std::string_view::npos)
    throw UserError(Location{path, static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n')) + 1, ""},
                    "UTF-8 text", fmt::format("byte 0x{:02x}", static_cast<unsigned char>(text[bad])));
  try {
    return YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    throw UserError(Location{path, e.mark.line >= 0 ? e.mark.line + 1 : 0, ""}, "valid YAML", "nesting too deep");
  } catch (const YAML::Exception& e) {
    throw UserError(Location{path, e.mark.line >= 0 ? e.mark.line + 1 : 0, ""}, "valid YAML", e.msg);
  }
}

Param parse_sourced(const YAML::Node& node, const std::string& path, Dim dim, bool positive,
                    const std::string& file, const Provenance& inherited, std::string unit_label) {
  Param p;
  p.path = path;
  p.dim = dim;
  p.unit = std::move(unit_label);
  p.where = Location{file, line_of(node), path};
  p.positive = positive;
  p.prov = inherited;
  YAML::Node value = node;
  if (node.IsMap()) {
    std::set<std::string> seen;
    for (const auto& kv : node) {
      // A complex key ({[a]: 1}) has no text: as<std::string>() would throw yaml-cpp's own error.
      if (!kv.first.IsScalar()) throw UserError(Location{file, line_of(kv.first), path}, "a scalar key", "a complex key");
      const std::string k = kv.first.Scalar();
      const Location at{file, line_of(kv.first), join(path, k)};
      if (!seen.insert(k).second) throw UserError(at, "each key once", "duplicate key '" + k + "'");
      const auto& keys = quantity_keys();
      if (std::find(keys.begin(), keys.end(), k) == keys.end())
        throw UserError(at, "one of value, source, as_of, confidence, estimate, rationale, note, direction",
                        "unknown key '" + k + "'", suggest(k, keys));
    }
    if (!node["value"]) throw UserError(p.where, "a 'value' key in this mapping", "none");
    value.reset(node["value"]);  // reset, not =: Node assignment writes through
    if (node["source"]) p.prov.source = node["source"].IsScalar() ? node["source"].Scalar() : "";
    if (node["as_of"]) p.prov.as_of = node["as_of"].Scalar();
    else if (node["date"]) p.prov.as_of = node["date"].Scalar();
    if (node["confidence"]) p.prov.confidence = parse_confidence(node["confidence"], Location{file, line_of(node["confidence"]), join(path, "confidence")});
    if (node["estimate"]) {
      const std::string e = node["estimate"].Scalar();
      if (e != "true" && e != "false")
        throw UserError(Location{file, line_of(node["estimate"]), join(path, "estimate")}, "true or false", "'" + e + "'");
      p.prov.estimate = e == "true";
    }
    if (node["rationale"]) p.prov.rationale = node["rationale"].Scalar();
    if (node["note"]) p.prov.note = node["note"].Scalar();
  }
  if (!value || value.IsNull()) {
    p.is_null = true;
    return p;
  }
  if (!value.IsScalar())
    throw UserError(p.where, std::string("a ") + std::string(dim_name(dim)) + " value", scalar_text(value));
  auto r = parse_quantity(value.Scalar(), dim);
  if (!r.value) throw UserError(Location{file, line_of(value), path}, r.error.substr(9), "");
  p.value = r.value->value;
  p.currency = r.value->currency;
  if (positive && p.value <= 0)
    throw UserError(Location{file, line_of(value), path}, "a positive value", value.Scalar());
  if (node.IsMap() && node["direction"]) {
    const std::string d = node["direction"].Scalar();
    if (d == "bidirectional") p.value /= 2;  // stored per direction
    else if (d != "per_direction" && d != "unidirectional")
      throw UserError(Location{file, line_of(node["direction"]), join(path, "direction")},
                      "bidirectional or per_direction", "'" + d + "'",
                      suggest(d, {"bidirectional", "per_direction"}));
  }
  if (p.prov.source.empty() && !p.prov.estimate)
    throw UserError(p.where, "a 'source' (or 'estimate: true' with a 'rationale')", "a value with no provenance");
  if (p.prov.estimate && p.prov.source.empty() && p.prov.rationale.empty())
    throw UserError(p.where, "a 'rationale' for an estimate", "none");
  return p;
}

namespace {
// A judged 0..5 score: {score, rationale, sources: [...], estimate}.
Param parse_score(const YAML::Node& v, const std::string& path, const std::string& file) {
  const Location at{file, line_of(v), path};
  if (!v.IsMap()) throw UserError(at, "a mapping {score, rationale, sources, estimate}", "'" + scalar_text(v) + "'");
  static const std::vector<std::string> keys = {"score", "rationale", "sources", "estimate", "note"};
  for (const auto& kv : v) {
    const std::string k = kv.first.Scalar();
    if (std::find(keys.begin(), keys.end(), k) == keys.end())
      throw UserError(Location{file, line_of(kv.first), join(path, k)}, "one of score, rationale, sources, estimate, note",
                      "unknown key '" + k + "'", suggest(k, keys));
  }
  Param p;
  p.path = path;
  p.dim = Dim::kNumber;
  p.unit = "score 0-5";
  p.where = at;
  if (!v["score"] || !v["score"].IsScalar()) throw UserError(at, "a 'score' key", "none");
  auto s = parse_number(v["score"].Scalar());
  if (!s || *s < 0 || *s > 5) throw UserError(Location{file, line_of(v["score"]), join(path, "score")}, "a score in [0, 5]", "'" + v["score"].Scalar() + "'");
  p.value = *s;
  if (v["rationale"]) p.prov.rationale = v["rationale"].Scalar();
  if (v["sources"] && v["sources"].IsSequence())
    for (const auto& src : v["sources"]) p.prov.source += (p.prov.source.empty() ? "" : "; ") + src.Scalar();
  p.prov.estimate = v["estimate"] && v["estimate"].Scalar() == "true";
  p.prov.confidence = Confidence::kLow;
  if (p.prov.rationale.empty()) throw UserError(at, "a 'rationale' for a judged score", "none");
  return p;
}
}  // namespace

void Catalog::load_file(const std::string& path, const std::string& kind) { load_root(read_yaml(path), path, kind); }

void Catalog::load_root(const YAML::Node& root, const std::string& path, const std::string& kind) {
  const std::string stem = fs::path(path).stem().string();
  if (!root.IsMap())
    throw UserError(Location{path, line_of(root), ""}, "a YAML mapping (key: value) at the top level",
                    root.IsNull() ? "an empty file" : "a " + std::string(root.IsSequence() ? "list" : "scalar"));
  const auto& schema = schema_for(kind);
  if (!root["id"] || !root["id"].IsScalar())
    throw UserError(Location{path, 1, "id"}, "an 'id' key", "none");
  const std::string id = root["id"].Scalar();
  if (id != stem)
    throw UserError(Location{path, line_of(root["id"]), "id"}, "id equal to the file name '" + stem + "'", "'" + id + "'");
  if (id.empty() || id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-_") != std::string::npos)
    throw UserError(Location{path, line_of(root["id"]), "id"}, "an id of a-z, 0-9, '.', '-'", "'" + id + "'");

  Provenance entry_prov;
  if (root["source"] && root["source"].IsScalar()) entry_prov.source = root["source"].Scalar();
  if (root["as_of"] && root["as_of"].IsScalar()) entry_prov.as_of = root["as_of"].Scalar();
  if (root["confidence"]) entry_prov.confidence = parse_confidence(root["confidence"], Location{path, line_of(root["confidence"]), "confidence"});

  auto& slot = entries_[kind][id];
  const bool overlay = !slot.files.empty();
  slot.kind = kind;
  slot.id = id;
  slot.files.push_back(path);
  const std::string prefix = kind + "." + id;
  std::set<std::string> seen_fields;

  // Walk the mapping; every key must be declared in the schema.
  auto walk = [&](auto&& self, const YAML::Node& node, const std::string& at) -> void {
    std::set<std::string> seen;
    for (const auto& kv : node) {
      if (!kv.first.IsScalar())
        throw UserError(Location{path, line_of(kv.first), at}, "a scalar key", "a complex key");
      const std::string k = kv.first.Scalar();
      const std::string sub = join(at, k);
      const Location where{path, line_of(kv.first), join(prefix, sub)};
      if (!seen.insert(k).second) throw UserError(where, "each key once", "duplicate key '" + k + "'");
      const Field* f = field_for(schema, sub);
      if (!f) {
        if (is_branch(schema, sub)) {
          if (!kv.second.IsMap())
            throw UserError(where, "a mapping", kv.second.IsNull() ? "null" : "'" + scalar_text(kv.second) + "'");
          self(self, kv.second, sub);
          continue;
        }
        throw UserError(where, "a known key", "unknown key '" + k + "'", suggest(k, siblings(schema, at)));
      }
      seen_fields.insert(std::string(f->pattern));
      slot.where[sub] = where;
      const YAML::Node& v = kv.second;
      switch (f->kind) {
        case FieldKind::kQuantity:
          params_.put(parse_sourced(v, join(prefix, sub), f->dim, f->positive, path, entry_prov));
          break;
        case FieldKind::kString:
          if (!v.IsNull() && !v.IsScalar())
            throw UserError(where, "a text value", v.IsMap() ? "a mapping" : "a list");
          slot.strings[sub] = v.IsNull() ? "" : v.Scalar();
          break;
        case FieldKind::kBool:
          if (!v.IsScalar() || (v.Scalar() != "true" && v.Scalar() != "false"))
            throw UserError(where, "true or false", "'" + scalar_text(v) + "'");
          slot.flags[sub] = v.Scalar() == "true";
          break;
        case FieldKind::kStringList: {
          if (v.IsNull()) { slot.lists[sub] = {}; break; }
          if (!v.IsSequence()) throw UserError(where, "a list of text values", "'" + scalar_text(v) + "'");
          std::vector<std::string> items;
          for (const auto& item : v) {
            if (!item.IsScalar()) throw UserError(Location{path, line_of(item), join(prefix, sub)}, "a text item", "a nested value");
            items.push_back(item.Scalar());
          }
          slot.lists[sub] = items;
          break;
        }
        case FieldKind::kScore:
          params_.put(parse_score(v, join(prefix, sub), path));
          slot.raw[sub] = v;
          slot.raw_lines[sub] = line_of(v);
          break;
        case FieldKind::kAny:
          slot.raw[sub] = v;
          slot.raw_lines[sub] = line_of(v);
          break;
      }
    }
  };
  walk(walk, root, "");

  if (!overlay) {
    for (const auto& f : schema)
      if (f.required && !seen_fields.count(std::string(f.pattern)))
        throw UserError(Location{path, 1, join(prefix, std::string(f.pattern))}, "a required key '" + std::string(f.pattern) + "'", "none");
  }
  if (auto it = slot.lists.find("aliases"); it != slot.lists.end()) slot.aliases = it->second;
  ++file_count_;
}

std::string Catalog::fingerprint() const { return fingerprint_lines_.empty() ? "" : sha256_hex(fingerprint_lines_); }

Catalog Catalog::load(const std::vector<std::string>& dirs) {
  Catalog c;
  for (const auto& dir : dirs) {
    if (!fs::is_directory(dir)) throw UserError(Location{dir, 0, ""}, "a catalog folder", "no such folder");
    for (const auto& kind : kinds()) {
      const fs::path sub = fs::path(dir) / kind;
      if (!fs::is_directory(sub)) continue;
      std::vector<std::string> files;
      for (const auto& e : fs::directory_iterator(sub))
        if (e.is_regular_file() && (e.path().extension() == ".yaml" || e.path().extension() == ".yml"))
          files.push_back(e.path().string());
      std::sort(files.begin(), files.end());  // deterministic order
      for (const auto& f : files) {
        c.load_file(f, kind);
        std::ifstream in(f, std::ios::binary);
        std::stringstream bytes;
        bytes << in.rdbuf();
        c.fingerprint_lines_ += kind + "/" + fs::path(f).filename().string() + " " + sha256_hex(bytes.str()) + "\n";
      }
    }
  }
  // Aliases after all files: an overlay may add some.
  for (const auto& [kind, byid] : c.entries_)
    for (const auto& [id, e] : byid)
      for (const auto& a : e.aliases) c.alias_[kind][a] = id;
  c.check_references();
  return c;
}

Catalog Catalog::load_files(const std::vector<std::string>& files) {
  Catalog c;
  for (const auto& f : files) {
    const std::string kind = fs::absolute(f).parent_path().filename().string();
    const auto& ks = kinds();
    if (std::find(ks.begin(), ks.end(), kind) == ks.end())
      throw UserError(Location{f, 0, ""}, "a file inside a chips/, systems/, models/, workloads/, regions/, vendors/ or scenarios/ folder",
                      "folder '" + kind + "'", suggest(kind, ks));
    c.load_file(f, kind);
  }
  return c;
}

Catalog Catalog::load_files_as(const std::string& file, const std::string& kind) {
  Catalog c;
  c.load_file(file, kind);
  return c;
}

Catalog Catalog::load_text(const std::string& text, const std::string& file, const std::string& kind) {
  Catalog c;
  c.load_root(parse_yaml(text, file), file, kind);
  return c;
}

void Catalog::check_references() const {
  // Cross-entry references must resolve: a system's chip, a vendor's chips.
  if (auto it = entries_.find("systems"); it != entries_.end())
    for (const auto& [id, e] : it->second) {
      const std::string chip = e.str("chip");
      if (!chip.empty() && !try_resolve("chips", chip))
        throw UserError(e.at("chip"), "a known chip id", "'" + chip + "'", suggest(chip, ids("chips")));
    }
  if (auto it = entries_.find("vendors"); it != entries_.end())
    for (const auto& [id, e] : it->second)
      if (auto l = e.lists.find("chips"); l != e.lists.end())
        for (const auto& chip : l->second)
          if (!try_resolve("chips", chip))
            throw UserError(e.at("chips"), "a known chip id", "'" + chip + "'", suggest(chip, ids("chips")));
  // A chip's or system's vendor must be a vendor entry (when the catalog has vendors).
  if (entries_.count("vendors"))
    for (const char* kind : {"chips", "systems"})
      if (auto it = entries_.find(kind); it != entries_.end())
        for (const auto& [id, e] : it->second) {
          const std::string vendor = e.str("vendor");
          if (!vendor.empty() && !try_resolve("vendors", vendor))
            throw UserError(e.at("vendor"), "a known vendor id", "'" + vendor + "'", suggest(vendor, ids("vendors")));
        }
}

std::optional<std::string> Catalog::try_resolve(std::string_view kind, std::string_view name) const {
  auto k = entries_.find(kind);
  if (k == entries_.end()) return std::nullopt;
  if (k->second.count(std::string(name))) return std::string(name);
  if (auto a = alias_.find(kind); a != alias_.end())
    if (auto it = a->second.find(std::string(name)); it != a->second.end()) return it->second;
  return std::nullopt;
}

std::string Catalog::resolve(std::string_view kind, std::string_view name) const {
  if (auto id = try_resolve(kind, name)) return *id;
  std::vector<std::string> cands = ids(kind);
  if (auto a = alias_.find(kind); a != alias_.end())
    for (const auto& [al, id] : a->second) cands.push_back(al);
  std::string singular(kind);
  if (!singular.empty() && singular.back() == 's') singular.pop_back();
  throw UserError(Location{"", 0, std::string(kind)}, "a known " + singular + " id", "'" + std::string(name) + "'",
                  suggest(name, cands));
}

const Entry& Catalog::entry(std::string_view kind, std::string_view name) const {
  const std::string id = resolve(kind, name);
  return entries_.find(kind)->second.at(id);
}

std::string Catalog::vendor_country(std::string_view vendor) const {
  const Entry* e = find("vendors", vendor);
  return e ? e->str("country") : std::string();
}

const Entry* Catalog::find(std::string_view kind, std::string_view id) const {
  auto k = entries_.find(kind);
  if (k == entries_.end()) return nullptr;
  auto it = k->second.find(std::string(id));
  return it == k->second.end() ? nullptr : &it->second;
}

std::vector<std::string> Catalog::ids(std::string_view kind) const {
  std::vector<std::string> out;
  if (auto k = entries_.find(kind); k != entries_.end())
    for (const auto& [id, e] : k->second) out.push_back(id);
  return out;
}

}  // namespace gpugap::catalog
