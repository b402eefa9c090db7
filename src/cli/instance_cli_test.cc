// An instance's own state through the built binary: the case store it records (a deleted or
// swapped store is refused, `cases move` is the one way to another), the modes of every file
// it writes, and its master key (outside the data directory at every open, never echoed).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "cases/migrations.h"
#include "cases/store/test_store.h"
#include "cli/cli_test_harness.h"

namespace custodian {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

unsigned ModeOf(const fs::path& p) {
  struct stat st;
  EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

// The instance's tests walk through a realistic case: a login and a subscriber record, the
// registry, staff, a court order for one account under every kind of target, reviewed,
// approved and produced, and a preservation of the account, placed.
class InstanceStateCliTest : public CliTest {
 protected:
  json Ok(const std::string& args, const std::string& input = "") {
    const Outcome o = Run(args + Data(), input);
    EXPECT_EQ(o.exit_code, 0) << args << "\n" << o.err << o.out;
    return o.exit_code == 0 && !o.out.empty() ? json::parse(o.out) : json();
  }
  json Init() {
    const Outcome o = Run("init" + Data());
    EXPECT_EQ(o.exit_code, 0) << o.err;
    return o.exit_code == 0 ? json::parse(o.out) : json();
  }
  json InstanceFile() { return json::parse(ReadFile(data_ + "/instance.json")); }

  // The targets of the court order: what no byte of the case store may say in clear.
  static constexpr char kAccount[] = "2000042";
  static constexpr char kEmail[] = "ana.perez@example.net";
  static constexpr char kUsername[] = "kestrel42";
  static constexpr char kPhone[] = "+1 555 867 5309";

  // Runs the whole workflow on an initialised instance; returns the court order's case id
  // (noticed_: the subpoena's, whose notice waits).
  std::string Workflow() {
    Ok("ingest", "{\"account_id\": 2000042, \"ts\": \"" + At(-5 * kDay) +
                     "\", \"kind\": \"login\", \"ip\": \"203.0.113.5\"}\n");
    Ok("subscribers import", "{\"account_id\": 2000042, \"effective_from\": \"" + At(-60 * kDay) +
                                 "\", \"username\": \"kestrel42\", \"name\": \"Ana Perez\", "
                                 "\"emails\": [\"ana.perez@example.net\"]}\n");
    Ok("agencies import --actor admin " + ProjectPath("spec/agencies.example.json"));
    AddStaff();
    json doc = json::parse(ReadFile(ProjectPath("examples/requests/hsi-child-safety-court-order.json")));
    doc["channel"] = "mail";
    doc["received_at"] = At(-3600);
    doc["process"]["issued_on"] = At(-3 * kDay, "%Y-%m-%d");
    doc["targets"] = json::array({{{"type", "account_id"}, {"value", kAccount}},
                                  {{"type", "email"}, {"value", kEmail}},
                                  {{"type", "username"}, {"value", kUsername}},
                                  {{"type", "phone"}, {"value", kPhone}}});
    doc["window"] = {{"start", At(-20 * kDay)}, {"end", At(-kDay)}};
    doc["categories"] = {"basic_subscriber", "access_log"};
    std::ofstream(root_ + "/request.json") << doc.dump();
    const std::string id = Ok("case submit --actor intake-1 " + root_ + "/request.json").value("id", "");
    Ok("case review " + id + " --actor reviewer-1 --decision approve --confirm-investigation");
    Ok("case approve " + id + " --actor approver-1");
    Ok("produce " + id + " --out " + root_ + "/production.zip --actor approver-1");
    // A subpoena for the account: approved, its user's notice waits in the outbox.
    json subpoena = json::parse(ReadFile(ProjectPath("examples/requests/lcpd-subpoena.json")));
    subpoena["channel"] = "mail";
    subpoena["received_at"] = At(-3600);
    subpoena["process"]["issued_on"] = At(-3 * kDay, "%Y-%m-%d");
    subpoena["process"]["return_by"] = At(30 * kDay, "%Y-%m-%d");
    subpoena["purpose"]["factual_basis"] = "The account was used to arrange the resale of stolen goods.";
    subpoena["targets"] = json::array({{{"type", "account_id"}, {"value", kAccount}}});
    subpoena["window"] = {{"start", At(-20 * kDay)}, {"end", At(-kDay)}};
    std::ofstream(root_ + "/subpoena.json") << subpoena.dump();
    noticed_ = Ok("case submit --actor intake-1 " + root_ + "/subpoena.json").value("id", "");
    Ok("case review " + noticed_ + " --actor reviewer-1 --decision approve");
    EXPECT_EQ(Ok("case approve " + noticed_ + " --actor approver-1")["state"], "awaiting_notice");
    json preservation = json::parse(ReadFile(ProjectPath("examples/requests/preservation.json")));
    preservation["received_at"] = At(-3600);
    preservation["targets"] = json::array({{{"type", "account_id"}, {"value", kAccount}}});
    std::ofstream(root_ + "/preservation.json") << preservation.dump();
    const std::string held =
        Ok("case submit --actor intake-1 " + root_ + "/preservation.json").value("id", "");
    EXPECT_EQ(Ok("case review " + held + " --actor reviewer-1 --decision approve")["state"], "holding");
    return id;
  }
  // After the workflow, everything that reads the sealed values still works: the case shows
  // its targets, the holds their account, the outbox its notice, a duplicate request is
  // flagged (a keyed tag), the report counts, the ledgers verify, and a deleted account's
  // details are erased (a keyed tag).
  void ExpectTheInstanceStillWorks(const std::string& id) {
    const json shown = Ok("case show " + id + " --actor reviewer-1");
    EXPECT_EQ(shown["state"], "produced");
    EXPECT_THAT(shown.dump(), HasSubstr("ana.perez@example.net"));
    EXPECT_THAT(shown.dump(), HasSubstr("kestrel42"));
    const json holds = Ok("hold list --actor reviewer-1");
    ASSERT_EQ(holds.size(), 1u) << holds.dump();
    EXPECT_EQ(holds[0]["account_id"], "2000042");
    const json again = Ok("case submit --actor intake-1 " + root_ + "/subpoena.json");
    EXPECT_EQ(again["duplicate_of"], noticed_) << again.dump();
    const json notices = Ok("notices list --actor reviewer-1");
    ASSERT_EQ(notices.size(), 1u) << notices.dump();
    EXPECT_EQ(notices[0]["account_id"], "2000042");
    const json report = Ok("report --actor auditor-1 --from " + At(-kDay, "%Y-%m-%d") + " --to " +
                             At(kDay, "%Y-%m-%d"));
    EXPECT_EQ(report["totals"]["requests"], 4) << report.dump();
    EXPECT_EQ(Ok("ledger verify")["ok"], true);
    // The account's details are found by their keyed tag and erased; the log still verifies.
    Ok("hold release " + holds[0].value("id", "") + " --actor reviewer-1");
    EXPECT_EQ(Ok("account delete 2000042")["outcome"], "deleted");
    const json verified = Ok("ledger verify");
    EXPECT_EQ(verified["ok"], true) << verified.dump();
    EXPECT_GT(verified["erased_details"], 0) << verified.dump();
  }
  std::string noticed_;
};

TEST_F(InstanceStateCliTest, InitRecordsItsCaseStoreAndADeletedStoreIsRefused) {
  const json init = Init();
  const std::string store = init.value("case_store", "");
  ASSERT_EQ(store.size(), 32u) << init.dump();
  EXPECT_EQ(InstanceFile()["case_store"]["store_id"], store);
  ASSERT_TRUE(fs::exists(data_ + "/cases.db"));
  Ok("agencies import --actor admin " + ProjectPath("spec/agencies.example.json"));

  fs::remove(data_ + "/cases.db");
  for (const char* command : {"vault stats", "user list",
                                    "ingest", "policy show"}) {
    const Outcome refused = Run(std::string(command) + Data(), "");
    EXPECT_EQ(refused.exit_code, 1) << command << ": " << refused.err;
    EXPECT_THAT(refused.err, HasSubstr("records case store " + store + ", but sqlite:" + data_ +
                                       "/cases.db is missing"));
    // Never made again, empty, with a new production key and a new audit log.
    EXPECT_FALSE(fs::exists(data_ + "/cases.db")) << command;
  }
}

TEST_F(InstanceStateCliTest, AnotherInstancesStoreIsRefused) {
  const std::string mine = Init().value("case_store", "");
  const std::string other_data = root_ + "/other", other_key = root_ + "/other.key";
  const Outcome other = Run("init --data " + other_data + " --key-file " + other_key);
  ASSERT_EQ(other.exit_code, 0) << other.err;
  const std::string theirs = json::parse(other.out).value("case_store", "");
  ASSERT_NE(mine, theirs);

  // Named in custodian.toml.
  std::ofstream(data_ + "/custodian.toml") << "[cases]\nstore = \"sqlite:" << other_data << "/cases.db\"\n";
  Outcome refused = Run("vault stats" + Data());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("records case store " + mine + ", but sqlite:" + other_data +
                                     "/cases.db holds case store " + theirs));
  // Copied over the instance's own file.
  fs::remove(data_ + "/custodian.toml");
  fs::copy_file(other_data + "/cases.db", data_ + "/cases.db", fs::copy_options::overwrite_existing);
  refused = Run("vault stats" + Data());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("holds case store " + theirs));
  // An empty database where the store was.
  fs::remove(data_ + "/cases.db");
  std::ofstream(data_ + "/cases.db").close();
  refused = Run("vault stats" + Data());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("holds no case store (it is empty)"));
}

