#include "policy/targets.h"

#include <set>
#include <utility>

#include "core/ip_address.h"
#include "core/unicode.h"

namespace custodian {

std::string NormalizedTargetValue(const Target& t) {
  if (t.type == "email") return AsciiLower(t.value);
  if (t.type == kIpTargetType) {
    if (auto ep = IpEndpoint::Parse(t.value)) return ep->ToString();
  }
  return t.value;
}

std::vector<Target> DistinctTargets(const std::vector<Target>& targets) {
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<Target> out;
  for (const Target& t : targets) {
    if (seen.emplace(t.type, NormalizedTargetValue(t)).second) out.push_back(t);
  }
  return out;
}

}  // namespace custodian
