// The key store's slots past its index, found by keyed tag (docs/vault_format.md, "Account
// keys at scale"), with the live account each holds once an address lookup has asked. One
// array of 16-byte entries, open addressing, linear probing, deletion by shifting back (as
// core/int_map.h): ingest looks up every account of every batch here when its key is not
// cached, and a node-based multimap cost a cache miss and an allocation per slot, and some 72
// bytes each, for up to an eighth of the accounts. Two accounts' 64-bit tags may collide:
// entries may share a tag, and a lookup visits every entry of its tag's run. The owners are
// kept apart, by slot, for the slots asked about only. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "core/int_map.h"

namespace custodian::vault {

class TailSlots {
 public:
  using Owner = std::pair<uint64_t, uint32_t>;  // a live account and its tag's check bits

  struct Entry {
    uint64_t tag = 0;
    uint64_t slot_plus_one = 0;  // 0: an empty place

    bool used() const { return slot_plus_one != 0; }
    uint64_t slot() const { return slot_plus_one - 1; }
  };

  void Add(uint64_t tag, uint64_t slot) {
    if ((size_ + 1) * 4 > entries_.size() * 3) Resize(entries_.empty() ? 16 : entries_.size() * 2);
    size_t i = Home(tag);
    while (entries_[i].used()) i = Next(i);
    entries_[i] = Entry{tag, slot + 1};
    ++size_;
  }

  // Calls `f(slot)` for every slot of `tag`.
  template <typename F>
  void ForTag(uint64_t tag, F&& f) const {
    if (entries_.empty()) return;
    for (size_t i = Home(tag); entries_[i].used(); i = Next(i)) {
      if (entries_[i].tag == tag) f(entries_[i].slot());
    }
  }

  // The live account slot `slot` holds, when an address lookup has asked before.
  std::optional<Owner> OwnerOf(uint64_t slot) const {
    const Owner* o = owners_.Find(slot);
    return o ? std::optional<Owner>(*o) : std::nullopt;
  }
  void SetOwner(uint64_t slot, Owner owner) { owners_.Set(slot, owner); }
  void ForgetOwner(uint64_t slot) { owners_.Erase(slot); }
  void ForgetOwners() { owners_.Clear(); }

  // Removes the entry of `tag` for `slot`; false when there is none.
  bool Erase(uint64_t tag, uint64_t slot) {
    if (entries_.empty()) return false;
    size_t i = Home(tag);
    for (; entries_[i].used(); i = Next(i)) {
      if (entries_[i].tag == tag && entries_[i].slot() == slot) break;
    }
    if (!entries_[i].used()) return false;
    owners_.Erase(slot);
    // Shift back the entries after it that probed past it, so that every entry stays
    // reachable from its home without tombstones.
    for (size_t j = Next(i); entries_[j].used(); j = Next(j)) {
      const size_t home = Home(entries_[j].tag);
      // j's entry may fill the hole at i unless its home lies cyclically in (i, j].
      const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) {
        entries_[i] = entries_[j];
        i = j;
      }
    }
    entries_[i] = Entry{};
    --size_;
    return true;
  }

  // Removes every entry of a slot numbered below `slot` (a new index covers them), and gives
  // back the memory they took.
  void EraseBelow(uint64_t slot) {
    std::vector<Entry> kept;
    for (const Entry& e : entries_) {
      if (e.used() && e.slot() >= slot) kept.push_back(e);
    }
    size_t capacity = 16;
    while (kept.size() * 4 > capacity * 3) capacity *= 2;
    entries_.clear();
    entries_.shrink_to_fit();
    size_ = 0;
    Resize(capacity);
    for (const Entry& e : kept) Add(e.tag, e.slot());
    IntMap<Owner> owners;
    owners_.ForEach([&](uint64_t s, const Owner& o) {
      if (s >= slot) owners.Set(s, o);
    });
    owners_ = std::move(owners);
  }

  // Calls `f(tag, slot)` for every entry, in no particular order.
  template <typename F>
  void ForEach(F&& f) const {
    for (const Entry& e : entries_) {
      if (e.used()) f(e.tag, e.slot());
    }
  }

  size_t size() const { return size_; }
  size_t memory_bytes() const { return entries_.capacity() * sizeof(Entry); }
  void Clear() {
    entries_.clear();
    entries_.shrink_to_fit();
    size_ = 0;
    owners_.Clear();
  }

 private:
  // Tags are keyed hashes: their low bits are already uniform.
  size_t Home(uint64_t tag) const { return static_cast<size_t>(tag) & (entries_.size() - 1); }
  size_t Next(size_t i) const { return (i + 1) & (entries_.size() - 1); }

  void Resize(size_t capacity) {
    std::vector<Entry> old = std::move(entries_);
    entries_.assign(capacity, Entry{});
    size_ = 0;
    for (const Entry& e : old) {
      if (e.used()) Add(e.tag, e.slot());
    }
  }

  std::vector<Entry> entries_;
  size_t size_ = 0;
  IntMap<Owner> owners_;  // by slot
};

}  // namespace custodian::vault
