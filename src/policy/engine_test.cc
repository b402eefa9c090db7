// The rules of spec/default-standards.md at their boundaries, as its Definitions make them
// exact. Each test starts from a request that the default standards produce in full and
// changes one thing.
#include "policy/engine.h"

#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/unicode.h"
#include "policy/request_parser.h"

namespace custodian {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const Standards& Default() {
  static const Standards s = [] {
    auto r = LoadDefaultStandards();
    if (!r.ok()) throw std::runtime_error(r.status().message());
    return std::move(r).value();
  }();
  return s;
}

const AgencyRegistry& Registry() {
  static const AgencyRegistry r = [] {
    const std::string path = std::string(CUSTODIAN_SOURCE_DIR) + "/examples/agencies.json";
    auto loaded = AgencyRegistry::Load(ReadFile(path), path);
    if (!loaded.ok()) throw std::runtime_error(loaded.status().message());
    return std::move(loaded).value();
  }();
  return r;
}

// A grand-jury subpoena from a registered agency that the default standards produce in full.
json Base() {
  return json::parse(R"({
    "received_at": "2026-03-12T15:04:05Z",
    "requester": {"agency": "Las Cruces Police Department", "agency_id": "us-nm-lcpd",
                  "country": "US", "agency_type": "local", "email": "r.alvarez@las-cruces.org"},
    "process": {"type": "subpoena", "issued_on": "2026-03-09", "signed": true},
    "purpose": {"investigation_type": "criminal", "legal_basis": "Grand jury subpoena.",
                "factual_basis": "The account arranged the resale of goods stolen on 2026-02-02."},
    "targets": [{"type": "account_id", "value": "1000042"}],
    "window": {"start": "2026-01-01T00:00:00Z", "end": "2026-03-01T00:00:00Z"},
    "categories": ["basic_subscriber", "access_log"]
  })");
}

Decision Decide(const json& doc, const Standards& standards = Default(),
                const AgencyRegistry& registry = Registry()) {
  const ParsedRequest parsed = ParseRequest(doc.dump());
  if (!parsed.ok()) throw std::runtime_error(parsed.problems.front().ToString());
  return Evaluate(parsed.request, standards, registry);
}

std::vector<std::string> Codes(const Decision& d) {
  std::vector<std::string> out;
  for (const Finding& f : d.findings) out.emplace_back(InfoOf(f.rule).code);
  return out;
}

std::string ActionOf(const json& doc) { return std::string(ActionName(Decide(doc).action)); }

// "YYYY-MM-DDTHH:MM:SSZ" for a window of `micros` starting at 2026-01-01.
json WindowOf(int64_t micros) {
  const Timestamp start = *ParseDateTime("2026-01-01T00:00:00Z");
  return {{"start", FormatDateTime(start)}, {"end", FormatDateTime(Timestamp{start.micros + micros})}};
}

TEST(EngineTest, TheBaseRequestIsProducedInFull) {
  const Decision d = Decide(Base());
  EXPECT_EQ(d.action, Action::kProduce);
  EXPECT_THAT(Codes(d), IsEmpty());
  ASSERT_TRUE(d.authorized);
  EXPECT_EQ(d.notice.when, NoticeWhen::kBeforeProduction);
}

TEST(EngineTest, WindowOf365DaysIsAllowedAndOneSecondMoreIsTooBroad) {
  json doc = Base();
  doc["received_at"] = "2027-06-01T00:00:00Z";
  doc["window"] = WindowOf(365 * kMicrosPerDay);
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
  doc["window"] = WindowOf(365 * kMicrosPerDay + kMicrosPerSecond);
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("WINDOW_TOO_BROAD"));
  EXPECT_EQ(Decide(doc).findings[0].message,
            "The window is longer than 365 days, the most a subpoena may cover; narrow it to the "
            "period the investigation needs.");
  // A court order may cover 730 days.
  doc["process"]["type"] = "court_order";
  doc["received_at"] = "2029-01-01T00:00:00Z";
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
  doc["window"] = WindowOf(730 * kMicrosPerDay);
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
  doc["window"] = WindowOf(730 * kMicrosPerDay + 1);
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("WINDOW_TOO_BROAD"));
}

TEST(EngineTest, WindowLengthIsMeasuredInUtc) {
  json doc = Base();
  doc["received_at"] = "2027-06-01T00:00:00Z";
  // 365 days by the calendar, but the offsets add an hour.
  doc["window"] = {{"start", "2026-01-01T00:00:00+01:00"}, {"end", "2027-01-01T00:00:00Z"}};
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("WINDOW_TOO_BROAD"));
  doc["window"] = {{"start", "2026-01-01T00:00:00-01:00"}, {"end", "2027-01-01T00:00:00Z"}};
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
}

