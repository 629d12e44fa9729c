#include "perf/calibration_overlay.hpp"

#include <fmt/format.h>

#include "catalog/family.hpp"
#include "catalog/specs.hpp"
#include "perf/validation_detail.hpp"

namespace gpugap::perf {
namespace {

using catalog::OverlayNode;

std::string comment(const OverlaySource& src) {
  return "Written by `gpugap calibrate` on " + src.date + "; a catalog overlay (use with --catalog).";
}

catalog::Provenance provenance(const FitGroup& g, const OverlaySource& src) {
  return {fmt::format("fitted on {} rows of {}, {} (gpugap calibrate: robust least squares on log error; {}-fold held-out "
                      "median |error| {:.1f}%)",
                      g.rows.size(), src.files, src.date, src.folds, g.heldout_median_abs_error_pct),
          src.date, "medium"};
}

// The seven fitted values of a group (and, with `rows`, its row count first) into `n`.
void add_values(OverlayNode& n, const FitGroup& g, const OverlaySource& src, bool rows) {
  const auto p = provenance(g, src);
  auto q = [&](const std::string& key, OverlayNode v) { n.add(key, OverlayNode::quantity(std::move(v), p)); };
  const auto& f = g.fitted;
  if (rows) q("rows", OverlayNode::plain(std::to_string(g.rows.size())));
  q("eta_compute", OverlayNode::plain(fmt::format("{:.4f}", f.eta_compute)));
  q("eta_memory", OverlayNode::plain(fmt::format("{:.4f}", f.eta_memory)));
  q("launch_overhead", OverlayNode::quoted(fmt::format("{:.4g} ms", f.launch_overhead_s * 1e3)));
  // A group with too few TTFT rows keeps the TTFT overhead and wave share its fit started
  // from (detail::fit): written as such, not as fitted.
  const catalog::Provenance start{
      fmt::format("not fitted: {} TTFT row(s) in the group, fewer than {}; the value its fit starts from (its parent group's fit, "
                  "or for a stack gpugap calibrate's fixed start), {}",
                  g.ttft_rows, detail::kMinTtftRows, src.date),
      src.date, "low"};
  auto q_ttft = [&](const std::string& key, OverlayNode v) {
    n.add(key, OverlayNode::quantity(std::move(v), g.ttft_rows >= static_cast<std::size_t>(detail::kMinTtftRows) ? p : start));
  };
  q_ttft("ttft_overhead", OverlayNode::quoted(fmt::format("{:.4g} ms", f.ttft_overhead_s * 1e3)));
  q("comm_latency", OverlayNode::quoted(fmt::format("{:.4g} ms", f.comm_latency_s * 1e3)));
  q("seq_overhead", OverlayNode::quoted(fmt::format("{:.4g} us", f.seq_overhead_s * 1e6)));
  q_ttft("benchmark_burst", OverlayNode::plain(fmt::format("{:.4f}", f.burst)));
}

catalog::OverlayFile stack_file(const CalibrationResult& cal, const FitGroup& top, const OverlaySource& src) {
  catalog::OverlayFile f;
  f.comment = comment(src);
  OverlayNode& y = f.root;
  y.add("id", OverlayNode::plain(top.stack));
  y.add("calibrated", OverlayNode::plain("true"));
  y.add("calibration", OverlayNode::quoted(fmt::format("fitted on {} rows of {}, {}", top.rows.size(), src.files, src.date)));
  add_values(y, top, src, false);
  OverlayNode backends = OverlayNode::map();
  OverlayNode families = OverlayNode::map();
  for (const auto& b : cal.groups)
    if (b.stack == top.stack && !b.backend.empty() && b.family.empty() && b.model.empty())
      add_values(backends.add(b.backend, OverlayNode::map()), b, src, true);
  // family -> backend -> (the pair's own values, its models' values), families and backends sorted.
  std::map<std::string, std::map<std::string, std::pair<const FitGroup*, std::vector<const FitGroup*>>>> by_family;
  for (const auto& b : cal.groups) {
    if (b.stack != top.stack || b.backend.empty() || b.family.empty()) continue;
    auto& [own, models] = by_family[b.family][b.backend];
    if (b.model.empty()) own = &b;
    else models.push_back(&b);
  }
  for (const auto& [fam, backends_of] : by_family) {
    OverlayNode& per_backend = families.add(fam, OverlayNode::map()).add("backend", OverlayNode::map());
    for (const auto& [be, groups] : backends_of) {
      OverlayNode& n = per_backend.add(be, OverlayNode::map());
      if (groups.first) add_values(n, *groups.first, src, true);
      for (const FitGroup* m : groups.second)
        add_values(n.child("model").add(calibration_model_key(m->model), OverlayNode::map()), *m, src, true);
    }
  }
  if (!backends.children().empty()) y.add("backend", std::move(backends));
  if (!families.children().empty()) y.add("family", std::move(families));
  return f;
}

}  // namespace

std::map<std::string, catalog::OverlayFile> calibration_overlay(const CalibrationResult& cal, const catalog::Catalog& cat,
                                                                const ParamTable& params, const OverlaySource& src) {
  std::map<std::string, catalog::OverlayFile> files;
  for (const auto& g : cal.groups)
    if (g.family.empty() && g.backend.empty() && g.model.empty()) files["stacks/" + g.stack + ".yaml"] = stack_file(cal, g, src);
  for (const auto& g : cal.groups) {
    if (g.family.empty() || !g.backend.empty()) continue;
    for (const auto& id : cat.ids("chips")) {
      const ChipSpec c = chip_spec(cat, params, id);
      if (c.stack != g.stack || catalog::chip_family(cat, id) != g.family) continue;
      catalog::OverlayFile f;
      f.comment = comment(src);
      f.root.add("id", OverlayNode::plain(id));
      OverlayNode& sw = f.root.add("software", OverlayNode::map());
      sw.add("calibrated", OverlayNode::plain("true"));
      sw.add("calibration", OverlayNode::quoted(
                                fmt::format("family {} fitted on {} rows of {}, {}", g.family, g.rows.size(), src.files, src.date)));
      add_values(sw, g, src, false);
      files["chips/" + id + ".yaml"] = std::move(f);
    }
  }
  return files;
}

}  // namespace gpugap::perf
