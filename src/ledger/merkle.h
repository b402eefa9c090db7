// The Merkle tree of an append-only log, as RFC 9162 section 2.1 defines it over SHA-256:
// leaf and node hashes, tree roots, and inclusion and consistency proofs, both for the whole
// tree and for the subtrees [start, end) of draft-ietf-plants-merkle-tree-certs section 4.
// Pure functions, with no storage: proofs are generated from a NodeReader, so that a store
// which keeps the tree's nodes answers from them and one which keeps only leaf hashes in
// memory wraps them with LeafHashNodes. Safe from any thread (a NodeReader must be too, if
// it is shared).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "core/sha256.h"
#include "core/status.h"

namespace custodian::ledger {

using Digest = Sha256Digest;

// SHA-256(0x00 || leaf): the leaf's hash in the tree.
Digest LeafHash(std::string_view leaf);
// SHA-256(0x01 || left || right): the hash of an inner node.
Digest NodeHash(const Digest& left, const Digest& right);
// SHA-256 of nothing: the root of the empty tree.
Digest EmptyRoot();

// MTH of RFC 9162 section 2.1.1 over the given leaf hashes: O(n) hashes.
Digest RootOf(std::span<const Digest> leaf_hashes);

// Returns the hash of the perfect subtree of 2^level leaves that begins at leaf
// index << level, or the store's error. Proof generation asks only for nodes that lie wholly
// within the tree it was given, and for O(log n) of them per proof or root.
using NodeReader = std::function<Result<Digest>(int level, uint64_t index)>;

// A NodeReader that computes each node from `leaf_hashes` (O(2^level) hashes a node, so
// O(n) a proof), which must outlive it. Asked for a node beyond them, it returns Internal.
NodeReader LeafHashNodes(std::span<const Digest> leaf_hashes);

// The root of the tree of the first `size` leaves.
Result<Digest> TreeRoot(uint64_t size, const NodeReader& nodes);

// The hashes of the perfect subtrees that leaves [begin, end) are made of, largest first: one
// for each binary digit 1 of end - begin. `begin` must be a multiple of the smallest power of
// two >= end - begin (as for 0 and every subtree), or InvalidArgument.
Result<std::vector<Digest>> PerfectSubtreeHashes(uint64_t begin, uint64_t end,
                                                 const NodeReader& nodes);
// MTH of the leaves below the given perfect subtrees, largest first: they folded from the
// right. EmptyRoot() for none.
Digest RootOfPerfectSubtrees(std::span<const Digest> hashes);

// True when [start, end) is a subtree in the sense of the Merkle Tree Certificates draft:
// not empty, and `start` a multiple of the smallest power of two >= end - start, so that
// its leaves hang below one node of every tree that holds them.
bool IsValidSubtree(uint64_t start, uint64_t end);

// Proofs are lists of hashes, the lowest in the tree first. Generation refuses positions
// that make no proof with InvalidArgument, and passes on the NodeReader's errors.
// Verification returns ok, or InvalidArgument saying why the proof fails: positions that
// make no proof, a proof of the wrong length, or hashes that do not lead where they should.

// RFC 9162 section 2.1.3: that leaf `index` (< size) has hash `leaf_hash` in the tree of
// `size` leaves.
Result<std::vector<Digest>> InclusionProof(uint64_t index, uint64_t size,
                                           const NodeReader& nodes);
Status VerifyInclusion(uint64_t index, uint64_t size, const Digest& leaf_hash,
                       const Digest& root, std::span<const Digest> proof);

// RFC 9162 section 2.1.4: that the tree of `size1` leaves is a prefix of the tree of
// `size2`. Requires 0 < size1 <= size2: a proof from the empty tree proves nothing, and when
// the sizes are equal the proof is empty and the roots must be equal.
Result<std::vector<Digest>> ConsistencyProof(uint64_t size1, uint64_t size2,
                                             const NodeReader& nodes);
Status VerifyConsistency(uint64_t size1, uint64_t size2, const Digest& root1,
                         const Digest& root2, std::span<const Digest> proof);

// That leaf `index` has hash `leaf_hash` in the subtree [start, end), whose hash is
// `subtree_root`: the inclusion proof of leaf index - start among the subtree's leaves.
Result<std::vector<Digest>> SubtreeInclusionProof(uint64_t index, uint64_t start, uint64_t end,
                                                  const NodeReader& nodes);
Status VerifySubtreeInclusion(uint64_t index, uint64_t start, uint64_t end,
                              const Digest& leaf_hash, const Digest& subtree_root,
                              std::span<const Digest> proof);

// That the subtree [start, end), whose hash is `subtree_root`, holds the same leaves in the
// tree of `size` leaves whose root is `root` (end <= size). With start = 0 this is the
// consistency proof from size `end`. An empty range (start == end <= size) is consistent
// with every tree: it verifies with an empty proof when `subtree_root` is EmptyRoot(),
// whatever `root` is. Generation refuses it: there is nothing to prove.
Result<std::vector<Digest>> SubtreeConsistencyProof(uint64_t start, uint64_t end, uint64_t size,
                                                    const NodeReader& nodes);
Status VerifySubtreeConsistency(uint64_t start, uint64_t end, uint64_t size,
                                const Digest& subtree_root, const Digest& root,
                                std::span<const Digest> proof);

}  // namespace custodian::ledger
