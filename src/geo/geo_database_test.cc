#include "geo/geo_database.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/time.h"
#include "geo/testing/library_leaks.h"
#include "geo/testing/mmdb_testing.h"

namespace custodian::geo {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// A network of the source JSON ("81.2.69.142/31", "::214.0.0.0/120", "2001:218::/32"): its
// first and last address.
struct Network {
  IpAddress first;
  IpAddress last;
};

Network ParseNetwork(const std::string& text) {
  const size_t slash = text.find('/');
  const IpAddress base = Ip(text.substr(0, slash));
  const int prefix = std::stoi(text.substr(slash + 1));
  const int bits = base.is_v4() ? 32 : 128;
  std::array<uint8_t, 16> first = base.bytes();
  std::array<uint8_t, 16> last = base.bytes();
  for (int bit = prefix; bit < bits; ++bit) {
    first[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
    last[bit / 8] |= static_cast<uint8_t>(0x80 >> (bit % 8));
  }
  if (base.is_v4()) {
    return {IpAddress::V4({first[0], first[1], first[2], first[3]}),
            IpAddress::V4({last[0], last[1], last[2], last[3]})};
  }
  return {IpAddress::V6(first), IpAddress::V6(last)};
}

// An address as the 128 bits an IPv6 database files it under: IPv4 under ::/96.
std::array<uint8_t, 16> TreeBits(const IpAddress& ip) {
  if (!ip.is_v4()) return ip.bytes();
  std::array<uint8_t, 16> bits{};
  std::copy_n(ip.bytes().begin(), 4, bits.begin() + 12);
  return bits;
}

// Every network of a source JSON file, looked up at its first and last address, must give
// exactly the record the file states. Counts the addresses checked in `checked`.
void CheckEveryNetwork(const GeoDatabase& db, const std::string& source_json, int& checked) {
  for (const json& entry : ReadSourceJson(source_json)) {
    for (const auto& [network_text, expected] : entry.items()) {
      const Network network = ParseNetwork(network_text);
      for (const IpAddress& address : {network.first, network.last}) {
        auto record = db.Lookup(address);
        ASSERT_TRUE(record.ok()) << network_text << ": " << record.status().message();
        ASSERT_TRUE(record->has_value()) << network_text << " " << address.ToString();
        EXPECT_EQ(**record, expected) << network_text << " " << address.ToString();
        ++checked;
      }
    }
  }
}

TEST(GeoDatabaseTest, MetadataOfTheCityTestDatabase) {
  auto db = OpenOrDie(MmdbTestData("test-data/GeoIP2-City-Test.mmdb"));
  ASSERT_TRUE(db);
  const GeoMetadata& m = db->metadata();
  EXPECT_EQ(m.database_type, "GeoIP2-City");
  EXPECT_EQ(m.ip_version, 6);
  EXPECT_EQ(m.build_epoch, 1770245369u);
  EXPECT_EQ(FormatDate(m.build_date), "2026-02-04");
  EXPECT_EQ(m.languages, (std::vector<std::string>{"en", "zh"}));
  EXPECT_EQ(m.descriptions.at("en"),
            "GeoIP2 City Test Database (fake GeoIP2 data, for example purposes only)");
  EXPECT_EQ(m.descriptions.at("zh"), "小型数据库");
  EXPECT_EQ(db->path(), MmdbTestData("test-data/GeoIP2-City-Test.mmdb"));
}

TEST(GeoDatabaseTest, EveryNetworkOfTheSourceJsonAnswersWithItsRecord) {
  int checked = 0;
  for (const char* name : {"GeoIP2-City-Test", "GeoLite2-City-Test", "GeoLite2-ASN-Test"}) {
    auto db = OpenOrDie(MmdbTestData(std::string("test-data/") + name + ".mmdb"));
    ASSERT_TRUE(db);
    int n = 0;
    CheckEveryNetwork(*db, std::string(name) + ".json", n);
    EXPECT_GT(n, 400) << name;  // two addresses for each of 242 to 720 networks
    checked += n;
  }
  EXPECT_EQ(checked, 2 * (251 + 242 + 720));
}

TEST(GeoDatabaseTest, IPv4AddressesInAnIPv6DatabaseAndTheirCompatibleForm) {
  auto db = OpenOrDie(MmdbTestData("test-data/GeoIP2-City-Test.mmdb"));
  ASSERT_TRUE(db);
  ASSERT_EQ(db->metadata().ip_version, 6);
  // The source JSON files 214.0.0.0/24 as ::214.0.0.0/120; both spellings find it, and so
  // does the IPv4-mapped one (which IpAddress reads as IPv4).
  auto compatible = db->Lookup(Ip("::214.0.0.0"));
  auto v4 = db->Lookup(Ip("214.0.0.0"));
  auto mapped = db->Lookup(Ip("::ffff:214.0.0.0"));
  ASSERT_TRUE(compatible.ok() && v4.ok() && mapped.ok());
  ASSERT_TRUE(compatible->has_value());
  EXPECT_EQ((**compatible)["city"]["names"]["en"], "Singapore");
  EXPECT_EQ(**v4, **compatible);
  EXPECT_EQ(**mapped, **compatible);
}

TEST(GeoDatabaseTest, AddressesOutsideEveryNetworkHaveNoRecord) {
  auto db = OpenOrDie(MmdbTestData("test-data/GeoIP2-City-Test.mmdb"));
  ASSERT_TRUE(db);
  const json source = ReadSourceJson("GeoIP2-City-Test.json");
  for (const char* text : {"10.0.0.1", "127.0.0.1", "203.0.113.9", "0.0.0.0", "::1",
                           "2001:db8::1", "fe80::1", "255.255.255.255"}) {
    const IpAddress ip = Ip(text);
    // The premise: the source JSON files no network holding it.
    for (const json& entry : source) {
      for (const auto& [network_text, record] : entry.items()) {
        const Network n = ParseNetwork(network_text);
        ASSERT_FALSE(TreeBits(n.first) <= TreeBits(ip) && TreeBits(ip) <= TreeBits(n.last))
            << text << " is in " << network_text;
      }
    }
    auto record = db->Lookup(ip);
    ASSERT_TRUE(record.ok()) << record.status().message();
    EXPECT_FALSE(record->has_value()) << text;
  }
}

TEST(GeoDatabaseTest, ConcurrentLookupsAgree) {
  auto db = OpenOrDie(MmdbTestData("test-data/GeoLite2-City-Test.mmdb"));
  ASSERT_TRUE(db);
  std::vector<int> checked(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] { CheckEveryNetwork(*db, "GeoLite2-City-Test.json", checked[t]); });
  }
  for (std::thread& t : threads) t.join();
  for (int n : checked) EXPECT_EQ(n, 2 * 242);
}

