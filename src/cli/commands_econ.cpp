// gpugap econ: the token-economics comparison across chips (cli.md).
#include <fmt/format.h>

#include <cmath>

#include "catalog/specs.hpp"
#include "cli/cli.hpp"
#include "cli/intervals_view.hpp"
#include "econ/table.hpp"
#include "perf/deployment.hpp"
#include "perf/serving.hpp"

namespace gpugap::cli {
namespace {

using nlohmann::json;

constexpr double kMsPerSecond = 1e3;
// Bisection ranges for the crossovers (generous: where a crossing exists at all).
constexpr double kElectricityRangeFactor = 50.0;
constexpr double kPriceRangeFactor = 20.0;
constexpr double kMinPriceFraction = 1e-3;

json opt_num(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

std::string cell(const std::optional<double>& v, int sig = 4) { return v ? fmt_num(*v, sig) : "-"; }

json row_json(const econ::Row& r, double rmb_per_usd, const ModelSpec* model) {
  json j;
  j["chip"] = r.chip;
  j["name"] = r.name;
  j["vendor"] = r.vendor;
  j["domestic"] = r.domestic;
  j["report_set"] = r.in_report_set;
  j["status"] = r.status;
  j["missing"] = r.missing.paths();
  const auto* t = r.throughput ? &*r.throughput : nullptr;
  j["output_tps_per_chip"] = t ? json(t->output_tps) : json(nullptr);
  j["input_tps_per_chip"] = t ? json(t->input_tps) : json(nullptr);
  j["prefill_share"] = t ? json(t->prefill_share) : json(nullptr);
  j["tokens_per_s_per_user"] = r.perf ? json(r.perf->tokens_per_s_per_user) : json(nullptr);
  j["ttft_ms"] = r.perf ? json(r.perf->ttft_s * kMsPerSecond) : json(nullptr);
  j["tpot_ms"] = r.perf ? json(r.perf->tpot_s * kMsPerSecond) : json(nullptr);
  j["power_w"] = r.power ? json(r.power->wall_power().value()) : json(nullptr);
  j["it_power_w"] = r.power ? json(r.power->it_power.value()) : json(nullptr);
  j["chip_tdp_w"] = r.power && r.power->chip_tdp.value() > 0 ? json(r.power->chip_tdp.value()) : json(nullptr);
  j["power_basis"] = r.power ? json(std::string(econ::power_basis_name(r.power->basis))) : json(nullptr);
  j["tps_per_watt"] = opt_num(r.tps_per_watt);
  j["tps_per_chip_watt"] = opt_num(r.tps_per_chip_watt);
  j["price_usd"] = r.price ? json(r.price->value()) : json(nullptr);
  j["price_rmb"] = r.price ? json(r.price->value() * rmb_per_usd) : json(nullptr);
  j["tps_per_watt_per_kusd"] = opt_num(r.tps_per_watt_per_kusd);
  j["usd_per_hour"] = r.tco ? json(r.tco->usd_per_hour()) : json(nullptr);
  j["rmb_per_hour"] = r.tco ? json(r.tco->usd_per_hour() * rmb_per_usd) : json(nullptr);
  const auto* c = r.costs ? &*r.costs : nullptr;
  j["usd_per_mtok_output"] = c ? json(c->usd_per_mtok_output) : json(nullptr);
  j["usd_per_mtok_input"] = c ? json(c->usd_per_mtok_input) : json(nullptr);
  j["usd_per_mtok_output_all_in"] = c ? json(c->usd_per_mtok_output_all_in) : json(nullptr);
  j["rmb_per_mtok_output"] = c ? json(c->usd_per_mtok_output * rmb_per_usd) : json(nullptr);
  j["rmb_per_mtok_input"] = c ? json(c->usd_per_mtok_input * rmb_per_usd) : json(nullptr);
  j["joules_per_output_token"] = c ? json(c->joules_per_output_token) : json(nullptr);
  j["deployment"] = r.perf && model ? perf::to_json(r.perf->deployment, *model) : json::object();
  j["stack"] = perf::stack_json(r.stack, r.serving);
  if (r.perf) {
    j["bottleneck"] = {{"prefill", std::string(perf::bottleneck_name(r.perf->prefill_bottleneck))},
                       {"decode", std::string(perf::bottleneck_name(r.perf->decode_bottleneck))}};
    j["perf_notes"] = r.perf->notes;
  }
  if (r.tco) {
    json tj;
    tj["usd_per_hour"] = r.tco->usd_per_hour();
    tj["it_capex_usd"] = r.tco->it_capex.value();
    tj["datacenter_capex_usd"] = r.tco->datacenter_capex.value();
    tj["it_crf_per_year"] = r.tco->it_crf;
    tj["datacenter_crf_per_year"] = r.tco->dc_crf;
    json items = json::array();
    for (const auto& it : r.tco->breakdown)
      items.push_back({{"item", it.name},
                       {"usd_per_hour", it.usd_per_hour()},
                       {"share", it.usd_per_hour() / r.tco->usd_per_hour()},
                       {"basis", it.basis}});
    tj["breakdown"] = items;
    json inputs = json::array();
    for (const auto* tr : {&r.tco_inputs->trace, &r.tco_inputs->power.trace})
      for (const auto& in : *tr) inputs.push_back({{"name", in.name}, {"value", in.value}, {"unit", in.unit}, {"path", in.path}});
    tj["inputs"] = inputs;
    j["tco"] = tj;
  } else {
    j["tco"] = nullptr;
  }
  json fr = json::array();
  for (const auto& f : r.frontier)
    fr.push_back({{"tokens_per_s_per_user", f.tokens_per_s_per_user},
                  {"output_tps_per_chip", f.output_tps_per_chip},
                  {"usd_per_mtok_output_all_in", opt_num(f.usd_per_mtok_output_all_in)}});
  j["frontier"] = fr;
  return j;
}

// Domestic chips' prices against each imported chip priced in the region.
json price_comparison(const econ::EconTable& t) {
  json arr = json::array();
  for (const auto& d : t.rows) {
    if (!d.domestic || !d.price) continue;
    for (const auto& f : t.rows) {
      if (f.domestic || !f.price) continue;
      arr.push_back({{"chip", d.chip},
                     {"reference", f.chip},
                     {"price_usd", d.price->value()},
                     {"reference_price_usd", f.price->value()},
                     {"discount", 1.0 - d.price->value() / f.price->value()}});
    }
  }
  return arr;
}

json charts(const econ::EconTable& t) {
  json cost{{"title", "Cost per million output tokens (all-in)"}, {"type", "bar"}, {"unit", "USD per million output tokens"}};
  json tpw{{"title", "Output tokens/s per watt (wall, incl. PUE)"}, {"type", "bar"}, {"unit", "tokens/s/W"}};
  json tps{{"title", "Output tokens/s per chip"}, {"type", "bar"}, {"unit", "tokens/s"}};
  json labels = json::array(), cv = json::array(), wv = json::array(), tv = json::array();
  for (const auto& r : t.rows) {
    labels.push_back(r.chip);
    cv.push_back(r.costs ? json(r.costs->usd_per_mtok_output_all_in) : json(nullptr));
    wv.push_back(opt_num(r.tps_per_watt));
    tv.push_back(r.throughput ? json(r.throughput->output_tps) : json(nullptr));
  }
  cost["x"] = labels;
  cost["y"] = cv;
  tpw["x"] = labels;
  tpw["y"] = wv;
  tps["x"] = labels;
  tps["y"] = tv;
  json fr{{"title", "Throughput per chip vs interactivity"},
          {"type", "line"},
          {"x_label", "tokens/s per user"},
          {"y_label", "output tokens/s per chip"},
          {"series", json::array()}};
  for (const auto& r : t.rows) {
    if (r.frontier.empty()) continue;
    json pts = json::array();
    for (const auto& f : r.frontier) pts.push_back({f.tokens_per_s_per_user, f.output_tps_per_chip});
    fr["series"].push_back({{"chip", r.chip}, {"points", pts}});
  }
  return {{"usd_per_mtok_by_chip", cost}, {"tps_per_watt_by_chip", tpw}, {"tps_by_chip", tps}, {"frontier", fr}};
}

json crossovers(const analysis::Context& ctx, const econ::EconTable& t, const std::string& reference) {
  json arr = json::array();
  const econ::Row* ref = t.find(reference);
  if (!ref || !ref->costs) return arr;
  const auto& cat = *ctx.catalog;
  for (const auto& r : t.rows) {
    if (r.chip == reference || !r.costs) continue;
    const ChipSpec chip = chip_spec(cat, ctx.params, r.chip);
    std::vector<std::string> params = {econ::site_electricity_param(ctx.params, chip, t.region),
                                       chip.path("price." + t.region)};
    for (const auto& path : params) {
      const Param& p = ctx.params.at(path);
      const double f = p.dim == Dim::kEnergyPrice ? kElectricityRangeFactor : kPriceRangeFactor;
      const double lo = p.dim == Dim::kMoney ? p.value * kMinPriceFraction : 0.0;  // a price must stay positive
      const auto c = econ::crossover(cat, ctx.params, t, r.chip, reference, path, lo, p.value * f);
      arr.push_back({{"chip", c.chip},
                     {"reference", c.reference},
                     {"param", c.param},
                     {"unit", c.unit},
                     {"base_value", c.base_value},
                     {"crossover_value", opt_num(c.value)},
                     {"range", {c.lo, c.hi}},
                     {"chip_usd_per_mtok_at_base", c.chip_cost_at_base},
                     {"reference_usd_per_mtok_at_base", c.reference_cost_at_base}});
    }
  }
  return arr;
}

// Each row's 80% intervals (cli/intervals_view.hpp): output tok/s per chip, TPOT and TTFT
// from the shipped table; tok/s per watt (and per kUSD) scale with tok/s, cost per token
// with 1 / tok/s, so their intervals follow from the tok/s one.
void add_econ_intervals(const analysis::Context& ctx, const econ::EconTable& t, double rmb_per_usd, Output& out) {
  const ShownIntervals shown = shown_intervals();
  Table tab{{"chip", "out tok/s/chip p10 - p90", "USD/Mtok out p10 - p90", "all-in USD/Mtok p10 - p90", "basis"},
            {},
            {false, true, true, true, false}};
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const auto& r = t.rows[i];
    json j = {{"level", 0.8}, {"source", shown.note}};
    perf::PointInterval tps;
    if (r.throughput && r.perf) {
      const IntervalKey k = interval_key(ctx, r.chip);
      const double base = r.throughput->output_tps;
      tps = figure_interval(shown, k.family, k.stack, "output_tps_per_chip", base);
      j["output_tps_per_chip"] = interval_json(tps);
      j["tpot_ms"] = interval_json(figure_interval(shown, k.family, k.stack, "tpot_ms", r.perf->tpot_s * kMsPerSecond));
      j["ttft_ms"] = interval_json(figure_interval(shown, k.family, k.stack, "ttft_ms", r.perf->ttft_s * kMsPerSecond));
      if (r.tps_per_watt) j["tps_per_watt"] = interval_json(perf::scaled_interval(tps, base, *r.tps_per_watt));
      if (r.tps_per_watt_per_kusd) j["tps_per_watt_per_kusd"] = interval_json(perf::scaled_interval(tps, base, *r.tps_per_watt_per_kusd));
      if (r.costs) {
        for (const auto& [key, v] : {std::pair{"usd_per_mtok_output", r.costs->usd_per_mtok_output},
                                     std::pair{"usd_per_mtok_output_all_in", r.costs->usd_per_mtok_output_all_in}})
          j[key] = interval_json(perf::inverse_interval(tps, base, v));
        j["rmb_per_mtok_output"] = interval_json(perf::inverse_interval(tps, base, r.costs->usd_per_mtok_output * rmb_per_usd));
      }
    }
    for (const char* key : {"output_tps_per_chip", "tpot_ms", "ttft_ms", "usd_per_mtok_output", "usd_per_mtok_output_all_in"})
      if (!j.contains(key)) j[key] = nullptr;
    out.json["rows"][i]["intervals_80"] = j;
    if (!tps.ok) continue;
    const auto* c = r.costs ? &*r.costs : nullptr;
    tab.rows.push_back({r.chip, interval_cell(tps, 4),
                        c ? interval_cell(perf::inverse_interval(tps, r.throughput->output_tps, c->usd_per_mtok_output)) : "-",
                        c ? interval_cell(perf::inverse_interval(tps, r.throughput->output_tps, c->usd_per_mtok_output_all_in)) : "-",
                        tps.basis});
  }
  out.tables.push_back(tab);
  out.titles.push_back(kIntervalTitle + std::string("; cost per token scales with 1 / tok/s. ") + shown.label);
}

void econ_cmd(const Global& g, const std::vector<std::string>& chips, const std::string& model, const std::string& workload,
              const std::string& region, const std::string& vs, bool no_frontier) {
  const auto ctx = g.context();
  econ::TableOptions opt;
  opt.region = ctx.catalog->resolve("regions", region);
  opt.model = model;
  opt.workload = workload;
  opt.chips = chips;
  opt.report_set = econ::report_chips(ctx);
  opt.threads = ctx.threads;
  opt.frontier = !no_frontier;
  const econ::EconTable t = econ::build_table(*ctx.catalog, ctx.params, opt);
  const double rmb_per_usd = ctx.params.maybe("regions.cn.fx_per_usd").value_or(std::nan(""));
  const std::string reference = vs.empty() ? "nvidia-h20" : ctx.catalog->resolve("chips", vs);

  Output out;
  json& j = out.json;
  j["region"] = t.region;
  j["currency"] = t.currency;
  j["rmb_per_usd"] = rmb_per_usd;
  j["model"] = t.model;
  j["workload"] = t.workload;
  j["targets"] = {{"ttft_ms", t.ttft_target_s ? json(*t.ttft_target_s * kMsPerSecond) : json(nullptr)},
                  {"tpot_ms", t.tpot_target_s ? json(*t.tpot_target_s * kMsPerSecond) : json(nullptr)}};
  j["scenario"] = ctx.scenario.id;
  j["overrides"] = ctx.overrides;
  j["allocation"] =
      "usd_per_mtok_output and usd_per_mtok_input split the chip-hour by device time: prefill_share (prefill "
      "device-seconds per chip-second; in disaggregated serving the prefill pool's share of chips) is charged "
      "to input tokens, the rest to output tokens. usd_per_mtok_output_all_in charges the whole chip-hour to "
      "output tokens (docs/model-econ.md).";
  // The model's spec for its deployments' renderings: read only where a search ran on it.
  std::optional<ModelSpec> model_of;
  for (const auto& r : t.rows)
    if (r.perf && !model_of) model_of = model_spec(*ctx.catalog, ctx.params, t.model);
  const ModelSpec* mspec = model_of ? &*model_of : nullptr;
  j["rows"] = json::array();
  for (const auto& r : t.rows) j["rows"].push_back(row_json(r, rmb_per_usd, mspec));
  j["price_comparison"] = price_comparison(t);
  j["crossovers_vs"] = reference;
  j["crossovers"] = crossovers(ctx, t, reference);
  j["charts"] = charts(t);

  Table tab{{"chip", "out tok/s/chip", "tok/s/user", "power W", "tok/s/W", "price USD", "tok/s/W/kUSD", "USD/h",
             "USD/Mtok out", "USD/Mtok in", "all-in USD/Mtok", "stack", "deployment / status"},
            {},
            {false, true, true, true, true, true, true, true, true, true, true, false, false}};
  for (const auto& r : t.rows) {
    const auto* c = r.costs ? &*r.costs : nullptr;
    tab.rows.push_back({r.chip,
                        r.throughput ? fmt_num(r.throughput->output_tps, 4) : "-",
                        r.perf ? fmt_num(r.perf->tokens_per_s_per_user, 3) : "-",
                        r.power ? fmt_num(r.power->wall_power().value(), 4) : "-",
                        cell(r.tps_per_watt, 3),
                        r.price ? fmt_num(r.price->value(), 5) : "-",
                        cell(r.tps_per_watt_per_kusd, 3),
                        r.tco ? fmt_num(r.tco->usd_per_hour(), 3) : "-",
                        c ? fmt_num(c->usd_per_mtok_output, 3) : "-",
                        c ? fmt_num(c->usd_per_mtok_input, 3) : "-",
                        c ? fmt_num(c->usd_per_mtok_output_all_in, 3) : "-",
                        perf::stack_short(r.stack, r.serving),
                        r.ok() && r.perf && mspec ? perf::describe(r.perf->deployment, *mspec) : r.status});
  }
  out.tables.push_back(tab);
  out.titles.push_back(fmt::format("econ: {} on {} in {} (TTFT <= {} ms, TPOT <= {} ms)", t.model, t.workload, t.region,
                                   t.ttft_target_s ? fmt_num(*t.ttft_target_s * kMsPerSecond, 4) : "-",
                                   t.tpot_target_s ? fmt_num(*t.tpot_target_s * kMsPerSecond, 4) : "-"));
  add_econ_intervals(ctx, t, rmb_per_usd, out);
  out.text =
      "Power: average wall power per chip (IT power x utilisation x PUE). Cost per token: the chip-hour split by "
      "prefill/decode device time; all-in charges it all to output tokens. '-' = not computable (see status).\n";
  emit(g, out);
}

}  // namespace

void add_econ_commands(CLI::App& app, Global& g) {
  auto* cmd = app.add_subcommand("econ", "token economics per chip: TCO, cost per million tokens, tokens/s per watt and per dollar");
  struct Opts {
    std::vector<std::string> chips;
    std::string model, workload = "chat", region = "cn", vs;
    bool no_frontier = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--chips", o->chips, "chip ids (comma-separated; default: the report's set and every chip with data)")
      ->delimiter(',');
  cmd->add_option("--model", o->model, "model id")->required();
  cmd->add_option("--workload", o->workload, "workload id");
  cmd->add_option("--region", o->region, "region id (cn, us)");
  cmd->add_option("--vs", o->vs, "reference chip for the crossovers (default nvidia-h20)");
  cmd->add_flag("--no-frontier", o->no_frontier, "skip the Pareto frontiers");
  add_stack_option(cmd, g);
  cmd->callback([&g, o] { econ_cmd(g, o->chips, o->model, o->workload, o->region, o->vs, o->no_frontier); });
}

}  // namespace gpugap::cli
