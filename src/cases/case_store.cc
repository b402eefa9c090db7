#include "cases/case_store.h"

#include <soci/soci.h>

#include <cstdio>
#include <set>

#include "cases/case_index.h"
#include "cases/ledgers/ledger_store.h"
#include "cases/outbox_claim.h"
#include "cases/store/sealed_columns.h"
#include "cases/store/sql_rows.h"

namespace custodian::cases {
namespace {

// A row of a table keyed by a case and a number (a request's version, a decision's seq).
std::string RowOf(const std::string& case_id, int n) { return case_id + " " + std::to_string(n); }

constexpr char kCaseColumns[] =
    "id, state, version, process_type, agency_id, emergency, preservation, entered_by, entry, "
    "received_at, due_at, requester_verified, fingerprint, duplicate_of, reviewer, review_note, "
    "review_scope, investigation_confirmed, approver, notice_wait_until, created_at, updated_at, "
    "assignee, pushback_letter, pushback_letter_at, withdrawn_at, withdrawal_reason, submitted_by";

CaseRecord CaseOf(soci::session& sql, const soci::row& r) {
  CaseRecord c;
  c.id = Text(r, 0);
  c.state = ParseCaseState(Text(r, 1)).value_or(CaseState::kReceived);
  c.version = static_cast<int>(Int(r, 2));
  c.process_type = Text(r, 3);
  c.agency_id = OptText(r, 4);
  c.emergency = Int(r, 5) != 0;
  c.preservation = Int(r, 6) != 0;
  c.entered_by = Text(r, 7);
  c.entry = EnumOf<Entry>(Text(r, 8), kEntryNames);
  c.received_at = Timestamp{Int(r, 9)};
  c.due_at = OptTime(r, 10);
  c.requester_verified = Int(r, 11) != 0;
  c.fingerprint = Text(r, 12);
  c.duplicate_of = OptText(r, 13);
  c.reviewer = OptText(r, 14);
  c.review_note = OpenedOptional(sql, "cases.review_note", c.id, OptText(r, 15));
  c.review_scope = OpenedOptional(sql, "cases.review_scope", c.id, OptText(r, 16));
  c.investigation_confirmed = Int(r, 17) != 0;
  c.approver = OptText(r, 18);
  c.notice_wait_until = OptTime(r, 19);
  c.created_at = Timestamp{Int(r, 20)};
  c.updated_at = Timestamp{Int(r, 21)};
  c.assignee = OptText(r, 22);
  c.pushback_letter = OpenedOptional(sql, "cases.pushback_letter", c.id, OptText(r, 23));
  c.pushback_letter_at = OptTime(r, 24);
  c.withdrawn_at = OptTime(r, 25);
  c.withdrawal_reason = OpenedOptional(sql, "cases.withdrawal_reason", c.id, OptText(r, 26));
  c.submitted_by = OptText(r, 27);
  return c;
}

HoldRecord HoldOf(soci::session& sql, const soci::row& r) {
  HoldRecord h;
  h.id = Text(r, 0);
  h.case_id = Text(r, 1);
  h.account = std::stoull(Opened(sql, "holds.account", h.id, Text(r, 2)));
  h.placed_by = Text(r, 3);
  h.placed_at = Timestamp{Int(r, 4)};
  h.expires_at = Timestamp{Int(r, 5)};
  h.extensions = static_cast<int>(Int(r, 6));
  h.state = EnumOf<HoldState>(Text(r, 7), kHoldStateNames);
  h.ended_at = OptTime(r, 8);
  h.ended_by = OptText(r, 9);
  return h;
}

constexpr char kHoldColumns[] =
    "id, case_id, sealed_account, placed_by, placed_at, expires_at, extensions, state, ended_at, "
    "ended_by";

constexpr char kNoticeColumns[] =
    "id, case_id, account, payload, timing, state, not_before, attempts, next_attempt_at, "
    "last_error, sent_at, created_at";

NoticeRecord NoticeOf(soci::session& sql, const soci::row& r) {
  NoticeRecord n;
  n.id = Text(r, 0);
  n.case_id = Text(r, 1);
  n.account = Opened(sql, "notices.account", n.id, Text(r, 2));
  n.payload = Opened(sql, "notices.payload", n.id, Text(r, 3));
  n.timing = Text(r, 4);
  n.state = EnumOf<NoticeState>(Text(r, 5), kNoticeStateNames);
  n.not_before = Timestamp{Int(r, 6)};
  n.attempts = static_cast<int>(Int(r, 7));
  n.next_attempt_at = Timestamp{Int(r, 8)};
  n.last_error = OptText(r, 9);
  n.sent_at = OptTime(r, 10);
  n.created_at = Timestamp{Int(r, 11)};
  return n;
}

}  // namespace

std::string CaseTx::NewCaseId(int year) {
  const long long n = NextCounter(sql_, "case");
  char id[32];
  std::snprintf(id, sizeof id, "C-%04d-%06lld", year, n);
  return id;
}

Status CaseTx::InsertCase(const CaseRecord& c) {
  // Bound values are read when the statement runs, at the end of the expression: locals,
  // never temporaries.
  const long long created = c.created_at.micros;
  Nullable<std::string> submitted_by(c.submitted_by);
  sql_ << "INSERT INTO cases (id, created_at, state, version, process_type, emergency, "
          "preservation, entered_by, entry, received_at, requester_verified, fingerprint, "
          "investigation_confirmed, updated_at, submitted_by) VALUES (:id, :created, 'received', 1, "
          "'', 0, 0, '', 'staff', 0, 0, '', 0, 0, :submitted_by)",
      soci::use(c.id), soci::use(created), soci::use(submitted_by.value, submitted_by.ind);
  return UpdateCase(c);
}

Status CaseTx::UpdateCase(const CaseRecord& c) {
  const std::string state(CaseStateName(c.state));
  const std::string entry(kEntryNames[static_cast<size_t>(c.entry)]);
  Nullable<std::string> agency(c.agency_id), duplicate(c.duplicate_of), reviewer(c.reviewer),
      approver(c.approver), assignee(c.assignee);
  Nullable<std::string> note = SealedOptional(sql_, "cases.review_note", c.id, c.review_note);
  Nullable<std::string> scope = SealedOptional(sql_, "cases.review_scope", c.id, c.review_scope);
  Nullable<std::string> letter = SealedOptional(sql_, "cases.pushback_letter", c.id, c.pushback_letter);
  Nullable<std::string> reason =
      SealedOptional(sql_, "cases.withdrawal_reason", c.id, c.withdrawal_reason);
  Nullable<long long> due(Micros(c.due_at)), wait(Micros(c.notice_wait_until)),
      letter_at(Micros(c.pushback_letter_at)), withdrawn(Micros(c.withdrawn_at));
  const int emergency = c.emergency, preservation = c.preservation,
            verified = c.requester_verified, confirmed = c.investigation_confirmed;
  const long long received = c.received_at.micros, updated = c.updated_at.micros;
  sql_ << "UPDATE cases SET state = :state, version = :version, process_type = :process, "
          "agency_id = :agency, emergency = :emergency, preservation = :preservation, "
          "entered_by = :entered_by, entry = :entry, received_at = :received, due_at = :due, "
          "requester_verified = :verified, fingerprint = :fingerprint, "
          "duplicate_of = :duplicate, reviewer = :reviewer, review_note = :note, "
          "review_scope = :scope, investigation_confirmed = :confirmed, approver = :approver, "
          "notice_wait_until = :wait, updated_at = :updated, assignee = :assignee, "
          "pushback_letter = :letter, pushback_letter_at = :letter_at, withdrawn_at = :withdrawn, "
          "withdrawal_reason = :reason WHERE id = :id",
      soci::use(state), soci::use(c.version), soci::use(c.process_type),
      soci::use(agency.value, agency.ind), soci::use(emergency), soci::use(preservation),
      soci::use(c.entered_by), soci::use(entry), soci::use(received), soci::use(due.value, due.ind),
      soci::use(verified), soci::use(c.fingerprint), soci::use(duplicate.value, duplicate.ind),
      soci::use(reviewer.value, reviewer.ind), soci::use(note.value, note.ind),
      soci::use(scope.value, scope.ind), soci::use(confirmed),
      soci::use(approver.value, approver.ind), soci::use(wait.value, wait.ind), soci::use(updated),
      soci::use(assignee.value, assignee.ind), soci::use(letter.value, letter.ind),
      soci::use(letter_at.value, letter_at.ind), soci::use(withdrawn.value, withdrawn.ind),
      soci::use(reason.value, reason.ind), soci::use(c.id);
  return Status::Ok();
}

Result<CaseRecord> CaseTx::GetCase(const std::string& id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kCaseColumns << " FROM cases WHERE id = :id", soci::use(id));
  for (const soci::row& r : rows) return CaseOf(sql_, r);
  return Status::NotFound("no case " + id);
}

