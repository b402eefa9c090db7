// The keyed index of what staff search cases by (docs/cases.md, "Search"): each target of a
// case's current request (its type and normalized value), the agency's reference and the
// requester (e-mail, officer, agency name), kept as keyed tags (sealed_columns.h), never as
// values. A search computes the tags of what was typed and compares; it learns which cases
// match, and nothing of any other target. Free functions inside the caller's transaction.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "cases/store/store_keys.h"
#include "core/status.h"

namespace soci {
class session;
}

namespace custodian::cases {

// The kind of the keyed tag a search is audited with (of the query as typed, trimmed).
inline constexpr std::string_view kSearchTag = "search";
// The longest query a search takes, in bytes.
inline constexpr size_t kMaxSearchBytes = 256;

// Replaces the index rows of `case_id` by those of `document`, its current request (JSON; a
// document that is not an object indexes nothing).
void IndexCase(soci::session& sql, const StoreKeys& keys, const std::string& case_id,
               const std::string& document);

// The cases that `query` (trimmed) names: by case id, by agency id, or by an indexed value —
// a target of any type the index holds, an agency reference (exactly), a requester's e-mail,
// officer or agency name (ASCII case-insensitively).
std::set<std::string> CasesMatching(soci::session& sql, const StoreKeys& keys,
                                    std::string_view query);

// The cases whose current request names `email` as its requester's address (ASCII
// case-insensitively), among `case_id` alone when given: what lets a requester account see
// a request staff entered for it.
std::set<std::string> CasesNamingRequester(soci::session& sql, const StoreKeys& keys, std::string_view email,
                                           const std::optional<std::string>& case_id = std::nullopt);

// Migration 14: indexes every case's latest request (the store's keys open them).
Status IndexAllCases(soci::session& sql);

}  // namespace custodian::cases
