// Read grants: the only way into the vault's data. A grant names a case, the accounts and
// addresses it may read, the categories and the window, and when it expires; it is
// authenticated (HMAC-SHA-256) with the vault's grant key, which only the case workflow
// uses, once a case is approved. The vault checks every read against its grant.
// Values, and a thread-safe GrantAuthority.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/category.h"
#include "core/ip_address.h"
#include "core/time.h"
#include "vault/crypto.h"

namespace custodian::vault {

// A username, e-mail address or phone number a grant may resolve to accounts.
struct GrantIdentifier {
  std::string type;  // "username", "email" or "phone"
  std::string value;
  bool operator==(const GrantIdentifier&) const = default;
};

struct GrantScope {
  std::string case_id;
  std::vector<uint64_t> accounts;
  std::vector<IpEndpoint> addresses;
  std::vector<GrantIdentifier> identifiers;
  CategorySet categories;
  Timestamp start;  // the window [start, end)
  Timestamp end;
  Timestamp expires;
};

struct Grant {
  GrantScope scope;
  std::array<uint8_t, 32> mac{};
};

class GrantAuthority {
 public:
  explicit GrantAuthority(const SecretKey& key) : key_(key) {}
  Grant Issue(GrantScope scope) const;
  // True when `grant` was issued with this key, unaltered, and has not expired at `now`.
  bool Verify(const Grant& grant, Timestamp now) const;

 private:
  std::array<uint8_t, 32> Mac(const GrantScope& scope) const;
  const SecretKey key_;
};

// Where the vault records a read before any of its data leaves. The record must be durable
// when RecordRead returns ok; a failure stops the read.
class ReadAudit {
 public:
  virtual ~ReadAudit() = default;
  virtual Status RecordRead(const Grant& grant, const std::string& what) = 0;
};

}  // namespace custodian::vault