std::vector<CaseRecord> CaseTx::ListCases(const CaseFilter& filter) {
  const std::string state = filter.state ? std::string(CaseStateName(*filter.state)) : "";
  const std::optional<std::string>& agency_id = filter.requester ? filter.requester->agency_id : filter.agency_id;
  const std::string agency = agency_id.value_or("");
  const int by_state = filter.state.has_value(), by_agency = agency_id.has_value();
  std::optional<std::set<std::string>> matching;
  if (filter.query) matching = CasesMatching(sql_, KeysOf(sql_), *filter.query);
  std::optional<RequesterReach> reach;
  if (filter.requester) reach = ReachOf(*filter.requester);
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kCaseColumns
                    << " FROM cases WHERE (:by_state = 0 OR state = :state) AND "
                       "(:by_agency = 0 OR agency_id = :agency) ORDER BY received_at, id",
       soci::use(by_state, "by_state"), soci::use(state, "state"),
       soci::use(by_agency, "by_agency"), soci::use(agency, "agency"));
  std::vector<CaseRecord> out;
  for (const soci::row& r : rows) {
    if (matching && !matching->contains(Text(r, 0))) continue;
    CaseRecord c = CaseOf(sql_, r);
    if (filter.requester && !Sees(c, *filter.requester, *reach)) continue;
    if (filter.open_only && !IsOpen(c.state)) continue;
    if (filter.process_type && c.process_type != *filter.process_type) continue;
    if (filter.emergency && c.emergency != *filter.emergency) continue;
    if (filter.assignee && c.assignee.value_or("") != *filter.assignee) continue;
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<std::string> CaseTx::AssigneeOf(const std::string& id) {
  std::string assignee;
  soci::indicator ind = soci::i_null;
  sql_ << "SELECT assignee FROM cases WHERE id = :id", soci::use(id), soci::into(assignee, ind);
  if (!sql_.got_data() || ind != soci::i_ok) return std::nullopt;
  return assignee;
}

void CaseTx::IndexCase(const std::string& case_id, const std::string& document) {
  cases::IndexCase(sql_, KeysOf(sql_), case_id, document);
}

Status CaseTx::AppendComment(CommentRecord& c) {
  int seq = 0;
  soci::indicator ind;
  sql_ << "SELECT MAX(seq) FROM comments WHERE case_id = :c", soci::use(c.case_id),
      soci::into(seq, ind);
  c.seq = (ind == soci::i_null ? 0 : seq) + 1;
  const long long at = c.at.micros;
  const std::string text = Sealed(sql_, "comments.text", RowOf(c.case_id, c.seq), c.text);
  sql_ << "INSERT INTO comments (case_id, seq, author, at, text) VALUES (:c, :s, :a, :t, :x)",
      soci::use(c.case_id), soci::use(c.seq), soci::use(c.author), soci::use(at), soci::use(text);
  return Status::Ok();
}

std::vector<CommentRecord> CaseTx::Comments(const std::string& case_id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT case_id, seq, author, at, text FROM comments WHERE case_id = :c "
                       "ORDER BY seq",
       soci::use(case_id));
  std::vector<CommentRecord> out;
  for (const soci::row& r : rows) {
    const int seq = static_cast<int>(Int(r, 1));
    out.push_back({Text(r, 0), seq, Text(r, 2), Timestamp{Int(r, 3)},
                   Opened(sql_, "comments.text", RowOf(case_id, seq), Text(r, 4))});
  }
  return out;
}

