// The sealed package store: what goes in comes out byte for byte at every size around the
// chunk boundary; a sealed file altered anywhere, cut short, lengthened, or renamed to
// another production does not open; a write that fails leaves the old state, and nothing
// half written.
#include "cases/package_store.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/sha256.h"
#include "core/testing/faulty_file_system.h"

namespace custodian::cases {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr size_t kChunk = 64 << 10;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class PackageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("custodian_packages_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  static std::string Pattern(size_t n) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
    return s;
  }
  // Reads the whole package back; the first failure's status otherwise.
  static Result<std::string> ReadBack(PackageStore& store, const std::string& production) {
    auto reader = store.Open(production);
    if (!reader.ok()) return reader.status();
    std::string all, chunk;
    while (true) {
      auto more = (*reader)->Next(chunk);
      if (!more.ok()) return more.status();
      if (!*more) return all;
      EXPECT_LE(chunk.size(), kChunk);
      all += chunk;
    }
  }
  std::string SealedPath(const std::string& production) const {
    return (dir_ / "store" / (production + ".zip.sealed")).string();
  }

  fs::path dir_;
  const vault::SecretKey key_ = vault::SecretKey::Random();
};

TEST_F(PackageStoreTest, WhatGoesInComesOutAtEverySizeAroundAChunk) {
  PackageStore store((dir_ / "store").string(), key_);
  for (size_t n : {size_t{0}, size_t{1}, kChunk - 1, kChunk, kChunk + 1, 3 * kChunk, 3 * kChunk + 17}) {
    const std::string bytes = Pattern(n);
    const std::string id = "P-2026-" + std::to_string(100000 + n);
    auto stored = store.Put(id, Write("in.zip", bytes));
    ASSERT_TRUE(stored.ok()) << stored.status().message();
    EXPECT_EQ(stored->sha256, Sha256Hex(bytes));
    EXPECT_EQ(stored->bytes, n);
    EXPECT_TRUE(store.Has(id));
    auto back = ReadBack(store, id);
    ASSERT_TRUE(back.ok()) << n << ": " << back.status().message();
    EXPECT_EQ(*back, bytes) << n;
  }
  EXPECT_EQ(store.Open("P-2026-999999").status().code(), Status::Code::kNotFound);
  EXPECT_FALSE(store.Has("P-2026-999999"));
}

TEST_F(PackageStoreTest, ASealedFileChangedAnywhereDoesNotOpen) {
  PackageStore store((dir_ / "store").string(), key_);
  const std::string bytes = Pattern(2 * kChunk + 100);
  ASSERT_TRUE(store.Put("P-2026-000001", Write("in.zip", bytes)).ok());
  const std::string path = SealedPath("P-2026-000001");
  const std::string sealed = ReadFile(path);
  EXPECT_EQ(sealed.find(bytes.substr(0, 64)), std::string::npos) << "the plaintext is not on disk";
  // A byte flipped in the magic, the header, each chunk and the last tag.
  for (size_t at : {size_t{3}, size_t{30}, size_t{100}, kChunk + 200, 2 * kChunk + 150, sealed.size() - 1}) {
    std::string changed = sealed;
    changed[at] ^= 0x01;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << changed;
    auto back = ReadBack(store, "P-2026-000001");
    EXPECT_EQ(back.status().code(), Status::Code::kCorruption) << "byte " << at;
  }
  // Cut at a chunk's end (the stream lacks its final chunk), cut mid-chunk, lengthened.
  const size_t first_chunk_end = 21 + 24 + kChunk + 17;
  for (const std::string& changed : {sealed.substr(0, first_chunk_end), sealed.substr(0, sealed.size() - 5),
                                     sealed + std::string(20, 'x')}) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << changed;
    auto back = ReadBack(store, "P-2026-000001");
    EXPECT_EQ(back.status().code(), Status::Code::kCorruption) << changed.size();
  }
  // The whole file, renamed to another production's name.
  std::ofstream(path, std::ios::binary | std::ios::trunc) << sealed;
  fs::copy_file(path, SealedPath("P-2026-000002"));
  EXPECT_THAT(ReadBack(store, "P-2026-000002").status().message(), HasSubstr("fails authentication"));
  // Another instance's key.
  PackageStore other((dir_ / "store").string(), vault::SecretKey::Random());
  EXPECT_EQ(ReadBack(other, "P-2026-000001").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(*ReadBack(store, "P-2026-000001"), bytes);
}

TEST_F(PackageStoreTest, AFailedWriteLeavesNothingHalfWritten) {
  testing::FaultyFileSystem faulty;
  PackageStore store((dir_ / "store").string(), key_, faulty);
  const std::string in = Write("in.zip", Pattern(3 * kChunk));
  faulty.FailAppendAfter(1, /*disk_full=*/true);
  EXPECT_FALSE(store.Put("P-2026-000001", in).ok());
  EXPECT_FALSE(store.Has("P-2026-000001"));
  faulty.Heal();
  faulty.FailSyncAfter(0);
  EXPECT_FALSE(store.Put("P-2026-000001", in).ok());
  EXPECT_FALSE(store.Has("P-2026-000001"));
  faulty.Heal();
  ASSERT_TRUE(store.Put("P-2026-000001", in).ok());
  EXPECT_EQ(*ReadBack(store, "P-2026-000001"), Pattern(3 * kChunk));
  for (const auto& e : fs::directory_iterator(dir_ / "store")) {
    EXPECT_EQ(e.path().extension(), ".sealed") << e.path() << " left behind";
  }
  auto absent = store.Put("P-2026-000003", (dir_ / "absent.zip").string());
  EXPECT_FALSE(absent.ok());
  EXPECT_THAT(absent.status().message(), HasSubstr("absent.zip"));
  EXPECT_FALSE(store.Has("P-2026-000003"));
}

}  // namespace
}  // namespace custodian::cases
