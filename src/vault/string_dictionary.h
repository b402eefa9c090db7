// The vault's dictionary of user-agent strings: each distinct string is stored once, sealed
// under the vault's dictionary key, and event blocks carry only its id. A user agent is not
// tied to an account here; the account's own key seals which ids it used
// (docs/vault_format.md, "String dictionary"). Strings are added under the vault's writer
// lock, by whichever process holds it; CatchUp reads what others added. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/file_system.h"
#include "core/status.h"
#include "vault/crypto.h"
#include "vault/writer_lock.h"

namespace custodian::vault {

class StringDictionary {
 public:
  // A dictionary of the file at `path`, read by CatchUp (the first Commit creates the file).
  StringDictionary(FileSystem& fs, std::string path, const SecretKey& key)
      : fs_(fs), path_(std::move(path)), key_(key) {}

  // Reads the strings added to the file since the last call (record_log.h says what is a torn
  // tail and what is Corruption); `mark` is the file's in the lock record. With `access`
  // kWrite (the caller holds the writer lock) a torn tail is cut, and strings read past the
  // committed length are synced.
  Status CatchUp(const FileMark& mark, CatchUpAccess access);
  FileMark mark();

  // The id + 1 of `s`, adding it (not durable until Commit) when new. With the writer lock.
  uint32_t Intern(std::string_view s);
  // The string of an id returned by Intern; empty if the id is unknown. The view stays valid
  // while the dictionary lives (strings are never removed or moved).
  std::string_view Get(uint32_t id);
  // Makes every string added since the last Commit durable; on failure they are forgotten,
  // as by Rollback.
  Status Commit();
  // Forgets the strings added since the last Commit.
  void Rollback();
  size_t size();

 private:
  void RollbackLocked();

  FileSystem& fs_;
  const std::string path_;
  const SecretKey key_;
  std::shared_mutex mu_;
  std::deque<std::string> strings_;                       // GUARDED_BY(mu_)
  std::unordered_map<std::string_view, uint32_t> ids_;    // GUARDED_BY(mu_)
  size_t durable_ = 0;                                    // GUARDED_BY(mu_)
  uint64_t durable_bytes_ = 0;                            // GUARDED_BY(mu_)
};

}  // namespace custodian::vault
