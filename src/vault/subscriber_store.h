// Subscriber record versions: an append-only log of frames, each one version sealed under
// its account's key, headed by keyed tags of the account and of the version's identifiers
// (username, e-mail addresses, phone numbers), so that a target can be resolved to the
// accounts that held it without any plaintext index (docs/vault_format.md, "Subscribers").
// Versions are appended under the vault's writer lock, by whichever process holds it;
// CatchUp reads what others appended. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/file_system.h"
#include "core/status.h"
#include "vault/key_store.h"
#include "vault/subscriber_record.h"
#include "vault/vault_keys.h"
#include "vault/writer_lock.h"

namespace custodian::vault {

enum class IdentifierType : char { kUsername = 'u', kEmail = 'e', kPhone = 'p' };

class SubscriberStore {
 public:
  // A store of the file at `path`, read by CatchUp (the first Append creates the file).
  SubscriberStore(FileSystem& fs, std::string path, KeyStore& keys, const VaultKeys& vk)
      : fs_(fs), path_(std::move(path)), keys_(keys), vault_keys_(vk) {}

  // Reads the frames appended since the last call, or the whole file again when `mark`'s
  // epoch says it was rewritten (compacted by another process). A torn tail is cut when
  // `access` is kWrite, and left alone otherwise; other damage is Corruption (record_log.h).
  Status CatchUp(const FileMark& mark, CatchUpAccess access);
  FileMark mark();

  // Appends the versions (their accounts' keys already committed) and syncs them.
  Status Append(const std::vector<SubscriberVersion>& versions);
  // Every version of `account`, by effective_from; a later copy of the same effective_from
  // replaces an earlier one.
  Result<std::vector<SubscriberVersion>> VersionsOf(uint64_t account);
  // Live accounts that may have held the identifier (normalized); callers check the versions.
  std::vector<uint64_t> CandidatesFor(IdentifierType type, std::string_view normalized);
  size_t versions();
  // Rewrites the log without the versions of deleted accounts and without versions that were
  // superseded before `cutoff`; an account's latest version stays, and so does every version
  // of an account for which `held` is true. Returns how many versions went. Before it rewrites
  // the file it calls `before_rewrite` with the file's mark as it will be until the rewrite is
  // over (nothing committed, the next epoch), which the caller makes durable in the lock record.
  Result<uint64_t> Compact(Timestamp cutoff, const std::function<bool(uint64_t)>& held,
                           const std::function<Status(const FileMark&)>& before_rewrite);

 private:
  uint64_t IdentifierTag(IdentifierType type, std::string_view normalized) const;
  Status Index(uint64_t offset, std::string_view body);
  void ClearLocked();
  Status CatchUpLocked(const FileMark& mark, CatchUpAccess access);
  // The frame at `offset` opened: its account and version. NotFound when no live key opens it.
  Result<SubscriberVersion> OpenFrameLocked(uint64_t offset);

  FileSystem& fs_;
  const std::string path_;
  KeyStore& keys_;
  const VaultKeys& vault_keys_;
  std::mutex mu_;
  std::unique_ptr<RandomAccessFile> reader_;                       // GUARDED_BY(mu_)
  uint64_t durable_bytes_ = 0;                                     // GUARDED_BY(mu_)
  uint64_t epoch_ = 0;                                             // GUARDED_BY(mu_)
  std::unordered_multimap<uint64_t, uint64_t> by_account_tag_;      // GUARDED_BY(mu_): → offset
  std::unordered_multimap<uint64_t, uint64_t> by_identifier_tag_;   // GUARDED_BY(mu_): → offset
  std::unordered_map<uint64_t, uint64_t> account_tag_of_;          // GUARDED_BY(mu_): offset →
};

}  // namespace custodian::vault
