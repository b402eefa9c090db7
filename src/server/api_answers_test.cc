// How the API answers, through real HTTP on loopback: an operation that takes no body is
// served without one (no Content-Length at all, as `curl -X POST` sends it); every answer
// carries the headers that keep it out of caches and away from browsers' guesses; a method
// that a path does not take is 405 with Allow; a query parameter of the wrong type is 400 with
// a pointer to it; and no problem repeats the ids the request sent (docs/api.md).
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/api_test_fixture.h"
#include "server/raw_http_testing.h"

namespace custodian::server {
namespace {

class ApiAnswersTest : public ApiTest {
 protected:
  // `method path` with these headers and no body, on a connection kept open, and the answer;
  // then a second request on the same connection, which must be answered too (the server read
  // exactly the first request, nothing after it).
  std::string Raw(const std::string& method, const std::string& path, const std::string& headers = "",
                  const std::string& body = "") {
    const int fd = ConnectFrom("127.0.0.1", server_->port());
    EXPECT_GE(fd, 0);
    if (fd < 0) return "";
    SendAll(fd, method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n" + body);
    const std::string answer = ReadAnswer(fd);
    if (HeaderOf(answer, "Connection") != "close") {
      SendAll(fd, "GET /api/v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      EXPECT_EQ(StatusOf(ReadAnswer(fd)), 200) << method << " " << path << ": the connection lost its place";
    }
    ::close(fd);
    return answer;
  }
  static std::string StaffHeaders(const Login& l) {
    return "Cookie: " + l.cookie + "\r\nX-CSRF-Token: " + l.csrf + "\r\n";
  }
  static json BodyJson(const std::string& answer) { return json::parse(BodyOf(answer), nullptr, false); }
};

TEST_P(ApiAnswersTest, EveryOperationThatTakesNoBodyIsServedWithoutContentLength) {
  vault::IngestReport report;  // one event in the order's window
  ASSERT_TRUE(vault_->Ingest(R"({"account_id": 1000042, "ts": "2026-02-16T08:00:00Z", "kind": "login", "ip": "203.0.113.5"})"
                             "\n", report).ok());
  const Login ian = SignIn("ian"), rae = SignIn("rae"), abe = SignIn("abe"), aud = SignIn("aud");

  // Decide again, review, approve (no body), produce (no body).
  const std::string id = Submit(ian, Example("hsi-child-safety-court-order"));
  std::string answer = Raw("POST", "/api/v1/cases/" + id + "/decisions", StaffHeaders(rae));
  ASSERT_EQ(StatusOf(answer), 201) << answer;
  EXPECT_EQ(BodyJson(answer)["decision_taken"]["seq"], 2);
  ASSERT_EQ(Post("/api/v1/cases/" + id + "/review", Staff(rae), R"({"decision": "approve", "confirm_investigation": true})")->status, 200);
  answer = Raw("POST", "/api/v1/cases/" + id + "/approve", StaffHeaders(abe));
  ASSERT_EQ(StatusOf(answer), 200) << answer;
  EXPECT_EQ(BodyJson(answer)["state"], "approved");
  answer = Raw("POST", "/api/v1/cases/" + id + "/productions", StaffHeaders(rae));
  ASSERT_EQ(StatusOf(answer), 202) << answer;
  const std::string production = BodyJson(answer)["production"];
  const std::string status_path = "/api/v1/cases/" + id + "/productions/" + production;
  json status;
  for (int polls = 0; polls < 600; ++polls) {  // a bounded wait, not a timing threshold
    status = json::parse(client_->Get(status_path.c_str(), Staff(aud))->body);
    if (status["outcome"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(status["outcome"], "produced") << status.dump();

  // Issue a download grant, and revoke it (no body).
  answer = Raw("POST", status_path + "/downloads", StaffHeaders(rae));
  ASSERT_EQ(StatusOf(answer), 201) << answer;
  const std::string grant = BodyJson(answer)["id"];
  answer = Raw("POST", "/api/v1/downloads/" + grant + "/revoke", StaffHeaders(abe));
  ASSERT_EQ(StatusOf(answer), 200) << answer;
  EXPECT_EQ(BodyJson(answer)["state"], "revoked");

  // Release a hold (no body).
  const std::string preservation = Submit(ian, Example("preservation"));
  ASSERT_EQ(Post("/api/v1/cases/" + preservation + "/review", Staff(rae), R"({"decision": "approve"})")->status, 200);
  const std::string hold = preservation + "-H1";
  answer = Raw("POST", "/api/v1/holds/" + hold + "/release", StaffHeaders(rae));
  ASSERT_EQ(StatusOf(answer), 200) << answer;
  EXPECT_EQ(BodyJson(answer)["released"], hold);
  EXPECT_TRUE(vault_->Holds().empty());

  // Sign out (no body): the session ends.
  answer = Raw("POST", "/api/v1/auth/logout", StaffHeaders(aud));
  ASSERT_EQ(StatusOf(answer), 204) << answer;
  EXPECT_EQ(client_->Get("/api/v1/cases", Staff(aud))->status, 401);
}

TEST_P(ApiAnswersTest, EveryAnswerCarriesNosniffNoReferrerAndNoStore) {
  const Login rae = SignIn("rae");
  struct Call {
    std::string method, path, headers;
    int status;
    std::string body = "";
  };
  const std::vector<Call> calls = {
      {"GET", "/api/openapi.json", "", 200},
      {"GET", "/api/v1/keys", "", 200},
      {"GET", "/api/v1/reports", "", 200},
      {"GET", "/api/v1/ledger/audit/head", "", 404},
      {"GET", "/api/v1/cases", StaffHeaders(rae), 200},
      {"GET", "/api/v1/cases", "", 401},
      {"GET", "/api/v1/portal/requests", StaffHeaders(rae), 403},
      {"GET", "/api/v1/cases/C-2026-000001", StaffHeaders(rae), 404},
      {"GET", "/api/v1/nowhere", "", 404},
      {"DELETE", "/api/v1/cases", StaffHeaders(rae), 405},
      {"POST", "/api/v1/auth/login", "Content-Length: 2\r\n", 400, "{}"},
      {"POST", "/api/v1/auth/login", "Content-Length: 100000\r\n", 413},
      {"POST", "/api/v1/cases", "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 10\r\n", 415},
      {"BREW", "/api/v1/cases", "", 400},
  };
  for (const Call& c : calls) {
    SCOPED_TRACE(c.method + " " + c.path);
    const std::string answer = Raw(c.method, c.path, c.headers, c.body);
    EXPECT_EQ(StatusOf(answer), c.status) << answer.substr(0, 300);
    EXPECT_EQ(HeaderOf(answer, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(HeaderOf(answer, "Referrer-Policy"), "no-referrer");
    EXPECT_EQ(HeaderOf(answer, "Cache-Control"), "no-store");
    EXPECT_EQ(HeaderOf(answer, "Strict-Transport-Security"), "") << "not over plain HTTP";
    const std::string head = answer.substr(0, answer.find("\r\n\r\n"));
    EXPECT_EQ(head.find("Cache-Control", head.find("Cache-Control") + 1), std::string::npos) << "once";
  }
  // The sign-in's answer, with its CSRF token, as any client sees it.
  auto login = client_->Post("/api/v1/auth/login", json{{"username", "ian"}, {"password", kPassword}}.dump(),
                             "application/json");
  ASSERT_EQ(login->status, 200);
  EXPECT_EQ(login->get_header_value("Cache-Control"), "no-store");

  // A connection over the per-address bound is answered before its request is read: the same.
  ServerOptions options = Options();
  options.connections.max_per_address = 1;
  auto bounded = ApiServer::Start(Services(*users_), options);
  ASSERT_TRUE(bounded.ok()) << bounded.status().message();
  const int first = ConnectFrom("127.0.0.1", (*bounded)->port());
  ASSERT_GE(first, 0);
  // The first is counted, its headers unfinished (an idle one would make room for another).
  SendAll(first, "GET /api/v1/keys HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  for (int i = 0; i < 3000 && (*bounded)->ConnectionsFrom("127.0.0.1") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ((*bounded)->ConnectionsFrom("127.0.0.1"), 1u);
  const int second = ConnectFrom("127.0.0.1", (*bounded)->port());
  ASSERT_GE(second, 0);
  const std::string refused = ReadUntilClosed(second);
  ::close(second);
  ::close(first);
  EXPECT_EQ(StatusOf(refused), 429) << refused;
  EXPECT_EQ(HeaderOf(refused, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(HeaderOf(refused, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(HeaderOf(refused, "Cache-Control"), "no-store");
}

TEST_P(ApiAnswersTest, AnAnswerIsWholeAndWhatHttpRefusesItselfIsAProblemWithADetail) {
  const std::string whole = BodyOf(Raw("GET", "/api/v1/keys"));
  ASSERT_FALSE(whole.empty());
  const std::string ranged = Raw("GET", "/api/v1/keys", "Range: bytes=0-10\r\n");
  EXPECT_EQ(StatusOf(ranged), 200);
  EXPECT_EQ(BodyOf(ranged), whole) << "not 11 bytes of it";
  // A body on a GET is refused unread; it is not taken for a request after it.
  const std::string smuggled = Raw("GET", "/api/v1/keys", "Content-Length: 38\r\n",
                                   "GET /api/v1/reports HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(StatusOf(smuggled), 413);
  EXPECT_EQ(BodyJson(smuggled)["detail"], "At most 0 bytes for this endpoint.");
  EXPECT_EQ(HeaderOf(smuggled, "Connection"), "close");
  // What the HTTP layer refuses itself is a problem too, and ends the connection.
  const std::string unreadable = Raw("GET", "/api/v1/keys", "Range: bytes=zz\r\n");
  EXPECT_EQ(StatusOf(unreadable), 416);
  EXPECT_EQ(BodyJson(unreadable)["type"], "https://custodian.invalid/problems/http-error");
  EXPECT_EQ(HeaderOf(unreadable, "Connection"), "close");
  const std::string too_long = Raw("GET", "/api/v1/keys?x=" + std::string(9000, 'a'));
  EXPECT_EQ(StatusOf(too_long), 414);
  EXPECT_EQ(BodyJson(too_long)["detail"], "HTTP 414: the server could not take this request.");
  // A request line it cannot read was a 400 with an empty detail, and what followed on the
  // connection was read as a request.
  const std::string unknown = Raw("BREW", "/api/v1/cases");
  EXPECT_EQ(StatusOf(unknown), 400);
  EXPECT_EQ(BodyJson(unknown)["detail"], "The request line or its headers could not be read.");
  EXPECT_EQ(HeaderOf(unknown, "Connection"), "close");
}

TEST_P(ApiAnswersTest, AMethodAPathDoesNotTakeIs405WithAllow) {
  const Login ada = SignIn("ada");
  struct Call {
    std::string method, path, headers, allow;
  };
  const std::vector<Call> calls = {
      {"GET", "/api/v1/auth/login", "", "POST"},
      {"GET", "/api/v1/auth/logout", StaffHeaders(ada), "POST"},
      {"DELETE", "/api/v1/cases/C-2026-000001", StaffHeaders(ada), "GET, HEAD"},
      {"PUT", "/api/v1/cases", StaffHeaders(ada), "GET, HEAD, POST"},
      {"OPTIONS", "/api/v1/keys", "", "GET, HEAD"},
      {"POST", "/api/openapi.json", "", "GET, HEAD"},
      {"GET", "/api/v1/holds/C-2026-000001-H1/release", "", "POST"},
      // A body sent with it is left unread, and the connection closed after the answer.
      {"PATCH", "/api/v1/agencies", StaffHeaders(ada) + "Content-Length: 100000\r\n", "GET, HEAD, PUT"},
  };
  for (const Call& c : calls) {
    SCOPED_TRACE(c.method + " " + c.path);
    const std::string answer = Raw(c.method, c.path, c.headers);
    EXPECT_EQ(StatusOf(answer), 405) << answer.substr(0, 300);
    EXPECT_EQ(HeaderOf(answer, "Allow"), c.allow);
    EXPECT_EQ(HeaderOf(answer, "Content-Type"), "application/problem+json");
    const json problem = BodyJson(answer);
    EXPECT_EQ(problem["type"], "https://custodian.invalid/problems/method-not-allowed");
    EXPECT_EQ(problem["status"], 405);
    EXPECT_EQ(problem["detail"], "This path takes " + c.allow + ".");
  }
  EXPECT_EQ(StatusOf(Raw("GET", "/api/v1/nowhere")), 404);
  EXPECT_EQ(StatusOf(Raw("DELETE", "/api/v1/cases/C-1")), 404) << "no route has this path";
}

TEST_P(ApiAnswersTest, AQueryParameterOfTheWrongTypeIs400WithAPointerToIt) {
  const Login rae = SignIn("rae");
  struct Call {
    std::string path, field, detail;
  };
  const std::vector<Call> calls = {
      {"/api/v1/cases?open=maybe", "/query/open", "/query/open: true or false"},
      {"/api/v1/cases?open=", "/query/open", "/query/open: true or false"},
      {"/api/v1/cases?state=pending", "/query/state", "/query/state: not a case state"},
      {"/api/v1/holds?case=everything", "/query/case", "/query/case: not a case id"},
      {"/api/v1/notices?case=C-26-1", "/query/case", "/query/case: not a case id"},
      {"/api/v1/reports/2026-H1?format=xml", "/query/format", "/query/format: json, csv or html"},
  };
  for (const Call& c : calls) {
    SCOPED_TRACE(c.path);
    auto r = client_->Get(c.path.c_str(), Staff(rae));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json");
    const json problem = json::parse(r->body);
    EXPECT_EQ(problem["field"], c.field);
    EXPECT_EQ(problem["detail"], c.detail);
  }
  for (const char* path : {"/api/v1/cases?open=true", "/api/v1/cases?open=false", "/api/v1/cases?state=in_review",
                           "/api/v1/holds?case=C-2026-000001", "/api/v1/notices?case=C-2026-000001"}) {
    EXPECT_EQ(client_->Get(path, Staff(rae))->status, 200) << path;
  }
}

TEST_P(ApiAnswersTest, ProblemsPointAtTheFieldAndRepeatNoIdOfTheRequest) {
  const Login ian = SignIn("ian"), rae = SignIn("rae");
  const std::string id = Submit(ian, Example("lcpd-subpoena"));
  struct Call {
    std::string method, path, body;
    int status;
    std::string detail;
  };
  const std::vector<Call> calls = {
      {"GET", "/api/v1/cases/C-2026-000999", "", 404, "no case {id}"},
      {"GET", "/api/v1/cases/" + id + "/productions/P-2026-000999", "", 404, "case {id} has no production {production}"},
      {"POST", "/api/v1/holds/C-2026-000999-H7/release", "", 404, "no hold {hold}"},
      {"POST", "/api/v1/downloads/D-" + std::string(32, 'a') + "/revoke", "", 404, "no download {grant}"},
      {"GET", "/api/v1/ledger/audit/consistency?first=1&second=3", "", 404, "no signed head of log {log} at size {first}"},
  };
  for (const Call& c : calls) {
    SCOPED_TRACE(c.method + " " + c.path);
    auto r = c.method == "GET" ? client_->Get(c.path.c_str(), Staff(rae)) : Post(c.path, Staff(rae), c.body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, c.status) << r->body;
    EXPECT_EQ(json::parse(r->body)["detail"], c.detail);
  }
  // A body at fault as a whole names no field; a field at fault is named by its pointer.
  auto whole = Post("/api/v1/cases/" + id + "/review", Staff(rae), "[1]");
  EXPECT_EQ(whole->status, 400);
  EXPECT_EQ(json::parse(whole->body)["detail"], "/: the body is not a JSON object");
  EXPECT_FALSE(json::parse(whole->body).contains("field")) << whole->body;
  auto part = Post("/api/v1/cases/" + id + "/review", Staff(rae), R"({"decision": "maybe"})");
  EXPECT_EQ(json::parse(part->body)["field"], "/decision");
}

INSTANTIATE_TEST_SUITE_P(Stores, ApiAnswersTest, ::testing::ValuesIn(cases::TestBackends()), cases::BackendName);

}  // namespace
}  // namespace custodian::server
