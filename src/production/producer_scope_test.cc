// The production's scope end to end on both stores (spec/production.md): each kind of target
// finds exactly its accounts (username, e-mail and phone through the vault's keyed index, an
// address through its reverse lookup, capped), each category puts exactly its part in the
// record, and record.json, access_log.csv and record.pdf say the same; every value of
// ledger.json is checked by the offline verifier given the ledger key.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "core/testing/run_tool.h"
#include "production/package_verifier.h"
#include "production/producer_test_fixture.h"
#include "production/zip_package.h"

namespace custodian::production {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

// One access event as the service sends it; `extra` holds further fields ("\"device_id\": …").
std::string Line(uint64_t account, const std::string& ts, const std::string& kind, const std::string& ip,
                 std::optional<int> port, const std::string& extra = "") {
  std::string line = "{\"account_id\": " + std::to_string(account) + ", \"ts\": \"" + ts + "\", \"kind\": \"" +
                     kind + "\", \"ip\": \"" + ip + "\"";
  if (port) line += ", \"port\": " + std::to_string(*port);
  if (!extra.empty()) line += ", " + extra;
  return line + "}\n";
}

json Targets(std::initializer_list<std::pair<const char*, const char*>> targets) {
  json out = json::array();
  for (const auto& [type, value] : targets) out.push_back({{"type", type}, {"value", value}});
  return out;
}

// The HSI court order (no notice: a child-safety investigation) with other targets and
// categories; `warrant` makes it a search warrant, which may name addresses, over the 48
// hours from 2026-01-10 (the standards' longest window for a reverse lookup).
std::string Document(const json& targets, const json& categories, bool warrant = false) {
  std::string doc = Example("hsi-child-safety-court-order");
  doc = With(doc, "/targets", targets);
  doc = With(doc, "/categories", categories);
  if (warrant) {
    doc = With(doc, "/process/type", "search_warrant");
    doc = With(doc, "/window", {{"start", "2026-01-10T00:00:00Z"}, {"end", "2026-01-12T00:00:00Z"}});
  }
  return doc;
}

using testing::RunTool;

// access_log.csv as rows of cells (RFC 4180: CRLF rows, quoted cells).
std::vector<std::vector<std::string>> CsvRows(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < csv.size(); ++i) {
    const char c = csv[i];
    if (quoted) {
      if (c == '"' && i + 1 < csv.size() && csv[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(cell);
      cell.clear();
    } else if (c == '\r' && i + 1 < csv.size() && csv[i + 1] == '\n') {
      row.push_back(cell);
      rows.push_back(row);
      row.clear();
      cell.clear();
      ++i;
    } else {
      cell += c;
    }
  }
  EXPECT_TRUE(row.empty() && cell.empty()) << "the last row ends with CRLF";
  return rows;
}

std::vector<std::string> Times(const json& access_log) {
  std::vector<std::string> out;
  for (const json& e : access_log) out.push_back(e["ts"]);
  return out;
}

// Account 1000044 (three subscriber versions, events at 198.51.100.7 on two ports and
// elsewhere, with device fields) and 1000045 (at 198.51.100.7:51234 once), on top of the
// fixture's 1000042 and 1000043; eleven accounts share 192.0.2.200, one more than the
// standards' reverse-lookup cap.
class ProducerScopeTest : public ProducerTest {
 protected:
  void SetUp() override {
    ProducerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    vault::IngestReport report;
    std::string events =
        Line(1000044, "2026-01-10T09:00:00Z", "login", "198.51.100.7", 51234,
             "\"user_agent\": \"Mozilla/5.0 (X11; Linux)\", \"device_id\": \"dev-44\"") +
        Line(1000044, "2026-01-11T09:00:00Z", "logout", "198.51.100.7", 443, "\"user_agent\": \"curl/8.0\"") +
        Line(1000044, "2026-01-11T10:00:00Z", "login", "192.0.2.1", std::nullopt) +
        Line(1000044, "2026-01-12T00:00:00Z", "login", "198.51.100.7", 51234) +
        Line(1000044, "2025-12-20T09:00:00Z", "login", "198.51.100.7", 51234) +
        Line(1000044, "2026-03-02T09:00:00Z", "login", "198.51.100.7", 51234) +
        Line(1000045, "2026-01-11T12:00:00Z", "login", "198.51.100.7", 51234) +
        Line(1000045, "2026-01-11T13:00:00Z", "login", "203.0.113.77", 443);
    for (uint64_t a = 2000000; a <= 2000010; ++a) {
      events += Line(a, "2026-01-10T08:00:00Z", "login", "192.0.2.200", 443);
    }
    ASSERT_TRUE(instance_->vault->Ingest(events, report).ok());
    ASSERT_EQ(report.accepted, 19u);
    vault::IngestReport subscribers;
    ASSERT_TRUE(instance_->vault->IngestSubscribers(
        R"({"account_id": 1000044, "effective_from": "2025-09-01T00:00:00Z", "username": "Falcon7", "name": "Ana Q. Example", "emails": ["Ana.Q@example.net"], "phones": ["+15755550100"], "created_at": "2019-04-01T12:00:00Z", "status": "active"})"
        "\n"
        R"({"account_id": 1000044, "effective_from": "2026-02-01T00:00:00Z", "username": "Falcon7", "name": "Ana Q. Example", "emails": ["ana.q@example.net"], "phones": ["+15755550199"], "status": "active"})"
        "\n"
        R"({"account_id": 1000044, "effective_from": "2026-03-05T00:00:00Z", "username": "Falcon7", "name": "Ana Later", "emails": ["later@example.net"], "status": "active"})"
        "\n"
        R"({"account_id": 1000045, "effective_from": "2025-01-01T00:00:00Z", "username": "heron", "name": "Bo Heron", "emails": ["bo@example.org"], "phones": ["+447700900123"]})"
        "\n",
        subscribers).ok());
    ASSERT_EQ(subscribers.accepted, 4u);
  }

  struct Package {
    std::string zip;
    ProductionOutcome outcome;
    json record;
    std::vector<std::vector<std::string>> csv;  // the header row first
    std::string pdf_text;
  };
  // Approves and produces `document`; the package read back.
  Package Made(const std::string& document, const std::string& name) {
    Package p;
    p.zip = (dir_ / (name + ".zip")).string();
    auto outcome = Produce(Approved(document), p.zip);
    EXPECT_TRUE(outcome.ok()) << outcome.status().message();
    if (!outcome.ok()) return p;
    p.outcome = *outcome;
    p.record = json::parse(Entry(p.zip, "record.json"));
    p.csv = CsvRows(Entry(p.zip, "access_log.csv"));
    const std::string pdf = (dir_ / (name + ".pdf")).string();
    std::ofstream(pdf, std::ios::binary) << Entry(p.zip, "record.pdf");
    p.pdf_text = RunTool("pdftotext -enc UTF-8 '" + pdf + "' -");
    auto check = VerifyPackage(p.zip, Key(cases::kProductionKey), Key(cases::kLedgerKey));
    EXPECT_TRUE(check.ok() && check->ok()) << (check.ok() ? check->failure.value_or("") : check.status().message());
    return p;
  }
  static const json* AccountOf(const Package& p, const std::string& id) {
    for (const json& a : p.record["accounts"]) {
      if (a["account_id"] == id) return &a;
    }
    return nullptr;
  }

  // record.json, access_log.csv and record.pdf hold the same events, account by account, and
  // the CSV's columns are exactly the authorized ones.
  static void ExpectTheFilesAgree(const Package& p, bool location, bool device) {
    std::vector<std::string> header = {"account_id", "ts", "kind", "ip", "port"};
    if (location) {
      for (const char* f : {"country", "region", "city", "latitude", "longitude", "accuracy_km", "source"}) {
        header.push_back(std::string("location_") + f);
      }
    }
    if (device) {
      header.push_back("user_agent");
      header.push_back("device_id");
    }
    ASSERT_FALSE(p.csv.empty());
    EXPECT_EQ(p.csv[0], header);
    size_t row = 1;
    uint64_t events = 0;
    for (const json& account : p.record["accounts"]) {
      const std::string id = account["account_id"];
      EXPECT_THAT(p.pdf_text, HasSubstr("Account " + id));
      if (!account.contains("access_log")) continue;
      const json& log = account["access_log"];
      events += log.size();
      EXPECT_THAT(p.pdf_text, HasSubstr(log.empty() ? std::string("No events in the window.")
                                                    : "End of the access log of account " + id + ": " +
                                                          std::to_string(log.size()) +
                                                          (log.size() == 1 ? " event." : " events.")));
      for (const json& e : log) {
        SCOPED_TRACE(e.dump());
        ASSERT_LT(row, p.csv.size());
        const std::vector<std::string>& cells = p.csv[row++];
        ASSERT_EQ(cells.size(), header.size());
        EXPECT_EQ(cells[0], id);
        EXPECT_EQ(cells[1], e["ts"]);
        EXPECT_EQ(cells[2], e["kind"]);
        EXPECT_EQ(cells[3], e["ip"]);
        EXPECT_EQ(cells[4], e.contains("port") ? std::to_string(e["port"].get<int>()) : "");
        EXPECT_EQ(e.contains("location"), location);
        EXPECT_EQ(e.contains("user_agent"), device);
        EXPECT_EQ(e.contains("device_id"), device);
        if (location) {
          const json& where = e["location"];
          EXPECT_EQ(cells[5], where.is_null() ? "" : where["country"].get<std::string>());
          if (!where.is_null() && where.contains("city")) {
            EXPECT_EQ(cells[7], where["city"]);
            EXPECT_THAT(p.pdf_text, HasSubstr(where["city"].get<std::string>()));
          }
        }
        if (device) {
          const size_t at = header.size() - 2;
          EXPECT_EQ(cells[at + 1], e["device_id"].is_null() ? "" : e["device_id"].get<std::string>());
          if (e["user_agent"].is_string()) {
            const std::string agent = e["user_agent"];
            // A formula-shaped agent is neutralised in the CSV, shown as it came elsewhere.
            EXPECT_EQ(cells[at], (agent[0] == '=' ? "'" : "") + agent);
            EXPECT_THAT(p.pdf_text, HasSubstr(agent));
          } else {
            EXPECT_EQ(cells[at], "");
          }
          if (e["device_id"].is_string()) {
            EXPECT_THAT(p.pdf_text, HasSubstr(e["device_id"].get<std::string>()));
          }
        }
        EXPECT_THAT(p.pdf_text, HasSubstr(e["ip"].get<std::string>()));
      }
    }
    EXPECT_EQ(row, p.csv.size()) << "no row in the CSV that record.json does not hold";
    EXPECT_EQ(p.outcome.events, events);
    // The PDF's columns are the authorized ones.
    EXPECT_EQ(p.pdf_text.find("Approximate location") != std::string::npos, location && events > 0);
    EXPECT_EQ(p.pdf_text.find("User agent") != std::string::npos, device && events > 0);
  }

  // The account found by `target` alone (1000044), whole: every event of the window, and the
  // two subscriber versions in force during it.
  void ExpectFalconFoundBy(const char* type, const char* value) {
    SCOPED_TRACE(std::string(type) + " " + value);
    const Package p = Made(Document(Targets({{type, value}}), {"basic_subscriber", "access_log"}), type);
    ASSERT_EQ(p.record["accounts"].size(), 1u) << p.record.dump();
    const json& account = p.record["accounts"][0];
    EXPECT_EQ(account["account_id"], "1000044");
    EXPECT_EQ(account["matched_by"], json::array({{{"type", type}, {"value", value}}}));
    EXPECT_THAT(Times(account["access_log"]),
                ElementsAre("2026-01-10T09:00:00.000000Z", "2026-01-11T09:00:00.000000Z", "2026-01-11T10:00:00.000000Z",
                            "2026-01-12T00:00:00.000000Z"));
    ASSERT_EQ(account["subscriber"].size(), 2u) << "the versions in force during the window, not the later one";
    EXPECT_EQ(account["subscriber"][0]["effective_from"], "2025-09-01T00:00:00.000000Z");
    EXPECT_EQ(account["subscriber"][1]["effective_from"], "2026-02-01T00:00:00.000000Z");
    EXPECT_EQ(account["subscriber"][0]["phones"], json::array({"+15755550100"}));
    EXPECT_EQ(p.record["not_found"], json::array());
    EXPECT_THAT(p.pdf_text, HasSubstr(std::string(type) + " " + value)) << "the PDF names what matched";
    EXPECT_THAT(p.pdf_text, HasSubstr("Ana Q. Example"));
    EXPECT_THAT(p.pdf_text, Not(HasSubstr("Ana Later")));
    EXPECT_THAT(p.pdf_text, Not(HasSubstr("Only the events from the address")));
    ExpectTheFilesAgree(p, false, false);
  }
};

TEST_P(ProducerScopeTest, AUsernameTargetFindsTheAccountThatHeldIt) { ExpectFalconFoundBy("username", "falcon7"); }

TEST_P(ProducerScopeTest, AnEmailTargetFindsTheAccountThatHeldIt) {
  ExpectFalconFoundBy("email", "ana.q@example.net");
}

TEST_P(ProducerScopeTest, APhoneTargetFindsTheAccountThatHeldItDuringTheWindow) {
  // +15755550100 was replaced on 2026-02-01: held during the window all the same.
  ExpectFalconFoundBy("phone", "+15755550100");
}

// A request naming instants: the vault reads each one's interval, not the span between them,
// and the record states the scope as those intervals.
TEST_P(ProducerScopeTest, InstantsAreReadIntervalByInterval) {
  const auto at_instants = [](const json& targets) {
    std::string doc = Document(targets, {"basic_subscriber", "access_log"});
    doc = With(doc, "/window", nullptr);
    return With(doc, "/times", {"2026-01-11T10:10:00Z", "2026-01-10T09:05:00Z"});
  };
  const Package p = Made(at_instants(Targets({{"username", "falcon7"}})), "instants");
  ASSERT_EQ(p.record["accounts"].size(), 1u) << p.record.dump();
  const json& account = p.record["accounts"][0];
  EXPECT_EQ(account["account_id"], "1000044");
  // [08:50, 09:20) on the 10th and [09:55, 10:25) on the 11th; not 09:00 on the 11th between them.
  EXPECT_THAT(Times(account["access_log"]),
              ElementsAre("2026-01-10T09:00:00.000000Z", "2026-01-11T10:00:00.000000Z"));
  ASSERT_EQ(account["subscriber"].size(), 1u) << "only the version in force at those times";
  EXPECT_EQ(account["subscriber"][0]["effective_from"], "2025-09-01T00:00:00.000000Z");
  const json intervals = json::parse(R"([
    {"start": "2026-01-10T08:50:00Z", "end": "2026-01-10T09:20:00Z"},
    {"start": "2026-01-11T09:55:00Z", "end": "2026-01-11T10:25:00Z"}])");
  EXPECT_FALSE(p.record["scope"].contains("window"));
  EXPECT_EQ(p.record["scope"]["times"], json({"2026-01-10T09:05:00Z", "2026-01-11T10:10:00Z"}));
  EXPECT_EQ(p.record["scope"]["minutes"], 15);
  EXPECT_EQ(p.record["scope"]["intervals"], intervals);
  EXPECT_EQ(json::parse(Entry(p.zip, "manifest.json"))["scope"]["intervals"], intervals);
  EXPECT_THAT(p.pdf_text, HasSubstr("Interval: 2026-01-10T08:50:00Z to 2026-01-10T09:20:00Z"));
  EXPECT_THAT(p.pdf_text, HasSubstr("Interval: 2026-01-11T09:55:00Z to 2026-01-11T10:25:00Z"));
  EXPECT_THAT(p.pdf_text, Not(HasSubstr("Window:")));
  ExpectTheFilesAgree(p, false, false);

  // A phone number the account took only in February held nothing at those times.
  const Package later = Made(at_instants(Targets({{"phone", "+15755550199"}})), "instants-phone");
  EXPECT_TRUE(later.record["accounts"].empty()) << later.record.dump();
  EXPECT_EQ(later.record["not_found"], Targets({{"phone", "+15755550199"}}));
}

TEST_P(ProducerScopeTest, AnAddressWithAPortGivesEachAccountOnlyItsEventsFromThere) {
  const Package p = Made(Document(Targets({{"ip", "198.51.100.7:51234"}}), {"basic_subscriber", "access_log"}, true), "ipport");
  ASSERT_EQ(p.record["accounts"].size(), 2u) << p.record.dump();
  const json* falcon = AccountOf(p, "1000044");
  const json* heron = AccountOf(p, "1000045");
  ASSERT_TRUE(falcon && heron);
  const json by_ip = json::array({{{"type", "ip"}, {"value", "198.51.100.7:51234"}}});
  EXPECT_EQ((*falcon)["matched_by"], by_ip);
  EXPECT_EQ((*heron)["matched_by"], by_ip);
  // Not 1000044's logout from port 443, nor its login from 192.0.2.1, nor its logins from
  // there outside the window (one at its end); not 1000045's login from elsewhere.
  EXPECT_THAT(Times((*falcon)["access_log"]), ElementsAre("2026-01-10T09:00:00.000000Z"));
  EXPECT_EQ((*falcon)["access_log"][0]["port"], 51234);
  EXPECT_THAT(Times((*heron)["access_log"]), ElementsAre("2026-01-11T12:00:00.000000Z"));
  EXPECT_EQ((*heron)["subscriber"][0]["name"], "Bo Heron");
  EXPECT_EQ(p.outcome.events, 2u);
  EXPECT_EQ(p.outcome.accounts_with_data, 2);
  EXPECT_THAT(p.pdf_text, HasSubstr("Only the events from the address(es) in the request"));
  EXPECT_THAT(p.pdf_text, Not(HasSubstr("192.0.2.1")));
  EXPECT_THAT(p.pdf_text, Not(HasSubstr("203.0.113.77")));
  ExpectTheFilesAgree(p, false, false);
}

TEST_P(ProducerScopeTest, AnAddressWithoutAPortGivesEveryPortOfIt) {
  const Package p = Made(Document(Targets({{"ip", "198.51.100.7"}}), {"access_log"}, true), "ip");
  ASSERT_EQ(p.record["accounts"].size(), 2u) << p.record.dump();
  EXPECT_THAT(Times((*AccountOf(p, "1000044"))["access_log"]),
              ElementsAre("2026-01-10T09:00:00.000000Z", "2026-01-11T09:00:00.000000Z"));
  EXPECT_THAT(Times((*AccountOf(p, "1000045"))["access_log"]), ElementsAre("2026-01-11T12:00:00.000000Z"));
  ExpectTheFilesAgree(p, false, false);
}

TEST_P(ProducerScopeTest, AnAccountAlsoNamedByItsIdGetsItsWholeWindow) {
  const Package p = Made(Document(Targets({{"ip", "198.51.100.7:51234"}, {"account_id", "1000044"}}), {"access_log"}, true),
                         "both");
  ASSERT_EQ(p.record["accounts"].size(), 2u) << p.record.dump();
  const json& falcon = *AccountOf(p, "1000044");
  EXPECT_EQ(falcon["matched_by"].size(), 2u);
  // Within the warrant's 48 hours: not the login at its end.
  EXPECT_THAT(Times(falcon["access_log"]), ElementsAre("2026-01-10T09:00:00.000000Z", "2026-01-11T09:00:00.000000Z",
                                                       "2026-01-11T10:00:00.000000Z"));
  EXPECT_THAT(Times((*AccountOf(p, "1000045"))["access_log"]), ElementsAre("2026-01-11T12:00:00.000000Z"));
  ExpectTheFilesAgree(p, false, false);
}

TEST_P(ProducerScopeTest, AnAddressSharedByMoreAccountsThanTheCapGoesBackToReview) {
  ASSERT_EQ(instance_->default_standards.reverse_lookup_max_accounts, 10) << "the data has eleven accounts there";
  const std::string id = Approved(Document(Targets({{"ip", "192.0.2.200"}}), {"access_log"}, true));
  const std::string zip = (dir_ / "shared.zip").string();
  auto refused = Produce(id, zip);
  ASSERT_EQ(refused.status().code(), Status::Code::kFailedPrecondition) << refused.status().message();
  EXPECT_THAT(refused.status().message(), HasSubstr("matched 11 accounts, more than 10"));
  EXPECT_FALSE(fs::exists(zip));
  EXPECT_TRUE(fs::is_empty(dir_)) << "no work files left behind";
  EXPECT_EQ(instance_->workflow->Show(id, {"auditor-1"})->record.state, cases::CaseState::kInReview);
  EXPECT_EQ(Produce(id, zip).status().code(), Status::Code::kFailedPrecondition) << "not until approved again";
  EXPECT_FALSE(fs::exists(zip));
}

TEST_P(ProducerScopeTest, TargetsThatMatchNobodyAreNotFound) {
  const Package p = Made(Document(Targets({{"account_id", "1000042"},
                                          {"username", "nobody"},
                                          {"email", "nobody@example.net"},
                                          {"phone", "+15550000000"},
                                          {"ip", "198.51.100.250"}}),
                                 {"basic_subscriber", "access_log"}, true),
                         "nobody");
  ASSERT_EQ(p.record["accounts"].size(), 1u) << p.record.dump();
  EXPECT_EQ(p.record["accounts"][0]["account_id"], "1000042");
  EXPECT_EQ(p.record["not_found"], Targets({{"username", "nobody"},
                                            {"email", "nobody@example.net"},
                                            {"phone", "+15550000000"},
                                            {"ip", "198.51.100.250"}}));
  EXPECT_EQ(p.outcome.accounts, 1);
  ExpectTheFilesAgree(p, false, false);
}

TEST_P(ProducerScopeTest, BasicSubscriberAloneHoldsNoAccessLog) {
  const Package p = Made(Document(Targets({{"account_id", "1000044"}}), {"basic_subscriber"}), "subscriber");
  ASSERT_EQ(p.record["accounts"].size(), 1u);
  const json& account = p.record["accounts"][0];
  EXPECT_EQ(account["subscriber"].size(), 2u);
  EXPECT_EQ(account["subscriber"][0]["created_at"], "2019-04-01T12:00:00.000000Z");
  EXPECT_EQ(account["subscriber"][1]["emails"], json::array({"ana.q@example.net"}));
  // The code leaves the key out (spec/production.md says only what access_log holds when
  // authorized); the CSV keeps its header and no row.
  EXPECT_FALSE(account.contains("access_log")) << account.dump();
  EXPECT_EQ(Entry(p.zip, "access_log.csv"), "account_id,ts,kind,ip,port\r\n");
  EXPECT_EQ(p.outcome.events, 0u);
  EXPECT_EQ(p.outcome.accounts_with_data, 1);
  EXPECT_THAT(p.pdf_text, HasSubstr("Subscriber information"));
  EXPECT_THAT(p.pdf_text, HasSubstr("Ana Q. Example"));
  EXPECT_THAT(p.pdf_text, HasSubstr("+15755550199"));
  EXPECT_THAT(p.pdf_text, Not(HasSubstr("Access log")));
  EXPECT_THAT(p.pdf_text, Not(HasSubstr("198.51.100.7")));
  EXPECT_EQ(p.record["scope"]["categories"], json::array({"basic_subscriber"}));
  ExpectTheFilesAgree(p, false, false);
}

TEST_P(ProducerScopeTest, AccessLogAloneHoldsNoSubscriberNoLocationNoDevice) {
  const Package p = Made(Document(Targets({{"account_id", "1000044"}, {"account_id", "1000042"}}), {"access_log"}), "log");
  ASSERT_EQ(p.record["accounts"].size(), 2u);
  for (const json& account : p.record["accounts"]) {
    EXPECT_FALSE(account.contains("subscriber")) << account.dump();
    EXPECT_FALSE(account["access_log"].empty());
  }
  EXPECT_THAT(Times((*AccountOf(p, "1000044"))["access_log"]),
              ElementsAre("2026-01-10T09:00:00.000000Z", "2026-01-11T09:00:00.000000Z", "2026-01-11T10:00:00.000000Z",
                            "2026-01-12T00:00:00.000000Z"));
  EXPECT_THAT(p.pdf_text, Not(HasSubstr("Subscriber information")));
  EXPECT_THAT(p.pdf_text, Not(HasSubstr("Ana Q. Example")));
  EXPECT_THAT(p.pdf_text, Not(HasSubstr("王小明")));
  EXPECT_THAT(p.pdf_text, Not(HasSubstr("Mozilla")));
  EXPECT_THAT(p.pdf_text, Not(HasSubstr("dev-44")));
  EXPECT_THAT(Entry(p.zip, "record.json"), Not(HasSubstr("Mozilla")));
  EXPECT_THAT(Entry(p.zip, "access_log.csv"), Not(HasSubstr("dev-44")));
  ExpectTheFilesAgree(p, false, false);
}

TEST_P(ProducerScopeTest, LocationIsOnEveryEventWhenAuthorizedAndNullWithoutAnAnswer) {
  // One more login, from an address the test database places west of Greenwich.
  vault::IngestReport report;
  ASSERT_TRUE(instance_->vault->Ingest(Event(1000042, "2026-02-01T10:00:00Z", "2.125.160.216"), report).ok());
  const Package p = Made(Document(Targets({{"account_id", "1000042"}, {"account_id", "1000044"}}), {"access_log", "location"}),
                         "location");
  const json& kestrel = (*AccountOf(p, "1000042"))["access_log"];
  ASSERT_EQ(kestrel.size(), 3u);
  EXPECT_EQ(kestrel[0]["location"]["country"], "SE");
  EXPECT_EQ(kestrel[1]["location"]["country"], "GB");
  ASSERT_LT(kestrel[1]["location"]["longitude"].get<double>(), 0);
  EXPECT_TRUE(kestrel[2]["location"].is_null());
  // Coordinates are numbers in the CSV too: a negative longitude is not guarded as a formula.
  ASSERT_GE(p.csv.size(), 3u);
  EXPECT_EQ(p.csv[2][9], kestrel[1]["location"]["longitude"].dump());
  EXPECT_EQ(p.csv[2][9].front(), '-');
  for (const json& e : (*AccountOf(p, "1000044"))["access_log"]) {
    EXPECT_TRUE(e.contains("location") && e["location"].is_null()) << e.dump() << ": documentation addresses";
  }
  EXPECT_THAT(p.pdf_text, HasSubstr("unknown"));
  EXPECT_THAT(p.pdf_text, Not(HasSubstr("User agent")));
  ExpectTheFilesAgree(p, true, false);
}

TEST_P(ProducerScopeTest, DeviceFieldsOnlyWithDevice) {
  const Package p = Made(Document(Targets({{"account_id", "1000044"}, {"account_id", "1000042"}}), {"access_log", "device"}),
                         "device");
  const json& falcon = (*AccountOf(p, "1000044"))["access_log"];
  ASSERT_EQ(falcon.size(), 4u);
  EXPECT_EQ(falcon[0]["user_agent"], "Mozilla/5.0 (X11; Linux)");
  EXPECT_EQ(falcon[0]["device_id"], "dev-44");
  EXPECT_EQ(falcon[1]["user_agent"], "curl/8.0");
  EXPECT_TRUE(falcon[1]["device_id"].is_null());
  EXPECT_TRUE(falcon[2]["user_agent"].is_null());
  EXPECT_EQ((*AccountOf(p, "1000042"))["access_log"][0]["user_agent"], "=cmd|' /C calc'!A0");
  EXPECT_THAT(Entry(p.zip, "access_log.csv"), HasSubstr(",'=cmd|' /C calc'!A0,"));
  EXPECT_FALSE(falcon[0].contains("location"));
  EXPECT_THAT(p.pdf_text, HasSubstr("Device"));
  ExpectTheFilesAgree(p, false, true);
}

// ledger.json is outside the manifest: only the ledger check sees it, and it sees every value.
TEST_P(ProducerScopeTest, EveryValueOfLedgerJsonIsCheckedWithTheLedgerKey) {
  // An earlier production, so that the leaf's inclusion proof has two hashes (index 5 of 6).
  Made(Document(Targets({{"account_id", "1000043"}}), {"access_log"}), "first");
  const Package p = Made(Document(Targets({{"account_id", "1000044"}}), {"basic_subscriber", "access_log"}), "third");
  const json ledger = json::parse(Entry(p.zip, "ledger.json"));
  ASSERT_GE(ledger["proof"].size(), 2u) << ledger.dump();
  ASSERT_TRUE(ledger["tree_head"].is_object());
  const fs::path work = dir_ / "ledger-work";
  fs::create_directories(work);
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* n : {"record.pdf", "record.json", "access_log.csv", "manifest.json", "manifest.sig"}) {
    std::ofstream((work / n).string(), std::ios::binary) << Entry(p.zip, n);
    files.emplace_back(n, (work / n).string());
  }
  files.emplace_back("ledger.json", (work / "ledger.json").string());
  int n = 0;
  const auto refused = [&](const std::string& what, const json& changed) {
    SCOPED_TRACE(what);
    std::ofstream((work / "ledger.json").string(), std::ios::binary | std::ios::trunc) << changed.dump(2) << "\n";
    const std::string out = (dir_ / ("ledger-" + std::to_string(n++) + ".zip")).string();
    ASSERT_TRUE(WriteZip(out, files).ok());
    auto with = VerifyPackage(out, Key(cases::kProductionKey), Key(cases::kLedgerKey));
    ASSERT_TRUE(with.ok());
    EXPECT_THAT(with->failure.value_or("accepted"), HasSubstr("ledger.json"));
    EXPECT_THAT(with->passed, ElementsAre("files", "manifest", "hashes", "signature"));
    auto without = VerifyPackage(out, Key(cases::kProductionKey), std::nullopt);
    ASSERT_TRUE(without.ok());
    EXPECT_TRUE(without->ok()) << "without the ledger key ledger.json is not read: " << without->failure.value_or("");
  };
  // The unchanged values, written the same way, pass: each change below is what is refused.
  {
    std::ofstream((work / "ledger.json").string(), std::ios::binary | std::ios::trunc) << ledger.dump(2) << "\n";
    const std::string out = (dir_ / "ledger-same.zip").string();
    ASSERT_TRUE(WriteZip(out, files).ok());
    EXPECT_TRUE(VerifyPackage(out, Key(cases::kProductionKey), Key(cases::kLedgerKey))->ok());
  }
  const auto with = [&](const std::string& pointer, const json& value) {
    json changed = ledger;
    changed[json::json_pointer(pointer)] = value;
    return changed;
  };
  const auto flipped = [](const json& base64) {
    std::string bytes = Base64Decode(base64.get<std::string>()).value();
    bytes[bytes.size() / 2] ^= 1;
    return Base64Encode(std::string_view(bytes));
  };
  refused("log", with("/log", "audit"));
  const uint64_t index = ledger["index"];
  refused("index + 1", with("/index", index + 1));
  refused("index - 1", with("/index", index - 1));
  refused("index as text", with("/index", std::to_string(index)));
  // Each field of the leaf, changed in its text.
  const json leaf = json::parse(ledger["leaf"].get<std::string>());
  ASSERT_TRUE(leaf.contains("manifest_sha256")) << leaf.dump();
  for (const auto& [key, value] : leaf.items()) {
    json changed_leaf = leaf;
    if (value.is_string()) {
      std::string s = value;
      s[s.size() - 1] = s[s.size() - 1] == '0' ? '1' : '0';
      changed_leaf[key] = s;
    } else if (value.is_boolean()) {
      changed_leaf[key] = !value.get<bool>();
    } else if (value.is_number_integer()) {
      changed_leaf[key] = value.get<int64_t>() + 1;
    } else if (value.is_array()) {
      changed_leaf[key] = value.empty() ? json::array({"content"}) : json::array();
    } else {
      changed_leaf[key] = "changed";
    }
    refused("leaf/" + key, with("/leaf", changed_leaf.dump()));
  }
  refused("leaf with a space", with("/leaf", " " + ledger["leaf"].get<std::string>()));
  for (size_t i = 0; i < ledger["proof"].size(); ++i) {
    refused("proof/" + std::to_string(i), with("/proof/" + std::to_string(i), flipped(ledger["proof"][i])));
  }
  json shorter = ledger;
  shorter["proof"].erase(shorter["proof"].size() - 1);
  refused("proof, one hash fewer", shorter);
  json longer = ledger;
  longer["proof"].push_back(ledger["proof"][0]);
  refused("proof, one hash more", longer);
  for (const auto& [key, value] : ledger["tree_head"].items()) {
    const std::string at = "/tree_head/" + key;
    if (key == "size") {
      refused(at, with(at, value.get<uint64_t>() + 1));
    } else if (key == "root" || key == "signature") {
      refused(at, with(at, flipped(value)));
    } else if (key == "timestamp") {
      std::string t = value;
      t[t.size() - 2] = t[t.size() - 2] == '0' ? '1' : '0';  // a second later or earlier
      refused(at, with(at, t));
    } else if (key == "key_id") {
      refused(at, with(at, std::string(16, '0')));
    } else {
      refused(at, with(at, value.get<std::string>() + "x"));
    }
  }
  EXPECT_GE(n, 20);
  // And the other log's key does not sign this log's heads.
  auto wrong = VerifyPackage(p.zip, Key(cases::kProductionKey), Key(cases::kProductionKey));
  ASSERT_TRUE(wrong.ok());
  EXPECT_THAT(wrong->failure.value_or("accepted"), HasSubstr("ledger.json/tree_head"));
}

