// For the store tests: a case store of each backend, and what a store wrote, read back from
// its database.
#pragma once

#include <soci/soci.h>

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cases/migrations.h"
#include "cases/store/database.h"
#include "cases/store/test_store.h"
#include "core/clock.h"
#include "core/time.h"
#include "vault/crypto.h"

namespace custodian::server {

// The audit table's actions, in order.
inline std::vector<std::string> AuditActions(cases::Database& db) {
  std::vector<std::string> out;
  EXPECT_TRUE(db.Transaction([&](soci::session& sql) {
    soci::rowset<soci::row> rows = (sql.prepare << "SELECT action FROM audit ORDER BY seq");
    for (const soci::row& r : rows) out.push_back(r.get<std::string>(0));
    return Status::Ok();
  }).ok());
  return out;
}

// Every text value stored in a table, joined: what a secret must not be found in.
inline std::string StoredText(cases::Database& db, const std::string& table) {
  std::string all;
  EXPECT_TRUE(db.Transaction([&](soci::session& sql) {
    soci::rowset<soci::row> rows = (sql.prepare << "SELECT * FROM " + table);
    for (const soci::row& r : rows) {
      for (size_t i = 0; i < r.size(); ++i) {
        if (r.get_indicator(i) == soci::i_ok && r.get_properties(i).get_data_type() == soci::dt_string) {
          all += r.get<std::string>(i) + "\n";
        }
      }
    }
    return Status::Ok();
  }).ok());
  return all;
}

// A fresh case store on the test's backend, with the clock and key the stores under test
// take. A fixture's SetUp calls this one first and returns when it skipped or failed.
class StoreTest : public ::testing::TestWithParam<cases::Backend> {
 protected:
  void SetUp() override {
    CUSTODIAN_REQUIRE_BACKEND(GetParam());
    store_ = std::make_unique<cases::TestStore>(GetParam());
    db_ = store_->Open(cases::Migrations());
    ASSERT_TRUE(db_);
  }
  bool Unready() const { return IsSkipped() || HasFatalFailure(); }
  std::vector<std::string> AuditActions() { return server::AuditActions(*db_); }
  std::string Stored(const std::string& table) { return StoredText(*db_, table); }

  ManualClock clock_{ParseDateTime("2026-11-29T12:00:00Z").value()};
  vault::SecretKey key_ = vault::SecretKey::Random();
  std::unique_ptr<cases::TestStore> store_;
  std::unique_ptr<cases::Database> db_;
};

}  // namespace custodian::server