TEST(EngineTest, FactualBasisOf40CodePointsAfterTrimmingIsEnough) {
  json doc = Base();
  // 39 code points of text, with multi-byte letters, padded with Unicode white space.
  const std::string text39 = "Ñandú sold 2 stolen bikes on 2026-02-02";
  ASSERT_EQ(CodePointCount(text39), 39u);
  doc["purpose"]["factual_basis"] = "\u3000\u00a0 " + text39 + " \u2028\t";
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("MISSING_FACTUAL_BASIS"));
  doc["purpose"]["factual_basis"] = "\u3000\u00a0 " + text39 + ". \u2028\t";
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
  doc["purpose"].erase("factual_basis");
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("MISSING_FACTUAL_BASIS"));
  doc.erase("purpose");
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("MISSING_FACTUAL_BASIS", "MISSING_LEGAL_BASIS"));
}

TEST(EngineTest, BlankLegalBasisIsMissing) {
  json doc = Base();
  doc["purpose"]["legal_basis"] = " \u00a0\n";
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("MISSING_LEGAL_BASIS"));
  doc["purpose"]["legal_basis"] = "\u200b";  // ZERO WIDTH SPACE is not White_Space
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
}

TEST(EngineTest, WarrantServed14DaysAfterIssueIsFreshAnd15IsStale) {
  json doc = Base();
  doc["process"]["type"] = "search_warrant";
  doc["process"]["issued_on"] = "2026-02-26";  // receipt date 2026-03-12: 14 days
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
  doc["process"]["issued_on"] = "2026-02-25";  // 15 days
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("WARRANT_STALE"));
  EXPECT_EQ(ActionOf(doc), "reject");
  // Only warrants go stale.
  doc["process"]["type"] = "subpoena";
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
}

TEST(EngineTest, ReceiptDateIsTheUtcDateOfAnOffsetReceivedAt) {
  json doc = Base();
  doc["process"]["type"] = "search_warrant";
  doc["process"]["issued_on"] = "2026-02-25";
  doc["window"]["end"] = "2026-03-01T00:00:00Z";
  // 20:00 at -05:00 on 03-11 is 01:00 UTC on 03-12: 15 days after issue.
  doc["received_at"] = "2026-03-11T20:00:00-05:00";
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("WARRANT_STALE"));
  // 01:00 at +05:00 on 03-12 is 20:00 UTC on 03-11: 14 days.
  doc["received_at"] = "2026-03-12T01:00:00+05:00";
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
  // ... and a process issued on 03-12 is then dated after the receipt date.
  doc["process"]["issued_on"] = "2026-03-12";
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("PROCESS_FUTURE_DATED"));
  doc["received_at"] = "2026-03-11T20:00:00-05:00";
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
}

TEST(EngineTest, TwentyFiveDistinctTargetsAreAllowedAndTwentySixAreNot) {
  json doc = Base();
  doc["targets"] = json::array();
  for (int i = 1; i <= 24; ++i) {
    doc["targets"].push_back({{"type", "account_id"}, {"value", std::to_string(1000 + i)}});
  }
  // Repeats do not count, nor do e-mail addresses that differ only in case: 25 distinct.
  doc["targets"].push_back({{"type", "account_id"}, {"value", "1001"}});
  doc["targets"].push_back({{"type", "email"}, {"value", "Ana@Example.NET"}});
  doc["targets"].push_back({{"type", "email"}, {"value", "ana@example.net"}});
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
  EXPECT_EQ(Decide(doc).authorized->targets.size(), 25u);
  doc["targets"].push_back({{"type", "username"}, {"value", "kestrel42"}});
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("TOO_MANY_TARGETS"));
  EXPECT_EQ(Decide(doc).findings[0].message,
            "The request names 26 accounts; one request may name at most 25. Narrow it to the "
            "accounts the investigation needs, or split it.");
}

TEST(EngineTest, AuthorizedTargetsAreDistinctInOrderOfFirstAppearance) {
  json doc = Base();
  doc["targets"] = json::array({{{"type", "email"}, {"value", "Ana@Example.net"}},
                                {{"type", "account_id"}, {"value", "7"}},
                                {{"type", "email"}, {"value", "ana@example.NET"}}});
  const Decision d = Decide(doc);
  ASSERT_TRUE(d.authorized);
  ASSERT_EQ(d.authorized->targets.size(), 2u);
  EXPECT_EQ(d.authorized->targets[0].value, "Ana@Example.net");
  EXPECT_EQ(d.authorized->targets[1].value, "7");
}

