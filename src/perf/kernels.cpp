// Loading the kernel tables and interpolating their curves (kernels.hpp).
#include "perf/kernels.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "core/error.hpp"
#include "core/suggest.hpp"

namespace gpugap::perf {

Curve::Curve(std::vector<double> x, std::vector<double> y) : x_(std::move(x)), y_(std::move(y)) {
  lx_.reserve(x_.size());
  for (double v : x_) lx_.push_back(std::log(v));
}

double Curve::at(double x) const {
  if (lx_.empty()) return 0.0;
  if (x <= x_.front()) return y_.front();
  if (x >= x_.back()) return y_.back();
  const auto it = std::upper_bound(x_.begin(), x_.end(), x);
  const auto i = static_cast<std::size_t>(it - x_.begin());  // x_[i-1] < x < x_[i]
  const double f = (std::log(x) - lx_[i - 1]) / (lx_[i] - lx_[i - 1]);
  return y_[i - 1] + f * (y_[i] - y_[i - 1]);
}

const Curve* KernelEvidence::allreduce(int ranks) const {
  for (const auto& [n, c] : allreduce_s)
    if (n == ranks) return &c;
  return nullptr;
}

std::string KernelEvidence::describe() const {
  const std::string base = fmt::format("AIConfigurator {} {} {}", system, backend, version);
  return carried.empty() ? base : base + " carried to " + chip_id + " (" + carried + ")";
}

ChipPeaks chip_peaks(const ChipSpec& chip) {
  auto peak = [&](Precision x) { return chip.has(x) ? chip.compute[static_cast<int>(x)]->value() : 0.0; };
  ChipPeaks p;
  p.gemm = {peak(Precision::kBf16) > 0 ? peak(Precision::kBf16) : peak(Precision::kFp16), peak(Precision::kFp8), peak(Precision::kFp4)};
  p.attn = p.gemm[0];
  p.bw = chip.mem_bandwidth ? chip.mem_bandwidth->value() : 0.0;
  p.link = chip.scaleup_bandwidth ? chip.scaleup_bandwidth->value() : 0.0;
  return p;
}

KernelEvidence transfer(const KernelEvidence& ref, const ChipPeaks& from, const ChipPeaks& to, const std::string& chip_id,
                        const std::string& why) {
  KernelEvidence e = ref;
  e.chip_id = chip_id;
  e.carried = why;
  auto scaled = [](const Curve& c, auto f) {
    if (c.empty()) return c;
    std::vector<double> y = c.ys();
    for (std::size_t i = 0; i < y.size(); ++i) y[i] *= f(c.xs()[i]);
    return Curve(c.xs(), std::move(y));
  };
  // Weight bytes per element of each GEMM type: M tokens do 2 M FLOPs per weight read.
  constexpr std::array<double, kKernelTypes> kWeightBytes = {2.0, 1.0, 0.5};
  for (int t = 0; t < kKernelTypes; ++t) {
    if (from.gemm[t] <= 0 || to.gemm[t] <= 0) {
      e.gemm_tflops[t] = Curve();  // the chip lacks this GEMM type: roofline
      e.gemm_fixed_s[t] = Curve();
      continue;
    }
    auto roof = [&](const ChipPeaks& c, double m) { return std::min(c.gemm[t], 2.0 * m / kWeightBytes[t] * c.bw); };
    e.gemm_tflops[t] = scaled(ref.gemm_tflops[t], [&](double m) { return roof(to, m) / roof(from, m); });
  }
  for (auto& c : e.decode_gbps) c = scaled(c, [&](double) { return to.bw / from.bw; });
  e.prefill_tflops = scaled(ref.prefill_tflops, [&](double) { return to.attn / from.attn; });
  for (auto& [n, c] : e.allreduce_s) {
    std::vector<double> y = c.ys();
    for (std::size_t i = 0; i < y.size(); ++i) {
      const double vol = 2.0 * (n - 1) / n * c.xs()[i];
      if (to.link > 0 && from.link > 0) y[i] += std::max(0.0, vol / to.link - vol / from.link);
    }
    c = Curve(c.xs(), std::move(y));
  }
  return e;
}

std::vector<std::string> split_plain_csv(const std::string& s) {
  std::vector<std::string> out;
  std::string f;
  std::istringstream in(s);
  while (std::getline(in, f, ',')) out.push_back(f);
  if (!s.empty() && s.back() == ',') out.emplace_back();  // a trailing empty field
  return out;
}

namespace {

const std::vector<std::string> kHeader = {"system", "backend", "version", "op", "dtype", "ranks", "x", "value", "points"};
const std::vector<std::string> kOps = {"gemm", "gemm_fixed", "attn_decode", "attn_prefill", "allreduce"};
const std::vector<std::string> kTypes = {"bf16", "fp8", "fp4"};


double number(const std::string& s, const Location& at) {
  double v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || p != end || !std::isfinite(v)) throw UserError(at, "a number", "'" + s + "'");
  return v;
}

struct Points {
  std::vector<double> x, y;
  int line = 0;  // first row of the curve
};

}  // namespace

