// SHA-256 (FIPS 180-4) of a byte string, as 64 lower-case hex digits: the
// fingerprint provenance records of an input file (config.json, catalogs).
#pragma once

#include <string>
#include <string_view>

namespace gpugap {

std::string sha256_hex(std::string_view bytes);

}  // namespace gpugap
