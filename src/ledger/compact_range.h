// A CompactRange is what a log writer keeps to append leaves one at a time and name the new
// root without reading the earlier leaves again: the roots of the perfect subtrees that the
// tree of `size` leaves is made of, one per binary digit 1 of the size, largest (leftmost)
// first. Thread-compatible: guard an instance that several threads use.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/status.h"
#include "ledger/merkle.h"

namespace custodian::ledger {

class CompactRange {
 public:
  // Hears each perfect subtree an append completes: the new leaf at level 0, then each node
  // above it whose last leaf it is, so that a store can keep the nodes its proofs are made
  // from (see NodeReader).
  using NodeSink = std::function<void(int level, uint64_t index, const Digest& hash)>;

  CompactRange() = default;  // the empty tree

  // The range of the first `size` leaves of a tree whose nodes a store keeps: one read per
  // binary digit 1 of `size`. Passes on the reader's errors.
  static Result<CompactRange> Load(uint64_t size, const NodeReader& nodes);

  uint64_t size() const { return size_; }
  const std::vector<Digest>& roots() const { return roots_; }

  // Appends a leaf by its hash: O(log n) hashes at worst, fewer than two on average.
  void Append(const Digest& leaf_hash, const NodeSink& completed = nullptr);

  // MTH of the leaves appended: O(log n) hashes.
  Digest Root() const { return RootOfPerfectSubtrees(roots_); }

 private:
  uint64_t size_ = 0;
  std::vector<Digest> roots_;
};

}  // namespace custodian::ledger
