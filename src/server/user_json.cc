#include "server/user_json.h"

namespace custodian::server {

using json = nlohmann::ordered_json;

json UserToJson(const User& u) {
  json roles = json::array();
  for (Role r : u.roles) roles.push_back(std::string(kRoleNames[static_cast<size_t>(r)]));
  return {{"name", u.name},
          {"roles", roles},
          {"email", u.email ? json(*u.email) : json()},
          {"totp", u.has_totp},
          {"disabled", u.disabled},
          {"locked", u.locked}};
}

json TokenToJson(const Token& t) {
  json out = {{"id", t.id},
              {"kind", std::string(TokenKindName(t.kind))},
              {"name", t.name},
              {"agency_id", t.agency_id ? json(*t.agency_id) : json()},
              {"revoked", t.revoked},
              {"created_at", FormatDateTime(t.created_at)}};
  if (t.account_id) out["account"] = *t.account_id;
  return out;
}

json RequesterToJson(const RequesterAccount& a) {
  return {{"id", a.id}, {"email", a.email}, {"name", a.name}, {"agency_id", a.agency_id}};
}

json ListedRequesterToJson(const RequesterAccount& a) {
  json out = RequesterToJson(a);
  out["state"] = std::string(RequesterStateName(a.state));
  out["created_at"] = FormatDateTime(a.created_at);
  return out;
}

}  // namespace custodian::server
