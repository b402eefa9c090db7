#include "bench/stats.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

namespace custodian::bench {

std::optional<uint64_t> ProcStatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string name;
  while (in >> name) {
    if (name == field) {
      uint64_t value = 0;
      if (in >> value) return value;
      return std::nullopt;
    }
    std::getline(in, name);
  }
  return std::nullopt;
}

double Percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  const auto rank = static_cast<size_t>(std::ceil(p / 100 * static_cast<double>(samples.size())));
  const size_t index = std::clamp<size_t>(rank, 1, samples.size()) - 1;
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(index),
                   samples.end());
  return samples[index];
}

}  // namespace custodian::bench
