// Samples with weights (many sequences of one step share an inter-token gap)
// and their mean and percentiles, interpolated as numpy.percentile does on the
// expanded samples, so the figures read like a benchmark tool's.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "serve/serve.hpp"

namespace gpugap::serve {

class Weighted {
 public:
  // Adds `value` `weight` times; runs of one value share an entry.
  void add(double value, std::uint32_t weight = 1) {
    if (!v_.empty() && v_.back().first == value) v_.back().second += weight;
    else v_.emplace_back(value, weight);
  }
  void scale(double f) {
    for (auto& e : v_) e.first *= f;
  }
  [[nodiscard]] Stat stat() const;

 private:
  std::vector<std::pair<double, std::uint64_t>> v_;
};

}  // namespace gpugap::serve
