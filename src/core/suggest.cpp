#include "core/suggest.hpp"

#include <algorithm>

namespace gpugap {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + cost});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string suggest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3) + 1;
  std::size_t best_d = limit;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    // A candidate that contains the word (or vice versa) is a hint when no
    // close typo is found, but never beats one ('nvidia-h2O' is 'nvidia-h20', not 'nvidia').
    if (d >= limit && (c.find(word) != std::string::npos || word.find(c) != std::string_view::npos) &&
        !word.empty() && !c.empty())
      d = limit - 1;
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

}  // namespace gpugap
