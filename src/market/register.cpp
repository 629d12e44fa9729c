// Registers the market engine's scenario parameters and metric providers.
#include <cmath>
#include <vector>

#include "market/register.hpp"
#include "market/model.hpp"

namespace gpugap::market {
namespace {

using analysis::ParamDecl;

class MarketProvider final : public analysis::MetricProvider {
 public:
  [[nodiscard]] std::string prefix() const override { return "market"; }

  void compute(const analysis::Context& ctx, const ParamTable& params, analysis::MetricMap& out) const override {
    const auto model = MarketModel::build(ctx, params);
    const auto values = params.values();
    std::vector<double> buf(model->slots().size());
    model->run(values, buf.data(), MarketModel::RunOptions{.supply = model->has_supply()});
    // An undefined value (growth before the first year, a multiple not given)
    // is not a metric; a break-even year not reached by the last model year is
    // one, with no value (NaN: null in JSON, "not by 2030" where shown).
    const auto& o = model->out();
    const bool tokens = model->tokens_missing().empty();
    for (std::size_t i = 0; i < model->slots().metric_count(); ++i)
      if (!std::isnan(buf[i]) || (tokens && (i == o.breakeven || i == o.cash_breakeven)))
        out[model->slots().name(i)] = buf[i];
  }

  [[nodiscard]] analysis::CompiledMetrics compile(const analysis::Context& ctx,
                                                  const std::vector<std::string>& metrics) const override {
    auto model = MarketModel::build(ctx, ctx.params);
    // Supply metrics (see also_compiles) are read from the supply run the
    // market does into its scratch region: one supply run per evaluation.
    std::vector<std::string> own;
    std::vector<std::size_t> supply_idx;
    for (const auto& path : metrics)
      if (!path.starts_with("supply.")) own.push_back(path);
    auto own_idx = supply::slot_indices(model->slots(), own);
    if (own.size() < metrics.size()) {
      if (!model->has_supply()) throw InsufficientData(model->supply_missing());
      std::vector<std::string> theirs;
      for (const auto& path : metrics)
        if (path.starts_with("supply.")) theirs.push_back(path);
      supply_idx = supply::slot_indices(model->supply_model()->slots(), theirs);
    }
    auto options = model->options_for(own_idx);
    if (!supply_idx.empty()) {
      options.supply = true;
      options.supply_options = model->supply_model()->options_for(supply_idx);
    }
    // Slots in the order of `metrics`.
    std::vector<std::size_t> idx;
    for (std::size_t i = 0, k = 0, j = 0; i < metrics.size(); ++i)
      idx.push_back(metrics[i].starts_with("supply.") ? model->supply_offset() + supply_idx[j++] : own_idx[k++]);
    return supply::compiled_metrics(std::move(model), std::move(idx),
                                    [options](const MarketModel& m, std::span<const double> v, double* o) {
                                      m.run(v, o, options);
                                    });
  }

  [[nodiscard]] std::vector<std::string> also_compiles() const override { return {"supply"}; }

