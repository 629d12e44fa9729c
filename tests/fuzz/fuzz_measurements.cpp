// libFuzzer target: the measurement-CSV reader (perf::read_measurements, both
// schemas) and the per-row prediction `gpugap validate --measurements` runs
// on what it read, against the shipped catalog. The reader takes a path, so
// each input goes through one temporary file per process.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "analysis/scenario.hpp"
#include "catalog/catalog.hpp"
#include "core/error.hpp"
#include "perf/validation.hpp"
#include "studies/engines.hpp"

namespace {

constexpr std::size_t kMaxRowsPredicted = 16;  // keeps one input fast; rows are independent

struct World {
  gpugap::analysis::Context ctx;
  std::string csv;
};

World make_world() {
  using namespace gpugap;
  const std::vector<std::string> dirs{analysis::default_catalog_dir()};
  World w{studies::make_context(dirs, "ms-2025", {}), ""};
  w.csv = (std::filesystem::temp_directory_path() / ("gpugap-fuzz-" + std::to_string(::getpid()) + ".csv")).string();
  return w;
}

World& world() {
  static World w = make_world();
  return w;
}

}  // namespace

// Load the catalog before fuzzing starts: done lazily in the first input it
// counted against -timeout (seconds under ASan) and was reported as a hang.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  (void)world();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gpugap;
  World& w = world();
  {
    std::ofstream out(w.csv, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const auto rows = perf::read_measurements(w.csv);
    const perf::ValidateOptions opt;
    for (std::size_t i = 0; i < rows.size() && i < kMaxRowsPredicted; ++i)
      (void)perf::predict(*w.ctx.catalog, w.ctx.params, rows[i], opt);
  } catch (const UserError&) {
  } catch (const InsufficientData&) {
  }
  return 0;
}
