#include "studies/evaluate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <vector>

#include "core/suggest.hpp"
#include "studies/engines.hpp"

namespace gpugap::studies {

const MetricProvider& provider_for(std::string_view path) {
  const std::string head(path.substr(0, path.find('.')));
  std::vector<std::string> names;
  for (const auto& p : providers()) {
    if (p->prefix() == head) return *p;
    names.push_back(p->prefix());
  }
  throw UserError(Location{"", 0, std::string(path)}, "a metric path starting with one of: " + fmt::format("{}", fmt::join(names, ", ")),
                  "'" + head + "'", suggest(head, names));
}

MetricMap evaluate(const Context& ctx, const ParamTable& params, const std::vector<std::string>& paths) {
  std::map<std::string, MetricMap> by_provider;
  std::map<std::string, std::vector<std::string>> wanted;  // per provider, so each computes once
  for (const auto& path : paths) wanted[provider_for(path).prefix()].push_back(path);
  MetricMap out;
  for (const auto& path : paths) {
    const MetricProvider& p = provider_for(path);
    auto [it, fresh] = by_provider.try_emplace(p.prefix());
    if (fresh) p.compute_paths(ctx, params, wanted[p.prefix()], it->second);
    auto m = it->second.find(path);
    if (m == it->second.end()) {
      std::vector<std::string> cands;
      for (const auto& [k, v] : it->second) cands.push_back(k);
      throw UserError(Location{"", 0, path}, "a known metric path", "unknown metric", suggest(path, cands));
    }
    out[path] = m->second;
  }
  return out;
}

MetricMap evaluate(const Context& ctx, const std::vector<std::string>& paths) { return evaluate(ctx, ctx.params, paths); }

MetricMap evaluate_all(const Context& ctx, const std::vector<std::string>& prefixes) {
  MetricMap out;
  for (const auto& p : providers()) {
    if (!prefixes.empty() && std::find(prefixes.begin(), prefixes.end(), p->prefix()) == prefixes.end()) continue;
    p->compute(ctx, ctx.params, out);
  }
  return out;
}

namespace {
// Metric paths grouped by the provider that compiles them: prefix -> (paths,
// their positions in `metrics`). A provider whose run computes another's
// metrics (also_compiles) takes them over.
using Groups = std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::size_t>>>;
Groups group_by_provider(const std::vector<std::string>& metrics) {
  Groups groups;
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    auto& g = groups[provider_for(metrics[i]).prefix()];
    g.first.push_back(metrics[i]);
    g.second.push_back(i);
  }
  for (auto host = groups.begin(); host != groups.end(); ++host)
    for (const auto& guest : provider_for(host->first + ".").also_compiles()) {
      auto g = groups.find(guest);
      if (g == groups.end() || g == host) continue;
      host->second.first.insert(host->second.first.end(), g->second.first.begin(), g->second.first.end());
      host->second.second.insert(host->second.second.end(), g->second.second.begin(), g->second.second.end());
      groups.erase(g);
    }
  return groups;
}
}  // namespace

std::optional<std::vector<bool>> params_read(const Context& ctx, const std::vector<std::string>& metrics) {
  std::vector<bool> used(ctx.params.size(), false);
  for (const auto& [prefix, g] : group_by_provider(metrics)) {
    const auto reads = provider_for(prefix + ".").reads(ctx, g.first);
    if (!reads) return std::nullopt;
    for (const ParamIndex i : *reads) used.at(i) = true;
  }
  return used;
}

CompiledMetrics compile(const Context& ctx, const std::vector<std::string>& metrics) {
  // Group by provider, compile each group, then scatter into the output.
  std::vector<std::pair<CompiledMetrics, std::vector<std::size_t>>> parts;
  const Groups groups = group_by_provider(metrics);
  // Validate paths once up front (clear error before any sampling).
  (void)evaluate(ctx, metrics);
  for (auto& [prefix, g] : groups) parts.emplace_back(provider_for(prefix + ".").compile(ctx, g.first), g.second);
  // One group in the caller's order (a merged group need not be): no scatter.
  if (parts.size() == 1 && std::is_sorted(parts[0].second.begin(), parts[0].second.end())) return parts[0].first;
  return [parts](std::span<const double> values, std::span<double> out) {
    // Called once per Monte Carlo sample: no heap allocation for the usual few metrics.
    constexpr std::size_t kSmall = 32;
    std::array<double, kSmall> small{};
    std::vector<double> big;
    for (const auto& [fn, idx] : parts) {
      std::span<double> buf;
      if (idx.size() <= kSmall) {
        buf = std::span<double>(small.data(), idx.size());
        std::fill(buf.begin(), buf.end(), 0.0);
      } else {
        big.assign(idx.size(), 0.0);
        buf = big;
      }
      fn(values, buf);
      for (std::size_t k = 0; k < idx.size(); ++k) out[idx[k]] = buf[k];
    }
  };
}

}  // namespace gpugap::studies
