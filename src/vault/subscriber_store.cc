#include "vault/subscriber_store.h"

#include <algorithm>

#include "core/coding.h"
#include "core/crc32c.h"
#include "vault/tags.h"

namespace custodian::vault {
namespace {

constexpr std::string_view kMagic = "CUSTSUB1";
constexpr char kAssociated[] = "custodian/subscriber/v1";

std::string AssociatedData(uint64_t account) {
  std::string ad(kAssociated);
  PutFixed64(ad, account);
  return ad;
}

}  // namespace

uint64_t SubscriberStore::IdentifierTag(IdentifierType type, std::string_view normalized) const {
  std::string b(1, static_cast<char>(type));
  b.append(normalized);
  return Tag64(vault_keys_.identifier_index, b);
}

Status SubscriberStore::Index(uint64_t offset, std::string_view body) {
  Decoder d(body);
  const uint64_t account_tag = d.Fixed64();
  const uint64_t identifiers = d.Varint();
  if (!d.ok() || identifiers > 3 * kMaxIdentifiers) return Status::Corruption(path_ + ": bad frame");
  by_account_tag_.emplace(account_tag, offset);
  account_tag_of_[offset] = account_tag;
  for (uint64_t i = 0; i < identifiers; ++i) by_identifier_tag_.emplace(d.Fixed64(), offset);
  return d.ok() ? Status::Ok() : Status::Corruption(path_ + ": bad frame");
}

Result<std::unique_ptr<SubscriberStore>> SubscriberStore::Open(FileSystem& fs,
                                                               const std::string& path,
                                                               KeyStore& keys,
                                                               const VaultKeys& vault_keys) {
  std::unique_ptr<SubscriberStore> s(new SubscriberStore(fs, path, keys, vault_keys));
  if (!fs.Exists(path)) {
    if (Status w = fs.WriteAtomically(path, kMagic); !w.ok()) return w;
  }
  auto bytes = fs.ReadAll(path);
  if (!bytes.ok()) return bytes.status();
  if (!std::string_view(*bytes).starts_with(kMagic)) return Status::Corruption(path + ": not a subscriber log");
  size_t pos = kMagic.size();
  while (pos + 8 <= bytes->size()) {
    const uint32_t length = DecodeFixed32(bytes->data() + pos);
    const uint32_t crc = DecodeFixed32(bytes->data() + pos + 4);
    if (pos + 8 + length > bytes->size()) break;  // torn last frame
    const std::string_view body(bytes->data() + pos + 8, length);
    if (Crc32c(body) != crc) {
      if (pos + 8 + length == bytes->size()) break;
      return Status::Corruption(path + ": frame at byte " + std::to_string(pos) +
                                " fails its checksum, and data follows it");
    }
    if (Status i = s->Index(pos, body); !i.ok()) return i;
    pos += 8 + length;
  }
  if (pos != bytes->size()) {
    if (Status t = fs.Truncate(path, pos); !t.ok()) return t;
  }
  s->durable_bytes_ = pos;
  auto reader = fs.OpenRead(path);
  if (!reader.ok()) return reader.status();
  s->reader_ = std::move(reader).value();
  return s;
}

Status SubscriberStore::Append(const std::vector<SubscriberVersion>& versions) {
  if (versions.empty()) return Status::Ok();
  std::string out;
  std::vector<std::pair<uint64_t, std::string>> frames;  // offset within `out`, body
  for (const SubscriberVersion& v : versions) {
    auto key = keys_.Get(v.account_id);
    if (!key.ok()) return key.status();
    std::vector<uint64_t> tags;
    if (v.username) tags.push_back(IdentifierTag(IdentifierType::kUsername, NormalizeUsername(*v.username)));
    for (const std::string& e : v.emails) tags.push_back(IdentifierTag(IdentifierType::kEmail, e));
    for (const std::string& p : v.phones) tags.push_back(IdentifierTag(IdentifierType::kPhone, p));
    std::string body;
    PutFixed64(body, AccountTag(vault_keys_.account_tags, v.account_id).first);
    PutVarint(body, tags.size());
    for (uint64_t t : tags) PutFixed64(body, t);
    const Nonce nonce = RandomNonce();
    body.append(reinterpret_cast<const char*>(nonce.data()), nonce.size());
    SealTo(body, *key, nonce, EncodeSubscriber(v), AssociatedData(v.account_id));
    frames.emplace_back(out.size(), body);
    PutFixed32(out, static_cast<uint32_t>(body.size()));
    PutFixed32(out, Crc32c(body));
    out += body;
  }
  std::lock_guard lock(mu_);
  if (Status s = AppendDurably(fs_, path_, durable_bytes_, out); !s.ok()) return s;
  for (const auto& [offset, body] : frames) {
    if (Status i = Index(durable_bytes_ + offset, body); !i.ok()) return i;
  }
  durable_bytes_ += out.size();
  auto reader = fs_.OpenRead(path_);
  if (!reader.ok()) return reader.status();
  reader_ = std::move(reader).value();
  return Status::Ok();
}

Result<std::vector<SubscriberVersion>> SubscriberStore::VersionsOf(uint64_t account) {
  if (auto key = keys_.Get(account); !key.ok()) {
    if (key.status().IsNotFound()) return std::vector<SubscriberVersion>{};  // none, or deleted
    return key.status();
  }
  std::lock_guard lock(mu_);
  std::vector<uint64_t> offsets;
  auto [begin, end] = by_account_tag_.equal_range(AccountTag(vault_keys_.account_tags, account).first);
  for (auto it = begin; it != end; ++it) offsets.push_back(it->second);
  std::sort(offsets.begin(), offsets.end());
  std::vector<SubscriberVersion> out;
  for (uint64_t offset : offsets) {
    auto v = OpenFrameLocked(offset);
    if (!v.ok()) {
      if (v.status().IsNotFound()) continue;
      return v.status();
    }
    if (v->account_id == account) out.push_back(std::move(v).value());  // else a tag collision
  }
  // By effective_from; the last appended of equal ones wins.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.effective_from < b.effective_from;
  });
  std::vector<SubscriberVersion> unique;
  for (auto& v : out) {
    if (!unique.empty() && unique.back().effective_from == v.effective_from) {
      unique.back() = std::move(v);
    } else {
      unique.push_back(std::move(v));
    }
  }
  return unique;
}

