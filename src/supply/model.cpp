#include "supply/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "core/suggest.hpp"

namespace gpugap::supply {
namespace {

constexpr double kMonthsPerYear = 12.0;
// Fixed-size scratch per evaluation (no allocation in the hot path).
constexpr std::size_t kMaxKeys = 32;
constexpr double kPeta = 1e15;
constexpr double kBillion = 1e9;

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    out.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

bool is_year(const std::string& s) {
  return s.size() == 4 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Exact GDW at the given geometry (square die).
int exact_gdw(double diameter, double edge, double scribe, double area) {
  return gross_dies_exact(WaferGeometry{diameter, edge, scribe}, square_die(area));
}

}  // namespace

std::string_view binding_name(double code) {
  const double r = std::round(code);
  if (!(r >= 0) || r >= static_cast<double>(kBindingNames.size())) return "unknown";
  return kBindingNames[static_cast<std::size_t>(r)];
}

YieldModel SupplyModel::yield_model(std::span<const double> v) const {
  return yield_model_from_code(v[model_]).value_or(YieldModel::kNegativeBinomial);
}

namespace {

// Nodes, allocations and die-bank draws, discovered from the parameter paths.
struct Discovered {
  std::set<std::string> node_ids;
  std::map<std::pair<std::string, std::string>, const Param*> alloc_keys;  // (node, chip)
  std::map<std::string, const Param*> draw_chips;
  std::set<std::string> stock_vendors;
};

Discovered discover(const ParamTable& params) {
  Discovered d;
  for (const auto& p : params.all()) {
    if (!p.path.starts_with("supply.")) continue;
    const auto c = split(p.path);
    if (c.size() == 5 && c[1] == "nodes" && c[3] == "wafers_per_month" && is_year(c[4])) d.node_ids.insert(c[2]);
    if (c.size() == 5 && c[1] == "alloc" && is_year(c[4])) d.alloc_keys.emplace(std::make_pair(c[2], c[3]), &p);
    if (c.size() == 5 && c[1] == "diebank" && c[3] == "draw" && is_year(c[4])) d.draw_chips.emplace(c[2], &p);
    if (c.size() == 4 && c[1] == "diebank" && c[3] == "stock") d.stock_vendors.insert(c[2]);
  }
  if (d.node_ids.empty()) throw InsufficientData("supply.nodes.*.wafers_per_month");
  return d;
}

}  // namespace

// Reads a scenario into a SupplyModel one part at a time (a friend of it).
struct SupplyBuilder {
  SupplyModel& m;
  const Resolver& r;
  const ParamTable& params;
  const catalog::Catalog& cat;
  std::map<std::string, std::size_t> product_index;
  std::map<std::string, std::size_t> vendor_index;

  void geometry_and_yield() {
    m.diameter_ = r.need("supply.wafer.diameter_mm");
    m.edge_ = r.need("supply.wafer.edge_exclusion_mm");
    m.scribe_ = r.need("supply.wafer.scribe_mm");
    m.reticle_w_ = r.need("supply.reticle.width_mm");
    m.reticle_h_ = r.need("supply.reticle.height_mm");
    m.base_reticle_w_ = params.at(m.reticle_w_).value;
    m.base_reticle_h_ = params.at(m.reticle_h_).value;
    m.base_diameter_ = params.at(m.diameter_).value;
    m.base_edge_ = params.at(m.edge_).value;
    m.base_scribe_ = params.at(m.scribe_).value;
    m.model_ = r.need("supply.yield.model");
    m.alpha_ = r.need("supply.yield.alpha");
    m.systematic_ = r.need("supply.yield.systematic");
    m.harvest_ = r.need("supply.yield.harvest");
    m.layers_ = r.opt("supply.yield.bose_einstein_layers");
    if (yield_model_from_code(params.at(m.model_).value) == YieldModel::kBoseEinstein && !m.layers_)
      throw InsufficientData("supply.yield.bose_einstein_layers");
  }

