// Registers the econ engine's metric provider. Metric paths:
//   econ.<region>.<chip>.usd_per_hour, .price_usd, .power_w, .it_power_w,
//   econ.<region>.<chip>.tco.<item>_usd_per_hour   (chip, server, network, datacenter, energy, operations)
//   econ.<region>.<chip>.<model>.<workload>.<metric>  (a deployment search; computed on request only)
//     metric: output_tps_per_chip, tps_per_watt, tps_per_watt_per_kusd, usd_per_hour,
//             usd_per_mtok_output, usd_per_mtok_input, usd_per_mtok_output_all_in, joules_per_output_token
// The inputs are the catalog's regions.<r>.* and chips.<id>.price.<r> values:
// no econ-only scenario parameters are needed.
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <tuple>

#include "econ/register.hpp"
#include "econ/samples.hpp"
#include "econ/table.hpp"

namespace gpugap::econ {
namespace {

const std::vector<std::string>& token_metrics() {
  static const std::vector<std::string> m = {"output_tps_per_chip", "tps_per_watt", "tps_per_watt_per_kusd", "usd_per_hour",
                                             "usd_per_mtok_output", "usd_per_mtok_input", "usd_per_mtok_output_all_in",
                                             "joules_per_output_token"};
  return m;
}

// The longest catalog id of `kind` that `rest` starts with, followed by a '.'.
std::optional<std::string> match_id(const catalog::Catalog& cat, std::string_view kind, std::string_view rest) {
  std::optional<std::string> best;
  for (const auto& id : cat.ids(kind))
    if (rest.size() > id.size() && rest.starts_with(id) && rest[id.size()] == '.' && (!best || id.size() > best->size()))
      best = id;
  return best;
}

struct TokenKey {
  std::string region, chip, model, workload;
};

// econ.<region>.<chip>.<model>.<workload>.<metric> -> its parts (nullopt: not a token path).
std::optional<std::pair<TokenKey, std::string>> parse_token_path(const catalog::Catalog& cat, std::string_view path) {
  if (!path.starts_with("econ.")) return std::nullopt;
  std::string_view rest = path.substr(5);
  const auto dot = rest.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  TokenKey k;
  k.region = std::string(rest.substr(0, dot));
  if (!cat.find("regions", k.region)) return std::nullopt;
  rest.remove_prefix(dot + 1);
  auto chip = match_id(cat, "chips", rest);
  if (!chip) return std::nullopt;
  k.chip = *chip;
  rest.remove_prefix(chip->size() + 1);
  auto model = match_id(cat, "models", rest);
  if (!model) return std::nullopt;
  k.model = *model;
  rest.remove_prefix(model->size() + 1);
  auto wl = match_id(cat, "workloads", rest);
  if (!wl) return std::nullopt;
  k.workload = *wl;
  rest.remove_prefix(wl->size() + 1);
  return std::make_pair(k, std::string(rest));
}

void put_tco_metrics(const catalog::Catalog& cat, const ParamTable& p, analysis::MetricMap& out) {
  for (const auto& rid : cat.ids("regions")) {
    const RegionSpec region = region_spec(cat, p, rid);
    const EconParams ep = econ_params(p, region);
    for (const auto& cid : cat.ids("chips")) {
      const ChipSpec chip = chip_spec(cat, p, cid);
      const std::string base = "econ." + rid + "." + cid + ".";
      try {
        const PowerInputs pw = power_inputs(cat, p, chip, region, ep);
        out[base + "power_w"] = pw.wall_power().value();
        out[base + "it_power_w"] = pw.it_power.value();
      } catch (const InsufficientData&) {
      }
      if (auto it = chip.price.find(rid); it != chip.price.end() && it->second) out[base + "price_usd"] = it->second->value();
      try {
        const TcoResult r = tco(tco_inputs(cat, p, chip, region, ep));
        out[base + "usd_per_hour"] = r.usd_per_hour();
        for (const auto& c : r.breakdown) out[base + "tco." + c.name + "_usd_per_hour"] = c.usd_per_hour();
      } catch (const InsufficientData&) {
      }
    }
  }
}

std::optional<double> token_value(const Row& r, const std::string& metric) {
  if (metric == "output_tps_per_chip") return r.throughput ? std::optional(r.throughput->output_tps) : std::nullopt;
  if (metric == "tps_per_watt") return r.tps_per_watt;
  if (metric == "tps_per_watt_per_kusd") return r.tps_per_watt_per_kusd;
  if (metric == "usd_per_hour") return r.tco ? std::optional(r.tco->usd_per_hour()) : std::nullopt;
  if (!r.costs) return std::nullopt;
  if (metric == "usd_per_mtok_output") return r.costs->usd_per_mtok_output;
  if (metric == "usd_per_mtok_input") return r.costs->usd_per_mtok_input;
  if (metric == "usd_per_mtok_output_all_in") return r.costs->usd_per_mtok_output_all_in;
  if (metric == "joules_per_output_token") return r.costs->joules_per_output_token;
  return std::nullopt;
}

class EconProvider : public analysis::MetricProvider {
 public:
  [[nodiscard]] std::string prefix() const override { return "econ"; }

