// The registry of agencies a service deals with (spec/agencies.example.json): who they are,
// their verified e-mail domains and the phone number staff call back. Loaded from JSON with
// every problem reported as "source:line:column: what". Immutable once loaded: safe to share
// between threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "policy/request.h"

namespace custodian {

struct Agency {
  std::string id;
  std::string name;
  std::string country;
  std::string jurisdiction;
  AgencyType type = AgencyType::kLocal;
  std::vector<std::string> domains;  // lower-cased, without a trailing dot
  std::string phone;
};

class AgencyRegistry {
 public:
  // The empty registry (no file given): its sha256 is absent.
  AgencyRegistry() = default;

  // Parses a registry file; `source_name` names it in messages.
  static Result<AgencyRegistry> Load(std::string_view text, std::string_view source_name);

  const Agency* Find(std::string_view id) const;
  // True when some agency lists `domain` (already normalized, see NormalizeDomain).
  bool AnyHasDomain(std::string_view domain) const;
  const std::vector<Agency>& agencies() const { return agencies_; }
  // SHA-256 hex of the file's bytes; absent for the empty registry.
  const std::optional<std::string>& sha256() const { return sha256_; }

 private:
  std::vector<Agency> agencies_;
  std::optional<std::string> sha256_;
};

// An e-mail domain as the standards compare it: lower-cased, one trailing dot removed.
std::string NormalizeDomain(std::string_view domain);
// The domain of an e-mail address: the part after the last '@', normalized.
std::string EmailDomain(std::string_view email);

}  // namespace custodian
