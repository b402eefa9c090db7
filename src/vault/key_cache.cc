#include "vault/key_cache.h"

#include <vector>

namespace custodian::vault {

void KeyCache::Touch(Held& held) { recency_.splice(recency_.begin(), recency_, held.recency); }

const KeyCache::Entry* KeyCache::FindAccount(uint64_t account, size_t& slot) {
  const auto it = by_account_.find(account);
  if (it == by_account_.end()) return nullptr;
  slot = it->second;
  Held& held = by_slot_.at(slot);
  Touch(held);
  return &held.entry;
}

const KeyCache::Entry* KeyCache::FindSlot(size_t slot) {
  const auto it = by_slot_.find(slot);
  if (it == by_slot_.end()) return nullptr;
  Touch(it->second);
  return &it->second.entry;
}

void KeyCache::Put(size_t slot, const Entry& entry) {
  if (auto it = by_slot_.find(slot); it != by_slot_.end()) {
    by_account_.erase(it->second.entry.account);
    it->second.entry = entry;
    by_account_[entry.account] = slot;
    Touch(it->second);
    return;
  }
  if (by_slot_.size() >= capacity_) EraseSlot(recency_.back());
  recency_.push_front(slot);
  by_slot_.emplace(slot, Held{entry, recency_.begin()});
  by_account_[entry.account] = slot;
}

void KeyCache::EraseSlot(size_t slot) {
  const auto it = by_slot_.find(slot);
  if (it == by_slot_.end()) return;
  if (auto a = by_account_.find(it->second.entry.account); a != by_account_.end() && a->second == slot) {
    by_account_.erase(a);
  }
  recency_.erase(it->second.recency);
  by_slot_.erase(it);
}

void KeyCache::EraseSlotsFrom(size_t first) {
  std::vector<size_t> gone;
  for (const auto& [slot, held] : by_slot_) {
    if (slot >= first) gone.push_back(slot);
  }
  for (size_t slot : gone) EraseSlot(slot);
}

void KeyCache::Clear() {
  recency_.clear();
  by_slot_.clear();
  by_account_.clear();
}

}  // namespace custodian::vault
