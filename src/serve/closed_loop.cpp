// Closed-loop benchmark means from the rounds before the loop turns periodic (serve.hpp,
// closed_loop_means): a closed loop of c clients with fixed lengths is deterministic and,
// after its first rounds, periodic, so the later rounds are the last simulated one repeated.
#include <algorithm>

#include "serve/serve.hpp"

namespace gpugap::serve {
namespace {

struct RoundMeans {
  double ttft = 0, tpot = 0, e2e = 0;  // seconds
};

// Means of requests [from, to) in send order; TTFT and E2E include the client-side overhead.
RoundMeans means(const SimResult& r, std::size_t from, std::size_t to, double overhead_s) {
  RoundMeans m;
  int n_tpot = 0;
  for (std::size_t i = from; i < to; ++i) {
    const auto& q = r.records[i];
    m.ttft += q.first_token_s - q.sent_s + overhead_s;
    m.e2e += q.last_token_s - q.sent_s + overhead_s;
    if (q.output > 1) {
      m.tpot += (q.last_token_s - q.first_token_s) / (q.output - 1);
      ++n_tpot;
    }
  }
  const double n = static_cast<double>(std::max<std::size_t>(to - from, 1));
  m.ttft /= n;
  m.e2e /= n;
  m.tpot = n_tpot ? m.tpot / n_tpot : 0.0;
  return m;
}

}  // namespace

LoopMeans closed_loop_means(const ChipSpec& chip, const ModelSpec& model, const perf::Deployment& d, const SimOptions& opt) {
  LoopMeans out;
  const int c = opt.arrivals.max_concurrency;
  const int n = opt.requests.count;
  const bool periodic = c > 0 && opt.arrivals.rate <= 0 && opt.requests.dist == LengthDist::kFixed && n % c == 0;
  out.rounds = periodic ? n / c : 0;
  SimOptions o = opt;
  o.stop_when_periodic = periodic ? c : 0;
  out.run = simulate(chip, model, d, o);
  const SimResult& r = out.run;
  out.simulated_rounds = r.periodic_rounds > 0 ? r.periodic_rounds : out.rounds;
  out.extrapolated = r.periodic_rounds > 0;
  if (!r.ok()) return out;
  const double oh = opt.ttft_overhead_s;
  if (!out.extrapolated) {
    const RoundMeans all = means(r, 0, r.records.size(), oh);
    out.ttft_ms = all.ttft * 1e3;
    out.tpot_ms = all.tpot * 1e3;
    out.e2e_ms = all.e2e * 1e3;
    out.output_tps_per_chip = r.output_tps_per_chip;
    out.input_tps_per_chip = r.input_tps / std::max(1, r.chips);
    return out;
  }
  // Rounds 1..k as simulated, rounds k+1..R as round k (the loop is periodic from there).
  const int k = r.periodic_rounds;
  RoundMeans sum;
  for (int j = 0; j < k; ++j) {
    const RoundMeans m = means(r, static_cast<std::size_t>(j) * c, static_cast<std::size_t>(j + 1) * c, oh);
    const double w = j + 1 < k ? 1.0 : double(out.rounds - k + 1);
    sum.ttft += w * m.ttft;
    sum.tpot += w * m.tpot;
    sum.e2e += w * m.e2e;
  }
  out.ttft_ms = sum.ttft / out.rounds * 1e3;
  out.tpot_ms = sum.tpot / out.rounds * 1e3;
  out.e2e_ms = sum.e2e / out.rounds * 1e3;
  // Little's law over the whole run: c requests in flight, each for the mean engine latency.
  const double latency = sum.e2e / out.rounds - oh;
  const double req_per_s = latency > 0 ? c / latency : 0.0;
  out.output_tps_per_chip = req_per_s * opt.requests.osl / std::max(1, r.chips);
  out.input_tps_per_chip = req_per_s * opt.requests.isl / std::max(1, r.chips);
  return out;
}

}  // namespace gpugap::serve
