// The per-step cost of one serving instance under an explicit load: what the
// serving simulator (src/serve) calls once per engine step. The same roofline
// as evaluate() (docs/model-perf.md), fed with the step's actual batch instead
// of the steady-state averages.
#pragma once

#include <memory>

#include "perf/perf.hpp"

namespace gpugap::perf {

namespace detail {
struct Prepared;
}

// One step of a whole instance (totals over its attention-DP ranks; they are
// spread evenly over the ranks, as the analytical model does).
struct StepLoad {
  double decode_seqs = 0;     // sequences that decode one token (plus drafts) this step
  double decode_ctx_sum = 0;  // sum of their KV lengths
  double prefill_tokens = 0;  // prompt tokens computed this step
  double prefill_ctx_sum = 0; // sum over those tokens of the context each attends to
  double prefill_prefix = 0;  // earlier-computed tokens of the prompts chunked in this step
  double prefill_done = 0;    // prompts whose last chunk runs in this step (they need logits)
};

class StepModel {
 public:
  // Resolves the format and KV type on the chip as evaluate() does. Throws
  // UserError for an invalid deployment and InsufficientData for missing data.
  // `kernels`: the measured kernel rates of the chip and backend (validate's refits), or none.
  StepModel(const ChipSpec& chip, const ModelSpec& model, const Deployment& d, const KernelEvidence* kernels = nullptr);

  // Seconds of one step (all pipeline stages) under `load`.
  [[nodiscard]] double seconds(const StepLoad& load) const;
  // Tokens of KV cache the instance holds besides weights and workspace; 0 when the weights do not fit.
  [[nodiscard]] double kv_tokens() const;
  // Seconds to hand the KV cache of `tokens` tokens to another instance over the NIC.
  [[nodiscard]] double kv_transfer_seconds(double tokens) const;
  [[nodiscard]] const Deployment& deployment() const { return d_; }
  // Draft tokens per decode step (MTP) and the acceptance of each.
  [[nodiscard]] int drafts() const { return d_.mtp; }

 private:
  std::shared_ptr<const detail::Prepared> p_;
  Deployment d_;
};

}  // namespace gpugap::perf
