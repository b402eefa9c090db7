#include "cases/package_store.h"

#include <sodium.h>

#include <algorithm>

#include "core/sha256.h"

namespace custodian::cases {
namespace {

// The file: this line, the stream's header, then the sealed chunks (each kChunk plaintext
// bytes but the last, which carries the final tag and may be shorter, even empty).
constexpr std::string_view kMagic = "custodian-package v1\n";
constexpr size_t kChunk = 64 << 10;
constexpr size_t kHeader = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr size_t kOverhead = crypto_secretstream_xchacha20poly1305_ABYTES;

std::string AssociatedData(const std::string& production_id) {
  return "custodian/package/v1\n" + production_id;
}

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

class SealedPackageReader : public PackageReader {
 public:
  SealedPackageReader(std::string path, std::unique_ptr<RandomAccessFile> file, std::string ad)
      : path_(std::move(path)), file_(std::move(file)), ad_(std::move(ad)) {}
  ~SealedPackageReader() override { sodium_memzero(&state_, sizeof state_); }

  Status Start(const vault::SecretKey& key) {
    std::string head;
    if (file_->Size() < kMagic.size() + kHeader) return Status::Corruption(path_ + ": too short");
    if (Status s = file_->Read(0, kMagic.size() + kHeader, head); !s.ok()) return s;
    if (!head.starts_with(kMagic)) return Status::Corruption(path_ + ": not a sealed package");
    if (crypto_secretstream_xchacha20poly1305_init_pull(&state_, Bytes(head) + kMagic.size(), key.data()) != 0) {
      return Status::Corruption(path_ + ": bad stream header");
    }
    offset_ = head.size();
    return Status::Ok();
  }

  Result<bool> Next(std::string& out) override {
    out.clear();
    if (done_) return false;
    const uint64_t left = file_->Size() - offset_;
    if (left < kOverhead) return Status::Corruption(path_ + ": ends before its last chunk");
    const size_t n = static_cast<size_t>(std::min<uint64_t>(left, kChunk + kOverhead));
    if (Status s = file_->Read(offset_, n, sealed_); !s.ok()) return s;
    out.resize(n - kOverhead);
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&state_, reinterpret_cast<unsigned char*>(out.data()), nullptr,
                                                   &tag, Bytes(sealed_), n, Bytes(ad_), ad_.size()) != 0) {
      out.clear();
      return Status::Corruption(path_ + ": a chunk fails authentication");
    }
    offset_ += n;
    const bool final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    if (final != (offset_ == file_->Size())) {
      out.clear();
      return Status::Corruption(path_ + (final ? ": bytes after the last chunk" : ": ends before its last chunk"));
    }
    done_ = final;
    return true;
  }

 private:
  const std::string path_;
  std::unique_ptr<RandomAccessFile> file_;
  const std::string ad_;
  crypto_secretstream_xchacha20poly1305_state state_{};
  uint64_t offset_ = 0;
  bool done_ = false;
  std::string sealed_;
};

}  // namespace

std::string PackageStore::NameOf(const std::string& production_id) {
  return production_id + ".zip.sealed";
}

bool PackageStore::Has(const std::string& production_id) { return blobs_->Exists(NameOf(production_id)); }

Result<StoredPackage> PackageStore::Put(const std::string& production_id, const std::string& zip_path) {
  vault::InitCrypto();
  auto in = PosixFileSystem().OpenRead(zip_path);
  if (!in.ok()) return in.status();
  auto out = blobs_->Create(NameOf(production_id));
  if (!out.ok()) return out.status();

  crypto_secretstream_xchacha20poly1305_state state;
  unsigned char header[kHeader];
  crypto_secretstream_xchacha20poly1305_init_push(&state, header, key_.data());
  std::string buffer(kMagic);
  buffer.append(reinterpret_cast<const char*>(header), sizeof header);
  const std::string ad = AssociatedData(production_id);
  Sha256Stream hash;
  StoredPackage stored;
  const uint64_t size = (*in)->Size();
  std::string plain;
  Status status = Status::Ok();
  for (uint64_t offset = 0;; offset += kChunk) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, size - offset));
    if (status = (*in)->Read(offset, n, plain); !status.ok()) break;
    hash.Update(plain);
    const bool last = offset + n == size;
    const size_t at = buffer.size();
    buffer.resize(at + n + kOverhead);
    crypto_secretstream_xchacha20poly1305_push(
        &state, reinterpret_cast<unsigned char*>(buffer.data() + at), nullptr, Bytes(plain), n,
        Bytes(ad), ad.size(), last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    if (status = (*out)->Append(buffer); !status.ok() || last) break;
    buffer.clear();
  }
  sodium_memzero(&state, sizeof state);
  if (!status.ok()) return status;
  if (Status s = (*out)->Commit(); !s.ok()) return s;
  const Sha256Digest d = hash.Finish();
  stored.sha256 = HexEncode(d.data(), d.size());
  stored.bytes = size;
  return stored;
}

Result<std::unique_ptr<PackageReader>> PackageStore::Open(const std::string& production_id) {
  vault::InitCrypto();
  const std::string name = NameOf(production_id);
  auto file = blobs_->Open(name);
  if (file.status().code() == Status::Code::kNotFound) {
    return Status::NotFound("production " + production_id + " has no stored package");
  }
  if (!file.ok()) return file.status();
  auto reader = std::make_unique<SealedPackageReader>(blobs_->Describe(name), std::move(file).value(),
                                                      AssociatedData(production_id));
  if (Status s = reader->Start(key_); !s.ok()) return s;
  return std::unique_ptr<PackageReader>(std::move(reader));
}

}  // namespace custodian::cases
