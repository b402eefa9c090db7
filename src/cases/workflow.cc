#include "cases/workflow.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "cases/alert_rules.h"  // kDueSoonMicros: the list marks what the alerts raise
#include "cases/case_index.h"
#include "cases/disclosure_log.h"
#include "cases/ledgers/audit_detail.h"
#include "cases/narrowing.h"
#include "cases/requester_mail.h"
#include "cases/staff_directory.h"
#include "cases/store/sealed_columns.h"
#include "core/json_depth.h"
#include "core/sha256.h"
#include "core/unicode.h"
#include "policy/agency_registry.h"
#include "policy/engine.h"
#include "policy/request_parser.h"
#include "policy/targets.h"

namespace custodian::cases {
namespace {

std::string Joined(const std::vector<RequestProblem>& problems) {
  std::string out;
  for (const RequestProblem& p : problems) out += (out.empty() ? "" : "\n") + p.ToString();
  return out;
}

// A telephone number's digits: numbers are compared as dialled, whatever their punctuation.
std::string PhoneDigits(std::string_view phone) {
  std::string digits;
  for (char ch : phone) {
    if (ch >= '0' && ch <= '9') digits += ch;
  }
  return digits;
}

// Why a staff-entered document's verification does not stand, or nothing when it does: the
// callback must name the number called, and that number must be the registry's for the
// requester's agency, as `case verify-requester` requires. A number from the request itself
// proves nothing.
std::optional<std::string> UnprovenVerification(const nlohmann::ordered_json& doc,
                                                const AgencyRegistry& registry) {
  const auto& verification = doc["verification"];
  const auto phone = verification.find("callback_phone");
  if (phone == verification.end() || !phone->is_string()) {
    return "the verification names no callback_phone (the number called)";
  }
  const auto requester = doc.find("requester");
  const Agency* agency = nullptr;
  if (requester != doc.end() && requester->is_object() && requester->contains("agency_id") &&
      (*requester)["agency_id"].is_string()) {
    agency = registry.Find((*requester)["agency_id"].get<std::string>());
  }
  if (!agency) return "the requester's agency_id names no agency of the registry";
  const std::string registered = PhoneDigits(agency->phone);
  if (registered.empty() || PhoneDigits(phone->get<std::string>()) != registered) {
    return "the callback_phone is not the registry's number for " + agency->name;
  }
  return std::nullopt;
}

// The document a case stores, and why a verification it claimed was dropped.
struct Effective {
  std::string document;
  std::optional<std::string> dropped_verification{};
};

// Staff requests are taken as typed but for the id, and a verification that does not stand
// (UnprovenVerification). Portal and API requests: custodian sets the id, the time of receipt
// and the requester's agency and e-mail from the signed-in account, and drops any
// verification the document claims (spec/decision.md). The document is edited only when it
// is a valid request; anything else goes to the parser as it came, for its messages.
Effective EffectiveDocument(const Submission& s, const std::string& case_id, Timestamp now,
                            const AgencyRegistry& registry) {
  if (s.entry == Entry::kStaff) {
    auto doc = nlohmann::ordered_json::parse(s.document, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) return {s.document};
    doc["id"] = case_id;
    Effective out;
    if (doc.contains("verification") && ParseRequest(s.document).ok()) {
      out.dropped_verification = UnprovenVerification(doc, registry);
      if (out.dropped_verification) doc.erase("verification");
    }
    out.document = doc.dump();
    return out;
  }
  auto doc = nlohmann::ordered_json::parse(s.document, nullptr, false);
  if (!doc.is_object() || s.document.size() > kMaxRequestBytes) return {s.document};
  doc["id"] = case_id;
  doc["received_at"] = FormatDateTime(now);
  doc["channel"] = s.entry == Entry::kPortal ? "portal" : "api";
  doc.erase("verification");
  auto& requester = doc["requester"];
  if (!requester.is_object()) requester = nlohmann::ordered_json::object();
  if (s.requester_email) requester["email"] = *s.requester_email;
  if (s.requester_agency) {
    requester["agency_id"] = *s.requester_agency;
    if (const Agency* a = registry.Find(*s.requester_agency)) {
      requester["agency"] = a->name;
      requester["country"] = a->country;
      requester["agency_type"] = std::string(NameOf(a->type, kAgencyTypeNames));
      if (!a->jurisdiction.empty()) requester["jurisdiction"] = a->jurisdiction;
    }
  }
  return {doc.dump()};
}

// A verification dropped from a staff-entered document is noted on the case (a verification
// of method "dropped", with why), so that whoever looks sees what was claimed and refused.
Status NoteDroppedVerification(CaseTx& tx, const std::string& id, const std::string& actor,
                               Timestamp now, const Effective& effective) {
  if (!effective.dropped_verification) return Status::Ok();
  return tx.AppendVerification({id, 0, "dropped", actor, now, std::nullopt,
                                *effective.dropped_verification});
}

// A requester's submission attests what the standards ask for now: its SHA-256 names the
// text the requester was shown, and none older. Staff's carry none.
Result<std::optional<AttestationRecord>> AttestationOf(const Submission& s, const Standards& standards,
                                                        const std::string& case_id, int version,
                                                        const Request& request, Timestamp now) {
  if (s.entry == Entry::kStaff) return std::optional<AttestationRecord>();
  if (!s.attestation_sha256) {
    return Status::InvalidArgument("/attestation_sha256: missing: a requester attests each submission "
                                   "(GET /api/v1/portal/attestation)");
  }
  const std::string sha256 = Sha256Hex(standards.attestation);
  if (*s.attestation_sha256 != sha256) {
    return Status::InvalidArgument("/attestation_sha256: not the attestation the standards ask for now; "
                                   "read it again (GET /api/v1/portal/attestation)");
  }
  return std::optional(AttestationRecord{case_id, version, standards.attestation, sha256,
                                         s.requester_email.value_or(request.requester.email),
                                         s.requester_account, now});
}

// What duplicates of a request share: who asks, under what process, about which targets
// (the SHA-256 of those; the store keeps a keyed tag of it).
std::string Fingerprint(const Request& r) {
  std::string who = r.requester.agency_id.value_or("");
  if (who.empty()) {
    const size_t at = r.requester.email.rfind('@');
    who = "@" + NormalizeDomain(at == std::string::npos ? "" : r.requester.email.substr(at + 1));
  }
  std::set<std::string> targets;
  for (const Target& t : DistinctTargets(r.targets)) {
    targets.insert(t.type + ":" + NormalizedTargetValue(t));
  }
  std::string key = who + "\n" + std::string(ProcessTypeName(r.process.type));
  for (const std::string& t : targets) key += "\n" + t;
  return Sha256Hex(key);
}

// The deadline: one hour (the standards' emergency_response_hours) for an emergency, else
// the end of the process's return date.
std::optional<Timestamp> Deadline(const Request& r, const Standards& standards,
                                  Timestamp received) {
  if (standards.process(r.process.type).emergency) {
    return Timestamp{received.micros + standards.emergency_response_hours * kMicrosPerHour};
  }
  if (r.process.return_by) return Timestamp{r.process.return_by->PlusDays(1).days * kMicrosPerDay};
  return std::nullopt;
}


}  // namespace

struct Workflow::Evaluated {
  Request request;
  Decision decision;
  std::string document;  // the decision document
  std::optional<std::string> registry_sha256;
};

Workflow::Workflow(Database& db, InstanceStandards& standards, vault::Vault& vault,
                   AttachmentStore& attachments, Clock& clock, WorkflowOptions options)
    : db_(db),
      standards_(standards),
      vault_(vault),
      attachments_(attachments),
      clock_(clock),
      options_(options) {}

struct Workflow::LoadedRegistry {
  AgencyRegistry registry;
  std::optional<std::string> sha256;
};

Result<Workflow::LoadedRegistry> Workflow::LoadRegistry(CaseTx& tx) {
  LoadedRegistry out;
  if (auto stored = tx.Registry()) {
    auto loaded = AgencyRegistry::Load(stored->document, "the agency registry");
    if (!loaded.ok()) return Status::Corruption("case store: " + loaded.status().message());
    out.registry = std::move(loaded).value();
    out.sha256 = stored->sha256;
  }
  return out;
}

Result<Workflow::Evaluated> Workflow::Evaluate(const Standards& standards,
                                               const LoadedRegistry& registry,
                                               const std::string& document,
                                               const std::vector<VerificationRecord>& verifications) {
  ParsedRequest parsed = ParseRequest(document);
  if (!parsed.ok()) return Status::InvalidArgument(Joined(parsed.problems));
  // A callback recorded by staff is the verification the standards look for.
  for (const VerificationRecord& v : verifications) {
    if (v.method != "callback") continue;
    parsed.request.verification = Verification{v.verified_at, v.actor, v.phone};
  }
  Evaluated e{parsed.request, custodian::Evaluate(parsed.request, standards, registry.registry),
              "", registry.sha256};
  e.document = DecisionToJson(e.decision).dump();
  return e;
}

Status Workflow::RecordDecision(CaseTx& tx, CaseRecord& c, const Evaluated& e,
                                const Standards& standards, const std::string& reason) {
  c.due_at = Deadline(e.request, standards, c.received_at);
  c.requester_verified = e.decision.action != Action::kVerifyRequester;
  return tx.AppendDecision({c.id, 0, c.version, reason, std::string(ActionName(e.decision.action)),
                            e.document, e.decision.standards_sha256, e.registry_sha256,
                            clock_.Now()});
}

Result<CaseView> Workflow::ViewOf(CaseTx& tx, const std::string& id) {
  auto c = tx.GetCase(id);
  if (!c.ok()) return c.status();
  auto request = tx.LatestRequest(id);
  if (!request.ok()) return request.status();
  auto decisions = tx.Decisions(id);
  if (decisions.empty()) return Status::Corruption("case store: case " + id + " has no decision");
  CaseView v{*c, *request, decisions.back(), tx.OpenCasesWithFingerprint(c->fingerprint, id),
             tx.Verifications(id), tx.Holds(id), tx.Attachments(id), tx.LatestAttestation(id)};
  const Timestamp now = clock_.Now();
  if (c->due_at && IsOpen(c->state)) {
    v.overdue = c->due_at->micros < now.micros;
    v.due_soon = !v.overdue && c->due_at->micros < now.micros + kDueSoonMicros;
  }
  return v;
}

Status Workflow::Transition(CaseTx& tx, CaseRecord& c, Step step, const Actor& actor,
                            const std::string& detail) {
  auto next = Next(c.state, step);
  if (!next.ok()) return Status(next.status()).WithContext("case " + c.id + ": ");
  auto d = nlohmann::ordered_json::parse(detail.empty() ? "{}" : detail);
  d["from"] = std::string(CaseStateName(c.state));
  d["to"] = std::string(CaseStateName(*next));
  c.state = *next;
  c.updated_at = clock_.Now();
  if (Status s = tx.UpdateCase(c); !s.ok()) return s;
  if (Status s = tx.Audit(c.updated_at, actor.name, c.id, std::string(StepName(step)), d.dump()); !s.ok()) {
    return s;
  }
  // The requester hears of every change (requester_mail.h), queued with it.
  return QueueRequesterMail(tx, c, CaseStateName(c.state), c.updated_at);
}

Status Workflow::LogDisclosure(CaseTx& tx, const CaseRecord& c, ledger::DisclosureKind kind,
                               std::string_view outcome) {
  return Disclose(tx, c, kind, outcome, clock_.Now().UtcDate(), options_.pseudonym_key).status();
}

Status Workflow::RecordAction(const Actor& actor, const std::string& action,
                              const std::string& detail) {
  return db_.Transaction([&](soci::session& sql) {
    return CaseTx(sql).Audit(clock_.Now(), actor.name, std::nullopt, action, detail);
  });
}

Result<CaseView> Workflow::Run(const std::string& id,
                               const std::function<Status(CaseTx&, CaseRecord&)>& change) {
  Result<CaseView> view = Status::Internal("unset");
  Status s = db_.Transaction([&](soci::session& sql) {
    CaseTx tx(sql);
    auto c = tx.GetCase(id);
    if (!c.ok()) return c.status();
    if (Status st = change(tx, *c); !st.ok()) return st;
    view = ViewOf(tx, id);
    return view.status();
  });
  if (!s.ok()) return s;
  return view;
}

Result<CaseView> Workflow::Submit(const Submission& submission) {
  if (submission.actor.name.empty()) return Status::InvalidArgument("actor: missing");
  // Before EffectiveDocument's parser: what it builds is dumped, recursively.
  if (Status s = CheckJsonDepth(submission.document); !s.ok()) return s;
  Result<CaseView> view = Status::Internal("unset");
  Status s = db_.Transaction([&](soci::session& sql) {
    CaseTx tx(sql);
    const Timestamp now = clock_.Now();
    auto registry = LoadRegistry(tx);
    if (!registry.ok()) return registry.status();
    if (submission.entry != Entry::kStaff && submission.requester_agency &&
        !registry->registry.Find(*submission.requester_agency)) {
      return Status::PermissionDenied("the requester's agency is not in the registry");
    }
    auto standards = standards_.Current(sql);
    if (!standards.ok()) return standards.status();
    CaseRecord c;
    c.id = tx.NewCaseId(std::stoi(FormatDate(now.UtcDate()).substr(0, 4)));
    const Effective effective = EffectiveDocument(submission, c.id, now, registry->registry);
    const std::string& document = effective.document;
    auto e = Evaluate(**standards, *registry, document, {});
    if (!e.ok()) return e.status();
    const Request& r = e->request;
    if (r.process.preserve_reference) {
      auto referenced = tx.GetCase(*r.process.preserve_reference);
      if (!referenced.ok() || !referenced->preservation) {
        return Status::InvalidArgument(
            "/process/preserve_reference: names no preservation request of this service");
      }
    }
    c.version = 1;
    c.process_type = std::string(ProcessTypeName(r.process.type));
    c.agency_id = r.requester.agency_id;
    c.emergency = (*standards)->process(r.process.type).emergency;
    c.preservation = (*standards)->process(r.process.type).preserves;
    c.entered_by = submission.actor.name;
    c.entry = submission.entry;
    c.received_at = r.received_at;
    c.due_at = Deadline(r, **standards, r.received_at);
    c.requester_verified = e->decision.action != Action::kVerifyRequester;
    c.fingerprint = tx.Tag(kFingerprintTag, Fingerprint(r));
    c.created_at = c.updated_at = now;
    if (submission.entry != Entry::kStaff) c.submitted_by = submission.requester_account;
    auto attestation = AttestationOf(submission, **standards, c.id, 1, r, now);
    if (!attestation.ok()) return attestation.status();
    const auto duplicates = tx.OpenCasesWithFingerprint(c.fingerprint, c.id);
    if (!duplicates.empty()) c.duplicate_of = duplicates.front();
    if (Status st = tx.InsertCase(c); !st.ok()) return st;
    if (Status st = tx.InsertRequest({c.id, 1, document, Sha256Hex(document), now,
                                      submission.actor.name});
        !st.ok()) {
      return st;
    }
    if (*attestation) {
      if (Status st = tx.InsertAttestation(**attestation); !st.ok()) return st;
    }
    tx.IndexCase(c.id, document);
    if (Status st = NoteDroppedVerification(tx, c.id, submission.actor.name, now, effective); !st.ok()) {
      return st;
    }
    if (Status st = RecordDecision(tx, c, *e, **standards, "intake"); !st.ok()) return st;
    auto detail = Detail({{"entry", std::string(kEntryNames[static_cast<size_t>(c.entry)])},
                          {"action", std::string(ActionName(e->decision.action))},
                          {"duplicate_of", c.duplicate_of ? nlohmann::ordered_json(*c.duplicate_of)
                                                          : nlohmann::ordered_json()}});
    if (effective.dropped_verification) detail["verification_dropped"] = *effective.dropped_verification;
    // The process type and the number of targets in the leaf itself: the report counts
    // national security letters from the audit log, in bands.
    const AuditSubject subject{std::nullopt, c.process_type,
                               static_cast<int64_t>(DistinctTargets(r.targets).size())};
    if (Status st = tx.Audit(now, submission.actor.name, c.id, "submit", detail.dump(), subject);
        !st.ok()) {
      return st;
    }
    const Step step = c.requester_verified ? Step::kStartReview : Step::kNeedVerification;
    if (Status st = Transition(tx, c, step, submission.actor, ""); !st.ok()) return st;
    if (Status st = LogDisclosure(tx, c, ledger::DisclosureKind::kReceived,
                                  ActionName(e->decision.action));
        !st.ok()) {
      return st;
    }
    view = ViewOf(tx, c.id);
    return view.status();
  });
  if (!s.ok()) return s;
  return view;
}

Result<CaseView> Workflow::Amend(const std::string& id, const Submission& submission) {
  if (Status s = CheckJsonDepth(submission.document); !s.ok()) return s;
  return Run(id, [&](CaseTx& tx, CaseRecord& c) -> Status {
    if (c.entry != submission.entry) {
      return Status::PermissionDenied("case " + id + ": amended through another path than it came in");
    }
    if (c.entry != Entry::kStaff &&
        !CaseTx::Sent(c, {submission.requester_agency.value_or(""), submission.requester_account})) {
      return Status::PermissionDenied("case " + id + ": only the requester who sent it amends it");
    }
    if (c.state != CaseState::kPushedBack) {
      return Status::FailedPrecondition("case " + id + ": only a pushed-back request is amended (it is " +
                                        std::string(CaseStateName(c.state)) + ")");
    }
    auto registry = LoadRegistry(tx);
    if (!registry.ok()) return registry.status();
    auto standards = standards_.Current(tx.session());
    if (!standards.ok()) return standards.status();
    const Timestamp now = clock_.Now();
    const Effective effective = EffectiveDocument(submission, c.id, now, registry->registry);
    const std::string& document = effective.document;
    auto e = Evaluate(**standards, *registry, document, tx.Verifications(id));
    if (!e.ok()) return e.status();
    if (ProcessTypeName(e->request.process.type) != c.process_type) {
      return Status::InvalidArgument("/process/type: an amendment keeps the process type (" +
                                     c.process_type + "); a new process is a new request");
    }
    auto resubmitted = nlohmann::ordered_json::object();
    if (effective.dropped_verification) {
      resubmitted["verification_dropped"] = *effective.dropped_verification;
    }
    if (Status st = Transition(tx, c, Step::kResubmit, submission.actor, resubmitted.dump()); !st.ok()) {
      return st;
    }
    if (Status st = NoteDroppedVerification(tx, c.id, submission.actor.name, now, effective); !st.ok()) {
      return st;
    }
    c.version += 1;
    c.received_at = e->request.received_at;
    c.fingerprint = tx.Tag(kFingerprintTag, Fingerprint(e->request));
    c.agency_id = e->request.requester.agency_id;
    c.reviewer.reset();
    c.review_note.reset();
    c.review_scope.reset();
    c.investigation_confirmed = false;
    auto attestation = AttestationOf(submission, **standards, c.id, c.version, e->request, now);
    if (!attestation.ok()) return attestation.status();
    if (Status st = tx.InsertRequest({c.id, c.version, document, Sha256Hex(document), now,
                                      submission.actor.name});
        !st.ok()) {
      return st;
    }
    if (*attestation) {
      if (Status st = tx.InsertAttestation(**attestation); !st.ok()) return st;
    }
    tx.IndexCase(c.id, document);
    if (Status st = RecordDecision(tx, c, *e, **standards, "amended"); !st.ok()) return st;
    const Step step = c.requester_verified ? Step::kStartReview : Step::kNeedVerification;
    if (Status st = Transition(tx, c, step, submission.actor, Detail({{"version", c.version}}).dump());
        !st.ok()) {
      return st;
    }
    return LogDisclosure(tx, c, ledger::DisclosureKind::kReceived, ActionName(e->decision.action));
  });
}

Result<CaseView> Workflow::ReviewCase(const std::string& id, const Actor& actor, const Review& review) {
  if (actor.via_cli && !options_.cli_decisions) {
    return Status::PermissionDenied("this instance takes case decisions in the console only "
                                    "(cases.cli_decisions = false)");
  }
  const bool pushback = review.decision == ReviewDecision::kPushback;
  if (!pushback && review.letter) {
    return Status::InvalidArgument("letter: only a pushback writes to the requester");
  }
  if (pushback && (!review.letter || !IsValidUtf8(*review.letter) || TrimmedLength(*review.letter) == 0 ||
                   CodePointCount(*review.letter) > kMaxLetterLength)) {
    return Status::InvalidArgument("letter: a pushback needs a letter to the requester saying what to "
                                   "correct, 1 to " + std::to_string(kMaxLetterLength) +
                                   " characters, not blank");
  }
  return Run(id, [&](CaseTx& tx, CaseRecord& c) -> Status {
    auto decisions = tx.Decisions(id);
    const DecisionRecord& latest = decisions.back();
    auto request = tx.LatestRequest(id);
    if (!request.ok()) return request.status();
    auto registry = LoadRegistry(tx);
    if (!registry.ok()) return registry.status();
    auto standards = standards_.DecidedUnder(tx.session(), id);
    if (!standards.ok()) return standards.status();
    auto e = Evaluate(**standards, *registry, request->document, tx.Verifications(id));
    if (!e.ok()) return e.status();
    const Action recommended = e->decision.action;
    const bool note = review.note && TrimmedLength(*review.note) > 0;
    const bool recommends_disclosure = recommended == Action::kProduce ||
                                       recommended == Action::kProduceNarrowed ||
                                       recommended == Action::kPreserve;
    nlohmann::ordered_json detail = Detail({{"recommended", latest.action}});
    if (note) detail["note"] = *review.note;
    if (review.decision != ReviewDecision::kApprove) {
      const bool departs = review.decision == ReviewDecision::kPushback
                               ? recommends_disclosure
                               : recommended != Action::kReject;
      if (departs && !note) {
        return Status::InvalidArgument("note: a reason is required to depart from the "
                                       "recommendation (" + latest.action + ")");
      }
      c.reviewer = actor.name;
      c.review_note = review.note;
      if (pushback) {
        // The audit says a letter went and which (its SHA-256), never what it says.
        c.pushback_letter = review.letter;
        c.pushback_letter_at = clock_.Now();
        detail["letter_sha256"] = Sha256Hex(*review.letter);
      }
      if (Status st = Transition(tx, c, pushback ? Step::kPushBack : Step::kReject, actor, detail.dump());
          !st.ok()) {
        return st;
      }
      return LogDisclosure(tx, c, ledger::DisclosureKind::kDecision,
                           pushback ? ledger::kOutcomePushedBack : ledger::kOutcomeRejected);
    }
    if (recommended == Action::kVerifyRequester) {
      return Status::FailedPrecondition("case " + id + ": the requester is not verified yet; "
                                        "record a callback first (case verify-requester)");
    }
    if (!e->decision.authorized) {
      return Status::FailedPrecondition("case " + id + ": the standards authorize nothing (" +
                                        latest.action + "): push it back or reject it");
    }
    if (!recommends_disclosure && !note) {
      return Status::InvalidArgument("note: a reason is required to depart from the "
                                     "recommendation (" + latest.action + ")");
    }
    const auto& purpose = e->request.purpose;
    const bool removes_notice =
        purpose && purpose->investigation_type &&
        std::find((*standards)->notice_withheld_for.begin(), (*standards)->notice_withheld_for.end(),
                  *purpose->investigation_type) != (*standards)->notice_withheld_for.end();
    if (removes_notice && !review.confirm_investigation) {
      return Status::FailedPrecondition(
          "case " + id + ": the investigation type " +
          std::string(NameOf(*purpose->investigation_type, kInvestigationTypeNames)) +
          " removes the user's notice; the reviewer must confirm it");
    }
    if (review.narrowed_scope) {
      auto scope = NarrowedScope(*review.narrowed_scope, *e->decision.authorized);
      if (!scope.ok()) return scope.status();
      c.review_scope = *scope;
      detail["narrowed"] = nlohmann::ordered_json::parse(*scope);
    }
    c.reviewer = actor.name;
    c.review_note = review.note;
    c.investigation_confirmed = removes_notice;
    if (c.preservation) {
      if (Status st = PlaceHolds(tx, c, e->request, e->decision, **standards, actor); !st.ok()) {
        return st;
      }
      if (Status st = Transition(tx, c, Step::kPlaceHolds, actor, detail.dump()); !st.ok()) return st;
      return LogDisclosure(tx, c, ledger::DisclosureKind::kDecision, ledger::kOutcomePreserved);
    }
    return Transition(tx, c, Step::kRecommend, actor, detail.dump());
  });
}

Result<CaseView> Workflow::Approve(const std::string& id, const Actor& actor) {
  if (actor.via_cli && !options_.cli_decisions) {
    return Status::PermissionDenied("this instance takes case decisions in the console only "
                                    "(cases.cli_decisions = false)");
  }
  return Run(id, [&](CaseTx& tx, CaseRecord& c) -> Status {
    if (c.reviewer && *c.reviewer == actor.name) {
      return Status::PermissionDenied("case " + id + ": the approver must be another person "
                                      "than the reviewer (two-person rule)");
    }
    if (c.entered_by == actor.name) {
      return Status::PermissionDenied("case " + id + ": the approver must be another person "
                                      "than who entered the request (two-person rule)");
    }
    if (Status st = Transition(tx, c, Step::kApprove, actor, ""); !st.ok()) return st;
    c.approver = actor.name;
    if (Status st = LogDisclosure(tx, c, ledger::DisclosureKind::kDecision, ledger::kOutcomeApproved);
        !st.ok()) {
      return st;
    }
    auto standards = standards_.DecidedUnder(tx.session(), id);
    if (!standards.ok()) return standards.status();
    if (Status st = QueueNotices(tx, c, **standards, actor); !st.ok()) return st;
    auto decisions = tx.Decisions(id);
    auto decision = nlohmann::json::parse(decisions.back().document);
    const auto& notice = decision["notice"];
    if (notice["required"].get<bool>() && notice["when"] == "before_production") {
      // The user is told first; production waits the standards' period after the notice is
      // sent (the outbox moves this time when it delivers).
      c.notice_wait_until =
          Timestamp{clock_.Now().micros + (*standards)->notice_wait_days * kMicrosPerDay};
      return Transition(tx, c, Step::kWaitForNotice, actor,
                        Detail({{"until", FormatDateTime(*c.notice_wait_until)}}).dump());
    }
    return tx.UpdateCase(c);
  });
}

Status Workflow::EndNoticeWait(CaseTx& tx, CaseRecord& c, const Actor& actor) {
  for (const NoticeRecord& n : tx.Notices(c.id)) {
    if (n.timing == "before_production" && n.state != NoticeState::kSent) {
      return Status::FailedPrecondition("case " + c.id + ": the user's notice " + n.id +
                                        " has not been delivered yet");
    }
  }
  if (c.state == CaseState::kAwaitingNotice && c.notice_wait_until &&
      clock_.Now().micros < c.notice_wait_until->micros) {
    return Status::FailedPrecondition("case " + c.id + ": the notice period runs until " +
                                      FormatDateTime(*c.notice_wait_until));
  }
  return Transition(tx, c, Step::kNoticeDone, actor, "");
}

Result<CaseView> Workflow::EndNoticeWait(const std::string& id, const Actor& actor) {
  return Run(id, [&](CaseTx& tx, CaseRecord& c) { return EndNoticeWait(tx, c, actor); });
}

Result<CaseView> Workflow::VerifyRequester(const std::string& id, const Actor& actor,
                                           const Callback& callback) {
  return Run(id, [&](CaseTx& tx, CaseRecord& c) -> Status {
    if (!IsOpen(c.state)) {
      return Status::FailedPrecondition("case " + id + ": it is " +
                                        std::string(CaseStateName(c.state)));
    }
    auto request = tx.LatestRequest(id);
    if (!request.ok()) return request.status();
    // The number called must be the registry's, not one the request gives.
    const auto parsed = ParseRequest(request->document);
    const std::optional<std::string>& named = parsed.request.requester.agency_id;
    if (named && callback.agency_id && *named != *callback.agency_id) {
      return Status::InvalidArgument("/agency_id: the request names another agency (" + *named + ")");
    }
    const std::optional<std::string> agency_id = named ? named : callback.agency_id;
    if (!agency_id) {
      return Status::FailedPrecondition("case " + id + ": the request names no registry agency; "
                                        "name the one that was called (--agency)");
    }
    auto registry = LoadRegistry(tx);
    if (!registry.ok()) return registry.status();
    const Agency* agency = registry->registry.Find(*agency_id);
    if (!agency) return Status::InvalidArgument("/agency_id: " + *agency_id + " is not in the registry");
    if (PhoneDigits(callback.phone) != PhoneDigits(agency->phone)) {
      return Status::InvalidArgument("/phone: not the registry's number for " + agency->name +
                                     " (call the number in the registry, not one in the request)");
    }
    const Timestamp now = clock_.Now();
    if (Status st = tx.AppendVerification({id, 0, "callback", actor.name, now, agency->phone,
                                           callback.note});
        !st.ok()) {
      return st;
    }
    auto standards = standards_.Current(tx.session());
    if (!standards.ok()) return standards.status();
    auto e = Evaluate(**standards, *registry, request->document, tx.Verifications(id));
    if (!e.ok()) return e.status();
    if (Status st = RecordDecision(tx, c, *e, **standards, "verification recorded"); !st.ok()) {
      return st;
    }
    if (Status st = tx.Audit(now, actor.name, id, "verify_requester",
                             Detail({{"method", "callback"}, {"agency", agency->id}}).dump());
        !st.ok()) {
      return st;
    }
    if (c.state == CaseState::kVerifying && c.requester_verified) {
      return Transition(tx, c, Step::kStartReview, actor, "");
    }
    c.updated_at = now;
    return tx.UpdateCase(c);
  });
}

Result<CaseView> Workflow::DecideAgain(const std::string& id, const Actor& actor) {
  return Run(id, [&](CaseTx& tx, CaseRecord& c) -> Status {
    auto request = tx.LatestRequest(id);
    if (!request.ok()) return request.status();
    auto registry = LoadRegistry(tx);
    if (!registry.ok()) return registry.status();
    auto standards = standards_.Current(tx.session());
    if (!standards.ok()) return standards.status();
    auto e = Evaluate(**standards, *registry, request->document, tx.Verifications(id));
    if (!e.ok()) return e.status();
    const DecisionRecord before = tx.Decisions(id).back();
    const auto detail = Detail({{"action", std::string(ActionName(e->decision.action))},
                                {"standards", {{"from", before.standards_sha256},
                                               {"to", e->decision.standards_sha256}}}});
    if (Status st = Transition(tx, c, Step::kDecideAgain, actor, detail.dump()); !st.ok()) return st;
    const Standards& now_in_force = **standards;
    c.emergency = now_in_force.process(e->request.process.type).emergency;
    c.preservation = now_in_force.process(e->request.process.type).preserves;
    c.reviewer.reset();
    c.review_note.reset();
    c.review_scope.reset();
    c.investigation_confirmed = false;
    if (Status st = RecordDecision(tx, c, *e, now_in_force, "decided again"); !st.ok()) return st;
    const Step step = c.requester_verified ? Step::kStartReview : Step::kNeedVerification;
    if (Status st = Transition(tx, c, step, actor, ""); !st.ok()) return st;
    return LogDisclosure(tx, c, ledger::DisclosureKind::kReceived, ActionName(e->decision.action));
  });
}

Result<StandardsInstall> Workflow::InstallStandards(std::string_view text, std::string_view source,
                                                    const Actor& actor) {
  if (actor.name.empty()) return Status::InvalidArgument("actor: missing");
  Result<StandardsInstall> out = Status::Internal("unset");
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    auto before = standards_.Current(sql);
    if (!before.ok()) return before.status();
    const Timestamp now = clock_.Now();
    out = standards_.Install(sql, text, source, now, actor.name);
    if (!out.ok()) return out.status();
    return CaseTx(sql).Audit(now, actor.name, std::nullopt, "install_standards",
                             Detail({{"name", out->name},
                                     {"version", out->version},
                                     {"from", (*before)->sha256},
                                     {"to", out->sha256}}).dump());
  });
  if (!s.ok()) return s;
  return out;
}

