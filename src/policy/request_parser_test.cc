// Malformed request documents: each kind of mistake gets its exact message, with its JSON
// pointer, and no message repeats the document's values.
#include "policy/request_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace custodian {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

json Valid() {
  return json::parse(R"({
    "received_at": "2026-03-12T15:04:05Z",
    "requester": {"agency": "LCPD", "country": "US", "agency_type": "local",
                  "email": "r.alvarez@las-cruces.org"},
    "process": {"type": "subpoena", "signed": true},
    "targets": [{"type": "account_id", "value": "1000042"}],
    "categories": ["basic_subscriber"]
  })");
}

std::vector<std::string> Problems(const std::string& text) {
  std::vector<std::string> out;
  for (const RequestProblem& p : ParseRequest(text).problems) out.push_back(p.ToString());
  return out;
}

std::vector<std::string> Problems(const json& doc) { return Problems(doc.dump()); }
std::vector<std::string> Problems(const char* text) { return Problems(std::string(text)); }

TEST(RequestParserTest, AValidDocumentIsRead) {
  json doc = Valid();
  doc["window"] = {{"start", "2026-01-01T00:00:00+02:00"}, {"end", "2026-03-01T00:00:00Z"}};
  doc["nondisclosure"] = {{"ordered", true}, {"until", nullptr}};
  doc["attachments"] = json::array({{{"name", "subpoena.pdf"}, {"sha256", std::string(64, 'a')}}});
  const ParsedRequest parsed = ParseRequest(doc.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.problems.front().ToString();
  const Request& r = parsed.request;
  EXPECT_EQ(FormatDateTime(r.window->start), "2025-12-31T22:00:00Z");
  EXPECT_EQ(r.process.type, ProcessType::kSubpoena);
  EXPECT_TRUE(r.process.is_signed);
  EXPECT_FALSE(r.nondisclosure->until);
  EXPECT_EQ(r.attachments.size(), 1u);
}

TEST(RequestParserTest, MissingRequiredFieldsAreNamedByTheirPath) {
  EXPECT_THAT(Problems("{}"),
              ElementsAre("/received_at: missing (required)", "/requester: missing (required)",
                          "/process: missing (required)", "/targets: missing (required)",
                          "/categories: missing (required)"));
  json doc = Valid();
  doc["requester"].erase("email");
  doc["process"].erase("signed");
  doc["targets"][0].erase("value");
  EXPECT_THAT(Problems(doc), ElementsAre("/requester/email: missing (required)",
                                         "/process/signed: missing (required)",
                                         "/targets/0/value: missing (required)"));
}

TEST(RequestParserTest, UnknownPropertiesAreRefused) {
  json doc = Valid();
  doc["priority"] = "high";
  doc["requester"]["e-mail"] = "x";
  doc["targets"][0]["note"] = "x";
  EXPECT_THAT(Problems(doc), ElementsAre("/priority: unknown property",
                                         "/requester/e-mail: unknown property",
                                         "/targets/0/note: unknown property"));
}

TEST(RequestParserTest, WrongTypes) {
  EXPECT_THAT(Problems("[]"), ElementsAre("/: expected an object, got an array"));
  json doc = Valid();
  doc["requester"] = "LCPD";
  doc["process"]["signed"] = "yes";
  doc["targets"] = {{"type", "account_id"}};
  doc["categories"] = json::array({1});
  EXPECT_THAT(Problems(doc),
              ElementsAre("/requester: expected an object, got a string",
                          "/process/signed: expected true or false, got a string",
                          "/targets: expected an array, got an object",
                          "/categories/0: must be one of: basic_subscriber, access_log, location, "
                          "device, content"));
  doc = Valid();
  doc["received_at"] = 1741791845;
  doc["window"] = {{"start", nullptr}, {"end", "2026-03-01T00:00:00Z"}};
  doc["nondisclosure"] = {{"until", 20260301}};
  EXPECT_THAT(Problems(doc), ElementsAre("/received_at: expected a string, got a number",
                                         "/window/start: expected a string, got null",
                                         "/nondisclosure/until: expected a date or null, got a number"));
}

TEST(RequestParserTest, EnumsListWhatIsAllowed) {
  json doc = Valid();
  doc["channel"] = "telex";
  doc["requester"]["agency_type"] = "Federal";
  doc["process"]["type"] = "wiretap";
  doc["purpose"] = {{"investigation_type", "fishing"}};
  EXPECT_THAT(
      Problems(doc),
      ElementsAre(
          "/channel: must be one of: portal, api, email, mail, fax",
          "/requester/agency_type: must be one of: federal, state, local, foreign, private",
          "/process/type: must be one of: subpoena, administrative_subpoena, court_order, "
          "search_warrant, emergency, preservation, preservation_extension, mlat, "
          "national_security_letter, civil_subpoena, letter",
          "/purpose/investigation_type: must be one of: criminal, child_safety, civil, "
          "civil_immigration, national_security, emergency"));
}

TEST(RequestParserTest, DatesAndTimesAreParsedStrictly) {
  json doc = Valid();
  doc["received_at"] = "2026-03-12 15:04:05";
  doc["process"]["issued_on"] = "03/09/2026";
  doc["process"]["return_by"] = "2026-02-30";
  doc["window"] = {{"start", "2026-01-01T00:00:00"}, {"end", "2026-13-01T00:00:00Z"}};
  doc["verification"] = {{"callback_verified_at", "2026-03-12T15:20:60Z"}};
  doc["nondisclosure"] = {{"until", "2026-09-01T00:00:00Z"}};
  EXPECT_THAT(
      Problems(doc),
      ElementsAre("/received_at: not a date-time (RFC 3339, e.g. 2026-03-12T15:04:05Z)",
                  "/process/issued_on: not a date (YYYY-MM-DD)",
                  "/process/return_by: not a date (no such day in that month)",
                  "/window/start: not a date-time (RFC 3339, e.g. 2026-03-12T15:04:05Z)",
                  "/window/end: not a date-time (no such month)",
                  "/nondisclosure/until: longer than 10 characters",
                  "/verification/callback_verified_at: not a date-time (leap seconds are not "
                  "accepted)"));
}

TEST(RequestParserTest, AVerificationNamesTheNumberCalled) {
  json doc = Valid();
  doc["verification"] = {{"callback_verified_at", "2026-03-12T15:20:00Z"},
                         {"callback_by", "intake: p.nguyen"},
                         {"callback_phone", "+1-575-555-0100"}};
  const ParsedRequest parsed = ParseRequest(doc.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.problems.front().ToString();
  EXPECT_EQ(parsed.request.verification->callback_phone, "+1-575-555-0100");
  doc["verification"]["callback_phone"] = 15755550100;
  EXPECT_THAT(Problems(doc), ElementsAre("/verification/callback_phone: expected a string, got a number"));
  doc["verification"]["callback_phone"] = std::string(65, '5');
  EXPECT_THAT(Problems(doc), ElementsAre("/verification/callback_phone: longer than 64 characters"));
}

TEST(RequestParserTest, LengthsAreCheckedBeforeAnythingElse) {
  json doc = Valid();
  // Too long to be looked at: neither the date nor the address is parsed.
  doc["received_at"] = std::string(513, '9');
  doc["requester"]["email"] = std::string(321, 'a');
  doc["requester"]["agency"] = "";
  doc["purpose"] = {{"factual_basis", std::string(20001, 'f')}};
  doc["targets"][0]["value"] = std::string(512, 'v');  // exactly the cap: fine
  EXPECT_THAT(Problems(doc), ElementsAre("/received_at: longer than 512 characters",
                                         "/requester/agency: must not be empty",
                                         "/requester/email: longer than 320 characters",
                                         "/purpose/factual_basis: longer than 20000 characters"));
  // Lengths are in code points: 512 two-byte characters fit.
  doc = Valid();
  std::string name;
  for (int i = 0; i < 512; ++i) name += "é";
  doc["requester"]["agency"] = name;
  EXPECT_THAT(Problems(doc), ElementsAre());
  name += "é";
  doc["requester"]["agency"] = name;
  EXPECT_THAT(Problems(doc), ElementsAre("/requester/agency: longer than 512 characters"));
}

TEST(RequestParserTest, ArraysAreCappedBeforeTheirItems) {
  json doc = Valid();
  doc["targets"] = json::array();
  for (int i = 0; i < 1001; ++i) doc["targets"].push_back(json::object());
  doc["attachments"] = json::array();
  for (int i = 0; i < 101; ++i) doc["attachments"].push_back(1);
  EXPECT_THAT(Problems(doc), ElementsAre("/targets: more than 1000 items",
                                         "/attachments: more than 100 items"));
}

TEST(RequestParserTest, TimesAreOneToTwentyFiveDateTimes) {
  json doc = Valid();
  doc["times"] = {"2026-02-01T08:00:00Z", "2026-02-01T10:00:00+02:00"};
  const ParsedRequest parsed = ParseRequest(doc.dump());
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed.request.times.size(), 2u);
  EXPECT_EQ(FormatDateTime(parsed.request.times[1]), "2026-02-01T08:00:00Z");
  doc["times"] = json::array();
  EXPECT_THAT(Problems(doc), ElementsAre("/times: expected 1 to 25 date-times, got none"));
  doc["times"] = {"2026-02-01T08:00:00Z", 7, "2026-02-01", nullptr, std::string(65, '1')};
  EXPECT_THAT(Problems(doc),
              ElementsAre("/times/1: expected a date-time, got a number",
                          "/times/2: not a date-time (RFC 3339, e.g. 2026-03-12T15:04:05Z)",
                          "/times/3: expected a date-time, got null",
                          "/times/4: longer than 64 characters"));
  doc["times"] = json::array();
  for (int i = 0; i < 26; ++i) doc["times"].push_back("2026-02-01T08:00:00Z");
  EXPECT_THAT(Problems(doc), ElementsAre("/times: more than 25 items"));
  doc["times"] = "2026-02-01T08:00:00Z";
  EXPECT_THAT(Problems(doc), ElementsAre("/times: expected an array, got a string"));
}

TEST(RequestParserTest, Patterns) {
  json doc = Valid();
  doc["requester"]["country"] = "us";
  doc["requester"]["email"] = "r.alvarez@las cruces.org";
  doc["attachments"] = json::array({{{"name", "a.pdf"}, {"sha256", std::string(64, 'A')}}});
  EXPECT_THAT(Problems(doc),
              ElementsAre("/requester/country: not a country code (two capital letters, ISO "
                          "3166-1 alpha-2)",
                          "/requester/email: not an e-mail address (one '@' with text on both "
                          "sides, no spaces)",
                          "/attachments/0/sha256: not a SHA-256 digest (64 lower-case "
                          "hexadecimal digits)"));
  for (const char* bad : {"a@b@c", "@b", "a@", "a\u3000b@c", "ab\ufeff@c"}) {
    doc = Valid();
    doc["requester"]["email"] = bad;
    EXPECT_EQ(Problems(doc).size(), 1u) << bad;
  }
  doc = Valid();
  doc["requester"]["email"] = "ä@bücher.example";
  EXPECT_THAT(Problems(doc), ElementsAre());
}

TEST(RequestParserTest, SyntaxErrorsSayWhere) {
  EXPECT_THAT(Problems("{\"received_at\": \"2026-03-12T15:04:05Z\",\n \"requester\": {\"agency\": }}"),
              ElementsAre("/requester/agency: not valid JSON (line 2, column 26): unexpected character"));
  EXPECT_THAT(Problems(""), ElementsAre("/: not valid JSON (line 1, column 1): unexpected end of "
                                        "the document"));
  EXPECT_THAT(Problems(R"({"targets": [], "targets": []})"),
              ElementsAre("/targets: not valid JSON (line 1, column 26): duplicate property"));
}

TEST(RequestParserTest, DocumentsOver1MiBAreRefusedUnread) {
  std::string big = Valid().dump();
  big.insert(big.size() - 1, ", \"pad\": \"" + std::string(kMaxRequestBytes, ' ') + "\"");
  EXPECT_THAT(Problems(big), ElementsAre("/: the document is larger than 1 MiB"));
  // Exactly 1 MiB, padded with white space, is read.
  std::string exact = Valid().dump();
  exact.append(kMaxRequestBytes - exact.size(), ' ');
  EXPECT_THAT(Problems(exact), ElementsAre());
}

TEST(RequestParserTest, MessagesNeverRepeatTheDocumentsValues) {
  json doc = Valid();
  const std::string secret = "SECRET-VALUE-9f3a";
  doc["received_at"] = secret;
  doc["channel"] = secret;
  doc["requester"]["country"] = secret;
  doc["requester"]["email"] = secret;
  doc["process"]["issued_on"] = secret;
  doc["categories"] = {secret};
  doc["attachments"] = json::array({{{"name", "a"}, {"sha256", secret}}});
  const auto problems = Problems(doc);
  EXPECT_EQ(problems.size(), 7u);
  for (const std::string& p : problems) EXPECT_EQ(p.find(secret), std::string::npos) << p;
}

}  // namespace
}  // namespace custodian
