// The command-line application as a library: global options, the commands, and a way to run
// one in this process (the Python module's entry, src/python).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "cli/cli.hpp"
#include "core/error.hpp"
#include "core/output.hpp"
#include "core/unit_parse.hpp"
#include "studies/engines.hpp"

namespace gpugap::cli {

std::vector<std::string> Global::catalog_dirs() const {
  std::vector<std::string> dirs{analysis::default_catalog_dir()};
  dirs.insert(dirs.end(), catalogs.begin(), catalogs.end());
  return dirs;
}

analysis::Context Global::context() const {
  auto ctx = studies::make_context(catalog_dirs(), scenario, sets, stack_backend);
  ctx.threads = threads;
  ctx.quiet = quiet;
  return ctx;
}

void add_stack_option(CLI::App* cmd, Global& g) {
  cmd->add_option("--stack-backend", g.stack_backend,
                  "serving backend to evaluate chips on (trtllm, vllm, sglang on cuda; sglang, chitu ... on cann; "
                  "default: each chip's backend with the most fitted rows, docs/model-perf.md)");
}

// Invalid UTF-8 (from a CSV or a --set value) is replaced, not an internal error.
std::string dump_json(const nlohmann::json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void refuse_catalog_output(const Global& g, const std::string& path, const std::string& option) {
  // Never into a catalog folder this run reads: the next run would load the output as input.
  namespace fs = std::filesystem;
  const fs::path target = fs::weakly_canonical(fs::absolute(path));
  for (const auto& d : g.catalog_dirs()) {
    const fs::path dir = fs::weakly_canonical(fs::absolute(d));
    if (std::mismatch(dir.begin(), dir.end(), target.begin(), target.end()).first == dir.end())
      throw UserError(Location{path, 0, option}, "an output path outside the catalog folders read", "a path inside '" + d + "'");
  }
}

std::string today_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

CLI::Validator count_at_least(long long lo) {
  return CLI::Validator(
      [lo](std::string& text) -> std::string {
        long long v = 0;
        const char* end = text.data() + text.size();
        const auto [p, ec] = std::from_chars(text.data(), end, v);
        if (ec == std::errc() && p == end && v >= lo) return {};
        return fmt::format("expected a whole number >= {}, found '{}'", lo, text);
      },
      fmt::format("INT>={}", lo));
}

CLI::Validator positive_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const auto v = parse_number(text);
        if (v && *v > 0) return {};
        return fmt::format("expected a number > 0, found '{}'", text);
      },
      "NUMBER>0");
}

void emit(const Global& g, const Output& out) {
  if (g.capture) {  // run_captured: the caller renders
    *g.capture = out;
    return;
  }
  std::string content;
  if (g.format == "json") {
    content = dump_json(out.json);
  } else if (g.format == "csv") {
    if (out.csv_table) content = out.csv_table->csv();
    else if (!out.tables.empty()) content = out.tables.front().csv();
  } else {
    for (std::size_t i = 0; i < out.tables.size(); ++i) {
      if (i < out.titles.size() && !out.titles[i].empty()) content += out.titles[i] + "\n";
      content += out.tables[i].text();
      if (i + 1 < out.tables.size()) content += "\n";
    }
    if (!out.text.empty()) content += (out.tables.empty() ? "" : "\n") + out.text;
  }
  if (g.out.empty()) {
    std::cout << content << std::flush;
    return;
  }
  refuse_catalog_output(g, g.out, "-o");
  atomic_write(g.out, content);
}

void build_app(CLI::App& app, Global& g) {
  app.require_subcommand(1);
  app.option_defaults()->always_capture_default();
  app.add_option("--catalog", g.catalogs, "add a catalog folder (same layout); later folders override")->check(CLI::ExistingDirectory);
  app.add_option("--scenario", g.scenario, "scenario id or YAML file");
  app.add_option("--set", g.sets, "override a parameter: PATH=VALUE (repeatable)");
  app.add_option("--format", g.format, "output format")->check(CLI::IsMember({"table", "json", "csv"}));
  app.add_option("-o,--out", g.out, "write output there (atomically)");
  app.add_option("--threads", g.threads, "worker threads (default: all cores)")->check(count_at_least(0));
  app.add_flag("-q,--quiet", g.quiet, "no progress output");
  app.fallthrough();

  add_catalog_commands(app, g);
  add_param_commands(app, g);
  add_perf_commands(app, g);
  add_simulate_command(app, g);
  add_econ_commands(app, g);
  add_market_commands(app, g);
  add_analysis_commands(app, g);
  add_score_commands(app, g);
  add_report_commands(app, g);
  add_gap_commands(app, g);
  add_supply_commands(app, g);
  add_view_commands(app, g);
  add_serve_command(app, g);
}

Output run_captured(const std::vector<std::string>& args) {
  Global g;
  Output out;
  g.capture = &out;
  CLI::App app{std::string(kAppDescription)};
  build_app(app, g);
  std::vector<std::string> words{"gpugap"};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp&) {
    throw UserError(app.help());
  } catch (const CLI::CallForAllHelp&) {
    throw UserError(app.help("", CLI::AppFormatMode::All));
  } catch (const CLI::ParseError& e) {  // the CLI's exit-2 line
    throw UserError(e.what());
  }
  return out;
}

}  // namespace gpugap::cli
