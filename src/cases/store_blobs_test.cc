// The blob stores an instance keeps its sealed files in, held to one contract: the files of a
// directory, and rows of the case store on SQLite and on PostgreSQL. What is committed comes
// back byte for byte at any offset; nothing is seen before Commit, and a writer dropped
// uncommitted leaves the name as it was; a commit replaces, a removal removes. Then what only
// the case store does: another server reads what one wrote, abandoned uploads are dropped, a
// chunk altered or lost is a corruption, a package kept there opens and holds no plaintext.
#include "cases/store_blobs.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cases/migrations.h"
#include "cases/package_store.h"
#include "cases/store/test_store.h"
#include "core/base64.h"
#include "core/clock.h"

namespace custodian::cases {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

enum class Where { kDirectory, kSqlite, kPostgres };

std::string WhereName(const ::testing::TestParamInfo<Where>& info) {
  switch (info.param) {
    case Where::kDirectory: return "directory";
    case Where::kSqlite: return "sqlite";
    case Where::kPostgres: return "postgres";
  }
  return "";
}

std::string Pattern(size_t n, int seed = 0) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7 + static_cast<size_t>(seed)) & 0xff);
  return s;
}

class BlobStoreTest : public ::testing::TestWithParam<Where> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("custodian_blobs_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    if (GetParam() == Where::kDirectory) {
      blobs_ = std::make_unique<DirectoryBlobs>((dir_ / "packages").string());
      return;
    }
    const Backend backend = GetParam() == Where::kSqlite ? Backend::kSqlite : Backend::kPostgres;
    CUSTODIAN_REQUIRE_BACKEND(backend);
    store_ = std::make_unique<TestStore>(backend);
    db_ = store_->Open(Migrations());
    ASSERT_TRUE(db_);
    blobs_ = std::make_unique<StoreBlobs>(*db_, "packages");
  }
  void TearDown() override {
    blobs_.reset();
    db_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  Status Put(const std::string& name, const std::string& bytes, size_t piece = 100'000) {
    auto w = blobs_->Create(name);
    if (!w.ok()) return w.status();
    for (size_t at = 0; at < bytes.size(); at += piece) {
      if (Status s = (*w)->Append(std::string_view(bytes).substr(at, piece)); !s.ok()) return s;
    }
    return (*w)->Commit();
  }
  Result<std::string> Get(const std::string& name) {
    auto f = blobs_->Open(name);
    if (!f.ok()) return f.status();
    std::string out;
    if (Status s = (*f)->Read(0, (*f)->Size(), out); !s.ok()) return s;
    return out;
  }
  // Rows of a table of the case store.
  long long Rows(const std::string& table) {
    long long n = -1;
    EXPECT_TRUE(db_->Transaction([&](soci::session& sql) {
      sql << "SELECT COUNT(*) FROM " + table, soci::into(n);
      return Status::Ok();
    }).ok());
    return n;
  }

  fs::path dir_;
  std::unique_ptr<TestStore> store_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<BlobStore> blobs_;
};

TEST_P(BlobStoreTest, WhatIsCommittedComesBackAtAnyOffset) {
  const size_t mib = StoreBlobs::kChunkBytes;
  for (size_t n : {size_t{0}, size_t{1}, mib - 1, mib, mib + 1, 2 * mib + mib / 2 + 17}) {
    const std::string name = "P-" + std::to_string(n) + ".zip.sealed";
    const std::string bytes = Pattern(n);
    ASSERT_TRUE(Put(name, bytes).ok()) << n;
    EXPECT_TRUE(blobs_->Exists(name));
    auto back = Get(name);
    ASSERT_TRUE(back.ok()) << n << ": " << back.status().message();
    EXPECT_EQ(*back, bytes) << n;
  }
  // Reads across chunk boundaries, and past the end.
  const std::string bytes = Pattern(2 * mib + 100);
  ASSERT_TRUE(Put("across", bytes, mib / 3).ok());
  auto f = blobs_->Open("across");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->Size(), bytes.size());
  std::string out;
  for (const auto& [at, n] : {std::pair<size_t, size_t>{mib - 10, 20}, {0, 5}, {2 * mib - 1, 101}, {mib, mib}}) {
    ASSERT_TRUE((*f)->Read(at, n, out).ok()) << at;
    EXPECT_EQ(out, bytes.substr(at, n)) << at;
  }
  EXPECT_FALSE((*f)->Read(2 * mib + 50, 51, out).ok());
  EXPECT_EQ(blobs_->Open("none").status().code(), Status::Code::kNotFound);
  EXPECT_FALSE(blobs_->Exists("none"));
  EXPECT_THAT(blobs_->Describe("x.sealed"), HasSubstr("packages"));
}

