#include "cases/case_json.h"

namespace custodian::cases {
namespace {

template <typename T>
nlohmann::ordered_json OrNull(const std::optional<T>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
}
nlohmann::ordered_json TimeOrNull(const std::optional<Timestamp>& t) {
  return t ? nlohmann::ordered_json(FormatDateTime(*t)) : nlohmann::ordered_json();
}

}  // namespace

nlohmann::ordered_json HoldToJson(const HoldRecord& h) {
  return {{"id", h.id},
          {"case_id", h.case_id},
          {"account_id", std::to_string(h.account)},
          {"state", std::string(kHoldStateNames[static_cast<size_t>(h.state)])},
          {"placed_by", h.placed_by},
          {"placed_at", FormatDateTime(h.placed_at)},
          {"expires_at", FormatDateTime(h.expires_at)},
          {"extensions", h.extensions},
          {"ended_at", TimeOrNull(h.ended_at)},
          {"ended_by", OrNull(h.ended_by)}};
}

nlohmann::ordered_json CommentToJson(const CommentRecord& c) {
  return {{"id", c.seq}, {"author", c.author}, {"at", FormatDateTime(c.at)}, {"text", c.text}};
}

nlohmann::ordered_json StandardsInstallToJson(const StandardsInstall& i) {
  return {{"name", i.name},
          {"version", i.version},
          {"sha256", i.sha256},
          {"installed_at", FormatDateTime(i.installed_at)},
          {"installed_by", i.installed_by}};
}

nlohmann::ordered_json StandardsToJson(const StandardsOverview& o, bool with_document) {
  nlohmann::ordered_json current = {{"name", o.current->name},
                                    {"version", o.current->version},
                                    {"sha256", o.current->sha256},
                                    {"built_in", o.history.empty()}};
  if (with_document) current["document"] = o.document;
  nlohmann::ordered_json installed = nlohmann::ordered_json::array();
  for (const StandardsInstall& i : o.history) installed.push_back(StandardsInstallToJson(i));
  return {{"current", current}, {"installed", installed}};
}

nlohmann::ordered_json NoticeToJson(const NoticeRecord& n) {
  return {{"id", n.id},
          {"case_id", n.case_id},
          {"account_id", n.account},
          {"timing", n.timing},
          {"state", std::string(kNoticeStateNames[static_cast<size_t>(n.state)])},
          {"not_before", FormatDateTime(n.not_before)},
          {"attempts", n.attempts},
          {"last_error", n.last_error ? nlohmann::ordered_json(*n.last_error) : nullptr},
          {"sent_at", n.sent_at ? nlohmann::ordered_json(FormatDateTime(*n.sent_at)) : nullptr}};
}

nlohmann::ordered_json AlertToJson(const AlertRecord& a) {
  return {{"id", a.id},
          {"kind", std::string(AlertKindName(a.kind))},
          {"case_id", a.case_id},
          {"hold_id", a.hold_id() ? nlohmann::ordered_json(*a.hold_id()) : nullptr},
          {"due_at", FormatDateTime(a.due_at)},
          {"raised_at", FormatDateTime(a.raised_at)}};
}

nlohmann::ordered_json GrantToJson(const DownloadGrant& g, Timestamp now) {
  return {{"id", g.id},
          {"production", g.production_id},
          {"case_id", g.case_id},
          {"agency_id", g.agency_id},
          {"state", std::string(g.StateAt(now))},
          {"issued_at", FormatDateTime(g.issued_at)},
          {"issued_by", g.issued_by},
          {"expires_at", FormatDateTime(g.expires_at)},
          {"ended_at", TimeOrNull(g.ended_at)},
          {"ended_by", OrNull(g.ended_by)}};
}

nlohmann::ordered_json ProductionToJson(const ProductionView& v, Timestamp now) {
  const ProductionRecord& p = v.production;
  nlohmann::ordered_json grants = nlohmann::ordered_json::array();
  for (const DownloadGrant& g : v.grants) grants.push_back(GrantToJson(g, now));
  return {{"id", p.id},
          {"case_id", p.case_id},
          {"state", std::string(kProductionStateNames[static_cast<size_t>(p.state)])},
          {"at", FormatDateTime(p.at)},
          {"by", p.by},
          {"manifest_sha256", OrNull(p.manifest_sha256)},
          {"accounts_with_data", OrNull(p.accounts_with_data)},
          {"ledger_index", OrNull(p.leaf_index)},
          {"package_sha256", OrNull(p.package_sha256)},
          {"package_bytes", OrNull(p.package_bytes)},
          {"reason", OrNull(p.reason)},
          {"downloads", grants}};
}

nlohmann::ordered_json PushbackLetterToJson(const CaseRecord& c) {
  if (!c.pushback_letter) return nullptr;
  return {{"text", *c.pushback_letter}, {"at", TimeOrNull(c.pushback_letter_at)}};
}

nlohmann::ordered_json CaseToJson(const CaseView& v, bool with_request) {
  const CaseRecord& c = v.record;
  nlohmann::ordered_json out = {
      {"id", c.id},
      {"state", std::string(CaseStateName(c.state))},
      {"version", c.version},
      {"process_type", c.process_type},
      {"agency_id", OrNull(c.agency_id)},
      {"emergency", c.emergency},
      {"preservation", c.preservation},
      {"entry", std::string(kEntryNames[static_cast<size_t>(c.entry)])},
      {"entered_by", c.entered_by},
      {"assignee", OrNull(c.assignee)},
      {"received_at", FormatDateTime(c.received_at)},
      {"due_at", TimeOrNull(c.due_at)},
      {"overdue", v.overdue},
      {"due_soon", v.due_soon},
      {"requester_verified", c.requester_verified},
      {"duplicate_of", OrNull(c.duplicate_of)},
      {"open_duplicates", v.duplicates},
      {"decision", nlohmann::ordered_json::parse(v.decision.document)},
      {"decision_taken", {{"seq", v.decision.seq},
                          {"reason", v.decision.reason},
                          {"request_version", v.decision.version},
                          {"at", FormatDateTime(v.decision.taken_at)}}},
      {"review", {{"reviewer", OrNull(c.reviewer)},
                  {"note", OrNull(c.review_note)},
                  {"narrowed_scope", c.review_scope ? nlohmann::ordered_json::parse(*c.review_scope)
                                                    : nlohmann::ordered_json()},
                  {"investigation_confirmed", c.investigation_confirmed},
                  {"letter", PushbackLetterToJson(c)}}},
      {"approver", OrNull(c.approver)},
      {"notice_wait_until", TimeOrNull(c.notice_wait_until)},
      // The requester's withdrawal, and the reason they gave (staff's to read, not the portal's).
      {"withdrawal", c.withdrawn_at ? nlohmann::ordered_json{{"at", FormatDateTime(*c.withdrawn_at)},
                                                              {"reason", OrNull(c.withdrawal_reason)}}
                                    : nlohmann::ordered_json()},
  };
  nlohmann::ordered_json verifications = nlohmann::ordered_json::array();
  for (const VerificationRecord& r : v.verifications) {
    verifications.push_back({{"method", r.method},
                             {"by", r.actor},
                             {"at", FormatDateTime(r.verified_at)},
                             {"phone", OrNull(r.phone)},
                             {"note", OrNull(r.note)}});
  }
  out["verifications"] = std::move(verifications);
  nlohmann::ordered_json holds = nlohmann::ordered_json::array();
  for (const HoldRecord& h : v.holds) holds.push_back(HoldToJson(h));
  out["holds"] = std::move(holds);
  nlohmann::ordered_json documents = nlohmann::ordered_json::array();
  for (const AttachmentRecord& a : v.attachments) {
    documents.push_back({{"name", a.name},
                         {"sha256", a.sha256},
                         {"media_type", a.media_type},
                         {"bytes", a.bytes},
                         {"uploaded_by", a.uploaded_by},
                         {"uploaded_at", FormatDateTime(a.uploaded_at)}});
  }
  out["documents"] = std::move(documents);
  if (with_request) {
    out["request"] = nlohmann::ordered_json::parse(v.request.document);
    out["request_sha256"] = v.request.sha256;
    // What the requester attested with the latest version it sent, in full, and who.
    out["attestation"] = v.attestation ? nlohmann::ordered_json{{"version", v.attestation->version},
                                                                 {"text", v.attestation->text},
                                                                 {"sha256", v.attestation->sha256},
                                                                 {"by", v.attestation->email},
                                                                 {"at", FormatDateTime(v.attestation->at)}}
                                       : nlohmann::ordered_json();
    out["submitted_by"] = OrNull(v.record.submitted_by);
  }
  return out;
}

}  // namespace custodian::cases
