// `custodian ledger monitor` end to end: the built binary against a real ApiServer started in
// this process, over each store. The test holds the instance's store and keys, so it can do
// what a dishonest operator would: rewrite history and sign it with the same key.
#include <sodium.h>

#include <httplib.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include "cases/ledgers/ledger_store.h"
#include "cases/ledgers/ledgers.h"
#include "cli/cli_test_harness.h"
#include "core/base64.h"
#include "instance/test_instance.h"
#include "ledger/tree_head.h"
#include "server/api_server.h"

namespace custodian {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class LedgerMonitorTest : public CliTest, public ::testing::WithParamInterface<cases::Backend> {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    CUSTODIAN_REQUIRE_BACKEND(GetParam());
    instance_ = std::make_unique<TestInstance>(GetParam(), clock_);
    ASSERT_TRUE(instance_->Start().ok());
    users_ = std::make_unique<server::UserStore>(*instance_->db, vault::SecretKey::Random(), clock_);
    keys_ = std::make_unique<cases::SigningKeys>(*instance_->db, vault::SecretKey::Random(), clock_);
    ledgers_ = std::make_unique<cases::Ledgers>(*instance_->db, *keys_, clock_);
    packages_ = std::make_unique<cases::PackageStore>(root_ + "/packages", vault::SecretKey::Random());
    server::ServerOptions options;
    options.port = 0;
    auto server = server::ApiServer::Start(
        {*instance_->workflow, *users_, *instance_->vault, *ledgers_, *keys_, clock_, *packages_}, options);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
    url_ = "http://127.0.0.1:" + std::to_string(server_->port());
    state_ = root_ + "/disclosures.head";
    key_file_ = root_ + "/ledger-keys.json";
  }
  void TearDown() override {
    server_.reset();
    CliTest::TearDown();
  }

  // The ledger keys as an outsider saves them, once: the "ledger" array of GET /api/v1/keys.
  void SaveKeys() {
    httplib::Client client("127.0.0.1", server_->port());
    auto r = client.Get("/api/v1/keys");
    ASSERT_TRUE(r && r->status == 200);
    std::ofstream(key_file_) << json::parse(r->body)["ledger"].dump(2);
  }
  Outcome Monitor(const std::string& extra = "") {
    return Run("ledger monitor " + url_ + " --state " + state_ + " --public-key " + key_file_ + extra);
  }
  std::string Submit(const std::string& example) {
    auto v = instance_->workflow->Submit({Example(example), cases::Entry::kStaff, {"intake-1"}});
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? v->record.id : "";
  }
  ledger::SignedTreeHead SignDisclosures() {
    clock_.Set(Timestamp{clock_.Now().micros + 60 * kMicrosPerSecond});
    auto head = ledgers_->SignHead(cases::kDisclosureLog, "test");
    EXPECT_TRUE(head.ok()) << head.status().message();
    return head.ok() ? *head : ledger::SignedTreeHead{};
  }
  // What a dishonest operator could do with the store and the signing key: change a decision
  // already published, rebuild the tree over the changed leaves, and sign it anew.
  void RewriteDisclosures() {
    ASSERT_TRUE(instance_->db->Transaction([](soci::session& sql) -> Status {
      sql << "UPDATE disclosures SET leaf = replace(leaf, '\"approved\"', '\"rejected\"')";
      // The first leaf, the request's receipt, is left as it was, and so is its head.
      sql << "DELETE FROM tree_heads WHERE log = 'disclosures' AND size > 1";
      sql << "DELETE FROM ledger_nodes WHERE log = 'disclosures'";
      sql << "UPDATE ledger_state SET size = 0, frontier = '' WHERE log = 'disclosures'";
      std::vector<std::string> leaves;
      soci::rowset<std::string> rows = (sql.prepare << "SELECT leaf FROM disclosures ORDER BY seq");
      for (const std::string& leaf : rows) leaves.push_back(leaf);
      cases::LedgerTx tx(sql);
      for (const std::string& leaf : leaves) {
        auto index = tx.Append(cases::kDisclosureLog, [&](uint64_t) { return ledger::LeafHash(leaf); });
        if (!index.ok()) return index.status();
      }
      return Status::Ok();
    }).ok());
  }
  json Line(const Outcome& o) {
    EXPECT_EQ(o.out.find('\n'), o.out.size() - 1) << "one line: " << o.out;
    return json::parse(o.out);
  }

  ManualClock clock_{ParseDateTime("2026-03-12T16:00:00Z").value()};
  std::unique_ptr<TestInstance> instance_;
  std::unique_ptr<server::UserStore> users_;
  std::unique_ptr<cases::PackageStore> packages_;
  std::unique_ptr<cases::SigningKeys> keys_;
  std::unique_ptr<cases::Ledgers> ledgers_;
  std::unique_ptr<server::ApiServer> server_;
  std::string url_, state_, key_file_;
};

