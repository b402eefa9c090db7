#include "vault/holds.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace custodian::vault {
namespace {

constexpr std::string_view kMagic = "CUSTHLD1";
constexpr char kAssociated[] = "custodian/holds/v1";

nlohmann::json ToJson(const Hold& h) {
  nlohmann::json j = {{"id", h.id},
                      {"account", h.account},
                      {"case", h.case_id},
                      {"placed", h.placed.micros},
                      {"expires", h.expires.micros},
                      {"covers_until", h.covers_until.micros}};
  if (h.window_start) j["window_start"] = h.window_start->micros;
  if (h.window_end) j["window_end"] = h.window_end->micros;
  return j;
}

Hold FromJson(const nlohmann::json& j) {
  Hold h;
  h.id = j.at("id").get<std::string>();
  h.account = j.at("account").get<uint64_t>();
  h.case_id = j.at("case").get<std::string>();
  h.placed = Timestamp{j.at("placed").get<int64_t>()};
  h.expires = Timestamp{j.at("expires").get<int64_t>()};
  h.covers_until = Timestamp{j.at("covers_until").get<int64_t>()};
  if (j.contains("window_start")) h.window_start = Timestamp{j["window_start"].get<int64_t>()};
  if (j.contains("window_end")) h.window_end = Timestamp{j["window_end"].get<int64_t>()};
  return h;
}

}  // namespace

bool Hold::Covers(Date day) const {
  const int64_t day_start = day.days * kMicrosPerDay;
  const int64_t day_end = day_start + kMicrosPerDay;
  if (window_start && window_end) return day_start < window_end->micros && window_start->micros < day_end;
  return day_start <= covers_until.micros;
}

Status HoldStore::CatchUp(const FileMark& mark) {
  std::lock_guard lock(mu_);
  if (epoch_ == mark.epoch) return Status::Ok();
  std::vector<Hold> holds;
  std::vector<uint64_t> pending;
  if (fs_.Exists(path_)) {
    auto bytes = fs_.ReadAll(path_);
    if (!bytes.ok()) return bytes.status();
    const std::string_view b(*bytes);
    if (!b.starts_with(kMagic) || b.size() < kMagic.size() + kNonceBytes + kTagBytes) {
      return Status::Corruption(path_ + ": the header at byte 0 is damaged, or it is not a holds file");
    }
    Nonce nonce;
    std::copy(b.begin() + kMagic.size(), b.begin() + kMagic.size() + kNonceBytes, nonce.begin());
    std::string plain;
    if (!OpenTo(plain, key_, nonce, b.substr(kMagic.size() + kNonceBytes), kAssociated)) {
      return Status::Corruption(path_ + ": the sealed holds from byte " +
                                std::to_string(kMagic.size() + kNonceBytes) + " fail authentication");
    }
    const auto j = nlohmann::json::parse(plain, nullptr, false);
    if (!j.is_object()) return Status::Corruption(path_ + ": does not decode");
    try {
      for (const auto& h : j.at("holds")) holds.push_back(FromJson(h));
      pending = j.at("pending_deletions").get<std::vector<uint64_t>>();
    } catch (const nlohmann::json::exception&) {
      return Status::Corruption(path_ + ": does not decode");
    }
  }
  holds_ = std::move(holds);
  pending_deletions_ = std::move(pending);
  epoch_ = mark.epoch;
  return Status::Ok();
}

FileMark HoldStore::mark() {
  std::lock_guard lock(mu_);
  return {0, epoch_.value_or(0)};
}

Status HoldStore::SaveLocked() {
  nlohmann::json j = {{"holds", nlohmann::json::array()}, {"pending_deletions", pending_deletions_}};
  for (const Hold& h : holds_) j["holds"].push_back(ToJson(h));
  const Nonce nonce = RandomNonce();
  std::string out(kMagic);
  out.append(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  SealTo(out, key_, nonce, j.dump(), kAssociated);
  if (Status s = fs_.WriteAtomically(path_, out); !s.ok()) {
    epoch_.reset();  // the new file may be in place: read whatever is at the next CatchUp
    return s;
  }
  epoch_ = epoch_.value_or(0) + 1;  // other processes read it again
  return Status::Ok();
}

Status HoldStore::Place(const Hold& hold) {
  std::lock_guard lock(mu_);
  for (const Hold& h : holds_) {
    if (h.id == hold.id) return Status::InvalidArgument("a hold with id " + hold.id + " exists");
  }
  holds_.push_back(hold);
  Status s = SaveLocked();
  if (!s.ok()) holds_.pop_back();
  return s;
}

Status HoldStore::Release(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = std::find_if(holds_.begin(), holds_.end(), [&](const Hold& h) { return h.id == id; });
  if (it == holds_.end()) return Status::NotFound("no hold " + id);
  const Hold removed = *it;
  holds_.erase(it);
  Status s = SaveLocked();
  if (!s.ok()) holds_.push_back(removed);
  return s;
}

Status HoldStore::Extend(const std::string& id, Timestamp expires) {
  std::lock_guard lock(mu_);
  auto it = std::find_if(holds_.begin(), holds_.end(), [&](const Hold& h) { return h.id == id; });
  if (it == holds_.end()) return Status::NotFound("no hold " + id);
  const Timestamp before = it->expires;
  it->expires = expires;
  Status s = SaveLocked();
  if (!s.ok()) it->expires = before;
  return s;
}

std::vector<Hold> HoldStore::List() {
  std::lock_guard lock(mu_);
  return holds_;
}

std::vector<Hold> HoldStore::ActiveFor(uint64_t account, Timestamp now) {
  std::lock_guard lock(mu_);
  std::vector<Hold> out;
  for (const Hold& h : holds_) {
    if (h.account == account && h.ActiveAt(now)) out.push_back(h);
  }
  return out;
}

Result<std::vector<Hold>> HoldStore::Expire(Timestamp now) {
  std::lock_guard lock(mu_);
  std::vector<Hold> expired, kept;
  for (const Hold& h : holds_) (h.ActiveAt(now) ? kept : expired).push_back(h);
  if (expired.empty()) return expired;
  std::swap(holds_, kept);
  Status s = SaveLocked();
  if (!s.ok()) {
    std::swap(holds_, kept);
    return s;
  }
  return expired;
}

Status HoldStore::AddPendingDeletion(uint64_t account) {
  std::lock_guard lock(mu_);
  if (std::find(pending_deletions_.begin(), pending_deletions_.end(), account) !=
      pending_deletions_.end()) {
    return Status::Ok();
  }
  pending_deletions_.push_back(account);
  Status s = SaveLocked();
  if (!s.ok()) pending_deletions_.pop_back();
  return s;
}

Status HoldStore::RemovePendingDeletion(uint64_t account) {
  std::lock_guard lock(mu_);
  auto it = std::find(pending_deletions_.begin(), pending_deletions_.end(), account);
  if (it == pending_deletions_.end()) return Status::Ok();
  pending_deletions_.erase(it);
  Status s = SaveLocked();
  if (!s.ok()) pending_deletions_.push_back(account);
  return s;
}

std::vector<uint64_t> HoldStore::PendingDeletions() {
  std::lock_guard lock(mu_);
  return pending_deletions_;
}

}  // namespace custodian::vault