std::vector<std::string> CaseTx::OpenCasesWithFingerprint(const std::string& fingerprint,
                                                          const std::string& except) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT id, state FROM cases WHERE fingerprint = :f AND id <> :e "
                       "ORDER BY id",
       soci::use(fingerprint), soci::use(except));
  std::vector<std::string> out;
  for (const soci::row& r : rows) {
    if (IsOpen(ParseCaseState(Text(r, 1)).value_or(CaseState::kClosed))) out.push_back(Text(r, 0));
  }
  return out;
}

Status CaseTx::InsertRequest(const RequestVersion& r) {
  const long long at = r.entered_at.micros;
  const std::string document = Sealed(sql_, "requests.document", RowOf(r.case_id, r.version), r.document);
  sql_ << "INSERT INTO requests (case_id, version, document, sha256, entered_at, entered_by) "
          "VALUES (:c, :v, :d, :s, :a, :b)",
      soci::use(r.case_id), soci::use(r.version), soci::use(document), soci::use(r.sha256),
      soci::use(at), soci::use(r.entered_by);
  return Status::Ok();
}

Result<RequestVersion> CaseTx::LatestRequest(const std::string& case_id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT case_id, version, document, sha256, entered_at, entered_by "
                       "FROM requests WHERE case_id = :c ORDER BY version DESC",
       soci::use(case_id));
  for (const soci::row& r : rows) {
    const int version = static_cast<int>(Int(r, 1));
    return RequestVersion{Text(r, 0), version,
                          Opened(sql_, "requests.document", RowOf(case_id, version), Text(r, 2)),
                          Text(r, 3), Timestamp{Int(r, 4)}, Text(r, 5)};
  }
  return Status::NotFound("no request for case " + case_id);
}