TEST(GeoDatabaseTest, MissingAndForeignFilesAreRefusedNamingThePath) {
  const std::string dir = fs::temp_directory_path() / "custodian_geo_no_such_dir";
  auto missing = GeoDatabase::Open(dir + "/missing.mmdb");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kIoError);
  EXPECT_EQ(missing.status().message(),
            dir + "/missing.mmdb: cannot open (No such file or directory)");

  auto text = GeoDatabase::Open(MmdbTestData("LICENSE-MIT"));
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), Status::Code::kCorruption);
  EXPECT_EQ(text.status().message(),
            MmdbTestData("LICENSE-MIT") +
                ": not a valid MaxMind DB file (The MaxMind DB file contains invalid metadata)");
}

TEST(GeoDatabaseTest, ImpossibleBuildDateIsRefused) {
  const std::string path = MmdbTestData("bad-data/libmaxminddb/libmaxminddb-uint64-max-epoch.mmdb");
  auto db = GeoDatabase::Open(path);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Status::Code::kCorruption);
  EXPECT_EQ(db.status().message(),
            path + ": not a valid MaxMind DB file: build_epoch 18446744073709551615 is after "
                   "9999-12-31");
}

// Addresses that reach records in the MaxMind test databases, and some that reach none.
std::vector<IpAddress> RecordAddresses() {
  std::vector<IpAddress> out;
  for (const char* text : {"::", "::1", "2001:db8::1", "2001:218::1", "2001:220::1", "2a02:cf40::1",
                           "2a02:d040::1", "ffff::1", "81.2.69.142", "81.2.69.160", "2.125.160.216",
                           "216.160.83.56", "89.160.20.112", "89.160.20.128", "175.16.199.0",
                           "67.43.156.0", "202.196.224.0", "1.0.0.1", "128.1.1.1", "255.1.1.1"}) {
    out.push_back(Ip(text));
  }
  return out;
}

// RecordAddresses and a grid over the IPv4 space, so that broken files are read in many
// places.
std::vector<IpAddress> ProbeAddresses() {
  std::vector<IpAddress> out = RecordAddresses();
  for (int a = 0; a < 256; a += 3) {
    for (int b = 0; b < 256; b += 51) {
      out.push_back(IpAddress::V4({static_cast<uint8_t>(a), static_cast<uint8_t>(b), 1, 1}));
    }
  }
  return out;
}

