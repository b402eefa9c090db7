#include "core/loopback.h"

#include "core/ip_address.h"

namespace custodian {

bool IsLoopback(const std::string& host) {
  if (host == "localhost") return true;
  auto ip = IpAddress::Parse(host);
  if (!ip) return false;
  const auto& b = ip->bytes();
  if (ip->is_v4()) return b[0] == 127;
  for (size_t i = 0; i < 15; ++i) {
    if (b[i] != 0) return false;
  }
  return b[15] == 1;
}

}  // namespace custodian
