// Internals of the simulator: the state of each request and of each serving
// instance, and the scheduler that forms one engine step (scheduler.cpp).
#pragma once

#include <deque>
#include <vector>

#include "perf/step.hpp"
#include "serve/rng.hpp"
#include "serve/serve.hpp"

namespace gpugap::serve::detail {

struct Request {
  int input = 0, output = 0;
  double arrival = 0;   // when its client would send it
  double sent = -1;     // when it was sent (after the concurrency limit)
  double first = -1;    // first token
  double last_emit = -1;
  int generated = 0;    // output tokens produced
  int computed = 0;     // tokens of the current prompt whose KV is computed on this instance
  int target = 0;       // tokens to prefill: the input, or input + output so far after a preemption
  long long blocks = 0; // KV blocks held
  bool done = false;
};

enum class Role : std::uint8_t { kAgg, kPrefill, kDecode };

// One request's share of a step: `prefill` prompt tokens, or 0 for one decode step.
struct Work {
  int req = 0;
  int prefill = 0;
};

struct Instance {
  Role role = Role::kAgg;
  const perf::StepModel* model = nullptr;
  SchedulerSpec sched;
  long long blocks_total = 0, blocks_free = 0;
  std::deque<int> waiting;
  std::vector<int> running;  // admitted, in admission order
  long long queued_tokens = 0;  // prompt tokens sent here and not yet prefilled (dispatch)
  bool busy = false;
  double busy_from = 0, busy_until = 0;
  std::vector<Work> work;  // the step in progress
  long long preemptions = 0;
};

// Forms the next step of `inst` from its queues (admission, KV blocks, preemption);
// leaves inst.work empty when there is nothing to run.
void form_step(Instance& inst, std::vector<Request>& reqs);

// The step's load for perf's step model.
perf::StepLoad step_load(const Instance& inst, const std::vector<Request>& reqs);

// Blocks of `tokens` tokens.
inline long long blocks_for(long long tokens, int block_tokens) { return (tokens + block_tokens - 1) / block_tokens; }

}  // namespace gpugap::serve::detail