TEST(EngineTest, NoTargetsAndUnspecificTargetsAreRejectedEvenForPreservation) {
  json doc = Base();
  doc["targets"] = json::array();
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("NO_TARGETS"));
  doc["targets"] = json::array({{{"type", "account_id"}, {"value", "1"}},
                                {{"type", "hashtag"}, {"value", "#x"}}});
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("TARGET_NOT_SPECIFIC"));
  EXPECT_EQ(Decide(doc).findings[0].message,
            "A target must identify an account (account_id, username, email, phone, ip); we do "
            "not search by area, keyword or group.");
  doc["process"]["type"] = "preservation";
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("TARGET_NOT_SPECIFIC"));
  EXPECT_EQ(ActionOf(doc), "reject");
}

TEST(EngineTest, EmailDomainsAreComparedLowerCasedWithoutATrailingDot) {
  json doc = Base();
  doc["requester"]["email"] = "R.Alvarez@LAS-CRUCES.ORG";
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
  doc["requester"]["email"] = "r.alvarez@las-cruces.org.";
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
  doc["requester"]["email"] = "r.alvarez@las-cruces.org..";  // only one dot is removed
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("REQUESTER_UNVERIFIED"));
  doc["requester"]["email"] = "r.alvarez@pd.las-cruces.org";  // a subdomain is not listed
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("REQUESTER_UNVERIFIED"));
  EXPECT_EQ(ActionOf(doc), "verify_requester");
  // The FBI lists a subdomain explicitly.
  doc["requester"]["agency_id"] = "us-fbi";
  doc["requester"]["email"] = "agent@IC.FBI.GOV";
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
}

TEST(EngineTest, AgencyIdMustMatchTheEmailDomain) {
  json doc = Base();
  doc["requester"]["agency_id"] = "us-fbi";  // but the address is at las-cruces.org
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("REQUESTER_UNVERIFIED"));
  doc["requester"]["agency_id"] = "no-such-agency";
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("REQUESTER_UNVERIFIED"));
  // Without an agency_id, any registry agency with the domain will do.
  doc["requester"].erase("agency_id");
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
  doc["requester"]["email"] = "someone@gmail.com";
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("REQUESTER_UNVERIFIED"));
  // A recorded callback settles it.
  doc["verification"] = {{"callback_verified_at", "2026-03-12T16:00:00Z"},
                         {"callback_by", "intake: p.nguyen"}};
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
}

TEST(EngineTest, WithNoRegistryEveryRequesterIsUnverified) {
  json doc = Base();
  const Decision d = Decide(doc, Default(), AgencyRegistry());
  EXPECT_THAT(Codes(d), ElementsAre("REQUESTER_UNVERIFIED"));
  EXPECT_EQ(d.registry_agencies, 0u);
  EXPECT_FALSE(d.registry_sha256);
  EXPECT_EQ(DecisionToJson(d)["registry"].dump(), R"({"agencies":0,"sha256":null})");
}

TEST(EngineTest, EmergencyRequestsAreAlwaysVerifiedByCallback) {
  json doc = Base();
  doc["process"] = {{"type", "emergency"}, {"signed", false}};
  doc["emergency"] = {{"imminent", true},
                      {"danger", "A missing 14-year-old is believed to be with the holder now."}};
  doc["window"] = {{"start", "2026-03-10T00:00:00Z"}, {"end", "2026-03-12T15:00:00Z"}};
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("REQUESTER_UNVERIFIED"));
  doc["verification"] = {{"callback_verified_at", "2026-03-12T15:20:00Z"}};
  const Decision d = Decide(doc);
  EXPECT_THAT(Codes(d), IsEmpty());
  EXPECT_EQ(d.notice.when, NoticeWhen::kAfterEmergency);
  EXPECT_EQ(FormatDate(*d.notice.not_before), "2026-06-10");
}

TEST(EngineTest, EmergencyMustStateAnImminentDangerOf40CodePoints) {
  json doc = Base();
  doc["process"] = {{"type", "emergency"}, {"signed", false}};
  doc["verification"] = {{"callback_verified_at", "2026-03-12T15:20:00Z"}};
  doc["window"] = {{"start", "2026-03-10T00:00:00Z"}, {"end", "2026-03-12T15:00:00Z"}};
  const std::string danger39(39, 'x');
  doc["emergency"] = {{"imminent", true}, {"danger", " " + danger39 + " "}};
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("EMERGENCY_NOT_SUBSTANTIATED"));
  doc["emergency"]["danger"] = danger39 + "y";
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
  doc["emergency"]["imminent"] = false;
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("EMERGENCY_NOT_SUBSTANTIATED"));
  doc.erase("emergency");
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("EMERGENCY_NOT_SUBSTANTIATED"));
}

