// Deployment search: every format, parallel layout, batch, MTP depth and
// serving mode of one model on one chip; the best output tokens/s per chip
// under the TTFT/TPOT targets and the Pareto frontier of tokens/s per chip
// against tokens/s per user. The inner loop allocates nothing.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/status.hpp"
#include "perf/deployment.hpp"
#include "perf/engine.hpp"

namespace gpugap::perf {
namespace {

constexpr int kMaxAttentionTp = 8;   // attention TP beyond 8 only replicates the MLA/GQA KV work
constexpr int kMaxMtp = 3;           // draft depths tried
constexpr int kMaxPipeline = 4;
constexpr int kWidthCap = 512;       // widest instance considered (CloudMatrix-class domains)

std::vector<Format> candidate_formats(const ChipSpec& chip, const ModelSpec& model) {
  std::vector<Format> raw = {native_format(model), Format{DType::kBf16, DType::kBf16}};
  if (detail::chip_has(chip, DType::kFp8)) raw.push_back(Format{DType::kFp8, DType::kFp8});
  else if (detail::chip_has(chip, DType::kInt8)) raw.push_back(Format{DType::kInt8, DType::kInt8});
  if (detail::chip_has(chip, DType::kFp4)) raw.push_back(Format{DType::kFp4, DType::kFp4});
  std::vector<Format> out;
  for (auto f : raw) {
    const Format r = resolve_format(chip, f);
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  }
  return out;
}

struct Layout {
  int tp, adp, ep, pp;
};

std::vector<Layout> layouts(const ChipSpec& chip, const ModelSpec& model, int max_width) {
  std::vector<int> widths;
  for (int w = 1; w <= max_width; w *= 2) widths.push_back(w);
  const int domain = chip.scaleup_domain.value_or(0);
  if (domain > 1 && domain <= max_width && std::find(widths.begin(), widths.end(), domain) == widths.end())
    widths.push_back(domain);
  std::vector<Layout> out;
  const bool moe = model.ffn == FfnKind::kMoe;
  for (int w : widths) {
    for (int tp = 1; tp <= w; tp *= 2) {
      if (w % tp != 0 || model.heads % tp != 0) continue;
      const int adp = w / tp;
      if (!moe && adp > 1) continue;  // dense models: attention DP is just more replicas
      if (moe && tp > kMaxAttentionTp) continue;
      std::vector<int> eps = {1};
      if (moe) {
        int e = 1;
        while (e * 2 <= w && e * 2 <= model.experts && w % (e * 2) == 0) e *= 2;
        if (w <= model.experts) e = w;
        if (e > 1) eps.push_back(e);
      }
      for (int ep : eps)
        for (int pp = 1; pp <= kMaxPipeline && pp <= model.layers; pp *= 2) out.push_back({tp, adp, ep, pp});
    }
  }
  return out;
}

// Frontier: sort by interactivity descending; keep points that raise throughput. `out`
// ends sorted by tokens/s per user, ascending.
void pareto_frontier(std::vector<ParetoPoint>& points, std::vector<ParetoPoint>& out) {
  std::sort(points.begin(), points.end(), [](const ParetoPoint& a, const ParetoPoint& b) {
    if (a.tokens_per_s_per_user != b.tokens_per_s_per_user) return a.tokens_per_s_per_user > b.tokens_per_s_per_user;
    return a.output_tps_per_chip > b.output_tps_per_chip;
  });
  double best_y = -1;
  for (const auto& pt : points) {
    if (pt.output_tps_per_chip > best_y) {
      out.push_back(pt);
      best_y = pt.output_tps_per_chip;
    }
  }
  std::reverse(out.begin(), out.end());
}

// The formats to search: the asked ones (else every candidate), resolved on the chip, once each.
std::vector<Format> search_formats(const ChipSpec& chip, const ModelSpec& model, const SearchOptions& opt) {
  std::vector<Format> formats;
  for (auto f : opt.formats.empty() ? candidate_formats(chip, model) : opt.formats) {
    const Format r = resolve_format(chip, f);
    if (std::find(formats.begin(), formats.end(), r) == formats.end()) formats.push_back(r);
  }
  return formats;
}

}  // namespace

SearchResult search(const ChipSpec& chip, const ModelSpec& model, const Workload& w, const SearchOptions& opt) {
  SearchResult res;
  res.ttft_target_s = opt.ttft_target_s ? opt.ttft_target_s : (w.ttft_target ? std::optional<double>(w.ttft_target->value()) : std::nullopt);
  res.tpot_target_s = opt.tpot_target_s ? opt.tpot_target_s : (w.tpot_target ? std::optional<double>(w.tpot_target->value()) : std::nullopt);
  const double ttft_max = res.ttft_target_s.value_or(1e300);
  const double tpot_max = res.tpot_target_s.value_or(1e300);

  const std::vector<Format> formats = search_formats(chip, model, opt);
  const DType kv = opt.kv ? *opt.kv : default_kv(chip);
  const double acc = opt.mtp_acceptance;
  const int mtp_max = (opt.allow_mtp && acc > 0 && model.mtp_layers > 0) ? kMaxMtp : 0;
  const int domain = chip.scaleup_domain.value_or(1);
  int max_width = opt.max_width > 0 ? opt.max_width : std::max(8, domain);
  max_width = std::min(max_width, kWidthCap);
  // Without a known link (or efficiency), only single-chip instances can be costed.
  if (!chip.scaleup_bandwidth || !chip.scaleup_domain || !chip.eta_comm) max_width = 1;
  const auto lays = layouts(chip, model, max_width);
  std::vector<ServeMode> modes;
  if (opt.fixed_mode) modes = {opt.mode};
  else {
    modes = {ServeMode::kAgg};
    if (opt.allow_disagg) modes.push_back(ServeMode::kDisagg);
  }

  double best_tps = -1;
  Deployment best_d;
  Missing missing;  // every missing path met, in order
  bool any_ok = false;
  double min_shortfall = 1e300;
  if (opt.pareto) res.pareto.reserve(1024);
  std::vector<ParetoPoint> points;
  points.reserve(4096);

  for (Format f : formats) {
    detail::Prepared p;
    try {
      p = detail::prepare(chip, model, f, kv, chip.kernels.get());
    } catch (const InsufficientData& e) {
      missing.add(e.path());
      continue;
    }
    for (const Layout& l : lays) {
      Deployment d;
      d.format = f;
      d.kv = kv;
      d.tp = l.tp;
      d.attention_dp = l.adp;
      d.ep = l.ep;
      d.pp = l.pp;
      d.mtp_acceptance = acc;
      d.mtp_acceptance_later = opt.mtp_acceptance_later;
      d.batch = 0;
      const int mb = detail::max_batch(p, d, w);
      if (mb <= 0) continue;
      // Pipeline stages only to make a model fit: skip pp > 1 when half the stages already fit.
      if (l.pp > 1) {
        Deployment half = d;
        half.pp = l.pp / 2;
        if (detail::max_batch(p, half, w) >= half.attention_dp * half.pp) continue;
      }
      const int unit = l.adp * l.pp;
      if (mb < unit) continue;
      const int overlap_max = opt.allow_overlap && l.tp * l.adp > 1 ? 1 : 0;  // one chip: nothing to overlap
      for (int ov = 0; ov <= overlap_max; ++ov)
      for (int mtp = 0; mtp <= mtp_max; ++mtp) {
        d.overlap = ov == 1;
        d.mtp = mtp;
        const int mbm = mtp > 0 ? detail::max_batch(p, d, w) : mb;
        if (mbm < unit) continue;
        for (ServeMode mode : modes) {
          d.mode = mode;
          for (int b = unit;; b *= 2) {
            const bool last = b >= mbm;
            d.batch = last ? mbm : b;
            detail::Outcome o;
            try {
              o = detail::run(p, d, w);
            } catch (const InsufficientData& e) {
              missing.add(e.path());
              break;
            }
            ++res.evaluated;
            any_ok = true;
            if (!o.feasible) {
              min_shortfall = std::min(min_shortfall, o.shortfall);
              if (last) break;
              continue;
            }
            if (opt.pareto) points.push_back({1.0 / o.tpot, o.out_tps_chip, o.ttft, o.tpot, d});
            if (o.ttft <= ttft_max && o.tpot <= tpot_max && o.out_tps_chip > best_tps) {
              best_tps = o.out_tps_chip;
              best_d = d;
            }
            if (last) break;
          }
        }
      }
    }
  }

  if (!any_ok) {
    res.status = missing.ok() ? "no deployment fits in memory" : missing.text();
    res.best.status = res.status;
    return res;
  }
  if (opt.pareto) pareto_frontier(points, res.pareto);
  if (best_tps < 0) {
    res.status = points.empty() && min_shortfall < 1e300 ? "no deployment fits in memory" : "no deployment meets the targets";
    res.best.status = "ok";
    res.best.feasible = false;
    res.best.infeasible_reason = res.status;
    return res;
  }
  res.found = true;
  res.best = evaluate(chip, model, best_d, w);
  return res;
}

std::optional<double> model_mtp_acceptance(const ParamTable& p, const ModelSpec& model) {
  return p.maybe("models." + model.id + ".mtp_acceptance");
}

std::optional<double> model_mtp_acceptance_later(const ParamTable& p, const ModelSpec& model) {
  return p.maybe("models." + model.id + ".mtp_acceptance_later");
}

double draft_acceptance(const Deployment& d, int i) {
  return i > 1 && d.mtp_acceptance_later >= 0 ? d.mtp_acceptance_later : d.mtp_acceptance;
}

double expected_tokens_per_step(const Deployment& d) {
  double tps = 1.0, reach = 1.0;  // reach: probability draft i is accepted with all before it
  for (int i = 1; i <= d.mtp; ++i) {
    reach *= draft_acceptance(d, i);
    tps += reach;
  }
  return tps;
}

}  // namespace gpugap::perf
