// The instance's case store (docs/operations.md, "The case store"): `init` creates it and
// records its identity in instance.json; every later open refuses a store that is missing or
// is another one (a deleted SQLite file is never made again empty), and only `custodian cases
// move` changes which store an instance has. An instance made before stores were recorded
// records, once and audited, the store it finds on its first open.
// Free functions: thread-compatible.
#pragma once

#include <memory>
#include <string>

#include "cases/store/database.h"
#include "instance/instance_record.h"

namespace custodian {

// Opens the store `url` names when it is the instance's: Corruption (exit 1), naming the store
// the instance records and what was found, when it is missing, empty or another.
Result<std::unique_ptr<cases::Database>> OpenInstanceCaseStore(OpenedInstance& instance,
                                                               const std::string& url);

}  // namespace custodian