Status CaseTx::AppendDecision(DecisionRecord d) {
  int seq = 0;
  soci::indicator ind;
  sql_ << "SELECT MAX(seq) FROM decisions WHERE case_id = :c", soci::use(d.case_id),
      soci::into(seq, ind);
  d.seq = (ind == soci::i_null ? 0 : seq) + 1;
  Nullable<std::string> registry(d.registry_sha256);
  const long long at = d.taken_at.micros;
  const std::string document = Sealed(sql_, "decisions.document", RowOf(d.case_id, d.seq), d.document);
  sql_ << "INSERT INTO decisions (case_id, seq, version, reason, action, document, "
          "standards_sha256, registry_sha256, taken_at) VALUES (:c, :s, :v, :r, :a, :d, :st, "
          ":rg, :t)",
      soci::use(d.case_id), soci::use(d.seq), soci::use(d.version), soci::use(d.reason),
      soci::use(d.action), soci::use(document), soci::use(d.standards_sha256),
      soci::use(registry.value, registry.ind), soci::use(at);
  return Status::Ok();
}

std::vector<DecisionRecord> CaseTx::Decisions(const std::string& case_id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT case_id, seq, version, reason, action, document, "
                       "standards_sha256, registry_sha256, taken_at FROM decisions "
                       "WHERE case_id = :c ORDER BY seq",
       soci::use(case_id));
  std::vector<DecisionRecord> out;
  for (const soci::row& r : rows) {
    const int seq = static_cast<int>(Int(r, 1));
    out.push_back({Text(r, 0), seq, static_cast<int>(Int(r, 2)), Text(r, 3), Text(r, 4),
                   Opened(sql_, "decisions.document", RowOf(case_id, seq), Text(r, 5)),
                   Text(r, 6), OptText(r, 7), Timestamp{Int(r, 8)}});
  }
  return out;
}

Status CaseTx::AppendVerification(VerificationRecord v) {
  int seq = 0;
  soci::indicator ind;
  sql_ << "SELECT MAX(seq) FROM verifications WHERE case_id = :c", soci::use(v.case_id),
      soci::into(seq, ind);
  v.seq = (ind == soci::i_null ? 0 : seq) + 1;
  Nullable<std::string> phone(v.phone);
  Nullable<std::string> note = SealedOptional(sql_, "verifications.note", RowOf(v.case_id, v.seq), v.note);
  const long long at = v.verified_at.micros;
  sql_ << "INSERT INTO verifications (case_id, seq, method, actor, verified_at, phone, note) "
          "VALUES (:c, :s, :m, :a, :t, :p, :n)",
      soci::use(v.case_id), soci::use(v.seq), soci::use(v.method), soci::use(v.actor),
      soci::use(at), soci::use(phone.value, phone.ind), soci::use(note.value, note.ind);
  return Status::Ok();
}

std::vector<VerificationRecord> CaseTx::Verifications(const std::string& case_id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT case_id, seq, method, actor, verified_at, phone, note "
                       "FROM verifications WHERE case_id = :c ORDER BY seq",
       soci::use(case_id));
  std::vector<VerificationRecord> out;
  for (const soci::row& r : rows) {
    const int seq = static_cast<int>(Int(r, 1));
    out.push_back({Text(r, 0), seq, Text(r, 2), Text(r, 3), Timestamp{Int(r, 4)}, OptText(r, 5),
                   OpenedOptional(sql_, "verifications.note", RowOf(case_id, seq), OptText(r, 6))});
  }
  return out;
}