TEST_F(InstanceStateCliTest, ARecordEditedToNameAnotherStoreDoesNotVerify) {
  Init();
  const std::string other_data = root_ + "/other";
  const Outcome other = Run("init --data " + other_data + " --key-file " + root_ + "/other.key");
  ASSERT_EQ(other.exit_code, 0) << other.err;
  // Both the record and the file swapped: the MAC is keyed by this instance's master key.
  json instance = InstanceFile();
  instance["case_store"] = json::parse(ReadFile(other_data + "/instance.json"))["case_store"];
  std::ofstream(data_ + "/instance.json") << instance.dump(2);
  fs::copy_file(other_data + "/cases.db", data_ + "/cases.db", fs::copy_options::overwrite_existing);
  const Outcome refused = Run("vault stats" + Data());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err, data_ + "/instance.json: the record of the case store does not verify "
                                 "under the master key (it was edited or copied from another "
                                 "instance)\n");
}

// An instance made before stores were recorded: no record in instance.json, and a store of
// schema version 9 (no identity, no keys, a request in clear), as an older custodian left it.
// Its first open seals the store's values, gives it an identity and records it, once,
// audited; from then on it is checked.
TEST_F(InstanceStateCliTest, AnInstanceMadeBeforeStoresWereRecordedRecordsItsStoreOnce) {
  Init();
  json instance = InstanceFile();
  instance.erase("case_store");
  std::ofstream(data_ + "/instance.json") << instance.dump(2);
  fs::remove(data_ + "/cases.db");
  {
    auto old = cases::Database::Connect("sqlite:" + data_ + "/cases.db");
    ASSERT_TRUE(old.ok()) << old.status().message();
    ASSERT_TRUE((*old)->Migrate(cases::Migrations(), vault::SecretKey::Random(), 9).ok());
    ASSERT_TRUE((*old)->Transaction([](soci::session& sql) {
      sql << "INSERT INTO requests (case_id, version, document, sha256, entered_at, entered_by) "
             "VALUES ('C-2026-000001', 1, '{\"targets\":[{\"type\":\"email\",\"value\":"
             "\"ana.perez@example.net\"}]}', 'x', 1, 'intake-1')";
      return Status::Ok();
    }).ok());
  }
  const auto sqlite = [&](const std::string& statement) {
    const std::string out = root_ + "/sqlite.out";
    EXPECT_EQ(std::system(("sqlite3 " + data_ + "/cases.db \"" + statement + "\" > " + out).c_str()), 0);
    return ReadFile(out);
  };

  Ok("vault stats");
  const json recorded = InstanceFile()["case_store"];
  const std::string store = recorded.value("store_id", "");
  EXPECT_EQ(sqlite("SELECT store_id FROM store_identity"), store + "\n");
  EXPECT_EQ(sqlite("SELECT substr(document, 1, 3) FROM requests"), "s1:\n");
  EXPECT_THAT(ReadFile(data_ + "/cases.db"), Not(HasSubstr(kEmail)));
  Ok("vault stats");
  EXPECT_EQ(InstanceFile()["case_store"], recorded);
  EXPECT_EQ(sqlite("SELECT actor, case_id IS NULL FROM audit WHERE action = 'record_case_store'"),
            "custodian|1\n");
  fs::remove(data_ + "/cases.db");
  EXPECT_EQ(Run("vault stats" + Data()).exit_code, 1);
}

