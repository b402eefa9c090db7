// Clients that send slowly, through real sockets on loopback: connections from one address
// that trickle their headers take no more than their share of the server's workers, and a
// request whose headers or body come too slowly is cut off at its deadline. Over TLS too.
#include <poll.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "server/api_test_fixture.h"
#include "server/guarded_http_server.h"
#include "server/raw_http_testing.h"

namespace custodian::server {
namespace {

constexpr size_t kWorkers = 8;  // httplib's own count on this machine, all a slow client needs
constexpr size_t kPerAddress = 4;
constexpr size_t kRequestsPerConnection = 20;
constexpr int kSlowConnections = 32;

// A server with eight workers and at most four connections per address. Its deadlines are
// long (slow clients are held until the test ends) unless a test shortens them.
class SlowClientTest : public ApiTest {
 protected:
  ServerOptions Options() const override {
    ServerOptions options = ApiTest::Options();
    options.connections.workers = kWorkers;
    options.connections.max_per_address = kPerAddress;
    options.connections.header_timeout = header_timeout_;
    options.connections.body_timeout = body_timeout_;
    options.connections.keep_alive_timeout = std::chrono::seconds(600);
    options.connections.requests_per_connection = kRequestsPerConnection;
    return options;
  }
  std::chrono::seconds header_timeout_{600};
  std::chrono::seconds body_timeout_{600};
};

// Whether the server has said anything or closed: a connection it refused.
bool Answered(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

TEST_P(SlowClientTest, ThePublicEndpointsAnswerWhileThirtyTwoSlowConnectionsComeFromOneAddress) {
  // 32 connections from 127.0.0.2, each with half a request's headers, never finished.
  std::vector<int> slow;
  for (int i = 0; i < kSlowConnections; ++i) {
    const int fd = ConnectFrom("127.0.0.2", server_->port());
    ASSERT_GE(fd, 0) << "connection " << i;
    ASSERT_TRUE(SendAll(fd, "GET /api/v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
    slow.push_back(fd);
  }
  // A client on 127.0.0.1 meanwhile: the public endpoints answer it.
  httplib::Client client("127.0.0.1", server_->port());
  client.set_read_timeout(std::chrono::seconds(30));
  for (const char* path : {"/api/v1/keys", "/api/v1/reports", "/api/openapi.json"}) {
    auto r = client.Get(path);
    ASSERT_TRUE(r) << path << ": " << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200) << path;
  }
  // The server holds four of the slow connections; it answered the other 28 with 429 and
  // closed them, before reading their requests.
  size_t refused = 0;
  for (int round = 0; round < 3000 && refused < kSlowConnections - kPerAddress; ++round) {
    refused = 0;
    for (int fd : slow) refused += Answered(fd);
    if (refused < kSlowConnections - kPerAddress) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(refused, kSlowConnections - kPerAddress);
  EXPECT_EQ(server_->ConnectionsFrom("127.0.0.2"), kPerAddress);
  RecordProperty("slow_connections_held", std::to_string(server_->ConnectionsFrom("127.0.0.2")));
  std::cout << "the slow client held " << server_->ConnectionsFrom("127.0.0.2") << " of its "
            << kSlowConnections << " connections; " << refused << " were refused\n";
  for (int fd : slow) {
    if (!Answered(fd)) continue;
    const std::string answer = ReadUntilClosed(fd);
    EXPECT_TRUE(answer.empty() || StatusOf(answer) == 429) << answer.substr(0, 200);
    if (!answer.empty()) {
      EXPECT_EQ(json::parse(BodyOf(answer))["detail"], "At most 4 connections at once from one address.");
    }
  }
  for (int fd : slow) ::close(fd);
}

// A browser keeps its connections open after a page loads; at the bound, one of them idle
// between requests is closed to let a new one in, and the rest are kept.
TEST_P(SlowClientTest, AnIdleConnectionMakesRoomForANewOneFromItsAddress) {
  const std::string request = "GET /api/v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  std::vector<int> idle;
  for (size_t i = 0; i < kPerAddress; ++i) {
    const int fd = ConnectFrom("127.0.0.3", server_->port());
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(SendAll(fd, request));
    ASSERT_EQ(StatusOf(ReadAnswer(fd)), 200) << "connection " << i;
    idle.push_back(fd);
  }
  ASSERT_EQ(server_->ConnectionsFrom("127.0.0.3"), kPerAddress);

  const int fresh = ConnectFrom("127.0.0.3", server_->port());
  ASSERT_GE(fresh, 0);
  ASSERT_TRUE(SendAll(fresh, request));
  EXPECT_EQ(StatusOf(ReadAnswer(fresh)), 200);
  EXPECT_EQ(server_->ConnectionsFrom("127.0.0.3"), kPerAddress);
  // Exactly one idle connection was closed, unanswered; the others still serve requests.
  size_t closed = 0;
  for (int fd : idle) {
    if (!Answered(fd)) {
      ASSERT_TRUE(SendAll(fd, request));
      EXPECT_EQ(StatusOf(ReadAnswer(fd)), 200);
      continue;
    }
    EXPECT_EQ(ReadUntilClosed(fd), "");
    ++closed;
  }
  EXPECT_EQ(closed, 1u);
  for (int fd : idle) ::close(fd);
  ::close(fresh);
}

TEST_P(SlowClientTest, AConnectionServesItsRequestsAndItsLastOneFreesItsPlaceAtOnce) {
  // A busy client keeps its connection for requests_per_connection requests (here 20; httplib
  // would close it after five). Its last answer says the connection closes, and the client
  // may open its next one as soon as it reads it: from the last request on, the connection no
  // longer counts against its address, so the next one is not refused while the server still
  // finishes the old.
  const std::string request = "GET /api/v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  const std::string half = "GET /api/v1/keys HTTP/1.1\r\nX-Slow: ";
  std::vector<int> open;
  for (size_t i = 0; i < kPerAddress; ++i) {
    open.push_back(ConnectFrom("127.0.0.4", server_->port()));
    ASSERT_GE(open.back(), 0);
    ASSERT_TRUE(SendAll(open.back(), request));
    ASSERT_EQ(StatusOf(ReadAnswer(open.back())), 200);
    // The others stay busy, halfway through a request's headers: none is idle to make room.
    if (i > 0) {
      ASSERT_TRUE(SendAll(open.back(), half));
    }
  }
  for (size_t i = 1; i + 1 < kRequestsPerConnection; ++i) {
    ASSERT_TRUE(SendAll(open[0], request)) << "request " << i;
    const std::string answer = ReadAnswer(open[0]);
    ASSERT_EQ(StatusOf(answer), 200) << "request " << i;
    ASSERT_NE(HeaderOf(answer, "Connection"), "close") << "request " << i;
  }
  // The last request, begun: the connection's place is free while the server reads it.
  ASSERT_TRUE(SendAll(open[0], half));
  for (int round = 0; round < 3000 && server_->ConnectionsFrom("127.0.0.4") == kPerAddress; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(server_->ConnectionsFrom("127.0.0.4"), kPerAddress - 1);
  const int next = ConnectFrom("127.0.0.4", server_->port());
  ASSERT_GE(next, 0);
  ASSERT_TRUE(SendAll(next, request));
  EXPECT_EQ(StatusOf(ReadAnswer(next)), 200);
  ASSERT_TRUE(SendAll(open[0], "1\r\nHost: 127.0.0.1\r\n\r\n"));
  const std::string last = ReadAnswer(open[0]);
  EXPECT_EQ(StatusOf(last), 200);
  EXPECT_EQ(HeaderOf(last, "Connection"), "close");
  for (int fd : open) ::close(fd);
  ::close(next);
}

class SlowRequestTest : public SlowClientTest {
 protected:
  void SetUp() override {
    header_timeout_ = body_timeout_ = std::chrono::seconds(1);
    SlowClientTest::SetUp();
  }

  // Sends `start`, then `trickle` a byte every 100 ms, until the server answers or closes;
  // returns the answer and how much of the trickle went out.
  std::pair<std::string, size_t> Trickle(const std::string& start, const std::string& trickle) {
    const int fd = ConnectFrom("127.0.0.1", server_->port());
    EXPECT_GE(fd, 0);
    EXPECT_TRUE(SendAll(fd, start));
    size_t sent = 0;
    while (sent < trickle.size() && !Answered(fd) && SendAll(fd, trickle.substr(sent, 1))) {
      ++sent;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::string answer = ReadUntilClosed(fd);
    ::close(fd);
    return {answer, sent};
  }
};

TEST_P(SlowRequestTest, HeadersSentAByteAtATimeAreCutOffAtTheirDeadline) {
  // 600 bytes at 10 a second would take a minute: the deadline is a second.
  const auto [answer, sent] = Trickle("GET /api/v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", std::string(600, 'a'));
  EXPECT_LT(sent, 600u) << "the server waited for all of it";
  EXPECT_EQ(StatusOf(answer), 408) << answer.substr(0, 200);
  EXPECT_EQ(json::parse(BodyOf(answer))["type"], "https://custodian.invalid/problems/request-timeout");
}

TEST_P(SlowRequestTest, ABodySentAByteAtATimeIsCutOffAtItsDeadline) {
  const std::string body = json{{"username", "ian"}, {"password", kPassword}}.dump();
  const auto [answer, sent] = Trickle("POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                      "Content-Type: application/json\r\nContent-Length: " +
                                          std::to_string(body.size() + 600) + "\r\n\r\n",
                                      body + std::string(600, ' '));
  EXPECT_LT(sent, body.size() + 600) << "the server waited for all of it";
  EXPECT_EQ(StatusOf(answer), 408) << answer.substr(0, 200);
}

TEST_P(SlowRequestTest, HeadersBeyondTheirLimitAreRefused) {
  const int fd = ConnectFrom("127.0.0.1", server_->port());
  ASSERT_GE(fd, 0);
  std::string headers = "GET /api/v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  while (headers.size() < kMaxHeaderBytes + 1000) headers += "X-Filler: " + std::string(1000, 'f') + "\r\n";
  SendAll(fd, headers);  // the server may stop reading before the end
  const std::string answer = ReadUntilClosed(fd);
  ::close(fd);
  EXPECT_EQ(StatusOf(answer), 431) << answer.substr(0, 200);
}

// A self-signed certificate for 127.0.0.1 and its key, as PEM files in `dir`.
void WriteCertificate(const std::string& dir) {
  std::filesystem::create_directories(dir);
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  FILE* f = std::fopen((dir + "/cert.pem").c_str(), "w");
  PEM_write_X509(f, cert);
  std::fclose(f);
  f = std::fopen((dir + "/key.pem").c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
}

TEST_P(SlowRequestTest, OverTlsRequestsAreServedAndASilentHandshakeIsCutOff) {
  WriteCertificate(packages_dir_.string());
  ServerOptions options = Options();
  options.tls_certificate = (packages_dir_ / "cert.pem").string();
  options.tls_private_key = (packages_dir_ / "key.pem").string();
  auto tls = ApiServer::Start(Services(*users_), options);
  ASSERT_TRUE(tls.ok()) << tls.status().message();
  httplib::SSLClient client("127.0.0.1", (*tls)->port());
  client.enable_server_certificate_verification(false);
  auto keys = client.Get("/api/v1/keys");
  ASSERT_TRUE(keys) << httplib::to_string(keys.error());
  EXPECT_EQ(keys->status, 200);
  EXPECT_EQ(keys->get_header_value("Strict-Transport-Security"), "max-age=31536000") << "HTTPS only, from now on";
  auto login = client.Post("/api/v1/auth/login", json{{"username", "ian"}, {"password", kPassword}}.dump(),
                           "application/json");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 200);
  EXPECT_NE(login->get_header_value("Set-Cookie").find("; Secure"), std::string::npos);
  // A connection that never starts its handshake is closed at the header deadline.
  const int fd = ConnectFrom("127.0.0.1", (*tls)->port());
  ASSERT_GE(fd, 0);
  EXPECT_EQ(ReadUntilClosed(fd), "");
  ::close(fd);
}

INSTANTIATE_TEST_SUITE_P(Stores, SlowClientTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);
INSTANTIATE_TEST_SUITE_P(Stores, SlowRequestTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::server