TEST_P(BlobStoreTest, NothingIsSeenBeforeCommitAndACommitReplaces) {
  ASSERT_TRUE(Put("a", Pattern(3000, 1)).ok());
  {
    auto w = blobs_->Create("a");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(Pattern(StoreBlobs::kChunkBytes + 5, 2)).ok());
    EXPECT_EQ(*Get("a"), Pattern(3000, 1)) << "uncommitted";
    auto fresh = blobs_->Create("b");
    ASSERT_TRUE(fresh.ok());
    ASSERT_TRUE((*fresh)->Append("xyz").ok());
    EXPECT_FALSE(blobs_->Exists("b"));
  }  // both dropped uncommitted
  EXPECT_EQ(*Get("a"), Pattern(3000, 1));
  EXPECT_FALSE(blobs_->Exists("b"));
  ASSERT_TRUE(Put("a", Pattern(StoreBlobs::kChunkBytes + 7, 3)).ok());
  EXPECT_EQ(*Get("a"), Pattern(StoreBlobs::kChunkBytes + 7, 3));
  ASSERT_TRUE(blobs_->Remove("a").ok());
  EXPECT_FALSE(blobs_->Exists("a"));
  EXPECT_EQ(Get("a").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(blobs_->Remove("a").ok()) << "removing none";
  if (db_) {
    EXPECT_EQ(Rows("blob_chunks"), 0) << "no chunk of a dropped writer, a replaced or a removed blob";
    EXPECT_EQ(Rows("blob_uploads"), 0);
  } else {
    EXPECT_TRUE(fs::is_empty(dir_ / "packages")) << "no temporary file left";
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, BlobStoreTest,
                         ::testing::Values(Where::kDirectory, Where::kSqlite, Where::kPostgres), WhereName);

class StoreBlobsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    CUSTODIAN_REQUIRE_BACKEND(GetParam());
    store_ = std::make_unique<TestStore>(GetParam());
    db_ = store_->Open(Migrations());
    ASSERT_TRUE(db_);
  }

  std::unique_ptr<TestStore> store_;
  std::unique_ptr<Database> db_;
  ManualClock clock_{ParseDateTime("2026-03-12T16:00:00Z").value()};
};

// Two servers of the store: a package one kept, the other serves; one's abandoned upload (it
// died writing) goes a day later, never one being written or committed.
TEST_P(StoreBlobsTest, EveryServerReadsWhatOneKeptAndAbandonedUploadsGo) {
  auto second_db = store_->Open(Migrations());
  ASSERT_TRUE(second_db);
  const vault::SecretKey key = vault::SecretKey::Random();
  PackageStore first(std::make_unique<StoreBlobs>(*db_, "packages", clock_), key);
  PackageStore second(std::make_unique<StoreBlobs>(*second_db, "packages", clock_), key);
  const std::string zip = (fs::temp_directory_path() / ("custodian_blob_zip_" + std::to_string(::getpid()))).string();
  const std::string bytes = Pattern(3 * StoreBlobs::kChunkBytes / 2);
  std::ofstream(zip, std::ios::binary) << bytes;
  auto stored = first.Put("P-2026-000001", zip);
  fs::remove(zip);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  auto reader = second.Open("P-2026-000001");
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  std::string all, chunk;
  while (*(*reader)->Next(chunk)) all += chunk;
  EXPECT_EQ(all, bytes);

  // The store holds ciphertext only.
  std::string stored_text;
  ASSERT_TRUE(db_->Transaction([&](soci::session& sql) {
    soci::rowset<std::string> rows = sql.prepare << "SELECT data FROM blob_chunks";
    for (const std::string& r : rows) stored_text += *Base64Decode(r);
    return Status::Ok();
  }).ok());
  EXPECT_GT(stored_text.size(), bytes.size());
  EXPECT_EQ(stored_text.find(bytes.substr(1000, 64)), std::string::npos);

  StoreBlobs blobs(*second_db, "attachments", clock_);
  auto abandoned = blobs.Create("C-1-x.sealed");
  ASSERT_TRUE(abandoned.ok());
  ASSERT_TRUE((*abandoned)->Append(Pattern(StoreBlobs::kChunkBytes + 1)).ok());
  EXPECT_EQ(*DropAbandonedUploads(*db_, clock_.Now()), 0) << "started now";
  EXPECT_EQ(*DropAbandonedUploads(*db_, Timestamp{clock_.Now().micros + 1}), 1);
  const Status late = (*abandoned)->Commit();
  EXPECT_EQ(late.code(), Status::Code::kFailedPrecondition) << "a dropped upload does not commit";
  EXPECT_THAT(late.message(), HasSubstr("dropped as abandoned"));
  EXPECT_FALSE(blobs.Exists("C-1-x.sealed"));
  EXPECT_TRUE(second.Has("P-2026-000001")) << "a committed blob is never abandoned";
}

TEST_P(StoreBlobsTest, AChunkAlteredOrLostIsACorruption) {
  StoreBlobs blobs(*db_, "packages", clock_);
  const std::string bytes = Pattern(2 * StoreBlobs::kChunkBytes + 3);
  auto w = blobs.Create("b");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append(bytes).ok());
  ASSERT_TRUE((*w)->Commit().ok());
  ASSERT_TRUE(store_->ExecuteOutside("UPDATE blob_chunks SET data = 'AAAA' WHERE seq = 1"));
  std::string out;
  auto f = blobs.Open("b");
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE((*f)->Read(0, 100, out).ok());
  Status s = (*f)->Read(StoreBlobs::kChunkBytes, 10, out);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("chunk 1 is not the size its blob says"));
  ASSERT_TRUE(store_->ExecuteOutside("DELETE FROM blob_chunks WHERE seq = 2"));
  s = (*f)->Read(2 * StoreBlobs::kChunkBytes, 3, out);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("case store: blob packages/b: chunk 2 is missing"));
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreBlobsTest, ::testing::ValuesIn(TestBackends()), BackendName);

}  // namespace
}  // namespace custodian::cases
