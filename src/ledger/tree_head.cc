#include "ledger/tree_head.h"

#include <sodium.h>

#include <algorithm>

#include "core/base64.h"
#include "core/json_reader.h"
#include "core/sha256.h"
#include "core/time.h"
#include "core/unicode.h"

namespace custodian::ledger {
namespace {

using json = nlohmann::json;

constexpr char kSignedBytesHeader[] = "custodian-tree-head v1\n";
constexpr size_t kKeyIdBytes = 8;

Status InitSodium() {
  static const bool ok = sodium_init() >= 0;
  return ok ? Status::Ok() : Status::Internal("libsodium did not initialise");
}

// The fields that SignedBytes writes as text: each must be one line, and the timestamp has
// one spelling for each second, so that two heads never sign the same bytes.
Status CheckSignedText(const SignedTreeHead& head) {
  if (head.log.empty()) return Status::InvalidArgument("/log: empty");
  if (head.log.size() > kMaxLogNameBytes) {
    return Status::InvalidArgument("/log: longer than " + std::to_string(kMaxLogNameBytes) +
                                   " bytes");
  }
  if (!IsValidUtf8(head.log)) return Status::InvalidArgument("/log: not UTF-8");
  if (std::any_of(head.log.begin(), head.log.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return Status::InvalidArgument("/log: holds a control character");
  }
  // Twenty characters leave no room for a fraction or an offset; formatting the time back
  // then rules out lower-case 't' and 'z'.
  auto time = ParseDateTime(head.timestamp);
  if (head.timestamp.size() != 20 || !time.ok() || FormatDateTime(*time) != head.timestamp) {
    return Status::InvalidArgument(
        "/timestamp: not an RFC 3339 UTC time to the second (YYYY-MM-DDTHH:MM:SSZ)");
  }
  return Status::Ok();
}

// A base64 field that must decode to exactly N bytes.
template <size_t N>
Result<std::array<uint8_t, N>> FixedBytes(const json& object, const char* key) {
  const std::string pointer = std::string("/") + key;
  auto bytes = Base64Decode(object[key].get_ref<const std::string&>());
  if (!bytes.ok()) return Status::InvalidArgument(pointer + ": " + bytes.status().message());
  if (bytes->size() != N) {
    return Status::InvalidArgument(pointer + ": " + std::to_string(bytes->size()) +
                                   " bytes, not " + std::to_string(N));
  }
  std::array<uint8_t, N> out;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

}  // namespace

std::string SignedBytes(const SignedTreeHead& head) {
  return kSignedBytesHeader + head.log + "\n" + std::to_string(head.size) + "\n" +
         Base64Encode(head.root) + "\n" + head.timestamp + "\n";
}

std::string KeyId(std::span<const uint8_t, kEd25519PublicKeyBytes> public_key) {
  const std::string_view key(reinterpret_cast<const char*>(public_key.data()), public_key.size());
  return HexEncode(Sha256(key).data(), kKeyIdBytes);
}

Result<SignedTreeHead> Sign(SignedTreeHead head,
                            std::span<const uint8_t, kEd25519SecretKeyBytes> secret_key) {
  if (Status s = InitSodium(); !s.ok()) return s;
  if (Status s = CheckSignedText(head); !s.ok()) return s;
  std::array<uint8_t, kEd25519PublicKeyBytes> public_key;
  crypto_sign_ed25519_sk_to_pk(public_key.data(), secret_key.data());
  head.key_id = KeyId(public_key);
  const std::string message = SignedBytes(head);
  crypto_sign_detached(head.signature.data(), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       secret_key.data());
  return head;
}

Status Verify(const SignedTreeHead& head,
              std::span<const uint8_t, kEd25519PublicKeyBytes> public_key) {
  if (Status s = InitSodium(); !s.ok()) return s;
  if (Status s = CheckSignedText(head); !s.ok()) return s;
  const std::string key_id = KeyId(public_key);
  if (head.key_id != key_id) {
    return Status::InvalidArgument("/key_id: names key " + head.key_id + ", not key " + key_id);
  }
  const std::string message = SignedBytes(head);
  if (crypto_sign_verify_detached(head.signature.data(),
                                  reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size(), public_key.data()) != 0) {
    return Status::InvalidArgument("/signature: does not verify with key " + key_id);
  }
  return Status::Ok();
}

json TreeHeadToJson(const SignedTreeHead& head) {
  return json{{"log", head.log},
              {"size", head.size},
              {"root", Base64Encode(head.root)},
              {"timestamp", head.timestamp},
              {"key_id", head.key_id},
              {"signature", Base64Encode(head.signature)}};
}

Result<SignedTreeHead> TreeHeadFromJson(const json& value) {
  static constexpr const char* kFields[] = {"log",       "size",   "root",
                                            "timestamp", "key_id", "signature"};
  if (!value.is_object()) {
    return Status::InvalidArgument("/: not an object but " + std::string(JsonTypeName(value)));
  }
  for (const auto& [key, field] : value.items()) {
    if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields)) {
      std::string pointer;
      AppendPointerToken(pointer, key);
      return Status::InvalidArgument(pointer + ": not a field of a tree head");
    }
  }
  for (const char* key : kFields) {
    const std::string pointer = std::string("/") + key;
    if (!value.contains(key)) return Status::InvalidArgument(pointer + ": required");
    const json& field = value[key];
    const bool is_size = key == std::string_view("size");
    if (is_size ? !field.is_number_unsigned() : !field.is_string()) {
      return Status::InvalidArgument(pointer + ": not " +
                                     (is_size ? "an unsigned integer" : "a string") + " but " +
                                     std::string(JsonTypeName(field)));
    }
  }

  SignedTreeHead head;
  head.log = value["log"].get<std::string>();
  head.size = value["size"].get<uint64_t>();
  head.timestamp = value["timestamp"].get<std::string>();
  if (Status s = CheckSignedText(head); !s.ok()) return s;
  auto root = FixedBytes<sizeof(Digest)>(value, "root");
  if (!root.ok()) return root.status();
  head.root = *root;
  head.key_id = value["key_id"].get<std::string>();
  if (head.key_id.size() != 2 * kKeyIdBytes ||
      !std::all_of(head.key_id.begin(), head.key_id.end(),
                   [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
    return Status::InvalidArgument("/key_id: not 16 lower-case hex digits");
  }
  auto signature = FixedBytes<kEd25519SignatureBytes>(value, "signature");
  if (!signature.ok()) return signature.status();
  head.signature = *signature;
  return head;
}

Result<SignedTreeHead> ParseTreeHead(std::string_view text) {
  if (text.size() > kMaxTreeHeadJsonBytes) {
    return Status::InvalidArgument("/: the tree head is longer than " +
                                   std::to_string(kMaxTreeHeadJsonBytes) + " bytes");
  }
  auto parsed = ParseJsonValue(text);
  if (!parsed.ok()) return parsed.status();
  return TreeHeadFromJson(*parsed);
}

}  // namespace custodian::ledger
