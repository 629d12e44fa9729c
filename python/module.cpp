// The extension `gpugap._gpugap`: the CLI's commands run in this process through
// cli::run_captured (src/cli/app.cpp), never the executable. python/gpugap/__init__.py
// wraps it in one function per command (docs/python.md).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "core/error.hpp"

namespace py = pybind11;

namespace {

// Exit status and payload, as the executable would end: 0 and the --format json text,
// 2 and the message of its "gpugap: ..." line (bad input), 70 and the internal error.
py::tuple run(const std::vector<std::string>& args) {
  int status = 0;
  std::string payload;
  {
    const py::gil_scoped_release release;
    try {
      payload = gpugap::cli::dump_json(gpugap::cli::run_captured(args).json);
    } catch (const gpugap::UserError& e) {
      status = 2;
      payload = e.what();
    } catch (const gpugap::InsufficientData& e) {
      status = 2;
      payload = e.what();
    } catch (const std::exception& e) {
      status = 70;
      payload = e.what();
    }
  }
  return py::make_tuple(status, payload);
}

// The long option names of a command ("perf", "catalog list") and whether each takes
// several values (a list repeats the option) or none (a flag).
py::dict options(const std::string& command) {
  gpugap::cli::Global g;
  CLI::App app{std::string(gpugap::cli::kAppDescription)};
  gpugap::cli::build_app(app, g);
  py::dict out;
  auto add = [&out](const CLI::App& a) {
    for (const CLI::Option* o : a.get_options()) {
      for (const auto& name : o->get_lnames()) {
        const char* arity = o->get_items_expected_max() == 0 ? "flag" : o->get_items_expected_max() > 1 ? "many" : "one";
        out[py::str(name)] = arity;
      }
    }
  };
  add(app);
  const CLI::App* sub = &app;
  std::size_t p = 0;
  while (p < command.size()) {
    const auto q = std::min(command.find(' ', p), command.size());
    sub = sub->get_subcommand(command.substr(p, q - p));  // throws CLI::OptionNotFound when unknown
    p = q + 1;
  }
  add(*sub);
  return out;
}

}  // namespace

PYBIND11_MODULE(_gpugap, m) {
  m.doc() = "gpugap's commands in-process (use the package gpugap, not this module)";
  m.def("run", &run, py::arg("args"),
        "Runs `gpugap ARGS...` in this process; returns (status, JSON text or error message).");
  m.def("options", &options, py::arg("command"), "Long option names of a command: 'flag', 'one' or 'many' values.");
}