  void nodes(const std::set<std::string>& node_ids) {
    for (const auto& id : node_ids) {
      NodeIn n;
      n.id = id;
      const std::string base = "supply.nodes." + id + ".";
      n.wafers_per_month = r.yearly(base + "wafers_per_month");
      n.ai_share = r.yearly(base + "ai_share");
      n.from_yield = r.has(base + "yield." + std::to_string(analysis::kFirstYear));
      if (n.from_yield) {
        n.yield = r.yearly(base + "yield");
        n.ref_area = r.need(base + "yield_ref_area_mm2");
      } else {
        n.d0_initial = r.need(base + "d0_initial");
        n.d0_floor = r.need(base + "d0_floor");
        n.d0_tau = r.need(base + "d0_tau_years");
        n.d0_start = r.need(base + "d0_start_year");
      }
      m.nodes_.push_back(std::move(n));
    }
  }

  std::size_t vendor_of(const std::string& vid) {
    auto [it, fresh] = vendor_index.try_emplace(vid, m.vendors_.size());
    if (fresh) m.vendors_.push_back(VendorIn{vid, std::nullopt});
    return it->second;
  }
  // Products: every chip with an allocation or a die-bank draw.
  std::size_t product_of(const std::string& chip_raw, const Param& where) {
    const auto resolved = cat.try_resolve("chips", chip_raw);
    if (!resolved)
      throw UserError(where.where, "a catalog chip id", "'" + chip_raw + "'", suggest(chip_raw, cat.ids("chips")));
    const std::string chip = *resolved;
    if (chip != chip_raw)
      throw UserError(where.where, "the canonical chip id '" + chip + "'", "the alias '" + chip_raw + "'");
    auto [it, fresh] = product_index.try_emplace(chip, m.products_.size());
    if (!fresh) return it->second;
    ProductIn p;
    p.chip = chip;
    const std::string vid = cat.entry("chips", chip).str("vendor");
    p.vendor = vendor_of(vid);
    const std::string base = "chips." + chip + ".";
    p.die_area = r.need(base + "silicon.die_area");
    p.dies_per_package = r.need(base + "silicon.compute_dies");
    p.hbm_stacks = r.need(base + "memory.hbm_stacks");
    if (auto c = r.opt(base + "compute.bf16")) {
      p.compute = *c;
      p.compute_path = base + "compute.bf16";
    } else {
      p.compute = r.need(base + "compute.fp16");  // FP16 stands in where BF16 is not published
      p.compute_path = base + "compute.fp16";
    }
    p.price = r.need(base + "price.cn");
    p.price_rmb = params.at(p.price).currency == Currency::kRmb;
    p.baseline_area = params.at(p.die_area).value;
    p.baseline_gdw = exact_gdw(m.base_diameter_, m.base_edge_, m.base_scribe_, p.baseline_area);
    const WaferGeometry geo{m.base_diameter_, m.base_edge_, m.base_scribe_};
    p.baseline_simple = gross_dies_simple(geo, square_die(p.baseline_area));
    p.baseline_exp = gross_dies_exp(geo, square_die(p.baseline_area));
    p.baseline_over = fits_reticle(square_die(p.baseline_area), Reticle{m.base_reticle_w_, m.base_reticle_h_}) ? 0.0 : 1.0;
    m.products_.push_back(std::move(p));
    return m.products_.size() - 1;
  }

  void allocations(const Discovered& d) {
    std::map<std::string, std::size_t> node_pos;
    for (std::size_t i = 0; i < m.nodes_.size(); ++i) node_pos[m.nodes_[i].id] = i;
    for (const auto& [key, where] : d.alloc_keys) {
      const auto& [node, chip] = key;
      auto np = node_pos.find(node);
      if (np == node_pos.end()) {
        std::vector<std::string> ids(d.node_ids.begin(), d.node_ids.end());
        throw UserError(where->where, "a node with supply.nodes.<node>.wafers_per_month", "'" + node + "'",
                        suggest(node, ids));
      }
      AllocIn a;
      a.node = np->second;
      a.product = product_of(chip, *where);
      a.share = r.yearly("supply.alloc." + node + "." + chip);
      if (m.products_[a.product].primary_node < 0) m.products_[a.product].primary_node = static_cast<int>(a.node);
      m.allocs_.push_back(a);
    }
    for (AllocIn& a : m.allocs_) a.primary = static_cast<int>(a.node) == m.products_[a.product].primary_node;
  }

