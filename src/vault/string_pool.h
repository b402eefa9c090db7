// Interned strings of one open partition or one ingest batch (device ids, event ids): each
// distinct string is kept once and named by a small id. Not thread-safe: its owner's lock
// guards it.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vault/string_arena.h"

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
    const std::string_view kept = arena_.Copy(s);
    views_.push_back(kept);
    const uint32_t id = static_cast<uint32_t>(views_.size());
    ids_.emplace(kept, id);
    return id;
  }
  // The string of an id returned by Intern (id ≥ 1).
  std::string_view Get(uint32_t id) const override { return views_[id - 1]; }
  size_t size() const { return views_.size(); }

 private:
  StringArena arena_;
  std::vector<std::string_view> views_;
  std::unordered_map<std::string_view, uint32_t> ids_;
};

}  // namespace custodian::vault
