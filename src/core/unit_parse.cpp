#include "core/unit_parse.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <utility>
#include <vector>

namespace gpugap {
namespace {

struct UnitDef {
  std::string_view name;
  double factor;
  Currency currency = Currency::kNone;
};

// Units accepted per dimension. Decimal prefixes unless the binary (KiB...) form is written.
const std::vector<UnitDef>& units_for(Dim d) {
  static const std::vector<UnitDef> compute = {
      {"FLOPS", 1}, {"kFLOPS", 1e3}, {"MFLOPS", 1e6}, {"GFLOPS", 1e9}, {"TFLOPS", 1e12},
      {"PFLOPS", 1e15}, {"EFLOPS", 1e18}, {"OPS", 1}, {"GOPS", 1e9}, {"TOPS", 1e12},
      {"POPS", 1e15}, {"FLOP/s", 1}, {"TFLOP/s", 1e12}, {"PFLOP/s", 1e15}};
  static const std::vector<UnitDef> bandwidth = {
      {"B/s", 1},         {"kB/s", 1e3},      {"KB/s", 1e3},         {"MB/s", 1e6},
      {"GB/s", 1e9},      {"TB/s", 1e12},     {"PB/s", 1e15},        {"KiB/s", 1024.0},
      {"MiB/s", 1048576.0}, {"GiB/s", 1073741824.0}, {"TiB/s", 1099511627776.0},
      {"b/s", 0.125},     {"kb/s", 125},      {"Mb/s", 1.25e5},      {"Gb/s", 1.25e8},
      {"Tb/s", 1.25e11},  {"Gbps", 1.25e8},   {"Tbps", 1.25e11}};
  static const std::vector<UnitDef> bytes = {
      {"B", 1},        {"kB", 1e3},        {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
      {"PB", 1e15},    {"KiB", 1024.0},    {"MiB", 1048576.0}, {"GiB", 1073741824.0},
      {"TiB", 1099511627776.0}};
  static const std::vector<UnitDef> power = {{"W", 1}, {"kW", 1e3}, {"MW", 1e6}, {"GW", 1e9}};
  static const std::vector<UnitDef> time = {
      {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"ns", 1e-9}, {"min", 60}, {"h", 3600}};
  static const std::vector<UnitDef> area = {{"mm2", 1}, {"mm^2", 1}, {"cm2", 100}, {"cm^2", 100}};
  static const std::vector<UnitDef> money = {
      {"USD", 1, Currency::kUsd},          {"kUSD", 1e3, Currency::kUsd},
      {"USD mn", 1e6, Currency::kUsd},     {"USD bn", 1e9, Currency::kUsd},
      {"RMB", 1, Currency::kRmb},          {"kRMB", 1e3, Currency::kRmb},
      {"RMB mn", 1e6, Currency::kRmb},     {"RMB bn", 1e9, Currency::kRmb}};
  static const std::vector<UnitDef> energy_price = {
      {"USD/kWh", 1, Currency::kUsd}, {"RMB/kWh", 1, Currency::kRmb},
      {"USD/MWh", 1e-3, Currency::kUsd}, {"RMB/MWh", 1e-3, Currency::kRmb}};
  static const std::vector<UnitDef> none;
  switch (d) {
    case Dim::kCompute: return compute;
    case Dim::kBandwidth: return bandwidth;
    case Dim::kBytes: return bytes;
    case Dim::kPower: return power;
    case Dim::kTime: return time;
    case Dim::kArea: return area;
    case Dim::kMoney: return money;
    case Dim::kEnergyPrice: return energy_price;
    default: return none;
  }
}

std::string_view example(Dim d) {
  switch (d) {
    case Dim::kCompute: return "'989 TFLOPS'";
    case Dim::kBandwidth: return "'4.0 TB/s'";
    case Dim::kBytes: return "'96 GB'";
    case Dim::kPower: return "'700 W'";
    case Dim::kTime: return "'50 ms'";
    case Dim::kArea: return "'814 mm2'";
    case Dim::kMoney: return "'25000 USD'";
    case Dim::kEnergyPrice: return "'0.08 USD/kWh'";
    case Dim::kFraction: return "a number in [0, 1]";
    case Dim::kCount: return "a non-negative integer";
    case Dim::kYear: return "a year such as 2026";
    case Dim::kNumber: return "a number";
  }
  return "a value";
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view dim_name(Dim d) {
  switch (d) {
    case Dim::kNumber: return "number";
    case Dim::kCount: return "count";
    case Dim::kFraction: return "fraction";
    case Dim::kYear: return "year";
    case Dim::kCompute: return "compute";
    case Dim::kBandwidth: return "bandwidth";
    case Dim::kBytes: return "size";
    case Dim::kPower: return "power";
    case Dim::kTime: return "time";
    case Dim::kArea: return "area";
    case Dim::kMoney: return "money";
    case Dim::kEnergyPrice: return "energy price";
  }
  return "value";
}

std::string_view dim_unit(Dim d) {
  switch (d) {
    case Dim::kCompute: return "FLOP/s";
    case Dim::kBandwidth: return "B/s";
    case Dim::kBytes: return "B";
    case Dim::kPower: return "W";
    case Dim::kTime: return "s";
    case Dim::kArea: return "mm2";
    case Dim::kMoney: return "USD";
    case Dim::kEnergyPrice: return "USD/kWh";
    case Dim::kFraction: return "fraction";
    case Dim::kYear: return "year";
    default: return "";
  }
}

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

ParseResult parse_quantity(std::string_view text, Dim dim) {
  const std::string_view s = trim(text);
  auto fail = [&](std::string_view why = {}) {
    std::string msg = fmt::format("expected {} like {}, found '{}'", dim_name(dim), example(dim), s);
    if (!why.empty()) msg += fmt::format(" ({})", why);
    return ParseResult{std::nullopt, msg};
  };
  // Split the leading number from the unit.
  std::size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == '-' ||
                          s[i] == '+' || s[i] == 'e' || s[i] == 'E')) {
    // 'e' only inside a number followed by a digit or sign (so "5 EFLOPS" keeps its unit).
    if ((s[i] == 'e' || s[i] == 'E') &&
        (i + 1 >= s.size() || !(std::isdigit(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '-' ||
                                s[i + 1] == '+')))
      break;
    ++i;
  }
  auto num = parse_number(s.substr(0, i));
  if (!num) return fail("not a finite number");
  const std::string_view unit = trim(s.substr(i));
  const auto& defs = units_for(dim);
  if (defs.empty()) {
    if (!unit.empty()) return fail("this value takes no unit");
    if (dim == Dim::kFraction && (*num < 0 || *num > 1)) return fail("outside [0, 1]");
    if (dim == Dim::kCount && (*num < 0 || std::floor(*num) != *num)) return fail("not a non-negative integer");
    if (dim == Dim::kYear && (*num < 1900 || *num > 2200 || std::floor(*num) != *num)) return fail("not a year");
    return ParseResult{ParsedValue{*num, Currency::kNone}, {}};
  }
  if (unit.empty()) return fail("missing unit");
  for (const auto& u : defs) {
    if (u.name == unit) {
      const double v = *num * u.factor;
      if (!std::isfinite(v)) return fail("overflows");
      return ParseResult{ParsedValue{v, u.currency}, {}};
    }
  }
  return fail("unknown unit for a " + std::string(dim_name(dim)));
}

std::string format_quantity(double v, Dim dim, Currency c) {
  struct Step { double f; std::string_view u; };
  auto scaled = [&](std::initializer_list<Step> steps) {
    const Step* pick = steps.begin();
    for (const auto& st : steps)
      if (std::fabs(v) >= st.f) pick = &st;
    return fmt::format("{:.4g} {}", v / pick->f, pick->u);
  };
  switch (dim) {
    case Dim::kCompute: return scaled({{1, "FLOPS"}, {1e9, "GFLOPS"}, {1e12, "TFLOPS"}, {1e15, "PFLOPS"}});
    case Dim::kBandwidth: return scaled({{1, "B/s"}, {1e6, "MB/s"}, {1e9, "GB/s"}, {1e12, "TB/s"}});
    case Dim::kBytes: return scaled({{1, "B"}, {1e6, "MB"}, {1e9, "GB"}, {1e12, "TB"}});
    case Dim::kPower: return scaled({{1, "W"}, {1e3, "kW"}, {1e6, "MW"}});
    case Dim::kTime: return scaled({{1e-9, "ns"}, {1e-6, "us"}, {1e-3, "ms"}, {1, "s"}});
    case Dim::kArea: return fmt::format("{:.4g} mm2", v);
    case Dim::kMoney: return fmt::format("{:.6g} {}", v, c == Currency::kRmb ? "RMB" : "USD");
    case Dim::kEnergyPrice: return fmt::format("{:.4g} {}/kWh", v, c == Currency::kRmb ? "RMB" : "USD");
    default: return fmt::format("{:.6g}", v);
  }
}

}  // namespace gpugap
