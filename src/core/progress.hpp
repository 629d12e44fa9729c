// Progress of long work (Monte Carlo, k-fold calibration, the report) on stderr,
// so JSON on stdout stays clean: on a terminal a bar redrawn in place with the
// time left; elsewhere (logs, pipes, CI) one line when the work is done.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace gpugap {

enum class ProgressMode { kOff, kBar, kLine };

// The CLI's choice: off with --quiet, a bar when stderr is a terminal, else one line.
ProgressMode progress_mode(bool quiet);

// "12.3 s", "4 min 05 s": the time-left text of the bar.
std::string duration_text(double seconds);

class Progress {
 public:
  // `unit` names what is counted ("samples", "folds", "sections").
  Progress(std::string label, std::uint64_t total, std::string unit, ProgressMode mode);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress() = default;

  // Thread-safe; redraws at most every 100 ms.
  void add(std::uint64_t n = 1);
  // The bar's last frame and a newline, or the one line ("label: 1000 samples in 2.1 s").
  void finish();

  // The bar for `done` of `total` after `elapsed` seconds (what add() draws; tests).
  static std::string bar(const std::string& label, std::uint64_t done, std::uint64_t total, const std::string& unit,
                         double elapsed);

 private:
  std::string label_, unit_;
  std::uint64_t total_;
  ProgressMode mode_;
  std::atomic<std::uint64_t> done_{0};
  std::mutex mu_;
  std::chrono::steady_clock::time_point start_, last_{};
  bool finished_ = false;
};

}  // namespace gpugap