  // Everything cheap: the TCO of every chip priced in every region.
  void compute(const analysis::Context& ctx, const ParamTable& params, analysis::MetricMap& out) const override {
    put_tco_metrics(*ctx.catalog, params, out);
  }

  void compute_paths(const analysis::Context& ctx, const ParamTable& params, const std::vector<std::string>& paths,
                     analysis::MetricMap& out) const override {
    token_metrics_for(ctx, params, paths, out, nullptr, true);
  }

  // Monte Carlo, sensitivity, goal seek: see CompiledEcon.
  [[nodiscard]] analysis::CompiledMetrics compile(const analysis::Context& ctx,
                                                  const std::vector<std::string>& metrics) const override {
    auto c = std::make_shared<CompiledEcon>(ctx, metrics);  // shared by the copies of the function
    return [c](std::span<const double> values, std::span<double> out) { c->run(values, out); };
  }

  // The TCO metrics, then one table (one search per chip) per region x model x
  // workload asked for. `strict`: a requested metric that cannot be computed
  // throws (eval); otherwise it is left out (a sample gives NaN).
  static void token_metrics_for(const analysis::Context& ctx, const ParamTable& params, const std::vector<std::string>& paths,
                                analysis::MetricMap& out, SearchCache* cache, bool strict);

 private:
  // Econ metrics read catalog parameters only (chips, stacks, models,
  // workloads, regions, systems): a sample that moves none of them has the
  // base table's outputs, computed once; any other sample is evaluated on a
  // pooled copy of the table, sharing one search cache, so that a sample which
  // leaves a chip's search inputs unchanged only reprices.
  class CompiledEcon {
   public:
    CompiledEcon(const analysis::Context& ctx, std::vector<std::string> metrics)
        : ctx_(ctx), metrics_(std::move(metrics)), tables_(ctx.params), moved_(ctx.params) {}
    void run(std::span<const double> v, std::span<double> out) {
      if (!moved_(v)) {
        std::call_once(base_once_, [&] { base_ = eval(ctx_.params); });
        std::copy(base_.begin(), base_.end(), out.begin());
        return;
      }
      const auto lease = tables_.lease(v);
      const std::vector<double> r = eval(lease.table());
      std::copy(r.begin(), r.end(), out.begin());
    }

   private:
    std::vector<double> eval(const ParamTable& p) {
      analysis::MetricMap m;
      token_metrics_for(ctx_, p, metrics_, m, &searches_, false);
      std::vector<double> r(metrics_.size());
      for (std::size_t i = 0; i < metrics_.size(); ++i) {
        auto it = m.find(metrics_[i]);
        r[i] = it == m.end() ? std::nan("") : it->second;
      }
      return r;
    }
    const analysis::Context& ctx_;
    std::vector<std::string> metrics_;
    SearchCache searches_;
    TablePool tables_;
    CatalogMoved moved_;
    std::once_flag base_once_;
    std::vector<double> base_;
  };
};

void EconProvider::token_metrics_for(const analysis::Context& ctx, const ParamTable& params,
                                     const std::vector<std::string>& paths, analysis::MetricMap& out,
                                     SearchCache* cache, bool strict) {
  const auto& cat = *ctx.catalog;
  put_tco_metrics(cat, params, out);
  std::map<std::tuple<std::string, std::string, std::string>, std::set<std::string>> groups;
  std::vector<std::pair<TokenKey, std::string>> asked;
  for (const auto& path : paths) {
    auto parsed = parse_token_path(cat, path);
    if (!parsed) continue;
    groups[{parsed->first.region, parsed->first.model, parsed->first.workload}].insert(parsed->first.chip);
    asked.push_back(*parsed);
  }
  for (const auto& [key, chips] : groups) {
    TableOptions opt;
    std::tie(opt.region, opt.model, opt.workload) = key;
    opt.chips.assign(chips.begin(), chips.end());
    opt.threads = ctx.threads;
    opt.frontier = false;
    const EconTable t = build_table(cat, params, opt, cache);
    for (const auto& row : t.rows) {
      const std::string base = "econ." + t.region + "." + row.chip + "." + t.model + "." + t.workload + ".";
      for (const auto& m : token_metrics())
        if (auto v = token_value(row, m)) out[base + m] = *v;
    }
    if (!strict) continue;
    // A requested metric the row cannot give names the missing input.
    for (const auto& [k, metric] : asked) {
      if (std::tie(k.region, k.model, k.workload) != key) continue;
      const std::string path = "econ." + k.region + "." + k.chip + "." + k.model + "." + k.workload + "." + metric;
      if (out.count(path)) continue;
      const Row* row = t.find(k.chip);
      const bool known = std::find(token_metrics().begin(), token_metrics().end(), metric) != token_metrics().end();
      if (row && known) {
        row->missing.raise();
        throw UserError(Location{"", 0, path}, "a chip with a deployment that meets the targets", row->status);
      }
    }
  }
}

}  // namespace

void register_engine(analysis::Registry& r) { r.providers.push_back(std::make_unique<EconProvider>()); }

}  // namespace gpugap::econ
