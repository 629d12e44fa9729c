// libFuzzer target: the unit parser (parse_quantity for every Dim, and
// parse_number). Input: byte 0 picks the Dim, the rest is the value text.
// Besides crashes it checks the parser's promises: an accepted value is
// finite and inside its dimension's domain, and formatting it never fails.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/unit_parse.hpp"

namespace {

constexpr gpugap::Dim kDims[] = {
    gpugap::Dim::kNumber,  gpugap::Dim::kCount, gpugap::Dim::kFraction, gpugap::Dim::kYear,
    gpugap::Dim::kCompute, gpugap::Dim::kBandwidth, gpugap::Dim::kBytes, gpugap::Dim::kPower,
    gpugap::Dim::kTime,    gpugap::Dim::kArea, gpugap::Dim::kMoney, gpugap::Dim::kEnergyPrice};

// A broken promise is a finding: abort so libFuzzer saves the input.
void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const gpugap::Dim dim = kDims[data[0] % std::size(kDims)];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  const auto r = gpugap::parse_quantity(text, dim);
  check(r.value.has_value() != !r.error.empty());
  if (r.value) {
    const double v = r.value->value;
    check(std::isfinite(v));
    if (dim == gpugap::Dim::kFraction) check(v >= 0 && v <= 1);
    if (dim == gpugap::Dim::kCount) check(v >= 0 && std::floor(v) == v);
    if (dim == gpugap::Dim::kYear) check(v >= 1900 && v <= 2200);
    (void)gpugap::format_quantity(v, dim, r.value->currency);
  } else {
    // Error messages are built as "expected ..." and cut at 9 characters by callers.
    check(r.error.rfind("expected ", 0) == 0);
  }
  if (const auto n = gpugap::parse_number(text)) check(std::isfinite(*n));
  return 0;
}
