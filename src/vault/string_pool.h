// Interned strings of one open partition (device ids, event ids): each distinct string is
// kept once and named by a small id. Not thread-safe: its partition's lock guards it.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace custodian::vault {

// Where packed events' device and event ids (ids ≥ 1) are looked up when they are encoded.
class StringSource {
 public:
  virtual ~StringSource() = default;
  virtual std::string_view Get(uint32_t id) const = 0;
};

class StringPool final : public StringSource {
 public:
  // Returns the id + 1 of `s`, adding it when new.
  uint32_t Intern(std::string_view s) {
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    strings_.emplace_back(s);
    const uint32_t id = static_cast<uint32_t>(strings_.size());
    ids_.emplace(strings_.back(), id);
    return id;
  }
  // The string of an id returned by Intern (id ≥ 1).
  std::string_view Get(uint32_t id) const override { return strings_[id - 1]; }
  size_t size() const { return strings_.size(); }

 private:
  std::deque<std::string> strings_;  // a deque keeps the views in ids_ valid as it grows
  std::unordered_map<std::string_view, uint32_t> ids_;
};

}  // namespace custodian::vault
