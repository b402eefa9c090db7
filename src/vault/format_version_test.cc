#include "vault/format_version.h"

#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "vault/vault_test_fixture.h"

namespace custodian::vault {
namespace {

TEST_F(VaultTest, AVaultOfFormatOneIsRaisedByItsFirstWriterAndReadersChangeNothing) {
  const fs::path format = fs::path(dir_) / "vault/FORMAT";
  EXPECT_EQ(ReadBytes(format), "custodian vault format 3\n") << "a new vault is of the newest";
  fs::remove(format);  // as a vault made before the file was
  const auto before = Snapshot();
  Reopen();
  EXPECT_TRUE(Read(7).empty());
  EXPECT_EQ(Snapshot(), before) << "a reader changes nothing";

  Ingest(Event(7, "2026-03-12T10:00:00Z", "203.0.113.5",
               ", \"device_id\": \"550e8400-e29b-41d4-a716-446655440000\""));
  EXPECT_EQ(ReadBytes(format), "custodian vault format 3\n") << "raised by the first write";
  ASSERT_TRUE(vault_->Seal().ok());
  Reopen();
  const auto records =
      Read(7, "2026-03-01T00:00:00Z", "2026-03-21T00:00:00Z", {Category::kAccessLog, Category::kDevice});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].device_id, "550e8400-e29b-41d4-a716-446655440000");
}

TEST_F(VaultTest, ANewerOrDamagedFormatIsRefusedBeforeAnythingIsRead) {
  vault_.reset();
  const fs::path format = fs::path(dir_) / "vault/FORMAT";
  for (const auto& [text, code, message] : std::vector<std::tuple<std::string, Status::Code, std::string>>{
           {"custodian vault format 4\n", Status::Code::kFailedPrecondition,
            "/vault/FORMAT: the vault is of format 4, written by a newer custodian; this one reads "
            "formats 1 to 3"},
           {"custodian vault format two\n", Status::Code::kCorruption,
            "/vault/FORMAT: line 1: not \"custodian vault format N\""},
           {"custodian vault format 2", Status::Code::kCorruption,
            "/vault/FORMAT: line 1: not \"custodian vault format N\""},
           {"custodian vault format 0\n", Status::Code::kCorruption,
            "/vault/FORMAT: line 1: not \"custodian vault format N\""},
       }) {
    SCOPED_TRACE(text);
    std::ofstream(format, std::ios::trunc) << text;
    const auto before = Snapshot();
    auto opened = EmbeddedVault::Open(dir_, master_, options_);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().code(), code);
    EXPECT_EQ(opened.status().message(), dir_ + message);
    EXPECT_EQ(Snapshot(), before);
  }
}

}  // namespace
}  // namespace custodian::vault