  [[nodiscard]] std::optional<std::vector<ParamIndex>> reads(const analysis::Context& ctx,
                                                             const std::vector<std::string>&) const override {
    return MarketModel::build(ctx, ctx.params)->reads();
  }
};

}  // namespace

void register_engine(analysis::Registry& r) {
  constexpr double kBig = 1e12;
  auto add = [&r](ParamDecl d) { r.params.push_back(std::move(d)); };
  // Demand chain (yearly; interpolated between the years a scenario gives).
  add({"market.cloud_capex_usd_bn", Dim::kNumber, "USD bn", "China cloud (AI) capex", true, true, 0, kBig});
  add({"market.chain.overseas_share", Dim::kFraction, "fraction", "share of the capex spent on overseas data centres",
       true, false, 0, 1});
  add({"market.chain.server_share", Dim::kFraction, "fraction", "servers as a share of (domestic) cloud capex", true,
       false, 0, 1});
  add({"market.chain.ai_server_share", Dim::kFraction, "fraction", "AI-accelerated servers as a share of server spend",
       true, false, 0, 1});
  add({"market.chain.accelerator_share", Dim::kFraction, "fraction", "accelerators as a share of an AI server's value",
       true, false, 0, 1});
  // AI capex in RMB (a distinct series) and its bridge to the cloud capex.
  add({"market.ai_capex_rmb_bn", Dim::kNumber, "RMB bn",
       "AI capex of Chinese tech companies (RMB); a year without a figure (null, or after the last one) is bridged "
       "from the cloud capex: cloud capex x fx / scope ratio",
       true, true, 0, kBig});
  add({"market.capex_bridge.scope_ratio", Dim::kNumber, "x",
       "cloud capex (the TAM chain's base) per unit of AI capex, both in USD", true, false, 1e-3, 100});
  // Buyers outside the cloud chain, as sourced additions (not shares of a TAM).
  add({"market.buyers.sovereign_usd_bn", Dim::kNumber, "USD bn",
       "accelerator spend of non-internet buyers: telecom operators (their clouds too), governments, SOEs, "
       "other enterprises",
       true, true, 0, kBig});
  add({"market.buyers.innovator_usd_bn", Dim::kNumber, "USD bn",
       "accelerator spend of innovators on their own clusters: AI start-ups, carmakers", true, true, 0, kBig});
  // Import regime (taken before domestic supply) and adoption by buyer class.
  add({"market.imports.licensed_usd_bn", Dim::kNumber, "USD bn",
       "foreign accelerators the US export-licence regime lets vendors sell into China", true, false, 0, kBig});
  add({"market.imports.guidance_cap_share", Dim::kFraction, "fraction",
       "China's purchase guidance: the most of the TAM buyers may spend on licensed foreign parts (1 = none)", true,
       false, 0, 1});
  add({"market.imports.grey_usd_bn", Dim::kNumber, "USD bn", "restricted foreign accelerators entering via grey channels",
       true, false, 0, kBig});
  for (const char* cls : {"cloud", "sovereign", "innovator"})
    add({std::string("market.adoption.domestic_cap.") + cls, Dim::kFraction, "fraction",
         std::string("most of the ") + cls + " buyers' demand they place with domestic vendors", true, false, 0, 1});
  // AI-infrastructure returns.
  // AI-infrastructure returns (revenue: the tokens served at list prices, demand.* via market::TokenBook).
  add({"market.infra.servers_2022_usd_bn", Dim::kNumber, "USD bn",
       "AI servers the tech companies bought in 2022 (installed base before the model years)", false, false, 0, kBig});
  add({"market.infra.servers_2023_usd_bn", Dim::kNumber, "USD bn",
       "AI servers the tech companies bought in 2023 (installed base before the model years)", false, false, 0, kBig});
  add({"market.infra.pre2024_domestic_share", Dim::kFraction, "fraction",
       "domestic-chip share of the AI servers bought before 2024", false, false, 0, 1});
  add({"market.infra.domestic_power_subsidy", Dim::kFraction, "fraction",
       "cut in the electricity bill of data centres running domestic chips (none for foreign chips)", true, false, 0,
       1});
  add({"market.infra.server_usd_per_kw", Dim::kNumber, "USD/kW", "AI server capex per kW of IT load", false, false, 1,
       1e7});
  // Token traffic mix and list prices (market::TokenBook, src/market/tokens.cpp: one home of the token volume and its value).
  add({"demand.output_token_share", Dim::kFraction, "fraction", "output tokens as a share of all tokens served",
       false, false, 0, 1});
  add({"demand.prefix_cache_hit_share", Dim::kFraction, "fraction",
       "share of input tokens served from a prefix (KV) cache, billed at the cached-input price", false, false, 0, 1});
  add({"demand.price.input_rmb_per_mtok", Dim::kNumber, "RMB/Mtok", "list price of input tokens (cache miss)",
       false, false, 0, 1e6});
  add({"demand.price.cached_input_rmb_per_mtok", Dim::kNumber, "RMB/Mtok", "list price of input tokens (cache hit)",
       false, false, 0, 1e6});
  add({"demand.price.output_rmb_per_mtok", Dim::kNumber, "RMB/Mtok", "list price of output tokens", false, false, 0,
       1e6});
  add({"demand.price.year", Dim::kNumber, "year", "the year the list prices are for", false, false, 2000, 2100});
  add({"demand.price.decline_per_year", Dim::kFraction, "fraction",
       "fall of the price of a token of the served mix per year (learning; before the price year it is higher by it)",
       false, false, 0, 0.99});
  // Valuation.
  add({"market.valuation.ps_multiple.*", Dim::kNumber, "x sales", "price/sales multiple applied to a vendor's revenue",
       false, false, 0, 1e4});
  add({"market.valuation.domestic_share.*", Dim::kFraction, "fraction",
       "a vendor's share of the domestic market, for a vendor the supply model does not make", false, false, 0, 1});
  add({"market.valuation.market_cap_rmb_bn.*", Dim::kNumber, "RMB bn", "a vendor's market value", false, false, 0, kBig});

  r.providers.push_back(std::make_unique<MarketProvider>());
}

}  // namespace gpugap::market
