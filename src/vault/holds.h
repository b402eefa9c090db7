// Legal holds: an account's data kept through retention and deletion until the hold is
// released or expires (18 U.S.C. 2703(f) preservation). A hold names the case that placed it
// and what it covers: the events in its window, or, with no window, everything stored up to
// the request's receipt. The holds, and deletions waiting for a hold to end, are kept in one
// file sealed with the vault's metadata key (they reveal who is under investigation), which
// every change replaces under the vault's writer lock; CatchUp reads another process's.
// Thread-safe.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/file_system.h"
#include "core/status.h"
#include "core/time.h"
#include "vault/crypto.h"
#include "vault/writer_lock.h"

namespace custodian::vault {

struct Hold {
  std::string id;
  uint64_t account = 0;
  std::string case_id;
  Timestamp placed;
  Timestamp expires;
  // What it covers: [start, end); with no window, everything up to covers_until.
  std::optional<Timestamp> window_start;
  std::optional<Timestamp> window_end;
  Timestamp covers_until;

  bool ActiveAt(Timestamp now) const { return now < expires; }
  // Whether it keeps the account's data of UTC day `day`.
  bool Covers(Date day) const;
};

class HoldStore {
 public:
  // A store of the file at `path`, read by CatchUp.
  HoldStore(FileSystem& fs, std::string path, const SecretKey& key)
      : fs_(fs), path_(std::move(path)), key_(key) {}
  // Reads the file again unless `mark`'s epoch says it is the one read last.
  Status CatchUp(const FileMark& mark);
  FileMark mark();

  Status Place(const Hold& hold);  // InvalidArgument if its id is taken
  Status Release(const std::string& id);  // NotFound if there is no such hold
  Status Extend(const std::string& id, Timestamp expires);
  std::vector<Hold> List();
  // The holds of `account` active at `now`.
  std::vector<Hold> ActiveFor(uint64_t account, Timestamp now);
  // Drops holds that expired before `now`; returns them.
  Result<std::vector<Hold>> Expire(Timestamp now);

  // Accounts whose deletion waits for their holds to end.
  Status AddPendingDeletion(uint64_t account);
  Status RemovePendingDeletion(uint64_t account);
  std::vector<uint64_t> PendingDeletions();

 private:
  Status SaveLocked();

  FileSystem& fs_;
  const std::string path_;
  const SecretKey key_;
  std::mutex mu_;
  std::vector<Hold> holds_;                 // GUARDED_BY(mu_)
  std::vector<uint64_t> pending_deletions_;  // GUARDED_BY(mu_)
  std::optional<uint64_t> epoch_;            // GUARDED_BY(mu_): of the file read or written last
};

}  // namespace custodian::vault
