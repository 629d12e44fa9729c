// 7. Validation (waits for the validation engine).
#include "report/sections.hpp"

namespace gpugap::report::detail {

Section validation_section(Gather& /*g*/) {
  Section s{"validation", "7. Validation", "", {}};
  const std::string why = "the validation engine is not part of this build yet";
  s.items.push_back(Unavailable{"prediction error tables (gpugap validate)", why});
  s.takeaway = "Not available: " + why + ".";
  return s;
}

}  // namespace gpugap::report::detail
