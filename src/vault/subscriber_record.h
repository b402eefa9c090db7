// A subscriber record version (spec/records.md): who held an account from `effective_from`
// on, until the account's next version. Parsed from NDJSON with the same rules as events: a
// bad line gets a reason naming the field, never its value. Values; the parser is not
// thread-safe (one per thread).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace custodian::vault {

inline constexpr size_t kMaxIdentifiers = 32;  // e-mail addresses or phone numbers a version

struct SubscriberVersion {
  uint64_t account_id = 0;
  Timestamp effective_from;
  std::optional<std::string> username;
  std::optional<std::string> name;
  std::vector<std::string> emails;
  std::vector<std::string> phones;  // E.164
  std::optional<Timestamp> created_at;
  std::optional<std::string> status;

  bool operator==(const SubscriberVersion&) const = default;
};

// How identifiers are compared: e-mail addresses lower-cased, phone numbers in E.164 without
// separators, usernames lower-cased (ASCII). Returns nothing for a value that cannot be one.
std::optional<std::string> NormalizeEmail(std::string_view email);
std::optional<std::string> NormalizePhone(std::string_view phone);
std::string NormalizeUsername(std::string_view username);

class SubscriberParser {
 public:
  SubscriberParser();
  ~SubscriberParser();
  // As EventParser::Parse: `line` must be followed by kLinePadding readable bytes.
  Status Parse(std::string_view line, SubscriberVersion& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The version's fields in a compact binary form, and back (Corruption if it does not decode).
std::string EncodeSubscriber(const SubscriberVersion& v);
Result<SubscriberVersion> DecodeSubscriber(std::string_view bytes, uint64_t account);

}  // namespace custodian::vault
