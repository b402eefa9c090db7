// Interned strings of one open partition or one ingest batch (device ids, event ids): each
// distinct string is kept once and named by a small id. Not thread-safe: its owner's lock
// guards it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace custodian::vault {

// Where packed events' device and event ids (ids ≥ 1) are looked up when they are encoded.
class StringSource {
 public:
  virtual ~StringSource() = default;
  virtual std::string_view Get(uint32_t id) const = 0;
};

class StringPool final : public StringSource {
 public:
  StringPool() = default;
  StringPool(StringPool&&) = default;
  StringPool& operator=(StringPool&&) = default;

  // Returns the id + 1 of `s`, adding it when new.
  uint32_t Intern(std::string_view s) {
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    const std::string_view kept = Copy(s);
    views_.push_back(kept);
    const uint32_t id = static_cast<uint32_t>(views_.size());
    ids_.emplace(kept, id);
    return id;
  }
  // The string of an id returned by Intern (id ≥ 1).
  std::string_view Get(uint32_t id) const override { return views_[id - 1]; }
  size_t size() const { return views_.size(); }

 private:
  // Strings are copied into blocks that never move (a device id is some 16 to 36 bytes: one
  // allocation each would be most of the cost of interning it).
  static constexpr size_t kBlockBytes = 64 << 10;

  std::string_view Copy(std::string_view s) {
    if (s.size() > kBlockBytes / 4) {  // a long string gets a block of its own
      big_.push_back(std::make_unique<char[]>(s.size()));
      std::copy(s.begin(), s.end(), big_.back().get());
      return {big_.back().get(), s.size()};
    }
    if (blocks_.empty() || used_ + s.size() > kBlockBytes) {
      blocks_.push_back(std::make_unique<char[]>(kBlockBytes));
      used_ = 0;
    }
    char* at = blocks_.back().get() + used_;
    std::copy(s.begin(), s.end(), at);
    used_ += s.size();
    return {at, s.size()};
  }

  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<std::unique_ptr<char[]>> big_;
  size_t used_ = 0;
  std::vector<std::string_view> views_;
  std::unordered_map<std::string_view, uint32_t> ids_;
};

}  // namespace custodian::vault
