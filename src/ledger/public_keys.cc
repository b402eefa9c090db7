#include "ledger/public_keys.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "core/json_reader.h"

namespace custodian::ledger {
namespace {

using json = nlohmann::json;

Status NotA(const std::string& pointer, const char* what, const json& value) {
  return Status::InvalidArgument(DisplayPointer(pointer) + ": not " + what + " but " +
                                 std::string(JsonTypeName(value)));
}

// A string field of a key object, required or not (then "" when absent).
Result<std::string> StringField(const json& key, const std::string& pointer, const char* name,
                                bool required) {
  const std::string at = pointer + "/" + name;
  if (!key.contains(name)) {
    if (required) return Status::InvalidArgument(at + ": required");
    return std::string();
  }
  if (!key[name].is_string()) return NotA(at, "a string", key[name]);
  return key[name].get<std::string>();
}

// What each purpose's keys sign, for the message that refuses another purpose's key.
std::string Signs(std::string_view purpose) {
  return purpose == "ledger" ? "tree heads are signed with those" : "packages are signed with those";
}

Result<TrustedKey> KeyOf(const json& key, const std::string& pointer, std::string_view purpose) {
  if (!key.is_object()) return NotA(pointer, "an object", key);
  auto algorithm = StringField(key, pointer, "algorithm", false);
  if (!algorithm.ok()) return algorithm.status();
  if (!algorithm->empty() && *algorithm != "Ed25519") {
    return Status::InvalidArgument(pointer + "/algorithm: not Ed25519");
  }
  auto kind = StringField(key, pointer, "purpose", false);
  if (!kind.ok()) return kind.status();
  if (!kind->empty() && *kind != purpose) {
    return Status::InvalidArgument(pointer + "/purpose: not a " + std::string(purpose) + " key (" +
                                   Signs(purpose) + ")");
  }
  auto encoded = StringField(key, pointer, "public_key", true);
  if (!encoded.ok()) return encoded.status();
  auto bytes = Base64Decode(*encoded);
  if (!bytes.ok()) {
    return Status::InvalidArgument(pointer + "/public_key: " + bytes.status().message());
  }
  TrustedKey out;
  if (bytes->size() != out.public_key.size()) {
    return Status::InvalidArgument(pointer + "/public_key: " + std::to_string(bytes->size()) +
                                   " bytes, not " + std::to_string(out.public_key.size()));
  }
  std::copy(bytes->begin(), bytes->end(), out.public_key.begin());
  auto key_id = StringField(key, pointer, "key_id", true);
  if (!key_id.ok()) return key_id.status();
  out.key_id = KeyId(out.public_key);
  // A mismatch means the file was put together by hand, wrongly: refuse rather than guess.
  if (*key_id != out.key_id) {
    return Status::InvalidArgument(pointer + "/key_id: does not name its public key (" +
                                   out.key_id + ")");
  }
  return out;
}

}  // namespace

Result<std::vector<TrustedKey>> ParsePublicKeys(std::string_view text, std::string_view purpose) {
  if (text.size() > kMaxPublicKeysJsonBytes) {
    return Status::InvalidArgument("/: longer than " + std::to_string(kMaxPublicKeysJsonBytes) +
                                   " bytes");
  }
  auto parsed = ParseJsonValue(text);
  if (!parsed.ok()) return parsed.status();
  const json& root = *parsed;
  const json* list = &root;
  std::string pointer;
  const std::string section(purpose);
  if (root.is_object() && (root.contains("ledger") || root.contains("production")) &&
      !root.contains("public_key")) {
    if (!root.contains(section)) return Status::InvalidArgument("/: no " + section + " key");
    list = &root[section];
    pointer = "/" + section;
    if (!list->is_array()) return NotA(pointer, "an array", *list);
  }
  std::vector<TrustedKey> keys;
  if (list->is_array()) {
    for (size_t i = 0; i < list->size(); ++i) {
      auto key = KeyOf((*list)[i], pointer + "/" + std::to_string(i), purpose);
      if (!key.ok()) return key.status();
      keys.push_back(*key);
    }
  } else if (list->is_object()) {
    auto key = KeyOf(*list, "", purpose);
    if (!key.ok()) return key.status();
    keys.push_back(*key);
  } else {
    return NotA("", "a key, an array of keys or a keys document", *list);
  }
  if (keys.empty()) return Status::InvalidArgument(DisplayPointer(pointer) + ": no " + section + " key");
  return keys;
}

Result<std::vector<TrustedKey>> ParseLedgerPublicKeys(std::string_view text) {
  return ParsePublicKeys(text, "ledger");
}

Status VerifyWithTrustedKeys(const SignedTreeHead& head, std::span<const TrustedKey> keys) {
  for (const TrustedKey& key : keys) {
    if (key.key_id == head.key_id) return Verify(head, key.public_key);
  }
  return Status::NotFound("the head is signed by key " + head.key_id +
                          ", which is not among the trusted keys");
}

}  // namespace custodian::ledger
