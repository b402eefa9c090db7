#include "vault/string_dictionary.h"

#include "core/coding.h"
#include "core/crc32c.h"

namespace custodian::vault {
namespace {

// Record: fixed32 length of the rest ‖ fixed32 crc32c of the rest ‖ nonce ‖ sealed string.
constexpr char kAssociated[] = "custodian/dictionary/v1";

std::string AssociatedData(uint32_t id) {
  std::string ad(kAssociated);
  PutFixed32(ad, id);
  return ad;
}

}  // namespace

Result<std::unique_ptr<StringDictionary>> StringDictionary::Open(FileSystem& fs,
                                                                  const std::string& path,
                                                                  const SecretKey& key) {
  std::unique_ptr<StringDictionary> d(new StringDictionary(fs, path, key));
  if (!fs.Exists(path)) return d;
  auto bytes = fs.ReadAll(path);
  if (!bytes.ok()) return bytes.status();
  size_t pos = 0;
  while (pos + 8 <= bytes->size()) {
    const uint32_t length = DecodeFixed32(bytes->data() + pos);
    const uint32_t crc = DecodeFixed32(bytes->data() + pos + 4);
    if (pos + 8 + length > bytes->size()) break;  // torn
    const std::string_view body(bytes->data() + pos + 8, length);
    if (Crc32c(body) != crc || length < kNonceBytes + kTagBytes) {
      if (pos + 8 + length == bytes->size()) break;  // a torn last record
      return Status::Corruption(path + ": record at byte " + std::to_string(pos) +
                                " fails its checksum");
    }
    Nonce nonce;
    std::copy(body.begin(), body.begin() + kNonceBytes, nonce.begin());
    std::string s;
    const uint32_t id = static_cast<uint32_t>(d->strings_.size() + 1);
    if (!OpenTo(s, key, nonce, body.substr(kNonceBytes), AssociatedData(id))) {
      return Status::Corruption(path + ": record at byte " + std::to_string(pos) +
                                " does not open under the vault's key");
    }
    d->strings_.push_back(std::move(s));
    d->ids_.emplace(d->strings_.back(), id);
    pos += 8 + length;
  }
  if (pos != bytes->size()) {
    if (Status s = fs.Truncate(path, pos); !s.ok()) return s;
  }
  d->durable_ = d->strings_.size();
  d->durable_bytes_ = pos;
  return d;
}

uint32_t StringDictionary::Intern(std::string_view s) {
  std::lock_guard lock(mu_);
  if (auto it = ids_.find(s); it != ids_.end()) return it->second;
  strings_.emplace_back(s);
  const uint32_t id = static_cast<uint32_t>(strings_.size());
  ids_.emplace(strings_.back(), id);
  return id;
}

std::string_view StringDictionary::Get(uint32_t id) {
  std::shared_lock lock(mu_);
  if (id == 0 || id > strings_.size()) return {};
  return strings_[id - 1];
}

size_t StringDictionary::size() {
  std::shared_lock lock(mu_);
  return strings_.size();
}

Status StringDictionary::Commit() {
  std::lock_guard lock(mu_);
  if (durable_ == strings_.size()) return Status::Ok();
  std::string out;
  for (size_t i = durable_; i < strings_.size(); ++i) {
    const Nonce nonce = RandomNonce();
    std::string body(reinterpret_cast<const char*>(nonce.data()), nonce.size());
    SealTo(body, key_, nonce, strings_[i], AssociatedData(static_cast<uint32_t>(i + 1)));
    PutFixed32(out, static_cast<uint32_t>(body.size()));
    PutFixed32(out, Crc32c(body));
    out += body;
  }
  // On failure the strings stay pending; the next Commit retries them.
  if (Status s = AppendDurably(fs_, path_, durable_bytes_, out); !s.ok()) return s;
  durable_ = strings_.size();
  durable_bytes_ += out.size();
  return Status::Ok();
}

}  // namespace custodian::vault
