// What a hostile caller puts in a body, through real HTTP on loopback: documents nested far
// deeper than any request needs, sent to every endpoint that takes a body. Each is refused
// with a problem that names the limit, and the server goes on answering.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/api_test_fixture.h"

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
  const std::string id = Submit(ian, cases::Example("lcpd-subpoena"));
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
  const std::string id = Submit(SignIn("ian"), cases::Example("lcpd-subpoena"));
  // 64 levels pass the guard and reach the body's own checks, which name the field.
  auto r = Post("/api/v1/cases/" + id + "/review", Staff(rae), DeepDocument("scope", 63));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)["field"], "/decision");
}

INSTANTIATE_TEST_SUITE_P(Stores, HostileBodyTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::server
