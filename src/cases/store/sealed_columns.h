// The personal values of the case store, sealed in their rows (docs/cases.md, "What the store
// keeps sealed"): request documents, decision documents, a review's note and narrowed scope,
// a pushback's letter to the requester, a verification's note, held accounts, notices'
// accounts and payloads, documents' names, attesting requesters' addresses and the audit log's details. Each is sealed with the store's keys (store_keys.h) for its
// column and row, so that a value copied into another row does not open there. Lookups
// compare keyed tags: a case's duplicate fingerprint, an audit detail's account.
// Functions for code running inside a transaction of the store: safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cases/store/database.h"
#include "cases/store/sql_rows.h"

namespace custodian::cases {

// Kinds of keyed tags.
inline constexpr std::string_view kFingerprintTag = "fingerprint";  // of a duplicate key's SHA-256
inline constexpr std::string_view kAccountTag = "account";          // of an account id, in decimal

// What a value is sealed for: its column ("requests.document") and the row ("C-2026-000001 1").
inline std::string SealContext(std::string_view column, std::string_view row) {
  return std::string(column) + " " + std::string(row);
}

// `plain`, sealed for `column` of `row`.
inline std::string Sealed(soci::session& sql, std::string_view column, std::string_view row,
                          std::string_view plain) {
  return KeysOf(sql).Seal(plain, SealContext(column, row));
}
inline Nullable<std::string> SealedOptional(soci::session& sql, std::string_view column,
                                            std::string_view row,
                                            const std::optional<std::string>& plain) {
  return Nullable<std::string>(plain ? std::optional(Sealed(sql, column, row, std::string_view(*plain)))
                                     : std::nullopt);
}

// The value sealed in `column` of `row`; throws StoreError (Corruption) when it does not open.
inline std::string Opened(soci::session& sql, std::string_view column, std::string_view row,
                          std::string_view sealed) {
  auto plain = KeysOf(sql).Open(sealed, SealContext(column, row));
  if (!plain.ok()) throw StoreError(plain.status());
  return std::move(plain).value();
}
inline std::optional<std::string> OpenedOptional(soci::session& sql, std::string_view column,
                                                 std::string_view row,
                                                 const std::optional<std::string>& sealed) {
  return sealed ? std::optional(Opened(sql, column, row, std::string_view(*sealed))) : std::nullopt;
}

// The keyed tag of `value`.
inline std::string Tagged(soci::session& sql, std::string_view kind, std::string_view value) {
  return KeysOf(sql).Tag(kind, value);
}

}  // namespace custodian::cases