Status CaseTx::InsertHold(const HoldRecord& h) {
  const std::string account = Sealed(sql_, "holds.account", h.id, std::to_string(h.account));
  sql_ << "INSERT INTO holds (id, case_id, sealed_account, placed_by, placed_at, expires_at, "
          "extensions, state) VALUES (:id, :c, :a, :b, 0, 0, 0, 'active')",
      soci::use(h.id), soci::use(h.case_id), soci::use(account), soci::use(h.placed_by);
  return UpdateHold(h);
}

Status CaseTx::UpdateHold(const HoldRecord& h) {
  const long long placed = h.placed_at.micros, expires = h.expires_at.micros;
  const std::string state(kHoldStateNames[static_cast<size_t>(h.state)]);
  Nullable<long long> ended(Micros(h.ended_at));
  Nullable<std::string> by(h.ended_by);
  sql_ << "UPDATE holds SET placed_at = :p, expires_at = :e, extensions = :x, state = :s, "
          "ended_at = :ea, ended_by = :eb WHERE id = :id",
      soci::use(placed), soci::use(expires), soci::use(h.extensions), soci::use(state),
      soci::use(ended.value, ended.ind), soci::use(by.value, by.ind), soci::use(h.id);
  return Status::Ok();
}

Result<HoldRecord> CaseTx::GetHold(const std::string& id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kHoldColumns << " FROM holds WHERE id = :id", soci::use(id));
  for (const soci::row& r : rows) return HoldOf(sql_, r);
  return Status::NotFound("no hold " + id);
}

std::vector<HoldRecord> CaseTx::Holds(const std::string& case_id) {
  const int all = case_id.empty();
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kHoldColumns
                    << " FROM holds WHERE (:all = 1 OR case_id = :c) ORDER BY placed_at, id",
       soci::use(all, "all"), soci::use(case_id, "c"));
  std::vector<HoldRecord> out;
  for (const soci::row& r : rows) out.push_back(HoldOf(sql_, r));
  return out;
}

Status CaseTx::InsertNotice(const NoticeRecord& n) {
  const long long created = n.created_at.micros;
  const std::string account = Sealed(sql_, "notices.account", n.id, n.account);
  const std::string payload = Sealed(sql_, "notices.payload", n.id, n.payload);
  sql_ << "INSERT INTO notices (id, case_id, account, payload, timing, state, not_before, "
          "attempts, next_attempt_at, created_at) VALUES (:i, :c, :a, :p, :t, 'pending', 0, 0, 0, "
          ":cr)",
      soci::use(n.id), soci::use(n.case_id), soci::use(account), soci::use(payload),
      soci::use(n.timing), soci::use(created);
  return UpdateNotice(n);
}

Status CaseTx::UpdateNotice(const NoticeRecord& n) {
  const std::string state(kNoticeStateNames[static_cast<size_t>(n.state)]);
  const long long not_before = n.not_before.micros, next = n.next_attempt_at.micros;
  Nullable<std::string> error(n.last_error);
  Nullable<long long> sent(Micros(n.sent_at));
  sql_ << "UPDATE notices SET state = :s, not_before = :nb, attempts = :a, next_attempt_at = :n, "
          "last_error = :e, sent_at = :t WHERE id = :i",
      soci::use(state), soci::use(not_before), soci::use(n.attempts), soci::use(next),
      soci::use(error.value, error.ind), soci::use(sent.value, sent.ind), soci::use(n.id);
  return Status::Ok();
}

std::vector<NoticeRecord> CaseTx::Notices(const std::string& case_id) {
  const int all = case_id.empty();
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kNoticeColumns
                    << " FROM notices WHERE (:all = 1 OR case_id = :c) ORDER BY created_at, id",
       soci::use(all, "all"), soci::use(case_id, "c"));
  std::vector<NoticeRecord> out;
  for (const soci::row& r : rows) out.push_back(NoticeOf(sql_, r));
  return out;
}

std::vector<NoticeRecord> CaseTx::DueNotices(Timestamp now, int limit) {
  const long long at = now.micros;
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kNoticeColumns
                    << " FROM notices WHERE state = 'pending' AND not_before <= :t1 AND "
                       "next_attempt_at <= :t2 ORDER BY not_before, id",
       soci::use(at, "t1"), soci::use(at, "t2"));
  std::vector<NoticeRecord> out;
  for (const soci::row& r : rows) {
    if (static_cast<int>(out.size()) >= limit) break;
    out.push_back(NoticeOf(sql_, r));
  }
  return out;
}

