// Test-only helpers for the geo tests: the MaxMind-DB project's test databases and their
// source JSON in testdata/mmdb/, and a fixture with a temporary directory for MMDB
// files that the tests write themselves with src/geo/testdata/write_mmdb.pl (Debian's
// libmaxmind-db-writer-perl). Not thread-safe: one fixture per test.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/ip_address.h"
#include "geo/geo_database.h"

namespace custodian::geo {

inline std::string MmdbTestData(const std::string& name) {
  return std::string(CUSTODIAN_SOURCE_DIR) + "/testdata/mmdb/" + name;
}

// The parsed JSON of source-data/NAME: an array of {"network": record} objects.
inline nlohmann::json ReadSourceJson(const std::string& name) {
  std::ifstream in(MmdbTestData("source-data/" + name));
  EXPECT_TRUE(in) << name;
  return nlohmann::json::parse(in);
}

inline IpAddress Ip(std::string_view text) {
  auto ip = IpAddress::Parse(text);
  EXPECT_TRUE(ip) << text;
  return ip.value_or(IpAddress());
}

// The opened database, or null after failing the test.
inline std::unique_ptr<GeoDatabase> OpenOrDie(const std::string& path) {
  auto db = GeoDatabase::Open(path);
  EXPECT_TRUE(db.ok()) << db.status().message();
  return db.ok() ? std::move(db).value() : nullptr;
}

// A spec for MmdbTest::Write.
inline nlohmann::json MmdbSpec(const std::string& database_type, int ip_version,
                               nlohmann::json types, nlohmann::json networks) {
  return {{"database_type", database_type}, {"ip_version", ip_version},
          {"types", std::move(types)}, {"networks", std::move(networks)}};
}

// A GeoIP2-layout record holding only a country.
inline nlohmann::json CountryRecord(const std::string& iso_code) {
  return {{"country", {{"iso_code", iso_code}}}};
}

// 2026-06-05T12:00:00Z: the build date every written database carries.
inline constexpr uint64_t kWrittenBuildEpoch = 1780660800;

class MmdbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/custodian_geo_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `spec` (the JSON that write_mmdb.pl documents; build_epoch defaults to
  // kWrittenBuildEpoch) to DIR/NAME and returns the path; fails the test if Perl fails.
  std::string Write(const std::string& name, nlohmann::json spec) {
    if (!spec.contains("build_epoch")) spec["build_epoch"] = kWrittenBuildEpoch;
    const std::string spec_path = dir_ + "/" + name + ".json";
    std::ofstream(spec_path) << spec.dump();
    const std::string out = dir_ + "/" + name;
    const std::string command = "perl '" + std::string(CUSTODIAN_SOURCE_DIR) +
                                "/src/geo/testdata/write_mmdb.pl' '" + spec_path + "' '" + out +
                                "'";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    return out;
  }

  std::string dir_;
};

}  // namespace custodian::geo
