// The case store's sealed values on both backends: a store written before they were sealed
// is sealed in place by its migration (and nothing of it is left in clear in the database's
// bytes), a sealed value moved to another row does not open, and a store's keys open only
// under its instance's master key.
#include "cases/store/sealed_columns.h"

#include <soci/soci.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cases/case_store.h"
#include "cases/ledgers/audit_log.h"
#include "cases/migrations.h"
#include "cases/store/test_store.h"
#include "core/sha256.h"
#include "instance/test_instance.h"

namespace custodian::cases {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The store's bytes as someone who took them would read them: the SQLite file and its WAL,
// or a dump of the PostgreSQL database.
std::string RawBytes(Backend backend, const std::string& url) {
  if (backend == Backend::kSqlite) {
    const std::string path = url.substr(7);
    return ReadFile(path) + ReadFile(path + "-wal");
  }
  const std::string out = ::testing::TempDir() + "/store_dump.sql";
  EXPECT_EQ(std::system(("pg_dump '" + url.substr(11) + "' > " + out).c_str()), 0);
  return ReadFile(out);
}

std::vector<std::string> Found(const std::string& bytes, const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& v : values) {
    if (bytes.find(v) != std::string::npos) out.push_back(v);
  }
  return out;
}

class SealedColumnsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { CUSTODIAN_REQUIRE_BACKEND(GetParam()); }
  vault::SecretKey master_ = vault::SecretKey::Random();
};

// What an older custodian wrote in clear, one row of each table that holds personal values.
constexpr char kEmail[] = "ana.perez@example.net";
constexpr char kAccount[] = "2000042";
const std::string kRequest = std::string(R"({"targets":[{"type":"email","value":")") + kEmail +
                             R"("},{"type":"account_id","value":"2000042"}]})";
const std::string kDecision = std::string(R"({"authorized":{"targets":[{"type":"email","value":")") +
                              kEmail + R"("}]}})";
const std::string kScope = std::string(R"({"targets":[{"type":"email","value":")") + kEmail + R"("}]})";
const std::string kDetail = std::string(R"({"resolved":")") + kEmail + R"(","accounts":[2000042]})";
const std::string kFingerprint = Sha256Hex("agency\nsubpoena\nemail:ana.perez@example.net");

TEST_P(SealedColumnsTest, AnOlderStoresPersonalValuesAreSealedInPlaceAndLeaveNoTrace) {
  TestStore store(GetParam());
  {
    auto db = Database::Connect(store.Url());
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE((*db)->Migrate(Migrations(), master_, 11).ok());
    Status written = (*db)->Transaction([&](soci::session& sql) {
      sql << "INSERT INTO cases (id, state, version, process_type, emergency, preservation, "
             "entered_by, entry, received_at, requester_verified, fingerprint, review_note, "
             "review_scope, investigation_confirmed, created_at, updated_at) VALUES "
             "('C-2026-000001', 'in_review', 1, 'subpoena', 0, 0, 'intake-1', 'staff', 1, 1, :f, "
             "'called ana.perez@example.net', :s, 0, 1, 1)",
          soci::use(kFingerprint), soci::use(kScope);
      sql << "INSERT INTO requests (case_id, version, document, sha256, entered_at, entered_by) "
             "VALUES ('C-2026-000001', 1, :d, 'x', 1, 'intake-1')",
          soci::use(kRequest);
      sql << "INSERT INTO decisions (case_id, seq, version, reason, action, document, "
             "standards_sha256, taken_at) VALUES ('C-2026-000001', 1, 1, 'intake', 'produce', :d, "
             "'s', 1)",
          soci::use(kDecision);
      sql << "INSERT INTO verifications (case_id, seq, method, actor, verified_at, phone, note) "
             "VALUES ('C-2026-000001', 1, 'callback', 'intake-1', 1, '+1 202 555 0100', "
             "'asked about ana.perez@example.net')";
      sql << "INSERT INTO holds (id, case_id, account, placed_by, placed_at, expires_at, "
             "extensions, state) VALUES ('C-2026-000001-H1', 'C-2026-000001', 2000042, "
             "'reviewer-1', 1, 2, 0, 'active')";
      sql << "INSERT INTO notices (id, case_id, account, payload, timing, state, not_before, "
             "attempts, next_attempt_at, created_at) VALUES ('N-1', 'C-2026-000001', '2000042', "
             "'{\"account_id\":\"2000042\"}', 'before_production', 'pending', 1, 0, 1, 1)";
      sql << "INSERT INTO attachments (case_id, sha256, name, media_type, bytes, uploaded_by, "
             "uploaded_at) VALUES ('C-2026-000001', 'abc', 'subpoena-ana.perez@example.net.pdf', "
             "'application/pdf', 10, 'intake-1', 1)";
      sql << "INSERT INTO audit (seq, at, actor, case_id, action, detail_sha256) VALUES "
             "(1, 1, 'reviewer-1', 'C-2026-000001', 'resolve', 'x')";
      sql << "INSERT INTO audit_details (seq, detail, account) VALUES (1, :d, '2000042')",
          soci::use(kDetail);
      return Status::Ok();
    });
    ASSERT_TRUE(written.ok()) << written.message();
  }
  ASSERT_THAT(Found(RawBytes(GetParam(), store.Url()), {kEmail, kAccount}), ::testing::Not(IsEmpty()));

  auto db = Database::Open(store.Url(), master_, Migrations());  // migration 12 seals them
  ASSERT_TRUE(db.ok()) << db.status().message();
  EXPECT_EQ((*db)->schema_version(), Migrations().back().version);
  Status read = (*db)->Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    auto c = tx.GetCase("C-2026-000001");
    EXPECT_TRUE(c.ok());
    EXPECT_EQ(c->review_note, "called ana.perez@example.net");
    EXPECT_EQ(c->review_scope, kScope);
    // A new submission's fingerprint (the keyed tag of the same SHA-256) finds it.
    EXPECT_EQ(c->fingerprint, tx.Tag(kFingerprintTag, kFingerprint));
    EXPECT_EQ(tx.OpenCasesWithFingerprint(tx.Tag(kFingerprintTag, kFingerprint), ""),
              std::vector<std::string>{"C-2026-000001"});
    EXPECT_EQ(tx.LatestRequest("C-2026-000001")->document, kRequest);
    EXPECT_EQ(tx.Decisions("C-2026-000001").at(0).document, kDecision);
    EXPECT_EQ(tx.Verifications("C-2026-000001").at(0).note, "asked about ana.perez@example.net");
    EXPECT_EQ(tx.Verifications("C-2026-000001").at(0).phone, "+1 202 555 0100");
    EXPECT_EQ(tx.Holds().at(0).account, 2000042u);
    EXPECT_EQ(tx.Notices().at(0).account, kAccount);
    EXPECT_EQ(tx.Notices().at(0).payload, "{\"account_id\":\"2000042\"}");
    EXPECT_EQ(tx.Attachments("C-2026-000001").at(0).name, "subpoena-ana.perez@example.net.pdf");
    EXPECT_EQ(tx.AuditOf("C-2026-000001").at(0).detail, kDetail);
    return Status::Ok();
  });
  ASSERT_TRUE(read.ok()) << read.message();
  // Not a byte of them is left in clear: the rows, the free pages, the WAL's old frames.
  EXPECT_THAT(Found(RawBytes(GetParam(), store.Url()), {kEmail, kAccount}), IsEmpty());
  // The detail's account is found by its tag, and erased.
  Status erased = (*db)->Transaction([&](soci::session& sql) -> Status {
    auto n = EraseAuditDetails(sql, kAccount);
    EXPECT_TRUE(n.ok());
    EXPECT_EQ(*n, 1);
    return Status::Ok();
  });
  EXPECT_TRUE(erased.ok()) << erased.message();
  // The held account's clear column is gone.
  EXPECT_FALSE(store.ExecuteOutside("SELECT account FROM holds"));
}

