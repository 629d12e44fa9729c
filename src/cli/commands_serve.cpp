// gpugap serve [--port N]: the what-if page on 127.0.0.1 (web/whatif.hpp has the
// handlers; this file only wires them to cpp-httplib). SIGINT and SIGTERM stop it
// cleanly: they are blocked in every thread and taken by one waiting thread.
#include <httplib.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

#include "cli/cli.hpp"
#include "web/whatif.hpp"

namespace gpugap::cli {
namespace {

constexpr int kDefaultPort = 8023;
constexpr const char* kHost = "127.0.0.1";

struct ServeArgs {
  int port = kDefaultPort;
};

void serve_cmd(const Global& g, const ServeArgs& a) {
  // Before any thread exists (TBB's, the server's), so that all inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  web::Options opt;
  opt.catalog_dirs = g.catalog_dirs();
  opt.scenario = g.scenario;
  opt.sets = g.sets;
  opt.threads = g.threads;
  const web::WhatIf app(opt);

  httplib::Server svr;
  svr.Get(".*", [&app](const httplib::Request& req, httplib::Response& res) {
    web::Query q(req.params.begin(), req.params.end());
    const web::Response r = app.handle(req.path, q);
    res.status = r.status;
    if (!r.attachment.empty()) res.set_header("Content-Disposition", "attachment; filename=\"" + r.attachment + "\"");
    res.set_header("Cache-Control", "no-store");
    res.set_content(r.body, r.content_type.c_str());
  });

  int port = a.port;
  if (port == 0) {
    port = svr.bind_to_any_port(kHost);
    if (port < 0) throw UserError(Location{"", 0, "--port"}, "a free port on " + std::string(kHost), "none could be bound");
  } else if (!svr.bind_to_port(kHost, port)) {
    throw UserError(Location{"", 0, "--port"}, "a free port on " + std::string(kHost),
                    "port " + std::to_string(port) + " is in use or not allowed", "try --port 0 (any free port)");
  }
  std::cout << "gpugap serve: http://" << kHost << ":" << port << "/  (Ctrl-C stops)" << std::endl;

  std::atomic<bool> done{false};
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    // A signal before listen_after_bind has started would be lost by stop(): wait for it.
    while (!done.load() && !svr.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    svr.stop();
  });
  const bool ok = svr.listen_after_bind();
  done.store(true);
  pthread_kill(waiter.native_handle(), SIGTERM);  // wakes the waiter when listening ended by itself
  waiter.join();
  if (!ok) throw UserError(Location{"", 0, "--port"}, "a port to listen on", "listening failed on port " + std::to_string(port));
  if (!g.quiet) std::cerr << "gpugap serve: stopped\n";
}

}  // namespace

void add_serve_command(CLI::App& app, Global& g) {
  auto* serve = app.add_subcommand("serve", "local what-if page on 127.0.0.1: sliders for the contested assumptions, "
                                            "figures recomputed in place, a link and the report for them");
  static ServeArgs args;
  serve->add_option("--port", args.port, "TCP port on 127.0.0.1 (0: any free port; the URL is printed)")
      ->check(CLI::Range(0, 65535));
  serve->callback([&g] { serve_cmd(g, args); });
}

}  // namespace gpugap::cli
