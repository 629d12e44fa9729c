// The discrete-event loop of the serving simulator: requests are sent (at once,
// at a Poisson rate, or as slots of a closed loop free up), instances run steps
// back to back while they have work, each step costing one evaluation of perf's
// step model; tokens are stamped at the end of the step that produces them.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <bit>
#include <queue>
#include <unordered_map>

#include "core/error.hpp"
#include "core/status.hpp"
#include "perf/deployment.hpp"
#include "serve/instance.hpp"
#include "serve/stats.hpp"

namespace gpugap::serve {
namespace {

using detail::Instance;
using detail::Request;
using detail::Role;

constexpr double kInf = std::numeric_limits<double>::infinity();

// A step load less its decode context, and the grid point of that context (StepCost).
struct CostKey {
  double seqs, pf_tokens, pf_ctx, pf_prefix, pf_done;
  long long grid;
  bool operator==(const CostKey&) const = default;
};
struct CostKeyHash {
  std::size_t operator()(const CostKey& k) const {
    std::size_t h = std::hash<long long>()(k.grid);
    for (double v : {k.seqs, k.pf_tokens, k.pf_ctx, k.pf_prefix, k.pf_done})
      h = (h ^ std::bit_cast<std::uint64_t>(v)) * 0x100000001b3ULL;
    return h;
  }
};

// The step model of one instance, evaluated exactly or (grid > 0) interpolated in the
// decode context between memoized grid points (SimOptions::step_grid_tokens).
class StepCost {
 public:
  StepCost(const perf::StepModel& m, int grid_tokens) : m_(m), grid_(grid_tokens) {}
  double operator()(const perf::StepLoad& l) {
    if (grid_ <= 0 || l.decode_seqs <= 0) return m_.seconds(l);
    const double h = l.decode_seqs * grid_;  // context sum per grid step
    const double x = l.decode_ctx_sum / h;
    const auto i = static_cast<long long>(std::floor(x));
    const double f = x - double(i);
    const double a = at(l, i, h);
    return f > 0 ? a + f * (at(l, i + 1, h) - a) : a;
  }

 private:
  double at(perf::StepLoad l, long long i, double h) {
    const CostKey k{l.decode_seqs, l.prefill_tokens, l.prefill_ctx_sum, l.prefill_prefix, l.prefill_done, i};
    if (auto it = memo_.find(k); it != memo_.end()) return it->second;
    l.decode_ctx_sum = double(i) * h;
    return memo_[k] = m_.seconds(l);
  }
  const perf::StepModel& m_;
  int grid_;
  std::unordered_map<CostKey, double, CostKeyHash> memo_;
};

struct Transfer {
  double ready = 0;
  long long seq = 0;  // ties in send order
  int req = 0;
  bool operator>(const Transfer& o) const { return ready != o.ready ? ready > o.ready : seq > o.seq; }
};

class Sim {
 public:
  Sim(std::vector<Request> reqs, std::vector<Instance> insts, const SimOptions& opt)
      : reqs_(std::move(reqs)), inst_(std::move(insts)), opt_(opt), draft_rng_(opt.seed, kStreamDrafts) {
    for (const auto& in : inst_) cost_.emplace_back(*in.model, opt.step_grid_tokens);
  }

  // acceptance: of the first draft; later: of each draft after it, given the one before.
  void run(SimResult& res, double acceptance, double later) {
    acceptance_ = acceptance;
    later_ = later;
    const int n = static_cast<int>(reqs_.size());
    const int cap = opt_.arrivals.max_concurrency;
    double now = 0;
    int next = 0;
    while (completed_ < n && !stopped_) {
      double t = kInf;
      if (next < n && (cap <= 0 || inflight_ < cap)) t = std::max(now, reqs_[next].arrival);
      for (const auto& in : inst_)
        if (in.busy) t = std::min(t, in.busy_until);
      if (!transfers_.empty()) t = std::min(t, transfers_.top().ready);
      if (t == kInf) throw InternalError("serve: no event left with requests unfinished");
      now = t;
      for (std::size_t i = 0; i < inst_.size(); ++i)
        if (inst_[i].busy && inst_[i].busy_until <= now) finish_step(static_cast<int>(i), now);
      while (!transfers_.empty() && transfers_.top().ready <= now) {
        const int id = transfers_.top().req;
        transfers_.pop();
        inst_[0].waiting.push_back(id);
      }
      while (next < n && (cap <= 0 || inflight_ < cap) && reqs_[next].arrival <= now) send(next++, now);
      for (std::size_t i = 0; i < inst_.size(); ++i)
        if (!inst_[i].busy) start_step(static_cast<int>(i), now, res);
    }
    end_ = now;
    for (const auto& in : inst_) res.preemptions += in.preemptions;
  }

