// A small, fully specified random stream for the simulator (xoshiro256** seeded
// by splitmix64): the same seed gives the same draws on every platform, which
// the standard library's distributions do not promise.
#pragma once

#include <cmath>
#include <cstdint>

namespace gpugap::serve {

class Rng {
 public:
  // `stream` separates independent uses of one seed (lengths, arrivals, MTP).
  Rng(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t x = seed ^ (stream * 0x9E3779B97F4A7C15ULL);
    for (auto& v : s_) v = splitmix(x);
  }

  std::uint64_t next() {
    const std::uint64_t r = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return r;
  }
  // Uniform in [0, 1).
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [lo, hi].
  long long integer(long long lo, long long hi) {
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<long long>(next() % span);
  }
  // Exponential with mean 1 / rate.
  double exponential(double rate) { return -std::log1p(-uniform()) / rate; }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint64_t s_[4];
};

// Stream ids of one simulation's seed.
inline constexpr std::uint64_t kStreamLengths = 1;
inline constexpr std::uint64_t kStreamArrivals = 2;
inline constexpr std::uint64_t kStreamDrafts = 3;

}  // namespace gpugap::serve