// Every file the instance writes is 0600 and every directory 0700, whatever the umask and
// the mode of a directory made beforehand; SQLite's -wal and -shm take the database's mode.
TEST_F(InstanceStateCliTest, EveryFileIs0600InDirectoriesOf0700WhateverTheUmask) {
  const mode_t umask_before = ::umask(0);
  fs::create_directories(data_);
  fs::permissions(data_, fs::perms(0755));
  Init();
  Workflow();
  // A connection held open while a command writes: the WAL and its index exist meanwhile.
  {
    soci::session held(soci::sqlite3, "db=" + data_ + "/cases.db");
    held << "PRAGMA journal_mode = WAL";
    int n = 0;
    held << "SELECT COUNT(*) FROM cases", soci::into(n);
    Ok("case list --actor reviewer-1");
    ASSERT_TRUE(fs::exists(data_ + "/cases.db-wal"));
    EXPECT_EQ(ModeOf(data_ + "/cases.db-wal"), 0600u);
    EXPECT_EQ(ModeOf(data_ + "/cases.db-shm"), 0600u);
  }
  ::umask(umask_before);
  EXPECT_EQ(ModeOf(data_), 0700u);
  std::set<std::string> seen;
  for (const auto& entry : fs::recursive_directory_iterator(data_)) {
    const unsigned want = entry.is_directory() ? 0700u : 0600u;
    EXPECT_EQ(ModeOf(entry.path()), want) << entry.path();
    seen.insert(fs::relative(entry.path(), data_).begin()->string());
  }
  // What the walk covered: the vault, the case store, the packages, the instance's own state.
  for (const char* part : {"vault", "keys", "cases.db", "packages", "instance.json"}) {
    EXPECT_TRUE(seen.count(part)) << part;
  }
  // An instance left looser by an older custodian is tightened when it is opened.
  fs::permissions(data_, fs::perms(0755));
  fs::permissions(data_ + "/cases.db", fs::perms(0644));
  Ok("vault stats");
  EXPECT_EQ(ModeOf(data_), 0700u);
  EXPECT_EQ(ModeOf(data_ + "/cases.db"), 0600u);
}