TEST_P(SealedColumnsTest, ASealedValueMovedToAnotherRowDoesNotOpen) {
  ManualClock clock(ParseDateTime("2026-03-12T16:00:00Z").value());
  TestInstance instance(GetParam(), clock);
  ASSERT_TRUE(instance.Start().ok());
  auto first = instance.workflow->Submit({Example("lcpd-subpoena"), Entry::kStaff, {"intake-1"}});
  auto second = instance.workflow->Submit({Example("letter"), Entry::kStaff, {"intake-1"}});
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE(instance.store().ExecuteOutside(
      "UPDATE requests SET document = (SELECT document FROM requests WHERE case_id = '" +
      second->record.id + "') WHERE case_id = '" + first->record.id + "'"));
  auto shown = instance.workflow->Show(first->record.id, {"reviewer-1"});
  ASSERT_FALSE(shown.ok());
  EXPECT_EQ(shown.status().code(), Status::Code::kCorruption);
  EXPECT_EQ(shown.status().message(),
            "case store: the sealed value of requests.document " + first->record.id +
                " 1 does not open (changed, moved, or sealed under other keys)");
  EXPECT_TRUE(instance.workflow->Show(second->record.id, {"reviewer-1"}).ok());
}

TEST_P(SealedColumnsTest, AStoresKeysOpenOnlyUnderItsMasterKey) {
  TestStore store(GetParam());
  ASSERT_TRUE(Database::Open(store.Url(), master_, Migrations()).ok());
  auto other = Database::Open(store.Url(), vault::SecretKey::Random(), Migrations());
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().message(),
            "case store: its keys do not open under this master key (the store is another "
            "instance's, or its values key was changed)");
  EXPECT_TRUE(Database::Open(store.Url(), master_, Migrations()).ok());
}

INSTANTIATE_TEST_SUITE_P(Stores, SealedColumnsTest, ::testing::ValuesIn(TestBackends()),
                         BackendName);

}  // namespace
}  // namespace custodian::cases
