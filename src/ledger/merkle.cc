#include "ledger/merkle.h"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <string>

namespace custodian::ledger {
namespace {

// Leaves [begin, end) of the tree.
struct LeafRange {
  uint64_t begin = 0;
  uint64_t end = 0;
};

std::string Show(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

// How the walk from the top node down to the proven range passes one node, and so what the
// proof's hash for that level is.
enum class Step : uint8_t {
  kLeft,      // the range lies left of the split; the hash is of the right part, outside it
  kRight,     // the range lies right of the split; the hash is of the left part, outside it
  kStraddle,  // the range begins at the node and ends past the split; the hash is of the
              // left part, which is inside the range
};

// The walk of SUBTREE_PROOF (the Merkle Tree Certificates draft, section 4.4.1), which is
// RFC 9162's PATH when the range is one leaf and its SUBPROOF when the range starts at 0.
struct ProofWalk {
  std::vector<Step> steps;         // from the top down
  std::vector<LeafRange> hashed;   // what each step's proof hash covers
  LeafRange bottom;                // the node the walk ends at
  bool bottom_is_range = true;     // the verifier holds its hash; else it heads the proof
};

// Walks from node `top` down to `range`, a valid subtree inside it. Every node met begins at
// a multiple of the smallest power of two >= its width, so each node and each hashed part is
// made of whole perfect subtrees (see PerfectSubtreeHashes).
ProofWalk Walk(LeafRange range, LeafRange top) {
  ProofWalk walk;
  LeafRange node = top;
  while (range.begin != node.begin || range.end != node.end) {
    const uint64_t split = node.begin + std::bit_floor(node.end - node.begin - 1);
    if (range.end <= split) {
      walk.steps.push_back(Step::kLeft);
      walk.hashed.push_back({split, node.end});
      node.end = split;
    } else if (range.begin >= split) {
      walk.steps.push_back(Step::kRight);
      walk.hashed.push_back({node.begin, split});
      node.begin = split;
    } else {
      // A valid subtree that crosses a split starts at the node's first leaf.
      assert(range.begin == node.begin);
      walk.steps.push_back(Step::kStraddle);
      walk.hashed.push_back({node.begin, split});
      node.begin = range.begin = split;
      walk.bottom_is_range = false;
    }
  }
  walk.bottom = node;
  return walk;
}

// MTH of leaves [begin, end), an aligned range (see Walk). O(log n) node reads.
Result<Digest> RangeRoot(LeafRange range, const NodeReader& nodes) {
  auto parts = PerfectSubtreeHashes(range.begin, range.end, nodes);
  if (!parts.ok()) return parts.status();
  return RootOfPerfectSubtrees(*parts);
}

Result<std::vector<Digest>> MakeProof(LeafRange range, LeafRange top, const NodeReader& nodes) {
  const ProofWalk walk = Walk(range, top);
  std::vector<Digest> proof;
  if (!walk.bottom_is_range) {
    auto hash = RangeRoot(walk.bottom, nodes);
    if (!hash.ok()) return hash.status();
    proof.push_back(*hash);
  }
  for (size_t i = walk.hashed.size(); i-- > 0;) {
    auto hash = RangeRoot(walk.hashed[i], nodes);
    if (!hash.ok()) return hash.status();
    proof.push_back(*hash);
  }
  return proof;
}

// Checks the proof MakeProof(range, top) would make: climbs from the bottom node, one proof
// hash a level, rebuilding both the range's hash and the top node's.
Status CheckProof(LeafRange range, LeafRange top, const Digest& range_hash,
                  const Digest& top_hash, std::span<const Digest> proof) {
  const ProofWalk walk = Walk(range, top);
  const size_t want = walk.steps.size() + (walk.bottom_is_range ? 0 : 1);
  if (proof.size() != want) {
    return Status::InvalidArgument("the proof has " + std::to_string(proof.size()) +
                                   " hashes, not " + std::to_string(want));
  }
  size_t next = 0;
  Digest range_side = walk.bottom_is_range ? range_hash : proof[next++];
  Digest top_side = range_side;
  for (size_t i = walk.steps.size(); i-- > 0;) {
    const Digest& sibling = proof[next++];
    switch (walk.steps[i]) {
      case Step::kLeft:
        top_side = NodeHash(top_side, sibling);
        break;
      case Step::kRight:
        top_side = NodeHash(sibling, top_side);
        break;
      case Step::kStraddle:
        top_side = NodeHash(sibling, top_side);
        range_side = NodeHash(sibling, range_side);
        break;
    }
  }
  if (range_side != range_hash) {
    return Status::InvalidArgument("the proof does not lead to the hash of leaves " +
                                   Show(range.begin, range.end));
  }
  if (top_side != top_hash) {
    return Status::InvalidArgument("the proof does not lead to the root of leaves " +
                                   Show(top.begin, top.end));
  }
  return Status::Ok();
}

Status CheckSubtree(uint64_t start, uint64_t end) {
  if (IsValidSubtree(start, end)) return Status::Ok();
  std::string why = start > end    ? "it ends before it starts"
                    : start == end ? "it is empty"
                                   : "its start must be a multiple of the smallest power of "
                                     "two at least its size";
  return Status::InvalidArgument(Show(start, end) + " is not a subtree: " + why);
}

Status CheckIndex(uint64_t index, uint64_t size) {
  if (index < size) return Status::Ok();
  return Status::InvalidArgument("leaf index " + std::to_string(index) +
                                 " is not below the tree size " + std::to_string(size));
}

Status CheckSizes(uint64_t size1, uint64_t size2) {
  if (size1 > size2) {
    return Status::InvalidArgument("the first tree size " + std::to_string(size1) +
                                   " is above the second " + std::to_string(size2));
  }
  if (size1 == 0) {
    return Status::InvalidArgument("a consistency proof from the empty tree proves nothing");
  }
  return Status::Ok();
}

Status CheckSubtreeInTree(uint64_t start, uint64_t end, uint64_t size) {
  if (Status s = CheckSubtree(start, end); !s.ok()) return s;
  if (end > size) {
    return Status::InvalidArgument("leaves " + Show(start, end) + " reach past the tree size " +
                                   std::to_string(size));
  }
  return Status::Ok();
}

}  // namespace

Digest LeafHash(std::string_view leaf) {
  static constexpr unsigned char kLeafPrefix = 0x00;
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, &kLeafPrefix, 1);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(leaf.data()),
                            leaf.size());
  Digest out;
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

Digest NodeHash(const Digest& left, const Digest& right) {
  unsigned char message[1 + 2 * sizeof(Digest)];
  message[0] = 0x01;
  std::copy(left.begin(), left.end(), message + 1);
  std::copy(right.begin(), right.end(), message + 1 + left.size());
  Digest out;
  crypto_hash_sha256(out.data(), message, sizeof(message));
  return out;
}

Digest EmptyRoot() { return Sha256(""); }

Digest RootOf(std::span<const Digest> leaf_hashes) {
  if (leaf_hashes.empty()) return EmptyRoot();
  if (leaf_hashes.size() == 1) return leaf_hashes[0];
  const size_t split = std::bit_floor(leaf_hashes.size() - 1);
  return NodeHash(RootOf(leaf_hashes.first(split)), RootOf(leaf_hashes.subspan(split)));
}

NodeReader LeafHashNodes(std::span<const Digest> leaf_hashes) {
  return [leaf_hashes](int level, uint64_t index) -> Result<Digest> {
    // index < size >> level says the node's last leaf exists, without overflow.
    if (level < 0 || level > 63 || index >= (leaf_hashes.size() >> level)) {
      return Status::Internal("no node " + std::to_string(index) + " at level " +
                              std::to_string(level) + " among " +
                              std::to_string(leaf_hashes.size()) + " leaves");
    }
    return RootOf(leaf_hashes.subspan(index << level, size_t{1} << level));
  };
}

Result<Digest> TreeRoot(uint64_t size, const NodeReader& nodes) {
  return RangeRoot({0, size}, nodes);
}

Result<std::vector<Digest>> PerfectSubtreeHashes(uint64_t begin, uint64_t end,
                                                 const NodeReader& nodes) {
  if (begin > end || (begin < end && !IsValidSubtree(begin, end))) {
    return Status::InvalidArgument("leaves " + Show(begin, end) +
                                   " are not made of whole perfect subtrees");
  }
  std::vector<Digest> hashes;
  uint64_t at = begin;
  for (int level = 63; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if (((end - begin) & width) == 0) continue;
    auto node = nodes(level, at >> level);
    if (!node.ok()) return node.status();
    hashes.push_back(*node);
    at += width;
  }
  return hashes;
}

Digest RootOfPerfectSubtrees(std::span<const Digest> hashes) {
  if (hashes.empty()) return EmptyRoot();
  Digest root = hashes.back();
  for (size_t i = hashes.size() - 1; i-- > 0;) root = NodeHash(hashes[i], root);
  return root;
}

bool IsValidSubtree(uint64_t start, uint64_t end) {
  if (start >= end) return false;
  if (start == 0) return true;
  // Past 2^63 leaves the power of two would be 2^64, of which no start > 0 is a multiple.
  const uint64_t size = end - start;
  return size <= (uint64_t{1} << 63) && start % std::bit_ceil(size) == 0;
}

Result<std::vector<Digest>> InclusionProof(uint64_t index, uint64_t size,
                                           const NodeReader& nodes) {
  if (Status s = CheckIndex(index, size); !s.ok()) return s;
  return MakeProof({index, index + 1}, {0, size}, nodes);
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Digest& leaf_hash,
                       const Digest& root, std::span<const Digest> proof) {
  if (Status s = CheckIndex(index, size); !s.ok()) return s;
  return CheckProof({index, index + 1}, {0, size}, leaf_hash, root, proof);
}

Result<std::vector<Digest>> ConsistencyProof(uint64_t size1, uint64_t size2,
                                             const NodeReader& nodes) {
  if (Status s = CheckSizes(size1, size2); !s.ok()) return s;
  return MakeProof({0, size1}, {0, size2}, nodes);
}

Status VerifyConsistency(uint64_t size1, uint64_t size2, const Digest& root1,
                         const Digest& root2, std::span<const Digest> proof) {
  if (Status s = CheckSizes(size1, size2); !s.ok()) return s;
  return CheckProof({0, size1}, {0, size2}, root1, root2, proof);
}

Result<std::vector<Digest>> SubtreeInclusionProof(uint64_t index, uint64_t start, uint64_t end,
                                                  const NodeReader& nodes) {
  if (Status s = CheckSubtree(start, end); !s.ok()) return s;
  if (index < start || index >= end) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) + " is not in " +
                                   Show(start, end));
  }
  return MakeProof({index, index + 1}, {start, end}, nodes);
}

