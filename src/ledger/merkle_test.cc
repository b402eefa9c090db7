#include "ledger/merkle.h"

#include <gtest/gtest.h>

#include "ledger/compact_range.h"

namespace custodian::ledger {
namespace {

std::string Hex(const Digest& d) { return HexEncode(d.data(), d.size()); }

std::vector<Digest> Leaves(uint64_t n) {
  std::vector<Digest> out;
  for (uint64_t i = 0; i < n; ++i) out.push_back(LeafHash("leaf " + std::to_string(i)));
  return out;
}

std::string Message(const Status& s) { return s.ok() ? "ok" : s.message(); }

template <typename T>
std::string Message(const Result<T>& r) {
  return Message(r.status());
}

Digest Flipped(Digest d, size_t byte) {
  d[byte] ^= 0x01;
  return d;
}

TEST(MerkleTest, HashesAsRfc9162Says) {
  EXPECT_EQ(Hex(EmptyRoot()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(LeafHash("")), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(LeafHash("abc"), Sha256(std::string("\0abc", 4)));
  const Digest a = LeafHash("a"), b = LeafHash("b");
  std::string message = "\x01";
  message.append(reinterpret_cast<const char*>(a.data()), a.size());
  message.append(reinterpret_cast<const char*>(b.data()), b.size());
  EXPECT_EQ(NodeHash(a, b), Sha256(message));
  EXPECT_NE(NodeHash(a, b), NodeHash(b, a));
}

TEST(MerkleTest, RootSplitsAtTheLargestPowerOfTwoBelowTheSize) {
  const std::vector<Digest> l = Leaves(7);
  EXPECT_EQ(RootOf({}), EmptyRoot());
  EXPECT_EQ(RootOf(std::span(l).first(1)), l[0]);
  EXPECT_EQ(RootOf(std::span(l).first(3)), NodeHash(NodeHash(l[0], l[1]), l[2]));
  EXPECT_EQ(RootOf(l), NodeHash(NodeHash(NodeHash(l[0], l[1]), NodeHash(l[2], l[3])),
                                NodeHash(NodeHash(l[4], l[5]), l[6])));
  for (uint64_t n = 0; n <= 7; ++n) {
    EXPECT_EQ(*TreeRoot(n, LeafHashNodes(l)), RootOf(std::span(l).first(n))) << n;
  }
}

TEST(MerkleTest, ProofsHoldTheRfcExampleNodes) {
  // RFC 9162 section 2.1.5, the tree of 7 leaves a..g: the inclusion proof of d is
  // [c, g(a,b), i(e,f,g)] and the consistency proof from 3 to 7 is [c, d, g(a,b), l(e,f,g)].
  const std::vector<Digest> l = Leaves(7);
  const NodeReader nodes = LeafHashNodes(l);
  const Digest ab = NodeHash(l[0], l[1]), efg = NodeHash(NodeHash(l[4], l[5]), l[6]);
  EXPECT_EQ(*InclusionProof(3, 7, nodes), (std::vector<Digest>{l[2], ab, efg}));
  EXPECT_EQ(*ConsistencyProof(3, 7, nodes), (std::vector<Digest>{l[2], l[3], ab, efg}));
  EXPECT_EQ(*ConsistencyProof(4, 7, nodes), (std::vector<Digest>{efg}));
  EXPECT_EQ(*ConsistencyProof(6, 7, nodes),
            (std::vector<Digest>{NodeHash(l[4], l[5]), l[6], NodeHash(ab, NodeHash(l[2], l[3]))}));
  EXPECT_EQ(*ConsistencyProof(7, 7, nodes), std::vector<Digest>{});
  // The subtree [4, 6) of the same tree: the hashes beside it on the way up, outside it.
  EXPECT_EQ(*SubtreeConsistencyProof(4, 6, 7, nodes),
            (std::vector<Digest>{l[6], NodeHash(ab, NodeHash(l[2], l[3]))}));
}

TEST(MerkleTest, EveryInclusionProofUpTo70LeavesVerifiesAndNoAlteredOneDoes) {
  for (uint64_t size = 1; size <= 70; ++size) {
    const std::vector<Digest> leaves = Leaves(size);
    const Digest root = RootOf(leaves);
    for (uint64_t index = 0; index < size; ++index) {
      SCOPED_TRACE("leaf " + std::to_string(index) + " of " + std::to_string(size));
      auto proof = InclusionProof(index, size, LeafHashNodes(leaves));
      ASSERT_TRUE(proof.ok()) << proof.status().message();
      ASSERT_EQ(Message(VerifyInclusion(index, size, leaves[index], root, *proof)), "ok");

      for (size_t h = 0; h < proof->size(); ++h) {
        for (size_t byte = 0; byte < sizeof(Digest); ++byte) {
          std::vector<Digest> altered = *proof;
          altered[h] = Flipped(altered[h], byte);
          ASSERT_FALSE(VerifyInclusion(index, size, leaves[index], root, altered).ok());
        }
      }
      for (size_t byte = 0; byte < sizeof(Digest); ++byte) {
        ASSERT_FALSE(
            VerifyInclusion(index, size, Flipped(leaves[index], byte), root, *proof).ok());
        ASSERT_FALSE(
            VerifyInclusion(index, size, leaves[index], Flipped(root, byte), *proof).ok());
      }
      std::vector<Digest> longer = *proof;
      longer.push_back(root);
      EXPECT_FALSE(VerifyInclusion(index, size, leaves[index], root, longer).ok());
      if (!proof->empty()) {
        EXPECT_FALSE(VerifyInclusion(index, size, leaves[index], root,
                                     std::span(*proof).first(proof->size() - 1))
                         .ok());
      }
      // (Another size may verify too: a proof binds the root, and a signed tree head binds
      // the root to its size.)
      if (index + 1 < size) {
        EXPECT_FALSE(VerifyInclusion(index + 1, size, leaves[index], root, *proof).ok());
      }
    }
  }
}

TEST(MerkleTest, EveryConsistencyProofUpTo40LeavesVerifiesAndNoAlteredOneDoes) {
  const std::vector<Digest> leaves = Leaves(40);
  const NodeReader nodes = LeafHashNodes(leaves);
  for (uint64_t size2 = 1; size2 <= 40; ++size2) {
    const Digest root2 = RootOf(std::span(leaves).first(size2));
    for (uint64_t size1 = 1; size1 <= size2; ++size1) {
      SCOPED_TRACE(std::to_string(size1) + " to " + std::to_string(size2));
      const Digest root1 = RootOf(std::span(leaves).first(size1));
      auto proof = ConsistencyProof(size1, size2, nodes);
      ASSERT_TRUE(proof.ok()) << proof.status().message();
      ASSERT_EQ(Message(VerifyConsistency(size1, size2, root1, root2, *proof)), "ok");
      EXPECT_EQ(*proof, *SubtreeConsistencyProof(0, size1, size2, nodes));

      for (size_t h = 0; h < proof->size(); ++h) {
        std::vector<Digest> altered = *proof;
        altered[h] = Flipped(altered[h], h % sizeof(Digest));
        ASSERT_FALSE(VerifyConsistency(size1, size2, root1, root2, altered).ok()) << h;
      }
      ASSERT_FALSE(VerifyConsistency(size1, size2, Flipped(root1, 0), root2, *proof).ok());
      ASSERT_FALSE(VerifyConsistency(size1, size2, root1, Flipped(root2, 31), *proof).ok());
      std::vector<Digest> longer = *proof;
      longer.push_back(root1);
      EXPECT_FALSE(VerifyConsistency(size1, size2, root1, root2, longer).ok());
      if (!proof->empty()) {
        EXPECT_FALSE(VerifyConsistency(size1, size2, root1, root2,
                                       std::span(*proof).subspan(1))
                         .ok());
      }
      if (size1 < size2) {
        EXPECT_FALSE(VerifyConsistency(size1 + 1, size2, root1, root2, *proof).ok());
      }
    }
  }
}

TEST(MerkleTest, EverySubtreeProofUpTo24LeavesVerifies) {
  const std::vector<Digest> leaves = Leaves(24);
  const NodeReader nodes = LeafHashNodes(leaves);
  size_t subtrees = 0;
  for (uint64_t size = 1; size <= 24; ++size) {
    const Digest root = RootOf(std::span(leaves).first(size));
    for (uint64_t end = 1; end <= size; ++end) {
      for (uint64_t start = 0; start < end; ++start) {
        if (!IsValidSubtree(start, end)) {
          EXPECT_FALSE(SubtreeConsistencyProof(start, end, size, nodes).ok());
          continue;
        }
        SCOPED_TRACE("[" + std::to_string(start) + ", " + std::to_string(end) + ") in " +
                     std::to_string(size));
        ++subtrees;
        const Digest subtree_root = RootOf(std::span(leaves).subspan(start, end - start));
        auto proof = SubtreeConsistencyProof(start, end, size, nodes);
        ASSERT_TRUE(proof.ok()) << proof.status().message();
        ASSERT_EQ(Message(VerifySubtreeConsistency(start, end, size, subtree_root, root, *proof)),
                  "ok");
        for (size_t h = 0; h < proof->size(); ++h) {
          std::vector<Digest> altered = *proof;
          altered[h] = Flipped(altered[h], 7);
          ASSERT_FALSE(
              VerifySubtreeConsistency(start, end, size, subtree_root, root, altered).ok());
        }
        ASSERT_FALSE(
            VerifySubtreeConsistency(start, end, size, Flipped(subtree_root, 3), root, *proof)
                .ok());
        if (size != end) continue;  // the leaves' proofs below need the subtree only once
        for (uint64_t index = start; index < end; ++index) {
          auto inclusion = SubtreeInclusionProof(index, start, end, nodes);
          ASSERT_TRUE(inclusion.ok()) << inclusion.status().message();
          EXPECT_EQ(*inclusion, *InclusionProof(index - start, end - start,
                                                LeafHashNodes(std::span(leaves).subspan(start))));
          ASSERT_EQ(Message(VerifySubtreeInclusion(index, start, end, leaves[index], subtree_root,
                                                   *inclusion)),
                    "ok");
        }
      }
    }
  }
  EXPECT_EQ(subtrees, 844u);
}

TEST(MerkleTest, RecognisesSubtrees) {
  EXPECT_TRUE(IsValidSubtree(0, 1));
  EXPECT_TRUE(IsValidSubtree(0, 13));
  EXPECT_TRUE(IsValidSubtree(8, 13));   // 5 leaves below the node of [8, 16)
  EXPECT_TRUE(IsValidSubtree(4, 7));
  EXPECT_TRUE(IsValidSubtree(5, 6));
  EXPECT_TRUE(IsValidSubtree(0, UINT64_MAX));
  EXPECT_TRUE(IsValidSubtree(uint64_t{1} << 63, UINT64_MAX));
  EXPECT_FALSE(IsValidSubtree(3, 3));
  EXPECT_FALSE(IsValidSubtree(2, 1));
  EXPECT_FALSE(IsValidSubtree(3, 5));
  EXPECT_FALSE(IsValidSubtree(4, 9));   // 5 leaves need a node of 8, which [4, 9) is not in
  EXPECT_FALSE(IsValidSubtree(1, (uint64_t{1} << 63) + 2));
}

TEST(MerkleTest, RefusesPositionsThatMakeNoProof) {
  const std::vector<Digest> l = Leaves(8);
  const NodeReader nodes = LeafHashNodes(l);
  const Digest root = RootOf(l);
  EXPECT_EQ(Message(InclusionProof(8, 8, nodes)), "leaf index 8 is not below the tree size 8");
  EXPECT_EQ(Message(InclusionProof(0, 0, nodes)), "leaf index 0 is not below the tree size 0");
  EXPECT_EQ(Message(VerifyInclusion(UINT64_MAX, 8, l[0], root, {})),
            "leaf index 18446744073709551615 is not below the tree size 8");
  EXPECT_EQ(Message(ConsistencyProof(5, 4, nodes)), "the first tree size 5 is above the second 4");
  EXPECT_EQ(Message(ConsistencyProof(0, 4, nodes)),
            "a consistency proof from the empty tree proves nothing");
  EXPECT_EQ(Message(VerifyConsistency(0, 0, EmptyRoot(), EmptyRoot(), {})),
            "a consistency proof from the empty tree proves nothing");
  EXPECT_EQ(Message(SubtreeInclusionProof(2, 3, 5, nodes)),
            "[3, 5) is not a subtree: its start must be a multiple of the smallest power of two "
            "at least its size");
  EXPECT_EQ(Message(SubtreeInclusionProof(2, 4, 6, nodes)), "leaf index 2 is not in [4, 6)");
  EXPECT_EQ(Message(VerifySubtreeInclusion(1, 1, 1, l[1], root, {})),
            "[1, 1) is not a subtree: it is empty");
  EXPECT_EQ(Message(SubtreeConsistencyProof(4, 6, 5, nodes)),
            "leaves [4, 6) reach past the tree size 5");
  EXPECT_EQ(Message(SubtreeConsistencyProof(2, 2, 5, nodes)),
            "[2, 2) is not a subtree: it is empty");
  EXPECT_EQ(Message(VerifySubtreeConsistency(2, 1, 5, root, root, {})),
            "[2, 1) is not a subtree: it ends before it starts");
  EXPECT_EQ(Message(PerfectSubtreeHashes(3, 5, nodes)),
            "leaves [3, 5) are not made of whole perfect subtrees");
}

TEST(MerkleTest, SaysWhyAProofFails) {
  const std::vector<Digest> l = Leaves(7);
  const NodeReader nodes = LeafHashNodes(l);
  const Digest root3 = RootOf(std::span(l).first(3)), root7 = RootOf(l);
  const std::vector<Digest> proof = *ConsistencyProof(3, 7, nodes);
  EXPECT_EQ(Message(VerifyConsistency(3, 7, root3, root7, std::span(proof).first(3))),
            "the proof has 3 hashes, not 4");
  EXPECT_EQ(Message(VerifyConsistency(3, 7, root7, root7, proof)),
            "the proof does not lead to the hash of leaves [0, 3)");
  EXPECT_EQ(Message(VerifyConsistency(3, 7, root3, root3, proof)),
            "the proof does not lead to the root of leaves [0, 7)");
  EXPECT_EQ(Message(VerifyConsistency(7, 7, root7, root3, {})),
            "the proof does not lead to the root of leaves [0, 7)");
  EXPECT_EQ(Message(VerifyInclusion(2, 7, l[3], root7, *InclusionProof(2, 7, nodes))),
            "the proof does not lead to the root of leaves [0, 7)");
  EXPECT_EQ(Message(VerifySubtreeConsistency(3, 3, 7, root3, root7, {})),
            "the hash of the empty range [3, 3) must be that of the empty tree");
  EXPECT_EQ(Message(VerifySubtreeConsistency(3, 3, 7, EmptyRoot(), root7, proof)),
            "the proof for the empty range [3, 3) must be empty, not 4 hashes");
  EXPECT_EQ(Message(VerifySubtreeConsistency(3, 3, 7, EmptyRoot(), root3, {})), "ok");
  EXPECT_EQ(Message(VerifySubtreeConsistency(8, 8, 7, EmptyRoot(), root7, {})),
            "[8, 8) is not a subtree: it is empty");
}

TEST(MerkleTest, PassesOnTheNodeReadersErrors) {
  const NodeReader failing = [](int, uint64_t) -> Result<Digest> {
    return Status::IoError("the node table is gone");
  };
  EXPECT_EQ(InclusionProof(3, 7, failing).status().code(), Status::Code::kIoError);
  EXPECT_EQ(Message(ConsistencyProof(3, 7, failing)), "the node table is gone");
  EXPECT_EQ(Message(TreeRoot(7, failing)), "the node table is gone");
  EXPECT_EQ(Message(TreeRoot(0, failing)), "ok");  // the empty tree needs no node
  const std::vector<Digest> l = Leaves(3);
  EXPECT_EQ(Message(LeafHashNodes(l)(1, 1)), "no node 1 at level 1 among 3 leaves");
  EXPECT_EQ(Message(LeafHashNodes(l)(64, 0)), "no node 0 at level 64 among 3 leaves");
}

// A store of every perfect node of a tree, filled as a log writer would fill it: from the
// nodes each append completes. It counts its reads.
class NodeStore {
 public:
  explicit NodeStore(uint64_t size) {
    CompactRange range;
    for (uint64_t i = 0; i < size; ++i) {
      range.Append(LeafHash(std::to_string(i)), [this](int level, uint64_t index,
                                                       const Digest& hash) {
        if (levels_.size() <= static_cast<size_t>(level)) levels_.resize(level + 1);
        ASSERT_EQ(levels_[level].size(), index);
        levels_[level].push_back(hash);
      });
    }
    root_ = range.Root();
  }

  NodeReader Reader() {
    return [this](int level, uint64_t index) -> Result<Digest> {
      ++reads_;
      return levels_.at(level).at(index);
    };
  }
  Digest leaf(uint64_t index) const { return levels_[0][index]; }
  Digest root() const { return root_; }
  size_t reads() const { return reads_; }
  void ResetReads() { reads_ = 0; }

 private:
  std::vector<std::vector<Digest>> levels_;
  Digest root_;
  size_t reads_ = 0;
};

TEST(MerkleTest, ProofsInAMillionLeavesReadFewNodes) {
  constexpr uint64_t kSize = 1'000'003;
  NodeStore store(kSize);
  const NodeReader nodes = store.Reader();
  EXPECT_EQ(*TreeRoot(kSize, nodes), store.root());
  for (uint64_t index : {uint64_t{0}, uint64_t{1}, uint64_t{524'287}, uint64_t{999'999},
                         kSize - 1}) {
    store.ResetReads();
    auto proof = InclusionProof(index, kSize, nodes);
    ASSERT_TRUE(proof.ok());
    EXPECT_LE(store.reads(), 2u * 20) << index;  // about log2(n) hashes, each a few nodes
    EXPECT_EQ(Message(VerifyInclusion(index, kSize, store.leaf(index), store.root(), *proof)),
              "ok");
  }
  for (uint64_t size1 : {uint64_t{1}, uint64_t{3}, uint64_t{524'288}, uint64_t{777'777}}) {
    store.ResetReads();
    auto proof = ConsistencyProof(size1, kSize, nodes);
    ASSERT_TRUE(proof.ok());
    EXPECT_LE(store.reads(), 3u * 20) << size1;
    EXPECT_EQ(Message(VerifyConsistency(size1, kSize, *TreeRoot(size1, nodes), store.root(),
                                        *proof)),
              "ok");
  }
}

}  // namespace
}  // namespace custodian::ledger
