// Fitting the software-stack values: robust least squares (Nelder-Mead on a
// Huber loss of log errors) per group, and each benchmark harness's wave share.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include <tbb/parallel_for.h>

#include "perf/validation_detail.hpp"

namespace gpugap::perf {
namespace detail {
namespace {


constexpr double kHuberDelta = 0.2;  // log-error beyond which residuals count linearly (~22%)
constexpr double kEtaMin = kEtaFloor, kEtaMax = 0.95;  // no kernel sustains its peak; kEtaFloor: none runs below it
constexpr double kLaunchMin = 1e-6, kLaunchMax = 2e-4;  // collective latency (NVLink one-shot all-reduce: a few us)
constexpr double kStepMin = 1e-6, kStepMax = 2e-2;      // fixed time per forward step
constexpr double kSeqMin = 1e-8, kSeqMax = 1e-3;        // host time per sequence per step

double huber(double r) {
  const double a = std::fabs(r);
  return a <= kHuberDelta ? 0.5 * r * r : kHuberDelta * (a - 0.5 * kHuberDelta);
}

constexpr int kParams = 7;  // eta_compute, eta_memory, launch overhead, TTFT overhead, burst share, collective latency,
                            // per-sequence overhead
using Vec = std::array<double, kParams>;
constexpr double kTtftMin = 1e-4, kTtftMax = 3.0;

double sig(double v) { return 1.0 / (1.0 + std::exp(-v)); }
double logit(double p) {
  p = std::clamp(p, 1e-6, 1 - 1e-6);
  return std::log(p / (1 - p));
}
double log_between(double lo, double hi, double u) { return std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * u); }
double log_share(double lo, double hi, double v) { return (std::log(std::clamp(v, lo, hi)) - std::log(lo)) / (std::log(hi) - std::log(lo)); }

Efficiency from_x(const Vec& x) {
  Efficiency e;
  e.eta_compute = kEtaMin + (kEtaMax - kEtaMin) * sig(x[0]);
  e.eta_memory = kEtaMin + (kEtaMax - kEtaMin) * sig(x[1]);
  e.launch_overhead_s = log_between(kStepMin, kStepMax, sig(x[2]));
  e.ttft_overhead_s = log_between(kTtftMin, kTtftMax, sig(x[3]));
  e.burst = sig(x[4]);
  e.comm_latency_s = log_between(kLaunchMin, kLaunchMax, sig(x[5]));
  e.seq_overhead_s = log_between(kSeqMin, kSeqMax, sig(x[6]));
  return e;
}

Vec to_x(const Efficiency& e) {
  return {logit((e.eta_compute - kEtaMin) / (kEtaMax - kEtaMin)), logit((e.eta_memory - kEtaMin) / (kEtaMax - kEtaMin)),
          logit(log_share(kStepMin, kStepMax, e.launch_overhead_s)),
          logit(log_share(kTtftMin, kTtftMax, std::max(e.ttft_overhead_s, kTtftMin))), logit(std::clamp(e.burst, 0.01, 0.99)),
          logit(log_share(kLaunchMin, kLaunchMax, e.comm_latency_s)), logit(log_share(kSeqMin, kSeqMax, e.seq_overhead_s))};
}

double loss(const std::vector<const PreparedRow*>& rows, const std::vector<double>& weight, const Efficiency& e) {
  std::vector<double> per(rows.size(), 0.0);
  tbb::parallel_for(std::size_t(0), rows.size(), [&](std::size_t i) { per[i] = weight[i] * row_loss(predict_prepared(*rows[i], &e)); });
  // Summed in row order: the same bytes whatever the thread count.
  double sum = 0;
  for (double v : per) sum += v;
  return sum;
}

// The wave share of one benchmark harness (a publication's rows) is a property of how the
// benchmark sent its requests, not of the serving stack: `f(share)` is its rows' loss, each
// row with its own group's other values. Golden-section search on [0, 1].
double fit_burst(const std::function<double(double)>& f) {
  const double g = (std::sqrt(5.0) - 1) / 2;
  double a = 0, b = 1, c = b - g * (b - a), d = a + g * (b - a);
  double fc = f(c), fd = f(d);
  for (int it = 0; it < 40; ++it) {
    if (fc <= fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = f(c); }
    else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = f(d); }
  }
  return (a + b) / 2;
}

}  // namespace

