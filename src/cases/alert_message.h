// What an alert says when it leaves custodian (docs/cases.md, "Alerts"): an e-mail's subject
// and body, and the webhook's JSON body. Both carry no personal data beyond the case (and
// hold) id: the kind, the instant, the alert's id and a link to the case in the console.
// Pure functions: safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "cases/alert_store.h"

namespace custodian::cases {

// Where the console shows the alert's case: "/#/cases/ID", after `console_url` (the instance's
// address, "https://custodian.example.org"; empty: the path alone).
std::string AlertLink(const AlertRecord& a, std::string_view console_url);

struct AlertMail {
  std::string subject;  // one line, ASCII
  std::string body;     // plain text, ASCII, lines ended by CRLF
};
AlertMail AlertMailOf(const AlertRecord& a, std::string_view console_url);

// The webhook's body: {"alert_id", "kind", "case_id", "hold_id" (null unless a hold's),
// "due_at", "raised_at", "recipients" (staff user names), "link"}.
std::string AlertPayload(const AlertRecord& a, std::string_view console_url);

}  // namespace custodian::cases
