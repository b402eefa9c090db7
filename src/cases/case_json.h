// Cases as JSON, for the CLI and the HTTP API: one shape for both.
#pragma once

#include <nlohmann/json.hpp>

#include "cases/alert_store.h"
#include "cases/workflow.h"

namespace custodian::cases {

// A case with its latest decision (the decision document of spec/decision.md), deadlines,
// verifications and holds; with the request document too when `with_request`.
nlohmann::ordered_json CaseToJson(const CaseView& v, bool with_request);
nlohmann::ordered_json HoldToJson(const HoldRecord& h);
// The latest pushback's letter to the requester, {text, at}, or null: staff's case and the
// portal's request show it alike.
nlohmann::ordered_json PushbackLetterToJson(const CaseRecord& c);
// An internal comment: id (its number in the case), author, at, text. Staff only.
nlohmann::ordered_json CommentToJson(const CommentRecord& c);
nlohmann::ordered_json NoticeToJson(const NoticeRecord& n);
// An alert as the console lists it: id, kind, case_id, hold_id (null unless a hold's), due_at,
// raised_at.
nlohmann::ordered_json AlertToJson(const AlertRecord& a);
// The instance's standards: the current ones (with the file's text when asked) and every
// installation.
nlohmann::ordered_json StandardsInstallToJson(const StandardsInstall& i);
nlohmann::ordered_json StandardsToJson(const StandardsOverview& o, bool with_document);
// A download grant as staff see it; its state as of `now` (expired when open past its time).
nlohmann::ordered_json GrantToJson(const DownloadGrant& g, Timestamp now);
// A production with its grants, as staff see it.
nlohmann::ordered_json ProductionToJson(const ProductionView& v, Timestamp now);

}  // namespace custodian::cases
