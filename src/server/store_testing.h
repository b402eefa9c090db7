// For the store tests: what a store wrote, read back from its database.
#pragma once

#include <soci/soci.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cases/database.h"

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

}  // namespace custodian::server
