// The case store's reads and writes, inside one transaction of the Database: the workflow
// composes them (a state change and its audit entry commit together or not at all).
// A CaseTx lives only inside Database::Transaction's callback.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cases/case_record.h"
#include "cases/ledgers/audit_log.h"
#include "cases/store/database.h"

namespace custodian::cases {

// A requester looking at cases (docs/portal.md, "Who sees a request"): its agency, and the
// account signed in or that its token acts for, with its confirmed address (none: a token
// made before accounts).
struct RequesterScope {
  std::string agency_id;
  std::optional<std::string> account_id{};
  std::optional<std::string> email{};
};

// The cases a requester account reaches beyond those it sent: shared with it, and entered by
// staff naming its address.
struct RequesterReach {
  std::set<std::string> shared;
  std::set<std::string> named;
};

struct CaseFilter {
  std::optional<CaseState> state;
  std::optional<std::string> agency_id;  // staff's: one agency's cases
  std::optional<RequesterScope> requester{};  // what this requester sees, and no more
  bool open_only = false;
  std::optional<std::string> process_type{};
  std::optional<std::string> assignee{};  // a staff user's name; "" for cases assigned to no one
  std::optional<bool> emergency{};
  std::optional<bool> overdue{};  // the workflow's to apply: it knows the time
  std::optional<std::string> query{};  // a search (case_index.h)
};

class CaseTx {
 public:
  explicit CaseTx(soci::session& sql) : sql_(sql) {}
  // The transaction's session, for stores of their own (instance_standards.h, ledgers).
  soci::session& session() { return sql_; }

  // A new case id, C-YYYY-NNNNNN, `year` the year it was received.
  std::string NewCaseId(int year);
  Status InsertCase(const CaseRecord& c);
  // Writes every field of `c` but its id and created_at.
  Status UpdateCase(const CaseRecord& c);
  // NotFound when there is no such case.
  Result<CaseRecord> GetCase(const std::string& id);
  // The cases `filter` selects (all of it but `overdue`), by receipt.
  std::vector<CaseRecord> ListCases(const CaseFilter& filter);
  // The case's assignee, read from its clear column alone (the alert scan opens nothing).
  std::optional<std::string> AssigneeOf(const std::string& id);
  // Replaces the case's search index by that of `document`, its current request (case_index.h).
  void IndexCase(const std::string& case_id, const std::string& document);
  // Open cases with this fingerprint, but `except`.
  std::vector<std::string> OpenCasesWithFingerprint(const std::string& fingerprint,
                                                    const std::string& except);

  // Whether `scope` sees the case, one of its agency's: that its account sent, that was shared
  // with it, or that staff entered naming its address as the requester's; for a token without
  // an account, one that no account sent.
  bool Sees(const CaseRecord& c, const RequesterScope& scope);
  // The same rule, given what the account reaches (ReachOf): for a list, read once.
  static bool Sees(const CaseRecord& c, const RequesterScope& scope, const RequesterReach& reach);
  // The cases `scope`'s account reaches beyond those it sent, among `case_id` alone when given.
  RequesterReach ReachOf(const RequesterScope& scope, const std::optional<std::string>& case_id = std::nullopt);
  // Whether `scope` sent the case (and so may amend, withdraw and share it).
  static bool Sent(const CaseRecord& c, const RequesterScope& scope);
  // The colleagues a case is shared with, in the order they were added.
  std::vector<ShareRecord> Shares(const std::string& case_id);
  Status InsertShare(const ShareRecord& s);
  // NotFound when the case is not shared with the account.
  Status DeleteShare(const std::string& case_id, const std::string& account_id);

  Status InsertAttestation(const AttestationRecord& a);
  // The attestation made with the case's latest version that has one.
  std::optional<AttestationRecord> LatestAttestation(const std::string& case_id);

  Status InsertRequest(const RequestVersion& r);
  Result<RequestVersion> LatestRequest(const std::string& case_id);

  // Appends the decision as the case's next (its seq is assigned here).
  Status AppendDecision(DecisionRecord d);
  std::vector<DecisionRecord> Decisions(const std::string& case_id);

  Status AppendVerification(VerificationRecord v);
  std::vector<VerificationRecord> Verifications(const std::string& case_id);

  Status InsertHold(const HoldRecord& h);
  Status UpdateHold(const HoldRecord& h);
  Result<HoldRecord> GetHold(const std::string& id);
  // The holds of a case (all cases when empty), oldest first.
  std::vector<HoldRecord> Holds(const std::string& case_id = "");

  Status InsertNotice(const NoticeRecord& n);
  Status UpdateNotice(const NoticeRecord& n);
  // A case's notices (all when empty), oldest first.
  std::vector<NoticeRecord> Notices(const std::string& case_id = "");
  // Pending notices whose time and backoff have come, oldest first.
  std::vector<NoticeRecord> DueNotices(Timestamp now, int limit);
  // Claims `due` for one delivery (outbox_claim.h): the notice as it is now, due at `now`, or
  // nothing when it is no longer due (another server claimed or tried it).
  std::optional<NoticeRecord> ClaimNotice(const NoticeRecord& due, Timestamp now);

  Status AppendNondisclosure(NondisclosureRecord n);
  std::optional<NondisclosureRecord> LatestNondisclosure(const std::string& case_id);

  // Appends an internal comment, its text sealed; sets its seq.
  Status AppendComment(CommentRecord& c);
  // The case's comments, oldest first.
  std::vector<CommentRecord> Comments(const std::string& case_id);

  // Records a document (again: nothing changes).
  Status InsertAttachment(const AttachmentRecord& a);
  std::vector<AttachmentRecord> Attachments(const std::string& case_id);

  // The keyed tag of `value` (sealed_columns.h), for a column lookups compare.
  std::string Tag(std::string_view kind, std::string_view value);

  // Appends to the audit log (audit_log.h); `detail` is JSON.
  Status Audit(Timestamp at, const std::string& actor, const std::optional<std::string>& case_id,
               const std::string& action, const std::string& detail,
               const AuditSubject& subject = {});
  // The case's audit entries, oldest first; without details (left "", never opened) for a
  // reader who may see who did or read what, and when, but not what the sealed details say.
  std::vector<AuditEntry> AuditOf(const std::string& case_id, bool with_details = true);
  // Appends a leaf to the disclosure log (disclosure_log.h builds it); returns its index.
  Result<uint64_t> AppendDisclosure(const std::string& leaf_bytes);

  // A new production id, P-YYYY-NNNNNN.
  std::string NewProductionId(int year);
  Status InsertProduction(const ProductionRecord& p);
  // Writes state, at, by and the results.
  Status UpdateProduction(const ProductionRecord& p);
  // A case's productions (all when empty), oldest first.
  std::vector<ProductionRecord> Productions(const std::string& case_id = "");
  // NotFound when there is no such production.
  Result<ProductionRecord> GetProduction(const std::string& id);

  Status InsertGrant(const DownloadGrant& g);
  // Writes state, ended_at and ended_by.
  Status UpdateGrant(const DownloadGrant& g);
  // NotFound when there is no such grant.
  Result<DownloadGrant> GetGrant(const std::string& id);
  // A case's download grants, in the order they were issued.
  std::vector<DownloadGrant> Grants(const std::string& case_id);

  Status SetRegistry(const RegistryDocument& r);
  std::optional<RegistryDocument> Registry();

 private:
  soci::session& sql_;
};

}  // namespace custodian::cases
