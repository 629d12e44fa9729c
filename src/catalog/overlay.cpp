#include "catalog/overlay.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "core/output.hpp"

namespace gpugap::catalog {

OverlayNode OverlayNode::plain(std::string text) {
  OverlayNode n;
  n.map_ = false;
  n.text_ = std::move(text);
  return n;
}

OverlayNode OverlayNode::quoted(std::string text) {
  OverlayNode n = plain(std::move(text));
  n.quoted_ = true;
  return n;
}

OverlayNode OverlayNode::quantity(OverlayNode value, const Provenance& p) {
  OverlayNode n;
  n.add("value", std::move(value));
  n.add("source", quoted(p.source));
  n.add("as_of", quoted(p.as_of));
  n.add("confidence", plain(p.confidence));
  return n;
}

OverlayNode& OverlayNode::add(const std::string& key, OverlayNode child) {
  children_.emplace_back(key, std::move(child));
  return children_.back().second;
}

OverlayNode& OverlayNode::child(const std::string& key) {
  for (auto& [k, c] : children_)
    if (k == key) return c;
  return add(key, map());
}

namespace {

void emit(YAML::Emitter& out, const OverlayNode& n) {
  if (!n.is_map()) {
    if (n.is_quoted()) out << YAML::DoubleQuoted;
    out << n.text();
    return;
  }
  out << YAML::BeginMap;
  for (const auto& [key, child] : n.children()) {
    out << YAML::Key << key << YAML::Value;
    emit(out, child);
  }
  out << YAML::EndMap;
}

}  // namespace

std::string emit_overlay(const OverlayFile& f) {
  YAML::Emitter out;
  out.SetIndent(2);
  if (!f.comment.empty()) out << YAML::Comment(f.comment);
  emit(out, f.root);
  return std::string(out.c_str()) + "\n";
}

void write_overlay(const std::string& dir, const std::map<std::string, OverlayFile>& files) {
  for (const auto& [rel, file] : files) atomic_write((std::filesystem::path(dir) / rel).string(), emit_overlay(file));
}

}  // namespace gpugap::catalog