TEST_F(InstanceStateCliTest, AKeyFileInsideTheDataDirectoryIsRefusedAtEveryOpen) {
  Init();
  fs::copy_file(key_, data_ + "/master.key");
  fs::permissions(data_ + "/master.key", fs::perms(0600));
  fs::create_symlink(key_, data_ + "/linked.key");
  for (const std::string& key : {data_ + "/master.key", data_ + "/linked.key"}) {
    for (const char* command : {"vault stats", "user list", "policy show"}) {
      const Outcome refused = Run(std::string(command) + " --data " + data_ + " --key-file " + key);
      EXPECT_EQ(refused.exit_code, 2) << command;
      EXPECT_EQ(refused.err, key + ": the master key must live outside the data directory\n");
    }
  }
  ASSERT_EQ(::setenv("CUSTODIAN_KEY_FILE", (data_ + "/master.key").c_str(), 1), 0);
  const Outcome refused = Run("vault stats --data " + data_);
  ::unsetenv("CUSTODIAN_KEY_FILE");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("must live outside the data directory"));
}

TEST_F(InstanceStateCliTest, AKeyGivenInPlaceOfItsFileIsNeverEchoed) {
  Init();
  const std::string text = ReadFile(key_);
  const std::string hex = text.substr(text.find('\n') + 1, 64);
  ASSERT_EQ(hex.size(), 64u);
  const std::string expected =
      ": this looks like a key, not the path of a key file (it is not repeated here); keep the "
      "master key in a file (mode 0600) outside the data directory and give that file's path\n";
  const auto check = [&](const Outcome& o, const std::string& source) {
    EXPECT_EQ(o.exit_code, 2);
    EXPECT_EQ(o.err, source + expected);
    EXPECT_THAT(o.out + o.err, Not(HasSubstr(hex.substr(0, 16))));
  };
  check(Run("vault stats --data " + data_ + " --key-file " + hex), "--key-file");
  check(Run("user list --data " + data_ + " --key-file " + hex), "--key-file");
  // The file's text, and the key in base64.
  ASSERT_EQ(::setenv("CUSTODIAN_KEY_FILE", text.c_str(), 1), 0);
  check(Run("vault stats --data " + data_), "CUSTODIAN_KEY_FILE");
  ASSERT_EQ(::setenv("CUSTODIAN_KEY_FILE", "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=", 1), 0);
  check(Run("vault stats --data " + data_), "CUSTODIAN_KEY_FILE");
  // init makes no file named by the key, and says nothing of it.
  ASSERT_EQ(::setenv("CUSTODIAN_KEY_FILE", hex.c_str(), 1), 0);
  const std::string cwd = fs::current_path();
  fs::current_path(root_);
  const Outcome init = Run("init --data " + root_ + "/second");
  fs::current_path(cwd);
  ::unsetenv("CUSTODIAN_KEY_FILE");
  check(init, "CUSTODIAN_KEY_FILE");
  EXPECT_FALSE(fs::exists(root_ + "/" + hex));
  EXPECT_FALSE(fs::exists(root_ + "/second/instance.json"));
}

