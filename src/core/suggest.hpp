// "Did you mean ...?" for misspelt keys, ids and paths.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gpugap {

std::size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate within a distance that scales with the word's length,
// or "" when nothing is close enough to be a plausible typo.
std::string suggest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace gpugap
