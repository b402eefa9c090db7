// E-mail ([mail] in custodian.toml; docs/operations.md, "Alerts"): staff alerts, one
// plain-text message per alert to its recipients' addresses, and requesters' messages
// (cases/requester_mail.h), through the instance's SMTP server with libcurl (Debian's
// libcurl4-openssl-dev), STARTTLS as `tls` says, authenticated when credentials are given. An
// alert carries cases/alert_message.h's text: no personal data beyond the case id, the instant
// and a link. The password is never logged nor put in an error. Thread-safe (one connection
// per message).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cases/alert_outbox.h"
#include "cases/mail_sender.h"
#include "core/clock.h"

namespace custodian::server {

// required: STARTTLS or nothing is sent; opportunistic: STARTTLS when the server offers it
// (its certificate checked all the same), plain otherwise; none: never TLS.
enum class MailTls { kRequired, kOpportunistic, kNone };
inline constexpr std::array<std::string_view, 3> kMailTlsNames = {"required", "opportunistic", "none"};
std::optional<MailTls> ParseMailTls(std::string_view name);

struct MailSettings {
  std::string server;  // HOST:PORT, or [IPV6]:PORT
  std::string from;    // the envelope's and the From header's address
  std::string username{};  // both or neither
  std::string password{};
  // None: required, except to a loopback host (opportunistic there: the message never
  // leaves the machine).
  std::optional<MailTls> tls{};
  std::string ca_file{};      // PEM CAs the server's certificate is checked against (empty: the system's)
  // What the links start with: the console's case (cases/alert_message.h), and the portal's
  // request (console_url + "/portal/", cases/requester_mail.h).
  std::string console_url{};
};

// The alert as an outgoing message to `addresses`.
cases::OutgoingMail AlertMessage(const cases::AlertRecord& alert, const std::vector<std::string>& addresses,
                                 std::string_view console_url);

class MailTransport final : public cases::AlertTransport, public cases::MailSender {
 public:
  // InvalidArgument, naming the [mail] setting, for a server that is not HOST:PORT, a `from`
  // that is not an address, a username without a password (or the reverse), or credentials
  // that would cross the network without TLS (tls other than required, to a host beyond
  // loopback).
  static Result<std::unique_ptr<MailTransport>> Create(MailSettings settings, Clock& clock);
  // Ok once the server accepted the message for at least one address; IoError otherwise,
  // with libcurl's reason and the SMTP reply code (never an address or the password).
  Status Deliver(const cases::AlertRecord& alert, const std::vector<std::string>& addresses) override;
  // Any message: Ok once the server accepted it for at least one address; IoError as above.
  Status Send(const cases::OutgoingMail& mail) override;

  // The message as sent at `now`: headers and body, lines ended by CRLF.
  std::string Message(const cases::AlertRecord& alert, const std::vector<std::string>& addresses,
                      Timestamp now) const;
  std::string Message(const cases::OutgoingMail& mail, Timestamp now) const;
  MailTls tls() const { return tls_; }
  // The console's address, as configured ([alerts] console_url; empty when none).
  const std::string& console_url() const { return settings_.console_url; }

 private:
  // The message's headers (Date, From, To, Subject, then `extra`) and body.
  std::string Compose(const std::vector<std::string>& addresses, const std::string& subject, const std::string& extra,
                      const std::string& body, Timestamp now) const;
  // Hands `message` to the SMTP server for `addresses`; `what` names it in an error.
  Status Transmit(const std::vector<std::string>& addresses, const std::string& message, const std::string& what);
  MailTransport(MailSettings settings, std::string host, int port, MailTls tls, Clock& clock)
      : settings_(std::move(settings)), host_(std::move(host)), port_(port), tls_(tls), clock_(clock) {}

  const MailSettings settings_;
  const std::string host_;
  const int port_;
  const MailTls tls_;
  Clock& clock_;
};

}  // namespace custodian::server