// Opens `path` and looks up every probe address: each step may fail, with a status that
// names the file, but must not crash, hang or leak. Returns whether the file opened.
bool OpenAndProbe(const std::string& path, const std::vector<IpAddress>& addresses,
                  int& lookup_failures, bool ignore_open_leaks = false) {
  auto open = [&] {
    if (!ignore_open_leaks) return GeoDatabase::Open(path);
    IgnoreLibraryLeaks library_leaks;
    return GeoDatabase::Open(path);
  };
  auto db = open();
  if (!db.ok()) {
    const Status::Code code = db.status().code();
    EXPECT_TRUE(code == Status::Code::kCorruption || code == Status::Code::kIoError) << path;
    EXPECT_EQ(db.status().message().rfind(path + ": ", 0), 0u) << db.status().message();
    return false;
  }
  for (const IpAddress& ip : addresses) {
    auto record = (*db)->Lookup(ip);
    if (record.ok()) continue;
    ++lookup_failures;
    EXPECT_EQ(record.status().code(), Status::Code::kCorruption) << path;
    EXPECT_EQ(record.status().message().rfind(path + ": ", 0), 0u) << record.status().message();
  }
  return true;
}

TEST(GeoDatabaseTest, BrokenDatabasesAreRefusedOrAnswerWithoutCrashing) {
  std::vector<std::string> paths;
  for (const auto& e : fs::recursive_directory_iterator(MmdbTestData("bad-data"))) {
    if (e.path().extension() == ".mmdb") paths.push_back(e.path());
  }
  for (const char* name : {"GeoIP2-City-Test-Broken-Double-Format.mmdb",
                           "GeoIP2-City-Test-Invalid-Node-Count.mmdb",
                           "MaxMind-DB-test-broken-pointers-24.mmdb",
                           "MaxMind-DB-test-broken-search-tree-24.mmdb"}) {
    paths.push_back(MmdbTestData(std::string("test-data/") + name));
  }
  std::sort(paths.begin(), paths.end());
  int refused = 0;
  int lookup_failures = 0;
  const std::vector<IpAddress> addresses = ProbeAddresses();
  for (const std::string& path : paths) {
    if (!OpenAndProbe(path, addresses, lookup_failures)) ++refused;
  }
  EXPECT_EQ(paths.size(), 25u);  // 21 in bad-data, 4 in test-data
  // Pinned so that a change in what is caught shows: libmaxminddb 1.7.1 refuses the
  // maxminddb-golang files and two of its own at open, we refuse the impossible build date;
  // deep nesting, oversized maps and arrays and broken separators fail their lookups.
  EXPECT_EQ(refused, 11);
  EXPECT_GT(lookup_failures, 0);
}

TEST(GeoDatabaseTest, BrokenRecordsFailTheirLookupNamingTheFile) {
  const std::string deep = MmdbTestData("bad-data/libmaxminddb/libmaxminddb-deep-nesting.mmdb");
  auto db = OpenOrDie(deep);
  ASSERT_TRUE(db);
  auto record = db->Lookup(Ip("1.1.1.1"));
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.status().message(),
            deep + ": broken record (The MaxMind DB file's data section contains bad data "
                   "(unknown data type or corrupt data))");

  // 128.0.0.0/1 leads to a map whose key is not UTF-8; the other half to a broken tree.
  const std::string unicode = MmdbTestData("bad-data/maxminddb-python/bad-unicode-in-map-key.mmdb");
  db = OpenOrDie(unicode);
  ASSERT_TRUE(db);
  record = db->Lookup(Ip("200.1.1.1"));
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.status().message(), unicode + ": broken record: a map key is not UTF-8");
  record = db->Lookup(Ip("1.1.1.1"));
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.status().message(),
            unicode + ": lookup failed (The MaxMind DB file's search tree is corrupt)");
}

class GeoDatabaseFileTest : public MmdbTest {};

// Lengths of a good file from whole to empty (every one in the last 1 KiB, which holds the
// metadata, then every 13th): refused or answering, never a crash.
TEST_F(GeoDatabaseFileTest, TruncatedFilesNeverCrash) {
  const std::string path = dir_ + "/city.mmdb";
  fs::copy_file(MmdbTestData("test-data/GeoLite2-City-Test.mmdb"), path);
  const uintmax_t full = fs::file_size(path);
  const std::vector<IpAddress> addresses = RecordAddresses();
  int opened = 0;
  int tried = 0;
  int lookup_failures = 0;
  for (uintmax_t len = full; len-- > 0;) {
    if (len + 1024 < full && len % 13 != 0) continue;
    fs::resize_file(path, len);
    ++tried;
    if (OpenAndProbe(path, addresses, lookup_failures)) ++opened;
  }
  EXPECT_GT(tried, 2500);
  // Only cuts into the last bytes of the metadata can still leave a readable file.
  EXPECT_LT(opened, 50);
}

