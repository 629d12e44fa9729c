#include "econ/samples.hpp"

#include <bit>
#include <cstdint>
#include <string_view>

#include "catalog/schema.hpp"

namespace gpugap::econ {

TablePool::Lease TablePool::lease(std::span<const double> values) {
  std::unique_ptr<Slot> slot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      slot = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (!slot) slot = std::make_unique<Slot>(Slot{base_, {}});  // once per concurrent sample
  slot->values.assign(values.begin(), values.end());
  slot->table.assign(slot->values);
  return Lease(*this, std::move(slot));
}

void TablePool::give_back(std::unique_ptr<Slot> slot) {
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(std::move(slot));
}

CatalogMoved::CatalogMoved(const ParamTable& base) {
  for (ParamIndex i = 0; i < base.size(); ++i) {
    const std::string_view path = base.at(i).path;
    const std::string_view kind = path.substr(0, path.find('.'));
    for (const auto& k : catalog::kinds())
      if (kind == k) {
        idx_.push_back(i);
        base_.push_back(base.at(i).value);
        break;
      }
  }
}

bool CatalogMoved::operator()(std::span<const double> v) const {
  // Bitwise: a NaN that stays NaN has not moved.
  for (std::size_t k = 0; k < idx_.size(); ++k)
    if (std::bit_cast<std::uint64_t>(v[idx_[k]]) != std::bit_cast<std::uint64_t>(base_[k])) return true;
  return false;
}

}  // namespace gpugap::econ