std::optional<NoticeRecord> CaseTx::ClaimNotice(const NoticeRecord& due, Timestamp now) {
  if (!ClaimDue(sql_, "notices", {{"id", due.id}}, now)) return std::nullopt;
  for (NoticeRecord& n : Notices(due.case_id)) {
    if (n.id != due.id) continue;
    n.next_attempt_at = now;
    return n;
  }
  return std::nullopt;
}

Status CaseTx::AppendNondisclosure(NondisclosureRecord n) {
  int seq = 0;
  soci::indicator ind;
  sql_ << "SELECT MAX(seq) FROM nondisclosure WHERE case_id = :c", soci::use(n.case_id),
      soci::into(seq, ind);
  n.seq = (ind == soci::i_null ? 0 : seq) + 1;
  Nullable<std::string> until(n.until ? std::optional(FormatDate(*n.until)) : std::nullopt);
  const long long at = n.recorded_at.micros;
  sql_ << "INSERT INTO nondisclosure (case_id, seq, until_date, recorded_by, recorded_at) "
          "VALUES (:c, :s, :u, :b, :t)",
      soci::use(n.case_id), soci::use(n.seq), soci::use(until.value, until.ind),
      soci::use(n.recorded_by), soci::use(at);
  return Status::Ok();
}

std::optional<NondisclosureRecord> CaseTx::LatestNondisclosure(const std::string& case_id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT case_id, seq, until_date, recorded_by, recorded_at FROM "
                       "nondisclosure WHERE case_id = :c ORDER BY seq DESC",
       soci::use(case_id));
  for (const soci::row& r : rows) {
    NondisclosureRecord n{Text(r, 0), static_cast<int>(Int(r, 1)), std::nullopt, Text(r, 3),
                          Timestamp{Int(r, 4)}};
    if (auto until = OptText(r, 2)) {
      if (auto d = ParseDate(*until); d.ok()) n.until = *d;
    }
    return n;
  }
  return std::nullopt;
}

Status CaseTx::InsertAttachment(const AttachmentRecord& a) {
  int exists = 0;
  sql_ << "SELECT COUNT(*) FROM attachments WHERE case_id = :c AND sha256 = :s",
      soci::use(a.case_id), soci::use(a.sha256), soci::into(exists);
  if (exists) return Status::Ok();
  const long long at = a.uploaded_at.micros;
  const std::string name = Sealed(sql_, "attachments.name", a.case_id + " " + a.sha256, a.name);
  sql_ << "INSERT INTO attachments (case_id, sha256, name, media_type, bytes, uploaded_by, "
          "uploaded_at) VALUES (:c, :s, :n, :m, :b, :u, :t)",
      soci::use(a.case_id), soci::use(a.sha256), soci::use(name), soci::use(a.media_type),
      soci::use(a.bytes), soci::use(a.uploaded_by), soci::use(at);
  return Status::Ok();
}

Status CaseTx::InsertAttestation(const AttestationRecord& a) {
  const long long at = a.at.micros;
  Nullable<std::string> account(a.account_id);
  const std::string email = Sealed(sql_, "request_attestations.email", RowOf(a.case_id, a.version), a.email);
  sql_ << "INSERT INTO request_attestations (case_id, version, text, sha256, email, account_id, at) "
          "VALUES (:c, :v, :t, :s, :e, :a, :at)",
      soci::use(a.case_id), soci::use(a.version), soci::use(a.text), soci::use(a.sha256), soci::use(email),
      soci::use(account.value, account.ind), soci::use(at);
  return Status::Ok();
}

std::optional<AttestationRecord> CaseTx::LatestAttestation(const std::string& case_id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT case_id, version, text, sha256, email, account_id, at FROM request_attestations "
                       "WHERE case_id = :c ORDER BY version DESC",
       soci::use(case_id));
  for (const soci::row& r : rows) {
    const int version = static_cast<int>(Int(r, 1));
    return AttestationRecord{Text(r, 0), version, Text(r, 2), Text(r, 3),
                             Opened(sql_, "request_attestations.email", RowOf(case_id, version), Text(r, 4)),
                             OptText(r, 5), Timestamp{Int(r, 6)}};
  }
  return std::nullopt;
}

std::vector<AttachmentRecord> CaseTx::Attachments(const std::string& case_id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT case_id, sha256, name, media_type, bytes, uploaded_by, "
                       "uploaded_at FROM attachments WHERE case_id = :c ORDER BY uploaded_at, sha256",
       soci::use(case_id));
  std::vector<AttachmentRecord> out;
  for (const soci::row& r : rows) {
    const std::string sha256 = Text(r, 1);
    out.push_back({Text(r, 0), sha256,
                   Opened(sql_, "attachments.name", case_id + " " + sha256, Text(r, 2)),
                   Text(r, 3), Int(r, 4), Text(r, 5), Timestamp{Int(r, 6)}});
  }
  return out;
}

