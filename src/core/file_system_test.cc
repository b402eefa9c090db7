#include "core/file_system.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include "core/testing/faulty_file_system.h"

namespace custodian {
namespace {

class FileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/custodian_fs_test_XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string dir_;
};

TEST_F(FileSystemTest, AppendsReadsAndReplacesAtomically) {
  FileSystem& fs = PosixFileSystem();
  const std::string path = JoinPath(dir_, "a/b/file");
  ASSERT_TRUE(fs.CreateDirs(JoinPath(dir_, "a/b")).ok());
  auto f = fs.OpenAppend(path, false);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("hello ").ok());
  ASSERT_TRUE((*f)->Append("world").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  EXPECT_EQ((*f)->Size(), 11u);
  EXPECT_EQ(*fs.ReadAll(path), "hello world");
  ASSERT_TRUE(fs.WriteAt(path, 0, "HELLO").ok());
  EXPECT_EQ(*fs.ReadAll(path), "HELLO world");
  ASSERT_TRUE(fs.WriteAtomically(path, "replaced").ok());
  EXPECT_EQ(*fs.ReadAll(path), "replaced");
  EXPECT_FALSE(fs.Exists(path + ".tmp"));
  auto r = fs.OpenRead(path);
  ASSERT_TRUE(r.ok());
  std::string out;
  EXPECT_TRUE((*r)->Read(2, 3, out).ok());
  EXPECT_EQ(out, "pla");
  EXPECT_EQ((*r)->Read(5, 10, out).code(), Status::Code::kCorruption);
  EXPECT_EQ(*fs.List(JoinPath(dir_, "a/b")), std::vector<std::string>{"file"});
}

// A created file is written at its end and, where a format goes back to fill in a header,
// anywhere; a faulty file system fails either kind of write.
TEST_F(FileSystemTest, CreatedFilesAreWrittenAtAnyOffset) {
  testing::FaultyFileSystem fs;
  const std::string path = JoinPath(dir_, "zip");
  auto f = fs.Create(path);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("head----").ok());
  ASSERT_TRUE((*f)->Append("data").ok());
  ASSERT_TRUE((*f)->WriteAt(4, "HEAD").ok());
  ASSERT_TRUE((*f)->Append("!").ok());
  EXPECT_EQ((*f)->Size(), 13u);
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_EQ(*fs.ReadAll(path), "headHEADdata!");
  auto again = fs.Create(path);  // replaces it
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*fs.ReadAll(path), "");
  fs.FailAppendAfter(0, /*disk_full=*/true);
  EXPECT_EQ((*again)->WriteAt(0, "x").message(), path + ": No space left on device (disk full)");
  auto appending = PosixFileSystem().OpenAppend(path, false);
  ASSERT_TRUE(appending.ok());
  EXPECT_EQ((*appending)->WriteAt(0, "x").code(), Status::Code::kInternal) << "O_APPEND would append it";
}

TEST_F(FileSystemTest, ErrorsNameThePath) {
  FileSystem& fs = PosixFileSystem();
  auto r = fs.ReadAll(JoinPath(dir_, "missing"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), JoinPath(dir_, "missing") + ": No such file or directory");
}

TEST_F(FileSystemTest, FaultyFileSystemTearsWritesAndForgetsUnsyncedBytes) {
  testing::FaultyFileSystem fs;
  const std::string path = JoinPath(dir_, "log");
  auto f = fs.OpenAppend(path, false);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("durable|").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Append("volatile").ok());
  fs.FailAppendAfter(0, true);
  Status s = (*f)->Append("12345678");
  EXPECT_EQ(s.message(), path + ": No space left on device (disk full)");
  EXPECT_EQ(*fs.ReadAll(path), "durable|volatile1234");  // half of the failed write landed
  fs.FailSyncAfter(0);
  EXPECT_FALSE((*f)->Sync().ok());
  ASSERT_TRUE(fs.DropUnsyncedData().ok());
  EXPECT_EQ(*fs.ReadAll(path), "durable|");
  EXPECT_EQ(fs.appends(), 3);
  EXPECT_EQ(fs.syncs(), 2);
}

}  // namespace
}  // namespace custodian
