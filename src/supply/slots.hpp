// A flat, named layout of output values. A model registers blocks of metrics
// once (at build time) and writes plain doubles at fixed offsets when it runs,
// so one evaluation does no allocation and no string work; names are only
// looked up when a set of metrics is compiled.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include <array>
#include <memory>
#include <optional>
#include <span>

#include "analysis/metrics.hpp"
#include "analysis/scenario.hpp"
#include "core/suggest.hpp"

namespace gpugap::supply {

inline constexpr int kYears = analysis::kLastYear - analysis::kFirstYear + 1;
inline constexpr int year_at(int i) { return analysis::kFirstYear + i; }

class Slots {
 public:
  // name.<year> for every model year; returns the offset of the first year.
  std::size_t yearly(const std::string& name) {
    const std::size_t base = names_.size();
    for (int y = 0; y < kYears; ++y) add(name + "." + std::to_string(year_at(y)));
    return base;
  }
  // name.<key>.<year> for each key: offset(k, y) = base + k * kYears + y.
  std::size_t keyed_yearly(const std::string& name, const std::vector<std::string>& keys) {
    const std::size_t base = names_.size();
    for (const auto& k : keys) yearly(name + "." + k);
    return base;
  }
  // name.<key> for each key: offset(k) = base + k.
  std::size_t keyed(const std::string& name, const std::vector<std::string>& keys) {
    const std::size_t base = names_.size();
    for (const auto& k : keys) add(name + "." + k);
    return base;
  }
  std::size_t single(const std::string& name) { return add(name); }
  // Hidden scratch values (not metrics).
  std::size_t scratch(std::size_t n) {
    const std::size_t base = size_ + scratch_;
    scratch_ += n;
    return base;
  }

  [[nodiscard]] std::size_t size() const { return size_ + scratch_; }
  [[nodiscard]] const std::vector<std::string>& names() const { return names_; }
  [[nodiscard]] const std::string& name(std::size_t i) const { return names_[i]; }
  [[nodiscard]] std::size_t metric_count() const { return names_.size(); }
  [[nodiscard]] const std::size_t* find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &it->second;
  }

 private:
  std::size_t add(const std::string& n) {
    // Metrics must precede scratch space: registering after scratch is a bug.
    if (scratch_ != 0) throw InternalError("metric slot registered after scratch slots");
    index_.emplace(n, names_.size());
    names_.push_back(n);
    size_ = names_.size();
    return size_ - 1;
  }
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::size_t> index_;
  std::size_t size_ = 0;
  std::size_t scratch_ = 0;
};

// Index resolution with the project's missing-data rule, for a model's
// build(). It records every index it hands out: what the model can read, so
// Monte Carlo draws only the uncertain parameters that feed the metrics.
class Resolver {
 public:
  Resolver(const ParamTable& t, std::vector<ParamIndex>& reads) : t_(t), reads_(reads) {}
  [[nodiscard]] ParamIndex need(const std::string& path) const {
    if (auto i = opt(path)) return *i;
    throw InsufficientData(path);
  }
  [[nodiscard]] std::optional<ParamIndex> opt(const std::string& path) const {
    auto i = t_.find(path);
    if (!i || t_.at(*i).is_null) return std::nullopt;
    reads_.push_back(*i);
    return *i;
  }
  [[nodiscard]] bool has(const std::string& path) const { return t_.find(path).has_value(); }
  [[nodiscard]] std::array<ParamIndex, kYears> yearly(const std::string& prefix) const {
    std::array<ParamIndex, kYears> out{};
    for (int y = 0; y < kYears; ++y) out[y] = need(prefix + "." + std::to_string(year_at(y)));
    return out;
  }

 private:
  const ParamTable& t_;
  std::vector<ParamIndex>& reads_;
};

// Slot offsets of the requested metrics; unknown name: UserError with a suggestion.
inline std::vector<std::size_t> slot_indices(const Slots& slots, const std::vector<std::string>& metrics) {
  std::vector<std::size_t> idx;
  idx.reserve(metrics.size());
  for (const auto& name : metrics) {
    const std::size_t* i = slots.find(name);
    if (!i) throw UserError(Location{"", 0, name}, "a known metric path", "unknown metric", suggest(name, slots.names()));
    idx.push_back(*i);
  }
  return idx;
}

// A compiled evaluator over a built model: one run() into a per-thread buffer
// (grown once, then reused), then a gather of the requested slots.
template <class Model, class Run>
analysis::CompiledMetrics compiled_metrics(std::shared_ptr<const Model> model, std::vector<std::size_t> idx, Run run) {
  return [model = std::move(model), idx = std::move(idx), run](std::span<const double> v, std::span<double> out) {
    thread_local std::vector<double> buf;
    if (buf.size() < model->slots().size()) buf.resize(model->slots().size());
    run(*model, v, buf.data());
    for (std::size_t i = 0; i < idx.size(); ++i) out[i] = buf[idx[i]];
  };
}

}  // namespace gpugap::supply
