// Progress bars and final lines: see progress.hpp.
#include "core/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace gpugap {
namespace {

constexpr int kBarWidth = 30;
constexpr auto kRedraw = std::chrono::milliseconds(100);

}  // namespace

ProgressMode progress_mode(bool quiet) {
  if (quiet) return ProgressMode::kOff;
  return ::isatty(::fileno(stderr)) != 0 ? ProgressMode::kBar : ProgressMode::kLine;
}

std::string duration_text(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  if (s < 60) return fmt::format("{:.1f} s", s);
  const auto whole = static_cast<long long>(std::lround(s));
  if (whole < 3600) return fmt::format("{} min {:02} s", whole / 60, whole % 60);
  return fmt::format("{} h {:02} min", whole / 3600, (whole % 3600) / 60);
}

Progress::Progress(std::string label, std::uint64_t total, std::string unit, ProgressMode mode)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), mode_(total > 0 ? mode : ProgressMode::kOff),
      start_(std::chrono::steady_clock::now()) {}

std::string Progress::bar(const std::string& label, std::uint64_t done, std::uint64_t total, const std::string& unit,
                          double elapsed) {
  const double f = total > 0 ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total)) : 1.0;
  const int filled = static_cast<int>(f * kBarWidth);
  // Time left: the rate so far applied to what remains (unknown before the first unit).
  const std::string left = done == 0 ? "time left ?"
                           : done >= total ? fmt::format("{} elapsed", duration_text(elapsed))
                                           : "about " + duration_text(elapsed / static_cast<double>(done) *
                                                                      static_cast<double>(total - done)) + " left";
  return fmt::format("{} [{}{}] {:3d}% {}/{} {}, {}", label, std::string(static_cast<std::size_t>(filled), '#'),
                     std::string(static_cast<std::size_t>(kBarWidth - filled), '.'), static_cast<int>(f * 100), done, total,
                     unit, left);
}

void Progress::add(std::uint64_t n) {
  const std::uint64_t done = done_ += n;
  if (mode_ != ProgressMode::kBar) return;
  std::unique_lock lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - last_ < kRedraw) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r\033[K%s", bar(label_, done, total_, unit_, elapsed).c_str());
  std::fflush(stderr);
}

void Progress::finish() {
  const std::lock_guard lock(mu_);
  if (finished_ || mode_ == ProgressMode::kOff) return;
  finished_ = true;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (mode_ == ProgressMode::kBar)
    std::fprintf(stderr, "\r\033[K%s\n", bar(label_, done_, total_, unit_, elapsed).c_str());
  else
    std::fprintf(stderr, "%s: %llu %s in %s\n", label_.c_str(), static_cast<unsigned long long>(done_.load()), unit_.c_str(),
                 duration_text(elapsed).c_str());
  std::fflush(stderr);
}

}  // namespace gpugap
