#include "cases/store/store_keys.h"

#include <sodium.h>
#include <soci/soci.h>

#include <chrono>

#include "core/base64.h"
#include "core/sha256.h"
#include "vault/key_file.h"

namespace custodian::cases {
namespace {

constexpr std::string_view kSealedPrefix = "s1:";
constexpr char kValuesPurpose[] = "values";
constexpr char kTagsPurpose[] = "tags";

std::string WrapContext(std::string_view purpose) {
  return "custodian/case-store-key/v1\n" + std::string(purpose);
}

// nonce ‖ sealed(key) under `master`, base64, bound to the key's purpose.
std::string Wrap(const vault::SecretKey& key, const vault::SecretKey& master,
                 std::string_view purpose) {
  const vault::Nonce nonce = vault::RandomNonce();
  std::string out(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  vault::SealTo(out, master, nonce, key.view(), WrapContext(purpose));
  return Base64Encode(out);
}

Result<vault::SecretKey> Unwrap(const std::string& wrapped, const vault::SecretKey& master,
                                std::string_view purpose) {
  auto bytes = Base64Decode(wrapped);
  if (!bytes.ok() || bytes->size() != vault::kNonceBytes + vault::kKeyBytes + vault::kTagBytes) {
    return Status::Corruption("case store: its " + std::string(purpose) + " key is damaged");
  }
  vault::Nonce nonce;
  std::copy(bytes->begin(), bytes->begin() + vault::kNonceBytes, nonce.begin());
  std::string key;
  if (!vault::OpenTo(key, master, nonce, std::string_view(*bytes).substr(vault::kNonceBytes),
                     WrapContext(purpose))) {
    return Status::InvalidArgument(
        "case store: its keys do not open under this master key (the store is another "
        "instance's, or its " + std::string(purpose) + " key was changed)");
  }
  vault::SecretKey out = vault::SecretKey::FromBytes(key);
  sodium_memzero(key.data(), key.size());
  return out;
}

}  // namespace

StoreKeys StoreKeys::Random() {
  return StoreKeys(vault::SecretKey::Random(), vault::SecretKey::Random());
}

Result<StoreKeys> StoreKeys::Load(soci::session& sql, const vault::SecretKey& master) {
  // Bound values are read when the statement runs, at the end of the expression: locals.
  const std::string values_purpose = kValuesPurpose, tags_purpose = kTagsPurpose;
  std::string values, tags;
  soci::indicator values_ind = soci::i_null, tags_ind = soci::i_null;
  sql << "SELECT wrapped FROM store_keys WHERE purpose = :p", soci::use(values_purpose),
      soci::into(values, values_ind);
  const bool has_values = sql.got_data() && values_ind == soci::i_ok;
  sql << "SELECT wrapped FROM store_keys WHERE purpose = :p", soci::use(tags_purpose),
      soci::into(tags, tags_ind);
  if (!has_values || !sql.got_data() || tags_ind != soci::i_ok) {
    return Status::Corruption("case store: its keys are missing (store_keys)");
  }
  auto values_key = Unwrap(values, master, kValuesPurpose);
  if (!values_key.ok()) return values_key.status();
  auto tags_key = Unwrap(tags, master, kTagsPurpose);
  if (!tags_key.ok()) return tags_key.status();
  return StoreKeys(*values_key, *tags_key);
}

Status StoreKeys::Save(soci::session& sql, const vault::SecretKey& master) const {
  const long long now = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  const std::string master_id = vault::MasterKeyId(master);
  sql << "DELETE FROM store_keys";
  for (const auto& [purpose, key] : {std::pair{kValuesPurpose, &values_}, {kTagsPurpose, &tags_}}) {
    const std::string name = purpose, wrapped = Wrap(*key, master, purpose);
    sql << "INSERT INTO store_keys (purpose, wrapped, master_key_id, created_at) "
           "VALUES (:p, :w, :m, :t)",
        soci::use(name), soci::use(wrapped), soci::use(master_id), soci::use(now);
  }
  return Status::Ok();
}

std::string StoreKeys::Seal(std::string_view plain, std::string_view context) const {
  const vault::Nonce nonce = vault::RandomNonce();
  std::string out(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  vault::SealTo(out, values_, nonce, plain, context);
  return std::string(kSealedPrefix) + Base64Encode(out);
}

Result<std::string> StoreKeys::Open(std::string_view sealed, std::string_view context) const {
  const auto damaged = [&] {
    return Status::Corruption("case store: the sealed value of " + std::string(context) +
                              " does not open (changed, moved, or sealed under other keys)");
  };
  if (!IsSealed(sealed)) return damaged();
  auto bytes = Base64Decode(sealed.substr(kSealedPrefix.size()));
  if (!bytes.ok() || bytes->size() < vault::kNonceBytes + vault::kTagBytes) return damaged();
  vault::Nonce nonce;
  std::copy(bytes->begin(), bytes->begin() + vault::kNonceBytes, nonce.begin());
  std::string plain;
  if (!vault::OpenTo(plain, values_, nonce, std::string_view(*bytes).substr(vault::kNonceBytes),
                     context)) {
    return damaged();
  }
  return plain;
}

std::string StoreKeys::Tag(std::string_view kind, std::string_view value) const {
  vault::InitCrypto();
  // The kind and a zero byte first: a tag of one kind never equals a tag of another.
  std::string message(kind);
  message.push_back('\0');
  message.append(value);
  unsigned char tag[32];
  crypto_generichash(tag, sizeof tag, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size(), tags_.data(), vault::kKeyBytes);
  return HexEncode(tag, sizeof tag);
}

}  // namespace custodian::cases