  [[nodiscard]] const std::vector<Request>& requests() const { return reqs_; }
  [[nodiscard]] int periodic_rounds() const { return stopped_ ? rounds_checked_ : 0; }
  [[nodiscard]] const Weighted& itl() const { return itl_; }
  [[nodiscard]] double end() const { return end_; }
  [[nodiscard]] double running_time() const { return running_time_; }

 private:
  // A request of round id / c finished: once its round (and every earlier one) is
  // complete, compare the round's mean TTFT and TPOT with the one before; four equal
  // rounds in a row end the run (SimOptions::stop_when_periodic).
  void round_done(int id) {
    const auto c = static_cast<std::size_t>(opt_.stop_when_periodic);
    const std::size_t round = static_cast<std::size_t>(id) / c;
    if (round_left_.empty()) round_left_.assign((reqs_.size() + c - 1) / c, static_cast<int>(c));
    --round_left_[round];
    while (!stopped_ && static_cast<std::size_t>(rounds_checked_) < round_left_.size() && round_left_[rounds_checked_] == 0) {
      double ttft = 0, tpot = 0;
      const std::size_t from = static_cast<std::size_t>(rounds_checked_) * c, to = std::min(from + c, reqs_.size());
      for (std::size_t i = from; i < to; ++i) {
        const Request& q = reqs_[i];
        ttft += q.first - q.sent;
        if (q.output > 1) tpot += (q.last_emit - q.first) / (q.output - 1);
      }
      auto same = [](double a, double b) { return std::abs(a - b) <= 1e-3 * std::max(std::abs(a), std::abs(b)); };
      stable_ = rounds_checked_ > 0 && same(ttft, last_ttft_) && same(tpot, last_tpot_) ? stable_ + 1 : 0;
      last_ttft_ = ttft;
      last_tpot_ = tpot;
      ++rounds_checked_;
      if (stable_ >= 3 && static_cast<std::size_t>(rounds_checked_) < round_left_.size()) stopped_ = true;
    }
  }

  void send(int id, double now) {
    Request& r = reqs_[id];
    r.sent = now;
    ++inflight_;
    // Disaggregated: to the prefill instance with the fewest prompt tokens queued.
    int to = 0;
    if (inst_.size() > 1) {
      to = 1;
      for (std::size_t i = 2; i < inst_.size(); ++i)
        if (inst_[i].queued_tokens < inst_[to].queued_tokens) to = static_cast<int>(i);
    }
    inst_[to].queued_tokens += r.input;
    inst_[to].waiting.push_back(id);
  }

  void start_step(int i, double now, SimResult& res) {
    Instance& in = inst_[i];
    if (in.waiting.empty() && in.running.empty()) return;
    detail::form_step(in, reqs_);
    if (in.work.empty()) return;
    const perf::StepLoad load = detail::step_load(in, reqs_);
    const double dt = cost_[static_cast<std::size_t>(i)](load);
    in.busy = true;
    in.busy_from = now;
    in.busy_until = now + dt;
    ++res.steps;
    if (i == 0) running_time_ += dt * static_cast<double>(in.running.size());
    if (opt_.trace)
      res.trace.push_back({i, now, now + dt, static_cast<int>(load.decode_seqs), static_cast<int>(load.prefill_tokens),
                           static_cast<int>(in.running.size()), static_cast<int>(in.waiting.size()),
                           double(in.blocks_total - in.blocks_free) * in.sched.block_tokens});
  }

  // Tokens a decode step gives a sequence: 1 plus the drafts accepted in a row.
  int step_tokens(int drafts) {
    int k = 1;
    for (int j = 0; j < drafts; ++j) {
      if (draft_rng_.uniform() >= (j == 0 ? acceptance_ : later_)) break;
      ++k;
    }
    return k;
  }

  void emit(Request& r, int k, double t) {
    if (r.generated == 0) r.first = t;
    else itl_.add(t - r.last_emit);
    r.generated += k;
    r.last_emit = t;
  }