TEST(EngineTest, EmergencyWindowIsNarrowedToSevenDaysAfterClamping) {
  json doc = Base();
  doc["process"] = {{"type", "emergency"}, {"signed", false}};
  doc["verification"] = {{"callback_verified_at", "2026-03-12T15:20:00Z"}};
  doc["emergency"] = {{"imminent", true}, {"danger", std::string(40, 'd')}};
  doc["window"] = {{"start", "2026-03-05T15:04:05Z"}, {"end", "2026-03-12T15:04:05Z"}};
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());  // exactly 7 days
  doc["window"]["start"] = "2026-03-05T15:04:04Z";
  Decision d = Decide(doc);
  EXPECT_THAT(Codes(d), ElementsAre("EMERGENCY_WINDOW_NARROWED"));
  EXPECT_EQ(FormatDateTime(d.authorized->window->start), "2026-03-05T15:04:05Z");
  // A window past receipt is first clamped to received_at; 7 days then fit.
  doc["window"] = {{"start", "2026-03-05T15:04:05Z"}, {"end", "2026-03-20T00:00:00Z"}};
  d = Decide(doc);
  EXPECT_THAT(Codes(d), ElementsAre("WINDOW_CLAMPED_TO_RECEIPT"));
  EXPECT_EQ(FormatDateTime(d.authorized->window->end), "2026-03-12T15:04:05Z");
  EXPECT_EQ(d.action, Action::kProduceNarrowed);
}

TEST(EngineTest, AWindowEndingAfterReceiptIsClampedToReceivedAt) {
  json doc = Base();
  doc["received_at"] = "2026-03-12T10:04:05-05:00";
  doc["window"]["end"] = "2026-03-12T15:04:05.000001Z";
  Decision d = Decide(doc);
  EXPECT_THAT(Codes(d), ElementsAre("WINDOW_CLAMPED_TO_RECEIPT"));
  EXPECT_EQ(FormatDateTime(d.authorized->window->end), "2026-03-12T15:04:05Z");
  EXPECT_EQ(d.findings[0].message,
            "The window ends after we received the request (2026-03-12T15:04:05Z); it now ends "
            "then. Future activity needs a wiretap or pen-register order.");
  doc["window"]["end"] = "2026-03-12T15:04:05Z";  // ending at receipt is fine
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
}

TEST(EngineTest, InvalidWindows) {
  json doc = Base();
  doc["window"] = {{"start", "2026-02-01T00:00:00Z"}, {"end", "2026-02-01T00:00:00Z"}};
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("WINDOW_INVALID"));
  doc["window"] = {{"start", "2026-02-02T00:00:00Z"}, {"end", "2026-02-01T00:00:00Z"}};
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("WINDOW_INVALID"));
  // Starting at receipt is not before it; an invalid window is not clamped.
  doc["window"] = {{"start", "2026-03-12T15:04:05Z"}, {"end", "2026-04-01T00:00:00Z"}};
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("WINDOW_INVALID"));
  EXPECT_EQ(ActionOf(doc), "pushback");
}

TEST(EngineTest, WindowMissingOnlyMattersBeyondSubscriberInformation) {
  json doc = Base();
  doc.erase("window");
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("WINDOW_MISSING"));
  doc["categories"] = {"basic_subscriber"};
  const Decision d = Decide(doc);
  EXPECT_THAT(Codes(d), IsEmpty());
  EXPECT_FALSE(d.authorized->window);
  EXPECT_FALSE(DecisionToJson(d)["authorized"].contains("window"));
}

TEST(EngineTest, ReverseLookupsNeedAWarrantAndAWindowOf48Hours) {
  json doc = Base();
  doc["targets"] = json::array({{{"type", "ip"}, {"value", "2001:DB8::1"}},
                                {{"type", "ip"}, {"value", "2001:db8:0:0:0:0:0:1"}},
                                {{"type", "ip"}, {"value", "[2001:db8::1]:443"}}});
  doc["window"] = {{"start", "2026-02-01T00:00:00Z"}, {"end", "2026-02-03T00:00:00Z"}};
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("REVERSE_LOOKUP_REQUIRES_WARRANT"));
  doc["process"]["type"] = "search_warrant";
  Decision d = Decide(doc);
  EXPECT_THAT(Codes(d), IsEmpty());
  // Two IPv6 spellings of one address are one target; with a port it is another.
  EXPECT_EQ(d.authorized->targets.size(), 2u);
  doc["window"]["end"] = "2026-02-03T00:00:00.000001Z";
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("REVERSE_LOOKUP_WINDOW_TOO_BROAD"));
  doc.erase("window");
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("REVERSE_LOOKUP_WINDOW_TOO_BROAD", "WINDOW_MISSING"));
  // Both apply to preservation too.
  doc["process"]["type"] = "preservation";
  EXPECT_THAT(Codes(Decide(doc)),
              ElementsAre("REVERSE_LOOKUP_REQUIRES_WARRANT", "REVERSE_LOOKUP_WINDOW_TOO_BROAD"));
}

