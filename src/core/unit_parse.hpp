// The one place where unit strings ("4.0 TB/s", "700 W", "96 GiB") become SI
// numbers. Everything else in gpugap works in SI through core/units.hpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gpugap {

// The physical kind a catalog or scenario value must have.
enum class Dim {
  kNumber,       // plain number, no unit allowed
  kCount,        // non-negative integer
  kFraction,     // 0..1
  kYear,         // calendar year
  kCompute,      // FLOP/s (or op/s for integer formats), SI
  kBandwidth,    // B/s
  kBytes,        // B
  kPower,        // W
  kTime,         // s
  kArea,         // mm^2 (kept in mm^2: the supply model's natural unit)
  kMoney,        // USD (RMB converted by the caller via Currency)
  kEnergyPrice,  // money per kWh
};

enum class Currency { kNone, kUsd, kRmb };

struct ParsedValue {
  double value = 0.0;   // SI (see Dim); money in its own currency
  Currency currency = Currency::kNone;
};

std::string_view dim_name(Dim d);
// The canonical unit a Dim is stored in, for display: "FLOP/s", "B/s", ...
std::string_view dim_unit(Dim d);

// Parses "NUMBER [UNIT]" for the given dimension. Returns the error text
// ("expected a bandwidth like '4.0 TB/s', found '4 TB'") on failure.
struct ParseResult {
  std::optional<ParsedValue> value;
  std::string error;
};
ParseResult parse_quantity(std::string_view text, Dim dim);

// A strict number parser (no trailing junk, finite).
std::optional<double> parse_number(std::string_view text);

// Human formatting of an SI value: 4.8e12 B/s -> "4.8 TB/s".
std::string format_quantity(double value, Dim dim, Currency c = Currency::kUsd);

}  // namespace gpugap