Result<CaseView> Workflow::Close(const std::string& id, const Actor& actor,
                                 const std::optional<std::string>& note) {
  return Run(id, [&](CaseTx& tx, CaseRecord& c) -> Status {
    nlohmann::ordered_json detail = nlohmann::ordered_json::object();
    if (note) detail["note"] = *note;
    return Transition(tx, c, Step::kClose, actor, detail.dump());
  });
}

Result<CaseView> Workflow::Attach(const std::string& id, const Actor& actor,
                                  const std::string& name, std::string_view pdf) {
  if (name.empty() || name.size() > 255 || name.find('/') != std::string::npos) {
    return Status::InvalidArgument("name: 1 to 255 characters, without '/'");
  }
  if (pdf.size() > kMaxAttachmentBytes) {
    return Status::InvalidArgument("document: larger than 20 MiB");
  }
  if (!pdf.starts_with("%PDF-")) {
    return Status::InvalidArgument("document: not a PDF (it does not start with %PDF-)");
  }
  // The case first: a document stored for no case would stay, sealed, with nothing naming it.
  Status known = db_.Transaction([&](soci::session& sql) { return CaseTx(sql).GetCase(id).status(); });
  if (!known.ok()) return known;
  // The file is sealed and synced before the row names it: a crash between the two leaves
  // an unnamed file, never a row without its document; a failure to name it removes it.
  const bool stored_before = attachments_.Has(id, Sha256Hex(pdf));
  auto sha = attachments_.Put(id, pdf);
  if (!sha.ok()) return sha.status();
  auto attached = Run(id, [&](CaseTx& tx, CaseRecord& c) -> Status {
    const Timestamp now = clock_.Now();
    if (Status s = tx.InsertAttachment({c.id, *sha, name, "application/pdf",
                                        static_cast<long long>(pdf.size()), actor.name, now});
        !s.ok()) {
      return s;
    }
    return tx.Audit(now, actor.name, c.id, "attach",
                    Detail({{"sha256", *sha}, {"bytes", pdf.size()}}).dump());
  });
  if (!attached.ok() && !stored_before) attachments_.Remove(id, *sha).IgnoreError();
  return attached;
}

