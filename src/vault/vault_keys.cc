#include "vault/vault_keys.h"

#include <sodium.h>

namespace custodian::vault {
namespace {

constexpr std::string_view kMagic = "CUSTVK01";
constexpr char kAssociated[] = "custodian/vault-keys/v1";
constexpr size_t kPlainBytes = 4 * kShortKeyBytes + 3 * kKeyBytes;

}  // namespace

VaultKeys VaultKeys::Random() {
  return {ShortKey::Random(), ShortKey::Random(), ShortKey::Random(),
          ShortKey::Random(), SecretKey::Random(), SecretKey::Random(), SecretKey::Random()};
}

Status VaultKeys::Save(FileSystem& fs, const std::string& path, const SecretKey& master) const {
  std::string plain;
  for (const ShortKey* k : {&account_tags, &address_index, &identifier_index, &event_ids}) {
    plain.append(k->view());
  }
  plain.append(dictionary.view());
  plain.append(grants.view());
  plain.append(metadata.view());
  const Nonce nonce = RandomNonce();
  std::string out(kMagic);
  out.append(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  SealTo(out, master, nonce, plain, kAssociated);
  sodium_memzero(plain.data(), plain.size());
  return fs.WriteAtomically(path, out);
}

Result<VaultKeys> VaultKeys::Load(FileSystem& fs, const std::string& path,
                                  const SecretKey& master) {
  auto bytes = fs.ReadAll(path);
  if (!bytes.ok()) return bytes.status();
  const std::string_view b(*bytes);
  if (!b.starts_with(kMagic) || b.size() != kMagic.size() + kNonceBytes + kPlainBytes + kTagBytes) {
    return Status::Corruption(path + ": " + std::to_string(b.size()) + " bytes long with the header at byte 0 " +
                              (b.starts_with(kMagic) ? "intact" : "damaged") + ": not a vault key file");
  }
  Nonce nonce;
  std::copy(b.begin() + kMagic.size(), b.begin() + kMagic.size() + kNonceBytes, nonce.begin());
  std::string plain;
  if (!OpenTo(plain, master, nonce, b.substr(kMagic.size() + kNonceBytes), kAssociated)) {
    return Status::Corruption(path + ": the sealed keys at byte " + std::to_string(kMagic.size() + kNonceBytes) +
                              " do not open: damaged, or the file does not open under this master key");
  }
  const std::string_view p(plain);
  VaultKeys k{ShortKey::FromBytes(p.substr(0, 16)),  ShortKey::FromBytes(p.substr(16, 16)),
              ShortKey::FromBytes(p.substr(32, 16)), ShortKey::FromBytes(p.substr(48, 16)),
              SecretKey::FromBytes(p.substr(64, 32)), SecretKey::FromBytes(p.substr(96, 32)),
              SecretKey::FromBytes(p.substr(128, 32))};
  sodium_memzero(plain.data(), plain.size());
  return k;
}

}  // namespace custodian::vault
