#include "vault/address_chunk_cache.h"

#include <gtest/gtest.h>

namespace custodian::vault {
namespace {

AddressChunkCache::Chunk ChunkOf(size_t entries, uint64_t tag) {
  return std::make_shared<const std::vector<AddressUse>>(entries, AddressUse{tag, 1, 2, 3});
}

TEST(AddressChunkCacheTest, KeepsChunksByOwnerAndNumberWithinItsBytes) {
  const AddressChunkCache::Chunk sample = ChunkOf(64, 0);
  const size_t one = sizeof(AddressUse) * 64 + 96;
  AddressChunkCache cache(3 * one);
  const uint64_t a = AddressChunkCache::NewOwner(), b = AddressChunkCache::NewOwner();
  ASSERT_NE(a, b);
  cache.Insert(a, 0, ChunkOf(64, 10));
  cache.Insert(b, 0, ChunkOf(64, 20));
  ASSERT_NE(cache.Find(a, 0), nullptr);
  EXPECT_EQ(cache.Find(a, 0)->front().address_tag, 10u);
  EXPECT_EQ(cache.Find(b, 0)->front().address_tag, 20u);
  EXPECT_EQ(cache.Find(a, 1), nullptr);
  EXPECT_EQ(cache.bytes(), 2 * one);

  cache.Insert(a, 1, ChunkOf(64, 11));
  cache.Find(a, 0);  // now the most recently used: b's chunk is the least
  cache.Insert(a, 2, ChunkOf(64, 12));
  EXPECT_EQ(cache.bytes(), 3 * one) << "never more than its bytes";
  EXPECT_EQ(cache.Find(b, 0), nullptr) << "the least recently used went first";
  EXPECT_NE(cache.Find(a, 0), nullptr);
  EXPECT_NE(cache.Find(a, 2), nullptr);

  // A chunk larger than the whole cache is not kept, and evicts nothing.
  cache.Insert(b, 9, ChunkOf(1000, 30));
  EXPECT_EQ(cache.Find(b, 9), nullptr);
  EXPECT_EQ(cache.bytes(), 3 * one);
  // A chunk still in use by a reader outlives its eviction.
  const AddressChunkCache::Chunk held = cache.Find(a, 1);
  AddressChunkCache small(0);
  small.Insert(a, 1, held);
  EXPECT_EQ(held->size(), 64u);
}

}  // namespace
}  // namespace custodian::vault
