// Where the source tree was when gpugap was built: the default home of the
// catalog, the shipped measurements and the pinned ECharts bundle.
#pragma once

#include <string>

namespace gpugap::core {

// Only source_dir.cpp sees the build-time path, so every other object is the
// same bytes in any checkout (ccache can share them between worktrees).
[[nodiscard]] std::string source_dir();
// gpugap's version (CMake's project version) and the commit it was built from
// (`git describe --always --dirty` when CMake configured; "unknown" outside git).
[[nodiscard]] std::string build_version();
[[nodiscard]] std::string build_commit();

}  // namespace gpugap::core