  void finish_step(int i, double now) {
    Instance& in = inst_[i];
    in.busy = false;
    const int drafts = in.model->drafts();
    bool leaves = false;
    for (const auto& w : in.work) {
      Request& r = reqs_[w.req];
      if (w.prefill > 0) {
        r.computed += w.prefill;
        if (r.computed < r.target) continue;
        if (r.computed == r.input) in.queued_tokens -= r.input;
        emit(r, 1, now);
        if (in.role == Role::kPrefill && r.generated < r.output) {
          // The KV cache leaves for the decode instance.
          in.blocks_free += r.blocks;
          r.blocks = 0;
          transfers_.push({now + in.model->kv_transfer_seconds(r.input), transfer_seq_++, w.req});
          leaves = true;
          r.done = true;  // done here; reset when the decode instance takes it
        }
      } else {
        emit(r, std::min(step_tokens(drafts), r.output - r.generated), now);
      }
      if (r.generated >= r.output) {
        in.blocks_free += r.blocks;
        r.blocks = 0;
        r.done = true;
        r.last_emit = now;
        ++completed_;
        if (opt_.stop_when_periodic > 0) round_done(w.req);
        --inflight_;
        leaves = true;
      }
    }
    if (!leaves) return;
    auto gone = [&](int id) { return reqs_[id].done; };
    in.running.erase(std::remove_if(in.running.begin(), in.running.end(), gone), in.running.end());
    for (const auto& w : in.work) {
      Request& r = reqs_[w.req];
      if (r.done && r.generated < r.output) {
        r.done = false;  // handed over: the decode instance holds no prompt work for it
        r.computed = r.target = r.input;
      }
    }
  }