std::string CaseTx::Tag(std::string_view kind, std::string_view value) {
  return Tagged(sql_, kind, value);
}

Status CaseTx::Audit(Timestamp at, const std::string& actor,
                     const std::optional<std::string>& case_id, const std::string& action,
                     const std::string& detail, const AuditSubject& subject) {
  return AppendAudit(sql_, at, actor, case_id, action, detail, subject).status();
}

std::vector<AuditEntry> CaseTx::AuditOf(const std::string& case_id, bool with_details) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT a.seq, a.at, a.actor, a.case_id, a.action, d.detail FROM audit a "
                       "LEFT JOIN audit_details d ON d.seq = a.seq "
                       "WHERE a.case_id = :c ORDER BY a.seq",
       soci::use(case_id));
  std::vector<AuditEntry> out;
  for (const soci::row& r : rows) {
    const long long seq = Int(r, 0);
    // An erased detail reads as "".
    const std::optional<std::string> detail = with_details ? OptText(r, 5) : std::nullopt;
    out.push_back({seq, Timestamp{Int(r, 1)}, Text(r, 2), OptText(r, 3), Text(r, 4),
                   detail ? Opened(sql_, "audit_details.detail", std::to_string(seq), *detail)
                          : std::string()});
  }
  return out;
}

std::string CaseTx::NewProductionId(int year) {
  const long long n = NextCounter(sql_, "production");
  char id[32];
  std::snprintf(id, sizeof id, "P-%04d-%06lld", year, n);
  return id;
}

Status CaseTx::InsertProduction(const ProductionRecord& p) {
  const long long at = p.at.micros;
  const std::string state(kProductionStateNames[static_cast<size_t>(p.state)]);
  sql_ << "INSERT INTO productions (id, case_id, state, at, by_actor) VALUES (:i, :c, :s, :t, :b)",
      soci::use(p.id), soci::use(p.case_id), soci::use(state), soci::use(at), soci::use(p.by);
  return UpdateProduction(p);
}

Status CaseTx::UpdateProduction(const ProductionRecord& p) {
  const long long at = p.at.micros;
  const std::string state(kProductionStateNames[static_cast<size_t>(p.state)]);
  Nullable<std::string> manifest(p.manifest_sha256);
  Nullable<long long> with_data(p.accounts_with_data ? std::optional<long long>(*p.accounts_with_data) : std::nullopt);
  Nullable<long long> leaf(p.leaf_index ? std::optional<long long>(*p.leaf_index) : std::nullopt);
  Nullable<std::string> package(p.package_sha256);
  Nullable<long long> package_bytes(p.package_bytes ? std::optional<long long>(*p.package_bytes) : std::nullopt);
  Nullable<std::string> reason(p.reason);
  sql_ << "UPDATE productions SET state = :s, at = :t, by_actor = :b, manifest_sha256 = :m, "
          "accounts_with_data = :n, leaf_index = :l, package_sha256 = :p, package_bytes = :pb, "
          "reason = :r WHERE id = :i",
      soci::use(state), soci::use(at), soci::use(p.by), soci::use(manifest.value, manifest.ind),
      soci::use(with_data.value, with_data.ind), soci::use(leaf.value, leaf.ind),
      soci::use(package.value, package.ind), soci::use(package_bytes.value, package_bytes.ind),
      soci::use(reason.value, reason.ind), soci::use(p.id);
  return Status::Ok();
}

namespace {

constexpr char kProductionColumns[] =
    "id, case_id, state, at, by_actor, manifest_sha256, accounts_with_data, leaf_index, "
    "package_sha256, package_bytes, reason";

ProductionRecord ProductionOf(const soci::row& r) {
  ProductionRecord p{Text(r, 0), Text(r, 1), EnumOf<ProductionState>(Text(r, 2), kProductionStateNames),
                     Timestamp{Int(r, 3)}, Text(r, 4)};
  p.manifest_sha256 = OptText(r, 5);
  p.accounts_with_data = OptInt(r, 6);
  p.leaf_index = OptInt(r, 7);
  p.package_sha256 = OptText(r, 8);
  p.package_bytes = OptInt(r, 9);
  p.reason = OptText(r, 10);
  return p;
}

}  // namespace

