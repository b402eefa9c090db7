#include "ledger/proof_json.h"

#include <gtest/gtest.h>

namespace custodian::ledger {
namespace {

std::string Message(const Result<ConsistencyAnswer>& r) { return r.ok() ? "ok" : r.status().message(); }

TEST(ProofJsonTest, AnAnswerIsReadBackAsItWasWritten) {
  const std::vector<Digest> leaves = {LeafHash("a"), LeafHash("b"), LeafHash("c")};
  const auto proof = ConsistencyProof(1, 3, LeafHashNodes(leaves)).value();
  const std::string text = ConsistencyToJson({1, 3, proof}).dump();
  EXPECT_EQ(text.substr(0, 32), R"({"first":1,"second":3,"proof":[")");
  auto back = ParseConsistencyAnswer(text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->first, 1u);
  EXPECT_EQ(back->second, 3u);
  EXPECT_EQ(back->proof, proof);
  EXPECT_TRUE(VerifyConsistency(1, 3, leaves[0], RootOf(leaves), back->proof).ok());
}

TEST(ProofJsonTest, AMalformedAnswerIsRefusedNamingTheField) {
  const std::string hash = "\"" + std::string(43, 'A') + "=\"";
  EXPECT_EQ(Message(ParseConsistencyAnswer("[]")), "/: not an object but an array");
  EXPECT_EQ(Message(ParseConsistencyAnswer(R"({"first": 1, "proof": []})")), "/second: required");
  EXPECT_EQ(Message(ParseConsistencyAnswer(R"({"first": -1, "second": 2, "proof": []})")),
            "/first: not an unsigned integer but a number");
  EXPECT_EQ(Message(ParseConsistencyAnswer(R"({"first": 1, "second": 2})")), "/proof: required");
  EXPECT_EQ(Message(ParseConsistencyAnswer(R"({"first": 1, "second": 2, "proof": [)" + hash + R"(, "AAAA"]})")),
            "/proof/1: 3 bytes, not 32");
  EXPECT_EQ(Message(ParseConsistencyAnswer(R"({"first": 1, "second": 2, "proof": [7]})")),
            "/proof/0: not a string but a number");
  EXPECT_EQ(Message(ParseConsistencyAnswer(R"({"first": 1, "second": 2, "proof": [], "extra": 0})")),
            "/extra: not a field of a consistency answer");
  EXPECT_EQ(Message(ParseConsistencyAnswer(R"({"first": 1,)")).substr(0, 24), "/: not valid JSON at 1:1");
  std::string many = R"({"first": 1, "second": 2, "proof": [)";
  for (size_t i = 0; i <= kMaxProofHashes; ++i) many += (i ? "," : "") + hash;
  EXPECT_EQ(Message(ParseConsistencyAnswer(many + "]}")), "/proof: more than 128 hashes");
}

}  // namespace
}  // namespace custodian::ledger