// What is wrong inside a package is named by its file and field, verbatim.
TEST_P(ProducerScopeTest, AMalformedPartIsNamedByItsFileAndField) {
  const Package p = Made(Document(Targets({{"account_id", "1000044"}}), {"access_log"}), "malformed");
  const fs::path work = dir_ / "malformed-work";
  fs::create_directories(work);
  int n = 0;
  // The first problem VerifyPackage finds after `name` is replaced by `bytes`.
  const auto failure = [&](const std::string& name, const std::string& bytes) -> std::string {
    std::vector<std::pair<std::string, std::string>> files;
    for (const char* f : {"record.pdf", "record.json", "access_log.csv", "manifest.json", "manifest.sig", "ledger.json"}) {
      const fs::path path = work / (std::to_string(n) + "-" + f);
      std::ofstream(path, std::ios::binary) << (f == name ? bytes : Entry(p.zip, f));
      files.emplace_back(f, path.string());
    }
    const std::string out = (dir_ / ("malformed-" + std::to_string(n++) + ".zip")).string();
    EXPECT_TRUE(WriteZip(out, files).ok());
    auto check = VerifyPackage(out, Key(cases::kProductionKey), Key(cases::kLedgerKey));
    EXPECT_TRUE(check.ok());
    return check.ok() ? check->failure.value_or("accepted") : check.status().message();
  };
  const json manifest = json::parse(Entry(p.zip, "manifest.json"));
  const json ledger = json::parse(Entry(p.zip, "ledger.json"));
  const auto changed = [](json j, const std::string& pointer, const json& value) {
    if (value.is_null()) {
      j[json::json_pointer(pointer).parent_pointer()].erase(json::json_pointer(pointer).back());
    } else {
      j[json::json_pointer(pointer)] = value;
    }
    return j.dump(2);
  };

  EXPECT_EQ(failure("manifest.json", changed(manifest, "/extra", 1)), "manifest.json/extra: not a manifest field");
  EXPECT_EQ(failure("manifest.json", changed(manifest, "/case", nullptr)), "manifest.json/case: missing");
  EXPECT_EQ(failure("manifest.json", changed(manifest, "/created_at", 5)), "manifest.json/created_at: wrong type");
  EXPECT_EQ(failure("manifest.json", changed(manifest, "/files/record.pdf", "ABC")),
            "manifest.json/files/record.pdf: not a SHA-256 in hex");
  EXPECT_EQ(failure("manifest.json", changed(manifest, "/files/record.pdf", nullptr)),
            "manifest.json/files: not exactly record.pdf, record.json, access_log.csv");
  EXPECT_EQ(failure("manifest.json", "{\"production\": "), "manifest.json/production: unexpected end of the document");
  EXPECT_EQ(failure("record.json", Entry(p.zip, "record.json") + " "), "record.json: its SHA-256 is not the manifest's");
  EXPECT_EQ(failure("manifest.sig", Entry(p.zip, "manifest.sig").substr(1)), "manifest.sig: not 64 bytes");

  EXPECT_EQ(failure("ledger.json", changed(ledger, "/extra", 1)), "ledger.json/extra: not a field");
  EXPECT_EQ(failure("ledger.json", changed(ledger, "/log", "audit")), "ledger.json/log: not disclosures");
  EXPECT_EQ(failure("ledger.json", changed(ledger, "/index", -1)), "ledger.json/index: not an index");
  EXPECT_EQ(failure("ledger.json", changed(ledger, "/leaf", 7)), "ledger.json/leaf: not the leaf's text");
  EXPECT_EQ(failure("ledger.json", changed(ledger, "/proof", "none")), "ledger.json/proof: not a list");
  EXPECT_EQ(failure("ledger.json", changed(ledger, "/proof/0", "AAAA")), "ledger.json/proof/0: not a base64 SHA-256");
  EXPECT_EQ(failure("ledger.json", changed(ledger, "/tree_head", nullptr)), "ledger.json/tree_head: missing");
  EXPECT_EQ(failure("ledger.json", changed(ledger, "/tree_head/log", "audit")), "ledger.json/tree_head/log: not disclosures");
  json leaf = json::parse(ledger["leaf"].get<std::string>());
  leaf["kind"] = "received";
  leaf.erase("accounts_with_data");
  leaf.erase("manifest_sha256");
  EXPECT_EQ(failure("ledger.json", changed(ledger, "/leaf", leaf.dump())), "ledger.json/leaf: not a production leaf");
  leaf = json::parse(ledger["leaf"].get<std::string>());
  leaf["manifest_sha256"] = std::string(64, '0');
  EXPECT_EQ(failure("ledger.json", changed(ledger, "/leaf", leaf.dump())),
            "ledger.json/leaf: its manifest_sha256 is not manifest.json's");
  leaf["targets"] = "one";
  EXPECT_EQ(failure("ledger.json", changed(ledger, "/leaf", leaf.dump())), "ledger.json/leaf/targets: wrong type");
  EXPECT_EQ(failure("ledger.json", "[1, 2"), "ledger.json/: expected ',' or ']'");
  EXPECT_EQ(failure("ledger.json", "[]"), "ledger.json: not an object");
}