Result<std::string> Workflow::ReadAttachment(const std::string& id, const std::string& sha256,
                                             const Actor& reader) {
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    const auto all = tx.Attachments(id);
    if (std::none_of(all.begin(), all.end(), [&](const AttachmentRecord& a) { return a.sha256 == sha256; })) {
      return Status::NotFound("case " + id + " has no document " + sha256);
    }
    return tx.Audit(clock_.Now(), reader.name, id, "read_attachment",
                    Detail({{"sha256", sha256}}).dump());
  });
  if (!s.ok()) return s;
  return attachments_.Get(id, sha256);
}

Status Workflow::RefuseAccess(CaseTx& tx, const Actor& actor, const std::optional<std::string>& case_id,
                              const std::string& action, const std::string& resource) {
  return tx.Audit(clock_.Now(), actor.name, case_id, "refused_access",
                  Detail({{"action", action}, {"resource", resource}}).dump());
}

Status Workflow::RequesterStep(const std::string& id, const Actor& actor, const RequesterScope& requester,
                               const std::string& action, bool senders_only,
                               const std::function<Status(CaseTx&, CaseRecord&)>& step) {
  bool refused = false;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    refused = false;
    auto c = tx.GetCase(id);
    const bool missing = !c.ok() && c.status().code() == Status::Code::kNotFound;
    if (!c.ok() && !missing) return c.status();
    if (missing || !tx.Sees(*c, requester)) {
      refused = true;  // the refusal is recorded, and the transaction kept
      return RefuseAccess(tx, actor, missing ? std::nullopt : std::optional(id), action, id);
    }
    if (senders_only && !CaseTx::Sent(*c, requester)) {
      return Status::PermissionDenied("request " + id + ": only the requester who sent it may do this");
    }
    return step(tx, *c);
  });
  if (!s.ok()) return s;
  if (refused) return Status::NotFound("no request " + id);
  return Status::Ok();
}

