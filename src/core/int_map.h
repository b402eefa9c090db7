// A hash map from 64-bit integers to small values, in one array (open addressing, linear
// probing, deletion by shifting back): a lookup touches one or two cache lines where
// std::unordered_map follows a bucket and then a node. For the hot maps of ingest (an
// account's key in the key cache, its events in a memtable), which hold up to millions of
// entries and are looked up for every account of every batch. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace custodian {

template <typename V>
class IntMap {
 public:
  // The value of `key`, or null. Valid until the map next changes.
  V* Find(uint64_t key) {
    if (slots_.empty()) return nullptr;
    for (size_t i = Home(key);; i = Next(i)) {
      Slot& s = slots_[i];
      if (!s.used) return nullptr;
      if (s.key == key) return &s.value;
    }
  }
  const V* Find(uint64_t key) const { return const_cast<IntMap*>(this)->Find(key); }

  // The value of `key`, added as `value` when absent; `added` says which.
  V& FindOrAdd(uint64_t key, const V& value, bool& added) {
    if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
    size_t i = Home(key);
    for (; slots_[i].used; i = Next(i)) {
      if (slots_[i].key == key) {
        added = false;
        return slots_[i].value;
      }
    }
    slots_[i] = Slot{key, value, true};
    ++size_;
    added = true;
    return slots_[i].value;
  }
  void Set(uint64_t key, const V& value) {
    bool added;
    FindOrAdd(key, value, added) = value;
  }

  // Removes `key`; false when absent.
  bool Erase(uint64_t key) {
    if (slots_.empty()) return false;
    size_t i = Home(key);
    for (; slots_[i].used; i = Next(i)) {
      if (slots_[i].key == key) break;
    }
    if (!slots_[i].used) return false;
    // Shift back the entries after it that probed past it, so that every entry stays
    // reachable from its home without tombstones.
    for (size_t j = Next(i);; j = Next(j)) {
      if (!slots_[j].used) break;
      const size_t home = Home(slots_[j].key);
      // j's entry may fill the hole at i unless its home lies cyclically in (i, j].
      const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) {
        slots_[i] = std::move(slots_[j]);
        i = j;
      }
    }
    slots_[i] = Slot{};
    --size_;
    return true;
  }

  // Calls `f(key, value)` for every entry, in no particular order; `f` must not change the map.
  template <typename F>
  void ForEach(F&& f) {
    for (Slot& s : slots_) {
      if (s.used) f(s.key, s.value);
    }
  }
  template <typename F>
  void ForEach(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.used) f(s.key, s.value);
    }
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void Clear() {
    slots_.clear();
    slots_.shrink_to_fit();
    size_ = 0;
  }

 private:
  struct Slot {
    uint64_t key = 0;
    V value{};
    bool used = false;
  };

  // Account ids and slot numbers are often sequential: the key is mixed (the finalizer of
  // SplitMix64) so that they spread over the table.
  size_t Home(uint64_t key) const {
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9ULL;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebULL;
    key ^= key >> 31;
    return static_cast<size_t>(key) & (slots_.size() - 1);
  }
  size_t Next(size_t i) const { return (i + 1) & (slots_.size() - 1); }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
    size_ = 0;
    bool added;
    for (Slot& s : old) {
      if (s.used) FindOrAdd(s.key, s.value, added);
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace custodian
