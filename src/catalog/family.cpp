#include "catalog/family.hpp"

namespace gpugap::catalog {

std::string chip_family(const Catalog& cat, const std::string& chip_id) {
  const Entry* e = cat.find("chips", chip_id);
  if (!e) return chip_id;
  return e->str("software.family", e->id);
}

}  // namespace gpugap::catalog
