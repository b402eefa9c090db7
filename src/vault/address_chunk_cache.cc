#include "vault/address_chunk_cache.h"

#include <atomic>

namespace custodian::vault {

uint64_t AddressChunkCache::NewOwner() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

AddressChunkCache::Chunk AddressChunkCache::Find(uint64_t owner, uint64_t chunk) {
  std::lock_guard lock(mu_);
  const auto it = map_.find({owner, chunk});
  if (it == map_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void AddressChunkCache::Insert(uint64_t owner, uint64_t chunk, Chunk entries) {
  const size_t cost = Cost(entries);
  if (cost > capacity_) return;
  std::lock_guard lock(mu_);
  if (map_.count({owner, chunk})) return;  // another thread opened it meanwhile
  while (used_ + cost > capacity_ && !lru_.empty()) {
    used_ -= Cost(lru_.back().second);
    map_.erase(lru_.back().first);
    lru_.pop_back();
  }
  lru_.emplace_front(Key{owner, chunk}, std::move(entries));
  map_.emplace(Key{owner, chunk}, lru_.begin());
  used_ += cost;
}

size_t AddressChunkCache::bytes() const {
  std::lock_guard lock(mu_);
  return used_;
}

}  // namespace custodian::vault
