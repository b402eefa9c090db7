// A SignedTreeHead is a log's signed statement of how many leaves it held at a moment and
// the root of their Merkle tree: whoever holds the log's Ed25519 public key can then check
// inclusion and consistency proofs against a root the log committed to. It travels as JSON;
// the signature covers a fixed line-based text (SignedBytes), not the JSON. Values and pure
// functions: safe from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "ledger/merkle.h"

namespace custodian::ledger {

inline constexpr size_t kEd25519SecretKeyBytes = 64;  // libsodium's: the seed, then the public key
inline constexpr size_t kEd25519PublicKeyBytes = 32;
inline constexpr size_t kEd25519SignatureBytes = 64;
inline constexpr size_t kMaxLogNameBytes = 256;       // names are short; this bounds the head
inline constexpr size_t kMaxTreeHeadJsonBytes = 4096;  // a head is about 300 bytes

using Ed25519Signature = std::array<uint8_t, kEd25519SignatureBytes>;

struct SignedTreeHead {
  std::string log;        // the log's name, e.g. "disclosures": UTF-8, no control characters
  uint64_t size = 0;      // leaves in the tree
  Digest root{};          // MTH of those leaves
  std::string timestamp;  // RFC 3339 UTC to the second: "2026-03-12T15:04:05Z"
  std::string key_id;     // KeyId of the key that signed
  Ed25519Signature signature{};
};

// The bytes the signature covers, as UTF-8 text:
//   "custodian-tree-head v1\n{log}\n{size}\n{root}\n{timestamp}\n"
// with the size in decimal and the root in padded standard base64. The key id is not among
// them: it only says which key to try.
std::string SignedBytes(const SignedTreeHead& head);

// Names a public key in a head: the lower-case hex of the first 8 bytes of the SHA-256 of
// its 32 bytes, e.g. "3f9a0c1d5e7b2a64". It tells keys apart; it does not authenticate.
std::string KeyId(std::span<const uint8_t, kEd25519PublicKeyBytes> public_key);

// `head` with key_id and signature set by Ed25519 (libsodium's crypto_sign_detached) under
// `secret_key`. InvalidArgument when the log name or the timestamp is not as documented
// above, naming the field.
Result<SignedTreeHead> Sign(SignedTreeHead head,
                            std::span<const uint8_t, kEd25519SecretKeyBytes> secret_key);

// Ok when the fields are well formed, the key id names `public_key`, and the signature over
// SignedBytes verifies with it; otherwise InvalidArgument naming the field at fault.
Status Verify(const SignedTreeHead& head,
              std::span<const uint8_t, kEd25519PublicKeyBytes> public_key);

// {"log", "size", "root" (base64), "timestamp", "key_id", "signature" (base64)}.
nlohmann::json TreeHeadToJson(const SignedTreeHead& head);

// Reads a head strictly: every field present with its type and form, no other field.
// InvalidArgument names the field, as a JSON pointer: "/size: not an unsigned integer".
// The signature is not checked: that is Verify's job, with a key the caller trusts.
Result<SignedTreeHead> TreeHeadFromJson(const nlohmann::json& value);
// The same from text (at most kMaxTreeHeadJsonBytes), read by the strict JSON reader.
Result<SignedTreeHead> ParseTreeHead(std::string_view text);

}  // namespace custodian::ledger
