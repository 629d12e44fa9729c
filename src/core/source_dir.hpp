// Where the source tree was when gpugap was built: the default home of the
// catalog, the shipped measurements and the pinned ECharts bundle.
#pragma once

#include <string>

namespace gpugap::core {

// Only source_dir.cpp sees the build-time path, so every other object is the
// same bytes in any checkout (ccache can share them between worktrees).
[[nodiscard]] std::string source_dir();

}  // namespace gpugap::core