Result<CaseView> Workflow::Show(const std::string& id, const Actor& reader,
                                const std::optional<RequesterScope>& requester) {
  Result<CaseView> view = Status::Internal("unset");
  bool refused = false;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    view = ViewOf(tx, id);
    const bool missing = !view.ok() && view.status().code() == Status::Code::kNotFound;
    if (requester && (missing || (view.ok() && !tx.Sees(view->record, *requester)))) {
      refused = true;  // the refusal is recorded, and the transaction kept
      return RefuseAccess(tx, reader, missing ? std::nullopt : std::optional(id), "view_case", id);
    }
    if (!view.ok()) return view.status();
    return tx.Audit(clock_.Now(), reader.name, id, "view_case", "{}");
  });
  if (!s.ok()) return s;
  if (refused) return Status::NotFound("no request " + id);
  return view;
}

Result<std::vector<CaseView>> Workflow::List(const CaseFilter& filter, const Actor& reader) {
  std::vector<CaseView> out;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    if (filter.assignee && !filter.assignee->empty()) {
      const auto staff = StaffMembers(sql);
      if (std::none_of(staff.begin(), staff.end(),
                       [&](const StaffMember& m) { return m.name == *filter.assignee; })) {
        return Status::InvalidArgument("assignee: no staff user " + *filter.assignee);
      }
    }
    for (const CaseRecord& c : tx.ListCases(filter)) {
      auto v = ViewOf(tx, c.id);
      if (!v.ok()) return v.status();
      if (filter.overdue && v->overdue != *filter.overdue) continue;
      out.push_back(std::move(v).value());
    }
    nlohmann::ordered_json detail = {{"cases", out.size()}};
    if (filter.state) detail["state"] = std::string(CaseStateName(*filter.state));
    if (filter.agency_id) detail["agency_id"] = *filter.agency_id;
    if (filter.requester) detail["agency_id"] = filter.requester->agency_id;
    if (filter.process_type) detail["process_type"] = *filter.process_type;
    if (filter.assignee) detail["assignee"] = *filter.assignee;
    if (filter.emergency) detail["emergency"] = *filter.emergency;
    if (filter.overdue) detail["overdue"] = *filter.overdue;
    if (!filter.query) {
      return tx.Audit(clock_.Now(), reader.name, std::nullopt, "list_cases", detail.dump());
    }
    // What was searched for may name someone: its keyed tag alone is kept, which whoever
    // holds the store's keys can check a value against, and nobody else.
    detail["query_tag"] = tx.Tag(kSearchTag, TrimWhiteSpace(*filter.query));
    return tx.Audit(clock_.Now(), reader.name, std::nullopt, "search_cases", detail.dump());
  });
  if (!s.ok()) return s;
  const auto rank = [](const CaseView& v) { return v.overdue ? 0 : v.due_soon ? 1 : 2; };
  std::stable_sort(out.begin(), out.end(), [&](const CaseView& a, const CaseView& b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    const int64_t da = a.record.due_at ? a.record.due_at->micros : INT64_MAX;
    const int64_t db = b.record.due_at ? b.record.due_at->micros : INT64_MAX;
    return da < db;
  });
  return out;
}

