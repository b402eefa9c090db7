#include "instance/instance_store.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include "cases/ledgers/audit_log.h"
#include "cases/migrations.h"
#include "core/clock.h"

namespace custodian {
namespace {

// What an instance that records store `expected` is told when `url` holds something else.
Status NotTheStore(const OpenedInstance& instance, const std::string& url,
                   const std::string& found) {
  return Status::Corruption(
      "case store: " + instance.data_dir + "/instance.json records case store " +
      *instance.case_store_id + ", but " + cases::Database::Describe(url) + " " + found +
      ". custodian makes no new store for an existing instance: restore the store from a "
      "backup, or point [cases] store in " + instance.data_dir +
      "/custodian.toml at the store the instance records (after `custodian cases move`, the "
      "store it was moved to)");
}

}  // namespace

Result<std::unique_ptr<cases::Database>> OpenInstanceCaseStore(OpenedInstance& instance,
                                                               const std::string& url) {
  const bool recorded = instance.case_store_id.has_value();
  // An instance that records its store never has a new one made in its place.
  auto db = cases::Database::Connect(url, /*create_file=*/!recorded);
  if (!db.ok()) {
    if (recorded && db.status().IsNotFound()) return NotTheStore(instance, url, "is missing");
    return db.status();
  }
  if (recorded) {
    auto found = (*db)->Inspect();
    if (!found.ok()) return found.status();
    if (!found->has_schema) return NotTheStore(instance, url, "holds no case store (it is empty)");
    if (!found->store_id) {
      return NotTheStore(instance, url, "holds a case store that records no identity");
    }
    if (*found->store_id != *instance.case_store_id) {
      return NotTheStore(instance, url, "holds case store " + *found->store_id);
    }
  }
  if (Status s = (*db)->Migrate(cases::Migrations(), instance.master); !s.ok()) return s;
  if (!recorded) {
    // An instance made before stores were recorded: the store it opens now is its own from
    // here on, once, audited.
    const std::string store_id = (*db)->store_id();
    if (Status s = RecordCaseStore(instance, store_id); !s.ok()) return s;
    Status audited = (*db)->Transaction([&](soci::session& sql) {
      return cases::AppendAudit(sql, SystemClock().Now(), "custodian", std::nullopt,
                                "record_case_store",
                                nlohmann::json{{"store_id", store_id},
                                               {"backend", (*db)->backend() == cases::Backend::kSqlite
                                                               ? "sqlite"
                                                               : "postgresql"}}
                                    .dump())
          .status();
    });
    if (!audited.ok()) return audited;
  }
  return db;
}

}  // namespace custodian
