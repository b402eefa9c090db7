// Staff users as the case store keeps them (the users table, which server/user_store.h
// writes): who holds which role and where they are reached, for whoever must find the people
// a case waits on (the alerts). Reads only: names, roles, whether disabled, e-mail; never a
// secret. Free functions inside the caller's transaction.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace soci {
class session;
}

namespace custodian::cases {

struct StaffMember {
  std::string name;
  std::set<std::string> roles;  // role names: intake, reviewer, approver, auditor, admin
  bool disabled = false;
  std::optional<std::string> email;
};

// The users table's roles column: role names separated by commas, in order.
std::vector<std::string> RoleNamesOf(std::string_view text);

// Every staff user, by name.
std::vector<StaffMember> StaffMembers(soci::session& sql);

}  // namespace custodian::cases
