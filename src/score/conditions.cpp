// The winning conditions with data: named deployments and policy lists read
// from the vendor files and counted (CSP ties, policy), and the supply model's
// capacity share, ASP and gross margin per vendor and year (capacity, watch
// metrics). See docs/model-score.md.
#include "score/conditions.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>

#include "supply/model.hpp"

namespace gpugap::score {

// Named deployments and policy lists of a vendor file. Each entry needs its
// key fields and a source: a count without one is not data (exit 2 on a bad entry).
namespace {

std::string scalar(const YAML::Node& n, const char* k) { return n[k] && n[k].IsScalar() ? n[k].Scalar() : std::string(); }

std::optional<int> int_of(const YAML::Node& n, const char* k) {
  if (!n[k] || !n[k].IsScalar() || n[k].Scalar() == "null" || n[k].Scalar() == "~") return std::nullopt;
  if (auto v = parse_number(n[k].Scalar())) return static_cast<int>(*v);
  return std::nullopt;
}

int line_of(const catalog::Entry& e, const std::string& key) {
  return e.raw_lines.count(key) ? e.raw_lines.at(key) : 0;
}

// The list itself (vendors.<id>.<key>) and one field of its i-th element.
Location where_list(const catalog::Entry& e, const std::string& key) {
  return Location{e.file(), line_of(e, key), "vendors." + e.id + "." + key};
}

Location where_in(const catalog::Entry& e, const std::string& key, std::size_t i, const char* field) {
  return Location{e.file(), line_of(e, key), fmt::format("vendors.{}.{}[{}].{}", e.id, key, i, field)};
}

}  // namespace

void read_ties(const catalog::Entry& e, VendorScore& v) {
  if (auto it = e.raw.find("deployments"); it != e.raw.end()) {
    require(it->second.IsSequence(), where_list(e, "deployments"),
            "a list of deployments", "another YAML type");
    std::size_t i = 0;
    for (const auto& n : it->second) {
      Deployment d;
      d.buyer = scalar(n, "buyer");
      d.source = scalar(n, "source");
      require(!d.buyer.empty(), where_in(e, "deployments", i, "buyer"), "the buyer's name", "none");
      require(!d.source.empty(), where_in(e, "deployments", i, "source"), "a source (a count without one is not data)", "none");
      d.buyer_kind = scalar(n, "buyer_kind");
      d.chip = scalar(n, "chip");
      d.year = int_of(n, "year");
      require(d.year.has_value(), where_in(e, "deployments", i, "year"), "the deployment's year", "none");
      if (n["chips"] && n["chips"].IsScalar() && n["chips"].Scalar() != "null") {
        d.chips = parse_number(n["chips"].Scalar());
        require(d.chips && *d.chips > 0, where_in(e, "deployments", i, "chips"), "a positive chip count or null",
                "'" + n["chips"].Scalar() + "'");
      }
      d.confidence = scalar(n, "confidence");
      d.note = scalar(n, "note");
      v.deployments.push_back(std::move(d));
      ++i;
    }
  }
  if (auto it = e.raw.find("policy_lists"); it != e.raw.end()) {
    require(it->second.IsSequence(), where_list(e, "policy_lists"),
            "a list of policy lists", "another YAML type");
    std::size_t i = 0;
    for (const auto& n : it->second) {
      PolicyListing l;
      l.list = scalar(n, "list");
      l.source = scalar(n, "source");
      require(!l.list.empty(), where_in(e, "policy_lists", i, "list"), "the list's name", "none");
      require(!l.source.empty(), where_in(e, "policy_lists", i, "source"), "a source", "none");
      l.year = int_of(n, "year");
      require(l.year.has_value(), where_in(e, "policy_lists", i, "year"), "the year of the listing", "none");
      l.effect = scalar(n, "effect");
      require(l.effect == "support" || l.effect == "restriction", where_in(e, "policy_lists", i, "effect"),
              "'support' or 'restriction'", "'" + l.effect + "'");
      l.included = true;
      l.confidence = scalar(n, "confidence");
      l.note = scalar(n, "note");
      v.policy_lists.push_back(std::move(l));
      ++i;
    }
  }
  auto by_year = [](const auto& a, const auto& b) { return a.year.value_or(0) < b.year.value_or(0); };
  std::stable_sort(v.deployments.begin(), v.deployments.end(), by_year);
  std::stable_sort(v.policy_lists.begin(), v.policy_lists.end(), by_year);
}

Ties count_ties(const VendorScore& v, int through) {
  Ties t;
  std::set<std::string> buyers;
  for (const auto& d : v.deployments) {
    if (d.year.value_or(through + 1) > through) continue;
    ++t.deployments;
    buyers.insert(d.buyer);
    if (d.chips) t.chips_counted += *d.chips;
    else ++t.uncounted;
  }
  t.buyers = static_cast<int>(buyers.size());
  for (const auto& l : v.policy_lists) {
    if (l.year.value_or(through + 1) > through) continue;
    (l.effect == "support" ? t.support_lists : t.restriction_lists) += 1;
  }
  return t;
}

std::map<std::string, std::vector<SupplyRow>> supply_rows(const analysis::Context& ctx, const ParamTable& p) {
  std::map<std::string, std::vector<SupplyRow>> out;
  std::shared_ptr<const supply::SupplyModel> m;
  try {
    m = supply::SupplyModel::build(ctx, p);
  } catch (const InsufficientData&) {
    return out;  // the supply model lacks an input: no capacity figures (the score says so)
  }
  std::vector<double> buf(m->slots().size());
  const std::vector<double> values = p.values();
  m->run(values, buf.data(), supply::SupplyModel::RunOptions{.d0 = false, .nodes = true, .products = true, .geometry = false});
  const auto& o = m->out();
  const auto& products = m->products();
  const auto& vendors = m->vendors();
  const auto& nodes = m->nodes();
  for (int y = 0; y < supply::kYears; ++y) {
    // wafers by vendor and node: each allocation's share of its node's AI wafers
    // (a product made at two nodes counts at each, not all at its primary one)
    std::map<std::string, std::map<int, double>> vw;
    for (const supply::AllocIn& a : m->allocs()) {
      const double w = 12 * buf[o.ai_wpm + a.node * supply::kYears + y] * values[a.share[y]];
      if (!std::isfinite(w)) continue;
      vw[vendors[products[a.product].vendor].id][static_cast<int>(a.node)] += w;
    }
    for (std::size_t k = 0; k < vendors.size(); ++k) {
      SupplyRow row;
      row.year = supply::year_at(y);
      row.chips = buf[o.chips + k * supply::kYears + y];
      row.revenue_usd_bn = buf[o.revenue + k * supply::kYears + y];
      row.gross_margin = buf[o.margin + k * supply::kYears + y];
      if (row.chips > 0 && std::isfinite(row.revenue_usd_bn)) row.asp_usd = row.revenue_usd_bn * 1e9 / row.chips;
      int main_node = -1;
      double most = 0;
      for (const auto& [n, w] : vw[vendors[k].id]) {
        row.wafers += w;
        if (n >= 0 && w > most) {
          most = w;
          main_node = n;
        }
      }
      if (main_node >= 0) {
        row.node = nodes[static_cast<std::size_t>(main_node)].id;
        row.node_ai_wafers = 12 * buf[o.ai_wpm + static_cast<std::size_t>(main_node) * supply::kYears + y];
        if (row.node_ai_wafers > 0) row.node_share = most / row.node_ai_wafers;
      }
      out[vendors[k].id].push_back(row);
    }
  }
  return out;
}

}  // namespace gpugap::score
