// The demo's synthetic service: deterministic, of the size asked, with names in many scripts,
// numbers that changed hands, and addresses the default geolocation data places.
#include "cli/demo_service.h"

#include <map>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "geo/geolocator.h"

namespace custodian::demo {
namespace {

using nlohmann::json;

const Timestamp kNow{1'796'000'000'000'000};  // 2026-11-30

std::string AllEvents(const SyntheticService& service, uint64_t* runs = nullptr) {
  std::string all;
  service.Events(5000, [&](const std::string& run, uint64_t) {
    all += run;
    if (runs) ++*runs;
  });
  return all;
}

std::vector<json> Lines(const std::string& ndjson) {
  std::vector<json> out;
  size_t at = 0;
  while (at < ndjson.size()) {
    const size_t nl = ndjson.find('\n', at);
    out.push_back(json::parse(ndjson.substr(at, nl - at)));
    at = nl + 1;
  }
  return out;
}

TEST(DemoServiceTest, TheSameSeedGivesTheSameServiceAndTheSizeAsked) {
  const ServiceSize size{300, 12345};
  const SyntheticService a(7, size, kNow, 30), b(7, size, kNow, 30), c(8, size, kNow, 30);
  EXPECT_EQ(a.SubscriberRecords(), b.SubscriberRecords());
  uint64_t runs = 0;
  const std::string events = AllEvents(a, &runs);
  EXPECT_EQ(events, AllEvents(b));
  EXPECT_NE(events, AllEvents(c));
  EXPECT_GT(runs, 1u);  // handed over a run of days at a time
  const auto lines = Lines(events);
  ASSERT_EQ(lines.size(), size.events);
  std::set<uint64_t> accounts;
  for (const json& e : lines) {
    accounts.insert(e["account_id"].get<uint64_t>());
    const auto ts = ParseDateTime(e["ts"].get<std::string>());
    ASSERT_TRUE(ts.ok());
    EXPECT_LT(ts->micros, kNow.micros);
    EXPECT_GE(ts->micros, kNow.micros - 31 * kMicrosPerDay);
  }
  EXPECT_GT(accounts.size(), size.accounts / 2);
  EXPECT_EQ(SizeAt(1.0).accounts, 20000u);
  EXPECT_EQ(SizeAt(1.0).events, 2000000u);
}

TEST(DemoServiceTest, NamesInManyScriptsAndNumbersThatChangedHands) {
  const SyntheticService service(1, {2000, 1000}, kNow, 30);
  const auto records = Lines(service.SubscriberRecords());
  // A script by the block its first letter comes from.
  std::set<std::string> scripts;
  std::map<std::string, std::vector<std::pair<uint64_t, std::string>>> holders;  // phone: (account, from)
  for (const json& r : records) {
    const std::string name = r["name"];
    const auto lead = static_cast<unsigned char>(name[0]);
    const uint32_t cp = lead < 0x80 ? lead
                        : lead < 0xe0 ? ((lead & 0x1f) << 6) | (name[1] & 0x3f)
                        : lead < 0xf0 ? ((lead & 0x0f) << 12) | ((name[1] & 0x3f) << 6) | (name[2] & 0x3f)
                                      : 0x10000;
    const char* script = cp < 0x250 ? "latin" : cp < 0x370 ? "other" : cp < 0x400 ? "greek" : cp < 0x530 ? "cyrillic"
                       : cp < 0x590 ? "other" : cp < 0x600 ? "hebrew" : cp < 0x700 ? "arabic"
                       : cp >= 0x900 && cp < 0x980 ? "devanagari" : cp >= 0xe00 && cp < 0xe80 ? "thai"
                       : cp >= 0x3040 && cp < 0x3100 ? "kana" : cp >= 0x4e00 && cp < 0xa000 ? "han"
                       : cp >= 0xac00 && cp < 0xd7b0 ? "hangul" : "other";
    scripts.insert(script);
    for (const json& p : r["phones"]) holders[p].push_back({r["account_id"], r["effective_from"]});
    EXPECT_FALSE(r["emails"].empty());
  }
  for (const char* s : {"latin", "greek", "cyrillic", "hebrew", "arabic", "devanagari", "thai", "han", "hangul"}) {
    EXPECT_TRUE(scripts.contains(s)) << s;
  }
  // Diacritics among the Latin names.
  EXPECT_NE(service.SubscriberRecords().find("ü"), std::string::npos);
  // The recycled number: two accounts, the later one from a later date.
  const auto& held = holders[service.RecycledPhone()];
  ASSERT_EQ(held.size(), 2u);
  EXPECT_NE(held[0].first, held[1].first);
  EXPECT_LT(held[0].second, held[1].second);
  EXPECT_EQ(held[1].first, service.RecycledPhoneAccount());
}

TEST(DemoServiceTest, EveryAddressIsPlacedByTheDefaultGeolocationData) {
  auto geo = geo::Geolocator::Open(geo::DefaultCityDatabases(), "");
  ASSERT_TRUE(geo.ok()) << geo.status().message();
  const SyntheticService service(3, {500, 20000}, kNow, 60);
  std::set<std::string> countries, families, addresses;
  std::map<std::string, std::set<uint64_t>> accounts_at;
  for (const json& e : Lines(AllEvents(service))) {
    const std::string ip = e["ip"];
    accounts_at[ip].insert(e["account_id"].get<uint64_t>());
    if (!addresses.insert(ip).second) continue;
    const auto address = IpAddress::Parse(ip);
    ASSERT_TRUE(address) << ip;
    families.insert(address->family() == IpAddress::Family::kV4 ? "v4" : "v6");
    const auto where = (*geo)->Locate(*address);
    ASSERT_TRUE(where.ok()) << ip;
    ASSERT_TRUE(where->has_value() && (*where)->country) << ip << " is not placed";
    countries.insert(*(*where)->country);
  }
  EXPECT_EQ(families.size(), 2u);
  EXPECT_GE(countries.size(), 15u);
  // Carrier-grade NAT and VPN exits: some addresses are many accounts'.
  size_t shared = 0;
  for (const auto& [ip, accounts] : accounts_at) shared += accounts.size() >= 5;
  EXPECT_GT(shared, 10u);
  // Each network the generator draws from is placed in its country.
  for (const Network& n : Networks()) {
    const std::string cidr = n.cidr;
    const auto base = IpAddress::Parse(cidr.substr(0, cidr.find('/')));
    ASSERT_TRUE(base) << cidr;
    if (std::string(n.country).empty()) continue;
    const auto where = (*geo)->Locate(*base);
    ASSERT_TRUE(where.ok() && where->has_value()) << cidr;
    EXPECT_EQ((*where)->country.value_or(""), n.country) << cidr;
  }
}

}  // namespace
}  // namespace custodian::demo