// One row's robust loss: each row weighs one in total, shared by its metrics.
double row_loss(const RowPrediction& p) {
  if (!p.skip_reason.empty()) return 1.0;  // a row the fit makes unusable costs like a large miss
  double sum = 0;
  const double w = p.metrics.empty() ? 0.0 : 1.0 / p.metrics.size();
  for (const auto& me : p.metrics) sum += w * huber(std::log(me.predicted / me.measured));
  return sum;
}

// Nelder-Mead on the unbounded (logit) parameters: deterministic, derivative-free.
Efficiency fit(const std::vector<const PreparedRow*>& rows, const Efficiency& start) {
  constexpr int kN = kParams;
  constexpr int kIterations = 250;
  constexpr int kRounds = 6;
  constexpr double kTol = 1e-4;
  constexpr double kStep = 0.8;
  std::array<Vec, kN + 1> s{};
  std::array<double, kN + 1> f{};
  const Vec x0 = to_x(start);
  const bool freeze_ttft = ttft_rows(rows) < static_cast<std::size_t>(kMinTtftRows);
  // A model's n rows weigh sqrt(n) together: a group's values also stand for models
  // without measurements, so the most-measured model must not decide them alone, and
  // rows of one model (one serving recipe) are not independent evidence.
  auto key = [](const PreparedRow* r) { return r->base.model_id + '|' + r->base.row->source; };
  std::map<std::string, int> per_model;
  for (const auto* r : rows) ++per_model[key(r)];
  std::vector<double> weight(rows.size(), 1.0);
  for (std::size_t i = 0; i < rows.size(); ++i) weight[i] = 1.0 / std::sqrt(double(per_model[key(rows[i])]));
  // Where every row has measured kernels, eta_compute and eta_memory reach only the router
  // (and formats without a table) and the collective latency is the measured one: kept at
  // the start, not fitted on what they barely move.
  const bool freeze_eta = std::all_of(rows.begin(), rows.end(), [](const PreparedRow* r) { return r->kernels != nullptr; });
  auto loss = [&](const std::vector<const PreparedRow*>& rs, Efficiency e) {
    if (freeze_eta) {
      e.eta_compute = start.eta_compute;
      e.eta_memory = start.eta_memory;
      e.comm_latency_s = start.comm_latency_s;
    }
    if (freeze_ttft) {
      e.ttft_overhead_s = start.ttft_overhead_s;
      e.burst = start.burst;
    }
    return gpugap::perf::detail::loss(rs, weight, e);
  };
  // Nelder-Mead restarted from its best point with a fresh simplex until a round
  // gains less than kTol: one run collapses its simplex on this loss before it
  // converges, and the result would then depend on where it started.
  Vec x = x0;
  double fx = loss(rows, from_x(x));
  for (int round = 0; round < kRounds; ++round) {
    const double step = round == 0 ? kStep : kStep / 2;
    s[0] = x;
    f[0] = fx;
    for (int i = 0; i < kN; ++i) {
      s[i + 1] = s[0];
      s[i + 1][i] += step;
    }
    for (int i = 1; i <= kN; ++i) f[i] = loss(rows, from_x(s[i]));
    std::array<int, kN + 1> idx{};
    for (int it = 0; it < kIterations; ++it) {
      for (int i = 0; i <= kN; ++i) idx[i] = i;
      std::sort(idx.begin(), idx.end(), [&](int a, int b) { return f[a] < f[b] || (f[a] == f[b] && a < b); });
      const int best = idx[0], worst = idx[kN], second = idx[kN - 1];
      if (std::fabs(f[worst] - f[best]) < 1e-7 * (1 + std::fabs(f[best]))) break;
      Vec c{};
      for (int k = 0; k < kN; ++k)
        for (int j = 0; j < kN; ++j) c[j] += s[idx[k]][j] / kN;
      auto along = [&](double t) {
        Vec p{};
        for (int j = 0; j < kN; ++j) p[j] = c[j] + t * (s[worst][j] - c[j]);
        return p;
      };
      const Vec xr = along(-1.0);
      const double fr = loss(rows, from_x(xr));
      if (fr < f[best]) {
        const Vec xe = along(-2.0);
        const double fe = loss(rows, from_x(xe));
        if (fe < fr) { s[worst] = xe; f[worst] = fe; }
        else { s[worst] = xr; f[worst] = fr; }
      } else if (fr < f[second]) {
        s[worst] = xr;
        f[worst] = fr;
      } else {
        const Vec xc = along(0.5);
        const double fc = loss(rows, from_x(xc));
        if (fc < f[worst]) { s[worst] = xc; f[worst] = fc; }
        else {
          for (int k = 1; k <= kN; ++k) {
            const int i = idx[k];
            for (int j = 0; j < kN; ++j) s[i][j] = s[best][j] + 0.5 * (s[i][j] - s[best][j]);
            f[i] = loss(rows, from_x(s[i]));
          }
        }
      }
    }
    int b = 0;
    for (int i = 1; i <= kN; ++i)
      if (f[i] < f[b]) b = i;
    const double gain = fx - f[b];
    if (f[b] < fx) {
      x = s[b];
      fx = f[b];
    }
    if (gain <= kTol * (1 + std::fabs(fx))) break;
  }
  Efficiency out = from_x(x);
  if (freeze_eta) {
    out.eta_compute = start.eta_compute;
    out.eta_memory = start.eta_memory;
    out.comm_latency_s = start.comm_latency_s;
  }
  if (freeze_ttft) {
    out.ttft_overhead_s = start.ttft_overhead_s;
    out.burst = start.burst;
  }
  return out;
}