  void check_allocation_sums() const {
    // A node's AI wafers are allocated once: each year its shares sum to at most 1
    // (less is fine: the rest goes to products not modelled).
    for (std::size_t n = 0; n < m.nodes_.size(); ++n)
      for (std::size_t y = 0; y < kYears; ++y) {
        double total = 0;
        const Param* blame = nullptr;  // an overridden share if there is one, else the largest
        for (const AllocIn& a : m.allocs_) {
          if (a.node != n) continue;
          const Param& p = params.at(a.share[y]);
          total += p.value;
          if (!blame || (p.overridden && !blame->overridden) ||
              (p.overridden == blame->overridden && p.value > blame->value))
            blame = &p;
        }
        if (blame && total > 1 + 1e-9)
          throw UserError(blame->overridden ? Location{"--set", 0, blame->path}
                                            : Location{blame->where.file, blame->where.line, blame->path},
                          fmt::format("shares of {}'s AI wafers summing to at most 1 in {}", m.nodes_[n].id,
                                      analysis::kFirstYear + static_cast<int>(y)),
                          fmt::format("a sum of {:g}", total));
      }
  }

  void diebank(const Discovered& found) {
    for (const auto& [chip, where] : found.draw_chips) {
      DiebankIn d;
      d.product = product_of(chip, *where);
      d.vendor = m.products_[d.product].vendor;
      d.draw = r.yearly("supply.diebank." + chip + ".draw");
      const std::string stock = "supply.diebank." + m.vendors_[d.vendor].id + ".stock";
      m.vendors_[d.vendor].diebank_stock = r.need(stock);
      m.diebank_.push_back(d);
    }
    for (const auto& vid : found.stock_vendors) {
      if (!cat.try_resolve("vendors", vid)) {
        const Param& p = params.at("supply.diebank." + vid + ".stock");
        throw UserError(p.where, "a catalog vendor id", "'" + vid + "'", suggest(vid, cat.ids("vendors")));
      }
      const std::size_t v = vendor_of(vid);
      m.vendors_[v].diebank_stock = r.need("supply.diebank." + vid + ".stock");
    }
    if (m.products_.size() > kMaxKeys || m.vendors_.size() > kMaxKeys || m.nodes_.size() > kMaxKeys)
      throw UserError(fmt::format("supply: at most {} products, vendors and nodes in one scenario", kMaxKeys));
  }

  void packaging_and_hbm() {
    m.pkg_yield_ = r.yearly("supply.packaging.yield");
    m.pkg_capacity_ = r.yearly("supply.packaging.capacity");
    m.hbm_stock_ = r.need("supply.hbm.stock");
    m.hbm_wpm_ = r.yearly("supply.hbm.wafers_per_month");
    m.hbm_die_yield_ = r.yearly("supply.hbm.die_yield");
    m.hbm_die_area_ = r.need("supply.hbm.die_area_mm2");
    m.hbm_layers_ = r.need("supply.hbm.layers_per_stack");
    m.hbm_stack_yield_ = r.need("supply.hbm.stack_yield");
    m.hbm_baseline_area_ = params.at(m.hbm_die_area_).value;
    m.hbm_baseline_gdw_ = exact_gdw(m.base_diameter_, m.base_edge_, m.base_scribe_, m.hbm_baseline_area_);

    // Reference parts for "H20-/H100-equivalents" and the RMB rate.
    m.fx_ = r.need("regions.cn.fx_per_usd");
    m.h20_compute_ = r.need("chips.nvidia-h20.compute.bf16");
    m.h100_compute_ = r.need("chips.nvidia-h100-sxm.compute.bf16");
  }

