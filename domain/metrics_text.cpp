#include "domain/metrics_text.hpp"

#include <cstdio>

namespace herald::domain {
namespace {

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

std::string escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// `base` ("{a="b"}" or "") with one more label.
std::string with_label(const std::string& base, const std::string& name, const std::string& value) {
  const std::string pair = name + "=\"" + value + "\"";
  return base.empty() ? "{" + pair + "}" : base.substr(0, base.size() - 1) + "," + pair + "}";
}

}  // namespace

histogram histogram::seconds() {
  histogram h;
  h.bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  h.counts.assign(h.bounds.size(), 0);
  return h;
}

void histogram::observe(double value) {
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (value <= bounds[i]) {
      ++counts[i];
      break;
    }
  }
  sum += value;
  ++count;
}

std::string labels(const std::vector<std::pair<std::string, std::string>>& pairs) {
  if (pairs.empty()) return {};
  std::string out = "{";
  for (const auto& [k, v] : pairs) out += (out.size() > 1 ? "," : "") + k + "=\"" + escape(v) + "\"";
  return out + "}";
}

void write_metric(std::string& out, const std::string& name, const char* type, const std::string& help,
                  const samples& values) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  for (const auto& [l, v] : values) out += name + l + " " + number(v) + "\n";
}

void write_histogram(std::string& out, const std::string& name, const std::string& help,
                     const std::vector<std::pair<std::string, histogram>>& series) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n";
  for (const auto& [l, h] : series) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < h.bounds.size(); ++i) {
      cumulative += h.counts[i];
      out += name + "_bucket" + with_label(l, "le", number(h.bounds[i])) + " " + std::to_string(cumulative) + "\n";
    }
    out += name + "_bucket" + with_label(l, "le", "+Inf") + " " + std::to_string(h.count) + "\n";
    out += name + "_sum" + l + " " + number(h.sum) + "\n";
    out += name + "_count" + l + " " + std::to_string(h.count) + "\n";
  }
}

}  // namespace herald::domain
