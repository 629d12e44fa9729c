// Internal to the score engine: the named deployments and policy lists of a
// vendor file (read, validated, counted). supply_rows is in score.hpp.
#pragma once

#include "catalog/catalog.hpp"
#include "score/score.hpp"

namespace gpugap::score {

// Fills v.deployments and v.policy_lists from the vendor file (UserError on an
// entry without its key fields or a source).
void read_ties(const catalog::Entry& e, VendorScore& v);
// Counts deployments, buyers, chips and lists up to `through` (a year).
Ties count_ties(const VendorScore& v, int through);

}  // namespace gpugap::score
