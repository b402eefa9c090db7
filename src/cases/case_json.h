// Cases as JSON, for the CLI and the HTTP API: one shape for both.
#pragma once

#include <nlohmann/json.hpp>

#include "cases/workflow.h"

namespace custodian::cases {

// A case with its latest decision (the decision document of spec/decision.md), deadlines,
// verifications and holds; with the request document too when `with_request`.
nlohmann::ordered_json CaseToJson(const CaseView& v, bool with_request);
nlohmann::ordered_json HoldToJson(const HoldRecord& h);
nlohmann::ordered_json NoticeToJson(const NoticeRecord& n);

}  // namespace custodian::cases
