// Keyed tags: how the vault's indexes name accounts, addresses and event ids without
// revealing them (docs/vault_format.md, "Tags"). Pure functions: safe from any thread.
#pragma once

#include <cstdint>
#include <string>

#include "core/coding.h"
#include "core/ip_address.h"
#include "vault/crypto.h"
#include "vault/segment.h"

namespace custodian::vault {

// 96 bits of SipHash-128 over the account id: 64 to sort and find by, 32 to tell apart the
// rare accounts whose first 64 collide.
inline Tag96 AccountTag(const ShortKey& key, uint64_t account) {
  std::string b;
  PutFixed64(b, account);
  const auto h = Tag128(key, b);
  return {DecodeFixed64(reinterpret_cast<const char*>(h.data())),
          DecodeFixed32(reinterpret_cast<const char*>(h.data()) + 8)};
}

// An address as 17 bytes: its family (4 or 6) and 16 address bytes (IPv4 zero-padded).
inline std::string AddressBytes(const std::array<uint8_t, 16>& ip, bool v6) {
  std::string b(1, v6 ? 6 : 4);
  b.append(reinterpret_cast<const char*>(ip.data()), v6 ? 16 : 4);
  b.resize(17, '\0');
  return b;
}

inline uint64_t AddressTag(const ShortKey& key, const std::array<uint8_t, 16>& ip, bool v6) {
  return Tag64(key, AddressBytes(ip, v6));
}

inline EventIdTag EventIdTagOf(const ShortKey& key, uint64_t account, std::string_view event_id) {
  std::string b;
  PutFixed64(b, account);
  b.append(event_id);
  return Tag128(key, b);
}

}  // namespace custodian::vault
