// What the case store holds, row by row: values, no behaviour.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cases/case_state.h"
#include "core/time.h"

namespace custodian::cases {

// How a request entered custodian (spec/decision.md, "Fields the workflow sets"): typed in by
// staff, or sent by a signed-in requester through the portal or the API.
enum class Entry { kStaff, kPortal, kApi };
inline constexpr std::array<std::string_view, 3> kEntryNames = {"staff", "portal", "api"};

struct CaseRecord {
  std::string id;  // C-YYYY-NNNNNN
  CaseState state = CaseState::kReceived;
  int version = 1;  // of the request document
  std::string process_type;
  std::optional<std::string> agency_id;
  bool emergency = false;
  bool preservation = false;
  std::string entered_by;
  Entry entry = Entry::kStaff;
  Timestamp received_at;
  std::optional<Timestamp> due_at;
  bool requester_verified = false;
  // What duplicates of the request share: a keyed tag (sealed_columns.h), never the targets.
  std::string fingerprint;
  std::optional<std::string> duplicate_of;
  std::optional<std::string> reviewer;
  std::optional<std::string> review_note;
  std::optional<std::string> review_scope;  // JSON: the scope the reviewer narrowed to
  bool investigation_confirmed = false;
  std::optional<std::string> approver;
  // awaiting_notice: the user's notice period ends then; production waits for it.
  std::optional<Timestamp> notice_wait_until;
  Timestamp created_at;
  Timestamp updated_at;
  // The staff user the case is assigned to (Workflow::Assign), who gets its alerts too.
  std::optional<std::string> assignee{};
  // The latest pushback's letter to the requester (the portal shows it), and when it was
  // written; kept after an amendment, replaced by the next pushback.
  std::optional<std::string> pushback_letter{};
  std::optional<Timestamp> pushback_letter_at{};
  // The requester's withdrawal: when, and why if they said (sealed at rest).
  std::optional<Timestamp> withdrawn_at{};
  std::optional<std::string> withdrawal_reason{};
  // The requester account that sent it, on the portal or with a token acting for it (none:
  // entered by staff, or sent with a token made before accounts). Set once, at intake.
  std::optional<std::string> submitted_by{};
};

struct RequestVersion {
  std::string case_id;
  int version = 1;
  std::string document;  // the request document as entered (JSON)
  std::string sha256;
  Timestamp entered_at;
  std::string entered_by;
};

struct DecisionRecord {
  std::string case_id;
  int seq = 0;
  int version = 1;     // of the request it decided
  std::string reason;  // intake, amended, verification recorded, …
  std::string action;
  std::string document;  // the decision document (spec/decision.md)
  std::string standards_sha256;
  std::optional<std::string> registry_sha256;
  Timestamp taken_at;
};

struct VerificationRecord {
  std::string case_id;
  int seq = 0;
  // callback | email_domain | dropped (a staff-entered document's verification that did not
  // stand: `note` says why)
  std::string method;
  std::string actor;
  Timestamp verified_at;
  std::optional<std::string> phone;  // the registry's number that was called
  std::optional<std::string> note;
};

enum class HoldState { kActive, kReleased, kExpired };
inline constexpr std::array<std::string_view, 3> kHoldStateNames = {"active", "released",
                                                                    "expired"};

struct HoldRecord {
  std::string id;
  std::string case_id;
  uint64_t account = 0;
  std::string placed_by;
  Timestamp placed_at;
  Timestamp expires_at;
  int extensions = 0;
  HoldState state = HoldState::kActive;
  std::optional<Timestamp> ended_at;
  std::optional<std::string> ended_by;
};

// A notice to a user about a request for their records (DESIGN.md, Notice), in the outbox.
enum class NoticeState { kPending, kHeld, kSent };
inline constexpr std::array<std::string_view, 3> kNoticeStateNames = {"pending", "held", "sent"};

struct NoticeRecord {
  std::string id;  // notice_id: the service deduplicates by it
  std::string case_id;
  std::string account;
  std::string payload;  // the JSON body, exactly as sent (and signed)
  std::string timing;   // the decision's notice.when: before_production, after_…
  NoticeState state = NoticeState::kPending;
  Timestamp not_before;       // not sent before this
  int attempts = 0;
  Timestamp next_attempt_at;  // after a failed attempt: the backoff's end
  std::optional<std::string> last_error;
  std::optional<Timestamp> sent_at;
  Timestamp created_at;
};

// A nondisclosure order as recorded for a case; the latest is in force.
struct NondisclosureRecord {
  std::string case_id;
  int seq = 0;
  std::optional<Date> until;  // none: no end stated
  std::string recorded_by;
  Timestamp recorded_at;
};

// The attestation a requester made with one version of its request (the standards' text at
// the time, in full), and who made it.
struct AttestationRecord {
  std::string case_id;
  int version = 1;
  std::string text;
  std::string sha256;  // of the text
  std::string email;   // the requester's address
  std::optional<std::string> account_id;
  Timestamp at;
};

// A colleague a request is shared with (a requester account of the same agency), by whom and when.
struct ShareRecord {
  std::string case_id;
  std::string account_id;
  std::string shared_by;  // the account that sent the request
  Timestamp shared_at;
};

// A signed process document stored for a case (attachment_store.h holds its bytes).
struct AttachmentRecord {
  std::string case_id;
  std::string sha256;
  std::string name;
  std::string media_type;
  long long bytes = 0;
  std::string uploaded_by;
  Timestamp uploaded_at;
};

// A production of a case: started, then produced (or withheld: back to review; or aborted:
// ended by staff before its package was made, the case approved again).
enum class ProductionState { kProducing, kProduced, kWithheld, kAborted };
inline constexpr std::array<std::string_view, 4> kProductionStateNames = {"producing", "produced",
                                                                          "withheld", "aborted"};
struct ProductionRecord {
  std::string id;  // P-YYYY-NNNNNN
  std::string case_id;
  ProductionState state = ProductionState::kProducing;
  Timestamp at;  // when it started, then when it last changed
  std::string by;
  std::optional<std::string> manifest_sha256{};
  std::optional<int64_t> accounts_with_data{};
  std::optional<int64_t> leaf_index{};  // in the disclosure log (none for an NSL)
  // The package kept sealed for delivery, once stored (package_store.h).
  std::optional<std::string> package_sha256{};
  std::optional<int64_t> package_bytes{};
  std::optional<std::string> reason{};  // why it was aborted
};

// A one-time, expiring download of a production's package by the case's agency: its id is
// not a secret (it goes in the URL); the requester's own token is what authorizes the use.
enum class GrantState { kOpen, kUsed, kRevoked };
inline constexpr std::array<std::string_view, 3> kGrantStateNames = {"open", "used", "revoked"};
struct DownloadGrant {
  std::string id;  // D- and 32 hex digits
  std::string production_id;
  std::string case_id;
  std::string agency_id;
  Timestamp issued_at;
  std::string issued_by;
  Timestamp expires_at;
  GrantState state = GrantState::kOpen;
  std::optional<Timestamp> ended_at{};  // used or revoked then
  std::optional<std::string> ended_by{};
  // What a caller is told: open, used, revoked, or expired (open, past its time).
  std::string_view StateAt(Timestamp now) const {
    if (state == GrantState::kOpen && now >= expires_at) return "expired";
    return kGrantStateNames[static_cast<size_t>(state)];
  }
};

// An internal comment of staff on a case (never shown to requesters); its text is sealed.
struct CommentRecord {
  std::string case_id;
  int seq = 0;  // the comment's id within its case: 1, 2, …
  std::string author;
  Timestamp at;
  std::string text;
};

struct RegistryDocument {
  std::string document;  // the registry file's bytes (spec/agencies.example.json's format)
  std::string sha256;
  Timestamp imported_at;
  std::string imported_by;
};

}  // namespace custodian::cases
