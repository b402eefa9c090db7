#include "cases/attachment_store.h"

#include "core/sha256.h"

namespace custodian::cases {
namespace {

std::string AssociatedData(const std::string& case_id, const std::string& sha256) {
  return "custodian/attachment/v1\n" + case_id + "\n" + sha256;
}

}  // namespace

std::string AttachmentStore::PathOf(const std::string& case_id, const std::string& sha256) const {
  return JoinPath(dir_, case_id + "-" + sha256 + ".sealed");
}

Result<std::string> AttachmentStore::Put(const std::string& case_id, std::string_view bytes) {
  const std::string sha = Sha256Hex(bytes);
  if (Status s = fs_.CreateDirs(dir_); !s.ok()) return s;
  const vault::Nonce nonce = vault::RandomNonce();
  std::string sealed(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  vault::SealTo(sealed, key_, nonce, bytes, AssociatedData(case_id, sha));
  if (Status s = fs_.WriteAtomically(PathOf(case_id, sha), sealed); !s.ok()) return s;
  return sha;
}

Result<std::string> AttachmentStore::Get(const std::string& case_id, const std::string& sha256) {
  const std::string path = PathOf(case_id, sha256);
  if (!fs_.Exists(path)) return Status::NotFound("case " + case_id + " has no document " + sha256);
  auto sealed = fs_.ReadAll(path);
  if (!sealed.ok()) return sealed.status();
  if (sealed->size() < vault::kNonceBytes + vault::kTagBytes) {
    return Status::Corruption(path + ": too short");
  }
  vault::Nonce nonce;
  std::copy(sealed->begin(), sealed->begin() + vault::kNonceBytes, nonce.begin());
  std::string plain;
  if (!vault::OpenTo(plain, key_, nonce, std::string_view(*sealed).substr(vault::kNonceBytes),
                     AssociatedData(case_id, sha256)) ||
      Sha256Hex(plain) != sha256) {
    return Status::Corruption(path + ": fails authentication");
  }
  return plain;
}

bool AttachmentStore::Has(const std::string& case_id, const std::string& sha256) {
  return fs_.Exists(PathOf(case_id, sha256));
}

Status AttachmentStore::Remove(const std::string& case_id, const std::string& sha256) {
  return fs_.Remove(PathOf(case_id, sha256));
}

}  // namespace custodian::cases
