#include "cases/alert_message.h"

#include <nlohmann/json.hpp>

namespace custodian::cases {
std::string AlertLink(const AlertRecord& a, std::string_view console_url) {
  while (console_url.ends_with('/')) console_url.remove_suffix(1);
  return std::string(console_url) + "/#/cases/" + a.case_id;  // the console's case page (docs/console.md)
}

AlertMail AlertMailOf(const AlertRecord& a, std::string_view console_url) {
  const std::string at = FormatDateTime(a.due_at);
  AlertMail m;
  std::string what;
  switch (a.kind) {
    case AlertKind::kEmergency:
      m.subject = "New emergency request " + a.case_id;
      what = "A new emergency request, " + a.case_id + ", is due " + at + ".";
      break;
    case AlertKind::kDueSoon:
      m.subject = a.case_id + " is due within a day";
      what = "Case " + a.case_id + " is due " + at + ".";
      break;
    case AlertKind::kOverdue:
      m.subject = a.case_id + " is overdue";
      what = "Case " + a.case_id + " was due " + at + " and is still open.";
      break;
    case AlertKind::kHoldExpiring:
      m.subject = "A preservation hold of " + a.case_id + " ends within a week";
      what = "Preservation hold " + a.subject + " of case " + a.case_id + " ends " + at +
             "; the records it keeps are then kept no longer than retention allows.";
      break;
    case AlertKind::kOrderExpiring:
      m.subject = "The nondisclosure order of " + a.case_id + " ends within a week";
      what = "The nondisclosure order on case " + a.case_id + " ends " + at +
             "; unless an extension is recorded, the user's notice is sent then.";
      break;
  }
  m.subject = "[custodian] " + m.subject;
  m.body = what + "\r\n\r\nOpen the case: " + AlertLink(a, console_url) + "\r\n\r\nAlert " + a.id +
           ", raised " + FormatDateTime(a.raised_at) +
           ". You receive it because your role acts next on the case.\r\n";
  return m;
}

std::string AlertPayload(const AlertRecord& a, std::string_view console_url) {
  const auto hold = a.hold_id();
  return nlohmann::ordered_json{{"alert_id", a.id},
                                {"kind", std::string(AlertKindName(a.kind))},
                                {"case_id", a.case_id},
                                {"hold_id", hold ? nlohmann::ordered_json(*hold) : nullptr},
                                {"due_at", FormatDateTime(a.due_at)},
                                {"raised_at", FormatDateTime(a.raised_at)},
                                {"recipients", a.recipients},
                                {"link", AlertLink(a, console_url)}}
      .dump();
}

}  // namespace custodian::cases
