#include "cases/staff_directory.h"

#include <soci/soci.h>

#include "cases/store/sql_rows.h"

namespace custodian::cases {

std::vector<std::string> RoleNamesOf(std::string_view text) {
  std::vector<std::string> out;
  for (size_t pos = 0; pos <= text.size();) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    if (comma > pos) out.emplace_back(text.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

std::vector<StaffMember> StaffMembers(soci::session& sql) {
  std::vector<StaffMember> out;
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT name, roles, disabled, email FROM users ORDER BY name");
  for (const soci::row& r : rows) {
    const std::vector<std::string> roles = RoleNamesOf(Text(r, 1));
    out.push_back({Text(r, 0), {roles.begin(), roles.end()}, Int(r, 2) != 0, OptText(r, 3)});
  }
  return out;
}

}  // namespace custodian::cases
