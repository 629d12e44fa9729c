// The reconciliation of the report's TAM ratios with its stated TAM: the four
// cloud ratios multiply to 42.8%, not the 51% / $67bn the report states. This
// shows the chain as stated next to the published figure, the other buyer
// classes the scenario adds (each its own sourced line, nothing back-solved),
// and what any single ratio would have to be instead. Used by `gpugap market`
// and the report.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/scenario.hpp"

namespace gpugap::market {

struct Reconciliation {
  int year = analysis::kLastYear;
  double capex = 0;            // USD bn
  double overseas = 0, server = 0, ai_server = 0, accelerator = 0;
  double chain_product = 0;    // (1 - overseas) x server x AI-server x accelerator
  double cloud_tam = 0;        // capex x chain product
  double sovereign = 0, innovator = 0;  // the added buyer classes (USD bn)
  double tam = 0;                       // cloud chain + added buyers
  std::optional<double> published_tam;    // from the scenario's published figures
  std::optional<double> published_share;  // cloud AI-GPU spend / cloud capex as the report states it

  struct Alternative {
    std::string param;   // path of the assumption
    double current = 0;  // its value in the scenario
    double required = 0; // the value that alone reproduces the published TAM (with no added buyers)
    bool feasible = false;
  };
  std::vector<Alternative> alternatives;  // empty without a published TAM
};

Reconciliation reconcile(const analysis::Context& ctx, int year = analysis::kLastYear);

}  // namespace gpugap::market