// Bytes of a good file inverted one at a time (every one in the first 2 KiB, the top of the
// search tree, and in the last 1 KiB, the metadata; every 11th between): refused or
// answering, never a crash.
// One of them (the type byte of the metadata's "languages" array) makes libmaxminddb 1.7.1
// leak as it refuses the file (testing/library_leaks.h), so here opening is not
// leak-checked; lookups are, and every other test checks both.
TEST_F(GeoDatabaseFileTest, CorruptedBytesNeverCrash) {
  const std::string path = dir_ + "/city.mmdb";
  fs::copy_file(MmdbTestData("test-data/GeoLite2-City-Test.mmdb"), path);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::vector<IpAddress> addresses = RecordAddresses();
  int refused = 0;
  int lookup_failures = 0;
  int tried = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i >= 2048 && i + 1024 < bytes.size() && i % 11 != 0) continue;
    ++tried;
    {
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(i));
      f.put(static_cast<char>(~bytes[i]));
    }
    if (!OpenAndProbe(path, addresses, lookup_failures, /*ignore_open_leaks=*/true)) ++refused;
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(i));
    f.put(bytes[i]);
  }
  EXPECT_GT(tried, 4500);
  EXPECT_GT(refused, 0);
  EXPECT_GT(lookup_failures, 0);
}

TEST_F(GeoDatabaseFileTest, IPv4InAnIPv6DatabaseAndIPv6InAnIPv4One) {
  const json types = {{"country", "map"}, {"iso_code", "utf8_string"}};
  const std::string v6 = Write("v6.mmdb", MmdbSpec("Test-City", 6, types,
                                                    {{"203.0.113.0/24", CountryRecord("FR")},
                                                     {"2001:db8::/32", CountryRecord("DE")}}));
  const std::string v4 = Write("v4.mmdb", MmdbSpec("Test-City", 4, types,
                                                    {{"203.0.113.0/24", CountryRecord("FR")}}));
  auto db6 = OpenOrDie(v6);
  auto db4 = OpenOrDie(v4);
  ASSERT_TRUE(db6 && db4);
  EXPECT_EQ(db6->metadata().build_epoch, kWrittenBuildEpoch);
  EXPECT_EQ(FormatDate(db6->metadata().build_date), "2026-06-05");

  const json fr = CountryRecord("FR");
  const json de = CountryRecord("DE");
  for (const auto& [db, text, expected] :
       std::vector<std::tuple<GeoDatabase*, const char*, std::optional<json>>>{
           {db6.get(), "203.0.113.9", fr},
           {db6.get(), "::ffff:203.0.113.9", fr},
           {db6.get(), "2001:db8:1::5", de},
           {db6.get(), "198.51.100.1", std::nullopt},
           {db4.get(), "203.0.113.255", fr},
           {db4.get(), "2001:db8::1", std::nullopt},  // an IPv4 database holds no IPv6
           {db4.get(), "203.0.114.0", std::nullopt}}) {
    auto record = db->Lookup(Ip(text));
    ASSERT_TRUE(record.ok()) << text << ": " << record.status().message();
    EXPECT_EQ(*record, expected) << text;
  }
}

TEST_F(GeoDatabaseFileTest, ValueTypesBecomeJson) {
  const std::string path =
      Write("types.mmdb",
            {{"database_type", "Types"},
             {"types", {{"u16", "uint16"}, {"u32", "uint32"}, {"u64", "uint64"}, {"i32", "int32"},
                        {"f", "float"}, {"d", "double"}, {"b", "boolean"}, {"s", "utf8_string"},
                        {"a", json::array({"array", "uint32"})}, {"m", "map"}}},
             {"networks",
              {{"2001:db8::/32",
                {{"u16", 443}, {"u32", 4200000000u}, {"u64", 9000000000u}, {"i32", -7},
                 {"f", 37.422}, {"d", -122.084}, {"b", true}, {"s", "Łódź"},
                 {"a", {1, 2}}, {"m", {{"s", "x"}}}}}}}});
  auto db = OpenOrDie(path);
  ASSERT_TRUE(db);
  auto record = db->Lookup(Ip("2001:db8::1"));
  ASSERT_TRUE(record.ok()) << record.status().message();
  ASSERT_TRUE(record->has_value());
  // The float comes back as the decimal it was written as, not as 37.4220008850098.
  EXPECT_EQ((**record).dump(),
            R"({"a":[1,2],"b":true,"d":-122.084,"f":37.422,"i32":-7,"m":{"s":"x"},)"
            R"("s":"Łódź","u16":443,"u32":4200000000,"u64":9000000000})");
}

}  // namespace
}  // namespace custodian::geo