  std::vector<Request> reqs_;
  std::vector<Instance> inst_;
  std::vector<StepCost> cost_;  // one per instance
  const SimOptions& opt_;
  Rng draft_rng_;
  double acceptance_ = 0;
  double later_ = 0;
  std::priority_queue<Transfer, std::vector<Transfer>, std::greater<>> transfers_;
  long long transfer_seq_ = 0;
  int completed_ = 0;
  std::vector<int> round_left_;  // requests of each round not finished (stop_when_periodic)
  int rounds_checked_ = 0, stable_ = 0;
  double last_ttft_ = 0, last_tpot_ = 0;
  bool stopped_ = false;
  int inflight_ = 0;
  Weighted itl_;
  double end_ = 0;
  double running_time_ = 0;
};

// Instances of the deployment: the agg or decode instance first, then the prefill pool.
struct Pools {
  std::unique_ptr<perf::StepModel> main, prefill;
  int prefill_instances = 0;
};

Pools build_pools(const ChipSpec& chip, const ModelSpec& model, const perf::Deployment& d, const Workload& w,
                  const perf::KernelEvidence* kernels, SimResult& res) {
  Pools p;
  p.main = std::make_unique<perf::StepModel>(chip, model, d, kernels);
  res.decode_chips = d.chips();
  res.chips = d.chips();
  if (d.mode != perf::ServeMode::kDisagg) return p;
  const perf::Deployment pd = perf::prefill_deployment(d);
  p.prefill = std::make_unique<perf::StepModel>(chip, model, pd, kernels);
  double ratio = d.prefill_decode_ratio;
  if (ratio <= 0) {
    // The pool perf sizes for this deployment (prefill chips per decode chip).
    const perf::PerfResult pr = perf::evaluate(chip, model, d, w, perf::EvalOptions{false, kernels});
    if (!pr.ok()) Missing::parse(pr.status).raise();
    ratio = std::max(0.0, double(pr.chips) / d.chips() - 1.0);
    res.notes.push_back(fmt::format("prefill pool sized by perf at {:.3g} prefill chips per decode chip", ratio));
  }
  p.prefill_instances = std::max(1, static_cast<int>(std::lround(ratio * d.chips() / pd.chips())));
  res.prefill_instances = p.prefill_instances;
  res.prefill_chips = p.prefill_instances * pd.chips();
  res.chips = res.decode_chips + res.prefill_chips;
  return p;
}

detail::Instance make_instance(Role role, const perf::StepModel& m, const SchedulerSpec& s) {
  detail::Instance in;
  in.role = role;
  in.model = &m;
  in.sched = s;
  in.blocks_total = static_cast<long long>(m.kv_tokens() / std::max(1, s.block_tokens));
  in.blocks_free = in.blocks_total;
  return in;
}

void fill_result(SimResult& res, const Sim& sim, double overhead_s) {
  const auto& reqs = sim.requests();
  Weighted ttft, tpot, e2e;
  for (const auto& r : reqs) {
    if (r.generated < r.output) continue;  // not run: the run stopped once periodic
    ttft.add((r.first - r.sent + overhead_s) * 1e3);
    e2e.add((r.last_emit - r.sent + overhead_s) * 1e3);
    if (r.output > 1) tpot.add((r.last_emit - r.first) / (r.output - 1) * 1e3);
    res.output_tokens += r.output;
    res.input_tokens += r.input;
    res.records.push_back({r.input, r.output, r.sent, r.first, r.last_emit});
  }
  res.requests = static_cast<int>(res.records.size());
  res.periodic_rounds = sim.periodic_rounds();
  res.duration_s = sim.end();
  const double dur = std::max(res.duration_s, 1e-12);
  res.request_tps = res.requests / dur;
  res.output_tps = double(res.output_tokens) / dur;
  res.input_tps = double(res.input_tokens) / dur;
  res.output_tps_per_chip = res.output_tps / res.chips;
  res.output_tps_per_decode_chip = res.output_tps / res.decode_chips;
  res.ttft_ms = ttft.stat();
  res.tpot_ms = tpot.stat();
  res.e2e_ms = e2e.stat();
  Weighted itl = sim.itl();
  itl.scale(1e3);
  res.itl_ms = itl.stat();
  res.mean_running = sim.running_time() / dur;
}

}  // namespace

SimResult simulate(const ChipSpec& chip, const ModelSpec& model, const perf::Deployment& d, const SimOptions& opt) {
  SimResult res;
  const auto lengths = draw_lengths(opt.requests, opt.seed);
  const auto arrivals = draw_arrivals(opt.requests.count, opt.arrivals, opt.seed);
  const SchedulerSpec& s = opt.scheduler;
  require(s.max_batched_tokens >= 1 && s.block_tokens >= 1 && s.max_running >= 0, Location{"", 0, "--scheduler"},
          "a scheduler with a token budget and block size >= 1",
          fmt::format("budget {} block {} max running {}", s.max_batched_tokens, s.block_tokens, s.max_running));
  // The mean lengths: the workload perf sizes a disaggregated prefill pool for.
  Workload w;
  double in_sum = 0, out_sum = 0;
  for (const auto& l : lengths) {
    in_sum += l.input;
    out_sum += l.output;
  }
  w.isl = std::max(1, static_cast<int>(std::lround(in_sum / lengths.size())));
  w.osl = std::max(1, static_cast<int>(std::lround(out_sum / lengths.size())));
  Pools pools;
  try {
    pools = build_pools(chip, model, d, w, opt.kernels, res);
  } catch (const InsufficientData& e) {
    res.status = Missing(e).text();
    return res;
  }
  std::vector<Instance> insts;
  insts.push_back(make_instance(d.mode == perf::ServeMode::kDisagg ? Role::kDecode : Role::kAgg, *pools.main, s));
  for (int i = 0; i < pools.prefill_instances; ++i) insts.push_back(make_instance(Role::kPrefill, *pools.prefill, s));
  res.kv_capacity_tokens = double(insts[0].blocks_total) * s.block_tokens;
  // A request that cannot fit the KV cache alone would wait forever.
  int longest = 0;
  for (const auto& l : lengths) longest = std::max(longest, l.input + l.output);
  for (const auto& in : insts) {
    const double cap = double(in.blocks_total) * s.block_tokens;
    if (cap < longest) {
      res.status = cap <= 0 ? "infeasible: the weights leave no memory for the KV cache"
                            : fmt::format("infeasible: a request of {} tokens exceeds the KV cache of {} tokens per instance",
                                          longest, static_cast<long long>(cap));
      return res;
    }
  }
  std::vector<Request> reqs(lengths.size());
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    reqs[i].input = lengths[i].input;
    reqs[i].output = lengths[i].output;
    reqs[i].target = lengths[i].input;
    reqs[i].arrival = arrivals[i];
  }
  Sim sim(std::move(reqs), std::move(insts), opt);
  if (d.mtp > 0) sim.run(res, perf::draft_acceptance(d, 1), perf::draft_acceptance(d, 2));
  else sim.run(res, 0.0, 0.0);
  fill_result(res, sim, opt.ttft_overhead_s);
  return res;
}

}  // namespace gpugap::serve
