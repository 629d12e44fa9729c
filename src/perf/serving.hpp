// The serving stack perf, search, econ, score and gap evaluate a chip on: a backend of
// the chip's vendor stack (trtllm, vllm, sglang on cuda; sglang, chitu ... on cann),
// its (family, backend) fitted values and, where that backend's kernels were measured on
// the chip, its kernel tables -- the model `validate` measures. The default is the chip's
// best evidenced released backend (docs/model-perf.md, "Serving stack"); --stack-backend
// names another. Every output says which stack ran and why.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "catalog/specs.hpp"

namespace gpugap::perf {

class KernelTables;

// One backend of a stack and the measurement rows its fitted values stand on.
struct BackendEvidence {
  std::string backend;
  int family_rows = 0;  // stacks.S.family.F.backend.B.rows (0: no fit for the chip's family)
  int stack_rows = 0;   // stacks.S.backend.B.rows
  bool released = true;  // stacks.S.named.B.released (false: not a product anyone can run)
};

// The backends of stack `stack` (fitted or named), with their evidence for family `family`; by name.
std::vector<BackendEvidence> stack_backends(const catalog::Catalog& cat, const ParamTable& p, const std::string& stack,
                                            const std::string& family);

// The default rule: the released backend with the most rows fitted for the chip's family;
// when the family has none, the released backend with the most rows fitted on the stack;
// ties by name. Null when the stack has no fitted backend (its pooled values apply).
const BackendEvidence* default_backend(const std::vector<BackendEvidence>& backends);

// The chip with its serving stack applied: chip_spec, then the backend's (family, backend)
// values (else its stack-level backend values, else the pooled ones) and its kernel tables
// from cat.serving(). `backend` "" asks for the default; a backend the chip's stack does not
// have keeps the default and says so (check_backend refuses it where one chip is asked for).
ChipSpec serving_chip(const catalog::Catalog& cat, const ParamTable& p, std::string_view chip_id);
ChipSpec serving_chip(const catalog::Catalog& cat, const ParamTable& p, std::string_view chip_id, const std::string& backend);

// Throws UserError (exit 2, with a "did you mean") unless `backend` is a backend of the stack
// of `chip_id`, or, with chip_id empty, of any stack in the catalog.
// `where`: the file, line and key path the name was given at (default: the --stack-backend option).
void check_backend(const catalog::Catalog& cat, const ParamTable& p, const std::string& backend, const std::string& chip_id = {},
                   const Location& where = Location{"", 0, "--stack-backend"});

// The one loader of what runs below the serving stack, for validate, calibrate and the
// perf-family engines alike: the kernel tables `path` (default data/kernels/kernels.csv of the
// source tree), systems resolved to catalog chips; beside them, the chips of the same silicon
// carried to their proxy's curves at their own peaks (proxies.csv; peaks from `p`, default the
// catalog's) and the published operator microbenchmarks (ascend-evidence.csv). Null when the
// table is absent. Loaded once where the context is made.
std::shared_ptr<const KernelTables> load_kernel_tables(const catalog::Catalog& cat, const std::string& path = {});
std::shared_ptr<const KernelTables> load_kernel_tables(const catalog::Catalog& cat, const ParamTable& p, const std::string& path);

// {"stack", "backend", "name", "why", "values", "evidence", "rows", "kernels"} of a serving chip.
nlohmann::json stack_json(const std::string& stack, const ServingStack& s);
inline nlohmann::json stack_json(const ChipSpec& chip) { return stack_json(chip.stack, chip.serving); }
// Short, for table cells: "cuda/trtllm+kernels", "cann/sglang", "cann" (pooled).
std::string stack_short(const std::string& stack, const ServingStack& s);
// One line: "cuda / trtllm (TensorRT-LLM): default: most evidence (...); evidence: ...".
std::string stack_line(const ChipSpec& chip);

}  // namespace gpugap::perf
