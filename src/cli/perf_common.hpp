// What the perf-family commands (perf, search, validate, calibrate) share.
#pragma once

#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "perf/devices.hpp"
#include "perf/perf.hpp"

namespace gpugap::cli {

// The scenario is optional for perf: without the default scenario in the
// catalog, the catalog alone (plus --set) is the parameter table.
analysis::Context perf_context(const Global& g);

// The workload flags of perf, search and simulate.
struct WorkloadArgs {
  std::string workload;
  int isl = 0;
  int osl = 0;
  double ttft_ms = 0;
  double tpot_ms = 0;
};

inline constexpr const char* kAcceptanceLaterHelp =
    "acceptance of each MTP draft after the first (default: the model's catalog value when --mtp-acceptance is not "
    "given, else the same as the first)";

// Acceptance of later drafts: the flag, else the catalog's when the first draft's is the catalog's too
// (a stated --mtp-acceptance stands for every draft), else -1 (same as the first).
double later_acceptance(double flag, bool first_from_catalog, const ParamTable& p, const ModelSpec& model);

// The deployment flags of perf and simulate (shared/spec/cli.md).
struct DeploymentArgs {
  std::string precision, kv, mode = "agg";
  int tp = 0, pp = 1, dp = 1, ep = 0, adp = 1, moe_tp = 0, batch = 0, mtp = -1;
  int prefill_tp = 0, prefill_ep = 0, prefill_adp = 0, concurrency = 0;
  double acceptance = -1, acceptance_later = -1, prefix_hit = 0, ratio = 0;
  double expert_imbalance = 1.0;
  bool overlap = false;
  std::string rank = "package";  // what one rank is: package, or device (one die of a multi-device package)
};

// A catalog workload (default chat) with --isl/--osl and targets applied.
Workload resolve_workload(const analysis::Context& ctx, const WorkloadArgs& a);
void add_deployment_options(CLI::App* cmd, DeploymentArgs& a);
// The deployment the flags describe, unstated sizes filled by perf's rules; each
// default applied is appended to `defaults`. Throws UserError for an invalid one.
perf::Deployment resolve_deployment(const analysis::Context& ctx, const ChipSpec& chip, const ModelSpec& model,
                                    const Workload& w, const DeploymentArgs& a, std::vector<std::string>& defaults);
// What perf and simulate resolve from their flags: context, specs, workload, deployment and
// the defaults the deployment rules applied.
struct DeploymentSetup {
  analysis::Context ctx;
  ChipSpec chip;  // one rank: the package, or one device of it under --rank device
  perf::RankUnit unit = perf::RankUnit::kPackage;
  int devices_per_package = 1;
  ModelSpec model;
  Workload w;
  perf::Deployment d;
  std::vector<std::string> defaults;
};
DeploymentSetup resolve_setup(const Global& g, const std::string& chip, const std::string& model, const WorkloadArgs& wl,
                              const DeploymentArgs& dep);
perf::Format parse_format_or_throw(const std::string& s, const std::string& flag);
perf::DType parse_kv_or_throw(const std::string& s);

// Registers validate and calibrate (commands_validate.cpp).
void add_validation_commands(CLI::App& app, Global& g);

}  // namespace gpugap::cli
