// Notices and alerts to the service over HTTP(S): a POST of a JSON body to the configured
// URL, signed: X-Custodian-Timestamp (seconds since the epoch) and X-Custodian-Signature
// ("sha256=" and the hex HMAC-SHA256, under the shared webhook key, of timestamp "." body);
// X-Custodian-Notice-Id or X-Custodian-Alert-Id names what it carries. Any 2xx answer
// acknowledges it. Thread-safe (one client per delivery).
#pragma once

#include <string>
#include <string_view>

#include "cases/alert_outbox.h"
#include "cases/notice_outbox.h"
#include "core/clock.h"

namespace custodian::server {

// The settings a webhook was configured by, for the messages that name them.
struct WebhookSettings {
  std::string_view url = "notices.webhook_url";
  std::string_view key_file = "notices.webhook_key_file";
};

class WebhookTransport final : public cases::NoticeTransport {
 public:
  // InvalidArgument, naming the setting, for a URL that is not http(s)://host[:port]/path, or
  // a key shorter than 32 bytes.
  static Result<std::unique_ptr<WebhookTransport>> Create(const std::string& url, std::string key,
                                                          Clock& clock, WebhookSettings settings = {});
  Status Deliver(const cases::NoticeRecord& notice) override;
  // POSTs `body`, signed, with `id_header: id`; ok on a 2xx answer.
  Status Post(const std::string& id_header, const std::string& id, const std::string& body);

  // What the service checks: the signature of `body` sent at `timestamp` under `key`.
  static std::string Signature(std::string_view key, std::string_view timestamp,
                               std::string_view body);

 private:
  WebhookTransport(std::string origin, std::string path, std::string key, Clock& clock)
      : origin_(std::move(origin)), path_(std::move(path)), key_(std::move(key)), clock_(clock) {}

  const std::string origin_;  // scheme://host[:port]
  const std::string path_;
  const std::string key_;
  Clock& clock_;
};

// Alerts by webhook ([alerts] webhook): cases/alert_message.h's payload, signed as notices
// are, with X-Custodian-Alert-Id.
class AlertWebhook final : public cases::AlertTransport {
 public:
  AlertWebhook(std::unique_ptr<WebhookTransport> webhook, std::string console_url)
      : webhook_(std::move(webhook)), console_url_(std::move(console_url)) {}
  Status Deliver(const cases::AlertRecord& alert, const std::vector<std::string>& addresses) override;

 private:
  const std::unique_ptr<WebhookTransport> webhook_;
  const std::string console_url_;
};

}  // namespace custodian::server
