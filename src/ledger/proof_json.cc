#include "ledger/proof_json.h"

#include <algorithm>
#include <string>

#include "core/base64.h"
#include "core/json_reader.h"

namespace custodian::ledger {
namespace {

using json = nlohmann::json;

Status NotA(const std::string& pointer, const char* what, const json& value) {
  return Status::InvalidArgument(pointer + ": not " + what + " but " +
                                 std::string(JsonTypeName(value)));
}

}  // namespace

nlohmann::ordered_json ProofToJson(std::span<const Digest> proof) {
  auto out = nlohmann::ordered_json::array();
  for (const Digest& d : proof) out.push_back(Base64Encode(d));
  return out;
}

nlohmann::ordered_json ConsistencyToJson(const ConsistencyAnswer& answer) {
  // Ordered as documented: sizes first, then the proof.
  nlohmann::ordered_json out;
  out["first"] = answer.first;
  out["second"] = answer.second;
  out["proof"] = ProofToJson(answer.proof);
  return out;
}

Result<std::vector<Digest>> ProofFromJson(const json& proof, const std::string& at) {
  if (!proof.is_array()) return NotA(at, "an array", proof);
  if (proof.size() > kMaxProofHashes) {
    return Status::InvalidArgument(at + ": more than " + std::to_string(kMaxProofHashes) + " hashes");
  }
  std::vector<Digest> out;
  for (size_t i = 0; i < proof.size(); ++i) {
    const std::string pointer = at + "/" + std::to_string(i);
    if (!proof[i].is_string()) return NotA(pointer, "a string", proof[i]);
    auto bytes = Base64Decode(proof[i].get_ref<const std::string&>());
    if (!bytes.ok()) return Status::InvalidArgument(pointer + ": " + bytes.status().message());
    Digest d;
    if (bytes->size() != d.size()) {
      return Status::InvalidArgument(pointer + ": " + std::to_string(bytes->size()) +
                                     " bytes, not " + std::to_string(d.size()));
    }
    std::copy(bytes->begin(), bytes->end(), d.begin());
    out.push_back(d);
  }
  return out;
}

Result<ConsistencyAnswer> ParseConsistencyAnswer(std::string_view text) {
  if (text.size() > kMaxConsistencyJsonBytes) {
    return Status::InvalidArgument("/: the answer is longer than " +
                                   std::to_string(kMaxConsistencyJsonBytes) + " bytes");
  }
  auto parsed = ParseJsonValue(text);
  if (!parsed.ok()) return parsed.status();
  const json& root = *parsed;
  if (!root.is_object()) return NotA("/", "an object", root);
  static constexpr const char* kFields[] = {"first", "second", "proof"};
  for (const auto& [key, value] : root.items()) {
    if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields)) {
      std::string pointer;
      AppendPointerToken(pointer, key);
      return Status::InvalidArgument(pointer + ": not a field of a consistency answer");
    }
  }
  ConsistencyAnswer answer;
  for (const char* key : {"first", "second"}) {
    const std::string pointer = std::string("/") + key;
    if (!root.contains(key)) return Status::InvalidArgument(pointer + ": required");
    if (!root[key].is_number_unsigned()) return NotA(pointer, "an unsigned integer", root[key]);
  }
  answer.first = root["first"].get<uint64_t>();
  answer.second = root["second"].get<uint64_t>();
  if (!root.contains("proof")) return Status::InvalidArgument("/proof: required");
  auto proof = ProofFromJson(root["proof"], "/proof");
  if (!proof.ok()) return proof.status();
  answer.proof = std::move(proof).value();
  return answer;
}

}  // namespace custodian::ledger
