#include "server/webhook_transport.h"

#include <httplib.h>
#include <sodium.h>

#include "cases/alert_message.h"
#include "core/sha256.h"

namespace custodian::server {

Result<std::unique_ptr<WebhookTransport>> WebhookTransport::Create(const std::string& url,
                                                                   std::string key, Clock& clock,
                                                                   WebhookSettings settings) {
  const std::string url_setting(settings.url), key_setting(settings.key_file);
  const bool https = url.starts_with("https://");
  if (!https && !url.starts_with("http://")) {
    return Status::InvalidArgument(url_setting + ": not an http:// or https:// URL");
  }
  const size_t host_start = url.find("://") + 3;
  const size_t path_start = url.find('/', host_start);
  if (path_start == host_start) return Status::InvalidArgument(url_setting + ": no host");
  if (key.size() < 32) {
    return Status::InvalidArgument(key_setting + ": at least 32 bytes of key");
  }
  return std::unique_ptr<WebhookTransport>(new WebhookTransport(
      url.substr(0, path_start), path_start == std::string::npos ? "/" : url.substr(path_start),
      std::move(key), clock));
}

std::string WebhookTransport::Signature(std::string_view key, std::string_view timestamp,
                                        std::string_view body) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(timestamp.data()),
                                timestamp.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>("."), 1);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return "sha256=" + HexEncode(mac, sizeof mac);
}

Status WebhookTransport::Deliver(const cases::NoticeRecord& notice) {
  return Post("X-Custodian-Notice-Id", notice.id, notice.payload);
}

Status WebhookTransport::Post(const std::string& id_header, const std::string& id,
                              const std::string& body) {
  const std::string timestamp = std::to_string(clock_.Now().micros / kMicrosPerSecond);
  httplib::Client client(origin_);
  client.set_connection_timeout(std::chrono::seconds(10));
  client.set_read_timeout(std::chrono::seconds(30));
  const httplib::Headers headers = {{id_header, id},
                                    {"X-Custodian-Timestamp", timestamp},
                                    {"X-Custodian-Signature", Signature(key_, timestamp, body)}};
  auto r = client.Post(path_.c_str(), headers, body, "application/json");
  if (!r) return Status::IoError("the webhook did not answer: " + httplib::to_string(r.error()));
  if (r->status < 200 || r->status > 299) {
    return Status::IoError("the webhook answered " + std::to_string(r->status));
  }
  return Status::Ok();
}

Status AlertWebhook::Deliver(const cases::AlertRecord& alert, const std::vector<std::string>&) {
  return webhook_->Post("X-Custodian-Alert-Id", alert.id, cases::AlertPayload(alert, console_url_));
}

}  // namespace custodian::server
