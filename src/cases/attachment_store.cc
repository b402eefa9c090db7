#include "cases/attachment_store.h"

#include "core/sha256.h"

namespace custodian::cases {
namespace {

std::string AssociatedData(const std::string& case_id, const std::string& sha256) {
  return "custodian/attachment/v1\n" + case_id + "\n" + sha256;
}

}  // namespace

std::string AttachmentStore::NameOf(const std::string& case_id, const std::string& sha256) {
  return case_id + "-" + sha256 + ".sealed";
}

Result<std::string> AttachmentStore::Put(const std::string& case_id, std::string_view bytes) {
  const std::string sha = Sha256Hex(bytes);
  const vault::Nonce nonce = vault::RandomNonce();
  std::string sealed(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  vault::SealTo(sealed, key_, nonce, bytes, AssociatedData(case_id, sha));
  auto out = blobs_->Create(NameOf(case_id, sha));
  if (!out.ok()) return out.status();
  if (Status s = (*out)->Append(sealed); !s.ok()) return s;
  if (Status s = (*out)->Commit(); !s.ok()) return s;
  return sha;
}

Result<std::string> AttachmentStore::Get(const std::string& case_id, const std::string& sha256) {
  const std::string name = NameOf(case_id, sha256);
  auto file = blobs_->Open(name);
  if (file.status().code() == Status::Code::kNotFound) {
    return Status::NotFound("case " + case_id + " has no document " + sha256);
  }
  if (!file.ok()) return file.status();
  std::string sealed;
  if (Status s = (*file)->Read(0, (*file)->Size(), sealed); !s.ok()) return s;
  if (sealed.size() < vault::kNonceBytes + vault::kTagBytes) {
    return Status::Corruption(blobs_->Describe(name) + ": too short");
  }
  vault::Nonce nonce;
  std::copy(sealed.begin(), sealed.begin() + vault::kNonceBytes, nonce.begin());
  std::string plain;
  if (!vault::OpenTo(plain, key_, nonce, std::string_view(sealed).substr(vault::kNonceBytes),
                     AssociatedData(case_id, sha256)) ||
      Sha256Hex(plain) != sha256) {
    return Status::Corruption(blobs_->Describe(name) + ": fails authentication");
  }
  return plain;
}

bool AttachmentStore::Has(const std::string& case_id, const std::string& sha256) {
  return blobs_->Exists(NameOf(case_id, sha256));
}

Status AttachmentStore::Remove(const std::string& case_id, const std::string& sha256) {
  return blobs_->Remove(NameOf(case_id, sha256));
}

}  // namespace custodian::cases
