// The vault's dictionary of user-agent strings: each distinct string is stored once, sealed
// under the vault's dictionary key, and event blocks carry only its id. A user agent is not
// tied to an account here; the account's own key seals which ids it used
// (docs/vault_format.md, "String dictionary"). Thread-safe.
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

namespace custodian::vault {

class StringDictionary {
 public:
  // Opens (creating when missing) the dictionary file at `path`. A torn last record is cut.
  static Result<std::unique_ptr<StringDictionary>> Open(FileSystem& fs, const std::string& path,
                                                         const SecretKey& key);

  // The id + 1 of `s`, adding it (not durable until Commit) when new.
  uint32_t Intern(std::string_view s);
  // The string of an id returned by Intern; empty if the id is unknown. The view stays valid
  // while the dictionary lives (strings are never removed or moved).
  std::string_view Get(uint32_t id);
  // Makes every string added since the last Commit durable.
  Status Commit();
  size_t size();

 private:
  StringDictionary(FileSystem& fs, std::string path, const SecretKey& key)
      : fs_(fs), path_(std::move(path)), key_(key) {}

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