TEST_P(LedgerMonitorTest, TrustsTheFirstHeadFollowsGrowthAndCatchesARewrite) {
  const std::string id = Submit("lcpd-subpoena");
  const ledger::SignedTreeHead first = SignDisclosures();
  SaveKeys();
  const Outcome trusted = Monitor();
  ASSERT_EQ(trusted.exit_code, 0) << trusted.err;
  EXPECT_EQ(trusted.err, state_ + ": no head seen before: trusting this head of 1 leaves on first use\n");
  EXPECT_EQ(Line(trusted), json({{"log", "disclosures"}, {"size", 1}, {"root", Base64Encode(first.root)},
                                 {"consistent_with", nullptr}}));
  EXPECT_EQ(ledger::ParseTreeHead(ReadFile(state_)).value().signature, first.signature);

  const Outcome unchanged = Monitor();
  ASSERT_EQ(unchanged.exit_code, 0) << unchanged.err;
  EXPECT_EQ(unchanged.err, "");
  EXPECT_EQ(Line(unchanged)["consistent_with"], 1);

  // The case goes on; the next head is proved to extend the one kept.
  ASSERT_TRUE(instance_->workflow->ReviewCase(id, {"reviewer-1"}, {}).ok());
  ASSERT_TRUE(instance_->workflow->Approve(id, {"approver-1"}).ok());
  const ledger::SignedTreeHead second = SignDisclosures();
  ASSERT_EQ(second.size, 2u);
  const Outcome grown = Monitor();
  ASSERT_EQ(grown.exit_code, 0) << grown.err;
  EXPECT_EQ(Line(grown), json({{"log", "disclosures"}, {"size", 2}, {"root", Base64Encode(second.root)},
                               {"consistent_with", 1}}));
  const std::string kept = ReadFile(state_);
  EXPECT_EQ(ledger::ParseTreeHead(kept).value().signature, second.signature);

  // The approval is turned into a rejection and the tree re-signed, with the same key: every
  // signature is valid, and the monitor still says what happened.
  RewriteDisclosures();
  const ledger::SignedTreeHead forged = SignDisclosures();
  ASSERT_EQ(forged.size, second.size);
  ASSERT_NE(forged.root, second.root);
  const Outcome same_size = Monitor();
  EXPECT_EQ(same_size.exit_code, 1);
  EXPECT_EQ(same_size.out, "");
  EXPECT_EQ(same_size.err, "the log was rewritten: its head of 2 leaves has another root than the head "
                           "of 2 leaves seen before (signed " + second.timestamp + ")\n");
  EXPECT_EQ(ReadFile(state_), kept) << "a head that failed is never kept";

  // It grows on from the rewritten tree: the server proves consistency with its own history,
  // which is not the history the monitor saw.
  Submit("vague-subpoena");
  const ledger::SignedTreeHead later = SignDisclosures();
  ASSERT_EQ(later.size, 3u);
  const Outcome diverged = Monitor();
  EXPECT_EQ(diverged.exit_code, 1);
  EXPECT_THAT(diverged.err, ::testing::StartsWith(
                                "the log was rewritten: the proof that its head of 3 leaves extends the head "
                                "of 2 leaves seen before (signed " + second.timestamp + ") does not verify ("));
  EXPECT_EQ(ReadFile(state_), kept);

  // A smaller head than the one kept is a rewrite too.
  ASSERT_TRUE(instance_->db->Transaction([](soci::session& sql) -> Status {
    sql << "DELETE FROM tree_heads WHERE log = 'disclosures' AND size > 1";
    return Status::Ok();
  }).ok());
  const Outcome shrunk = Monitor();
  EXPECT_EQ(shrunk.exit_code, 1);
  EXPECT_EQ(shrunk.err, "the log was rewritten: its head of 1 leaves has fewer than the head of 2 leaves "
                        "seen before (signed " + second.timestamp + ")\n");
}

