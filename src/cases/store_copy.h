// Copies a case store into an empty database, SQLite to PostgreSQL or back (`custodian cases
// move`): in one transaction of the target, the schema is built by the migrations (which give
// the copy an identity of its own) and every row of every other table is copied; then both
// ledgers are recomputed from the copied leaves and must have the source's sizes and roots,
// or nothing is committed. The source is read in one transaction (a snapshot) and never
// written. Writers of the source should be stopped first: what they write after the snapshot
// stays behind. Thread-compatible: the caller holds both stores.
#pragma once

#include <cstdint>
#include <string>

#include "cases/store/database.h"

namespace custodian::cases {

struct CopiedLog {
  uint64_t size = 0;
  std::string root;  // base64, as signed tree heads give it
};

struct StoreCopy {
  std::string from_store, to_store;  // the source's and the copy's identities
  size_t tables = 0;
  uint64_t rows = 0;
  CopiedLog audit, disclosures;
};

// `source` is migrated (opened); `target` is connected and must hold no table
// (FailedPrecondition otherwise). Corruption when the copy's ledgers differ from the source's.
Result<StoreCopy> CopyStore(Database& source, Database& target);

}  // namespace custodian::cases
