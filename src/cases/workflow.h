// The case workflow (DESIGN.md, Cases): intake, requester verification, review, two-person
// approval, the notice wait, preservation holds, closing. Every step checks the transition
// table, changes the case and appends its audit entry in one transaction of the case store;
// the policy decision is recomputed at intake, on amendment and when a verification is
// recorded, and each one is stored with the standards' and registry's hashes.
// Thread-safe: the store serializes its transactions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cases/attachment_store.h"
#include "cases/case_record.h"
#include "cases/case_store.h"
#include "cases/disclosure_log.h"
#include "cases/instance_standards.h"
#include "cases/package_store.h"
#include "cases/store/database.h"
#include "core/clock.h"
#include "ledger/disclosure_leaf.h"
#include "policy/agency_registry.h"
#include "policy/decision.h"
#include "policy/request.h"
#include "policy/standards.h"
#include "vault/vault.h"

namespace custodian::cases {

// Who acts, and through what: the two-person rule and cases.cli_decisions look at both.
struct Actor {
  std::string name;
  bool via_cli = false;
};

struct Submission {
  std::string document;  // the request document (JSON)
  Entry entry = Entry::kStaff;
  Actor actor;
  // Portal and API: the signed-in requester's agency and verified e-mail, which replace
  // what the document says (spec/decision.md, "Fields the workflow sets").
  std::optional<std::string> requester_agency{};
  std::optional<std::string> requester_email{};
  // A requester's submission (entry portal or API): the account that sends it (none: a token
  // made before accounts), and the SHA-256 of the attestation it made, which must be the one
  // the current standards ask for (InvalidArgument "/attestation_sha256: …" otherwise).
  std::optional<std::string> requester_account{};
  std::optional<std::string> attestation_sha256{};
};

inline constexpr size_t kMaxShares = 5;  // colleagues a request may be shared with

enum class ReviewDecision { kApprove, kPushback, kReject };

struct Review {
  ReviewDecision decision = ReviewDecision::kApprove;
  std::optional<std::string> note{};  // internal: staff's, never the requester's
  // The letter to the requester that a pushback requires (1 to kMaxLetterLength characters,
  // not blank): what to correct; the portal shows it. Refused with approve and reject.
  std::optional<std::string> letter{};
  // A narrower scope than the authorized one (JSON: {"targets", "categories", "window"}, any
  // of them); never wider.
  std::optional<std::string> narrowed_scope{};
  // The reviewer confirms an investigation type that removes the user's notice.
  bool confirm_investigation = false;
};

struct Callback {
  std::string phone;  // the registry's number that was called, not the request's
  std::optional<std::string> note{};
  // The registry agency called, when the request names none (it must match when it does).
  std::optional<std::string> agency_id{};
};

// A case as the CLI and the API show it.
struct CaseView {
  CaseRecord record;
  RequestVersion request;
  DecisionRecord decision;  // the latest
  std::vector<std::string> duplicates{};  // open cases with the same fingerprint
  std::vector<VerificationRecord> verifications{};
  std::vector<HoldRecord> holds{};
  std::vector<AttachmentRecord> attachments{};
  // The attestation made with the latest version that has one (a requester's submission).
  std::optional<AttestationRecord> attestation{};
  bool overdue = false;
  bool due_soon = false;  // within the next 24 hours
};

inline constexpr size_t kMaxAttachmentBytes = 20 << 20;
inline constexpr size_t kMaxCommentLength = 4000;  // code points
inline constexpr size_t kMaxLetterLength = 8000;   // code points

// A target of the case and the accounts it resolved to in the vault.
struct ResolvedTarget {
  Target target;
  std::vector<uint64_t> accounts;
};

// What a production reads: the case's scope (narrowed by the review), its targets resolved,
// and the grant that lets the vault hand over exactly that.
struct ProductionStart {
  CaseRecord record;
  std::string production_id;
  Request request;
  AuthorizedScope scope;
  Window window;  // the scope's, or the standards' look-back up to receipt when it has none
  // What is read: the window, or a scope of instants' intervals (all inside `window`).
  std::vector<Window> intervals;
  std::vector<ResolvedTarget> targets;
  std::string standards_sha256;
  vault::Grant grant;
};

// A production that was aborted: which, and its "aborted" leaf's index in the disclosure log
// when the log held its production leaf.
struct AbortedProduction {
  std::string production_id;
  std::optional<uint64_t> leaf_index;
};

// A production as the case's pages show it, with its download grants.
struct ProductionView {
  ProductionRecord production;
  std::vector<DownloadGrant> grants;
};

// What a download that may go ahead hands over: the grant (now used) and its production.
struct Download {
  DownloadGrant grant;
  ProductionRecord production;
};

struct WorkflowOptions {
  bool cli_decisions = true;  // cases.cli_decisions: may the CLI review and approve?
  // How long a download grant stays usable ([delivery] grant_days).
  int download_grant_days = 7;
  // Keys the case pseudonyms of the disclosure log: DeriveKey(master, "casepseu"), so that
  // they stay the same across restarts and servers.
  vault::SecretKey pseudonym_key{};
};

class Workflow {
 public:
  // `standards` are the instance's (every step reads the current ones from the store);
  // `vault` holds the preservation holds this workflow places; `attachments` the signed
  // process documents.
  Workflow(Database& db, InstanceStandards& standards, vault::Vault& vault,
           AttachmentStore& attachments, Clock& clock, WorkflowOptions options = {});

