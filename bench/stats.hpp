// Timing, percentiles and memory figures for the benchmark report.
#pragma once

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <numeric>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

inline double micros_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

struct Summary {
  std::size_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, min = 0, max = 0, mean = 0, sum = 0;
};

// Nearest-rank percentiles: every reported figure is a latency that was actually observed.
inline Summary summarize(std::vector<double> samples) {
  Summary summary;
  if (samples.empty()) return summary;
  std::sort(samples.begin(), samples.end());
  auto rank = [&](double p) {
    auto index = static_cast<std::size_t>(std::ceil(p * static_cast<double>(samples.size())));
    return samples[std::clamp<std::size_t>(index, 1, samples.size()) - 1];
  };
  summary.count = samples.size();
  summary.p50 = rank(0.50);
  summary.p90 = rank(0.90);
  summary.p99 = rank(0.99);
  summary.min = samples.front();
  summary.max = samples.back();
  summary.sum = std::accumulate(samples.begin(), samples.end(), 0.0);
  summary.mean = summary.sum / static_cast<double>(samples.size());
  return summary;
}

inline double thread_cpu_micros() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e6 + static_cast<double>(now.tv_nsec) / 1e3;
}

// Wall time of each measured operation in µs, and optionally its CPU time. The CPU clock costs
// a system call (≈1.5 µs each on this VM), so it is read outside the wall window and only for
// long operations (batches), where it shows how much of the wall time was waiting for the disk
// or for a core.
class Recorder {
 public:
  explicit Recorder(bool with_cpu = false) : with_cpu_(with_cpu) {}

  template <class F>
  decltype(auto) measure(F &&operation) {
    struct Finish {
      Recorder &recorder;
      double cpu_start;
      Clock::time_point start;
      ~Finish() {
        recorder.wall_.push_back(micros_since(start));
        if (recorder.with_cpu_) recorder.cpu_.push_back(thread_cpu_micros() - cpu_start);
      }
    } finish{*this, with_cpu_ ? thread_cpu_micros() : 0.0, Clock::now()};
    return operation();
  }
  // Drops what was recorded so far (warm-up).
  void clear() {
    wall_.clear();
    cpu_.clear();
  }
  const std::vector<double> &wall() const { return wall_; }
  const std::vector<double> &cpu() const { return cpu_; }
  bool empty() const { return wall_.empty(); }

 private:
  bool with_cpu_;
  std::vector<double> wall_, cpu_;
};

// Seconds this thread has spent runnable but waiting for a CPU (/proc/thread-self/schedstat,
// second field, ns). On a shared 2-core VM this says how much of a phase's wall time other
// processes took; 0 when the kernel does not provide it.
inline double run_queue_wait_seconds() {
  std::ifstream schedstat("/proc/thread-self/schedstat");
  double on_cpu_ns = 0, waiting_ns = 0;
  if (!(schedstat >> on_cpu_ns >> waiting_ns)) return 0;
  return waiting_ns / 1e9;
}

// Peak resident set of the whole process so far, in MiB (ru_maxrss is KiB on Linux).
inline double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

}  // namespace bench
