// How an engine forms one step: which running sequences decode, which prompts
// (or prompt chunks) are admitted within the token budget, KV-cache blocks
// allocated per sequence, and preemption by recompute when they run out
// (docs/model-serve.md, "Scheduler").
#include <algorithm>

#include "serve/instance.hpp"

namespace gpugap::serve::detail {
namespace {

class Former {
 public:
  Former(Instance& inst, std::vector<Request>& reqs) : in_(inst), reqs_(reqs), budget_(inst.sched.max_batched_tokens) {
    in_.work.clear();
  }

  void mixed() {
    // vLLM admits no new request in a step that preempted, unless nothing else runs.
    const bool preempted = running(true, true);
    if (!preempted || in_.work.empty()) admit();
  }

  void prefill_first() {
    running(true, false);
    admit();
    if (!in_.work.empty()) return;
    running(false, true);
  }

  void decode_only() {
    admit();
    running(false, true);
  }

  void prefill_only() {
    running(true, false);
    admit();
  }

 private:
  // Grows `r`'s KV to `tokens`; false when the free blocks do not suffice.
  bool grow(Request& r, long long tokens) {
    const long long need = blocks_for(tokens, in_.sched.block_tokens) - r.blocks;
    if (need <= 0) return true;
    if (need > in_.blocks_free) return false;
    in_.blocks_free -= need;
    r.blocks += need;
    return true;
  }

  // Preempts the last running sequence (recompute: its KV is freed, it goes to the
  // front of the queue and prefills its input and output so far again).
  void preempt_last() {
    const int v = in_.running.back();
    in_.running.pop_back();
    Request& r = reqs_[v];
    in_.blocks_free += r.blocks;
    r.blocks = 0;
    r.computed = 0;
    r.target = r.input + r.generated;
    in_.waiting.push_front(v);
    ++in_.preemptions;
  }

  // Schedules the running sequences: prompt chunks (`prompts`) and decode steps
  // (`decodes`). Returns whether it preempted.
  bool running(bool prompts, bool decodes) {
    const int drafts = in_.model->drafts();
    bool preempted = false;
    for (std::size_t i = 0; i < in_.running.size(); ++i) {
      const int id = in_.running[i];
      Request& r = reqs_[id];
      const bool prefilling = r.computed < r.target;
      if (prefilling ? !prompts : !decodes) continue;
      const int rest = r.target - r.computed;
      const int tokens = prefilling ? std::min(rest, budget_) : 1 + drafts;
      if (tokens <= 0 || tokens > budget_) continue;
      if (prefilling && !in_.sched.chunked_prefill && tokens < rest) continue;
      const long long kv = prefilling ? r.computed + tokens : static_cast<long long>(r.input) + r.generated + drafts;
      bool self = false;
      while (!grow(r, kv)) {
        if (in_.sched.reserve_output || in_.running.size() <= i + 1) {
          if (!in_.sched.reserve_output) {
            preempt_last();  // the sequence itself: nothing later to take blocks from
            preempted = true;
          }
          self = true;
          break;
        }
        preempt_last();
        preempted = true;
      }
      if (self) break;
      in_.work.push_back({id, prefilling ? tokens : 0});
      budget_ -= tokens;
    }
    return preempted;
  }

  // Admits waiting requests first come, first served while the sequence cap, the
  // token budget and the KV blocks allow.
  void admit() {
    const int cap = in_.sched.max_running;
    const bool decode = in_.role == Role::kDecode;
    while (!in_.waiting.empty() && (cap <= 0 || static_cast<int>(in_.running.size()) < cap)) {
      const int id = in_.waiting.front();
      Request& r = reqs_[id];
      int chunk = 0;
      if (!decode) {
        if (budget_ <= 0) break;
        const int rest = r.target - r.computed;
        chunk = std::min(rest, budget_);
        if (chunk < rest && !in_.sched.chunked_prefill) {
          if (!in_.work.empty()) break;
          chunk = rest;  // a prompt above the budget runs alone rather than never
        }
      }
      const long long kv = (in_.sched.reserve_output || decode) ? static_cast<long long>(r.input) + r.output
                                                                 : static_cast<long long>(r.computed) + chunk;
      if (!grow(r, kv)) break;
      in_.waiting.pop_front();
      in_.running.push_back(id);
      if (!decode) {
        in_.work.push_back({id, chunk});
        budget_ -= chunk;
      }
    }
  }

  Instance& in_;
  std::vector<Request>& reqs_;
  int budget_;
};

}  // namespace

void form_step(Instance& inst, std::vector<Request>& reqs) {
  Former f(inst, reqs);
  switch (inst.role) {
    case Role::kPrefill: f.prefill_only(); break;
    case Role::kDecode: f.decode_only(); break;
    case Role::kAgg:
      if (inst.sched.policy == BatchPolicy::kMixed) f.mixed();
      else f.prefill_first();
      break;
  }
}

perf::StepLoad step_load(const Instance& inst, const std::vector<Request>& reqs) {
  perf::StepLoad l;
  for (const Work& w : inst.work) {
    const Request& r = reqs[w.req];
    if (w.prefill > 0) {
      l.prefill_tokens += w.prefill;
      l.prefill_ctx_sum += w.prefill * (r.computed + w.prefill / 2.0);
      l.prefill_prefix += r.computed;
      if (r.computed + w.prefill >= r.target) l.prefill_done += 1;
    } else {
      l.decode_seqs += 1;
      l.decode_ctx_sum += r.input + r.generated;
    }
  }
  return l;
}

}  // namespace gpugap::serve::detail