KernelTables KernelTables::read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(Location{path, 0, ""}, "a readable kernel table (tools/gen_kernels.py)", "cannot open");
  std::string line;
  int n = 0;
  if (!std::getline(in, line)) throw UserError(Location{path, 1, ""}, "the header " + fmt::format("{}", fmt::join(kHeader, ",")), "an empty file");
  ++n;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (split_plain_csv(line) != kHeader)
    throw UserError(Location{path, 1, ""}, "the header " + fmt::format("{}", fmt::join(kHeader, ",")), "'" + line + "'");
  using Key = std::tuple<std::string, std::string, std::string>;  // system, backend, version
  std::map<Key, std::map<std::tuple<std::string, std::string, int>, Points>> curves;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto f = split_plain_csv(line);
    if (f.size() != kHeader.size())
      throw UserError(Location{path, n, ""}, fmt::format("{} comma-separated fields", kHeader.size()), fmt::format("{}", f.size()));
    auto at = [&](int col) { return Location{path, n, kHeader[col]}; };
    for (int c : {0, 1, 2})
      if (f[c].empty()) throw UserError(at(c), "a name", "an empty field");
    if (std::find(kOps.begin(), kOps.end(), f[3]) == kOps.end()) throw UserError(at(3), "one of gemm, gemm_fixed, attn_decode, attn_prefill, allreduce", "'" + f[3] + "'", suggest(f[3], kOps));
    const auto ti = std::find(kTypes.begin(), kTypes.end(), f[4]);
    if (ti == kTypes.end()) throw UserError(at(4), "one of bf16, fp8, fp4", "'" + f[4] + "'", suggest(f[4], kTypes));
    const double ranks = number(f[5], at(5));
    const double x = number(f[6], at(6));
    const double v = number(f[7], at(7));
    (void)number(f[8], at(8));
    const bool fixed = f[3] == "gemm_fixed";  // a latency that may be 0
    if (f[3] == "allreduce" ? (ranks < 2 || ranks != std::floor(ranks)) : ranks != 0)
      throw UserError(at(5), f[3] == "allreduce" ? "a whole number of ranks >= 2" : "0 (only all-reduce rows have ranks)", "'" + f[5] + "'");
    if (x <= 0) throw UserError(at(6), "a positive shape value", "'" + f[6] + "'");
    if (fixed ? v < 0 : v <= 0) throw UserError(at(7), fixed ? "a latency >= 0" : "a positive rate or latency", "'" + f[7] + "'");
    const Key key{f[0], f[1], f[2]};
    Points& p = curves[key][{f[3], f[4], static_cast<int>(ranks)}];
    if (p.x.empty()) p.line = n;
    else if (x <= p.x.back())
      throw UserError(at(6), fmt::format("x increasing within a curve (previous {})", p.x.back()), "'" + f[6] + "'");
    p.x.push_back(x);
    p.y.push_back(v);
  }
  KernelTables t;
  for (const auto& [key, cs] : curves) {
    KernelEvidence e;
    std::tie(e.system, e.backend, e.version) = key;
    for (const auto& [ck, p] : cs) {
      const auto& [op, dt, ranks] = ck;
      const int type = static_cast<int>(std::find(kTypes.begin(), kTypes.end(), dt) - kTypes.begin());
      auto seconds = [](std::vector<double> us) {
        for (double& v : us) v *= 1e-6;
        return us;
      };
      if (op == "gemm") e.gemm_tflops[type] = Curve(p.x, p.y);
      else if (op == "gemm_fixed") e.gemm_fixed_s[type] = Curve(p.x, seconds(p.y));
      else if (op == "attn_decode") e.decode_gbps[type] = Curve(p.x, p.y);
      else if (op == "attn_prefill") e.prefill_tflops = Curve(p.x, p.y);
      else e.allreduce_s.emplace_back(ranks, Curve(p.x, seconds(p.y)));
    }
    t.sets_.push_back(std::move(e));
  }
  return t;
}

