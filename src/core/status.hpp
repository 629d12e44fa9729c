// Missing data as a value: the parameter paths an engine needed and the
// catalog lacks (null), and the one rendering of it, "insufficient data: PATH",
// with its parse-back. Status texts that carry missing data are built and read
// only through this file.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace gpugap {

// The one rendering: "insufficient data: PATH".
std::string insufficient_data_text(std::string_view path);

// Its parse-back: PATH from "insufficient data: PATH"; nullopt for any other text.
std::optional<std::string> insufficient_data_path(std::string_view text);

// The missing parameter paths, in the order met, without duplicates; ok() when none.
class Missing {
 public:
  Missing() = default;
  explicit Missing(std::string path);
  explicit Missing(const InsufficientData& e);
  // The missing path of a status text ("insufficient data: PATH"); empty for any other text.
  static Missing parse(std::string_view text);

  [[nodiscard]] bool ok() const { return paths_.empty(); }
  [[nodiscard]] const std::vector<std::string>& paths() const { return paths_; }
  // The first path met ("" when ok()).
  [[nodiscard]] const std::string& first() const;
  // "insufficient data: FIRST" ("" when ok()).
  [[nodiscard]] std::string text() const;
  // Adds a path not already listed; returns whether it was new.
  bool add(const std::string& path);
  // Throws InsufficientData(first()) unless ok().
  void raise() const;

  friend bool operator==(const Missing&, const Missing&) = default;

 private:
  std::vector<std::string> paths_;
};

}  // namespace gpugap
