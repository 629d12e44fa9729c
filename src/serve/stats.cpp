// Weighted statistics and the trace CSV of the simulator.
#include "serve/stats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace gpugap::serve {

Stat Weighted::stat() const {
  Stat s;
  if (v_.empty()) return s;
  auto v = v_;
  std::sort(v.begin(), v.end());
  double total = 0, sum = 0;
  for (const auto& [x, w] : v) {
    total += double(w);
    sum += x * double(w);
  }
  s.mean = sum / total;
  // The value at 0-based position pos of the expanded, sorted samples.
  auto at = [&](double pos) {
    double seen = 0;
    for (const auto& [x, w] : v) {
      seen += double(w);
      if (pos < seen) return x;
    }
    return v.back().first;
  };
  auto pct = [&](double q) {
    const double pos = q * (total - 1);
    const double lo = std::floor(pos);
    const double a = at(lo);
    const double b = at(std::min(lo + 1, total - 1));
    return a + (b - a) * (pos - lo);
  };
  s.p50 = pct(0.5);
  s.p90 = pct(0.9);
  s.p99 = pct(0.99);
  return s;
}

std::string trace_csv(const SimResult& r) {
  std::string out = "instance,start_s,end_s,decode_seqs,prefill_tokens,running,waiting,kv_tokens_used\n";
  for (const auto& t : r.trace)
    out += fmt::format("{},{:.9g},{:.9g},{},{},{},{},{:.0f}\n", t.instance, t.start_s, t.end_s, t.decode_seqs,
                       t.prefill_tokens, t.running, t.waiting, t.kv_tokens_used);
  return out;
}

}  // namespace gpugap::serve