namespace {

// The data lines of a small side table (line number, fields) under `header`, every field
// non-empty; malformed input throws UserError naming the file, line and column.
std::vector<std::pair<int, std::vector<std::string>>> side_table(const std::string& path, const std::vector<std::string>& header,
                                                                 const char* what) {
  std::ifstream in(path);
  if (!in) throw UserError(Location{path, 0, ""}, std::string("a readable ") + what, "no such file");
  std::vector<std::pair<int, std::vector<std::string>>> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (n == 1) {
      if (split_plain_csv(line) != header) throw UserError(Location{path, 1, ""}, "the header " + fmt::format("{}", fmt::join(header, ",")), "'" + line + "'");
      continue;
    }
    if (line.empty()) continue;
    auto f = split_plain_csv(line);
    if (f.size() != header.size())
      throw UserError(Location{path, n, ""}, fmt::format("{} comma-separated fields (no commas inside a field)", header.size()), fmt::format("{}", f.size()));
    for (std::size_t c = 0; c < f.size(); ++c)
      if (f[c].empty()) throw UserError(Location{path, n, header[c]}, "a value", "an empty field");
    out.emplace_back(n, std::move(f));
  }
  return out;
}

}  // namespace

std::vector<KernelProxy> KernelTables::read_proxies(const std::string& path) {
  std::vector<KernelProxy> out;
  for (auto& [n, f] : side_table(path, {"chip", "proxy", "reason", "source", "as_of", "confidence"}, "kernel proxy table"))
    out.push_back({f[0], f[1], f[2], f[3], f[4], f[5]});
  return out;
}

std::vector<OperatorEvidence> read_operator_evidence(const std::string& path) {
  static const std::vector<std::string> header = {"chip", "op", "dtype", "shape", "achieved", "unit", "fraction_of_peak",
                                                  "source", "date", "confidence", "note"};
  std::vector<OperatorEvidence> out;
  for (auto& [n, f] : side_table(path, header, "operator evidence table")) {
    OperatorEvidence e{f[0], f[1], f[2], f[3], f[5], f[7], f[8], f[9], f[10], 0, 0};
    e.achieved = number(f[4], Location{path, n, header[4]});
    e.fraction_of_peak = number(f[6], Location{path, n, header[6]});
    if (e.achieved <= 0) throw UserError(Location{path, n, header[4]}, "a positive rate", "'" + f[4] + "'");
    if (e.fraction_of_peak <= 0 || e.fraction_of_peak > 1)
      throw UserError(Location{path, n, header[6]}, "a fraction in (0, 1] (no kernel beats its peak)", "'" + f[6] + "'");
    if (f[9] != "high" && f[9] != "medium" && f[9] != "low")
      throw UserError(Location{path, n, header[9]}, "high, medium or low", "'" + f[9] + "'", suggest(f[9], {"high", "medium", "low"}));
    out.push_back(std::move(e));
  }
  return out;
}

const KernelEvidence* KernelTables::find(const std::string& chip_id, const std::string& backend) const {
  // Where a chip has several versions of a backend, the last in name order (the tool ships one).
  const KernelEvidence* best = nullptr;
  for (const auto& e : sets_)
    if (!chip_id.empty() && e.chip_id == chip_id && e.backend == backend) best = &e;
  return best;
}

}  // namespace gpugap::perf
