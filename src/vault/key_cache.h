// The key store's cache of opened slots: for each, the account it holds, the account tag's
// check bits and the unwrapped key; at most `capacity` of them. Eviction is CLOCK (a hit
// sets a bit; the hand clears bits until it finds an entry not used since it last passed),
// so a hit costs one hash lookup and no list surgery. It bounds the memory that unwrapped
// keys take whatever the number of accounts ([vault] key_cache_entries); a miss costs a slot
// read and an unwrap. Not thread-safe: the key store calls it under its lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/int_map.h"
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

  // The entry of `account` and its slot, or null.
  const Entry* FindAccount(uint64_t account, size_t& slot);
  // The entry of slot `slot`, or null.
  const Entry* FindSlot(size_t slot);
  // Remembers slot `slot`'s entry, evicting one not used lately when full.
  void Put(size_t slot, const Entry& entry);
  void EraseSlot(size_t slot);
  // Forgets the slots numbered `first` and beyond (keys handed out but never committed).
  void EraseSlotsFrom(size_t first);
  void Clear();
  size_t size() const { return by_slot_.size(); }

 private:
  struct Held {
    Entry entry;
    size_t slot = 0;
    bool used = false;        // holds an entry (else a hole left by EraseSlot)
    bool referenced = false;  // hit since the hand last passed
  };
  // A place in ring_ for a new entry: a hole, a new place, or the victim the hand picks.
  uint32_t Place();
  void Forget(uint32_t at);

  size_t capacity_;
  std::vector<Held> ring_;
  std::vector<uint32_t> holes_;
  size_t hand_ = 0;
  IntMap<uint32_t> by_account_;  // → place in ring_
  IntMap<uint32_t> by_slot_;     // → place in ring_
};

}  // namespace custodian::vault
