#include "server/mail_transport.h"

#include <curl/curl.h>

#include <cctype>
#include <cstring>
#include <mutex>

#include "cases/alert_message.h"
#include "core/email_address.h"
#include "core/loopback.h"

namespace custodian::server {
namespace {

// "HOST:PORT" or "[IPV6]:PORT" into host and port; false when it is neither.
bool SplitServer(const std::string& text, std::string& host, int& port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size() || colon + 6 < text.size()) return false;
  host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return false;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return false;
  }
  for (char c : host) {
    // A name or an address, nothing that could change the URL curl is given.
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':') return false;
  }
  port = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9') return false;
    port = port * 10 + (c - '0');
  }
  return port >= 1 && port <= 65535;
}

// RFC 5322's date: "Thu, 12 Mar 2026 16:00:00 +0000".
std::string MailDate(Timestamp t) {
  static constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const Timestamp whole{t.micros - ((t.micros % kMicrosPerSecond) + kMicrosPerSecond) % kMicrosPerSecond};
  const std::string iso = FormatDateTime(whole);  // YYYY-MM-DDTHH:MM:SSZ
  const int64_t days = whole.UtcDate().days;
  return std::string(kDays[((days % 7) + 7) % 7]) + ", " + iso.substr(8, 2) + " " +
         kMonths[std::stoi(iso.substr(5, 2)) - 1] + " " + iso.substr(0, 4) + " " + iso.substr(11, 8) +
         " +0000";
}

struct Upload {
  const std::string& text;
  size_t sent = 0;
};

size_t ReadChunk(char* buffer, size_t size, size_t count, void* data) {
  auto* upload = static_cast<Upload*>(data);
  const size_t n = std::min(size * count, upload->text.size() - upload->sent);
  std::memcpy(buffer, upload->text.data() + upload->sent, n);
  upload->sent += n;
  return n;
}

}  // namespace

std::optional<MailTls> ParseMailTls(std::string_view name) {
  for (size_t i = 0; i < kMailTlsNames.size(); ++i) {
    if (kMailTlsNames[i] == name) return static_cast<MailTls>(i);
  }
  return std::nullopt;
}

Result<std::unique_ptr<MailTransport>> MailTransport::Create(MailSettings settings, Clock& clock) {
  std::string host;
  int port = 0;
  if (!SplitServer(settings.server, host, port)) {
    return Status::InvalidArgument("mail.smtp: HOST:PORT (or [IPV6]:PORT), e.g. \"smtp.example.org:587\"");
  }
  if (Status s = CheckEmailAddress(settings.from, "mail.from"); !s.ok()) return s;
  if (settings.username.empty() != settings.password.empty()) {
    return Status::InvalidArgument(settings.username.empty()
                                       ? "mail.username: the password file is given, the user name is not"
                                       : "mail.password_file: the user name is given, the password is not");
  }
  const bool loopback = IsLoopback(host);
  const MailTls tls = settings.tls.value_or(loopback ? MailTls::kOpportunistic : MailTls::kRequired);
  if (!settings.username.empty() && tls != MailTls::kRequired && !loopback) {
    return Status::InvalidArgument("mail.tls: credentials go to a server beyond loopback only over TLS "
                                   "(tls = \"required\")");
  }
  static std::once_flag curl_ready;
  std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return std::unique_ptr<MailTransport>(new MailTransport(std::move(settings), std::move(host), port, tls, clock));
}

cases::OutgoingMail AlertMessage(const cases::AlertRecord& alert, const std::vector<std::string>& addresses,
                                 std::string_view console_url) {
  const cases::AlertMail mail = cases::AlertMailOf(alert, console_url);
  return {addresses, mail.subject, mail.body, alert.id + ".alert", "X-Custodian-Alert-Id: " + alert.id};
}

std::string MailTransport::Message(const cases::AlertRecord& alert, const std::vector<std::string>& addresses,
                                   Timestamp now) const {
  return Message(AlertMessage(alert, addresses, settings_.console_url), now);
}

std::string MailTransport::Message(const cases::OutgoingMail& mail, Timestamp now) const {
  std::string to;
  for (const std::string& a : mail.to) to += (to.empty() ? "" : ", ") + a;
  const std::string domain = settings_.from.substr(settings_.from.rfind('@') + 1);
  // The same Message-ID on every attempt: a message delivered twice reads as one.
  return "Date: " + MailDate(now) + "\r\nFrom: " + settings_.from + "\r\nTo: " + to +
         "\r\nSubject: " + mail.subject + "\r\nMessage-ID: <" + mail.message_id + "@" + domain +
         ">\r\n" + (mail.id_header.empty() ? "" : mail.id_header + "\r\n") +
         "Auto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n"
         "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" +
         mail.body;
}

Status MailTransport::Deliver(const cases::AlertRecord& alert, const std::vector<std::string>& addresses) {
  if (addresses.empty()) return Status::InvalidArgument("an alert mailed to no address");
  return Send(AlertMessage(alert, addresses, settings_.console_url));
}

Status MailTransport::Send(const cases::OutgoingMail& mail) {
  if (mail.to.empty()) return Status::InvalidArgument("a message to no address");
  const std::string message = Message(mail, clock_.Now());
  Upload upload{message};
  CURL* curl = curl_easy_init();
  if (!curl) return Status::Internal("libcurl: no handle");
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle(curl, curl_easy_cleanup);
  curl_slist* recipients = nullptr;
  for (const std::string& a : mail.to) recipients = curl_slist_append(recipients, ("<" + a + ">").c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipient_list(recipients, curl_slist_free_all);
  const std::string host = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
  // The URL's path is the name EHLO gives: the sender's domain, not this machine's name.
  const std::string url = "smtp://" + host + ":" + std::to_string(port_) + "/" +
                          settings_.from.substr(settings_.from.rfind('@') + 1);
  const std::string from = "<" + settings_.from + ">";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp");
  curl_easy_setopt(curl, CURLOPT_USE_SSL,
                   tls_ == MailTls::kRequired        ? static_cast<long>(CURLUSESSL_ALL)
                   : tls_ == MailTls::kOpportunistic ? static_cast<long>(CURLUSESSL_TRY)
                                                     : static_cast<long>(CURLUSESSL_NONE));
  if (!settings_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, settings_.ca_file.c_str());
  if (!settings_.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, settings_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
  // An address the server refuses (a mailbox gone) does not keep the others' copy back.
  // (libcurl 7.88 spells the option with three Ls.)
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadChunk);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for timeouts
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  const CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) return Status::Ok();
  long reply = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
  return Status::IoError("the mail server did not take the message: " + std::string(curl_easy_strerror(rc)) +
                         (reply ? " (SMTP " + std::to_string(reply) + ")" : ""));
}

}  // namespace custodian::server