TEST(EngineTest, ForeignRequestersUseMlatExceptInEmergenciesAndPreservation) {
  json doc = Base();
  doc["requester"] = {{"agency", "Metropolitan Police Service"}, {"agency_id", "gb-met"},
                      {"country", "GB"}, {"agency_type", "foreign"},
                      {"email", "j.okafor@met.police.uk"}};
  doc["process"]["type"] = "court_order";
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("FOREIGN_REQUIRES_MLAT"));
  EXPECT_EQ(Decide(doc).findings[0].message,
            "We answer requests from outside US through a mutual legal assistance treaty or a "
            "CLOUD Act agreement; send the request through your central authority.");
  doc["process"]["type"] = "mlat";
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
  doc["process"]["type"] = "preservation";
  EXPECT_EQ(ActionOf(doc), "preserve");
}

TEST(EngineTest, CivilImmigrationNeedsJudicialProcessEvenToPreserve) {
  json doc = Base();
  doc["purpose"]["investigation_type"] = "civil_immigration";
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("CIVIL_IMMIGRATION_REQUIRES_JUDICIAL_PROCESS"));
  doc["process"]["type"] = "court_order";
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
  doc["process"]["type"] = "preservation";
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("CIVIL_IMMIGRATION_REQUIRES_JUDICIAL_PROCESS"));
}

TEST(EngineTest, UnsignedProcessIsPushedBackExceptEmergenciesAndPreservation) {
  json doc = Base();
  doc["process"]["signed"] = false;
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("PROCESS_UNSIGNED"));
  EXPECT_EQ(Decide(doc).findings[0].message, "A subpoena must be signed by its issuer; send the signed document.");
  doc["process"]["type"] = "preservation";
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
}

TEST(EngineTest, PreservationPreservesTheRequestedCategoriesOrAllButContent) {
  json doc = Base();
  doc["process"] = {{"type", "preservation"}, {"signed", true}};
  doc.erase("purpose");
  doc["categories"] = {"content", "basic_subscriber", "content"};
  Decision d = Decide(doc);
  EXPECT_EQ(d.action, Action::kPreserve);
  EXPECT_THAT(Codes(d), IsEmpty());
  EXPECT_EQ(DecisionToJson(d)["authorized"]["categories"].dump(), R"(["basic_subscriber","content"])");
  EXPECT_FALSE(d.notice.required);
  doc["categories"] = json::array();
  d = Decide(doc);
  EXPECT_EQ(DecisionToJson(d)["authorized"]["categories"].dump(),
            R"(["basic_subscriber","access_log","location","device"])");
  // A window past receipt is clamped for preservation too, and the action stays preserve.
  doc["window"]["end"] = "2026-04-01T00:00:00Z";
  d = Decide(doc);
  EXPECT_THAT(Codes(d), ElementsAre("WINDOW_CLAMPED_TO_RECEIPT"));
  EXPECT_EQ(d.action, Action::kPreserve);
}

TEST(EngineTest, CategoriesBeyondTheProcessAreDroppedInCanonicalOrder) {
  json doc = Base();
  doc["categories"] = {"content", "device", "access_log", "location", "device"};
  const Decision d = Decide(doc);
  EXPECT_EQ(d.action, Action::kProduceNarrowed);
  ASSERT_THAT(Codes(d), ElementsAre("CATEGORY_NOT_AUTHORIZED", "CATEGORY_NOT_AUTHORIZED",
                                    "CATEGORY_NOT_AUTHORIZED"));
  EXPECT_EQ(d.findings[0].category, Category::kLocation);
  EXPECT_EQ(d.findings[1].category, Category::kDevice);
  EXPECT_EQ(d.findings[2].category, Category::kContent);
  EXPECT_EQ(d.findings[0].message, "A subpoena cannot reach 'location'; it is left out.");
  EXPECT_EQ(DecisionToJson(d)["authorized"]["categories"].dump(), R"(["access_log"])");
  EXPECT_EQ(DecisionToJson(d)["findings"][0]["category"], "location");
}