// Any byte of a file the manifest covers, of the manifest or of its signature, changed: refused.
TEST_P(ProducerScopeTest, EveryByteOfTheSignedFilesIsCovered) {
  const Package p = Made(Document(Targets({{"account_id", "1000044"}}), {"basic_subscriber", "access_log", "device"}), "bytes");
  const fs::path work = dir_ / "bytes-work";
  fs::create_directories(work);
  std::map<std::string, std::string> original;
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* n : {"record.pdf", "record.json", "access_log.csv", "manifest.json", "manifest.sig", "ledger.json"}) {
    original[n] = Entry(p.zip, n);
    std::ofstream((work / n).string(), std::ios::binary) << original[n];
    files.emplace_back(n, (work / n).string());
  }
  const std::string out = (dir_ / "bytes-changed.zip").string();
  int checked = 0;
  for (const char* name : {"manifest.json", "manifest.sig", "access_log.csv", "record.json", "record.pdf"}) {
    const std::string& bytes = original[name];
    // 64 bytes spread over each file, its first and last among them: every byte of the
    // signature. (Each change costs a zip written and synced.)
    std::set<size_t> at = {0, bytes.size() - 1};
    for (size_t k = 0; k < 64; ++k) at.insert(k * (bytes.size() - 1) / 63);
    for (size_t i : at) {
      std::string changed = bytes;
      changed[i] ^= 0x20;
      std::ofstream((work / name).string(), std::ios::binary | std::ios::trunc) << changed;
      fs::remove(out);
      ASSERT_TRUE(WriteZip(out, files).ok());
      auto check = VerifyPackage(out, Key(cases::kProductionKey), Key(cases::kLedgerKey));
      ASSERT_TRUE(check.ok());
      ASSERT_FALSE(check->ok()) << name << " byte " << i << " changed and accepted";
      ++checked;
    }
    std::ofstream((work / name).string(), std::ios::binary | std::ios::trunc) << bytes;
  }
  EXPECT_GE(checked, 5 * 63);
  fs::remove(out);
  ASSERT_TRUE(WriteZip(out, files).ok());
  EXPECT_TRUE(VerifyPackage(out, Key(cases::kProductionKey), Key(cases::kLedgerKey))->ok()) << "restored";
}

INSTANTIATE_TEST_SUITE_P(Stores, ProducerScopeTest, ::testing::ValuesIn(cases::TestBackends()), cases::BackendName);

}  // namespace
}  // namespace custodian::production
