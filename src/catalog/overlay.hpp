// Catalog overlay files written by the tool (gpugap calibrate): YAML emitted with
// yaml-cpp, each number with its provenance, read back by the loader like any
// catalog file given with --catalog.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace gpugap::catalog {

// Where a written value comes from (the catalog's source, as_of, confidence).
struct Provenance {
  std::string source;
  std::string as_of;
  std::string confidence = "medium";
};

// A node of an overlay file: a scalar, written plain (numbers, ids, booleans) or
// double-quoted (free text, values with units), or a map that keeps its keys in order.
class OverlayNode {
 public:
  static OverlayNode plain(std::string text);
  static OverlayNode quoted(std::string text);
  // A sourced quantity: {value, source, as_of, confidence}.
  static OverlayNode quantity(OverlayNode value, const Provenance& p);
  static OverlayNode map() { return OverlayNode(); }

  // Appends `key` (maps only); returns the new child.
  OverlayNode& add(const std::string& key, OverlayNode child);
  // The child `key`, appended as an empty map when absent.
  OverlayNode& child(const std::string& key);
  [[nodiscard]] bool is_map() const { return map_; }
  [[nodiscard]] bool is_quoted() const { return quoted_; }
  [[nodiscard]] const std::string& text() const { return text_; }
  [[nodiscard]] const std::vector<std::pair<std::string, OverlayNode>>& children() const { return children_; }

 private:
  bool map_ = true;
  bool quoted_ = false;
  std::string text_;
  std::vector<std::pair<std::string, OverlayNode>> children_;
};

struct OverlayFile {
  std::string comment;  // the first line, after "# "
  OverlayNode root = OverlayNode::map();
};

// The YAML text of one file.
std::string emit_overlay(const OverlayFile& f);
// Writes each file (path relative to `dir`) atomically.
void write_overlay(const std::string& dir, const std::map<std::string, OverlayFile>& files);

}  // namespace gpugap::catalog