// The targets' values that `bytes` holds in clear, each spelling of the phone number included.
std::vector<std::string> TargetsIn(const std::string& bytes) {
  std::vector<std::string> found;
  for (const char* value : {"2000042", "ana.perez@example.net", "kestrel42", "+1 555 867 5309",
                            "555 867 5309", "5558675309", "867 5309"}) {
    if (bytes.find(value) != std::string::npos) found.push_back(value);
  }
  return found;
}


// The rows of every table of a store but its identity and its migrations, as text, sorted.
std::map<std::string, std::vector<std::string>> Rows(soci::session& sql, bool sqlite) {
  std::map<std::string, std::vector<std::string>> out;
  std::vector<std::string> tables;
  const std::string query = sqlite ? "SELECT name FROM sqlite_master WHERE type = 'table'"
                                   : "SELECT table_name FROM information_schema.tables WHERE "
                                     "table_schema = current_schema()";
  soci::rowset<std::string> names = (sql.prepare << query);
  for (const std::string& n : names) tables.push_back(n);
  for (const std::string& table : tables) {
    if (table == "store_identity" || table == "schema_migrations") continue;
    std::vector<std::string>& rows = out[table];
    soci::rowset<soci::row> rs = (sql.prepare << "SELECT * FROM " + table);
    for (const soci::row& r : rs) {
      std::string line;
      for (size_t i = 0; i < r.size(); ++i) {
        line += r.get_properties(i).get_name() + "=";
        if (r.get_indicator(i) == soci::i_null) {
          line += "NULL";
        } else if (r.get_properties(i).get_data_type() == soci::dt_string) {
          line += r.get<std::string>(i);
        } else if (r.get_properties(i).get_data_type() == soci::dt_integer) {
          line += std::to_string(r.get<int>(i));
        } else {
          line += std::to_string(r.get<long long>(i));
        }
        line += "|";
      }
      rows.push_back(line);
    }
    std::sort(rows.begin(), rows.end());
  }
  return out;
}

