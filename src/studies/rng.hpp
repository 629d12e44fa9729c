// Counter-based random numbers for Monte Carlo. Sample i of a run with seed S
// draws from Philox4x32-10 keyed by S at counter (i, block, stream): any
// sample can be computed alone, in any order, on any thread or MPI rank, and
// gives the same bits. (Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3", SC'11; constants and known answers from Random123.)
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace gpugap::studies {

using Philox4x32 = std::array<std::uint32_t, 4>;

// One Philox4x32-10 block: 128 random bits from (counter, key).
constexpr Philox4x32 philox4x32_10(Philox4x32 ctr, std::array<std::uint32_t, 2> key) {
  constexpr std::uint32_t kM0 = 0xD2511F53u;
  constexpr std::uint32_t kM1 = 0xCD9E8D57u;
  constexpr std::uint32_t kW0 = 0x9E3779B9u;  // golden ratio
  constexpr std::uint32_t kW1 = 0xBB67AE85u;  // sqrt(3) - 1
  constexpr int kRounds = 10;
  for (int r = 0; r < kRounds; ++r) {
    if (r > 0) {
      key[0] += kW0;
      key[1] += kW1;
    }
    const std::uint64_t p0 = static_cast<std::uint64_t>(kM0) * ctr[0];
    const std::uint64_t p1 = static_cast<std::uint64_t>(kM1) * ctr[2];
    const auto hi0 = static_cast<std::uint32_t>(p0 >> 32);
    const auto lo0 = static_cast<std::uint32_t>(p0);
    const auto hi1 = static_cast<std::uint32_t>(p1 >> 32);
    const auto lo1 = static_cast<std::uint32_t>(p1);
    ctr = {hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0};
  }
  return ctr;
}

// 64-bit FNV-1a: names a random stream after the parameter it feeds, so adding
// an uncertain parameter leaves every other parameter's draws unchanged.
constexpr std::uint64_t stream_id(std::string_view name) {
  constexpr std::uint64_t kOffset = 0xcbf29ce484222325ull;
  constexpr std::uint64_t kPrime = 0x100000001b3ull;
  std::uint64_t h = kOffset;
  for (const char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= kPrime;
  }
  return h;
}

// The uniforms of one (seed, sample, stream): an endless sequence, two per
// Philox block. Values lie in the open interval (0, 1), never 0 or 1, so
// inverse CDFs and logarithms stay finite.
class Stream {
 public:
  Stream(std::uint64_t seed, std::uint32_t sample, std::uint64_t stream)
      : key_{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)},
        sample_(sample),
        stream_lo_(static_cast<std::uint32_t>(stream)),
        stream_hi_(static_cast<std::uint32_t>(stream >> 32)) {}

  double uniform() {
    if (have_ == 0) refill();
    return buf_[--have_];
  }

 private:
  static constexpr double kTwoPow53Inv = 1.0 / 9007199254740992.0;  // 2^-53

  static double to_open_unit(std::uint32_t hi, std::uint32_t lo) {
    const std::uint64_t bits = ((static_cast<std::uint64_t>(hi) << 32) | lo) >> 11;  // 53 bits
    return (static_cast<double>(bits) + 0.5) * kTwoPow53Inv;
  }

  void refill() {
    const Philox4x32 r = philox4x32_10({sample_, block_++, stream_lo_, stream_hi_}, key_);
    // Filled back to front so uniform() returns r[0..1] first, then r[2..3].
    buf_[1] = to_open_unit(r[0], r[1]);
    buf_[0] = to_open_unit(r[2], r[3]);
    have_ = 2;
  }

  std::array<std::uint32_t, 2> key_;
  std::uint32_t sample_;
  std::uint32_t stream_lo_;
  std::uint32_t stream_hi_;
  std::uint32_t block_ = 0;
  std::array<double, 2> buf_{};
  int have_ = 0;
};

}  // namespace gpugap::studies
