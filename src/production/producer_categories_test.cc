// Every set of categories a grant can carry, for every kind of target, with the longest values
// each column can hold, makes a whole record: the package verifies, and record.pdf holds every
// value of record.json, the fixed forms (times, kinds, addresses, ports) each on one line.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "production/package_verifier.h"
#include "production/pdf_test_tools.h"
#include "production/producer_test_fixture.h"
#include "vault/access_event.h"

namespace custodian::production {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

constexpr const char* kCategories[] = {"basic_subscriber", "access_log", "location", "device"};

// `words` repeated, space-separated, up to `bytes` bytes (whole characters only).
std::string Filled(const std::string& words, size_t bytes) {
  std::string out;
  while (out.size() + words.size() + 1 <= bytes) out += (out.empty() ? "" : " ") + words;
  return out;
}

std::string Agent(uint64_t account) {
  std::string agent = "Mozilla/5.0 (X11; Linux x86_64; rv:" + std::to_string(account) + ") Gecko/20100101 ";
  for (int i = 0; agent.size() < vault::kMaxUserAgentBytes; ++i) agent += "Ext/" + std::to_string(i) + " ";
  agent.resize(vault::kMaxUserAgentBytes - 4);
  return agent + "TAIL";
}

std::string DeviceId(uint64_t account) {
  std::string id = "device-" + std::to_string(account) + "-";
  while (id.size() < vault::kMaxDeviceIdBytes) id += "0123456789abcdefABCDEF";
  return id.substr(0, vault::kMaxDeviceIdBytes);
}

// Accounts 3000001 to 3000005, one for each kind of target, each with two events in the
// warrant's window (one from the longest IPv6 address with the highest port) carrying the
// longest user agent and device id, and a subscriber version with the longest names.
class ProducerCategoriesTest : public ProducerTest {
 protected:
  static constexpr const char* kAddress = "8888:8888:8888:8888:8888:8888:8888:8888";

  void SetUp() override {
    ProducerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::string events, subscribers;
    for (uint64_t a = 3000001; a <= 3000005; ++a) {
      const std::string device = "\"user_agent\": \"" + Agent(a) + "\", \"device_id\": \"" + DeviceId(a) + "\"";
      const std::string address = a == 3000005 ? "2001:db8::5" : kAddress;
      events += "{\"account_id\": " + std::to_string(a) + ", \"ts\": \"2026-01-10T09:08:07.654321Z\", " +
                "\"kind\": \"password_change\", \"ip\": \"" + address + "\", \"port\": 65535, " + device + "}\n";
      events += "{\"account_id\": " + std::to_string(a) + ", \"ts\": \"2026-01-11T23:59:59.999999Z\", " +
                "\"kind\": \"session_refresh\", \"ip\": \"198.51.100.250\", \"port\": 1, " + device + "}\n";
      json record = {{"account_id", a},
                     {"effective_from", "2025-01-01T00:00:00Z"},
                     {"username", a == 3000002 ? std::string("wren3000002") : Filled("ульяна", 256)},
                     {"name", Filled("Ульяна 王小明 Ñúñez", 512)},
                     {"emails", {a == 3000003 ? "wren@example.net" : "a" + std::to_string(a) + "@example.org"}},
                     {"phones", {a == 3000004 ? "+15755550123" : "+15755550100"}},
                     {"status", std::string(64, 's')}};
      subscribers += record.dump() + "\n";
    }
    vault::IngestReport report;
    ASSERT_TRUE(instance_->vault->Ingest(events, report).ok());
    ASSERT_EQ(report.accepted, 10u);
    ASSERT_TRUE(instance_->vault->IngestSubscribers(subscribers, report).ok());
  }