std::vector<ProductionRecord> CaseTx::Productions(const std::string& case_id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kProductionColumns
                    << " FROM productions WHERE case_id = :c OR :c2 = '' ORDER BY id",
       soci::use(case_id), soci::use(case_id));
  std::vector<ProductionRecord> out;
  for (const soci::row& r : rows) out.push_back(ProductionOf(r));
  return out;
}

Result<ProductionRecord> CaseTx::GetProduction(const std::string& id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kProductionColumns << " FROM productions WHERE id = :i", soci::use(id));
  for (const soci::row& r : rows) return ProductionOf(r);
  return Status::NotFound("no production " + id);
}

namespace {

constexpr char kGrantColumns[] =
    "id, production_id, case_id, agency_id, issued_at, issued_by, expires_at, state, ended_at, ended_by";

DownloadGrant GrantOf(const soci::row& r) {
  DownloadGrant g{Text(r, 0), Text(r, 1), Text(r, 2), Text(r, 3), Timestamp{Int(r, 4)}, Text(r, 5),
                  Timestamp{Int(r, 6)}, EnumOf<GrantState>(Text(r, 7), kGrantStateNames)};
  g.ended_at = OptTime(r, 8);
  g.ended_by = OptText(r, 9);
  return g;
}

}  // namespace

Status CaseTx::InsertGrant(const DownloadGrant& g) {
  const long long issued = g.issued_at.micros;
  const long long expires = g.expires_at.micros;
  const long long seq = NextCounter(sql_, "download");
  sql_ << "INSERT INTO download_grants (id, seq, production_id, case_id, agency_id, issued_at, "
          "issued_by, expires_at, state) VALUES (:i, :q, :p, :c, :a, :t, :b, :e, 'open')",
      soci::use(g.id), soci::use(seq), soci::use(g.production_id), soci::use(g.case_id), soci::use(g.agency_id),
      soci::use(issued), soci::use(g.issued_by), soci::use(expires);
  return UpdateGrant(g);
}

Status CaseTx::UpdateGrant(const DownloadGrant& g) {
  const std::string state(kGrantStateNames[static_cast<size_t>(g.state)]);
  Nullable<long long> ended(Micros(g.ended_at));
  Nullable<std::string> by(g.ended_by);
  sql_ << "UPDATE download_grants SET state = :s, ended_at = :t, ended_by = :b WHERE id = :i",
      soci::use(state), soci::use(ended.value, ended.ind), soci::use(by.value, by.ind), soci::use(g.id);
  return Status::Ok();
}

Result<DownloadGrant> CaseTx::GetGrant(const std::string& id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kGrantColumns << " FROM download_grants WHERE id = :i", soci::use(id));
  for (const soci::row& r : rows) return GrantOf(r);
  return Status::NotFound("no download " + id);
}

std::vector<DownloadGrant> CaseTx::Grants(const std::string& case_id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kGrantColumns
                    << " FROM download_grants WHERE case_id = :c ORDER BY seq",
       soci::use(case_id));
  std::vector<DownloadGrant> out;
  for (const soci::row& r : rows) out.push_back(GrantOf(r));
  return out;
}

Result<uint64_t> CaseTx::AppendDisclosure(const std::string& leaf_bytes) {
  auto index = LedgerTx(sql_).Append(kDisclosureLog, [&](uint64_t) {
    return ledger::LeafHash(leaf_bytes);
  });
  if (!index.ok()) return index.status();
  const long long seq = static_cast<long long>(*index) + 1;
  sql_ << "INSERT INTO disclosures (seq, leaf) VALUES (:s, :l)", soci::use(seq), soci::use(leaf_bytes);
  return *index;
}

Status CaseTx::SetRegistry(const RegistryDocument& r) {
  const long long at = r.imported_at.micros;
  sql_ << "DELETE FROM registry";
  sql_ << "INSERT INTO registry (id, document, sha256, imported_at, imported_by) "
          "VALUES (1, :d, :s, :t, :b)",
      soci::use(r.document), soci::use(r.sha256), soci::use(at), soci::use(r.imported_by);
  return Status::Ok();
}

std::optional<RegistryDocument> CaseTx::Registry() {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT document, sha256, imported_at, imported_by FROM registry");
  for (const soci::row& r : rows) {
    return RegistryDocument{Text(r, 0), Text(r, 1), Timestamp{Int(r, 2)}, Text(r, 3)};
  }
  return std::nullopt;
}

}  // namespace custodian::cases
