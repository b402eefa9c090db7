#include "vault/grant.h"

#include <sodium.h>

#include "core/coding.h"

namespace custodian::vault {
namespace {

std::string Canonical(const GrantScope& s) {
  std::string b("custodian/grant/v1");
  PutLengthPrefixed(b, s.case_id);
  PutVarint(b, s.accounts.size());
  for (uint64_t a : s.accounts) PutFixed64(b, a);
  PutVarint(b, s.addresses.size());
  for (const IpEndpoint& e : s.addresses) PutLengthPrefixed(b, e.ToString());
  PutVarint(b, s.identifiers.size());
  for (const GrantIdentifier& i : s.identifiers) {
    PutLengthPrefixed(b, i.type);
    PutLengthPrefixed(b, i.value);
  }
  s.categories.ForEach([&](Category c) { PutLengthPrefixed(b, CategoryName(c)); });
  b.push_back('\0');
  PutFixed64(b, static_cast<uint64_t>(s.start.micros));
  PutFixed64(b, static_cast<uint64_t>(s.end.micros));
  PutFixed64(b, static_cast<uint64_t>(s.expires.micros));
  return b;
}

}  // namespace

std::array<uint8_t, 32> GrantAuthority::Mac(const GrantScope& scope) const {
  InitCrypto();
  const std::string bytes = Canonical(scope);
  std::array<uint8_t, 32> mac;
  crypto_auth_hmacsha256(mac.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                         bytes.size(), key_.data());
  return mac;
}

Grant GrantAuthority::Issue(GrantScope scope) const {
  Grant g;
  g.mac = Mac(scope);
  g.scope = std::move(scope);
  return g;
}

bool GrantAuthority::Verify(const Grant& grant, Timestamp now) const {
  const auto expected = Mac(grant.scope);
  return sodium_memcmp(expected.data(), grant.mac.data(), expected.size()) == 0 &&
         now < grant.scope.expires;
}

}  // namespace custodian::vault
