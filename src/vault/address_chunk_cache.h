// Opened address-index chunks, kept for the next lookup of the same addresses
// (docs/vault_format.md, "Segment indexes"). Opening a chunk costs an authenticated decryption;
// the addresses behind many accounts (carrier NAT, offices) are both the costliest to look up
// and the most often asked about. Bounded in bytes ([vault] index_cache_mib), least recently
// used first out, shared by a vault's segment readers; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "vault/segment_index.h"

namespace custodian::vault {

class AddressChunkCache {
 public:
  using Chunk = std::shared_ptr<const std::vector<AddressUse>>;  // a chunk's entries, in order

  static constexpr size_t kDefaultBytes = size_t{64} << 20;

  explicit AddressChunkCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

  // A number for a segment reader's chunks, never given twice in the process.
  static uint64_t NewOwner();

  Chunk Find(uint64_t owner, uint64_t chunk);
  void Insert(uint64_t owner, uint64_t chunk, Chunk entries);
  size_t bytes() const;

 private:
  struct Key {
    uint64_t owner, chunk;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return k.owner * 0x9E3779B97F4A7C15ull ^ k.chunk; }
  };
  static size_t Cost(const Chunk& c) { return sizeof(AddressUse) * c->size() + 96; }  // 96: list and map nodes

  const size_t capacity_;
  mutable std::mutex mu_;
  size_t used_ = 0;
  std::list<std::pair<Key, Chunk>> lru_;  // most recently used first
  std::unordered_map<Key, std::list<std::pair<Key, Chunk>>::iterator, KeyHash> map_;
};

}  // namespace custodian::vault
