// StepModel: perf's step roofline behind a small interface for the simulator.
#include "perf/step.hpp"

#include "core/error.hpp"
#include "perf/engine.hpp"

namespace gpugap::perf {

StepModel::StepModel(const ChipSpec& chip, const ModelSpec& model, const Deployment& d_in, const KernelEvidence* kernels)
    : d_(d_in) {
  if (auto err = check_deployment(model, d_); !err.empty()) throw UserError(err);
  d_.format = resolve_format(chip, d_.format);
  d_.kv = resolve_kv(chip, d_.kv);
  p_ = std::make_shared<const detail::Prepared>(detail::prepare(chip, model, d_.format, d_.kv, kernels ? kernels : chip.kernels.get()));
}

double StepModel::seconds(const StepLoad& load) const { return detail::instance_step(*p_, d_, load); }

double StepModel::kv_tokens() const { return detail::instance_kv_tokens(*p_, d_); }

double StepModel::kv_transfer_seconds(double tokens) const { return detail::kv_transfer_s(*p_, tokens); }

}  // namespace gpugap::perf
