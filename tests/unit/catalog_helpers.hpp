// The shipped catalog and its specs by id, for engine tests.
#pragma once

#include <string>

#include "analysis/scenario.hpp"
#include "catalog/catalog.hpp"
#include "catalog/specs.hpp"

namespace gpugap::test {

inline const catalog::Catalog& cat() {
  static const catalog::Catalog c = catalog::Catalog::load({analysis::default_catalog_dir()});
  return c;
}
inline ChipSpec chip(const std::string& id) { return chip_spec(cat(), cat().params(), id); }
inline ModelSpec model(const std::string& id) { return model_spec(cat(), cat().params(), id); }
// A workload of fixed lengths and no targets.
inline Workload wl(int isl, int osl) {
  Workload w;
  w.id = "test";
  w.isl = isl;
  w.osl = osl;
  return w;
}

}  // namespace gpugap::test
