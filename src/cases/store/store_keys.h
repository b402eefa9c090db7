// The case store's own keys (docs/cases.md, "What the store keeps sealed"): a random key that
// seals the personal values of its rows (XChaCha20-Poly1305, each value bound to its table,
// column and row) and a random key for the keyed tags that lookups compare (BLAKE2b). Both
// are kept in the store itself (store_keys), wrapped by the instance's master key as the
// vault's keys are, so that every server of a PostgreSQL store has them, a stolen store
// opens nothing without the master key, and rotating the master key re-wraps two rows
// rather than re-sealing the data. Thread-safe: immutable once made.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "vault/crypto.h"

namespace soci {
class session;
}

namespace custodian::cases {

class StoreKeys {
 public:
  static StoreKeys Random();
  // The keys stored in `sql`'s store, unwrapped: Corruption when there are none, and
  // InvalidArgument when they do not open under `master` (another instance's store).
  static Result<StoreKeys> Load(soci::session& sql, const vault::SecretKey& master);
  // Stores the keys wrapped by `master` (replacing any stored).
  Status Save(soci::session& sql, const vault::SecretKey& master) const;

  // `plain` sealed for the place `context` names (table, column and row: "requests.document
  // C-2026-000001 1"): a text value, "s1:" and base64 of nonce ‖ ciphertext ‖ tag.
  std::string Seal(std::string_view plain, std::string_view context) const;
  // The value Seal made for `context`; Corruption (naming the context) when it was changed,
  // moved to another row, or sealed under other keys.
  Result<std::string> Open(std::string_view sealed, std::string_view context) const;
  static bool IsSealed(std::string_view value) { return value.starts_with("s1:"); }

  // A keyed tag of `value` for lookups (64 hex digits): equal values of one `kind` have equal
  // tags; nothing about the value can be learnt, or guessed and checked, without the key.
  std::string Tag(std::string_view kind, std::string_view value) const;

 private:
  StoreKeys(vault::SecretKey values, vault::SecretKey tags) : values_(values), tags_(tags) {}
  vault::SecretKey values_;
  vault::SecretKey tags_;
};

}  // namespace custodian::cases
