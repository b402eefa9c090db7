#include "vault/key_cache.h"

namespace custodian::vault {

const KeyCache::Entry* KeyCache::FindAccount(uint64_t account, size_t& slot) {
  const auto it = by_account_.find(account);
  if (it == by_account_.end()) return nullptr;
  Held& held = ring_[it->second];
  held.referenced = true;
  slot = held.slot;
  return &held.entry;
}

const KeyCache::Entry* KeyCache::FindSlot(size_t slot) {
  const auto it = by_slot_.find(slot);
  if (it == by_slot_.end()) return nullptr;
  Held& held = ring_[it->second];
  held.referenced = true;
  return &held.entry;
}

uint32_t KeyCache::Place() {
  if (!holes_.empty()) {
    const uint32_t at = holes_.back();
    holes_.pop_back();
    return at;
  }
  if (ring_.size() < capacity_) {
    ring_.emplace_back();
    return static_cast<uint32_t>(ring_.size() - 1);
  }
  for (;; hand_ = (hand_ + 1) % ring_.size()) {
    Held& held = ring_[hand_];
    if (held.referenced) {
      held.referenced = false;
      continue;
    }
    const auto at = static_cast<uint32_t>(hand_);
    hand_ = (hand_ + 1) % ring_.size();
    Forget(at);
    holes_.pop_back();  // Forget made it a hole: it is taken at once
    return at;
  }
}

void KeyCache::Forget(uint32_t at) {
  Held& held = ring_[at];
  if (!held.used) return;
  if (auto a = by_account_.find(held.entry.account); a != by_account_.end() && a->second == at) {
    by_account_.erase(a);
  }
  by_slot_.erase(held.slot);
  held = Held();
  holes_.push_back(at);
}

void KeyCache::Put(size_t slot, const Entry& entry) {
  if (auto it = by_slot_.find(slot); it != by_slot_.end()) Forget(it->second);
  const uint32_t at = Place();
  ring_[at] = Held{entry, slot, true, false};
  by_slot_[slot] = at;
  by_account_[entry.account] = at;
}

void KeyCache::EraseSlot(size_t slot) {
  if (auto it = by_slot_.find(slot); it != by_slot_.end()) Forget(it->second);
}

void KeyCache::EraseSlotsFrom(size_t first) {
  std::vector<size_t> gone;
  for (const auto& [slot, at] : by_slot_) {
    if (slot >= first) gone.push_back(slot);
  }
  for (size_t slot : gone) EraseSlot(slot);
}

void KeyCache::Clear() {
  ring_.clear();
  holes_.clear();
  hand_ = 0;
  by_account_.clear();
  by_slot_.clear();
}

}  // namespace custodian::vault