TEST_P(LedgerMonitorTest, AHeadSignedByAKeyNotTrustedFailsAndIsNotKept) {
  Submit("lcpd-subpoena");
  SignDisclosures();
  ASSERT_EQ(sodium_init() >= 0, true);
  std::array<uint8_t, ledger::kEd25519PublicKeyBytes> other{};
  std::array<uint8_t, ledger::kEd25519SecretKeyBytes> other_secret{};
  crypto_sign_keypair(other.data(), other_secret.data());
  std::ofstream(key_file_) << json{{"key_id", ledger::KeyId(other)}, {"public_key", Base64Encode(other)}}.dump();
  const std::string instance_key = keys_->Keys(cases::kLedgerKey).value()[0].key_id;
  const Outcome untrusted = Monitor();
  EXPECT_EQ(untrusted.exit_code, 1);
  EXPECT_EQ(untrusted.err, url_ + "/api/v1/ledger/disclosures/head: the head is signed by key " + instance_key +
                               ", which is not among the trusted keys (" + key_file_ + ")\n");
  EXPECT_FALSE(fs::exists(state_));

  // The instance rotates its key: a monitor that kept only the old key refuses the new heads
  // until it is given the new key, which the export lists beside the retired one.
  SaveKeys();
  ASSERT_EQ(Monitor().exit_code, 0);
  const std::string kept = ReadFile(state_);
  ASSERT_TRUE(keys_->Rotate(cases::kLedgerKey, "admin").ok());
  Submit("vague-subpoena");
  SignDisclosures();
  EXPECT_EQ(Monitor().exit_code, 1);
  EXPECT_EQ(ReadFile(state_), kept);
  SaveKeys();
  const Outcome rotated = Monitor();
  EXPECT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_EQ(Line(rotated)["consistent_with"], 1);
}

TEST_P(LedgerMonitorTest, MalformedInputExitsTwoNamingWhatIsWrong) {
  Submit("lcpd-subpoena");
  SignDisclosures();
  SaveKeys();
  const std::string corrupt = R"({"log": "disclosures", "size": "two", "root": "", "timestamp": "", "key_id": "", "signature": ""})";
  std::ofstream(state_) << corrupt;
  const Outcome bad_state = Monitor();
  EXPECT_EQ(bad_state.exit_code, 2);
  EXPECT_EQ(bad_state.err, state_ + ": /size: not an unsigned integer but a string\n");
  EXPECT_EQ(ReadFile(state_), corrupt) << "left as it was";
  std::ofstream(state_) << "not json";
  EXPECT_EQ(Monitor().exit_code, 2);

  fs::remove(state_);
  ASSERT_EQ(Monitor().exit_code, 0);
  const Outcome other_log = Monitor(" --log audit");
  EXPECT_EQ(other_log.exit_code, 2);
  EXPECT_EQ(other_log.err, state_ + ": holds a head of log disclosures, not of audit\n");

  std::ofstream(key_file_) << R"([{"key_id": "0011223344556677"}])";
  const Outcome bad_keys = Monitor();
  EXPECT_EQ(bad_keys.exit_code, 2);
  EXPECT_EQ(bad_keys.err, key_file_ + ": /0/public_key: required\n");
  SaveKeys();

  const Outcome bad_url = Run("ledger monitor ftp://127.0.0.1 --state " + state_ + " --public-key " + key_file_);
  EXPECT_EQ(bad_url.exit_code, 2);
  EXPECT_EQ(bad_url.err, "URL: not an http:// or https:// URL\n");
  EXPECT_EQ(Monitor(" --log cases").exit_code, 2);
  EXPECT_EQ(Run("ledger monitor " + url_ + " --public-key " + key_file_).exit_code, 2) << "no --state";
  const Outcome no_keys = Run("ledger monitor " + url_ + " --state " + state_ + " --public-key " + root_ + "/none.json");
  EXPECT_EQ(no_keys.exit_code, 2);
  EXPECT_EQ(no_keys.err, root_ + "/none.json: No such file or directory\n");
}

TEST_P(LedgerMonitorTest, AServerThatCannotBeReachedOrAskedExitsOne) {
  ASSERT_TRUE(keys_->Active(cases::kLedgerKey, "test").ok());  // a key, and no head yet
  SaveKeys();
  const Outcome unsigned_yet = Monitor();
  EXPECT_EQ(unsigned_yet.exit_code, 1);
  // The detail names the path's parameter, which the URL before it shows (docs/api.md, Errors).
  EXPECT_EQ(unsigned_yet.err, url_ + "/api/v1/ledger/disclosures/head: answered 404: no tree head of log "
                                     "{log} has been signed yet\n");
  // This server speaks plain HTTP: a TLS handshake with it fails.
  const std::string https = "https://127.0.0.1:" + std::to_string(server_->port());
  const Outcome no_tls = Run("ledger monitor " + https + " --state " + state_ + " --public-key " + key_file_);
  EXPECT_EQ(no_tls.exit_code, 1);
  EXPECT_THAT(no_tls.err, HasSubstr(https + "/api/v1/ledger/disclosures/head: unreachable ("));
  server_.reset();
  const Outcome gone = Monitor();
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_THAT(gone.err, HasSubstr(url_ + "/api/v1/ledger/disclosures/head: unreachable ("));
  EXPECT_FALSE(fs::exists(state_));
}

INSTANTIATE_TEST_SUITE_P(Stores, LedgerMonitorTest, ::testing::ValuesIn(cases::TestBackends()),
                         cases::BackendName);

}  // namespace
}  // namespace custodian
