// The workflow's staff-only parts of a case: its assignee and its internal comments
// (docs/cases.md, "Assignment and comments"). Neither is ever shown to requesters.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "cases/ledgers/audit_detail.h"
#include "cases/staff_directory.h"
#include "cases/workflow.h"
#include "core/unicode.h"

namespace custodian::cases {
namespace {

// The roles that work cases: an assignee holds one of them.
constexpr std::array<std::string_view, 3> kCaseRoles = {"intake", "reviewer", "approver"};

// Why `name` cannot be assigned, or nothing when it can.
std::optional<std::string> UnassignableReason(soci::session& sql, const std::string& name) {
  for (const StaffMember& m : StaffMembers(sql)) {
    if (m.name != name) continue;
    if (m.disabled) return "assignee: " + name + " is disabled";
    const bool works_cases = std::any_of(kCaseRoles.begin(), kCaseRoles.end(), [&](std::string_view r) {
      return m.roles.contains(std::string(r));
    });
    if (!works_cases) return "assignee: " + name + " holds none of intake, reviewer, approver";
    return std::nullopt;
  }
  return "assignee: no staff user " + name;
}

nlohmann::ordered_json NameOrNull(const std::optional<std::string>& name) {
  return name ? nlohmann::ordered_json(*name) : nlohmann::ordered_json();
}

}  // namespace

Result<CaseView> Workflow::Assign(const std::string& id, const Actor& actor,
                                  const std::optional<std::string>& assignee) {
  return Run(id, [&](CaseTx& tx, CaseRecord& c) -> Status {
    if (assignee) {
      if (auto why = UnassignableReason(tx.session(), *assignee)) return Status::InvalidArgument(*why);
    }
    const auto detail = Detail({{"from", NameOrNull(c.assignee)}, {"to", NameOrNull(assignee)}});
    c.assignee = assignee;
    c.updated_at = clock_.Now();
    if (Status s = tx.UpdateCase(c); !s.ok()) return s;
    return tx.Audit(c.updated_at, actor.name, c.id, "assign", detail.dump());
  });
}

Result<CommentRecord> Workflow::AddComment(const std::string& id, const Actor& actor,
                                           const std::string& text) {
  if (!IsValidUtf8(text) || TrimmedLength(text) == 0 || CodePointCount(text) > kMaxCommentLength) {
    return Status::InvalidArgument("text: 1 to " + std::to_string(kMaxCommentLength) +
                                   " characters, not blank");
  }
  CommentRecord comment{id, 0, actor.name, clock_.Now(), text};
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    if (auto c = tx.GetCase(id); !c.ok()) return c.status();
    if (Status st = tx.AppendComment(comment); !st.ok()) return st;
    // The text stays out of the detail: the comment's number says which.
    return tx.Audit(comment.at, actor.name, id, "add_comment",
                    Detail({{"comment", comment.seq}}).dump());
  });
  if (!s.ok()) return s;
  return comment;
}

Result<std::vector<CommentRecord>> Workflow::Comments(const std::string& id, const Actor& reader) {
  std::vector<CommentRecord> out;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    if (auto c = tx.GetCase(id); !c.ok()) return c.status();
    out = tx.Comments(id);
    return tx.Audit(clock_.Now(), reader.name, id, "view_comments", "{}");
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace custodian::cases
