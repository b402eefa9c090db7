// Proofs as the HTTP API sends them and a monitor reads them back: each hash in padded
// standard base64, the lowest in the tree first (merkle.h's order). A consistency answer
// names the two tree sizes it joins, so that a reader can check it got what it asked for.
// Values and pure functions: safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "ledger/merkle.h"

namespace custodian::ledger {

inline constexpr size_t kMaxProofHashes = 128;  // 2 log2(2^64): no proof of a real tree is longer
inline constexpr size_t kMaxConsistencyJsonBytes = 16384;  // 128 hashes of 47 bytes, and room

// ["base64", …]
nlohmann::ordered_json ProofToJson(std::span<const Digest> proof);
// Reads ProofToJson's form strictly (at most kMaxProofHashes hashes of 32 bytes each); `at` is
// the proof's JSON pointer, which InvalidArgument names: "/proof/2: 31 bytes, not 32".
Result<std::vector<Digest>> ProofFromJson(const nlohmann::json& proof, const std::string& at);

// GET /api/v1/ledger/{log}/consistency: {"first": N, "second": M, "proof": [base64…]}.
struct ConsistencyAnswer {
  uint64_t first = 0;
  uint64_t second = 0;
  std::vector<Digest> proof;
};

nlohmann::ordered_json ConsistencyToJson(const ConsistencyAnswer& answer);
// Reads an answer strictly (at most kMaxConsistencyJsonBytes, those three fields and no
// other). InvalidArgument names the field by its JSON pointer: "/proof/2: 31 bytes, not 32".
// The proof itself is not checked: that is VerifyConsistency's job, against trusted roots.
Result<ConsistencyAnswer> ParseConsistencyAnswer(std::string_view text);

}  // namespace custodian::ledger
