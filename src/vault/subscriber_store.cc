#include "vault/subscriber_store.h"

#include <algorithm>

#include "core/coding.h"
#include "vault/event_parser.h"
#include "vault/record_log.h"
#include "vault/tags.h"

namespace custodian::vault {
namespace {

constexpr std::string_view kMagic = "CUSTSUB1";
constexpr char kAssociated[] = "custodian/subscriber/v1";
// A version is shorter than the line that carried it, its identifiers' tags included.
static_assert(kMaxLineBytes + 3 * kMaxIdentifiers * 8 < (1 << 20));
constexpr RecordBounds kBounds{8 + 1 + kNonceBytes + kTagBytes, 1 << 20};

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
  const auto bad = [&] {
    return Status::Corruption(path_ + ": the frame at byte " + std::to_string(offset) + " does not decode");
  };
  if (!d.ok() || identifiers > 3 * kMaxIdentifiers) return bad();
  by_account_tag_.emplace(account_tag, offset);
  account_tag_of_[offset] = account_tag;
  for (uint64_t i = 0; i < identifiers; ++i) by_identifier_tag_.emplace(d.Fixed64(), offset);
  return d.ok() ? Status::Ok() : bad();
}

void SubscriberStore::ClearLocked() {
  by_account_tag_.clear();
  by_identifier_tag_.clear();
  account_tag_of_.clear();
  durable_bytes_ = 0;
  reader_.reset();
}

Status SubscriberStore::CatchUp(const FileMark& mark, CatchUpAccess access) {
  std::lock_guard lock(mu_);
  Status s = CatchUpLocked(mark, access);
  if (!s.ok()) ClearLocked();  // read all of it again next time
  return s;
}

Status SubscriberStore::CatchUpLocked(const FileMark& mark, CatchUpAccess access) {
  const bool writer = access == CatchUpAccess::kWrite;
  if (mark.epoch != epoch_) ClearLocked();  // rewritten: offsets changed
  epoch_ = mark.epoch;
  if (!fs_.Exists(path_)) return MissingLog(path_, durable_bytes_, mark.committed);
  auto tail = ReadTail(fs_, path_, durable_bytes_);
  if (!tail.ok()) return tail.status();
  if (tail->size < durable_bytes_) {  // shorter than what was read: read it all again
    ClearLocked();
    tail = ReadTail(fs_, path_, 0);
    if (!tail.ok()) return tail.status();
  }
  std::string_view bytes(tail->bytes);
  uint64_t start = durable_bytes_;
  if (start == 0) {
    if (tail->size < kMagic.size() && mark.committed == 0) {
      // A log whose creation a crash cut short: it holds nothing.
      if (writer) return fs_.Remove(path_);
      return Status::Ok();
    }
    if (!bytes.starts_with(kMagic)) {
      return Status::Corruption(path_ + ": the header at byte 0 is damaged, or it is not a subscriber log");
    }
    bytes.remove_prefix(kMagic.size());
    start = kMagic.size();
  }
  auto scan = ScanRecords(path_, bytes, start, mark.committed, kBounds,
                          [&](uint64_t offset, std::string_view body) { return Index(offset, body); });
  if (!scan.ok()) return scan.status();
  if (scan->torn_tail && writer) {
    if (Status t = fs_.Truncate(path_, scan->end); !t.ok()) return t;
  }
  durable_bytes_ = scan->end;
  if (writer && durable_bytes_ > mark.committed) {
    if (Status t = SyncFile(fs_, path_); !t.ok()) return t;
  }
  auto reader = fs_.OpenRead(path_);
  if (!reader.ok()) return reader.status();
  reader_ = std::move(reader).value();
  return Status::Ok();
}

FileMark SubscriberStore::mark() {
  std::lock_guard lock(mu_);
  return {durable_bytes_, epoch_};
}

Status SubscriberStore::Append(const std::vector<SubscriberVersion>& versions) {
  if (versions.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  // The first append creates the log, header and all.
  std::string out(durable_bytes_ == 0 ? kMagic : "");
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
    AppendRecord(body, out);
  }
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
                                          const std::function<bool(uint64_t)>& held,
                                          const std::function<Status(const FileMark&)>& before_rewrite) {
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
  const FileMark rewriting{0, epoch_ + 1};
  if (Status s = before_rewrite(rewriting); !s.ok()) return s;
  Status written = fs_.WriteAtomically(path_, out);
  // Old or new, the file is read whole again: its offsets may have changed.
  ClearLocked();
  Status read = CatchUpLocked(rewriting, CatchUpAccess::kWrite);
  if (!written.ok()) return written;
  if (!read.ok()) return read;
  return removed;
}

}  // namespace custodian::vault
