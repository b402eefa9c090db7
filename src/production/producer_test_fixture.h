// The production tests' fixture, on both stores: an instance (test_instance.h) with known
// events and one subscriber record ingested on a manual clock, a real MMDB for geolocation, a
// temp directory, and helpers to approve a case, produce it with the real PDF writer and read
// the package back. Used by producer_test.cc and producer_scope_test.cc.
#pragma once

#include <unistd.h>

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "geo/geolocator.h"
#include "instance/test_instance.h"
#include "production/producer.h"
#include "production/record_pdf_sink.h"
#include "production/zip_package.h"

namespace custodian::production {

namespace fs = std::filesystem;

inline std::string Event(uint64_t account, const std::string& ts, const std::string& ip) {
  return "{\"account_id\": " + std::to_string(account) + ", \"ts\": \"" + ts +
         "\", \"kind\": \"login\", \"ip\": \"" + ip + "\", \"port\": 443, \"user_agent\": \"=cmd|' /C calc'!A0\"}\n";
}

class ProducerTest : public ::testing::TestWithParam<cases::Backend> {
 protected:
  void SetUp() override {
    CUSTODIAN_REQUIRE_BACKEND(GetParam());
    instance_ = std::make_unique<TestInstance>(GetParam(), clock_);
    ASSERT_TRUE(instance_->Start().ok());
    dir_ = fs::temp_directory_path() / ("custodian_producer_" + std::to_string(::getpid()) + "_" +
                                        std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())
                                            .substr(0, 20));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // The target's events: two in the window (one from a known address), one before it and
    // one at its end (excluded); another account's event in the window.
    vault::IngestReport report;
    ASSERT_TRUE(instance_->vault->Ingest(Event(1000042, "2026-01-05T10:00:00Z", "89.160.20.115") +
                                             Event(1000042, "2026-02-20T11:30:00.250000Z", "203.0.113.9") +
                                             Event(1000042, "2025-12-31T23:59:59Z", "203.0.113.1") +
                                             Event(1000042, "2026-03-01T00:00:00Z", "203.0.113.2") +
                                             Event(1000043, "2026-01-06T10:00:00Z", "203.0.113.5"),
                                         report).ok());
    ASSERT_EQ(report.accepted, 5u);
    ASSERT_TRUE(instance_->vault->IngestSubscribers(
        R"({"account_id": 1000042, "effective_from": "2025-06-01T00:00:00Z", "username": "kestrel42", "name": "王小明", "emails": ["k@example.net"]})"
        "\n", report).ok());
    auto geolocator = geo::Geolocator::Open({std::string(CUSTODIAN_SOURCE_DIR) + "/testdata/mmdb/test-data/GeoIP2-City-Test.mmdb"}, "");
    ASSERT_TRUE(geolocator.ok()) << geolocator.status().message();
    geolocator_ = std::move(geolocator).value();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Approved(const std::string& document) {
    auto v = instance_->workflow->Submit({document, cases::Entry::kStaff, {"intake-1"}});
    EXPECT_TRUE(v.ok()) << v.status().message();
    cases::Review review;
    review.confirm_investigation = true;
    auto reviewed = instance_->workflow->ReviewCase(v->record.id, {"reviewer-1"}, review);
    EXPECT_TRUE(reviewed.ok()) << reviewed.status().message();
    auto approved = instance_->workflow->Approve(v->record.id, {"approver-1"});
    EXPECT_TRUE(approved.ok()) << approved.status().message();
    EXPECT_EQ(approved->record.state, cases::CaseState::kApproved);
    return v->record.id;
  }

  // A producer with the real PDF writer and (unless `options` locates) the test MMDB, over
  // `options`' other settings.
  Producer MakeProducer(ProducerOptions options = {}) {
    if (!options.locate) {
      options.locate = [&](const IpAddress& ip) -> std::optional<nlohmann::ordered_json> {
        auto where = geolocator_->Locate(ip);
        if (!where.ok() || !*where) return std::nullopt;
        return geo::LocationToJson(**where);
      };
    }
    options.pdf = [&](const std::string& path, const cases::ProductionStart& start, const std::string& created_at,
                      FileSystem& fs) {
      return MakeRecordPdfSink(path, start, CertificateText{}, created_at,
                               {start.scope.categories.Contains(Category::kLocation),
                                start.scope.categories.Contains(Category::kDevice)},
                               {"Locations are approximate."}, fs);
    };
    return Producer(*instance_->db, *instance_->workflow, *instance_->vault, *instance_->signing_keys,
                    *instance_->ledgers, clock_, options);
  }
  Result<ProductionOutcome> Produce(const std::string& id, const std::string& out) {
    return MakeProducer().Produce(id, out, {"producer-1"});
  }
  std::array<uint8_t, 32> Key(std::string_view purpose) {
    return instance_->signing_keys->Active(purpose, "test")->key().public_key;
  }
  std::string Entry(const std::string& zip, const std::string& name) {
    auto reader = ZipReader::Open(zip);
    EXPECT_TRUE(reader.ok());
    return (*reader)->ReadAll(name, 1 << 26).value();
  }

  ManualClock clock_{ParseDateTime("2026-03-12T16:00:00Z").value()};
  std::unique_ptr<TestInstance> instance_;
  std::unique_ptr<geo::Geolocator> geolocator_;
  fs::path dir_;
};

}  // namespace custodian::production