  // A new case from a request document; InvalidArgument listing every problem of a
  // document that is not a valid request.
  Result<CaseView> Submit(const Submission& submission);
  // A pushed-back case's request, amended: a new version of the same case. A requester's
  // amendment is the sender's alone (PermissionDenied for a colleague it is shared with).
  Result<CaseView> Amend(const std::string& id, const Submission& submission);
  Result<CaseView> ReviewCase(const std::string& id, const Actor& actor, const Review& review);
  // The second person's approval.
  Result<CaseView> Approve(const std::string& id, const Actor& actor);
  // Decides a case that is not approved yet again, under the instance's current standards:
  // the new decision is kept beside the old ones and the case moves as a new intake would
  // (to in_review, or verifying). A review it had is undone: the reviewer looks again.
  Result<CaseView> DecideAgain(const std::string& id, const Actor& actor);
  // Records a callback to the registry's number (staff only) and recomputes the decision.
  Result<CaseView> VerifyRequester(const std::string& id, const Actor& actor,
                                   const Callback& callback);
  // An awaiting_notice case whose wait has ended becomes approved again (production may go).
  Result<CaseView> EndNoticeWait(const std::string& id, const Actor& actor);
  Result<CaseView> Close(const std::string& id, const Actor& actor,
                         const std::optional<std::string>& note);
  // The requester's withdrawal (docs/cases.md, "Withdrawal"), by the requester who sent it: a
  // case `requester` does not see is NotFound as a missing one is, and audited as a refused
  // access, as Show does; a colleague it is shared with is PermissionDenied. From an open
  // state before production only (FailedPrecondition otherwise);
  // the holds placed for this request alone are released (in the vault once the withdrawal is
  // recorded), the case ends, a decision leaf (withdrawn) is appended, and `reason` (1 to
  // kMaxLetterLength characters, not blank: InvalidArgument "reason: …") is kept sealed.
  Result<CaseView> Withdraw(const std::string& id, const Actor& actor, const RequesterScope& requester,
                            const std::optional<std::string>& reason = std::nullopt);
  // Reads are audited like changes: `reader` is who looked. With `requester`, a case it does
  // not see (CaseTx::Sees) is NotFound as a missing one is, and either is audited as a
  // refused access (`refused_access`), so that probes of others' cases show.
  Result<CaseView> Show(const std::string& id, const Actor& reader,
                        const std::optional<RequesterScope>& requester = std::nullopt);

  // The colleagues a case is shared with (docs/portal.md, "Colleagues"), for a requester who
  // sees it (NotFound and audited otherwise, as Show); the read is audited.
  Result<std::vector<ShareRecord>> Shares(const std::string& id, const Actor& reader,
                                          const RequesterScope& requester);
  // Shares the case `requester` sent with `colleague`, an active account of its agency the
  // caller has checked: at most kMaxShares (FailedPrecondition), never with the sender itself
  // (InvalidArgument "/email: …"); sharing again changes nothing. A colleague is
  // PermissionDenied, a case not seen NotFound (audited, as Show). Audited as share_case.
  Result<std::vector<ShareRecord>> Share(const std::string& id, const Actor& actor,
                                         const RequesterScope& requester, const std::string& colleague);
  // Stops sharing it with `colleague` (NotFound when it was not shared); as Share otherwise.
  Result<std::vector<ShareRecord>> Unshare(const std::string& id, const Actor& actor,
                                           const RequesterScope& requester, const std::string& colleague);
  // Overdue cases first, then those due soon, then by deadline and receipt. A filter's
  // assignee must be a staff user (InvalidArgument "assignee: …"); a search (filter.query) is
  // audited as search_cases with the query's keyed tag, never its text.
  Result<std::vector<CaseView>> List(const CaseFilter& filter, const Actor& reader);

