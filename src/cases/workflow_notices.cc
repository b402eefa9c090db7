// The workflow's notices: queued at approval, moved by nondisclosure orders (docs/cases.md,
// "Notice"); the outbox (notice_outbox.cc) delivers them.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "cases/ledgers/audit_detail.h"
#include "cases/workflow.h"
#include "core/sha256.h"
#include "vault/crypto.h"

namespace custodian::cases {

Status Workflow::QueueNotices(CaseTx& tx, const CaseRecord& c, const Standards& standards,
                              const Actor& actor) {
  auto decisions = tx.Decisions(c.id);
  const auto decision = nlohmann::json::parse(decisions.back().document);
  const auto& notice = decision["notice"];
  if (!notice["required"].get<bool>() || decision["authorized"].is_null()) return Status::Ok();
  const std::string timing = notice["when"];
  // The scope the user is told about: the reviewer's narrowing where there is one.
  nlohmann::json scope = decision["authorized"];
  if (c.review_scope) {
    const nlohmann::json narrowed = nlohmann::json::parse(*c.review_scope);
    for (const auto& [key, value] : narrowed.items()) scope[key] = value;
  }
  auto request = tx.LatestRequest(c.id);
  if (!request.ok()) return request.status();
  const auto document = nlohmann::json::parse(request->document);
  const Timestamp now = clock_.Now();
  Timestamp not_before = now;
  if (notice["not_before"].is_string()) {
    not_before = Timestamp{ParseDate(notice["not_before"].get<std::string>())->days * kMicrosPerDay};
  }
  for (const auto& target : scope["targets"]) {
    if (target["type"] != "account_id") continue;  // others are resolved when produced
    std::string raw(16, '\0');
    vault::RandomBytes(raw.data(), raw.size());
    NoticeRecord n;
    n.id = "N-" + HexEncode(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
    n.case_id = c.id;
    n.account = target["value"];
    n.timing = timing;
    n.not_before = not_before;
    n.next_attempt_at = now;
    n.created_at = now;
    nlohmann::ordered_json payload = {
        {"notice_id", n.id},
        {"account_id", n.account},
        {"case_reference", c.id},
        {"agency", document["requester"].value("agency", "")},
        {"process_type", c.process_type},
        {"categories", scope["categories"]},
        {"window", scope.contains("window") ? scope["window"] : nlohmann::json()},
        {"intervals", scope.contains("intervals") ? scope["intervals"] : nlohmann::json()},
        {"respond_by", timing == "before_production"
                           ? nlohmann::ordered_json(FormatDate(Timestamp{now.micros + standards.notice_wait_days *
                                                                                      kMicrosPerDay}.UtcDate()))
                           : nlohmann::ordered_json()}};
    n.payload = payload.dump();
    if (Status s = tx.InsertNotice(n); !s.ok()) return s;
    if (Status s = tx.Audit(now, actor.name, c.id, "queue_notice",
                            Detail({{"notice", n.id}, {"timing", timing},
                                    {"not_before", FormatDateTime(not_before)}}).dump());
        !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

Result<CaseView> Workflow::RecordNondisclosure(const std::string& id, const Actor& actor,
                                               std::optional<Date> until) {
  return Run(id, [&](CaseTx& tx, CaseRecord& c) -> Status {
    const Timestamp now = clock_.Now();
    if (Status s = tx.AppendNondisclosure({c.id, 0, until, actor.name, now}); !s.ok()) return s;
    for (NoticeRecord n : tx.Notices(c.id)) {
      if (n.timing != "after_nondisclosure" || n.state == NoticeState::kSent) continue;
      if (until) {
        n.state = NoticeState::kPending;
        n.not_before = Timestamp{until->days * kMicrosPerDay};
      } else {
        n.state = NoticeState::kHeld;  // no end stated: nothing is sent until one is
      }
      if (Status s = tx.UpdateNotice(n); !s.ok()) return s;
    }
    return tx.Audit(now, actor.name, c.id, "record_nondisclosure",
                    Detail({{"until", until ? nlohmann::ordered_json(FormatDate(*until))
                                            : nlohmann::ordered_json()}}).dump());
  });
}

Result<std::vector<NoticeRecord>> Workflow::Notices(const std::string& case_id, const Actor& reader) {
  std::vector<NoticeRecord> out;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    out = tx.Notices(case_id);
    return tx.Audit(clock_.Now(), reader.name,
                    case_id.empty() ? std::nullopt : std::optional(case_id), "list_notices", "{}");
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace custodian::cases
