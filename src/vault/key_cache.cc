#include "vault/key_cache.h"

namespace custodian::vault {

const KeyCache::Entry* KeyCache::FindAccount(uint64_t account, size_t& slot) {
  const uint32_t* at = by_account_.Find(account);
  if (!at) return nullptr;
  Held& held = ring_[*at];
  held.referenced = true;
  slot = held.slot;
  return &held.entry;
}

const KeyCache::Entry* KeyCache::FindSlot(size_t slot) {
  const uint32_t* at = by_slot_.Find(slot);
  if (!at) return nullptr;
  Held& held = ring_[*at];
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
  if (const uint32_t* a = by_account_.Find(held.entry.account); a && *a == at) {
    by_account_.Erase(held.entry.account);
  }
  by_slot_.Erase(held.slot);
  held = Held();
  holes_.push_back(at);
}

void KeyCache::Put(size_t slot, const Entry& entry) {
  if (const uint32_t* held = by_slot_.Find(slot)) Forget(*held);
  const uint32_t at = Place();
  ring_[at] = Held{entry, slot, true, false};
  by_slot_.Set(slot, at);
  by_account_.Set(entry.account, at);
}

void KeyCache::EraseSlot(size_t slot) {
  if (const uint32_t* held = by_slot_.Find(slot)) Forget(*held);
}

void KeyCache::EraseSlotsFrom(size_t first) {
  std::vector<size_t> gone;
  by_slot_.ForEach([&](uint64_t slot, uint32_t) {
    if (slot >= first) gone.push_back(slot);
  });
  for (size_t slot : gone) EraseSlot(slot);
}

void KeyCache::Clear() {
  ring_.clear();
  holes_.clear();
  hand_ = 0;
  by_account_.Clear();
  by_slot_.Clear();
}

}  // namespace custodian::vault
