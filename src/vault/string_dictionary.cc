#include "vault/string_dictionary.h"

#include <algorithm>

#include "core/coding.h"
#include "vault/event_parser.h"
#include "vault/record_log.h"

namespace custodian::vault {
namespace {

// Record: fixed32 length of the rest ‖ fixed32 crc32c of the rest ‖ nonce ‖ sealed string.
constexpr char kAssociated[] = "custodian/dictionary/v1";
// A user agent is shorter than the line that carried it.
static_assert(kMaxLineBytes < (1 << 20));
constexpr RecordBounds kBounds{kNonceBytes + kTagBytes, kNonceBytes + kTagBytes + (1 << 20)};

std::string AssociatedData(uint32_t id) {
  std::string ad(kAssociated);
  PutFixed32(ad, id);
  return ad;
}

}  // namespace

Status StringDictionary::CatchUp(const FileMark& mark, CatchUpAccess access) {
  std::lock_guard lock(mu_);
  if (strings_.size() != durable_) {
    return Status::Internal(path_ + ": caught up while strings were waiting to be committed");
  }
  if (!fs_.Exists(path_)) return MissingLog(path_, durable_bytes_, mark.committed);
  auto tail = ReadTail(fs_, path_, durable_bytes_);
  if (!tail.ok()) return tail.status();
  if (tail->size < durable_bytes_) {
    // Strings are never taken back: the ids already read may be in use.
    return Status::Corruption(path_ + ": ends at byte " + std::to_string(tail->size) + ", before the " +
                              std::to_string(durable_bytes_) + " bytes already read from it");
  }
  auto scan = ScanRecords(path_, tail->bytes, durable_bytes_, mark.committed, kBounds,
                          [&](uint64_t offset, std::string_view body) {
                            Nonce nonce;
                            std::copy(body.begin(), body.begin() + kNonceBytes, nonce.begin());
                            std::string s;
                            const uint32_t id = static_cast<uint32_t>(strings_.size() + 1);
                            if (!OpenTo(s, key_, nonce, body.substr(kNonceBytes), AssociatedData(id))) {
                              return Status::Corruption(path_ + ": the record at byte " + std::to_string(offset) +
                                                        " does not open under the vault's key");
                            }
                            strings_.push_back(std::move(s));
                            ids_.emplace(strings_.back(), id);
                            return Status::Ok();
                          });
  if (!scan.ok()) {
    // The strings read before the damage are left out too: nothing after it is trusted.
    while (strings_.size() > durable_) {
      ids_.erase(strings_.back());
      strings_.pop_back();
    }
    return scan.status();
  }
  if (scan->torn_tail && access == CatchUpAccess::kWrite) {
    if (Status s = fs_.Truncate(path_, scan->end); !s.ok()) return s;
  }
  durable_ = strings_.size();
  durable_bytes_ = scan->end;
  if (access == CatchUpAccess::kWrite && durable_bytes_ > mark.committed) {
    if (Status s = SyncFile(fs_, path_); !s.ok()) return s;
  }
  return Status::Ok();
}

FileMark StringDictionary::mark() {
  std::lock_guard lock(mu_);
  return {durable_bytes_, 0};
}

uint32_t StringDictionary::Intern(std::string_view s) {
  std::lock_guard lock(mu_);
  if (auto it = ids_.find(s); it != ids_.end()) return it->second;
  strings_.emplace_back(s);
  const uint32_t id = static_cast<uint32_t>(strings_.size());
  ids_.emplace(strings_.back(), id);
  return id;
}

std::string_view StringDictionary::Get(uint32_t id) {
  std::shared_lock lock(mu_);
  if (id == 0 || id > strings_.size()) return {};
  return strings_[id - 1];
}

size_t StringDictionary::size() {
  std::shared_lock lock(mu_);
  return strings_.size();
}

Status StringDictionary::Commit() {
  std::lock_guard lock(mu_);
  if (durable_ == strings_.size()) return Status::Ok();
  std::string out;
  for (size_t i = durable_; i < strings_.size(); ++i) {
    const Nonce nonce = RandomNonce();
    std::string body(reinterpret_cast<const char*>(nonce.data()), nonce.size());
    SealTo(body, key_, nonce, strings_[i], AssociatedData(static_cast<uint32_t>(i + 1)));
    AppendRecord(body, out);
  }
  if (Status s = AppendDurably(fs_, path_, durable_bytes_, out); !s.ok()) {
    RollbackLocked();
    return s;
  }
  durable_ = strings_.size();
  durable_bytes_ += out.size();
  return Status::Ok();
}

void StringDictionary::Rollback() {
  std::lock_guard lock(mu_);
  RollbackLocked();
}

void StringDictionary::RollbackLocked() {
  while (strings_.size() > durable_) {
    ids_.erase(strings_.back());
    strings_.pop_back();
  }
}

}  // namespace custodian::vault
