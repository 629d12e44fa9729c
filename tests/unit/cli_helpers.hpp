// Runs the built gpugap binary for end-to-end tests.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace gpugap::test {

struct CliResult {
  int rc = -1;
  std::string out;
  std::string err;
  [[nodiscard]] nlohmann::json json() const { return nlohmann::json::parse(out); }
};

// The source tree and the built gpugap binary: defined in a file CMake writes
// (test_paths.cpp in the build folder), so no other test object depends on
// where the checkout is.
std::string source_dir();
std::string binary();

// A fresh folder per test (gpugap-TAG-PID under the temp folder), removed afterwards.
class TempDir {
 public:
  explicit TempDir(const std::string& tag)
      : path_(std::filesystem::temp_directory_path() / ("gpugap-" + tag + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs `gpugap ARGS` (ARGS is shell text) and captures stdout, stderr, exit code;
// `cwd` (optional) is the folder it runs in.
inline CliResult run_cli_in(const std::string& cwd, const std::string& args);
inline CliResult run_cli(const std::string& args) { return run_cli_in("", args); }
inline CliResult run_cli_in(const std::string& cwd, const std::string& args) {
  static int counter = 0;
  const auto tmp = std::filesystem::temp_directory_path() /
                   ("gpugap-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".err");
  const std::string cmd = (cwd.empty() ? std::string() : "cd '" + cwd + "' && ") + binary() + " " +
                          args + " 2>" + tmp.string();
  CliResult r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(tmp);
  std::stringstream ss;
  ss << e.rdbuf();
  r.err = ss.str();
  std::filesystem::remove(tmp);
  return r;
}

}  // namespace gpugap::test
