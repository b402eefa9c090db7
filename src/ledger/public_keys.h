// The public keys a verifier trusts (the ledger's, the productions'), read from a file as the
// instance exports them (cases::PublicKeyToJson; GET /api/v1/keys), and the check of a signed
// tree head against them. A verifier gets the file once, out of band, and keeps it: a key it fetched from the
// log it checks would prove nothing. Values and pure functions: safe from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ledger/tree_head.h"

namespace custodian::ledger {

inline constexpr size_t kMaxPublicKeysJsonBytes = 1 << 20;  // a key is about 200 bytes

struct TrustedKey {
  std::string key_id;  // KeyId(public_key)
  std::array<uint8_t, kEd25519PublicKeyBytes> public_key{};
};

// Reads one exported key {"key_id", "public_key" (base64), …}, an array of them, or the whole
// keys document {"ledger": [...], "production": [...]} (then its ledger keys). A key's
// "key_id" must name its "public_key"; "algorithm", when present, must be "Ed25519", and
// "purpose" "ledger"; other fields ("created_at", "retired_at") are not needed here and are
// left alone. InvalidArgument names the field by its JSON pointer ("/0/public_key: 31 bytes,
// not 32"), and "/: no ledger key" when there is none.
Result<std::vector<TrustedKey>> ParseLedgerPublicKeys(std::string_view text);
// The same for the keys of `purpose` ("ledger" or "production"): a keys document gives its
// `purpose` array, and a key of another purpose is refused.
Result<std::vector<TrustedKey>> ParsePublicKeys(std::string_view text, std::string_view purpose);

// Ok when `head` is signed by the key of `keys` it names. NotFound when it names none of
// them ("the head is signed by key 3f9a0c1d5e7b2a64, which is not among the trusted keys");
// otherwise Verify's InvalidArgument.
Status VerifyWithTrustedKeys(const SignedTreeHead& head, std::span<const TrustedKey> keys);

}  // namespace custodian::ledger