  // Assigns the case to `assignee`, an enabled staff user holding intake, reviewer or approver
  // (InvalidArgument "assignee: …" otherwise), or to no one; audited.
  Result<CaseView> Assign(const std::string& id, const Actor& actor,
                          const std::optional<std::string>& assignee);
  // Staff's internal comments (never shown to requesters): 1 to kMaxCommentLength characters
  // (InvalidArgument "text: …" otherwise), sealed at rest, audited; reading them is audited as
  // reading the case is.
  Result<CommentRecord> AddComment(const std::string& id, const Actor& actor, const std::string& text);
  Result<std::vector<CommentRecord>> Comments(const std::string& id, const Actor& reader);

  // Every decision taken on the case, oldest first.
  Result<std::vector<DecisionRecord>> Decisions(const std::string& id, const Actor& reader);
  // Every audit entry of the case, oldest first, without details (CaseTx::Timeline); this
  // read is the last of them.
  Result<std::vector<AuditEntry>> Timeline(const std::string& id, const Actor& reader);

  // Stores the signed process document (a PDF of at most kMaxAttachmentBytes) with its
  // SHA-256, sealed; InvalidArgument for anything that is not a PDF.
  Result<CaseView> Attach(const std::string& id, const Actor& actor, const std::string& name,
                          std::string_view pdf);
  // A stored document's bytes, for staff; the read is audited.
  Result<std::string> ReadAttachment(const std::string& id, const std::string& sha256,
                                     const Actor& reader);

  // Records a nondisclosure order's end (none: no end stated) as the one in force; notices
  // waiting for the order move with it.
  Result<CaseView> RecordNondisclosure(const std::string& id, const Actor& actor,
                                       std::optional<Date> until);
  // The notices of a case (all when empty).
  Result<std::vector<NoticeRecord>> Notices(const std::string& case_id, const Actor& reader);

  // Starts (or restarts, after a failure) the production of an approved case whose notice
  // wait is over: records the production, resolves the targets (each vault read audited as
  // `actor`) and issues the grant. A reverse lookup over the standards' cap sends the case
  // back to review instead (FailedPrecondition).
  Result<ProductionStart> StartProduction(const std::string& id, const Actor& actor);
  // Records the production as made: its disclosure leaf (returned: its index; none for a
  // national security letter, which never enters the log) and the case's move to produced,
  // in one transaction.
  Result<std::optional<uint64_t>> FinishProduction(const ProductionStart& start, const Actor& actor,
                                    const ProductionFacts& facts);
  // Ends a production that cannot finish: `production_id` (empty: the case's latest) must be
  // unfinished — producing, or recorded without its package. It and every other production
  // of the case still producing become aborted with `reason`, the case returns to approved,
  // audited; when the disclosure log holds its leaf, an "aborted" production leaf follows it.
  // InvalidArgument without a reason; FailedPrecondition when nothing is unfinished.
  Result<AbortedProduction> AbortProduction(const std::string& case_id, const std::string& production_id,
                                            const std::string& reason, const Actor& actor);

  // Delivery (docs/production.md): the package of a produced case, kept sealed by the
  // instance (package_store.h), goes to the case's agency through one-time, expiring
  // grants. Recording the stored package issues the first grant when the case has an agency.
  Result<std::optional<DownloadGrant>> RecordPackage(const std::string& production_id,
                                                     const StoredPackage& stored, const Actor& actor);
  // A new grant for a stored package; any grant of it still open is revoked (one at a time).
  Result<DownloadGrant> IssueDownload(const std::string& case_id, const std::string& production_id,
                                      const Actor& actor);
  Result<DownloadGrant> RevokeDownload(const std::string& grant_id, const Actor& actor);
  // Uses the grant for `requester`: NotFound unless the grant is its agency's and of a case it
  // sees (audited as a refused access);
  // FailedPrecondition when it was used, revoked or has expired. `ready` is asked first
  // whether the package can be served (its failure is returned and the grant stays open);
  // then the grant is spent and the download audited, before any byte leaves.
  Result<Download> BeginDownload(const std::string& grant_id, const Actor& actor,
                                 const RequesterScope& requester,
                                 const std::function<Status(const ProductionRecord&)>& ready);
  // A case's productions and their grants; with `requester`, NotFound unless it sees the
  // case (audited as a refused access). The read is audited.
  Result<std::vector<ProductionView>> Productions(const std::string& case_id, const Actor& reader,
                                                  const std::optional<RequesterScope>& requester = std::nullopt);

  // Preservation holds.
  Result<std::vector<HoldRecord>> Holds(const std::string& case_id, const Actor& reader);
  Status ReleaseHold(const std::string& hold_id, const Actor& actor);
  // Extends an active hold by `days` on a renewed request (18 U.S.C. 2703(f)(2)): at most the
  // standards' preservation extension_days (InvalidArgument "days: …" otherwise), and no more
  // often than their max_extensions (FailedPrecondition); the vault's hold moves with it.
  Result<HoldRecord> ExtendHold(const std::string& hold_id, const Actor& actor, int64_t days);
  // Records every active hold whose time has run out as expired (the vault stops keeping its
  // data by itself at that time); a holding case whose last hold lapsed becomes expired.
  // Returns how many holds ended.
  Result<int> ExpireHolds(const Actor& actor);