  // A search warrant naming one target of each kind, for all four categories, narrowed in
  // review to `categories`.
  std::string ApprovedFor(const json& categories) {
    std::string doc = Example("hsi-child-safety-court-order");
    doc = With(doc, "/process/type", "search_warrant");
    doc = With(doc, "/window", {{"start", "2026-01-10T00:00:00Z"}, {"end", "2026-01-12T00:00:00Z"}});
    doc = With(doc, "/categories", json(kCategories));
    doc = With(doc, "/targets", json::array({{{"type", "account_id"}, {"value", "3000001"}},
                                                    {{"type", "username"}, {"value", "wren3000002"}},
                                                    {{"type", "email"}, {"value", "wren@example.net"}},
                                                    {{"type", "phone"}, {"value", "+15755550123"}},
                                                    {{"type", "ip"}, {"value", "[2001:db8::5]:65535"}}}));
    auto v = instance_->workflow->Submit({doc, cases::Entry::kStaff, {"intake-1"}});
    EXPECT_TRUE(v.ok()) << v.status().message();
    if (!v.ok()) return "";
    cases::Review review;
    review.confirm_investigation = true;
    review.narrowed_scope = json{{"categories", categories}}.dump();
    auto reviewed = instance_->workflow->ReviewCase(v->record.id, {"reviewer-1"}, review);
    EXPECT_TRUE(reviewed.ok()) << reviewed.status().message();
    auto approved = instance_->workflow->Approve(v->record.id, {"approver-1"});
    EXPECT_TRUE(approved.ok()) << approved.status().message();
    return v->record.id;
  }
};

// Places in three scripts, by address.
std::optional<nlohmann::ordered_json> Locate(const IpAddress& ip) {
  if (ip.ToString() == "198.51.100.250") {
    return nlohmann::ordered_json{{"country", "EG"}, {"region", "محافظة القاهرة"}, {"city", "القاهرة"}, {"accuracy_km", 50}};
  }
  return nlohmann::ordered_json{{"country", "RU"}, {"region", "Новосибирская область"}, {"city", "北京市朝阳区"}, {"accuracy_km", 1000}};
}

TEST_P(ProducerCategoriesTest, EverySetOfCategoriesForEveryKindOfTargetMakesAWholeRecord) {
  ProducerOptions options;
  options.locate = Locate;
  for (int mask = 1; mask < 16; ++mask) {
    json categories = json::array();
    for (int i = 0; i < 4; ++i) {
      if (mask & (1 << i)) categories.push_back(kCategories[i]);
    }
    SCOPED_TRACE(categories.dump());
    const std::string zip = (dir_ / ("p" + std::to_string(mask) + ".zip")).string();
    auto outcome = MakeProducer(options).Produce(ApprovedFor(categories), zip, {"producer-1"});
    ASSERT_TRUE(outcome.ok()) << outcome.status().message();
    auto check = VerifyPackage(zip, Key(cases::kProductionKey), Key(cases::kLedgerKey));
    ASSERT_TRUE(check.ok() && check->ok());
    const json record = json::parse(Entry(zip, "record.json"));
    const std::string pdf = (dir_ / ("p" + std::to_string(mask) + ".pdf")).string();
    std::ofstream(pdf, std::ios::binary) << Entry(zip, "record.pdf");
    const std::string text = PdfText(pdf);
    const std::string flat = WithoutSpace(text);
    std::multiset<std::string> words;
    for (int page = 3; page <= PdfPages(pdf); ++page) {
      for (const PdfWord& w : PdfWords(pdf, page)) words.insert(w.text);
    }
    ASSERT_EQ(record["accounts"].size(), 5u) << "each kind of target found its account";
    EXPECT_EQ(record["not_found"], json::array());
    size_t events = 0;
    for (const json& account : record["accounts"]) {
      EXPECT_THAT(text, HasSubstr("Account " + account["account_id"].get<std::string>()));
      for (const json& v : account.value("subscriber", json::array())) {
        EXPECT_THAT(flat, HasSubstr(WithoutSpace(v["username"])));
        for (const std::string word : {"Ульяна", "王小明", "Ñúñez"}) EXPECT_THAT(text, HasSubstr(word));
        EXPECT_THAT(flat, HasSubstr(v["emails"][0].get<std::string>()));
        EXPECT_THAT(flat, HasSubstr(v["status"].get<std::string>()));
      }
      for (const json& e : account.value("access_log", json::array())) {
        ++events;
        for (const char* key : {"ts", "kind", "ip"}) {
          EXPECT_GT(words.count(e[key].get<std::string>()), 0u) << key << " " << e[key];
        }
        EXPECT_GT(words.count(std::to_string(e["port"].get<int>())), 0u);
        if (e.contains("user_agent")) {
          EXPECT_THAT(flat, HasSubstr(WithoutSpace(e["user_agent"])));
          EXPECT_THAT(flat, HasSubstr(e["device_id"].get<std::string>()));
        }
        if (e.contains("location")) {
          for (const char* key : {"city", "region"}) {
            EXPECT_THAT(flat, HasSubstr(WithoutSpace(e["location"][key]))) << key;
          }
        }
      }
    }
    EXPECT_EQ(events, outcome->events);
    EXPECT_EQ(events > 0, (mask & 2) != 0) << "events only with access_log";
    EXPECT_EQ(text.find("…"), std::string::npos) << "nothing cut";
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, ProducerCategoriesTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian::production
