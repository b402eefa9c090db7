// Notices to the service over HTTP(S): a POST of the notice's JSON to the configured URL,
// signed: X-Custodian-Timestamp (seconds since the epoch) and X-Custodian-Signature
// ("sha256=" and the hex HMAC-SHA256, under the shared webhook key, of timestamp "." body);
// X-Custodian-Notice-Id names it. Any 2xx answer acknowledges it.
// Thread-safe (one client per delivery).
#pragma once

#include <string>

#include "cases/notice_outbox.h"
#include "core/clock.h"

namespace custodian::server {

class WebhookTransport final : public cases::NoticeTransport {
 public:
  // InvalidArgument for a URL that is not http(s)://host[:port]/path, or a key shorter than
  // 32 bytes.
  static Result<std::unique_ptr<WebhookTransport>> Create(const std::string& url,
                                                          std::string key, Clock& clock);
  Status Deliver(const cases::NoticeRecord& notice) override;

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

}  // namespace custodian::server
