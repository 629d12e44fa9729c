// MPI for `mpirun -n K gpugap mc ...`: samples are split across ranks and
// gathered, in sample order, on rank 0. MPI is initialised only when the
// process was launched by mpirun (and the build has MPI), so ordinary runs
// never touch it. Without MPI every call here is a single-rank no-op.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace gpugap::studies {

class MpiSession {
 public:
  MpiSession();   // MPI_Init when launched_by_mpirun() and built with MPI
  ~MpiSession();  // MPI_Finalize if this object initialised MPI
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }
  [[nodiscard]] bool root() const { return rank_ == 0; }
  [[nodiscard]] bool active() const { return active_; }

  // Concatenates every rank's block, in rank order, on rank 0 (other ranks
  // get an empty vector). Blocks may differ in length.
  [[nodiscard]] std::vector<double> gather(std::span<const double> mine) const;
  // Element-wise sum onto rank 0 (exact: integers).
  void sum_to_root(std::span<std::uint64_t> values) const;
  // True on every rank when `flag` is true on any rank.
  [[nodiscard]] bool any(bool flag) const;

  // Environment set by mpirun/mpiexec (Open MPI, PMI, PMIx).
  static bool launched_by_mpirun();
  static bool built_with_mpi();

 private:
  int rank_ = 0;
  int size_ = 1;
  bool active_ = false;
};

}  // namespace gpugap::studies
