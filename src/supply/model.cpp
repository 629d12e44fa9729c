#include "supply/model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "supply/capacity.hpp"

namespace gpugap::supply {
namespace {

constexpr double kPeta = 1e15;
constexpr double kBillion = 1e9;
constexpr double kGB = 1e9;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string_view code_name(double code, std::span<const std::string_view> names) {
  const double r = std::round(code);
  if (!(r >= 0) || r >= static_cast<double>(names.size())) return "unknown";
  return names[static_cast<std::size_t>(r)];
}

}  // namespace

std::string_view binding_name(double code) { return code_name(code, kBindingNames); }
std::string_view capacity_binding_name(double code) { return code_name(code, kCapacityBindingNames); }

YieldModel SupplyModel::yield_model(std::span<const double> v) const {
  return yield_model_from_code(v[model_]).value_or(YieldModel::kNegativeBinomial);
}

SupplyModel::RunOptions SupplyModel::options_for(const std::vector<std::size_t>& slots) const {
  auto any_in = [&](std::size_t first, std::size_t end) {
    return std::any_of(slots.begin(), slots.end(), [&](std::size_t i) { return i >= first && i < end; });
  };
  RunOptions opt = kLean;
  opt.d0 = any_in(out_.d0, out_.d0 + nodes_.size() * kYears);
  opt.nodes = any_in(out_.node_begin, out_.node_end);
  opt.products = any_in(out_.product_begin, out_.product_end);
  opt.geometry = any_in(out_.geometry_begin, out_.geometry_end);
  return opt;
}

// long function: the per-sample hot path of the supply Monte Carlo (1M samples,
// docs/performance.md); one body keeps the year loop's scratch arrays on the
// stack, uninitialised, where helpers would pass or zero them. Its steps
// follow docs/model-supply.md sections 0-7 in order.
void SupplyModel::run(std::span<const double> v, double* out, RunOptions options) const {
  const YieldModel model = yield_model(v);
  const YieldShape shape{v[alpha_], layers_ ? v[*layers_] : 1.0};
  const double ysys = v[systematic_];
  const double harvest = v[harvest_];
  const double metrology = v[metrology_];
  const double fx = v[fx_];
  const double lag_years = v[lag_] / kQuartersPerYear;
  const bool base_geometry = v[diameter_] == base_diameter_ && v[edge_] == base_edge_ && v[scribe_] == base_scribe_;
  const WaferGeometry geo{v[diameter_], v[edge_], v[scribe_]};
  const Reticle reticle{v[reticle_w_], v[reticle_h_]};
  const bool base_reticle = v[reticle_w_] == base_reticle_w_ && v[reticle_h_] == base_reticle_h_;
  const Out& o = out_;
  const std::size_t np = products_.size();
  const std::size_t nv = vendors_.size();
  const std::size_t nn = nodes_.size();
  auto put = [&](std::size_t base, std::size_t key, int y, double x) { out[base + key * kYears + y] = x; };

  // Geometry: enumeration only when the die or the wafer differs from the baseline.
  std::array<double, kMaxKeys> gdw, area_cm2;
  for (std::size_t p = 0; p < np; ++p) {
    const ProductIn& pr = products_[p];
    const double area = v[pr.die_area];
    area_cm2[p] = area / kMm2PerCm2;
    if (base_geometry && base_reticle && area == pr.baseline_area) {
      gdw[p] = pr.baseline_gdw;
      if (options.geometry) {
        out[o.gdw_simple + p] = pr.baseline_simple;
        out[o.gdw_exp + p] = pr.baseline_exp;
        out[o.over_reticle + p] = pr.baseline_over;
      }
    } else {
      const DieShape die = square_die(area);
      gdw[p] = gross_dies_exact(geo, die);
      if (options.geometry) {
        out[o.gdw_simple + p] = gross_dies_simple(geo, die);
        out[o.gdw_exp + p] = gross_dies_exp(geo, die);
        out[o.over_reticle + p] = fits_reticle(die, reticle) ? 0.0 : 1.0;
      }
    }
    if (options.geometry) out[o.gdw_exact + p] = gdw[p];
  }
  std::array<double, kMaxKeys> hbm_gdw;
  for (std::size_t l = 0; l < hbm_lines_.size(); ++l) {
    const HbmLineIn& line = hbm_lines_[l];
    const double area = v[line.die_area];
    hbm_gdw[l] = base_geometry && area == line.baseline_area ? line.baseline_gdw : gross_dies_exact(geo, square_die(area));
    if (options.geometry) out[o.hbm_gdw + l] = hbm_gdw[l];
  }

  // Per-product inputs that do not change by year, read once.
  struct ProductRun {
    double dpp, stacks, gb, compute, compute8, price_usd;
    std::size_t vendor, gen;
  };
  std::array<ProductRun, kMaxKeys> pc;
  for (std::size_t p = 0; p < np; ++p) {
    const ProductIn& pr = products_[p];
    pc[p] = {v[pr.dies_per_package], v[pr.hbm_stacks], v[pr.memory_bytes] / kGB, v[pr.compute], v[pr.compute8],
             pr.price_rmb ? v[pr.price] / fx : v[pr.price], pr.vendor, pr.hbm_gen};
  }
  // Stocks carried from year to year: die bank, unpackaged dies, HBM.
  std::array<double, kMaxKeys> bank_left, inventory;
  for (std::size_t k = 0; k < nv; ++k) bank_left[k] = vendors_[k].diebank_stock ? v[*vendors_[k].diebank_stock] : 0.0;
  std::fill_n(inventory.begin(), np, 0.0);
  std::array<double, kHbmGens> hbm_stock;
  for (std::size_t g = 0; g < kHbmGens; ++g) hbm_stock[g] = v[hbm_stock_[g]];
  // Capacity paths (effective year-end points) and chips by vendor and year (installed base).
  std::array<std::array<double, kYears>, kMaxKeys> cap_path;
  std::array<std::array<double, kYears>, kMaxKeys> vendor_chips;
  std::array<double, kYears> h100e_path, h100e8_path;
  double scanners = litho_ ? v[litho_installed_] : 0.0;
  const double life = v[service_life_];

  std::array<double, kMaxKeys> good, wafers, started, scrap_y, primary_yield, die_cost, bank, wafer_usd;
  std::array<double, kMaxKeys> pkg_y;  // package yield by SKU, recomputed only when the reference yield changes
  double last_ref_yield = -1.0;
  for (int y = 0; y < kYears; ++y) {
    const double year = year_at(y);
    // 0. Capacity: announced, else the smaller of capex- and lithography-limited.
    if (litho_) scanners += v[litho_imports_[y]];
    std::array<double, kMaxKeys> ai_wafers, d0, ref_area_cm2, ref_random;
    std::array<bool, kMaxKeys> have_d0;
    for (std::size_t n = 0; n < nn; ++n) {
      const NodeIn& nd = nodes_[n];
      double cap = v[nd.wafers_per_month[y]];
      double capex_cap = kInf, tool_cap = kInf;
      CapacityBinding cb = CapacityBinding::kAnnounced;
      if (nd.limits) {
        const double prev = y > 0 ? cap_path[n][y - 1] : 0.0;
        capex_cap = prev + capex_added_wpm(v[capex_[y]], v[nd.capex_share[y]], v[nd.capex_per_kwpm]);
        tool_cap = tool_limited_wpm(scanners, v[nd.litho_share[y]], v[litho_wph_], v[litho_uptime_], v[nd.litho_passes]);
        if (!nd.announced[y]) {
          cb = capex_cap <= tool_cap ? CapacityBinding::kCapex : CapacityBinding::kLithography;
          cap = std::min(capex_cap, tool_cap);
        }
      }
      cap_path[n][y] = cap;
      // 1. Wafer starts that become this year's chips: the monthly path, lagged.
      const double starts = lagged_year_average(std::span<const double>(cap_path[n].data(), y + 1), y, lag_years);
      ai_wafers[n] = starts * kMonthsPerYear * v[nd.ai_share[y]];
      if (options.nodes) {
        put(o.wpm, n, y, cap);
        put(o.cap_capex, n, y, capex_cap);
        put(o.cap_tool, n, y, tool_cap);
        put(o.cap_binding, n, y, static_cast<double>(cb));
        put(o.starts_wpm, n, y, starts);
        put(o.ai_wpm, n, y, starts * v[nd.ai_share[y]]);
      }
      // 2. Defect density: from the stated yield (the sellable yield of the
      // reference die) or the learning curve; x the metrology factor.
      if (nd.from_yield) {
        ref_area_cm2[n] = v[nd.ref_area] / kMm2PerCm2;
        ref_random[n] = std::min(1.0, v[nd.yield[y]] / ysys);
        have_d0[n] = false;  // inverted only when needed (a transcendental per node-year)
        if (metrology != 1.0) {
          d0[n] = implied_ad(model, ref_random[n], shape) / ref_area_cm2[n] * metrology;
          ref_random[n] = random_yield(model, ref_area_cm2[n] * d0[n], shape);
          have_d0[n] = true;
        }
      } else {
        const double age = std::max(0.0, year - v[nd.d0_start]);
        const double tau = v[nd.d0_tau];
        const double floor = v[nd.d0_floor];
        d0[n] = (floor + (v[nd.d0_initial] - floor) * (tau > 0 ? std::exp(-age / tau) : 0.0)) * metrology;
        ref_area_cm2[n] = -1.0;
        have_d0[n] = true;
      }
    }
    auto defect_density = [&](std::size_t n) {
      if (!have_d0[n]) {
        d0[n] = ref_area_cm2[n] > 0 ? implied_ad(model, ref_random[n], shape) / ref_area_cm2[n] : 0.0;
        have_d0[n] = true;
      }
      return d0[n];
    };
    if (options.d0)
      for (std::size_t n = 0; n < nn; ++n) put(o.d0, n, y, defect_density(n));

    // 3. Good dies per product: AI wafers x share x gross dies x die yield.
    std::fill_n(good.begin(), np, 0.0);
    std::fill_n(wafers.begin(), np, 0.0);
    std::fill_n(started.begin(), np, 0.0);
    std::fill_n(scrap_y.begin(), np, 0.0);
    std::fill_n(primary_yield.begin(), np, 0.0);
    std::fill_n(die_cost.begin(), np, kNaN);
    std::fill_n(bank.begin(), np, 0.0);
    std::fill_n(wafer_usd.begin(), np, 0.0);
    for (const AllocIn& a : allocs_) {
      const std::size_t p = a.product;
      const std::size_t n = a.node;
      // Same die as the yield statement: the stated yield itself (no round trip).
      const double random = area_cm2[p] == ref_area_cm2[n] ? ref_random[n]
                                                           : random_yield(model, area_cm2[p] * defect_density(n), shape);
      const double y_die = sellable_yield(random, ysys, harvest);
      const double w = ai_wafers[n] * v[a.share[y]];
      wafers[p] += w;
      started[p] += w * gdw[p];
      good[p] += w * gdw[p] * y_die;
      scrap_y[p] += w * gdw[p] * (1.0 - y_die);
      wafer_usd[p] += w * v[nodes_[n].wafer_price];
      if (a.primary) {
        primary_yield[p] = y_die;
        die_cost[p] = cost_per_good_die(v[nodes_[n].wafer_price], gdw[p], y_die);
      }
    }
    // A SKU made on several nodes: the wafer spend over the good dies of all of them.
    for (std::size_t p = 0; p < np; ++p)
      if (good[p] > 0) die_cost[p] = wafer_usd[p] / good[p];
    // 4. Die bank: each vendor draws stock / drawdown years a year from its
    // start year until it is empty, split over its chips by the year's mix.
    for (std::size_t k = 0; k < nv; ++k) {
      const VendorIn& vd = vendors_[k];
      if (!vd.diebank_stock || year < v[*vd.diebank_start]) continue;
      const double years = std::max(v[*vd.diebank_years], 1e-9);
      const double draw = std::min(bank_left[k], v[*vd.diebank_stock] / years);
      double taken = 0;
      for (const DiebankIn& d : diebank_) {
        if (d.vendor != k) continue;
        const double t = draw * v[d.mix[y]];
        bank[d.product] += t;
        taken += t;
      }
      bank_left[k] = std::max(0.0, bank_left[k] - taken);
    }

    // 5. HBM supply by generation: domestic DRAM wafers -> good dies -> stacks (GB), plus the carried stock.
    // Each line: DRAM wafers x 12 x gross dies x die yield x stack yield x GB per die, split by generation.
    std::array<double, kHbmGens> hbm_avail, hbm_dom{}, hbm_need{}, hbm_used{}, hbm_chips{}, hbm_scrap{};
    for (std::size_t l = 0; l < hbm_lines_.size(); ++l) {
      const HbmLineIn& line = hbm_lines_[l];
      const double gb = v[line.wafers_per_month[y]] * kMonthsPerYear * hbm_gdw[l] * v[line.die_yield[y]] *
                        v[line.stack_yield] * v[line.gb_per_die];
      for (std::size_t g = 0; g < kHbmGens; ++g) hbm_dom[g] += gb * v[line.gen_share[g][y]];
      if (options.products) put(o.hbm_line, l, y, gb);
    }
    for (std::size_t g = 0; g < kHbmGens; ++g) hbm_avail[g] = hbm_stock[g] + hbm_dom[g];

    // 6. Package starts in the state-directed order: each priority group gets
    // min(its dies, the HBM left, the packaging capacity left), pro rata inside.
    // A SKU takes HBM of its own generation first, then (when allowed) newer
    // generations, oldest first: consumed[class][generation].
    std::array<double, kMaxKeys> want, starts_p;
    std::array<std::array<double, kHbmGens>, kHbmGens> consumed{};
    const bool upgrade = v[hbm_upgrade_] != 0;
    double cap_left = v[pkg_capacity_[y]];
    double sum_want = 0, sum_starts = 0, short_hbm = 0, short_pkg = 0;
    for (std::size_t p = 0; p < np; ++p) {
      const double dies = inventory[p] + good[p] + bank[p];
      want[p] = pc[p].dpp > 0 ? dies / pc[p].dpp : 0.0;
      sum_want += want[p];
      hbm_need[pc[p].gen] += want[p] * pc[p].gb;
    }
    for (const auto& [begin, end] : groups_) {
      std::array<double, kHbmGens> need_c{}, f_hbm{}, used_c{};
      double need_pkg = 0;
      for (std::size_t i = begin; i < end; ++i) {
        const std::size_t p = order_[i];
        need_c[pc[p].gen] += want[p] * pc[p].gb;
        need_pkg += want[p];
      }
      const double f_pkg = need_pkg > 0 ? std::min(1.0, cap_left / need_pkg) : 1.0;
      for (std::size_t c = 0; c < kHbmGens; ++c) {
        double pool = hbm_avail[c];
        if (upgrade)
          for (std::size_t g = c + 1; g < kHbmGens; ++g) pool += hbm_avail[g];
        f_hbm[c] = need_c[c] > 0 ? std::min(1.0, pool / need_c[c]) : 1.0;
        used_c[c] = need_c[c] * std::min(f_hbm[c], f_pkg);
        // Take it from the class's own generation, then newer ones.
        double rest = used_c[c];
        for (std::size_t g = c; g < kHbmGens && rest > 0; ++g) {
          if (g > c && !upgrade) break;
          const double take = std::min(rest, hbm_avail[g]);
          hbm_avail[g] -= take;
          consumed[c][g] += take;
          rest -= take;
        }
      }
      double group_starts = 0;
      for (std::size_t i = begin; i < end; ++i) {
        const std::size_t p = order_[i];
        const double fh = f_hbm[pc[p].gen];
        starts_p[p] = want[p] * std::min(fh, f_pkg);
        const double lost = want[p] - starts_p[p];
        if (fh <= f_pkg) short_hbm += lost;
        else short_pkg += lost;
        group_starts += starts_p[p];
      }
      cap_left = std::max(0.0, cap_left - group_starts);
      sum_starts += group_starts;
    }
    // Generation mix of each class's HBM (for HBM in chips and scrap by generation).
    std::array<std::array<double, kHbmGens>, kHbmGens> mix{};
    for (std::size_t c = 0; c < kHbmGens; ++c) {
      double total_c = 0;
      for (std::size_t g = 0; g < kHbmGens; ++g) total_c += consumed[c][g];
      for (std::size_t g = 0; g < kHbmGens; ++g) mix[c][g] = total_c > 0 ? consumed[c][g] / total_c : (g == c ? 1.0 : 0.0);
      for (std::size_t g = 0; g < kHbmGens; ++g) hbm_used[g] += consumed[c][g];
    }
    Binding binding = Binding::kLogicDies;
    if (short_hbm > 0 || short_pkg > 0) binding = short_hbm >= short_pkg ? Binding::kHbm : Binding::kPackaging;

    // 7. Chips, scrap, inventory and unit economics per product.
    double total = 0, pflops = 0, pops8 = 0, usd = 0;
    std::array<double, kMaxKeys> chips_v, revenue_v, cogs_v;
    std::fill_n(chips_v.begin(), nv, 0.0);
    std::fill_n(revenue_v.begin(), nv, 0.0);
    std::fill_n(cogs_v.begin(), nv, 0.0);
    const double asp_change = v[asp_change_];
    const double price_factor = asp_change == 0 ? 1.0 : std::pow(1.0 + asp_change, year - v[asp_base_year_]);
    if (v[pkg_yield_[y]] != last_ref_yield) {
      last_ref_yield = v[pkg_yield_[y]];
      const double log_ref_yield = std::log(std::clamp(last_ref_yield, 0.0, 1.0));
      for (std::size_t p = 0; p < np; ++p)
        pkg_y[p] = package_yield_from_log(log_ref_yield, pc[p].dpp + pc[p].stacks, v[pkg_ref_components_]);
    }
    for (std::size_t p = 0; p < np; ++p) {
      const ProductRun& pr = pc[p];
      const double py = pkg_y[p];
      const double chips = starts_p[p] * py;
      const double dies_avail = inventory[p] + good[p] + bank[p];
      inventory[p] = std::max(0.0, dies_avail - starts_p[p] * pr.dpp);
      for (std::size_t g = 0; g < kHbmGens; ++g) {
        hbm_chips[g] += chips * pr.gb * mix[pr.gen][g];
        hbm_scrap[g] += starts_p[p] * (1.0 - py) * pr.gb * mix[pr.gen][g];
      }
      const double cogs = unit_cogs(pr.dpp, die_cost[p], pr.gb, v[hbm_usd_per_gb_[pr.gen][y]], v[pkg_cost_], py,
                                    v[other_cost_]);
      const double asp = pr.price_usd * price_factor;
      chips_v[pr.vendor] += chips;
      revenue_v[pr.vendor] += chips * asp / kBillion;
      cogs_v[pr.vendor] += chips > 0 ? chips * cogs / kBillion : 0.0;
      total += chips;
      pflops += chips * pr.compute / kPeta;
      pops8 += chips * pr.compute8 / kPeta;
      usd += chips * asp / kBillion;
      if (options.products) {
        put(o.wafers, p, y, wafers[p]);
        put(o.die_yield, p, y, primary_yield[p]);
        put(o.gdw_year, p, y, gdw[p] * primary_yield[p]);
        put(o.good_dies, p, y, good[p]);
        put(o.packages, p, y, chips);
        put(o.dies_started, p, y, started[p]);
        put(o.scrap_yield, p, y, scrap_y[p]);
        put(o.scrap_pkg, p, y, starts_p[p] * (1.0 - py) * pr.dpp);
        put(o.bank_draw, p, y, bank[p]);
        put(o.sku_starts, p, y, starts_p[p]);
        put(o.pkg_yield, p, y, py);
        put(o.inventory_dies, p, y, inventory[p]);
        put(o.die_cost, p, y, die_cost[p]);
        put(o.cogs, p, y, cogs);
        put(o.asp, p, y, asp);
        put(o.sku_chips, p, y, chips);
      }
    }
    for (std::size_t g = 0; g < kHbmGens; ++g) {
      hbm_stock[g] = hbm_avail[g];
      if (options.products) {
        put(o.hbm_domestic, g, y, hbm_dom[g]);
        put(o.hbm_needed, g, y, hbm_need[g]);
        put(o.hbm_used, g, y, hbm_used[g]);
        put(o.hbm_in_chips, g, y, hbm_chips[g]);
        put(o.hbm_scrap, g, y, hbm_scrap[g]);
        put(o.hbm_inventory, g, y, hbm_stock[g]);
      }
    }
    // 8. Vendors: chips, revenue, gross margin, installed base (cohorts in
    // service) and retirements (what each cohort loses this year, from its
    // age: s(a - 1) - s(a), with s(-1) = 1 for the year's own chips).
    auto retiring = [life](int a) { return (a == 0 ? 1.0 : in_service(a - 1, life)) - in_service(a, life); };
    for (std::size_t k = 0; k < nv; ++k) {
      vendor_chips[k][y] = chips_v[k];
      double base = 0, retired = 0;
      for (int a = 0; a <= y; ++a) {
        base += vendor_chips[k][y - a] * in_service(a, life);
        retired += vendor_chips[k][y - a] * retiring(a);
      }
      put(o.chips, k, y, chips_v[k]);
      put(o.vendor_value, k, y, revenue_v[k]);
      put(o.revenue, k, y, revenue_v[k]);
      put(o.cogs_bn, k, y, cogs_v[k]);
      put(o.margin, k, y, revenue_v[k] > 0 ? 1.0 - cogs_v[k] / revenue_v[k] : kNaN);
      put(o.installed, k, y, base);
      put(o.retired, k, y, retired);
      put(o.diebank_left, k, y, bank_left[k]);
    }
    const double h100e = pflops * kPeta / v[h100_compute_];
    h100e_path[y] = h100e;
    h100e8_path[y] = pops8 * kPeta / v[h100_compute8_];
    double installed_h100e = 0, installed_h100e8 = 0, retired_h100e = 0;
    for (int a = 0; a <= y; ++a) {
      installed_h100e += h100e_path[y - a] * in_service(a, life);
      installed_h100e8 += h100e8_path[y - a] * in_service(a, life);
      retired_h100e += h100e_path[y - a] * retiring(a);
    }
    out[o.chips_total + y] = total;
    out[o.binding + y] = static_cast<double>(binding);
    out[o.packaging_capacity + y] = v[pkg_capacity_[y]];
    out[o.die_limited + y] = sum_want;
    out[o.starts + y] = sum_starts;
    out[o.pflops + y] = pflops;
    out[o.h20e + y] = pflops * kPeta / v[h20_compute_];
    out[o.h100e + y] = h100e;
    out[o.h100e8 + y] = h100e8_path[y];
    out[o.value + y] = usd;
    out[o.installed_h100e + y] = installed_h100e;
    out[o.installed_h100e8 + y] = installed_h100e8;
    out[o.retired_h100e + y] = retired_h100e;
  }
}

std::vector<std::string> supply_metric_names(const SupplyModel& m) { return m.slots().names(); }

ChipsReader::ChipsReader(const analysis::Context& ctx, const ParamTable& params)
    : model_(SupplyModel::build(ctx, params)) {}

std::map<std::string, double> ChipsReader::read(std::span<const double> values, int year) const {
  std::map<std::string, double> out;
  if (year < analysis::kFirstYear || year > analysis::kLastYear) return out;  // outside the modelled years: none
  std::vector<double> buf(model_->slots().size());
  model_->run(values, buf.data(), SupplyModel::kLean);
  const std::size_t y = static_cast<std::size_t>(year - analysis::kFirstYear);
  for (std::size_t k = 0; k < model_->vendors().size(); ++k)
    if (const double v = buf[model_->out().chips + k * kYears + y]; std::isfinite(v)) out[model_->vendors()[k].id] = v;
  return out;
}

SupplyReader::SupplyReader(const analysis::Context& ctx, const ParamTable& params)
    : model_(SupplyModel::build(ctx, params)) {}

std::vector<SupplyYear> SupplyReader::read(std::span<const double> values) const {
  std::vector<double> buf(model_->slots().size());
  model_->run(values, buf.data(), SupplyModel::RunOptions{.d0 = false, .nodes = false, .products = true, .geometry = false});
  const auto& o = model_->out();
  auto at = [&](std::size_t base, std::size_t key, int y) { return buf[base + key * kYears + y]; };
  const double life = model_->service_life(values);
  std::vector<SupplyYear> years;
  for (int y = 0; y < kYears; ++y) {
    SupplyYear sy;
    sy.year = year_at(y);
    for (std::size_t p = 0; p < model_->products().size(); ++p) {
      const auto& pr = model_->products()[p];
      SkuYear& sku = sy.skus[pr.chip] = SkuYear{model_->vendors()[pr.vendor].id, at(o.sku_chips, p, y),
                                                at(o.asp, p, y), at(o.cogs, p, y), at(o.inventory_dies, p, y)};
      // Vintages in service, as the vendors' installed base counts them (step 8 of run()).
      for (int a = 0; a <= y; ++a) {
        const double alive = at(o.sku_chips, p, y - a) * in_service(a, life);
        if (!(alive > 0)) continue;  // none made (or a NaN year of a SKU not yet made)
        sku.installed += alive;
        sku.installed_usd += alive * at(o.asp, p, y - a);
      }
    }
    for (std::size_t k = 0; k < model_->vendors().size(); ++k)
      sy.vendors[model_->vendors()[k].id] =
          VendorYear{at(o.chips, k, y), at(o.revenue, k, y), at(o.margin, k, y), at(o.installed, k, y), at(o.retired, k, y)};
    for (std::size_t g = 0; g < kHbmGens; ++g) sy.hbm_inventory_gb[std::string(kHbmGenerations[g])] = at(o.hbm_inventory, g, y);
    sy.h100_equivalents = buf[o.h100e + y];
    sy.h100_equivalents_8bit = buf[o.h100e8 + y];
    sy.installed_h100e = buf[o.installed_h100e + y];
    sy.installed_h100e_8bit = buf[o.installed_h100e8 + y];
    years.push_back(std::move(sy));
  }
  return years;
}

}  // namespace gpugap::supply