TEST(EngineTest, NothingAuthorizedWhenNoCategoryRemains) {
  json doc = Base();
  doc["categories"] = json::array();
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("NOTHING_AUTHORIZED"));
  doc["process"]["type"] = "civil_subpoena";
  doc["categories"] = {"access_log"};
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("NOTHING_AUTHORIZED", "CATEGORY_NOT_AUTHORIZED"));
}

TEST(EngineTest, ContentUnderAWarrantIsNotedAsHeldOutsideTheVault) {
  json doc = Base();
  doc["process"]["type"] = "search_warrant";
  doc["categories"] = {"content"};
  const Decision d = Decide(doc);
  EXPECT_EQ(d.action, Action::kProduce);
  EXPECT_THAT(Codes(d), ElementsAre("CONTENT_OUTSIDE_VAULT"));
  EXPECT_EQ(d.findings[0].severity, Severity::kInfo);
}

TEST(EngineTest, NondisclosureOrders) {
  json doc = Base();
  doc["process"]["type"] = "court_order";
  doc["nondisclosure"] = {{"ordered", true}, {"authority", "Order under 18 U.S.C. 2705(b)"},
                          {"until", "2026-09-01"}};
  Decision d = Decide(doc);
  EXPECT_THAT(Codes(d), IsEmpty());
  EXPECT_EQ(d.notice.when, NoticeWhen::kAfterNondisclosure);
  EXPECT_EQ(FormatDate(*d.notice.not_before), "2026-09-01");
  // An order that ended on or before the receipt date suppresses nothing.
  doc["nondisclosure"]["until"] = "2026-03-12";
  d = Decide(doc);
  EXPECT_THAT(Codes(d), IsEmpty());
  EXPECT_EQ(d.notice.when, NoticeWhen::kBeforeProduction);
  // An order with no end is pushed back, whether until is null or missing.
  doc["nondisclosure"]["until"] = nullptr;
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("NDO_WITHOUT_END"));
  doc["nondisclosure"].erase("until");
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("NDO_WITHOUT_END"));
  // A request not to tell, with no order behind it, binds nobody: the user is told.
  doc["nondisclosure"]["authority"] = "  ";
  d = Decide(doc);
  EXPECT_THAT(Codes(d), ElementsAre("NDO_NOT_BINDING"));
  EXPECT_EQ(d.action, Action::kProduce);
  EXPECT_EQ(d.notice.when, NoticeWhen::kBeforeProduction);
  doc["nondisclosure"]["ordered"] = false;
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
}

TEST(EngineTest, NoticeIsNeverGivenForLettersOfNationalSecurityOrChildSafety) {
  json doc = Base();
  doc["process"]["type"] = "national_security_letter";
  doc["categories"] = {"basic_subscriber"};
  Decision d = Decide(doc);
  EXPECT_EQ(d.action, Action::kProduce);
  EXPECT_FALSE(d.notice.required);
  EXPECT_EQ(d.notice.when, NoticeWhen::kNever);
  doc = Base();
  doc["purpose"]["investigation_type"] = "child_safety";
  // child_safety comes before a nondisclosure order in the notice table.
  doc["nondisclosure"] = {{"ordered", true}, {"authority", "2705(b) order"}, {"until", "2027-01-01"}};
  d = Decide(doc);
  EXPECT_EQ(d.notice.when, NoticeWhen::kNever);
  EXPECT_EQ(DecisionToJson(d)["notice"].dump(),
            R"({"required":false,"when":"never","not_before":null})");
}

TEST(EngineTest, FindingsAreOrderedBySeverityThenCode) {
  json doc = Base();
  doc["process"]["signed"] = false;  // PROCESS_UNSIGNED, pushback
  doc["purpose"]["legal_basis"] = "";  // MISSING_LEGAL_BASIS, pushback
  doc["requester"]["email"] = "x@gmail.com";  // REQUESTER_UNVERIFIED, verify
  doc["categories"] = {"location", "access_log"};  // CATEGORY_NOT_AUTHORIZED, narrow
  doc["nondisclosure"] = {{"ordered", true}};  // NDO_NOT_BINDING, warn
  doc["targets"] = json::array();  // NO_TARGETS, reject
  EXPECT_THAT(Codes(Decide(doc)),
              ElementsAre("NO_TARGETS", "MISSING_LEGAL_BASIS", "PROCESS_UNSIGNED",
                          "REQUESTER_UNVERIFIED", "CATEGORY_NOT_AUTHORIZED", "NDO_NOT_BINDING"));
  EXPECT_EQ(ActionOf(doc), "reject");
}

