#pragma once
// Prometheus text exposition (format 0.0.4), without I/O: counters, gauges
// and histograms as plain values, written out by GET /metrics.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace herald::domain {

struct histogram {
  std::vector<double> bounds;          // upper bounds, ascending; +Inf is implied
  std::vector<std::uint64_t> counts;   // per bound, not cumulative
  double sum = 0;
  std::uint64_t count = 0;

  // Buckets for latencies in seconds: 0.5 ms to 10 s.
  static histogram seconds();
  void observe(double value);
};

// Labels as written between braces: {channel="email",status="sent"}.
std::string labels(const std::vector<std::pair<std::string, std::string>>& pairs);

using samples = std::vector<std::pair<std::string, double>>;  // labels, value

void write_metric(std::string& out, const std::string& name, const char* type, const std::string& help,
                  const samples& values);
void write_histogram(std::string& out, const std::string& name, const std::string& help,
                     const std::vector<std::pair<std::string, histogram>>& series);

}  // namespace herald::domain
