// Every test vector of the transparency-dev/merkle project, in testdata/merkle (Apache-2.0,
// its LICENSE beside them): RFC 9162 inclusion and consistency proofs, and the
// Merkle Tree Certificates draft's subtree inclusion and consistency proofs, each a happy
// path or a tampered copy of one. Happy paths must verify; every vector with "wantErr"
// must be refused. Where a happy path comes from the reference tree, the proof we generate
// must also be the vector's.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "ledger/merkle.h"

namespace custodian::ledger {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// The leaves of the reference tree of RFC 6962's tests, from which the vectors are made.
std::vector<Digest> ReferenceLeafHashes() {
  const std::string leaves[] = {
      "",
      std::string(1, '\x00'),
      "\x10",
      "\x20\x21",
      "\x30\x31",
      "\x40\x41\x42\x43",
      "\x50\x51\x52\x53\x54\x55\x56\x57",
      "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
  std::vector<Digest> out;
  for (const std::string& leaf : leaves) out.push_back(LeafHash(leaf));
  return out;
}

// The vectors' hashes are base64 of three kinds. 32 bytes are a hash. Nothing at all stands
// for a hash that is missing or cut short: the proof functions take whole digests, so a
// caller decoding such a proof refuses it before any verification, and so does this
// reading. Other lengths are named placeholders ("don't care 1", "WrongLeaf", …) that stand
// for some hash; each becomes the SHA-256 of its bytes, so that equal placeholders stay equal
// and none equals a real hash.
Result<Digest> ReadHash(const json& value) {
  auto bytes = Base64Decode(value.get<std::string>());
  if (!bytes.ok()) return bytes.status();
  if (bytes->empty()) return Status::InvalidArgument("an empty hash");
  if (bytes->size() != sizeof(Digest)) return Sha256(*bytes);
  Digest digest;
  std::copy(bytes->begin(), bytes->end(), digest.begin());
  return digest;
}

// Whether every hash in the vector is a real one: only those can be compared with proofs
// generated from the reference tree.
bool HoldsOnlyDigests(const json& vector) {
  for (const char* key : {"root", "root1", "root2", "leafHash"}) {
    if (!vector.contains(key)) continue;
    auto bytes = Base64Decode(vector[key].get<std::string>());
    if (!bytes.ok() || bytes->size() != sizeof(Digest)) return false;
  }
  return true;
}

Result<std::vector<Digest>> ReadProof(const json& value) {
  std::vector<Digest> proof;
  if (value.is_null()) return proof;
  for (const json& hash : value) {
    auto digest = ReadHash(hash);
    if (!digest.ok()) return digest.status();
    proof.push_back(*digest);
  }
  return proof;
}

// The vector's hashes, read as above: root or root1, root2 or leafHash, and the proof.
struct VectorHashes {
  Digest first;   // the leaf's hash, or the earlier tree's or subtree's root
  Digest second;  // the root the proof must lead to
  std::vector<Digest> proof;
};

Result<VectorHashes> ReadHashes(const json& v, const char* first, const char* second) {
  VectorHashes out;
  auto a = ReadHash(v[first]);
  if (!a.ok()) return a.status().WithContext(std::string(first) + ": ");
  auto b = ReadHash(v[second]);
  if (!b.ok()) return b.status().WithContext(std::string(second) + ": ");
  auto proof = ReadProof(v["proof"]);
  if (!proof.ok()) return proof.status().WithContext("proof: ");
  return VectorHashes{*a, *b, std::move(*proof)};
}

// Verifies one vector of the given directory's kind.
Status Check(std::string_view kind, const json& v) {
  const bool inclusion = kind == "inclusion" || kind == "subtreeinclusion";
  auto h = inclusion ? ReadHashes(v, "leafHash", "root") : ReadHashes(v, "root1", "root2");
  if (!h.ok()) return h.status();
  auto at = [&](const char* key) { return v[key].get<uint64_t>(); };
  if (kind == "inclusion") {
    return VerifyInclusion(at("leafIdx"), at("treeSize"), h->first, h->second, h->proof);
  }
  if (kind == "consistency") {
    return VerifyConsistency(at("size1"), at("size2"), h->first, h->second, h->proof);
  }
  if (kind == "subtreeinclusion") {
    return VerifySubtreeInclusion(at("leafIdx"), at("start"), at("end"), h->first, h->second,
                                  h->proof);
  }
  return VerifySubtreeConsistency(at("start"), at("end"), at("size"), h->first, h->second,
                                  h->proof);
}

// The proof we generate for a happy path, when its tree is the reference tree (or, for a
// subtree, when the subtree's leaves are its first ones); nullopt when it is not.
std::optional<std::vector<Digest>> Regenerate(std::string_view kind, const json& v) {
  const std::vector<Digest> reference = ReferenceLeafHashes();
  auto at = [&](const char* key) { return v[key].get<uint64_t>(); };
  auto root = [&](const char* key) { return *ReadHash(v[key]); };
  auto is_reference_root = [&](uint64_t size, const Digest& digest) {
    return size <= reference.size() && RootOf(std::span(reference).first(size)) == digest;
  };
  Result<std::vector<Digest>> proof = Status::NotFound("not from the reference tree");
  if (kind == "inclusion" && is_reference_root(at("treeSize"), root("root"))) {
    proof = InclusionProof(at("leafIdx"), at("treeSize"), LeafHashNodes(reference));
  } else if (kind == "consistency" && is_reference_root(at("size2"), root("root2"))) {
    proof = ConsistencyProof(at("size1"), at("size2"), LeafHashNodes(reference));
  } else if (kind == "subtreeinclusion" &&
             is_reference_root(at("end") - at("start"), root("root"))) {
    // Leaves before the subtree play no part in its proofs.
    std::vector<Digest> leaves(at("start"), Digest{});
    leaves.insert(leaves.end(), reference.begin(),
                  reference.begin() + static_cast<ptrdiff_t>(at("end") - at("start")));
    proof = SubtreeInclusionProof(at("leafIdx"), at("start"), at("end"), LeafHashNodes(leaves));
  } else if (kind == "subtreeconsistency" && at("start") < at("end") &&
             is_reference_root(at("size"), root("root2"))) {
    proof = SubtreeConsistencyProof(at("start"), at("end"), at("size"), LeafHashNodes(reference));
  }
  if (!proof.ok()) return std::nullopt;
  return *proof;
}

struct Tally {
  size_t files = 0;
  size_t verified = 0;     // happy paths that verified
  size_t refused = 0;      // wantErr vectors that were refused
  size_t regenerated = 0;  // happy paths whose proof we generated too
};

Tally CheckDirectory(std::string_view kind) {
  const fs::path dir = fs::path(CUSTODIAN_SOURCE_DIR) / "testdata/merkle" / kind;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  Tally tally;
  for (const fs::path& file : files) {
    ++tally.files;
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const json v = json::parse(text.str());
    const std::string name = fs::relative(file, dir).string() + " (" +
                             v["desc"].get<std::string>() + ")";
    const Status status = Check(kind, v);
    if (v["wantErr"].get<bool>()) {
      EXPECT_FALSE(status.ok()) << name << " verified, but must be refused";
      tally.refused += !status.ok();
      continue;
    }
    EXPECT_TRUE(status.ok()) << name << " was refused: " << status.message();
    tally.verified += status.ok();
    if (!HoldsOnlyDigests(v)) continue;
    if (auto proof = Regenerate(kind, v)) {
      EXPECT_EQ(*proof, *ReadProof(v["proof"])) << name << ": we generate another proof";
      ++tally.regenerated;
    }
  }
  // An empty or missing directory must fail, never pass for want of vectors.
  EXPECT_GT(tally.verified, 0u) << dir;
  EXPECT_GT(tally.refused, 0u) << dir;
  EXPECT_GT(tally.regenerated, 0u) << dir;
  return tally;
}

TEST(MerkleVectorsTest, TheReferenceTreeHasTheRootsTheVectorsUse) {
  const std::vector<Digest> leaves = ReferenceLeafHashes();
  const char* roots[] = {"bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
                         "+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU=",
                         "rra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc=",
                         "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
                         "Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=",
                         "duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=",
                         "3bib5AOAnjJXUNPSY814kpwpQreUKjS3fhIslZSnTIw=",
                         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="};
  for (size_t size = 1; size <= leaves.size(); ++size) {
    EXPECT_EQ(Base64Encode(RootOf(std::span(leaves).first(size))), roots[size - 1]) << size;
  }
}

// One test a directory of vectors: inclusion, consistency, subtreeinclusion and
// subtreeconsistency.
class MerkleVectorsDirectoryTest : public testing::TestWithParam<const char*> {};

TEST_P(MerkleVectorsDirectoryTest, HappyPathsVerifyAndTamperedCopiesAreRefused) {
  const Tally tally = CheckDirectory(GetParam());
  EXPECT_EQ(tally.verified + tally.refused, tally.files);
}

INSTANTIATE_TEST_SUITE_P(Directories, MerkleVectorsDirectoryTest,
                         testing::Values("inclusion", "consistency", "subtreeinclusion",
                                         "subtreeconsistency"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace custodian::ledger