  // The output slots (names and offsets of every metric).
  void layout() {
    std::vector<std::string> node_names, chip_names, vendor_names;
    for (const auto& n : m.nodes_) node_names.push_back(n.id);
    for (const auto& p : m.products_) chip_names.push_back(p.chip);
    for (const auto& v : m.vendors_) vendor_names.push_back(v.id);
    Slots& s = m.slots_;
    SupplyModel::Out& o = m.out_;
    o.wpm = s.keyed_yearly("supply.wafers_per_month", node_names);
    o.ai_wpm = s.keyed_yearly("supply.ai_wafers_per_month", node_names);
    o.d0 = s.keyed_yearly("supply.d0_per_cm2", node_names);
    o.wafers = s.keyed_yearly("supply.wafers_per_year", chip_names);
    o.die_yield = s.keyed_yearly("supply.die_yield", chip_names);
    o.gdw_year = s.keyed_yearly("supply.good_dies_per_wafer", chip_names);
    o.good_dies = s.keyed_yearly("supply.good_dies", chip_names);
    o.packages = s.keyed_yearly("supply.packages", chip_names);
    o.gdw_exact = s.keyed("supply.gross_dies_per_wafer", chip_names);
    o.gdw_simple = s.keyed("supply.gross_dies_closed_form", chip_names);
    o.gdw_exp = s.keyed("supply.gross_dies_exp_form", chip_names);
    o.over_reticle = s.keyed("supply.over_reticle", chip_names);
    o.chips = s.keyed_yearly("supply.chips", vendor_names);
    o.vendor_value = s.keyed_yearly("supply.vendor_value_usd_bn", vendor_names);
    o.diebank_left = s.keyed_yearly("supply.diebank_remaining", vendor_names);
    o.chips_total = s.yearly("supply.chips_total");
    o.binding = s.yearly("supply.binding_constraint");
    o.hbm_available = s.yearly("supply.hbm_stacks_available");
    o.hbm_domestic = s.yearly("supply.hbm_stacks_domestic");
    o.hbm_needed = s.yearly("supply.hbm_stacks_needed");
    o.hbm_stock_left = s.yearly("supply.hbm_stock_remaining");
    o.packaging_capacity = s.yearly("supply.packaging_capacity");
    o.die_limited = s.yearly("supply.die_limited_packages");
    o.starts = s.yearly("supply.package_starts");
    o.pflops = s.yearly("supply.pflops_bf16");
    o.h20e = s.yearly("supply.h20_equivalents");
    o.h100e = s.yearly("supply.h100_equivalents");
    o.value = s.yearly("supply.value_usd_bn");
    o.hbm_gdw = s.single("supply.hbm_gross_dies_per_wafer");
  }
};

std::shared_ptr<const SupplyModel> SupplyModel::build(const analysis::Context& ctx, const ParamTable& params) {
  auto m = std::make_shared<SupplyModel>();
  const Resolver r{params, m->reads_};
  const Discovered d = discover(params);
  SupplyBuilder b{*m, r, params, *ctx.catalog, {}, {}};
  b.geometry_and_yield();
  b.nodes(d.node_ids);
  b.allocations(d);
  b.check_allocation_sums();
  b.diebank(d);
  b.packaging_and_hbm();
  b.layout();
  return m;
}

SupplyModel::RunOptions SupplyModel::options_for(const std::vector<std::size_t>& slots) const {
  auto any_in = [&](std::size_t first, std::size_t count) {
    return std::any_of(slots.begin(), slots.end(), [&](std::size_t i) { return i >= first && i < first + count; });
  };
  const std::size_t nn = nodes_.size() * kYears;
  const std::size_t np = products_.size();
  RunOptions opt = kLean;
  opt.d0 = any_in(out_.d0, nn);
  opt.nodes = any_in(out_.wpm, nn) || any_in(out_.ai_wpm, nn);
  // Product blocks are registered one after another (wafers .. packages, then
  // the four geometry blocks): see build().
  opt.products = any_in(out_.wafers, 5 * np * kYears);
  opt.geometry = any_in(out_.gdw_exact, 4 * np) || any_in(out_.hbm_gdw, 1);
  return opt;
}

// long function: the per-sample hot path of the supply Monte Carlo (1M samples,
// docs/performance.md); one body keeps the year loop's scratch arrays on the
// stack, uninitialised, where helpers would pass or zero them.
void SupplyModel::run(std::span<const double> v, double* out, RunOptions options) const {
  const YieldModel model = yield_model(v);
  const YieldShape shape{v[alpha_], layers_ ? v[*layers_] : 1.0};
  const double ysys = v[systematic_];
  const double harvest = v[harvest_];
  const double fx = v[fx_];
  const bool base_geometry = v[diameter_] == base_diameter_ && v[edge_] == base_edge_ && v[scribe_] == base_scribe_;
  const WaferGeometry geo{v[diameter_], v[edge_], v[scribe_]};
  const Reticle reticle{v[reticle_w_], v[reticle_h_]};
  const bool base_reticle = v[reticle_w_] == base_reticle_w_ && v[reticle_h_] == base_reticle_h_;
  const Out& o = out_;
  const std::size_t np = products_.size();
  const std::size_t nv = vendors_.size();

  // Geometry: enumeration only when the die or the wafer differs from the baseline.
  // Scratch arrays are left uninitialised; only the used prefix is written
  // (zeroing all kMaxKeys entries per year dominated the run time).
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
  const double hbm_area = v[hbm_die_area_];
  const double hbm_gdw = base_geometry && hbm_area == hbm_baseline_area_
                             ? hbm_baseline_gdw_
                             : gross_dies_exact(geo, square_die(hbm_area));
  if (options.geometry) out[o.hbm_gdw] = hbm_gdw;

  // Per-product inputs that do not change by year, read once.
  struct ProductRun {
    double dies_per_package, hbm_stacks, compute, price_usd;
    std::size_t vendor;
  };
  std::array<ProductRun, kMaxKeys> pc;
  for (std::size_t p = 0; p < np; ++p) {
    const ProductIn& pr = products_[p];
    pc[p] = {v[pr.dies_per_package], v[pr.hbm_stacks], v[pr.compute], pr.price_rmb ? v[pr.price] / fx : v[pr.price],
             pr.vendor};
  }
  std::array<double, kMaxKeys> stock_left;
  for (std::size_t k = 0; k < nv; ++k) stock_left[k] = vendors_[k].diebank_stock ? v[*vendors_[k].diebank_stock] : 0.0;
  double hbm_stock = v[hbm_stock_];

  // Per-year accumulators, zeroed here and again as each year's last loop
  // reads them (a separate zeroing loop becomes a memset call per array and
  // year, which cost more than the arithmetic).
  std::array<double, kMaxKeys> good, wafers, primary_yield, chips, value;
  std::fill_n(good.begin(), np, 0.0);
  std::fill_n(wafers.begin(), np, 0.0);
  std::fill_n(primary_yield.begin(), np, 0.0);
  std::fill_n(chips.begin(), nv, 0.0);
  std::fill_n(value.begin(), nv, 0.0);

  for (int y = 0; y < kYears; ++y) {
    const double year = year_at(y);
    // Nodes: AI wafer starts and defect density.
    std::array<double, kMaxKeys> ai_wpm, d0, ref_area_cm2, ref_random;
    std::array<bool, kMaxKeys> have_d0;
    for (std::size_t n = 0; n < nodes_.size(); ++n) {
      const NodeIn& nd = nodes_[n];
      const double wpm = v[nd.wafers_per_month[y]];
      ai_wpm[n] = wpm * v[nd.ai_share[y]];
      if (options.nodes) {
        out[o.wpm + n * kYears + y] = wpm;
        out[o.ai_wpm + n * kYears + y] = ai_wpm[n];
      }
      if (nd.from_yield) {
        // The stated yield is the sellable yield of the reference die.
        ref_area_cm2[n] = v[nd.ref_area] / kMm2PerCm2;
        ref_random[n] = std::min(1.0, v[nd.yield[y]] / ysys);
        have_d0[n] = false;  // inverted only when needed (a transcendental per node-year)
      } else {
        const double age = std::max(0.0, year - v[nd.d0_start]);
        const double tau = v[nd.d0_tau];
        const double floor = v[nd.d0_floor];
        d0[n] = floor + (v[nd.d0_initial] - floor) * (tau > 0 ? std::exp(-age / tau) : 0.0);
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
      for (std::size_t n = 0; n < nodes_.size(); ++n) out[o.d0 + n * kYears + y] = defect_density(n);

    // Good dies per product: SMIC wafers x GDW x yield, plus die-bank draws
    // (the per-year accumulators are zero here: see the end of the year).
    for (const AllocIn& a : allocs_) {
      const std::size_t p = a.product;
      const std::size_t n = a.node;
      // Same die as the yield statement: the stated yield itself (no round trip).
      const double random = area_cm2[p] == ref_area_cm2[n] ? ref_random[n]
                                                           : random_yield(model, area_cm2[p] * defect_density(n), shape);
      const double y_die = sellable_yield(random, ysys, harvest);
      const double w = ai_wpm[n] * kMonthsPerYear * v[a.share[y]];
      wafers[p] += w;
      good[p] += w * gdw[p] * y_die;
      if (a.primary) primary_yield[p] = y_die;
    }
    for (const DiebankIn& d : diebank_) {
      const double stock0 = v[*vendors_[d.vendor].diebank_stock];
      const double take = std::min(stock_left[d.vendor], std::max(0.0, v[d.draw[y]]) * stock0);
      stock_left[d.vendor] -= take;
      good[d.product] += take;
    }

    // Packages: min(dies / dies per package, HBM / stacks per package, capacity).
    std::array<double, kMaxKeys> die_limited;
    double sum_l = 0, hbm_needed = 0;
    for (std::size_t p = 0; p < np; ++p) {
      const double dpp = pc[p].dies_per_package;
      die_limited[p] = dpp > 0 ? good[p] / dpp : 0.0;
      sum_l += die_limited[p];
      hbm_needed += die_limited[p] * pc[p].hbm_stacks;
    }
    const double hbm_dom = v[hbm_wpm_[y]] * kMonthsPerYear * hbm_gdw * v[hbm_die_yield_[y]] /
                           std::max(1.0, v[hbm_layers_]) * v[hbm_stack_yield_];
    const double hbm_avail = hbm_stock + hbm_dom;
    const double capacity = v[pkg_capacity_[y]];
    constexpr double kInf = std::numeric_limits<double>::infinity();
    const double f_hbm = hbm_needed > 0 ? hbm_avail / hbm_needed : kInf;
    const double f_pkg = sum_l > 0 ? capacity / sum_l : kInf;
    const double f = std::min({1.0, f_hbm, f_pkg});
    Binding binding = Binding::kLogicDies;
    if (f < 1.0) binding = f_hbm <= f_pkg ? Binding::kHbm : Binding::kPackaging;
    hbm_stock = std::max(0.0, hbm_avail - f * hbm_needed);
    const double pkg_yield = v[pkg_yield_[y]];

    double total = 0, pflops = 0, usd = 0;
    for (std::size_t p = 0; p < np; ++p) {
      const ProductRun& pr = pc[p];
      const double pk = die_limited[p] * f * pkg_yield;
      const double usd_bn = pk * pr.price_usd / kBillion;
      chips[pr.vendor] += pk;
      value[pr.vendor] += usd_bn;
      total += pk;
      pflops += pk * pr.compute / kPeta;
      usd += usd_bn;
      if (options.products) {
        out[o.wafers + p * kYears + y] = wafers[p];
        out[o.die_yield + p * kYears + y] = primary_yield[p];
        out[o.gdw_year + p * kYears + y] = gdw[p] * primary_yield[p];
        out[o.good_dies + p * kYears + y] = good[p];
        out[o.packages + p * kYears + y] = pk;
      }
      good[p] = wafers[p] = primary_yield[p] = 0.0;
    }
    for (std::size_t k = 0; k < nv; ++k) {
      out[o.chips + k * kYears + y] = chips[k];
      out[o.vendor_value + k * kYears + y] = value[k];
      out[o.diebank_left + k * kYears + y] = stock_left[k];
      chips[k] = value[k] = 0.0;
    }
    out[o.chips_total + y] = total;
    out[o.binding + y] = static_cast<double>(binding);
    out[o.hbm_available + y] = hbm_avail;
    out[o.hbm_domestic + y] = hbm_dom;
    out[o.hbm_needed + y] = hbm_needed;
    out[o.hbm_stock_left + y] = hbm_stock;
    out[o.packaging_capacity + y] = capacity;
    out[o.die_limited + y] = sum_l;
    out[o.starts + y] = sum_l * f;
    out[o.pflops + y] = pflops;
    out[o.h20e + y] = pflops * kPeta / v[h20_compute_];
    out[o.h100e + y] = pflops * kPeta / v[h100_compute_];
    out[o.value + y] = usd;
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

}  // namespace gpugap::supply
