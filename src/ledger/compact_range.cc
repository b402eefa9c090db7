#include "ledger/compact_range.h"

#include <cassert>
#include <limits>

namespace custodian::ledger {

Result<CompactRange> CompactRange::Load(uint64_t size, const NodeReader& nodes) {
  auto roots = PerfectSubtreeHashes(0, size, nodes);
  if (!roots.ok()) return roots.status();
  CompactRange range;
  range.size_ = size;
  range.roots_ = std::move(*roots);
  return range;
}

void CompactRange::Append(const Digest& leaf_hash, const NodeSink& completed) {
  assert(size_ < std::numeric_limits<uint64_t>::max());
  Digest hash = leaf_hash;
  int level = 0;
  uint64_t index = size_;
  if (completed) completed(level, index, hash);
  // Each binary digit 1 at the bottom of the old size is a perfect subtree of the new
  // node's width just left of it: the two merge, as the digits carry when the size grows.
  while ((size_ >> level) & 1) {
    hash = NodeHash(roots_.back(), hash);
    roots_.pop_back();
    ++level;
    index >>= 1;
    if (completed) completed(level, index, hash);
  }
  roots_.push_back(hash);
  ++size_;
}

}  // namespace custodian::ledger
