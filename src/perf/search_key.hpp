// The key of a deployment search: a text that holds every input perf::search
// (and the prepare/run core under it) reads, so that two searches with equal
// keys give equal results. Callers that memoise searches (econ's join, over
// Monte Carlo samples, tornado runs and lever swaps) key on it.
#pragma once

#include <string>

#include "perf/perf.hpp"

namespace gpugap::perf {

// Exact (round-trip) text of the chip's perf-side fields (compute, memory,
// links, software efficiencies and overheads; not price, power or dates), the
// model's shape, the workload and every search option.
std::string search_key(const ChipSpec& chip, const ModelSpec& model, const Workload& w, const SearchOptions& opt);

}  // namespace gpugap::perf
