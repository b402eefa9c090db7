// The instance's Ed25519 signing keys (DESIGN.md, Keys): one active key per purpose (tree
// heads of the ledgers; productions), kept in the case store with the secret sealed under a
// key derived from the master key, so that every server of an instance signs with the same
// key. A rotation retires the active key and makes a new one; retired keys stay, public
// half and all, so that what they signed can still be checked. Every creation and rotation
// is audited. Thread-safe: the store serializes its transactions.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/store/database.h"
#include "core/clock.h"
#include "ledger/tree_head.h"
#include "vault/crypto.h"

namespace custodian::cases {

inline constexpr std::string_view kLedgerKey = "ledger";
inline constexpr std::string_view kProductionKey = "production";

struct PublicSigningKey {
  std::string key_id;  // ledger::KeyId of the public key
  std::string purpose;
  std::array<uint8_t, ledger::kEd25519PublicKeyBytes> public_key{};
  Timestamp created_at;
  std::optional<Timestamp> retired_at;
};

// An unsealed key, for signing; the secret is wiped when it goes.
class Signer {
 public:
  Signer() { secret_.fill(0); }
  ~Signer();
  Signer(const Signer&) = default;
  Signer& operator=(const Signer&) = default;

  const PublicSigningKey& key() const { return key_; }
  std::span<const uint8_t, ledger::kEd25519SecretKeyBytes> secret() const { return secret_; }
  // A detached Ed25519 signature of `message`.
  std::array<uint8_t, ledger::kEd25519SignatureBytes> Sign(std::string_view message) const;

 private:
  friend class SigningKeys;
  PublicSigningKey key_;
  std::array<uint8_t, ledger::kEd25519SecretKeyBytes> secret_;
};

class SigningKeys {
 public:
  // `sealing_key`: derived from the master key (DeriveKey(master, "signkeys")).
  SigningKeys(Database& db, vault::SecretKey sealing_key, Clock& clock);

  // The purpose's active key, made (and audited, as `actor`) when there is none yet.
  Result<Signer> Active(std::string_view purpose, const std::string& actor);
  // Retires the active key and makes a new one; returns the new key's public half.
  Result<PublicSigningKey> Rotate(std::string_view purpose, const std::string& actor);
  // Every key of the purpose, oldest first (public halves only).
  Result<std::vector<PublicSigningKey>> Keys(std::string_view purpose);

 private:
  Result<Signer> Create(soci::session& sql, std::string_view purpose, const std::string& actor);

  Database& db_;
  const vault::SecretKey sealing_key_;
  Clock& clock_;
};

// {"key_id", "purpose", "algorithm": "Ed25519", "public_key" (base64), "created_at",
//  "retired_at"?}: how keys are exported for verifiers.
nlohmann::ordered_json PublicKeyToJson(const PublicSigningKey& key);

}  // namespace custodian::cases