TEST(EngineTest, TheDecisionIsDeterministic) {
  json doc = Base();
  doc["categories"] = {"device", "location", "basic_subscriber"};
  EXPECT_EQ(DecisionToJson(Decide(doc)).dump(), DecisionToJson(Decide(doc)).dump());
}

// `times` instead of a window: each instant ± [point_in_time] minutes (15 by default).
TEST(EngineTest, InstantsReachTheirMinutesEitherSideAndTouchingIntervalsMerge) {
  json doc = Base();
  doc.erase("window");
  doc["times"] = {"2026-02-02T10:30:00Z", "2026-02-02T10:00:00Z", "2026-02-01T08:00:00Z"};
  const Decision d = Decide(doc);
  EXPECT_THAT(Codes(d), IsEmpty());  // instants satisfy WINDOW_MISSING
  EXPECT_EQ(d.action, Action::kProduce);
  ASSERT_TRUE(d.authorized);
  EXPECT_FALSE(d.authorized->window);
  EXPECT_EQ(d.authorized->minutes, 15);
  const json a = DecisionToJson(d)["authorized"];
  EXPECT_FALSE(a.contains("window"));
  EXPECT_EQ(a["times"], json({"2026-02-01T08:00:00Z", "2026-02-02T10:00:00Z", "2026-02-02T10:30:00Z"}));
  EXPECT_EQ(a["minutes"], 15);
  // 10:00 and 10:30 make [09:45, 10:15) and [10:15, 10:45): touching, so one interval.
  EXPECT_EQ(a["intervals"], json::parse(R"([
    {"start": "2026-02-01T07:45:00Z", "end": "2026-02-01T08:15:00Z"},
    {"start": "2026-02-02T09:45:00Z", "end": "2026-02-02T10:45:00Z"}])"));
  doc["times"] = {"2026-02-02T10:00:00Z", "2026-02-02T10:30:00.000001Z"};
  EXPECT_EQ(Decide(doc).authorized->intervals.size(), 2u) << "a microsecond apart: not touching";
}

TEST(EngineTest, InstantsAfterReceiptAreDroppedAndIntervalsEndAtReceipt) {
  json doc = Base();  // received 2026-03-12T15:04:05Z
  doc.erase("window");
  doc["times"] = {"2026-03-12T15:00:00Z", "2026-03-12T15:04:05.000001Z"};
  Decision d = Decide(doc);
  EXPECT_THAT(Codes(d), ElementsAre("WINDOW_CLAMPED_TO_RECEIPT"));
  EXPECT_EQ(d.action, Action::kProduceNarrowed);
  ASSERT_EQ(d.authorized->times.size(), 1u);
  EXPECT_EQ(FormatDateTime(d.authorized->times[0]), "2026-03-12T15:00:00Z");
  ASSERT_EQ(d.authorized->intervals.size(), 1u);
  EXPECT_EQ(FormatDateTime(d.authorized->intervals[0].start), "2026-03-12T14:45:00Z");
  EXPECT_EQ(FormatDateTime(d.authorized->intervals[0].end), "2026-03-12T15:04:05Z");
  // An instant at receipt is not after it; its interval still ends there.
  doc["times"] = {"2026-03-12T15:04:05Z"};
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("WINDOW_CLAMPED_TO_RECEIPT"));
  doc["times"] = {"2026-03-12T14:49:05Z"};  // [14:34:05, 15:04:05): ends at receipt exactly
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());
  // Every instant after receipt: nothing is left, as with a window wholly after it.
  doc["times"] = {"2026-03-13T00:00:00Z"};
  d = Decide(doc);
  EXPECT_THAT(Codes(d), ElementsAre("WINDOW_INVALID"));
  EXPECT_EQ(d.action, Action::kPushback);
  // A window and instants together: which is meant?
  doc = Base();
  doc["times"] = {"2026-02-01T08:00:00Z"};
  EXPECT_THAT(Codes(Decide(doc)), ElementsAre("WINDOW_INVALID"));
}

