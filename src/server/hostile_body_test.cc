// What a hostile caller puts in a body, through real HTTP on loopback: documents nested far
// deeper than any request needs, sent to every endpoint that takes a body, and bodies larger
// than an endpoint takes, announced or chunked, with or without credentials. Each is refused
// with a problem that names the limit, a body too large is never held in memory, and the
// server goes on answering.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/api_test_fixture.h"
#include "server/raw_http_testing.h"

namespace custodian::server {
namespace {

using ::testing::StartsWith;

// `levels` nested arrays under an object's field: 50,000 (100 KB) took the server down.
std::string DeepDocument(const std::string& field, size_t levels) {
  return "{\"" + field + "\": " + std::string(levels, '[') + std::string(levels, ']') + "}";
}

class HostileBodyTest : public ApiTest {};

TEST_P(HostileBodyTest, DocumentsNestedFiftyThousandDeepAreRefusedByEveryEndpoint) {
  const Login ian = SignIn("ian"), rae = SignIn("rae"), ada = SignIn("ada");
  const std::string id = Submit(ian, Example("lcpd-subpoena"));
  ASSERT_FALSE(id.empty());
  const std::string kase = "/api/v1/cases/" + id;
  struct Call {
    std::string method, path;
    httplib::Headers headers;
    std::string body;
  };
  // As deep as each endpoint's size limit allows: a sign-in takes 8 KiB, a step's fields 64 KiB,
  // a request document 1 MiB (400,000 levels; the 100 KB of 50,000 took a server down); the
  // tests keep the registry to 64 KiB. A review's scope is an object, as a reviewer's is.
  const std::string scope = "\"decision\": \"approve\", \"scope\": {\"targets\": ";
  const std::vector<Call> calls = {
      {"POST", "/api/v1/auth/login", {}, DeepDocument("username", 4000)},
      {"POST", "/api/v1/cases", Staff(ian), DeepDocument("process", 400000)},
      {"POST", kase + "/amend", Staff(ian), DeepDocument("process", 400000)},
      {"POST", kase + "/review", Staff(rae), "{" + scope + std::string(32000, '[') + std::string(32000, ']') + "}}"},
      {"POST", kase + "/verify-requester", Staff(ian), DeepDocument("phone", 32000)},
      {"POST", kase + "/close", Staff(rae), DeepDocument("note", 32000)},
      {"POST", kase + "/nondisclosure", Staff(rae), DeepDocument("until", 32000)},
      {"POST", kase + "/productions/P-2026-000001/abort", Staff(rae), DeepDocument("reason", 32000)},
      {"PUT", "/api/v1/agencies", Staff(ada), DeepDocument("agencies", 32000)},
      {"POST", "/api/v1/portal/requests", Bearer(lcpd_), DeepDocument("targets", 400000)},
      {"POST", "/api/v1/portal/accounts", {}, DeepDocument("email", 4000)},
      {"POST", "/api/v1/portal/accounts/confirm", {}, DeepDocument("token", 4000)},
      {"POST", "/api/v1/portal/totp/enrolment", {}, DeepDocument("ticket", 4000)},
      {"POST", "/api/v1/portal/totp/confirm", {}, DeepDocument("ticket", 4000)},
      {"POST", "/api/v1/portal/session", {}, DeepDocument("email", 4000)},
  };
  for (const Call& call : calls) {
    auto r = call.method == "PUT" ? client_->Put(call.path.c_str(), call.headers, call.body, "application/json")
                                  : client_->Post(call.path.c_str(), call.headers, call.body, "application/json");
    ASSERT_TRUE(r) << call.path << ": no answer (" << httplib::to_string(r.error()) << ")";
    EXPECT_EQ(r->status, 400) << call.path << ": " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json") << call.path;
    const json problem = json::parse(r->body);
    EXPECT_EQ(problem["type"], "https://custodian.invalid/problems/invalid-request") << call.path;
    EXPECT_THAT(problem["detail"].get<std::string>(), StartsWith("/: nested deeper than 64 levels at 1:"))
        << call.path;
  }
  // Ingest lines meet the same limit, each refused by its line (a line is at most 8 KiB).
  const std::string line = "{\"account_id\": " + std::string(4000, '[') + std::string(4000, ']') + "}\n";
  for (const char* path : {"/api/v1/ingest/events", "/api/v1/ingest/subscribers"}) {
    auto r = Post(path, Bearer(service_), line, "application/x-ndjson");
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 422) << path << ": " << r->body;
    EXPECT_EQ(json::parse(r->body)["errors"][0]["error"], "nested deeper than 64 levels at 1:79") << path;
  }
  // Nothing was stored, and the server still answers.
  EXPECT_EQ(json::parse(client_->Get(kase.c_str(), Staff(rae))->body)["state"], "in_review");
  EXPECT_EQ(json::parse(client_->Get("/api/v1/cases", Staff(rae))->body).size(), 1u);
  auto keys = client_->Get("/api/v1/keys");
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->status, 200);
}

TEST_P(HostileBodyTest, DocumentsAtTheLimitAreReadAsBefore) {
  const Login rae = SignIn("rae");
  const std::string id = Submit(SignIn("ian"), Example("lcpd-subpoena"));
  // 64 levels pass the guard and reach the body's own checks, which name the field.
  auto r = Post("/api/v1/cases/" + id + "/review", Staff(rae), DeepDocument("scope", 63));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)["field"], "/decision");
}

// A request's headers, sent alone: the server must answer before a byte of the body comes.
std::string Headers(const std::string& path, const std::string& more) {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + more + "\r\n";
}