// Every row of `before` is in `after`, which has no other rows but those of the move's own
// audit entry: its leaf, its detail, the nodes it completes, and the logs' new state.
void ExpectCopied(const std::map<std::string, std::vector<std::string>>& before,
                  std::map<std::string, std::vector<std::string>>& after) {
  ASSERT_EQ(after.size(), before.size());
  for (const auto& [table, rows] : before) {
    SCOPED_TRACE(table);
    if (table == "ledger_state") continue;
    const std::vector<std::string>& copied = after[table];
    if (table == "audit" || table == "audit_details" || table == "ledger_nodes") {
      EXPECT_TRUE(std::includes(copied.begin(), copied.end(), rows.begin(), rows.end()));
    } else {
      EXPECT_EQ(copied, rows);
    }
  }
}

using SealedStoreCliTest = InstanceStateCliTest;

// cases.db and its WAL (a reader holds the WAL open the whole time, so that no checkpoint
// empties it) hold none of the request's targets in clear.
TEST_F(SealedStoreCliTest, AStolenSqliteStoreAndItsWalSayNothingOfTheTargets) {
  Init();
  soci::session reader(soci::sqlite3, "db=" + data_ + "/cases.db");
  int n = 0;
  reader << "SELECT COUNT(*) FROM cases", soci::into(n);
  soci::transaction snapshot(reader);
  reader << "SELECT COUNT(*) FROM cases", soci::into(n);
  const std::string id = Workflow();
  const std::string db = ReadFile(data_ + "/cases.db"), wal = ReadFile(data_ + "/cases.db-wal");
  ASSERT_GT(wal.size(), 100000u) << "the workflow's pages are in the WAL";
  EXPECT_THAT(TargetsIn(db), ::testing::IsEmpty());
  EXPECT_THAT(TargetsIn(wal), ::testing::IsEmpty());
  // The store does hold the case: what a query needs is in clear.
  EXPECT_THAT(db + wal, HasSubstr(id));
  snapshot.rollback();
  ExpectTheInstanceStillWorks(id);
}

class CaseStoreMoveCliTest : public InstanceStateCliTest {
 protected:
  void SetUp() override {
    InstanceStateCliTest::SetUp();
    CUSTODIAN_REQUIRE_BACKEND(cases::Backend::kPostgres);
  }
  // An empty database of the test server, made on first use and dropped with the test.
  std::string Postgres() { return target_.Url(); }
  void PointAt(const std::string& url) {
    std::ofstream(data_ + "/custodian.toml") << "[cases]\nstore = \"" << url << "\"\n";
  }
  cases::TestStore target_{cases::Backend::kPostgres};
};

