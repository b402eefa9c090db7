// The key store's cache of opened slots: for each, the account it holds, the account tag's
// check bits and the unwrapped key; at most `capacity` of them, the least recently used
// going first. It bounds the memory that unwrapped keys take whatever the number of
// accounts ([vault] key_cache_entries); a miss costs a slot read and an unwrap.
// Not thread-safe: the key store calls it under its lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>

#include "vault/crypto.h"

namespace custodian::vault {

class KeyCache {
 public:
  struct Entry {
    uint64_t account = 0;
    uint32_t check = 0;
    SecretKey key;
  };

  explicit KeyCache(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  // The entry of `account` and its slot, or null; a hit becomes the most recent.
  const Entry* FindAccount(uint64_t account, size_t& slot);
  // The entry of slot `slot`, or null; a hit becomes the most recent.
  const Entry* FindSlot(size_t slot);
  // Remembers slot `slot`'s entry, evicting the least recently used when full.
  void Put(size_t slot, const Entry& entry);
  void EraseSlot(size_t slot);
  // Forgets the slots numbered `first` and beyond (keys handed out but never committed).
  void EraseSlotsFrom(size_t first);
  void Clear();
  size_t size() const { return by_slot_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  struct Held {
    Entry entry;
    std::list<size_t>::iterator recency;
  };
  void Touch(Held& held);

  size_t capacity_;
  std::list<size_t> recency_;  // slots, most recent first
  std::unordered_map<size_t, Held> by_slot_;
  std::unordered_map<uint64_t, size_t> by_account_;
};

}  // namespace custodian::vault
