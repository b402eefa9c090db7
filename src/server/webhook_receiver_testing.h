// For the notice and alert tests: the service's side of custodian's webhook, a real HTTP server
// on loopback that checks each POST's signature with libsodium directly (not with custodian's
// code), records what came, and answers 500 to the first `failures` posts.
// Its members are read by the test after the posts it awaits have been answered.
#pragma once

#include <httplib.h>
#include <sodium.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/sha256.h"

namespace custodian::testing {

class WebhookReceiver {
 public:
  // Takes POSTs at `path`, signed under `key`; `id_header` names what each carries.
  WebhookReceiver(std::string key, std::string path, std::string id_header)
      : key_(std::move(key)), path_(std::move(path)), id_header_(std::move(id_header)) {
    server_.Post(path_, [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      const std::string timestamp = req.get_header_value("X-Custodian-Timestamp");
      const std::string signed_text = timestamp + "." + req.body;
      unsigned char mac[crypto_auth_hmacsha256_BYTES];
      crypto_auth_hmacsha256_state state;
      crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key_.data()), key_.size());
      crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(signed_text.data()),
                                    signed_text.size());
      crypto_auth_hmacsha256_final(&state, mac);
      ids.push_back(req.get_header_value(id_header_.c_str()));
      bodies.push_back(req.body);
      good_signatures += req.get_header_value("X-Custodian-Signature") == "sha256=" + HexEncode(mac, sizeof mac);
      res.status = failures-- > 0 ? 500 : 200;
    });
    port = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~WebhookReceiver() {
    server_.stop();
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port) + path_; }

  std::mutex mu_;
  int failures = 0;
  int good_signatures = 0;
  std::vector<std::string> ids, bodies;
  int port = 0;

 private:
  const std::string key_, path_, id_header_;
  httplib::Server server_;
  std::thread thread_;
};

}  // namespace custodian::testing