  // The store and the standards the workflow works over (the server's reports read them).
  Database& database() { return db_; }
  InstanceStandards& standards() { return standards_; }

  // Installs a standards file as the instance's current standards (instance_standards.h),
  // audited with the old and the new SHA-256. Stored decisions keep the standards they
  // name. InvalidArgument with the loader's file:line:column messages for a bad file.
  Result<StandardsInstall> InstallStandards(std::string_view text, std::string_view source,
                                            const Actor& actor);

  // Records an action outside any case (a service's ingest, …) in the audit log.
  Status RecordAction(const Actor& actor, const std::string& action, const std::string& detail);

  // Replaces the agency registry (spec/agencies.example.json's format).
  Status ImportRegistry(std::string_view document, const Actor& actor);
  // The registry as last imported, if any.
  Result<std::optional<RegistryDocument>> Registry();
  // Its agencies, parsed (none before a registry is imported); Corruption for a stored one
  // that no longer parses.
  Result<AgencyRegistry> Agencies();

 private:
  struct Evaluated;
  struct LoadedRegistry;
  // The agency registry the store holds (empty when none was imported), parsed once per step.
  static Result<LoadedRegistry> LoadRegistry(CaseTx& tx);
  static Result<Evaluated> Evaluate(const Standards& standards, const LoadedRegistry& registry,
                                    const std::string& document,
                                    const std::vector<VerificationRecord>& verifications);
  // Stores a new decision of the case (`reason`: intake, amended, …), and sets what follows
  // from it on the record: the deadline, whether the requester is verified.
  Status RecordDecision(CaseTx& tx, CaseRecord& c, const Evaluated& e, const Standards& standards,
                        const std::string& reason);
  Result<CaseView> ViewOf(CaseTx& tx, const std::string& id);
  // Records that `actor` asked for `resource` (a case or a grant) by `action` and was refused
  // as if it did not exist; `case_id` when the resource exists and is a case's.
  Status RefuseAccess(CaseTx& tx, const Actor& actor, const std::optional<std::string>& case_id,
                      const std::string& action, const std::string& resource);
  // A requester's step on a case: `step` runs inside the transaction on the case `requester`
  // sees; one it does not see is refused as RefuseAccess records (by `action`) and answered
  // NotFound; one it sees but did not send is PermissionDenied when `senders_only`.
  Status RequesterStep(const std::string& id, const Actor& actor, const RequesterScope& requester,
                       const std::string& action, bool senders_only,
                       const std::function<Status(CaseTx&, CaseRecord&)>& step);
  Status Transition(CaseTx& tx, CaseRecord& c, Step step, const Actor& actor,
                    const std::string& detail);
  Status PlaceHolds(CaseTx& tx, CaseRecord& c, const Request& request, const Decision& decision,
                    const Standards& standards, const Actor& actor);
  Status ExtendPreservation(CaseTx& tx, const std::string& preservation_id,
                            const Standards& standards, const Actor& actor);
  // Extends one active hold by `days` (the standards' limit on extensions checked), in the
  // vault and the store, audited.
  Status ExtendOneHold(CaseTx& tx, HoldRecord& h, int64_t days, const Standards& standards,
                       const Actor& actor);
  // Ends an active hold as released or expired, audited; the case moves with its last hold.
  Status EndHold(CaseTx& tx, HoldRecord& h, HoldState end, const Actor& actor);
  // Appends the case's leaf to the disclosure log (disclosure_log.h).
  Status LogDisclosure(CaseTx& tx, const CaseRecord& c, ledger::DisclosureKind kind,
                       std::string_view outcome);
  // Queues the notices an approval calls for: one per account_id target in scope.
  Status QueueNotices(CaseTx& tx, const CaseRecord& c, const Standards& standards,
                      const Actor& actor);
  // An awaiting_notice case whose notice was delivered and whose wait has passed becomes
  // approved; FailedPrecondition saying what it still waits for otherwise.
  Status EndNoticeWait(CaseTx& tx, CaseRecord& c, const Actor& actor);
  Result<CaseView> Run(const std::string& id,
                       const std::function<Status(CaseTx&, CaseRecord&)>& change);

  Database& db_;
  InstanceStandards& standards_;
  vault::Vault& vault_;
  AttachmentStore& attachments_;
  Clock& clock_;
  const WorkflowOptions options_;
};

}  // namespace custodian::cases
