// Staff users, requester accounts and API tokens as the API and the CLI show them: never a secret (no password
// hash, TOTP secret or token secret), only whether a second factor is enrolled.
#pragma once

#include <nlohmann/json.hpp>

#include "server/requester_store.h"
#include "server/user_store.h"

namespace custodian::server {

// {name, roles, email, totp, disabled, locked}
nlohmann::ordered_json UserToJson(const User& user);
// {id, kind, name, agency_id, revoked, created_at, account?}
nlohmann::ordered_json TokenToJson(const Token& token);
// {id, email, name, agency_id}: who a requester is (the portal's session shows it).
nlohmann::ordered_json RequesterToJson(const RequesterAccount& account);
// … and {state, created_at}: as staff list it.
nlohmann::ordered_json ListedRequesterToJson(const RequesterAccount& account);

}  // namespace custodian::server
