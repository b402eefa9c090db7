// A plain-text e-mail as custodian sends it, and what sends it: staff alerts (alert_outbox.h)
// and requesters' messages (requester_mail.h) both leave through one MailSender
// (server/mail_transport.h: SMTP with the [mail] settings).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace custodian::cases {

struct OutgoingMail {
  std::vector<std::string> to;  // never empty
  std::string subject;          // one line, ASCII
  std::string body;             // plain text, ASCII, lines ended by CRLF
  // The Message-ID's local part, the same on every attempt, so that a message delivered twice
  // reads as one ("A-1.alert"); and the header that names it for machines.
  std::string message_id;
  std::string id_header;  // e.g. "X-Custodian-Alert-Id: A-1"; none when empty
};

class MailSender {
 public:
  virtual ~MailSender() = default;
  // Ok once the mail server accepted the message for at least one address. A failure's
  // message is kept as the delivery's last error: no address or secret in it.
  virtual Status Send(const OutgoingMail& mail) = 0;
};

}  // namespace custodian::cases