Status VerifySubtreeInclusion(uint64_t index, uint64_t start, uint64_t end,
                              const Digest& leaf_hash, const Digest& subtree_root,
                              std::span<const Digest> proof) {
  if (Status s = CheckSubtree(start, end); !s.ok()) return s;
  if (index < start || index >= end) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) + " is not in " +
                                   Show(start, end));
  }
  return CheckProof({index, index + 1}, {start, end}, leaf_hash, subtree_root, proof);
}

Result<std::vector<Digest>> SubtreeConsistencyProof(uint64_t start, uint64_t end, uint64_t size,
                                                    const NodeReader& nodes) {
  if (Status s = CheckSubtreeInTree(start, end, size); !s.ok()) return s;
  return MakeProof({start, end}, {0, size}, nodes);
}

Status VerifySubtreeConsistency(uint64_t start, uint64_t end, uint64_t size,
                                const Digest& subtree_root, const Digest& root,
                                std::span<const Digest> proof) {
  if (start == end && end <= size) {
    // Nothing to prove, so nothing may be offered as proof, and the range's hash can only
    // be that of no leaves.
    if (!proof.empty()) {
      return Status::InvalidArgument("the proof for the empty range " + Show(start, end) +
                                     " must be empty, not " + std::to_string(proof.size()) +
                                     " hashes");
    }
    if (subtree_root != EmptyRoot()) {
      return Status::InvalidArgument("the hash of the empty range " + Show(start, end) +
                                     " must be that of the empty tree");
    }
    return Status::Ok();
  }
  if (Status s = CheckSubtreeInTree(start, end, size); !s.ok()) return s;
  return CheckProof({start, end}, {0, size}, subtree_root, root, proof);
}

}  // namespace custodian::ledger
