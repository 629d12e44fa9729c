#include "market/model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "core/suggest.hpp"

namespace gpugap::market {
namespace {

constexpr double kBillion = 1e9;
constexpr double kHoursPerYear = 8760.0;
constexpr int kLastIdx = kYears - 1;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Vintages before the first model year in the installed base (2022, 2023).
constexpr int kPriorVintages = 2;

// A yearly point is a figure of the scenario (or an override) unless it is
// null or only holds an earlier year's point.
bool given_point(const Param& p, int year) {
  if (p.is_null) return false;
  if (p.overridden || !p.prov.is_default || !p.prov.note.starts_with("held from ")) return true;
  return std::stoi(p.prov.note.substr(p.prov.note.size() - 4)) >= year;
}

}  // namespace

std::shared_ptr<const MarketModel> MarketModel::build(const analysis::Context& ctx, const ParamTable& params) {
  auto m = std::make_shared<MarketModel>();
  const supply::Resolver r{params, m->reads_};
  m->capex_ = r.yearly("market.cloud_capex_usd_bn");
  m->overseas_ = r.yearly("market.chain.overseas_share");
  m->server_ = r.yearly("market.chain.server_share");
  m->ai_server_ = r.yearly("market.chain.ai_server_share");
  m->accel_ = r.yearly("market.chain.accelerator_share");
  m->sovereign_ = r.yearly("market.buyers.sovereign_usd_bn");
  m->innovator_ = r.yearly("market.buyers.innovator_usd_bn");
  m->licensed_ = r.yearly("market.imports.licensed_usd_bn");
  m->guidance_ = r.yearly("market.imports.guidance_cap_share");
  m->grey_ = r.yearly("market.imports.grey_usd_bn");
  m->cap_cloud_ = r.yearly("market.adoption.domestic_cap.cloud");
  m->cap_sovereign_ = r.yearly("market.adoption.domestic_cap.sovereign");
  m->cap_innovator_ = r.yearly("market.adoption.domestic_cap.innovator");
  // AI capex in RMB: a figure where the scenario gives one, else bridged.
  m->scope_ = r.yearly("market.capex_bridge.scope_ratio");
  for (int y = 0; y < kYears; ++y) {
    const std::string path = "market.ai_capex_rmb_bn." + std::to_string(supply::year_at(y));
    const auto i = params.find(path);
    m->ai_capex_given_[y] = i && given_point(params.at(*i), supply::year_at(y));
    if (m->ai_capex_given_[y]) m->ai_capex_[y] = r.need(path);
  }
  m->subsidy_ = r.yearly("market.infra.domestic_power_subsidy");
  m->servers_2022_ = r.need("market.infra.servers_2022_usd_bn");
  m->servers_2023_ = r.need("market.infra.servers_2023_usd_bn");
  m->pre2024_domestic_ = r.need("market.infra.pre2024_domestic_share");
  try {
    m->tokens_ = std::make_shared<const TokenBook>(params, &m->reads_);
  } catch (const InsufficientData& e) {
    m->tokens_missing_ = e.path();
  }
  m->usd_per_kw_ = r.need("market.infra.server_usd_per_kw");
  m->fx_ = r.need("regions.cn.fx_per_usd");
  m->dep_years_ = r.need("regions.cn.depreciation_years");
  m->elec_ = r.need("regions.cn.electricity_price");
  m->elec_rmb_ = params.at(m->elec_).currency == Currency::kRmb;
  m->pue_ = r.need("regions.cn.pue");
  m->util_ = r.need("regions.cn.utilisation");
  m->dc_capex_ = r.need("regions.cn.datacenter_capex_per_kw");
  m->dc_capex_rmb_ = params.at(m->dc_capex_).currency == Currency::kRmb;
  m->dc_years_ = r.need("regions.cn.datacenter_years");

  // The supply model feeds the supply-derived view and the vendor shares; a
  // scenario without supply inputs still has every demand-side metric.
  try {
    m->supply_ = supply::SupplyModel::build(ctx, params);
    m->reads_.insert(m->reads_.end(), m->supply_->reads().begin(), m->supply_->reads().end());
  } catch (const InsufficientData& e) {
    m->supply_missing_ = e.path();
  }

  m->resolve_valuations(params, r);
  m->register_slots();
  return m;
}

void MarketModel::resolve_valuations(const ParamTable& params, const supply::Resolver& r) {
  MarketModel* m = this;
  // Valuation vendors: any vendor with a P/S multiple or a market value.
  std::set<std::string> vendors;
  for (const auto& p : params.all()) {
    for (const char* pre : {"market.valuation.ps_multiple.", "market.valuation.market_cap_rmb_bn.",
                            "market.valuation.domestic_share."}) {
      const std::string_view prefix(pre);
      if (p.path.starts_with(prefix) && p.path.find('.', prefix.size()) == std::string::npos)
        vendors.insert(p.path.substr(prefix.size()));
    }
  }
  for (const auto& v : vendors) {
    ValuationIn val;
    val.vendor = v;
    val.ps_multiple = r.opt("market.valuation.ps_multiple." + v);
    val.market_cap = r.opt("market.valuation.market_cap_rmb_bn." + v);
    val.domestic_share = r.opt("market.valuation.domestic_share." + v);
    if (m->supply_) {
      // A vendor the supply model makes takes its share of the supply; one it
      // does not make needs its own share of the domestic market.
      std::vector<std::string> ids;
      for (std::size_t k = 0; k < m->supply_->vendors().size(); ++k) {
        ids.push_back(m->supply_->vendors()[k].id);
        if (ids.back() == v) val.supply_vendor = k;
      }
      if (!val.supply_vendor && !val.domestic_share) {
        const std::string path = val.ps_multiple ? "market.valuation.ps_multiple." + v : "market.valuation.market_cap_rmb_bn." + v;
        throw UserError(params.at(path).where,
                        "a vendor the supply model allocates wafers or dies to, or one with "
                        "market.valuation.domestic_share." + v,
                        "'" + v + "'", suggest(v, ids));
      }
    }
    m->valuations_.push_back(std::move(val));
  }

}

void MarketModel::register_slots() {
  MarketModel* m = this;
  supply::Slots& s = m->slots_;
  Out& o = m->out_;
  o.capex = s.yearly("market.cloud_capex_usd_bn");
  o.ai_capex_rmb = s.yearly("market.ai_capex_rmb_bn");
  o.ai_capex_growth = s.yearly("market.ai_capex_growth");
  o.ai_capex_bridged = s.yearly("market.capex_bridge.ai_capex_bridged");
  o.implied_scope = s.yearly("market.capex_bridge.implied_scope");
  o.chain = s.yearly("market.chain_product");
  o.cloud = s.yearly("market.cloud_ai_gpu_usd_bn");
  o.sovereign = s.yearly("market.sovereign_usd_bn");
  o.innovator = s.yearly("market.innovator_usd_bn");
  o.non_cloud = s.yearly("market.non_cloud_usd_bn");
  o.tam = s.yearly("market.tam_usd_bn");
  o.cloud_share = s.yearly("market.cloud_gpu_share_of_capex");
  o.foreign = s.yearly("market.imports_usd_bn");
  o.licensed = s.yearly("market.imports.licensed_taken_usd_bn");
  o.grey = s.yearly("market.imports.grey_taken_usd_bn");
  o.adoption_cap = s.yearly("market.adoption_cap_usd_bn");
  o.infra_capex = s.yearly("market.infra.capex_rmb_bn");
  o.infra_installed = s.yearly("market.infra.installed_rmb_bn");
  o.infra_pre2024 = s.yearly("market.infra.installed_pre2024_rmb_bn");
  o.infra_domestic_share = s.yearly("market.infra.domestic_installed_share");
  o.infra_gw = s.yearly("market.infra.it_power_gw");
  o.infra_dep = s.yearly("market.infra.depreciation_rmb_bn");
  o.infra_power = s.yearly("market.infra.power_rmb_bn");
  o.infra_lease = s.yearly("market.infra.leasing_rmb_bn");
  o.infra_cost = s.yearly("market.infra.cost_rmb_bn");
  o.infra_tokens = s.yearly("market.infra.tokens_served_t");
  o.infra_price = s.yearly("market.infra.price_rmb_per_mtok");
  o.infra_revenue = s.yearly("market.infra.revenue_rmb_bn");
  o.infra_profit = s.yearly("market.infra.profit_rmb_bn");
  o.margin = s.yearly("market.ai_infra_margin");
  o.infra_cash = s.yearly("market.infra.cash_flow_rmb_bn");
  o.tam_cagr = s.single("market.tam_cagr");
  o.capex_cagr = s.single("market.cloud_capex_cagr");
  o.breakeven = s.single("market.breakeven_year");
  o.cash_breakeven = s.single("market.breakeven_year_cashflow");
  m->first_supply_metric_ = s.metric_count();
  if (m->supply_) {
    std::vector<std::string> vnames;
    for (const auto& v : m->valuations_) vnames.push_back(v.vendor);
    o.supply_value = s.yearly("market.supply_value_usd_bn");
    o.available = s.yearly("market.domestic_available_usd_bn");
    o.domestic_demand = s.yearly("market.domestic_demand_usd_bn");
    o.domestic = s.yearly("market.domestic_usd_bn");
    o.self_suff = s.yearly("market.self_sufficiency");
    o.unmet = s.yearly("market.unmet_usd_bn");
    o.unsold = s.yearly("market.domestic_unsold_usd_bn");
    o.domestic_cagr = s.single("market.domestic_cagr");
    o.val_share = s.keyed_yearly("market.valuation.share", vnames);
    o.val_revenue = s.keyed_yearly("market.valuation.revenue_usd_bn", vnames);
    o.val_value = s.keyed_yearly("market.valuation.implied_value_usd_bn", vnames);
    o.val_ps = s.keyed_yearly("market.valuation.implied_ps", vnames);
    m->supply_base_ = s.scratch(m->supply_->slots().size());
  }
}

MarketModel::RunOptions MarketModel::options_for(const std::vector<std::size_t>& slots) const {
  auto any_in = [&](std::size_t first, std::size_t count) {
    return std::any_of(slots.begin(), slots.end(), [&](std::size_t i) { return i >= first && i < first + count; });
  };
  // The infra blocks are registered one after another, infra_capex .. infra_cash
  // (build()); the valuation blocks likewise, val_share .. val_ps.
  constexpr std::size_t kInfraBlocks = 15;
  constexpr std::size_t kValuationBlocks = 4;
  RunOptions opt;
  opt.growth = any_in(out_.tam_cagr, 1) || any_in(out_.capex_cagr, 1);
  opt.infra = any_in(out_.infra_capex, kInfraBlocks * kYears) || any_in(out_.breakeven, 1) ||
              any_in(out_.cash_breakeven, 1);
  // The infra layer's power bill reads the domestic share of each vintage (the closure).
  opt.supply = supply_ && (opt.infra || any_in(first_supply_metric_, slots_.metric_count() - first_supply_metric_));
  opt.valuation = supply_ && any_in(out_.val_share, kValuationBlocks * valuations_.size() * kYears);
  return opt;
}

void MarketModel::run(std::span<const double> v, double* out, const RunOptions& options) const {
  const Out& o = out_;
  const double fx = v[fx_];

  // Demand chain, and the domestic AI-server part of the AI capex (RMB bn).
  std::array<double, kYears> infra_capex{};
  for (int y = 0; y < kYears; ++y) {
    const double capex = v[capex_[y]];
    const double domestic_capex_share = 1.0 - v[overseas_[y]];
    const double chain = domestic_capex_share * v[server_[y]] * v[ai_server_[y]] * v[accel_[y]];
    const double cloud = capex * chain;
    // The cloud chain as the report states it, plus the other buyer classes
    // as their own sourced lines (the chain's capex is the tech companies'
    // own, so a telecom operator's cloud is counted once, under sovereign).
    const double sovereign = v[sovereign_[y]];
    const double innov = v[innovator_[y]];
    const double non_cloud = sovereign + innov;
    const double tam = cloud + non_cloud;
    // Imports come first: what the US licences (up to what China's purchase
    // guidance lets buyers spend on foreign parts) plus the grey market, never
    // more than the demand.
    const double licensed = std::min({v[licensed_[y]], v[guidance_[y]] * tam, tam});
    const double grey = std::min(v[grey_[y]], tam - licensed);
    // Each buyer class places at most its adoption cap with domestic vendors.
    const double cap = cloud * v[cap_cloud_[y]] + sovereign * v[cap_sovereign_[y]] +
                       innov * v[cap_innovator_[y]];
    // AI capex (RMB): the tech companies' own series where it has a figure,
    // else the cloud capex bridged by FX and the scope ratio (cloud capex per
    // unit of AI capex).
    const double scope = v[scope_[y]];
    const double ai_capex = ai_capex_given_[y] ? v[ai_capex_[y]] : (scope > 0 ? capex * fx / scope : kNaN);
    out[o.capex + y] = capex;
    out[o.ai_capex_rmb + y] = ai_capex;
    out[o.ai_capex_bridged + y] = ai_capex_given_[y] ? 0.0 : 1.0;
    out[o.implied_scope + y] = ai_capex > 0 ? capex * fx / ai_capex : kNaN;
    out[o.chain + y] = chain;
    out[o.cloud + y] = cloud;
    out[o.sovereign + y] = sovereign;
    out[o.innovator + y] = innov;
    out[o.non_cloud + y] = non_cloud;
    out[o.tam + y] = tam;
    out[o.cloud_share + y] = capex > 0 ? cloud / capex : kNaN;
    out[o.licensed + y] = licensed;
    out[o.grey + y] = grey;
    out[o.foreign + y] = licensed + grey;
    out[o.adoption_cap + y] = cap;
    infra_capex[y] = ai_capex * domestic_capex_share * v[server_[y]] * v[ai_server_[y]];
  }
  for (int y = 0; y < kYears; ++y)
    out[o.ai_capex_growth + y] = y > 0 ? out[o.ai_capex_rmb + y] / out[o.ai_capex_rmb + y - 1] - 1.0 : kNaN;

  if (options.growth) {
    constexpr double kSpan = kYears - 1;
    out[o.tam_cagr] = cagr(out[o.tam], out[o.tam + kLastIdx], kSpan);
    out[o.capex_cagr] = cagr(out[o.capex], out[o.capex + kLastIdx], kSpan);
  }
  const bool closed = options.supply && supply_;
  if (closed) run_supply(v, out, options);
  if (options.infra) run_infra(v, out, infra_capex, closed);
}

void MarketModel::run_infra(std::span<const double> v, double* out, const std::array<double, kYears>& infra_capex,
                            bool closed) const {
  // AI-infrastructure returns. The installed base: AI servers bought from
  // 2022 (two vintages before the model years, from the server market) in
  // service for the depreciation life. Its IT load draws power (at a
  // subsidised price where the servers hold domestic chips) and rents
  // data-centre space; revenue is the tokens China serves at list prices.
  const Out& o = out_;
  const double fx = v[fx_];
  const double life = v[dep_years_];
  const double usd_per_kw = v[usd_per_kw_];
  const double elec_usd = elec_rmb_ ? v[elec_] / fx : v[elec_];
  const double dc_capex_usd = dc_capex_rmb_ ? v[dc_capex_] / fx : v[dc_capex_];
  const double lease_usd_per_kw_year = v[dc_years_] > 0 ? dc_capex_usd / v[dc_years_] : 0.0;
  // Vintages: [0, kPriorVintages) before the model years, then one per model year.
  constexpr int kVintages = kPriorVintages + kYears;
  std::array<double, kVintages> spend{}, domestic{};
  spend[0] = v[servers_2022_] * fx;
  spend[1] = v[servers_2023_] * fx;
  domestic[0] = domestic[1] = v[pre2024_domestic_];
  for (int y = 0; y < kYears; ++y) {
    spend[kPriorVintages + y] = infra_capex[y];
    // The domestic share of a vintage: the closure's domestic sales over the
    // TAM of its year (none known without the supply model).
    const double tam = out[o.tam + y];
    domestic[kPriorVintages + y] = closed && tam > 0 ? out[o.domestic + y] / tam : 0.0;
  }
  std::array<TokenYear, kYears> tokens{};
  if (tokens_) tokens = tokens_->run(v);
  // Two break-evens: accounting (revenue covers depreciation, power and
  // leasing) and cash flow (revenue covers power, leasing and the year's
  // AI-server spend, which depreciation spreads over the server life).
  double breakeven = kNaN, cash_breakeven = kNaN;  // none until reached
  for (int y = 0; y < kYears; ++y) {
    double installed = 0, pre2024 = 0, depreciation = 0, dom = 0;
    for (int k = 0; k <= kPriorVintages + y; ++k) {
      const double age = kPriorVintages + y - k;
      const double alive = std::clamp(life - age, 0.0, 1.0);  // fraction of year y the vintage is in service
      installed += spend[k] * alive;
      if (k < kPriorVintages) pre2024 += spend[k] * alive;
      depreciation += life > 0 ? spend[k] * alive / life : 0.0;
      dom += spend[k] * alive * domestic[k];
    }
    const double dom_share = installed > 0 ? dom / installed : 0.0;
    const double kw = usd_per_kw > 0 ? installed / fx * kBillion / usd_per_kw : 0.0;
    const double full_power = kw * kHoursPerYear * v[util_] * v[pue_] * elec_usd * fx / kBillion;
    const double power = full_power * (1.0 - v[subsidy_[y]] * dom_share);
    const double lease = kw * lease_usd_per_kw_year * fx / kBillion;
    const double cost = depreciation + power + lease;
    const double revenue = tokens_ ? tokens[y].revenue_rmb_bn : kNaN;
    const double margin = revenue > 0 ? (revenue - cost) / revenue : (tokens_ ? -INFINITY : kNaN);
    const double cash = revenue - power - lease - infra_capex[y];
    if (margin >= 0 && std::isnan(breakeven)) breakeven = supply::year_at(y);
    if (cash >= 0 && std::isnan(cash_breakeven)) cash_breakeven = supply::year_at(y);
    out[o.infra_cash + y] = cash;
    out[o.infra_capex + y] = infra_capex[y];
    out[o.infra_installed + y] = installed;
    out[o.infra_pre2024 + y] = pre2024;
    out[o.infra_domestic_share + y] = closed ? dom_share : kNaN;
    out[o.infra_gw + y] = kw / 1e6;
    out[o.infra_dep + y] = depreciation;
    out[o.infra_power + y] = power;
    out[o.infra_lease + y] = lease;
    out[o.infra_cost + y] = cost;
    out[o.infra_tokens + y] = tokens_ ? tokens[y].tokens / 1e12 : kNaN;
    out[o.infra_price + y] = tokens_ ? tokens[y].price_rmb_per_mtok : kNaN;
    out[o.infra_revenue + y] = revenue;
    out[o.infra_profit + y] = revenue - cost;
    out[o.margin + y] = margin;
  }
  out[o.breakeven] = tokens_ ? breakeven : kNaN;
  out[o.cash_breakeven] = tokens_ ? cash_breakeven : kNaN;
}

void MarketModel::run_supply(std::span<const double> v, double* out, const RunOptions& options) const {
  const Out& o = out_;
  const double fx = v[fx_];
  double* sup = out + supply_base_;
  supply_->run(v, sup, options.supply_options);
  const auto& so = supply_->out();
  // The market closes one year at a time: domestic vendors offer this year's
  // chips (supply's chips x ASP) plus what went unsold before; buyers take
  // them up to the demand imports leave and their adoption caps allow; the
  // rest is carried into next year at its value. Supply is run once, before.
  double carried = 0;
  for (int y = 0; y < kYears; ++y) {
    const double tam = out[o.tam + y];
    const double value = sup[so.value + y];
    const double available = value + carried;
    const double wanted = std::min(tam - out[o.foreign + y], out[o.adoption_cap + y]);
    const double sold = std::min(available, wanted);
    carried = available - sold;
    out[o.supply_value + y] = value;
    out[o.available + y] = available;
    out[o.domestic_demand + y] = wanted;
    out[o.domestic + y] = sold;
    out[o.self_suff + y] = tam > 0 ? sold / tam : kNaN;
    out[o.unmet + y] = tam - out[o.foreign + y] - sold;
    out[o.unsold + y] = carried;
    if (!options.valuation) continue;
    // A vendor the supply model makes sells its share of the domestic supply
    // (together: all domestic sales). One it does not make sells only into
    // what they leave, the domestic demand they cannot fill (part of the unmet
    // demand): its share of the domestic demand, all such vendors scaled down
    // together when their shares ask for more than is left. So vendor revenues
    // never sum to more than the domestic demand.
    double asked = 0;
    for (const ValuationIn& val : valuations_)
      if (!val.supply_vendor) asked += v[*val.domestic_share] * wanted;
    const double room = std::max(0.0, wanted - sold);
    const double scale = asked > room ? room / asked : 1.0;
    for (std::size_t k = 0; k < valuations_.size(); ++k) {
      const ValuationIn& val = valuations_[k];
      const double revenue =
          val.supply_vendor
              ? sold * (value > 0 ? sup[so.vendor_value + *val.supply_vendor * kYears + y] / value : 0.0)
              : v[*val.domestic_share] * wanted * scale;
      // Supply vendors: share of the domestic market; others: of the domestic demand.
      const double share = val.supply_vendor ? (sold > 0 ? revenue / sold : 0.0) : (wanted > 0 ? revenue / wanted : 0.0);
      out[o.val_share + k * kYears + y] = share;
      out[o.val_revenue + k * kYears + y] = revenue;
      out[o.val_value + k * kYears + y] = val.ps_multiple ? revenue * v[*val.ps_multiple] : kNaN;
      out[o.val_ps + k * kYears + y] =
          val.market_cap && revenue > 0 ? v[*val.market_cap] / fx / revenue : kNaN;
    }
  }
  out[o.domestic_cagr] = cagr(out[o.domestic], out[o.domestic + kLastIdx], kYears - 1);
}

std::string no_breakeven_reason(bool cash_flow, double revenue_rmb_bn, double cost_rmb_bn) {
  return fmt::format("not reached by {}: revenue RMB {:.0f}bn in {} against {} of RMB {:.0f}bn", analysis::kLastYear,
                     revenue_rmb_bn, analysis::kLastYear,
                     cash_flow ? "power, leasing and the year's AI-server spend" : "depreciation, power and leasing",
                     cost_rmb_bn);
}

TotalsReader::TotalsReader(const analysis::Context& ctx, const ParamTable& params)
    : model_(MarketModel::build(ctx, params)) {
  const auto& o = model_->out();
  std::vector<std::size_t> wanted;
  for (std::size_t y = 0; y < kYears; ++y) {
    wanted.push_back(o.tam + y);
    wanted.push_back(o.domestic + y);
  }
  options_ = model_->options_for(wanted);
  if (model_->has_supply()) supply_.emplace(ctx, params);
}

Totals TotalsReader::read(std::span<const double> values) const {
  const auto& o = model_->out();
  std::vector<double> buf(model_->slots().size());
  model_->run(values, buf.data(), options_);
  Totals t;
  for (std::size_t y = 0; y < kYears; ++y) {
    t.tam_usd_bn[y] = buf[o.tam + y];
    t.domestic_usd_bn[y] = model_->has_supply() ? buf[o.domestic + y] : kNaN;
  }
  if (supply_) t.supply = supply_->read(values);
  return t;
}

std::optional<TotalsReader> try_totals_reader(const analysis::Context& ctx, const ParamTable& params) {
  try {
    return TotalsReader(ctx, params);
  } catch (const InsufficientData&) {
    return std::nullopt;
  }
}

std::optional<Totals> try_totals(const analysis::Context& ctx, const ParamTable& params) {
  const auto reader = try_totals_reader(ctx, params);
  return reader ? std::optional<Totals>(reader->read(params.values())) : std::nullopt;
}

}  // namespace gpugap::market
