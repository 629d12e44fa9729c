#include "market/reconcile.hpp"

#include <fmt/format.h>

namespace gpugap::market {

Reconciliation reconcile(const analysis::Context& ctx, int year) {
  const ParamTable& p = ctx.params;
  const std::string ys = std::to_string(year);
  Reconciliation r;
  r.year = year;
  r.capex = p.value("market.cloud_capex_usd_bn." + ys);
  r.overseas = p.value("market.chain.overseas_share." + ys);
  r.server = p.value("market.chain.server_share." + ys);
  r.ai_server = p.value("market.chain.ai_server_share." + ys);
  r.accelerator = p.value("market.chain.accelerator_share." + ys);
  r.sovereign = p.value("market.buyers.sovereign_usd_bn." + ys);
  r.innovator = p.value("market.buyers.innovator_usd_bn." + ys);
  r.chain_product = (1.0 - r.overseas) * r.server * r.ai_server * r.accelerator;
  r.cloud_tam = r.capex * r.chain_product;
  r.tam = r.cloud_tam + r.sovereign + r.innovator;
  for (const auto& pub : ctx.scenario.published) {
    if (pub.metric == "market.tam_usd_bn." + ys) r.published_tam = pub.value;
    if (pub.metric == "market.cloud_gpu_share_of_capex." + ys) r.published_share = pub.value;
  }
  if (!r.published_tam || r.cloud_tam <= 0) return r;
  // Scale the chain must gain to reach the published TAM with no other buyers.
  const double k = *r.published_tam / r.cloud_tam;
  auto alt = [&](const std::string& name, double cur, double req) {
    r.alternatives.push_back({fmt::format("market.{}.{}", name, ys), cur, req, req >= 0 && req <= 1});
  };
  alt("chain.overseas_share", r.overseas, 1.0 - (1.0 - r.overseas) * k);
  alt("chain.server_share", r.server, r.server * k);
  alt("chain.ai_server_share", r.ai_server, r.ai_server * k);
  alt("chain.accelerator_share", r.accelerator, r.accelerator * k);
  // The added buyers (USD bn) that alone would close the gap: not a share, so never infeasible.
  r.alternatives.push_back({"market.buyers.*_usd_bn." + ys + " (sum)", r.sovereign + r.innovator,
                            *r.published_tam - r.cloud_tam, *r.published_tam >= r.cloud_tam});
  return r;
}

}  // namespace gpugap::market
