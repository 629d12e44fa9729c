// Calibration: the hierarchy of fitted groups (stack, family, backend, model),
// each fitted from its parent's values, and its k-fold held-out error.
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include "core/suggest.hpp"
#include "perf/validation_detail.hpp"

namespace gpugap::perf {
namespace {

using detail::PreparedRow;
using detail::predict_prepared;

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

double median_abs(const std::vector<RowPrediction>& preds) {
  std::vector<double> e;
  for (const auto& p : preds)
    for (const auto& m : p.metrics) e.push_back(std::fabs(m.error_pct()));
  return summarize(e).median_abs_error_pct;
}

struct GroupKey {
  std::string stack, family, backend, model;
  bool operator<(const GroupKey& o) const {
    return std::tie(stack, family, backend, model) < std::tie(o.stack, o.family, o.backend, o.model);
  }
};

// The group a fit starts from: a model's -> its (family, backend) pair's -> the backend's ->
// the stack's; a family's -> the stack's.
GroupKey parent_of(const GroupKey& k) {
  if (!k.model.empty()) return {k.stack, k.family, k.backend, ""};
  if (!k.family.empty() && !k.backend.empty()) return {k.stack, "", k.backend, ""};
  return {k.stack, "", "", ""};
}

// The most specific fitted group for a row: (family, backend, model), (family, backend), (backend),
// (family), (stack).
template <class Map>
auto most_specific(const Map& fits, const std::string& stack, const std::string& family, const std::string& backend,
                   const std::string& model) {
  for (const GroupKey& k : {GroupKey{stack, family, backend, model}, GroupKey{stack, family, backend, ""}, GroupKey{stack, "", backend, ""},
                            GroupKey{stack, family, "", ""}, GroupKey{stack, "", "", ""}}) {
    auto it = fits.find(k);
    if (it != fits.end()) return it;
  }
  return fits.end();
}


// The rows of one calibration, resolved once, and the groups they belong to.
struct Rows {
  const std::vector<Measurement>& rows;
  std::vector<PreparedRow> prepared;
  std::vector<char> usable;
  std::map<GroupKey, std::vector<std::size_t>> members;
  // Each row with kernel tables once more without them (on the roofline), for the
  // efficiencies of the rows without tables; empty where the row has no tables.
  std::vector<PreparedRow> roofline;
  [[nodiscard]] const PreparedRow& on_roofline(std::size_t i) const { return prepared[i].kernels ? roofline[i] : prepared[i]; }
};

// Every group row i belongs to.
std::vector<GroupKey> keys_of(const Rows& r, std::size_t i) {
  const std::string& st = r.prepared[i].chip.stack;
  const std::string& fam = r.prepared[i].base.family;
  const std::string& be = r.rows[i].backend;
  std::vector<GroupKey> k;
  if (!r.prepared[i].separate_stack) k = {{st, "", "", ""}, {st, fam, "", ""}};
  if (!be.empty()) {
    k.push_back({st, "", be, ""});
    k.push_back({st, fam, be, ""});
    // A model's own values are a serving recipe's, not the hardware's: where the kernels are
    // measured, a row is predicted by its (family, backend) group and never by its model's.
    if (!r.prepared[i].kernels) k.push_back({st, fam, be, r.prepared[i].base.model_id});
  }
  return k;
}

// Which groups are fitted: stacks with enough rows; sub-groups with enough rows that differ
// from their parent. Coarse before fine, so each fit starts from its parent's.
std::vector<GroupKey> fitted_groups(const std::map<GroupKey, std::vector<std::size_t>>& members, const CalibrateOptions& opt) {
  std::vector<GroupKey> fitted_keys;
  for (const auto& [k, idx] : members) {
    const bool top = k.family.empty() && k.backend.empty();
    if (top) {
      if (idx.size() >= opt.min_rows_stack) fitted_keys.push_back(k);
      continue;
    }
    if (!members.count({k.stack, "", "", ""}) || members.at({k.stack, "", "", ""}).size() < opt.min_rows_stack) continue;
    if (!k.model.empty()) {
      // Only where the (family, backend) group holds other models too.
      if (idx.size() >= opt.min_rows_model && members.at(parent_of(k)).size() != idx.size())
        fitted_keys.push_back(k);
      continue;
    }
    if (idx.size() < opt.min_rows_backend) continue;
    // A sub-group identical to a coarser one adds nothing.
    const GroupKey parent = parent_of(k);
    const GroupKey other = !k.family.empty() && !k.backend.empty() ? GroupKey{k.stack, k.family, "", ""} : parent;
    if (members.at(parent).size() == idx.size() || members.at(other).size() == idx.size()) continue;
    fitted_keys.push_back(k);
  }
  auto level = [](const GroupKey& k) { return (k.family.empty() ? 0 : 1) + (k.backend.empty() ? 0 : 2) + (k.model.empty() ? 0 : 4); };
  std::stable_sort(fitted_keys.begin(), fitted_keys.end(), [&](const GroupKey& a, const GroupKey& b) { return level(a) < level(b); });
  return fitted_keys;
}

// Where every fit starts: the same mid-range values for every stack, so that a fit depends on its
// rows only. Starting from the catalog's values (fitted on every row, a held-out publication's
// included) let each held-out refit start where the full fit had ended, and its result moved with
// every refit: leave one publication out gave output tokens/s 17.5% or 25.4% from two catalogs
// fitted a few rows apart (2026-12-08).
Efficiency fit_start() {
  Efficiency e;
  e.eta_compute = 0.5;
  e.eta_memory = 0.7;
  e.launch_overhead_s = 1e-4;
  e.ttft_overhead_s = 0.1;
  e.comm_latency_s = 1e-5;
  e.seq_overhead_s = 1e-5;
  e.burst = 0.1;
  return e;
}

// The hierarchy fitted on a subset of rows (all rows, or the training folds).
struct Fits {
  std::map<GroupKey, Efficiency> groups;
  // For a group fitted with rows that have kernel tables: its fit on the roofline over all
  // its rows, which predicts its rows without tables (and how many rows it was fitted on).
  std::map<GroupKey, std::pair<Efficiency, std::size_t>> roof;
  std::map<GroupKey, std::size_t> rows;  // training rows of each fitted group
  std::map<GroupKey, std::size_t> ttft_rows;  // of them, rows with a TTFT (detail::ttft_rows)
  std::map<GroupKey, std::size_t> borrowed;  // of them, rows of the stack's separately fitted named stacks
  std::map<std::string, HarnessFit> harness;
};

// The values that predict row i: its most specific group's, with its harness's wave share.
std::optional<Efficiency> eff_for(const Rows& r, const Fits& f, std::size_t i) {
  const PreparedRow& pr = r.prepared[i];
  auto it = most_specific(f.groups, pr.chip.stack, pr.base.family, r.rows[i].backend, pr.base.model_id);
  if (it == f.groups.end()) return std::nullopt;
  Efficiency e = it->second;
  if (!pr.kernels)
    if (auto rf = f.roof.find(it->first); rf != f.roof.end()) e = rf->second.first;
  if (auto h = f.harness.find(detail::harness_of(r.rows[i])); h != f.harness.end()) e.burst = h->second.burst;
  return e;
}

// The efficiencies of rows without kernel tables where their group was fitted with rows that
// have them. Those rows fix only the overheads (their GEMMs and attention run at measured
// rates), so the group's eta_compute and eta_memory would rest on the few rows left without
// tables and drift far when a publication leaves (DeepSeek's H800 profile: TPOT +1450%). The
// efficiencies are the silicon's and the stack's, not a table's: each such group is fitted
// again on the roofline over all its training rows, as it was before the tables.
void fit_roofline(const Rows& r, Fits& out, const std::function<bool(std::size_t)>& in_train) {
  std::set<GroupKey> need;
  for (std::size_t i = 0; i < r.prepared.size(); ++i) {
    const PreparedRow& pr = r.prepared[i];
    if (!r.usable[i] || pr.kernels) continue;
    auto it = most_specific(out.groups, pr.chip.stack, pr.base.family, r.rows[i].backend, pr.base.model_id);
    if (it != out.groups.end()) need.insert(it->first);
  }
  for (const GroupKey& k : need) {
    std::vector<const PreparedRow*> ptrs;
    bool tables = false;
    for (auto i : r.members.at(k))
      if (in_train(i)) {
        tables = tables || r.prepared[i].kernels != nullptr;
        ptrs.push_back(&r.on_roofline(i));
      }
    if (!tables) continue;  // the group's fit is a roofline fit already
    // From the group's overheads and the common start's efficiencies (fitted on the roofline).
    Efficiency start = out.groups.at(k);
    const Efficiency common = fit_start();
    start.eta_compute = common.eta_compute;
    start.eta_memory = common.eta_memory;
    start.comm_latency_s = common.comm_latency_s;
    out.roof[k] = {detail::fit(ptrs, start), ptrs.size()};
  }
}

// Which group's values predict row i and how many rows it was fitted on (the row's `method`).
std::string fit_note(const Rows& r, const Fits& f, std::size_t i) {
  const PreparedRow& pr = r.prepared[i];
  auto it = most_specific(f.groups, pr.chip.stack, pr.base.family, r.rows[i].backend, pr.base.model_id);
  if (it == f.groups.end()) return "";
  const GroupKey& k = it->first;
  std::string name = k.stack;
  for (const std::string* part : {&k.family, &k.backend, &k.model})
    if (!part->empty()) name += " x " + *part;
  if (auto rf = f.roof.find(k); !pr.kernels && rf != f.roof.end())
    return fmt::format("fit: {} on the roofline over all its {} rows (the group's rows with kernel tables included)", name,
                       rf->second.second);
  if (auto b = f.borrowed.find(k); b != f.borrowed.end())
    return fmt::format("fit: {} on {} rows ({} of them of its separately fitted named stacks: too few of its own)", name, f.rows.at(k),
                       b->second);
  return fmt::format("fit: {} on {} rows", name, f.rows.at(k));
}

// `bar` (may be null) advances once per group, fitted or skipped.
Fits fit_all(const Rows& r, const std::vector<GroupKey>& fitted_keys, const CalibrateOptions& opt,
             const std::function<bool(std::size_t)>& in_train, Progress* bar = nullptr) {
  Fits out;
  auto& fits = out.groups;
  struct Tick {
    Progress* bar;
    ~Tick() {
      if (bar) bar->add();
    }
  };
  for (const auto& k : fitted_keys) {
    const Tick tick{bar};
    std::vector<std::size_t> idx;
    for (auto i : r.members.at(k))
      if (in_train(i)) idx.push_back(i);
    const bool top = k.family.empty() && k.backend.empty();
    // A stack left with fewer rows than a backend fit needs (a held-out publication took the
    // rest) shares the silicon's evidence: the rows of its separately fitted named stacks join
    // (a 7-value fit on 3 rows had put SGLang-Ascend at -99%).
    std::size_t borrowed = 0;
    if (top && idx.size() < opt.min_rows_backend)
      for (std::size_t i = 0; i < r.prepared.size(); ++i)
        if (r.usable[i] && in_train(i) && r.prepared[i].separate_stack && r.prepared[i].chip.stack == k.stack) {
          idx.push_back(i);
          ++borrowed;
        }
    if (idx.size() < (top ? opt.min_rows_stack : opt.min_rows_backend)) continue;
    Efficiency start = fit_start();
    // From the nearest fitted group up the chain of parents.
    for (GroupKey p = k; !top;) {
      p = parent_of(p);
      if (auto it = fits.find(p); it != fits.end()) {
        start = it->second;
        break;
      }
      if (p.family.empty() && p.backend.empty()) break;
    }
    std::vector<const PreparedRow*> ptrs;
    for (auto i : idx) ptrs.push_back(&r.prepared[i]);
    fits[k] = detail::fit(ptrs, start);
    out.rows[k] = ptrs.size();
    out.ttft_rows[k] = detail::ttft_rows(ptrs);
    if (borrowed > 0) out.borrowed[k] = borrowed;
  }
  fit_roofline(r, out, in_train);
  // Wave share of each harness with enough TTFT rows in the training set.
  for (const auto& [h, idx] : detail::harness_rows(r.rows, [&](std::size_t i) { return r.usable[i] && in_train(i); })) {
    std::vector<std::function<RowPrediction(double)>> rs;
    for (auto i : idx)
      if (auto e = eff_for(r, out, i))
        rs.push_back([pr = &r.prepared[i], e = *e](double share) mutable {
          e.burst = share;
          return predict_prepared(*pr, &e);
        });
    if (auto f = detail::fit_harness_share(rs)) out.harness[h] = *f;
  }
  return out;
}

// k-fold: refit the hierarchy without the fold, predict the fold with the most specific group.
// Rows no fold predicts keep their skip reason (or say why they were not fitted).
std::vector<RowPrediction> heldout(const Rows& r, const std::vector<GroupKey>& fitted_keys, const CalibrateOptions& opt,
                                   int folds) {
  const auto& prepared = r.prepared;
  std::map<std::string, int> publication;  // leave one out: the fold of each publication, in name order
  if (opt.folds_by_source) {
    for (const auto& m : r.rows) publication[publication_of(m)] = 0;
    int k = 0;
    for (auto& [name, fold] : publication) fold = k++;
  }
  auto fold_of = [&](std::size_t i) {
    if (opt.folds_by_source) return publication.at(publication_of(r.rows[i]));
    const std::string key = opt.folds_by_model ? prepared[i].base.model_id : r.rows[i].id + "#" + std::to_string(i);
    return static_cast<int>(fnv1a(key) % folds);
  };
  std::vector<RowPrediction> held(prepared.size());
  std::vector<bool> done(prepared.size(), false);
  std::vector<std::optional<Efficiency>> fold_eff(prepared.size());  // for the replay hook
  Progress bar("held-out folds", static_cast<std::uint64_t>(folds), "refits", opt.progress);
  const int only = opt.only_publication.empty() ? -1 : publication.at(opt.only_publication);
  for (int k = 0; k < folds; ++k) {
    if (only >= 0 && k != only) {
      bar.add();
      continue;
    }
    const auto fits = fit_all(r, fitted_keys, opt, [&](std::size_t i) { return fold_of(i) != k; });
    for (std::size_t i = 0; i < prepared.size(); ++i) {
      if (!r.usable[i] || fold_of(i) != k) continue;
      if (const auto e = eff_for(r, fits, i)) {
        held[i] = predict_prepared(prepared[i], &*e);
        fold_eff[i] = e;
        if (const auto note = fit_note(r, fits, i); !note.empty())
          held[i].method += (held[i].method.empty() ? "" : "; ") + note;
      } else {
        held[i] = prepared[i].base;
        held[i].skip_reason = "no fit for stack " + prepared[i].chip.stack + " without this row's fold (too few rows)";
      }
      done[i] = true;
    }
    bar.add();
  }
  bar.finish();
  // Rows whose benchmark is described are replayed with their fold's values (after the fits).
  if (opt.replay)
    tbb::parallel_for(std::size_t(0), prepared.size(), [&](std::size_t i) {
      if (fold_eff[i]) opt.replay(r.rows[i], *fold_eff[i], held[i]);
    });
  for (std::size_t i = 0; i < prepared.size(); ++i) {
    if (done[i]) continue;
    held[i] = predict_prepared(prepared[i], nullptr);  // skipped rows keep their reason
    if (held[i].skip_reason.empty() && only >= 0 && fold_of(i) != only) held[i].skip_reason = "not the held-out publication";
    else if (held[i].skip_reason.empty() && r.usable[i] == 0) held[i].skip_reason = "no usable prediction";
    else if (held[i].skip_reason.empty()) held[i].skip_reason = "stack " + prepared[i].chip.stack + " has too few rows to fit";
  }
  return held;
}

}  // namespace

std::string calibration_model_key(const std::string& model_id) {
  std::string k = model_id;
  std::replace(k.begin(), k.end(), '.', '_');
  return k;
}

std::string publication_of(const Measurement& m) {
  if (m.schema == "aic") return "aic-silicon-sample";
  const auto colon = m.source.find(':');
  if (colon != std::string::npos) return m.source.substr(0, colon);
  return m.source.substr(0, m.source.find('/'));
}

CalibrationResult calibrate(const catalog::Catalog& cat, const ParamTable& params, const std::vector<Measurement>& rows,
                            const CalibrateOptions& opt) {
  CalibrationResult res;
  res.folds = std::max(2, opt.folds);
  if (opt.folds_by_source) {
    std::set<std::string> pubs;
    for (const auto& m : rows) pubs.insert(publication_of(m));
    res.folds = static_cast<int>(pubs.size());
  }
  ValidateOptions vo = opt.validate;
  vo.use_backend = false;  // fits start from the stack values, never from earlier fits of a backend
  vo.harness = nullptr;    // the fits' own wave shares replace these
  Rows r{rows, {}, {}, {}, {}};
  r.prepared.reserve(rows.size());
  for (const auto& m : rows) r.prepared.push_back(detail::prepare_row(cat, params, m, vo));
  r.roofline.resize(r.prepared.size());
  for (std::size_t i = 0; i < r.prepared.size(); ++i)
    if (r.prepared[i].kernels) {
      r.roofline[i] = r.prepared[i];
      r.roofline[i].kernels = nullptr;
    }
  r.usable.assign(r.prepared.size(), 0);
  tbb::parallel_for(std::size_t(0), r.prepared.size(), [&](std::size_t i) {
    const auto& pr = r.prepared[i];
    if (pr.base.skip_reason.empty() && !pr.chip.stack.empty()) r.usable[i] = !predict_prepared(pr, nullptr).metrics.empty();
  });
  for (std::size_t i = 0; i < r.prepared.size(); ++i)
    if (r.usable[i])
      for (const auto& k : keys_of(r, i)) r.members[k].push_back(i);
  const std::vector<GroupKey> fitted_keys = fitted_groups(r.members, opt);
  if (!opt.only_publication.empty()) {
    if (!opt.folds_by_source) throw UserError("only_publication needs folds by source");
    std::set<std::string> pubs;
    for (const auto& m : rows) pubs.insert(publication_of(m));
    if (!pubs.count(opt.only_publication))
      throw UserError(Location{"", 0, "--heldout-publication"}, "a publication of the measurement files",
                      "'" + opt.only_publication + "'", suggest(opt.only_publication, {pubs.begin(), pubs.end()}));
    res.heldout = heldout(r, fitted_keys, opt, res.folds);
    return res;
  }
  // The fit on all rows: a bar over its groups (the held-out refits have their own).
  Progress fit_bar("calibration fit", fitted_keys.size(), "groups", opt.progress);
  const auto full = fit_all(r, fitted_keys, opt, [](std::size_t) { return true; }, &fit_bar);
  fit_bar.finish();
  res.harness = full.harness;
  for (const auto& k : fitted_keys) {
    auto it = full.groups.find(k);
    if (it == full.groups.end()) continue;
    FitGroup g;
    g.stack = k.stack;
    g.family = k.family;
    g.backend = k.backend;
    g.model = k.model;
    g.rows = r.members.at(k);
    g.fitted = it->second;
    g.ttft_rows = full.ttft_rows.at(k);
    res.groups.push_back(g);
  }
  // Train error of each group (its rows predicted with its own values).
  for (auto& g : res.groups) {
    std::vector<RowPrediction> preds;
    for (auto i : g.rows) preds.push_back(predict_prepared(r.prepared[i], &g.fitted));
    g.train_median_abs_error_pct = median_abs(preds);
    for (const auto& p : preds) g.n_metrics += p.metrics.size();
  }
  const std::vector<RowPrediction> held = heldout(r, fitted_keys, opt, res.folds);
  res.heldout = held;
  // Held-out error per group.
  for (auto& g : res.groups) {
    std::vector<RowPrediction> preds;
    std::map<std::string, std::vector<double>> by_metric;
    for (auto i : g.rows) {
      preds.push_back(held[i]);
      for (const auto& m : held[i].metrics) by_metric[m.metric].push_back(std::fabs(m.error_pct()));
    }
    g.heldout_median_abs_error_pct = median_abs(preds);
    for (const auto& [k, v] : by_metric) g.heldout_by_metric[k] = summarize(v);
  }
  return res;
}

}  // namespace gpugap::perf