std::vector<uint64_t> SubscriberStore::CandidatesFor(IdentifierType type,
                                                     std::string_view normalized) {
  std::vector<uint64_t> tags;
  {
    std::lock_guard lock(mu_);
    auto [begin, end] = by_identifier_tag_.equal_range(IdentifierTag(type, normalized));
    for (auto it = begin; it != end; ++it) tags.push_back(account_tag_of_[it->second]);
  }
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  std::vector<uint64_t> accounts;
  for (uint64_t t : tags) {
    for (uint64_t a : keys_.AccountsOfTag(t)) accounts.push_back(a);
  }
  std::sort(accounts.begin(), accounts.end());
  return accounts;
}

size_t SubscriberStore::versions() {
  std::lock_guard lock(mu_);
  return account_tag_of_.size();
}

Result<SubscriberVersion> SubscriberStore::OpenFrameLocked(uint64_t offset) {
  std::string header, frame, plain;
  if (Status s = reader_->Read(offset, 8, header); !s.ok()) return s;
  if (Status s = reader_->Read(offset + 8, DecodeFixed32(header.data()), frame); !s.ok()) return s;
  Decoder d(frame);
  const uint64_t tag = d.Fixed64();
  const uint64_t n = d.Varint();
  for (uint64_t i = 0; i < n; ++i) d.Fixed64();
  const std::string_view nonce_bytes = d.Bytes(kNonceBytes);
  if (!d.ok()) return Status::Corruption(path_ + ": bad frame");
  Nonce nonce;
  std::copy(nonce_bytes.begin(), nonce_bytes.end(), nonce.begin());
  const std::string_view sealed = d.Bytes(d.left());
  for (uint64_t account : keys_.AccountsOfTag(tag)) {
    auto key = keys_.Get(account);
    if (!key.ok() || !OpenTo(plain, *key, nonce, sealed, AssociatedData(account))) continue;
    return DecodeSubscriber(plain, account);
  }
  return Status::NotFound("no live key opens the frame");
}

Result<uint64_t> SubscriberStore::Compact(Timestamp cutoff,
                                          const std::function<bool(uint64_t)>& held) {
  std::lock_guard lock(mu_);
  // Every frame's account and version; frames no live key opens belong to deleted accounts.
  std::vector<std::pair<uint64_t, SubscriberVersion>> opened;  // offset, version
  std::vector<uint64_t> offsets;
  for (const auto& [offset, tag] : account_tag_of_) offsets.push_back(offset);
  std::sort(offsets.begin(), offsets.end());
  for (uint64_t offset : offsets) {
    auto v = OpenFrameLocked(offset);
    if (v.ok()) {
      opened.emplace_back(offset, std::move(v).value());
    } else if (!v.status().IsNotFound()) {
      return v.status();
    }
  }
  // Per account, by effective_from: a version stays when it is the latest, or was superseded
  // at or after the cutoff; of two with the same effective_from, the later appended stays.
  std::stable_sort(opened.begin(), opened.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second.account_id, a.second.effective_from) <
           std::tie(b.second.account_id, b.second.effective_from);
  });
  std::vector<uint64_t> kept;
  for (size_t i = 0; i < opened.size(); ++i) {
    const bool last_of_account =
        i + 1 == opened.size() || opened[i + 1].second.account_id != opened[i].second.account_id;
    if (last_of_account || held(opened[i].second.account_id)) {
      kept.push_back(opened[i].first);
      continue;
    }
    const Timestamp superseded = opened[i + 1].second.effective_from;
    if (superseded != opened[i].second.effective_from && superseded >= cutoff) {
      kept.push_back(opened[i].first);
    }
  }
  std::sort(kept.begin(), kept.end());
  const uint64_t removed = offsets.size() - kept.size();
  if (removed == 0) return removed;
  std::string out(kMagic), header, body;
  for (uint64_t offset : kept) {
    if (Status s = reader_->Read(offset, 8, header); !s.ok()) return s;
    if (Status s = reader_->Read(offset + 8, DecodeFixed32(header.data()), body); !s.ok()) return s;
    out += header;
    out += body;
  }
  if (Status s = fs_.WriteAtomically(path_, out); !s.ok()) return s;
  by_account_tag_.clear();
  by_identifier_tag_.clear();
  account_tag_of_.clear();
  for (size_t pos = kMagic.size(); pos < out.size();) {
    const uint32_t length = DecodeFixed32(out.data() + pos);
    if (Status s = Index(pos, std::string_view(out).substr(pos + 8, length)); !s.ok()) return s;
    pos += 8 + length;
  }
  durable_bytes_ = out.size();
  auto reader = fs_.OpenRead(path_);
  if (!reader.ok()) return reader.status();
  reader_ = std::move(reader).value();
  return removed;
}

}  // namespace custodian::vault
