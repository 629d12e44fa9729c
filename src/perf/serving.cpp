// Choosing and applying a chip's serving stack (serving.hpp).
#include "perf/serving.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "catalog/family.hpp"
#include "core/error.hpp"
#include "core/source_dir.hpp"
#include "core/suggest.hpp"
#include "perf/kernels.hpp"

namespace gpugap::perf {
namespace {

int rows_at(const ParamTable& p, const std::string& path) {
  const auto v = p.maybe(path);
  return v ? static_cast<int>(*v) : 0;
}

std::string display_name(const catalog::Entry* st, const std::string& backend) {
  return st ? st->str("named." + backend + ".name", backend) : backend;
}

// The efficiencies of the parameter group `g` ("stacks.S...backend.B") onto the chip.
void apply_group(const ParamTable& p, const std::string& g, ChipSpec& c) {
  if (auto v = p.maybe(g + ".eta_compute")) c.eta_compute = v;
  if (auto v = p.maybe(g + ".eta_memory")) c.eta_memory = v;
  if (auto v = p.maybe(g + ".eta_comm")) c.eta_comm = v;
  if (auto v = p.maybe(g + ".launch_overhead")) c.launch_overhead = Seconds(*v);
  if (auto v = p.maybe(g + ".ttft_overhead")) c.ttft_overhead = Seconds(*v);
  if (auto v = p.maybe(g + ".comm_latency")) c.comm_latency = Seconds(*v);
  if (auto v = p.maybe(g + ".seq_overhead")) c.seq_overhead = Seconds(*v);
}

std::string rows_text(const BackendEvidence& b, const std::string& family, const std::string& stack) {
  return b.family_rows > 0 ? fmt::format("{} rows fitted for {}", b.family_rows, family)
                           : fmt::format("{} rows fitted on stack {}", b.stack_rows, stack);
}

std::vector<std::string> names_of(const std::vector<BackendEvidence>& v) {
  std::vector<std::string> n;
  for (const auto& b : v) n.push_back(b.backend);
  return n;
}

}  // namespace

std::vector<BackendEvidence> stack_backends(const catalog::Catalog& cat, const ParamTable& p, const std::string& stack,
                                            const std::string& family) {
  // The stack entry's keys name its backends: backend.B.* (fitted) and named.B.* (listed).
  std::set<std::string> names;
  const catalog::Entry* st = cat.find("stacks", stack);
  if (st)
    for (const std::string prefix : {"backend.", "named."})
      for (auto it = st->where.lower_bound(prefix); it != st->where.end() && it->first.starts_with(prefix); ++it) {
        const auto dot = it->first.find('.', prefix.size());
        if (dot != std::string::npos) names.insert(it->first.substr(prefix.size(), dot - prefix.size()));
      }
  const std::string sp = "stacks." + stack + ".backend.";
  std::vector<BackendEvidence> out;
  for (const auto& n : names) {
    BackendEvidence b;
    b.backend = n;
    b.stack_rows = rows_at(p, sp + n + ".rows");
    b.family_rows = rows_at(p, "stacks." + stack + ".family." + family + ".backend." + n + ".rows");
    if (st)
      if (auto f = st->flags.find("named." + n + ".released"); f != st->flags.end()) b.released = f->second;
    out.push_back(std::move(b));
  }
  return out;
}

const BackendEvidence* default_backend(const std::vector<BackendEvidence>& backends) {
  const BackendEvidence* best = nullptr;
  // Family rows first (the values that apply to the chip), then stack rows; `backends` is sorted
  // by name, so the first of equals wins.
  for (const auto& b : backends) {
    if (!b.released || (b.family_rows == 0 && b.stack_rows == 0)) continue;
    if (!best || std::pair(b.family_rows, b.stack_rows) > std::pair(best->family_rows, best->stack_rows)) best = &b;
  }
  return best;
}

ChipSpec serving_chip(const catalog::Catalog& cat, const ParamTable& p, std::string_view chip_id) {
  return serving_chip(cat, p, chip_id, cat.serving().backend);
}

ChipSpec serving_chip(const catalog::Catalog& cat, const ParamTable& p, std::string_view chip_id, const std::string& backend) {
  ChipSpec c = chip_spec(cat, p, chip_id);
  ServingStack& s = c.serving;
  if (c.stack.empty()) {
    s.why = "no software stack in the catalog";
    s.evidence = "no fitted values";
    return c;
  }
  const std::string family = catalog::chip_family(cat, c.id);
  const auto backends = stack_backends(cat, p, c.stack, family);
  const catalog::Entry* st = cat.find("stacks", c.stack);
  const BackendEvidence* chosen = nullptr;
  if (!backend.empty()) {
    for (const auto& b : backends)
      if (b.backend == backend) chosen = &b;
    if (chosen) s.why = "requested (--stack-backend " + backend + ")";
  }
  if (!chosen) {
    chosen = default_backend(backends);
    if (chosen) s.why = "default: most evidence (" + rows_text(*chosen, family, c.stack) + ")";
    else s.why = "default: no backend of stack " + c.stack + " is fitted";
    if (!backend.empty()) s.why += "; '" + backend + "' is not a backend of stack " + c.stack;
  }
  const std::string pooled = "stacks." + c.stack;
  s.values = pooled;
  s.evidence = "the stack's pooled fitted values";
  if (chosen) {
    s.backend = chosen->backend;
    s.name = display_name(st, chosen->backend);
    const std::string fam = pooled + ".family." + family + ".backend." + chosen->backend;
    const std::string stk = pooled + ".backend." + chosen->backend;
    const KernelEvidence* e = cat.serving().kernels ? cat.serving().kernels->find(c.id, chosen->backend) : nullptr;
    // A group fitted on kernel tables fitted only overheads: its efficiencies are no evidence for
    // a chip of the family that runs without tables (tools/refit_catalog.py marks it).
    bool kernel_group = false;
    if (st)
      if (auto f = st->flags.find("family." + family + ".backend." + chosen->backend + ".kernels"); f != st->flags.end())
        kernel_group = f->second;
    if (p.maybe(fam + ".eta_compute") && (e || !kernel_group)) {
      s.values = fam;
      s.rows = chosen->family_rows;
      s.evidence = fmt::format("fitted efficiencies of ({}, {})", family, chosen->backend);
    } else if (p.maybe(stk + ".eta_compute")) {
      s.values = stk;
      s.rows = chosen->stack_rows;
      s.evidence = fmt::format("fitted efficiencies of ({}, {}), all families", c.stack, chosen->backend);
      if (kernel_group) s.evidence += fmt::format(" (({}, {}) was fitted on kernel tables this chip lacks)", family, chosen->backend);
    } else {
      s.evidence += fmt::format(" ({} has no fit of its own)", chosen->backend);
    }
    if (s.values != pooled) apply_group(p, s.values, c);
    if (e) {
      c.kernels = std::shared_ptr<const KernelEvidence>(cat.serving().kernels, e);
      s.kernels = true;
      s.evidence = "kernel tables (" + e->describe() + ") for GEMM, attention and all-reduce; overheads from the " + s.evidence;
    }
  } else {
    s.rows = rows_at(p, pooled + ".rows");
  }
  return c;
}

void check_backend(const catalog::Catalog& cat, const ParamTable& p, const std::string& backend, const std::string& chip_id) {
  if (backend.empty()) return;
  std::vector<std::string> names;
  std::string scope = "any stack";
  if (!chip_id.empty()) {
    const ChipSpec c = chip_spec(cat, p, chip_id);
    names = names_of(stack_backends(cat, p, c.stack, catalog::chip_family(cat, c.id)));
    scope = "stack " + (c.stack.empty() ? std::string("(none)") : c.stack) + " of " + c.id;
  } else {
    std::set<std::string> all;
    for (const auto& s : cat.ids("stacks"))
      for (auto& n : names_of(stack_backends(cat, p, s, ""))) all.insert(std::move(n));
    names.assign(all.begin(), all.end());
  }
  if (std::find(names.begin(), names.end(), backend) != names.end()) return;
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  throw UserError(Location{"", 0, "--stack-backend"}, "a serving backend of " + scope + (list.empty() ? "" : " (" + list + ")"),
                  "'" + backend + "'", suggest(backend, names));
}

std::shared_ptr<const KernelTables> load_kernel_tables(const catalog::Catalog& cat, const std::string& path) {
  const std::string f = path.empty() ? core::source_dir() + "/data/kernels/kernels.csv" : path;
  if (!std::filesystem::exists(f)) return nullptr;
  return std::make_shared<const KernelTables>(
      KernelTables::load(f, [&](const std::string& system) { return cat.try_resolve("chips", system).value_or(""); }));
}

nlohmann::json stack_json(const std::string& stack, const ServingStack& s) {
  nlohmann::json j = {{"stack", stack.empty() ? nlohmann::json(nullptr) : nlohmann::json(stack)},
                      {"backend", s.backend.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.backend)},
                      {"name", s.name.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.name)},
                      {"why", s.why},
                      {"values", s.values},
                      {"evidence", s.evidence},
                      {"rows", s.rows},
                      {"kernels", s.kernels}};
  return j;
}

std::string stack_short(const std::string& stack, const ServingStack& s) {
  if (stack.empty()) return "-";
  return stack + (s.backend.empty() ? "" : "/" + s.backend) + (s.kernels ? "+kernels" : "");
}

std::string stack_line(const ChipSpec& chip) {
  const ServingStack& s = chip.serving;
  std::string head = chip.stack.empty() ? std::string("none") : chip.stack;
  if (!s.backend.empty()) head += " / " + s.backend + (s.name != s.backend ? " (" + s.name + ")" : "");
  return head + ": " + s.why + "; " + s.evidence;
}

}  // namespace gpugap::perf
