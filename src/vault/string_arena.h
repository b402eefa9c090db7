// Copies of strings in blocks that never move, each handed back as a view that stays valid
// for the arena's life (moves included): one allocation per block rather than per string,
// for the device and event ids that ingest keeps by the million. Not thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace custodian::vault {

class StringArena {
 public:
  // A copy of `s`, kept until the arena goes.
  std::string_view Copy(std::string_view s) {
    if (s.size() > kBlockBytes / 4) {  // a long string gets a block of its own
      blocks_.push_back(std::make_unique<char[]>(s.size()));
      std::copy(s.begin(), s.end(), blocks_.back().get());
      return {blocks_.back().get(), s.size()};
    }
    if (!current_ || used_ + s.size() > kBlockBytes) {
      blocks_.push_back(std::make_unique<char[]>(kBlockBytes));
      current_ = blocks_.back().get();
      used_ = 0;
    }
    char* at = current_ + used_;
    std::copy(s.begin(), s.end(), at);
    used_ += s.size();
    return {at, s.size()};
  }

 private:
  static constexpr size_t kBlockBytes = 64 << 10;

  std::vector<std::unique_ptr<char[]>> blocks_;
  char* current_ = nullptr;  // the block being filled (one of blocks_)
  size_t used_ = 0;
};

}  // namespace custodian::vault
