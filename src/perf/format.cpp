// Element types, GEMM formats and how a chip runs a format it lacks.
#include <fmt/format.h>

#include "perf/engine.hpp"

namespace gpugap::perf {

std::string_view dtype_name(DType d) {
  switch (d) {
    case DType::kBf16: return "bf16";
    case DType::kFp16: return "fp16";
    case DType::kFp8: return "fp8";
    case DType::kInt8: return "int8";
    case DType::kInt4: return "int4";
    case DType::kFp4: return "fp4";
  }
  return "?";
}

std::optional<DType> parse_dtype(std::string_view s) {
  for (auto d : {DType::kBf16, DType::kFp16, DType::kFp8, DType::kInt8, DType::kInt4, DType::kFp4})
    if (dtype_name(d) == s) return d;
  return std::nullopt;
}

double dtype_bytes(DType d) {
  // 4-bit formats carry one 8-bit scale per 16 values (NVFP4 block size 16).
  constexpr double kFourBit = 0.5 + 1.0 / 16.0;
  switch (d) {
    case DType::kBf16:
    case DType::kFp16: return 2.0;
    case DType::kFp8:
    case DType::kInt8: return 1.0;
    case DType::kInt4:
    case DType::kFp4: return kFourBit;
  }
  return 2.0;
}

std::optional<Format> parse_format(std::string_view s) {
  if (s == "bf16") return Format{DType::kBf16, DType::kBf16};
  if (s == "fp16") return Format{DType::kFp16, DType::kFp16};
  if (s == "fp8") return Format{DType::kFp8, DType::kFp8};
  if (s == "int8" || s == "w8a8") return Format{DType::kInt8, DType::kInt8};
  if (s == "w4a8") return Format{DType::kInt4, DType::kInt8};
  if (s == "w4a8-fp8") return Format{DType::kInt4, DType::kFp8};
  if (s == "w4a16" || s == "int4") return Format{DType::kInt4, DType::kBf16};
  if (s == "fp4" || s == "nvfp4") return Format{DType::kFp4, DType::kFp4};
  return std::nullopt;
}

std::string format_name(Format f) {
  if (f.weights == f.activations) return std::string(dtype_name(f.weights));
  if (f.weights == DType::kInt8 && f.activations == DType::kInt8) return "int8";
  if (f.weights == DType::kInt4 || f.weights == DType::kFp4) {
    if (f.activations == DType::kInt8) return "w4a8";
    if (f.activations == DType::kFp8) return "w4a8-fp8";
    return "w4a16";
  }
  return fmt::format("w{}a{}", dtype_name(f.weights), dtype_name(f.activations));
}

std::string_view mode_name(ServeMode m) { return m == ServeMode::kAgg ? "agg" : "disagg"; }

std::string_view bottleneck_name(Bottleneck b) {
  switch (b) {
    case Bottleneck::kNone: return "none";
    case Bottleneck::kCompute: return "compute";
    case Bottleneck::kMemory: return "memory bandwidth";
    case Bottleneck::kComm: return "communication";
    case Bottleneck::kLaunch: return "launch overhead";
    case Bottleneck::kCapacity: return "memory capacity";
  }
  return "?";
}

Format resolve_format(const ChipSpec& chip, Format f, std::string* note) {
  const Format asked = f;
  auto say = [&](const std::string& why) {
    if (note && !(f == asked)) *note = fmt::format("{} runs {} as {} ({})", chip.id, format_name(asked), format_name(f), why);
  };
  if (f.activations == DType::kFp4 && !detail::chip_has(chip, DType::kFp4)) {
    // FP4 weights are dequantised for an 8-bit (or 16-bit) GEMM.
    f.weights = DType::kFp4;
    f.activations = detail::chip_has(chip, DType::kFp8) ? DType::kFp8 : detail::chip_has(chip, DType::kInt8) ? DType::kInt8 : DType::kBf16;
    say("no FP4 compute");
    return f;
  }
  if (f.activations == DType::kFp8 && !detail::chip_has(chip, DType::kFp8)) {
    // As deployed on Ascend 910B/910C and A100: W8A8 INT8, else BF16.
    if (detail::chip_has(chip, DType::kInt8)) {
      if (f.weights == DType::kFp8) f.weights = DType::kInt8;
      f.activations = DType::kInt8;
    } else {
      if (f.weights == DType::kFp8) f.weights = DType::kBf16;
      f.activations = DType::kBf16;
    }
    say("no FP8 compute");
    return f;
  }
  if (f.activations == DType::kInt8 && !detail::chip_has(chip, DType::kInt8) && detail::chip_has(chip, DType::kFp8)) {
    if (f.weights == DType::kInt8) f.weights = DType::kFp8;
    f.activations = DType::kFp8;
    say("INT8 compute unknown; FP8 used");
  }
  return f;
}

DType resolve_kv(const ChipSpec& chip, DType kv, std::string* note) {
  if (kv != DType::kFp8 || detail::chip_has(chip, DType::kFp8)) return kv;
  const DType r = detail::chip_has(chip, DType::kInt8) ? DType::kInt8 : DType::kBf16;
  if (note) *note = fmt::format("{} stores the KV cache as {} (no FP8)", chip.id, dtype_name(r));
  return r;
}

Format native_format(const ModelSpec& model) {
  if (auto f = parse_format(model.native_format)) {
    // MXFP4/NVFP4 checkpoints store FP4 weights; treat as W4 with FP4 GEMM where available.
    return *f;
  }
  return Format{};
}

namespace detail {

bool chip_has(const ChipSpec& c, DType d) {
  switch (d) {
    case DType::kBf16: return c.has(Precision::kBf16) || c.has(Precision::kFp16);
    case DType::kFp16: return c.has(Precision::kFp16) || c.has(Precision::kBf16);
    case DType::kFp8: return c.has(Precision::kFp8);
    case DType::kInt8: return c.has(Precision::kInt8);
    case DType::kFp4: return c.has(Precision::kFp4);
    case DType::kInt4: return false;
  }
  return false;
}


}  // namespace detail

}  // namespace gpugap::perf