TEST_P(HostileBodyTest, ABodyOverItsEndpointsLimitIsRefusedByItsContentLengthUnread) {
  struct Case {
    std::string path, headers;
    int status;
    std::string detail;
  };
  const std::vector<Case> cases = {
      // Nobody signed in: each endpoint's own limit, before any credential is looked at.
      {"/api/v1/auth/login", "Content-Length: 1048576\r\n", 413, "At most 8192 bytes for this endpoint."},
      {"/api/v1/cases", "Content-Length: 16777216\r\n", 413, "At most 1048576 bytes for this endpoint."},
      {"/api/v1/ingest/events", "Content-Length: 16777216\r\n", 413, "At most 1048576 bytes for this endpoint."},
      {"/api/v1/cases/C-2026-000001/approve", "Content-Length: 4096\r\n", 413, "At most 1024 bytes for this endpoint."},
      // Within the limit but without credentials: refused from the headers, the body unread.
      {"/api/v1/ingest/events", "Content-Length: 1000000\r\n", 401, "No valid session or token."},
      {"/api/v1/ingest/events", "Content-Length: 1000000\r\nAuthorization: Bearer " + lcpd_ + "\r\n", 403,
       "This endpoint is not for this account."},
      // A body where no endpoint takes one: no such path, or a path that takes no POST.
      {"/api/v1/nowhere", "Content-Length: 1000000\r\n", 404, "No endpoint at this path."},
      {"/api/v1/keys", "Content-Length: 1000000\r\n", 405, "This path takes GET, HEAD."},
  };
  for (const Case& c : cases) {
    const int fd = ConnectFrom("127.0.0.1", server_->port());
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(SendAll(fd, Headers(c.path, c.headers)));
    const std::string answer = ReadUntilClosed(fd);
    ::close(fd);
    EXPECT_EQ(StatusOf(answer), c.status) << c.path << " " << c.headers << answer.substr(0, 200);
    EXPECT_NE(answer.find("Content-Type: application/problem+json"), std::string::npos) << c.path;
    const json problem = json::parse(BodyOf(answer), nullptr, false);
    EXPECT_EQ(problem.value("detail", ""), c.detail) << c.path << " " << c.headers;
  }
}

TEST_P(HostileBodyTest, AChunkedBodyIsCutOffAtItsLimitWhileItIsRead) {
  // A chunked body names no length: it is counted as it comes and refused once past the
  // limit, without waiting for its end (which this client never sends).
  struct Case {
    std::string path, credentials;
    size_t limit;
  };
  for (const Case& c : {Case{"/api/v1/auth/login", "", 8 << 10},
                        Case{"/api/v1/ingest/events", "Authorization: Bearer " + service_ + "\r\n", 1 << 20}}) {
    const int fd = ConnectFrom("127.0.0.1", server_->port());
    ASSERT_GE(fd, 0);
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", c.limit + 1);
    ASSERT_TRUE(SendAll(fd, Headers(c.path, c.credentials + "Transfer-Encoding: chunked\r\n") + size +
                                std::string(c.limit + 1, '\n') + "\r\n"));
    const std::string answer = ReadUntilClosed(fd);
    ::close(fd);
    EXPECT_EQ(StatusOf(answer), 413) << c.path << ": " << answer.substr(0, 200);
    EXPECT_EQ(json::parse(BodyOf(answer), nullptr, false).value("detail", ""),
              "At most " + std::to_string(c.limit) + " bytes for this endpoint.");
  }
  EXPECT_EQ(vault_->Stats()->events, 0u);
}

TEST_P(HostileBodyTest, RefusedBodiesDoNotGrowTheServersMemory) {
  // 64 MiB bodies, each sent a MiB at a time (so the client holds one MiB): four chunked ones
  // from a service, four announced ones from nobody. The server is this process: its peak
  // resident memory is what the refusals cost.
  const std::string mib(1 << 20, '\n');
  char chunk[32];
  std::snprintf(chunk, sizeof chunk, "%zx\r\n", mib.size());
  const long before = (ResetPeakResident(), PeakResidentKib());
  ASSERT_GT(before, 0);
  for (int i = 0; i < 8; ++i) {
    const bool chunked = i % 2 == 0;
    const int fd = ConnectFrom("127.0.0.1", server_->port());
    ASSERT_GE(fd, 0);
    bool sending = SendAll(fd, Headers("/api/v1/ingest/events",
                                       chunked ? "Authorization: Bearer " + service_ + "\r\nTransfer-Encoding: chunked\r\n"
                                               : "Content-Length: 67108864\r\n"));
    for (int sent = 0; sending && sent < 64; ++sent) {
      sending = chunked ? SendAll(fd, chunk + mib + "\r\n") : SendAll(fd, mib);
    }
    const std::string answer = ReadUntilClosed(fd);
    ::close(fd);
    // The answer may be lost to a reset while the client still sends; when it comes, it refuses.
    if (!answer.empty()) {
      EXPECT_EQ(StatusOf(answer), 413) << answer.substr(0, 200);
    }
  }
  const long grown = PeakResidentKib() - before;
  RecordProperty("peak_resident_growth_kib", std::to_string(grown));
  std::cout << "peak resident memory grew by " << grown << " KiB for 8 refused bodies of 64 MiB\n";
  // A chunked body is read up to its limit (1 MiB here) by a worker, each with its own heap:
  // well under one body of 64 MiB. Under AddressSanitizer freed memory waits in its quarantine
  // (256 MiB), so the figure means nothing there: the release suite holds the bound.
#ifndef CUSTODIAN_ASAN
  EXPECT_LT(grown, 32 << 10) << "KiB: a refused body was held";
#endif
  EXPECT_EQ(vault_->Stats()->events, 0u);
  // And the server still answers.
  auto keys = client_->Get("/api/v1/keys");
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->status, 200);
}

INSTANTIATE_TEST_SUITE_P(Stores, HostileBodyTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::server
