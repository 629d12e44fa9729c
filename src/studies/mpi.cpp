#include "studies/mpi.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#include "core/error.hpp"

#ifdef GPUGAP_HAVE_MPI
#include <mpi.h>
#endif

namespace gpugap::studies {

bool MpiSession::launched_by_mpirun() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (const char* v = std::getenv(var); v && *v) return true;
  return false;
}

bool MpiSession::built_with_mpi() {
#ifdef GPUGAP_HAVE_MPI
  return true;
#else
  return false;
#endif
}

#ifdef GPUGAP_HAVE_MPI

namespace {
void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw InternalError(std::string("MPI call failed: ") + what);
}
}  // namespace

MpiSession::MpiSession() {
  if (!launched_by_mpirun()) return;
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (initialised) return;  // someone else owns MPI: stay single-rank
  // Only the calling thread talks to MPI; TBB workers never do.
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  active_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() {
  if (active_) MPI_Finalize();
}

std::vector<double> MpiSession::gather(std::span<const double> mine) const {
  if (!active_ || size_ == 1) return {mine.begin(), mine.end()};
  if (mine.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw InternalError("MPI gather block too large");
  const int n = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<std::size_t>(size_), 0);
  check(MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather");
  std::vector<int> displs(counts.size(), 0);
  std::vector<double> all;
  if (root()) {
    long long total = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      if (total > std::numeric_limits<int>::max()) throw InternalError("MPI gather too large");
      displs[r] = static_cast<int>(total);
      total += counts[r];
    }
    all.resize(static_cast<std::size_t>(total));
  }
  check(MPI_Gatherv(mine.data(), n, MPI_DOUBLE, all.data(), counts.data(), displs.data(), MPI_DOUBLE, 0, MPI_COMM_WORLD),
        "MPI_Gatherv");
  return all;
}

void MpiSession::sum_to_root(std::span<std::uint64_t> values) const {
  if (!active_ || size_ == 1 || values.empty()) return;
  std::vector<std::uint64_t> out(values.size(), 0);
  check(MPI_Reduce(values.data(), out.data(), static_cast<int>(values.size()), MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD),
        "MPI_Reduce");
  if (root()) std::copy(out.begin(), out.end(), values.begin());
}

bool MpiSession::any(bool flag) const {
  if (!active_ || size_ == 1) return flag;
  int mine = flag ? 1 : 0;
  int all = 0;
  check(MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD), "MPI_Allreduce");
  return all != 0;
}

#else

MpiSession::MpiSession() = default;
MpiSession::~MpiSession() = default;
std::vector<double> MpiSession::gather(std::span<const double> mine) const { return {mine.begin(), mine.end()}; }
void MpiSession::sum_to_root(std::span<std::uint64_t> /*values*/) const {}
bool MpiSession::any(bool flag) const { return flag; }

#endif

}  // namespace gpugap::studies
