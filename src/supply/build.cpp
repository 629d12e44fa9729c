// SupplyModel::build: discovers nodes, products, allocations and the die bank
// from the scenario's paths, resolves every parameter index once and lays out
// the output slots.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include "core/suggest.hpp"
#include "supply/model.hpp"

namespace gpugap::supply {
namespace {

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

// Nodes, allocations and die-bank mixes, discovered from the parameter paths.
struct Discovered {
  std::set<std::string> node_ids;
  std::map<std::pair<std::string, std::string>, const Param*> alloc_keys;  // (node, chip)
  std::map<std::string, const Param*> mix_chips;
  std::set<std::string> stock_vendors;
  std::set<std::string> hbm_lines;
};

Discovered discover(const ParamTable& params) {
  Discovered d;
  for (const auto& p : params.all()) {
    if (!p.path.starts_with("supply.")) continue;
    const auto c = split(p.path);
    if (c.size() == 5 && c[1] == "nodes" && c[3] == "wafers_per_month" && is_year(c[4])) d.node_ids.insert(c[2]);
    if (c.size() == 5 && c[1] == "alloc" && is_year(c[4])) d.alloc_keys.emplace(std::make_pair(c[2], c[3]), &p);
    if (c.size() == 5 && c[1] == "diebank" && c[3] == "mix" && is_year(c[4])) d.mix_chips.emplace(c[2], &p);
    if (c.size() == 4 && c[1] == "diebank" && c[3] == "stock") d.stock_vendors.insert(c[2]);
    if (c.size() == 5 && c[1] == "hbm_lines" && c[3] == "wafers_per_month" && is_year(c[4])) d.hbm_lines.insert(c[2]);
  }
  if (d.node_ids.empty()) throw InsufficientData("supply.nodes.*.wafers_per_month");
  return d;
}

// A yearly series point is announced unless it only holds an earlier year's point.
bool held_from_earlier(const Param& p, int year) {
  if (p.overridden || !p.prov.is_default || !p.prov.note.starts_with("held from ")) return false;
  const std::string from = p.prov.note.substr(p.prov.note.size() - 4);
  return is_year(from) && std::stoi(from) < year;
}

}  // namespace

std::optional<std::size_t> hbm_generation(std::string_view memory_type) {
  std::string t;
  for (char c : memory_type) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t g = 0; g < kHbmGens; ++g)
    if (t == kHbmGenerations[g]) return g;
  return std::nullopt;
}

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
    m.metrology_ = r.need("supply.yield.metrology_d0_factor");
    m.layers_ = r.opt("supply.yield.bose_einstein_layers");
    if (yield_model_from_code(params.at(m.model_).value) == YieldModel::kBoseEinstein && !m.layers_)
      throw InsufficientData("supply.yield.bose_einstein_layers");
  }

  void capacity() {
    m.lag_ = r.need("supply.lag_quarters");
    m.capex_ = r.yearly("supply.capex.usd_bn");
    m.litho_ = r.has("supply.litho.installed_scanners");
    if (m.litho_) {
      m.litho_installed_ = r.need("supply.litho.installed_scanners");
      m.litho_imports_ = r.yearly("supply.litho.imports");
      m.litho_wph_ = r.need("supply.litho.wafers_per_hour");
      m.litho_uptime_ = r.need("supply.litho.uptime");
    }
  }

  void nodes(const std::set<std::string>& node_ids) {
    for (const auto& id : node_ids) {
      NodeIn n;
      n.id = id;
      const std::string base = "supply.nodes." + id + ".";
      n.wafers_per_month = r.yearly(base + "wafers_per_month");
      // A node with capex and lithography limits: after its last announced
      // point, capacity is the smaller of the two; without them the last
      // announced point holds.
      n.limits = r.has(base + "capex_share." + std::to_string(analysis::kFirstYear));
      for (int y = 0; y < kYears; ++y)
        n.announced[y] = !n.limits || !held_from_earlier(params.at(n.wafers_per_month[y]), year_at(y));
      if (n.limits) {
        if (!m.litho_) throw InsufficientData("supply.litho.installed_scanners");
        n.capex_share = r.yearly(base + "capex_share");
        n.capex_per_kwpm = r.need(base + "capex_usd_bn_per_kwpm");
        n.litho_share = r.yearly(base + "litho_share");
        n.litho_passes = r.need(base + "litho_passes");
      }
      n.wafer_price = r.need(base + "wafer_price_usd");
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
    if (fresh) {
      VendorIn v;
      v.id = vid;
      v.priority = r.need("supply.priority." + vid);
      m.vendors_.push_back(std::move(v));
    }
    return it->second;
  }

  std::size_t hbm_gen_of(const std::string& chip) {
    const std::string override_path = "supply.hbm_generation." + chip;
    if (auto i = params.find(override_path); i && !params.at(*i).is_null)
      return static_cast<std::size_t>(params.at(*i).value);
    const std::string type = cat.entry("chips", chip).str("memory.type");
    if (auto g = hbm_generation(type)) return *g;
    if (type.empty() || type == "null") throw InsufficientData("chips." + chip + ".memory.type");
    throw UserError(cat.entry("chips", chip).at("memory.type"),
                    "an HBM generation (hbm2e, hbm3, hbm3e) or supply.hbm_generation." + chip, "'" + type + "'");
  }

  // Products: every chip with an allocation or a die-bank mix.
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
    p.memory_bytes = r.need(base + "memory.capacity");
    p.hbm_gen = hbm_gen_of(chip);
    if (auto c = r.opt(base + "compute.bf16")) {
      p.compute = *c;
      p.compute_path = base + "compute.bf16";
    } else {
      p.compute = r.need(base + "compute.fp16");  // FP16 stands in where BF16 is not published
      p.compute_path = base + "compute.fp16";
    }
    if (auto c8 = r.opt(base + "compute.fp8")) p.compute8 = *c8;
    else p.compute8 = r.need(base + "compute.int8");  // INT8 stands in where FP8 is not published
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

  // Shares of one quantity (a node's AI wafers, a vendor's die-bank draw) sum
  // to at most 1 each year; less is fine (the rest goes to products not modelled).
  void check_sums(const std::vector<std::pair<std::size_t, const YearIdx*>>& members, std::size_t groups,
                  const std::function<std::string(std::size_t)>& what) const {
    for (std::size_t n = 0; n < groups; ++n)
      for (std::size_t y = 0; y < kYears; ++y) {
        double total = 0;
        const Param* blame = nullptr;  // an overridden share if there is one, else the largest
        for (const auto& [group, series] : members) {
          if (group != n) continue;
          const Param& p = params.at((*series)[y]);
          total += p.value;
          if (!blame || (p.overridden && !blame->overridden) ||
              (p.overridden == blame->overridden && p.value > blame->value))
            blame = &p;
        }
        if (blame && total > 1 + 1e-9)
          throw UserError(blame->overridden ? Location{"--set", 0, blame->path}
                                            : Location{blame->where.file, blame->where.line, blame->path},
                          fmt::format("shares of {} summing to at most 1 in {}", what(n),
                                      analysis::kFirstYear + static_cast<int>(y)),
                          fmt::format("a sum of {:g}", total));
      }
  }

  void check_allocation_sums() const {
    std::vector<std::pair<std::size_t, const YearIdx*>> members;
    for (const AllocIn& a : m.allocs_) members.emplace_back(a.node, &a.share);
    check_sums(members, m.nodes_.size(), [&](std::size_t n) { return m.nodes_[n].id + "'s AI wafers"; });
  }

  void diebank(const Discovered& found) {
    for (const auto& vid : found.stock_vendors) {
      if (!cat.try_resolve("vendors", vid)) {
        const Param& p = params.at("supply.diebank." + vid + ".stock");
        throw UserError(p.where, "a catalog vendor id", "'" + vid + "'", suggest(vid, cat.ids("vendors")));
      }
      VendorIn& v = m.vendors_[vendor_of(vid)];
      const std::string base = "supply.diebank." + vid + ".";
      v.diebank_stock = r.need(base + "stock");
      v.diebank_years = r.need(base + "drawdown_years");
      v.diebank_start = r.need(base + "start_year");
    }
    for (const auto& [chip, where] : found.mix_chips) {
      DiebankIn d;
      d.product = product_of(chip, *where);
      d.vendor = m.products_[d.product].vendor;
      d.mix = r.yearly("supply.diebank." + chip + ".mix");
      if (!m.vendors_[d.vendor].diebank_stock)
        throw InsufficientData("supply.diebank." + m.vendors_[d.vendor].id + ".stock");
      m.diebank_.push_back(d);
    }
    std::vector<std::pair<std::size_t, const YearIdx*>> members;
    for (const DiebankIn& d : m.diebank_) members.emplace_back(d.vendor, &d.mix);
    check_sums(members, m.vendors_.size(), [&](std::size_t v) { return m.vendors_[v].id + "'s die-bank draw"; });
    if (m.products_.size() > kMaxKeys || m.vendors_.size() > kMaxKeys || m.nodes_.size() > kMaxKeys)
      throw UserError(fmt::format("supply: at most {} products, vendors and nodes in one scenario", kMaxKeys));
  }

  void packaging_hbm_and_economics(const std::set<std::string>& hbm_line_ids) {
    m.pkg_yield_ = r.yearly("supply.packaging.yield");
    m.pkg_ref_components_ = r.need("supply.packaging.ref_components");
    m.pkg_capacity_ = r.yearly("supply.packaging.capacity");
    m.pkg_cost_ = r.need("supply.packaging.cost_usd");
    m.other_cost_ = r.need("supply.cogs.other_usd");
    for (std::size_t g = 0; g < kHbmGens; ++g) {
      const std::string gen(kHbmGenerations[g]);
      m.hbm_stock_[g] = r.need("supply.hbm.stock_gb." + gen);
      m.hbm_usd_per_gb_[g] = r.yearly("supply.hbm.usd_per_gb." + gen);
    }
    m.hbm_upgrade_ = r.need("supply.hbm.newer_generation_ok");
    for (const auto& id : hbm_line_ids) {
      HbmLineIn l;
      l.id = id;
      const std::string base = "supply.hbm_lines." + id + ".";
      l.wafers_per_month = r.yearly(base + "wafers_per_month");
      l.die_yield = r.yearly(base + "die_yield");
      l.die_area = r.need(base + "die_area_mm2");
      l.gb_per_die = r.need(base + "gb_per_die");
      l.stack_yield = r.need(base + "stack_yield");
      for (std::size_t g = 0; g < kHbmGens; ++g)
        l.gen_share[g] = r.yearly(base + "gen_share." + std::string(kHbmGenerations[g]));
      l.baseline_area = params.at(l.die_area).value;
      l.baseline_gdw = exact_gdw(m.base_diameter_, m.base_edge_, m.base_scribe_, l.baseline_area);
      m.hbm_lines_.push_back(std::move(l));
    }
    std::vector<std::pair<std::size_t, const YearIdx*>> shares;
    for (std::size_t i = 0; i < m.hbm_lines_.size(); ++i)
      for (const auto& g : m.hbm_lines_[i].gen_share) shares.emplace_back(i, &g);
    check_sums(shares, m.hbm_lines_.size(),
               [&](std::size_t i) { return "HBM line " + m.hbm_lines_[i].id + "'s output (gen_share)"; });
    if (m.hbm_lines_.size() > kMaxKeys) throw UserError(fmt::format("supply: at most {} HBM lines", kMaxKeys));
    m.asp_change_ = r.need("supply.asp.annual_change");
    m.asp_base_year_ = r.need("supply.asp.base_year");
    m.service_life_ = r.need("supply.service_life_years");

    // Reference parts for "H20-/H100-equivalents" and the RMB rate.
    m.fx_ = r.need("regions.cn.fx_per_usd");
    m.h20_compute_ = r.need("chips.nvidia-h20.compute.bf16");
    m.h100_compute_ = r.need("chips.nvidia-h100-sxm.compute.bf16");
    m.h100_compute8_ = r.need("chips.nvidia-h100-sxm.compute.fp8");
  }

  // Allocation order: vendor priority (the report's state-directed order),
  // then product index; runs of equal priority share pro rata.
  void order() {
    const std::size_t np = m.products_.size();
    m.order_.resize(np);
    for (std::size_t p = 0; p < np; ++p) m.order_[p] = p;
    auto prio = [&](std::size_t p) { return params.at(m.vendors_[m.products_[p].vendor].priority).value; };
    std::stable_sort(m.order_.begin(), m.order_.end(), [&](std::size_t a, std::size_t b) { return prio(a) < prio(b); });
    for (std::size_t i = 0; i < np;) {
      std::size_t j = i + 1;
      while (j < np && prio(m.order_[j]) == prio(m.order_[i])) ++j;
      m.groups_.emplace_back(i, j);
      i = j;
    }
  }

  // The output slots (names and offsets of every metric).
  void layout() {
    std::vector<std::string> node_names, chip_names, vendor_names, gen_names, sku_names;
    for (const auto& n : m.nodes_) node_names.push_back(n.id);
    for (const auto& p : m.products_) {
      chip_names.push_back(p.chip);
      sku_names.push_back(m.vendors_[p.vendor].id + "." + p.chip);
    }
    for (const auto& v : m.vendors_) vendor_names.push_back(v.id);
    for (auto g : kHbmGenerations) gen_names.emplace_back(g);
    Slots& s = m.slots_;
    SupplyModel::Out& o = m.out_;
    o.node_begin = s.metric_count();
    o.wpm = s.keyed_yearly("supply.wafers_per_month", node_names);
    o.cap_capex = s.keyed_yearly("supply.capacity_capex_limited", node_names);
    o.cap_tool = s.keyed_yearly("supply.capacity_tool_limited", node_names);
    o.cap_binding = s.keyed_yearly("supply.capacity_binding", node_names);
    o.starts_wpm = s.keyed_yearly("supply.wafer_starts_per_month", node_names);
    o.ai_wpm = s.keyed_yearly("supply.ai_wafers_per_month", node_names);
    o.node_end = s.metric_count();
    o.d0 = s.keyed_yearly("supply.d0_per_cm2", node_names);
    o.product_begin = s.metric_count();
    o.wafers = s.keyed_yearly("supply.wafers_per_year", chip_names);
    o.die_yield = s.keyed_yearly("supply.die_yield", chip_names);
    o.gdw_year = s.keyed_yearly("supply.good_dies_per_wafer", chip_names);
    o.good_dies = s.keyed_yearly("supply.good_dies", chip_names);
    o.packages = s.keyed_yearly("supply.packages", chip_names);
    o.dies_started = s.keyed_yearly("supply.dies_started", chip_names);
    o.scrap_yield = s.keyed_yearly("supply.scrap_yield_dies", chip_names);
    o.scrap_pkg = s.keyed_yearly("supply.scrap_packaging_dies", chip_names);
    o.bank_draw = s.keyed_yearly("supply.diebank_draw", chip_names);
    o.sku_starts = s.keyed_yearly("supply.sku_package_starts", chip_names);
    o.pkg_yield = s.keyed_yearly("supply.package_yield", chip_names);
    o.inventory_dies = s.keyed_yearly("supply.inventory", chip_names);
    o.die_cost = s.keyed_yearly("supply.cost_per_good_die_usd", chip_names);
    o.cogs = s.keyed_yearly("supply.cogs_usd", chip_names);
    o.asp = s.keyed_yearly("supply.asp_usd", chip_names);
    o.sku_chips = s.keyed_yearly("supply.chips", sku_names);
    std::vector<std::string> hbm_items;
    for (const auto& g : gen_names) hbm_items.push_back("hbm-" + g);
    o.hbm_domestic = s.keyed_yearly("supply.hbm_gb_domestic", gen_names);
    o.hbm_needed = s.keyed_yearly("supply.hbm_gb_needed", gen_names);
    o.hbm_used = s.keyed_yearly("supply.hbm_gb_used", gen_names);
    o.hbm_in_chips = s.keyed_yearly("supply.hbm_gb_in_chips", gen_names);
    o.hbm_scrap = s.keyed_yearly("supply.hbm_gb_scrap", gen_names);
    o.hbm_inventory = s.keyed_yearly("supply.inventory", hbm_items);
    std::vector<std::string> line_names;
    for (const auto& l : m.hbm_lines_) line_names.push_back(l.id);
    o.hbm_line = s.keyed_yearly("supply.hbm_gb_by_line", line_names);
    o.product_end = s.metric_count();
    o.geometry_begin = s.metric_count();
    o.gdw_exact = s.keyed("supply.gross_dies_per_wafer", chip_names);
    o.gdw_simple = s.keyed("supply.gross_dies_closed_form", chip_names);
    o.gdw_exp = s.keyed("supply.gross_dies_exp_form", chip_names);
    o.over_reticle = s.keyed("supply.over_reticle", chip_names);
    o.hbm_gdw = s.keyed("supply.hbm_gross_dies_per_wafer", line_names);
    o.geometry_end = s.metric_count();
    o.chips = s.keyed_yearly("supply.chips", vendor_names);
    o.vendor_value = s.keyed_yearly("supply.vendor_value_usd_bn", vendor_names);
    o.revenue = s.keyed_yearly("supply.revenue_usd_bn", vendor_names);
    o.cogs_bn = s.keyed_yearly("supply.cogs_usd_bn", vendor_names);
    o.margin = s.keyed_yearly("supply.gross_margin", vendor_names);
    o.installed = s.keyed_yearly("supply.installed_base", vendor_names);
    o.retired = s.keyed_yearly("supply.retirements", vendor_names);
    std::vector<std::string> bank_items;
    for (const auto& v : vendor_names) bank_items.push_back("diebank-" + v);
    o.diebank_left = s.keyed_yearly("supply.inventory", bank_items);
    o.chips_total = s.yearly("supply.chips_total");
    o.binding = s.yearly("supply.binding_constraint");
    o.packaging_capacity = s.yearly("supply.packaging_capacity");
    o.die_limited = s.yearly("supply.die_limited_packages");
    o.starts = s.yearly("supply.package_starts");
    o.pflops = s.yearly("supply.pflops_bf16");
    o.h20e = s.yearly("supply.h20_equivalents");
    o.h100e = s.yearly("supply.h100_equivalents");
    o.h100e8 = s.yearly("supply.h100_equivalents_8bit");
    o.value = s.yearly("supply.value_usd_bn");
    o.installed_h100e = s.yearly("supply.installed_base_h100e");
    o.installed_h100e8 = s.yearly("supply.installed_base_h100e_8bit");
    o.retired_h100e = s.yearly("supply.retirements_h100e");
  }
};

std::shared_ptr<const SupplyModel> SupplyModel::build(const analysis::Context& ctx, const ParamTable& params) {
  auto m = std::make_shared<SupplyModel>();
  const Resolver r{params, m->reads_};
  const Discovered d = discover(params);
  SupplyBuilder b{*m, r, params, *ctx.catalog, {}, {}};
  b.geometry_and_yield();
  b.capacity();
  b.nodes(d.node_ids);
  b.allocations(d);
  b.check_allocation_sums();
  b.diebank(d);
  b.packaging_hbm_and_economics(d.hbm_lines);
  b.order();
  b.layout();
  return m;
}

}  // namespace gpugap::supply
