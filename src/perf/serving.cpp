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

// Tables carried from a proxy (load_kernel_tables) carried again at the peaks of `p`: a --set or
// a scenario may move the chip's compute, memory or link; with the catalog's values, the same curves.
std::shared_ptr<const KernelEvidence> carried_at(const catalog::Catalog& cat, const ParamTable& p, const KernelEvidence& e) {
  const KernelEvidence* ref = cat.serving().kernels->find(e.proxy, e.backend);
  if (!ref) return std::shared_ptr<const KernelEvidence>(cat.serving().kernels, &e);
  try {
    auto t = std::make_shared<KernelEvidence>(
        transfer(*ref, chip_peaks(chip_spec(cat, p, e.proxy)), chip_peaks(chip_spec(cat, p, e.chip_id)), e.chip_id, e.carried));
    t->proxy = e.proxy;
    return t;
  } catch (const InsufficientData&) {
    return std::shared_ptr<const KernelEvidence>(cat.serving().kernels, &e);
  }
}

// A chip without tables whose family has a published GEMM microbenchmark runs its GEMMs at that
// fraction of peak, as validate predicts such rows (perf/predict.cpp).
void apply_operator_evidence(const catalog::Catalog& cat, const std::string& family, ChipSpec& c) {
  if (c.kernels || !cat.serving().kernels) return;
  const auto* ev = best_gemm_evidence(cat.serving().kernels->operator_evidence(), family,
                                      [&](const std::string& chip) { return catalog::chip_family(cat, chip); });
  if (!ev) return;
  c.gemm_fraction = ev->fraction_of_peak;
  c.serving.operator_evidence = fmt::format("GEMMs at {:.3f} of peak ({} {} {} on {}, {}, {}; confidence {}); attention and router at eta_compute",
                                            ev->fraction_of_peak, ev->op, ev->dtype, ev->shape, ev->chip, ev->source, ev->date, ev->confidence);
  c.serving.evidence += "; " + c.serving.operator_evidence;
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
    if (chosen) {
      const std::string& origin = cat.serving().origin;
      s.why = origin.empty() ? "requested (--stack-backend " + backend + ")" : "requested (" + origin + ": stack_backend " + backend + ")";
    }
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
      c.kernels = e->proxy.empty() ? std::shared_ptr<const KernelEvidence>(cat.serving().kernels, e) : carried_at(cat, p, *e);
      s.kernels = true;
      const std::string measured = e->describe().substr(0, e->describe().find(" carried to "));
      s.kernel_source = e->proxy.empty() ? "measured on this chip: " + measured
                                         : "proxy " + e->proxy + " (same silicon: " + e->carried + "): " + measured + " carried to " + c.id;
      s.evidence = "kernel tables (" + e->describe() + ") for GEMM, attention and all-reduce; overheads from the " + s.evidence;
    }
  } else {
    s.rows = rows_at(p, pooled + ".rows");
  }
  apply_operator_evidence(cat, family, c);
  return c;
}

void check_backend(const catalog::Catalog& cat, const ParamTable& p, const std::string& backend, const std::string& chip_id,
                   const Location& where) {
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
  throw UserError(where, "a serving backend of " + scope + (list.empty() ? "" : " (" + list + ")"),
                  "'" + backend + "'", suggest(backend, names));
}

std::shared_ptr<const KernelTables> load_kernel_tables(const catalog::Catalog& cat, const std::string& path) {
  return load_kernel_tables(cat, cat.params(), path);
}

std::shared_ptr<const KernelTables> load_kernel_tables(const catalog::Catalog& cat, const ParamTable& p, const std::string& path) {
  namespace fs = std::filesystem;
  const std::string f = path.empty() ? core::source_dir() + "/data/kernels/kernels.csv" : path;
  if (!fs::exists(f)) return nullptr;
  auto t = KernelTables::load(f, [&](const std::string& system) { return cat.try_resolve("chips", system).value_or(""); });
  const fs::path dir = fs::path(f).parent_path();
  if (const fs::path proxies = dir / "proxies.csv"; fs::exists(proxies))
    t.add_proxies(KernelTables::read_proxies(proxies.string()), [&](const std::string& id) -> std::optional<ChipPeaks> {
      try {
        return chip_peaks(chip_spec(cat, p, id));
      } catch (const InsufficientData&) {
        return std::nullopt;
      }
    });
  if (const fs::path ev = dir / "ascend-evidence.csv"; fs::exists(ev)) t.set_operator_evidence(read_operator_evidence(ev.string()));
  return std::make_shared<const KernelTables>(std::move(t));
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
  j["kernel_source"] = s.kernel_source.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.kernel_source);
  j["operator_evidence"] = s.operator_evidence.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.operator_evidence);
  return j;
}

std::string stack_short(const std::string& stack, const ServingStack& s) {
  if (stack.empty()) return "-";
  // "+proxy-kernels": tables of a chip of the same silicon; "+gemm-evidence": GEMMs at a published microbenchmark.
  const bool proxy = s.kernel_source.starts_with("proxy ");
  return stack + (s.backend.empty() ? "" : "/" + s.backend) + (s.kernels ? (proxy ? "+proxy-kernels" : "+kernels") : "") +
         (s.operator_evidence.empty() ? "" : "+gemm-evidence");
}

std::string stack_line(const ChipSpec& chip) {
  const ServingStack& s = chip.serving;
  std::string head = chip.stack.empty() ? std::string("none") : chip.stack;
  if (!s.backend.empty()) head += " / " + s.backend + (s.name != s.backend ? " (" + s.name + ")" : "");
  return head + ": " + s.why + "; " + s.evidence;
}

}  // namespace gpugap::perf