Result<std::vector<DecisionRecord>> Workflow::Decisions(const std::string& id, const Actor& reader) {
  std::vector<DecisionRecord> out;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    if (auto c = tx.GetCase(id); !c.ok()) return c.status();
    out = tx.Decisions(id);
    return tx.Audit(clock_.Now(), reader.name, id, "view_decisions", "{}");
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<AuditEntry>> Workflow::Timeline(const std::string& id, const Actor& reader) {
  std::vector<AuditEntry> out;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    if (auto c = tx.GetCase(id); !c.ok()) return c.status();
    if (Status a = tx.Audit(clock_.Now(), reader.name, id, "view_timeline", "{}"); !a.ok()) return a;
    out = tx.AuditOf(id, false);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::optional<RegistryDocument>> Workflow::Registry() {
  std::optional<RegistryDocument> out;
  Status s = db_.Transaction([&](soci::session& sql) {
    out = CaseTx(sql).Registry();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<AgencyRegistry> Workflow::Agencies() {
  Result<LoadedRegistry> out = Status::Internal("unset");
  Status s = db_.Transaction([&](soci::session& sql) {
    CaseTx tx(sql);
    out = LoadRegistry(tx);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (!out.ok()) return out.status();
  return std::move(out->registry);
}

Status Workflow::ImportRegistry(std::string_view document, const Actor& actor) {
  auto registry = AgencyRegistry::Load(document, "registry");
  if (!registry.ok()) return registry.status();
  return db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    const Timestamp now = clock_.Now();
    const std::string sha = Sha256Hex(document);
    if (Status s = tx.SetRegistry({std::string(document), sha, now, actor.name}); !s.ok()) return s;
    return tx.Audit(now, actor.name, std::nullopt, "import_registry",
                    Detail({{"agencies", registry->agencies().size()}, {"sha256", sha}}).dump());
  });
}

}  // namespace custodian::cases