TEST(EngineTest, InstantsSatisfyTheReverseLookupWindowAndTheEmergencyCutsTheirIntervals) {
  json doc = Base();
  doc.erase("window");
  doc["process"]["type"] = "search_warrant";
  doc["targets"] = json::array({{{"type", "ip"}, {"value", "203.0.113.5"}}});
  doc["times"] = {"2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z"};  // two months apart
  EXPECT_THAT(Codes(Decide(doc)), IsEmpty());

  doc = Base();
  doc.erase("window");
  doc["process"] = {{"type", "emergency"}, {"signed", false}};
  doc["verification"] = {{"callback_verified_at", "2026-03-12T15:20:00Z"}};
  doc["emergency"] = {{"imminent", true}, {"danger", std::string(40, 'd')}};
  // The cut falls 7 days before the last interval's end (2026-03-11T12:15), inside the second
  // interval, whose start moves; the first instant's whole interval is before it and goes.
  doc["times"] = {"2026-03-01T00:00:00Z", "2026-03-04T12:10:00Z", "2026-03-11T12:00:00Z"};
  const Decision d = Decide(doc);
  EXPECT_THAT(Codes(d), ElementsAre("EMERGENCY_WINDOW_NARROWED"));
  const json a = DecisionToJson(d)["authorized"];
  EXPECT_EQ(a["times"], json({"2026-03-04T12:10:00Z", "2026-03-11T12:00:00Z"}));
  EXPECT_EQ(a["intervals"], json::parse(R"([
    {"start": "2026-03-04T12:15:00Z", "end": "2026-03-04T12:25:00Z"},
    {"start": "2026-03-11T11:45:00Z", "end": "2026-03-11T12:15:00Z"}])"));
}

TEST(EngineTest, AProcessMayReachTheAccessLogOnlyAtNamedInstants) {
  const std::string path = std::string(CUSTODIAN_SOURCE_DIR) + "/policies/strict-tiers.toml";
  auto strict = LoadStandards(ReadFile(path), path);
  ASSERT_TRUE(strict.ok()) << strict.status().message();
  EXPECT_EQ(strict->preservation_period_days, 90);
  json doc = Base();  // a subpoena for the access log over two months
  Decision d = Decide(doc, *strict);
  EXPECT_THAT(Codes(d), ElementsAre("ACCESS_LOG_NEEDS_TIMES"));
  EXPECT_EQ(d.action, Action::kProduceNarrowed);
  EXPECT_EQ(json(DecisionToJson(d)["authorized"]["categories"]), json({"basic_subscriber"}));
  EXPECT_EQ(d.findings[0].severity, Severity::kNarrow);
  EXPECT_THAT(d.findings[0].message, ::testing::StartsWith("A subpoena reaches the IP addresses"));
  // The same subpoena naming instants reaches the access log at them.
  doc.erase("window");
  doc["times"] = {"2026-02-02T10:00:00Z"};
  d = Decide(doc, *strict);
  EXPECT_THAT(Codes(d), IsEmpty());
  EXPECT_EQ(json(DecisionToJson(d)["authorized"]["categories"]), json({"basic_subscriber", "access_log"}));
  // Subscriber records alone need neither; a 2703(d) order reaches the log over a window.
  doc = Base();
  doc["categories"] = {"basic_subscriber"};
  EXPECT_THAT(Codes(Decide(doc, *strict)), IsEmpty());
  doc = Base();
  doc["process"]["type"] = "court_order";
  doc["categories"] = {"basic_subscriber", "access_log", "location", "device"};
  EXPECT_THAT(Codes(Decide(doc, *strict)), IsEmpty());
  // Under the default standards nothing changes for a request without instants.
  EXPECT_THAT(Codes(Decide(Base())), IsEmpty());
}

TEST(EngineTest, SeveritiesAndNumbersComeFromTheStandardsFile) {
  std::string text(DefaultStandardsText());
  auto replace = [&](const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  replace("max_targets = 25", "max_targets = 1");
  replace("[rules.MISSING_FACTUAL_BASIS]\nseverity = \"pushback\"",
          "[rules.MISSING_FACTUAL_BASIS]\nseverity = \"warn\"");
  auto edited = LoadStandards(text, "edited.toml");
  ASSERT_TRUE(edited.ok()) << edited.status().message();
  EXPECT_NE(edited->sha256, Default().sha256);
  json doc = Base();
  doc["purpose"]["factual_basis"] = "short";
  Decision d = Decide(doc, *edited);
  EXPECT_EQ(d.action, Action::kProduce);
  EXPECT_THAT(Codes(d), ElementsAre("MISSING_FACTUAL_BASIS"));
  EXPECT_EQ(d.findings[0].severity, Severity::kWarn);
  EXPECT_EQ(d.standards_sha256, edited->sha256);
  doc["targets"].push_back({{"type", "account_id"}, {"value", "2"}});
  EXPECT_THAT(Codes(Decide(doc, *edited)), ElementsAre("TOO_MANY_TARGETS", "MISSING_FACTUAL_BASIS"));
}

}  // namespace
}  // namespace custodian
