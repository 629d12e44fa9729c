// What the compiled (Monte Carlo, sensitivity, goal seek) paths of econ,
// score and gap share: a parameter table per concurrent sample, copied once
// rather than per sample, and the test of whether a sample moved any input of
// the specs and the perf-econ join (so that what was built from the base
// table can be reused).
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "core/params.hpp"

namespace gpugap::econ {

// Copies of one table for the samples running at once: each copy is made
// once and takes a sample's values by ParamTable::assign (the same table a
// fresh copy plus assign would give: assign changes values only).
class TablePool {
  struct Slot {
    ParamTable table;
    std::vector<double> values;
  };

 public:
  explicit TablePool(const ParamTable& base) : base_(base) {}

  // A table holding `values`, back in the pool when the lease ends.
  class Lease {
   public:
    Lease(TablePool& pool, std::unique_ptr<Slot> slot) : pool_(pool), slot_(std::move(slot)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_.give_back(std::move(slot_)); }
    [[nodiscard]] const ParamTable& table() const { return slot_->table; }

   private:
    TablePool& pool_;
    std::unique_ptr<Slot> slot_;
  };
  [[nodiscard]] Lease lease(std::span<const double> values);

 private:
  void give_back(std::unique_ptr<Slot> slot);
  const ParamTable& base_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Slot>> free_;
};

// Whether a sample moved a catalog parameter (chips, stacks, models,
// workloads, regions, systems, vendors): the inputs of the specs and of the
// perf-econ join. Scenario parameters (score.*, gap.*, demand.*, supply.*,
// market.*) are read through indices or compiled models instead.
class CatalogMoved {
 public:
  explicit CatalogMoved(const ParamTable& base);
  [[nodiscard]] bool operator()(std::span<const double> v) const;

 private:
  std::vector<ParamIndex> idx_;
  std::vector<double> base_;
};

}  // namespace gpugap::econ
