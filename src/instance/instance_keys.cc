#include "instance/instance_keys.h"

#include <iterator>

namespace custodian {

// One row per key, in the enumeration's order (InstanceKeysTest checks the order).
static_assert(std::size(kInstanceKeys) == static_cast<size_t>(InstanceKey::kSecondFactors) + 1);

vault::SecretKey DeriveInstanceKey(const vault::SecretKey& master, InstanceKey which) {
  return vault::DeriveKey(master, kInstanceKeys[static_cast<size_t>(which)].label);
}

}  // namespace custodian