// The TTFT rows of each publication of the shared file among those `take` accepts.
std::map<std::string, std::vector<std::size_t>> harness_rows(const std::vector<Measurement>& rows,
                                                             const std::function<bool(std::size_t)>& take) {
  std::map<std::string, std::vector<std::size_t>> by;
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (!harness_of(rows[i]).empty() && rows[i].ttft_ms && take(i)) by[harness_of(rows[i])].push_back(i);
  return by;
}

// A harness's wave share from its rows, each given as its prediction at a share; none
// from fewer than kMinTtftRows rows.
std::optional<HarnessFit> fit_harness_share(const std::vector<std::function<RowPrediction(double)>>& rows) {
  if (rows.size() < static_cast<std::size_t>(kMinTtftRows)) return std::nullopt;
  const double b = fit_burst([&](double share) {
    double sum = 0;
    for (const auto& predict_at : rows) sum += row_loss(predict_at(share));
    return sum;
  });
  return HarnessFit{b, rows.size()};
}

}  // namespace detail

std::map<std::string, HarnessFit> fit_harness(const catalog::Catalog& cat, const ParamTable& params,
                                              const std::vector<Measurement>& rows, const ValidateOptions& opt) {
  ValidateOptions vo = opt;
  vo.harness = nullptr;
  std::map<std::string, HarnessFit> out;
  for (const auto& [h, idx] : detail::harness_rows(rows, [](std::size_t) { return true; })) {
    std::vector<std::function<RowPrediction(double)>> rs;
    for (auto i : idx) {
      detail::PreparedRow pr = detail::prepare_row(cat, params, rows[i], vo);
      if (detail::predict_prepared(pr, nullptr).metrics.empty()) continue;
      rs.push_back([pr](double share) mutable {
        pr.burst = share;
        return detail::predict_prepared(pr, nullptr);
      });
    }
    if (auto f = detail::fit_harness_share(rs)) out[h] = *f;
  }
  return out;
}

}  // namespace gpugap::perf
