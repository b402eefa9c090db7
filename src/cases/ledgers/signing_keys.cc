#include "cases/ledgers/signing_keys.h"

#include <soci/soci.h>
#include <sodium.h>

#include "cases/ledgers/audit_log.h"
#include "cases/store/sql_rows.h"
#include "core/base64.h"
#include "core/sha256.h"

namespace custodian::cases {
namespace {

// Binds a sealed secret to its key and purpose: a sealed secret moved to another row fails.
std::string SealingContext(std::string_view purpose, std::string_view key_id) {
  return "custodian signing key v1\n" + std::string(purpose) + "\n" + std::string(key_id);
}

Status CheckPurpose(std::string_view purpose) {
  if (purpose == kLedgerKey || purpose == kProductionKey) return Status::Ok();
  return Status::InvalidArgument("signing key purpose: ledger or production");
}

PublicSigningKey PublicKeyOf(const soci::row& r) {
  PublicSigningKey k;
  k.key_id = Text(r, 0);
  k.purpose = Text(r, 1);
  auto bytes = Base64Decode(Text(r, 2));
  if (bytes.ok() && bytes->size() == k.public_key.size()) {
    std::copy(bytes->begin(), bytes->end(), k.public_key.begin());
  }
  k.created_at = Timestamp{Int(r, 3)};
  k.retired_at = OptTime(r, 4);
  return k;
}

}  // namespace

Signer::~Signer() { sodium_memzero(secret_.data(), secret_.size()); }

std::array<uint8_t, ledger::kEd25519SignatureBytes> Signer::Sign(std::string_view message) const {
  std::array<uint8_t, ledger::kEd25519SignatureBytes> sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret_.data());
  return sig;
}

SigningKeys::SigningKeys(Database& db, vault::SecretKey sealing_key, Clock& clock)
    : db_(db), sealing_key_(std::move(sealing_key)), clock_(clock) {
  vault::InitCrypto();
}

Result<Signer> SigningKeys::Create(soci::session& sql, std::string_view purpose,
                                   const std::string& actor) {
  Signer s;
  crypto_sign_keypair(s.key_.public_key.data(), s.secret_.data());
  s.key_.key_id = ledger::KeyId(s.key_.public_key);
  s.key_.purpose = std::string(purpose);
  s.key_.created_at = clock_.Now();
  const vault::Nonce nonce = vault::RandomNonce();
  std::string sealed(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  vault::SealTo(sealed, sealing_key_, nonce,
                std::string_view(reinterpret_cast<const char*>(s.secret_.data()), s.secret_.size()),
                SealingContext(purpose, s.key_.key_id));
  const std::string sealed_b64 = Base64Encode(sealed);
  const std::string public_b64 = Base64Encode(std::span<const uint8_t>(s.key_.public_key));
  const long long created = s.key_.created_at.micros;
  sql << "INSERT INTO signing_keys (key_id, purpose, public_key, sealed_secret, created_at) "
         "VALUES (:k, :p, :b, :s, :t)",
      soci::use(s.key_.key_id), soci::use(s.key_.purpose), soci::use(public_b64),
      soci::use(sealed_b64), soci::use(created);
  auto audited = AppendAudit(sql, s.key_.created_at, actor, std::nullopt, "create_signing_key",
                             nlohmann::json{{"purpose", s.key_.purpose}, {"key_id", s.key_.key_id}}.dump());
  if (!audited.ok()) return audited.status();
  return s;
}

Result<Signer> SigningKeys::Active(std::string_view purpose, const std::string& actor) {
  if (Status s = CheckPurpose(purpose); !s.ok()) return s;
  Result<Signer> out = Status::Internal("unset");
  Status st = db_.Transaction([&](soci::session& sql) -> Status {
    const std::string p(purpose);
    std::string key_id, sealed_b64;
    sql << "SELECT key_id, sealed_secret FROM signing_keys WHERE purpose = :p AND "
           "retired_at IS NULL ORDER BY created_at DESC LIMIT 1",
        soci::use(p), soci::into(key_id), soci::into(sealed_b64);
    if (!sql.got_data()) {
      out = Create(sql, purpose, actor);
      return out.status();
    }
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT key_id, purpose, public_key, created_at, retired_at "
                        "FROM signing_keys WHERE key_id = :k",
         soci::use(key_id));
    Signer s;
    for (const soci::row& r : rows) s.key_ = PublicKeyOf(r);
    auto sealed = Base64Decode(sealed_b64);
    std::string secret;
    if (!sealed.ok() || sealed->size() <= vault::kNonceBytes) {
      return Status::Corruption("signing key " + key_id + ": the sealed secret is malformed");
    }
    vault::Nonce nonce;
    std::copy(sealed->begin(), sealed->begin() + vault::kNonceBytes, nonce.begin());
    if (!vault::OpenTo(secret, sealing_key_, nonce,
                       std::string_view(*sealed).substr(vault::kNonceBytes),
                       SealingContext(purpose, key_id)) ||
        secret.size() != s.secret_.size()) {
      return Status::Corruption("signing key " + key_id +
                                ": does not open with this master key, or was altered");
    }
    std::copy(secret.begin(), secret.end(), s.secret_.begin());
    sodium_memzero(secret.data(), secret.size());
    // The public half must be the secret's own (libsodium keeps it in the secret's tail).
    if (!std::equal(s.key_.public_key.begin(), s.key_.public_key.end(), s.secret_.begin() + 32) ||
        ledger::KeyId(s.key_.public_key) != key_id) {
      return Status::Corruption("signing key " + key_id + ": the public key does not match");
    }
    out = std::move(s);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<PublicSigningKey> SigningKeys::Rotate(std::string_view purpose, const std::string& actor) {
  if (Status s = CheckPurpose(purpose); !s.ok()) return s;
  Result<PublicSigningKey> out = Status::Internal("unset");
  Status st = db_.Transaction([&](soci::session& sql) -> Status {
    const std::string p(purpose);
    const long long now = clock_.Now().micros;
    sql << "UPDATE signing_keys SET retired_at = :t WHERE purpose = :p AND retired_at IS NULL",
        soci::use(now), soci::use(p);
    auto created = Create(sql, purpose, actor);
    if (!created.ok()) return created.status();
    out = created->key();
    return AppendAudit(sql, clock_.Now(), actor, std::nullopt, "rotate_signing_key",
                       nlohmann::json{{"purpose", p}, {"key_id", created->key().key_id}}.dump())
        .status();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<PublicSigningKey>> SigningKeys::Keys(std::string_view purpose) {
  std::vector<PublicSigningKey> out;
  Status st = db_.Transaction([&](soci::session& sql) -> Status {
    const std::string p(purpose);
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT key_id, purpose, public_key, created_at, retired_at "
                        "FROM signing_keys WHERE purpose = :p ORDER BY created_at, key_id",
         soci::use(p));
    for (const soci::row& r : rows) out.push_back(PublicKeyOf(r));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

nlohmann::ordered_json PublicKeyToJson(const PublicSigningKey& key) {
  nlohmann::ordered_json j = {{"key_id", key.key_id},
                              {"purpose", key.purpose},
                              {"algorithm", "Ed25519"},
                              {"public_key", Base64Encode(std::span<const uint8_t>(key.public_key))},
                              {"created_at", FormatDateTime(key.created_at)}};
  if (key.retired_at) j["retired_at"] = FormatDateTime(*key.retired_at);
  return j;
}

}  // namespace custodian::cases
