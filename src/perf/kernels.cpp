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

std::string KernelEvidence::describe() const { return fmt::format("AIConfigurator {} {} {}", system, backend, version); }

namespace {

const std::vector<std::string> kHeader = {"system", "backend", "version", "op", "dtype", "ranks", "x", "value", "points"};
const std::vector<std::string> kOps = {"gemm", "gemm_fixed", "attn_decode", "attn_prefill", "allreduce"};
const std::vector<std::string> kTypes = {"bf16", "fp8", "fp4"};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::string f;
  std::istringstream in(s);
  while (std::getline(in, f, ',')) out.push_back(f);
  if (!s.empty() && s.back() == ',') out.emplace_back();
  return out;
}

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
  if (split(line) != kHeader)
    throw UserError(Location{path, 1, ""}, "the header " + fmt::format("{}", fmt::join(kHeader, ",")), "'" + line + "'");
  using Key = std::tuple<std::string, std::string, std::string>;  // system, backend, version
  std::map<Key, std::map<std::tuple<std::string, std::string, int>, Points>> curves;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto f = split(line);
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

const KernelEvidence* KernelTables::find(const std::string& chip_id, const std::string& backend) const {
  // Where a chip has several versions of a backend, the last in name order (the tool ships one).
  const KernelEvidence* best = nullptr;
  for (const auto& e : sets_)
    if (!chip_id.empty() && e.chip_id == chip_id && e.backend == backend) best = &e;
  return best;
}

}  // namespace gpugap::perf