TEST_F(CaseStoreMoveCliTest, MovesToPostgresAndBackWithEveryRowAndLedgerRoot) {
  const std::string first = Init().value("case_store", "");
  const std::string id = Workflow();
  const json disclosures = Ok("ledger head --log disclosures");
  std::map<std::string, std::vector<std::string>> before;
  {
    soci::session sqlite(soci::sqlite3, "db=" + data_ + "/cases.db");
    before = Rows(sqlite, true);
  }
  ASSERT_GT(before.at("audit").size(), 20u);

  const Outcome moved = Run("cases move --to '" + Postgres() + "' --actor operator" + Data());
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  const json report = json::parse(moved.out);
  const std::string second = report["to"].value("store_id", "");
  EXPECT_EQ(report["from"]["store_id"], first);
  EXPECT_EQ(report["to"]["backend"], "postgresql");
  EXPECT_NE(second, first);
  EXPECT_EQ(report["ledgers"]["disclosures"]["root"], disclosures["root"]) << disclosures.dump();
  EXPECT_EQ(report["ledgers"]["audit"]["size"], before.at("audit").size());
  EXPECT_THAT(moved.err, HasSubstr("Set [cases] store in " + data_ + "/custodian.toml"));
  EXPECT_EQ(InstanceFile()["case_store"]["store_id"], second);
  {
    soci::session postgres(soci::postgresql, target_.Connection());
    auto after = Rows(postgres, false);
    // The copy holds every row, and the move's own audit entry (its leaf and the log's state).
    ExpectCopied(before, after);
    EXPECT_EQ(after.at("audit").size(), before.at("audit").size() + 1);
  }
  // The instance now refuses the old store until custodian.toml names the new one.
  Outcome refused = Run("case show " + id + " --actor reviewer-1" + Data());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("records case store " + second + ", but sqlite:" + data_ +
                                     "/cases.db holds case store " + first));
  PointAt(Postgres());
  EXPECT_EQ(Ok("case show " + id + " --actor reviewer-1")["state"], "produced");
  const json verified = Ok("ledger verify");
  EXPECT_EQ(verified["ok"], true) << verified.dump();
  EXPECT_EQ(verified["audit_leaves"], before.at("audit").size() + 2) << "the move, and the show";

  // And back, into a new SQLite file.
  std::map<std::string, std::vector<std::string>> on_postgres;
  {
    soci::session postgres(soci::postgresql, target_.Connection());
    on_postgres = Rows(postgres, false);
  }
  const Outcome back = Run("cases move --to sqlite:" + data_ + "/cases-back.db --actor operator" + Data());
  ASSERT_EQ(back.exit_code, 0) << back.err;
  const std::string third = json::parse(back.out)["to"].value("store_id", "");
  {
    soci::session sqlite(soci::sqlite3, "db=" + data_ + "/cases-back.db");
    auto after = Rows(sqlite, true);
    ExpectCopied(on_postgres, after);
  }
  EXPECT_EQ(ModeOf(data_ + "/cases-back.db"), 0600u);
  refused = Run("case show " + id + " --actor reviewer-1" + Data());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("holds case store " + second));
  PointAt("sqlite:" + data_ + "/cases-back.db");
  EXPECT_EQ(Ok("case show " + id + " --actor reviewer-1")["state"], "produced");
  EXPECT_EQ(Ok("ledger verify")["ok"], true);
  PointAt("sqlite:" + data_ + "/cases.db");
  refused = Run("vault stats" + Data());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("records case store " + third));
}

// A PostgreSQL store, dumped whole (pg_dump), holds none of the request's targets in clear.
TEST_F(CaseStoreMoveCliTest, APostgresStoresDumpSaysNothingOfTheTargets) {
  fs::create_directories(data_);
  PointAt(Postgres());
  Init();
  const std::string id = Workflow();
  const std::string dump = root_ + "/store.sql";
  ASSERT_EQ(std::system(("pg_dump '" + target_.Connection() + "' > " + dump).c_str()), 0);
  const std::string bytes = ReadFile(dump);
  EXPECT_THAT(bytes, HasSubstr(id));
  EXPECT_THAT(TargetsIn(bytes), ::testing::IsEmpty());
  ExpectTheInstanceStillWorks(id);
}

TEST_F(CaseStoreMoveCliTest, ANonEmptyTargetIsRefusedAndLeftAsItWas) {
  Init();
  Ok("agencies import --actor admin " + ProjectPath("spec/agencies.example.json"));
  {
    soci::session postgres(soci::postgresql, target_.Connection());
    postgres << "CREATE TABLE mine (x INTEGER)";
  }
  const std::string store = InstanceFile()["case_store"].value("store_id", "");
  const Outcome refused = Run("cases move --to '" + Postgres() + "' --actor operator" + Data());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.err, "--to: case store: the target is not empty (it holds tables); a store "
                         "is moved only into an empty database\n");
  EXPECT_EQ(InstanceFile()["case_store"]["store_id"], store);
  soci::session postgres(soci::postgresql, target_.Connection());
  int tables = 0;
  postgres << "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()",
      soci::into(tables);
  EXPECT_EQ(tables, 1);
}

}  // namespace
}  // namespace custodian
