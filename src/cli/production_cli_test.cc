// End-to-end tests of `custodian produce`, `keys export-public` and `custodian verify` through
// the built binary, on the default SQLite case store and the system clock (so the events are
// dated relative to now: the vault refuses what is older than its retention).
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_harness.h"
#include "core/testing/run_tool.h"
#include "production/zip_package.h"

namespace custodian {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// Single quotes around `s` for sh.
std::string Quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class ProductionCliTest : public InstanceCliTest {
 protected:
  void SetUp() override {
    InstanceCliTest::SetUp();
    if (HasFatalFailure()) return;
    // Geolocation from the MaxMind test database, through the instance's configuration.
    std::ofstream(data_ + "/custodian.toml")
        << "[geo]\ncity_databases = [\"" << ProjectPath("testdata/mmdb/test-data/GeoIP2-City-Test.mmdb") << "\"]\n";
    const auto event = [](uint64_t account, int64_t offset, const std::string& ip) {
      return "{\"account_id\": " + std::to_string(account) + ", \"ts\": \"" + At(offset) +
             "\", \"kind\": \"login\", \"ip\": \"" + ip + "\", \"port\": 443, \"user_agent\": \"Mozilla/5.0\"}\n";
    };
    // Two events of 2000042 in the window (one from a Swedish address the test database
    // knows), one before it, one after it; another account's in the window.
    const Outcome ingested = Run("ingest" + Data(), event(2000042, -10 * kDay, "89.160.20.115") +
                                                        event(2000042, -5 * kDay, "203.0.113.9") +
                                                        event(2000042, -30 * kDay, "203.0.113.1") +
                                                        event(2000042, -kDay / 2, "203.0.113.2") +
                                                        event(2000043, -6 * kDay, "203.0.113.5"));
    ASSERT_EQ(ingested.exit_code, 0) << ingested.err << ingested.out;
    ASSERT_EQ(json::parse(ingested.out)["accepted"], 5);
    const Outcome imported = Run("subscribers import" + Data(),
                                 "{\"account_id\": 2000042, \"effective_from\": \"" + At(-60 * kDay) +
                                     "\", \"username\": \"kestrel42\", \"name\": \"Ana Pérez\"}\n");
    ASSERT_EQ(imported.exit_code, 0) << imported.err << imported.out;
  }

  // The HSI court order (a child-safety investigation: no notice) for 2000042 over the last
  // twenty days but one, received by mail an hour ago; submitted, and approved by two people
  // unless `approve` is false.
  std::string Case(bool approve = true,
                   const json& categories = {"basic_subscriber", "access_log", "location"}) {
    json doc = json::parse(ReadFile(ProjectPath("examples/requests/hsi-child-safety-court-order.json")));
    doc["channel"] = "mail";
    doc["received_at"] = At(-3600);
    doc["process"]["issued_on"] = At(-3 * kDay, "%Y-%m-%d");
    doc["targets"] = json::array({{{"type", "account_id"}, {"value", "2000042"}}});
    doc["window"] = {{"start", At(-20 * kDay)}, {"end", At(-kDay)}};
    doc["categories"] = categories;
    const std::string path = root_ + "/request.json";
    std::ofstream(path) << doc.dump();
    const json submitted = Ok("case submit --actor intake-1 " + path);
    const std::string id = submitted.value("id", "");
    EXPECT_EQ(submitted["decision"]["action"], "produce") << submitted.dump();
    if (!approve) return id;
    EXPECT_EQ(Ok("case review " + id + " --actor reviewer-1 --decision approve --confirm-investigation")["state"],
              "reviewed");
    EXPECT_EQ(Ok("case approve " + id + " --actor approver-1")["state"], "approved");
    return id;
  }

  // The production and ledger keys as `keys export-public` prints them, in files.
  void ExportKeys() {
    const Outcome production = Run("keys export-public" + Data());
    ASSERT_EQ(production.exit_code, 0) << production.err;
    const Outcome ledger = Run("keys export-public --ledger" + Data());
    ASSERT_EQ(ledger.exit_code, 0) << ledger.err;
    ASSERT_NE(production.out, ledger.out);
    std::ofstream(root_ + "/production.pub") << production.out;
    std::ofstream(root_ + "/ledger.pub") << ledger.out;
  }
  Outcome Verify(const std::string& zip, const std::string& key = "production.pub") {
    return Run("verify " + zip + " --public-key " + root_ + "/" + key + " --ledger-key " + root_ + "/ledger.pub");
  }
};

TEST_F(ProductionCliTest, AnApprovedCaseIsProducedAndTheCopyVerifiesOffline) {
  const std::string id = Case();
  const std::string zip = root_ + "/p.zip";
  const Outcome produced = Run("produce " + id + " --out " + zip + " --actor producer-1" + Data());
  ASSERT_EQ(produced.exit_code, 0) << produced.err << produced.out;
  EXPECT_THAT(produced.err, Not(HasSubstr("events/s"))) << "no progress drawn when stderr is not a terminal";
  const json out = json::parse(produced.out);
  EXPECT_EQ(out["case"], id);
  EXPECT_EQ(out["package"], zip);
  EXPECT_EQ(out["events"], 2);
  EXPECT_EQ(out["accounts_with_data"], 1);
  EXPECT_TRUE(out["ledger_index"].is_number_unsigned());
  EXPECT_EQ(Ok("case show " + id + " --actor auditor-1")["state"], "produced");

  auto reader = production::ZipReader::Open(zip);
  ASSERT_TRUE(reader.ok());
  const json record = json::parse((*reader)->ReadAll("record.json", 1 << 20).value());
  ASSERT_EQ(record["accounts"].size(), 1u);
  const json& account = record["accounts"][0];
  EXPECT_EQ(account["account_id"], "2000042");
  ASSERT_EQ(account["access_log"].size(), 2u) << "the window only, and not 2000043's";
  EXPECT_EQ(account["access_log"][0]["location"]["country"], "SE") << "the configured database";
  EXPECT_TRUE(account["access_log"][1]["location"].is_null());
  EXPECT_FALSE(account["access_log"][0].contains("user_agent")) << "device is not authorized";
  EXPECT_EQ(account["subscriber"][0]["name"], "Ana Pérez");
  EXPECT_EQ(record["production"], out["production"]);

  ExportKeys();
  const Outcome verified = Verify(zip);
  EXPECT_EQ(verified.exit_code, 0) << verified.err << verified.out;
  const json check = json::parse(verified.out);
  EXPECT_EQ(check["ok"], true);
  EXPECT_THAT(check["passed"], ElementsAre("files", "manifest", "hashes", "signature", "ledger"));
  EXPECT_EQ(verified.err, "");

  // Without the ledger key the ledger is not checked, and the output says so.
  const Outcome unledgered = Run("verify " + zip + " --public-key " + root_ + "/production.pub");
  EXPECT_EQ(unledgered.exit_code, 0) << unledgered.err;
  EXPECT_THAT(json::parse(unledgered.out)["note"].get<std::string>(), HasSubstr("no --ledger-key"));

  // A copy whose access_log.csv lost a row: exit 1, naming the file.
  const std::string work = root_ + "/work";
  fs::create_directories(work);
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* name : {"record.pdf", "record.json", "access_log.csv", "manifest.json", "manifest.sig", "ledger.json"}) {
    std::string bytes = (*reader)->ReadAll(name, 1 << 26).value();
    if (std::string(name) == "access_log.csv") {
      const size_t last_row = bytes.rfind("\r\n", bytes.size() - 3);
      ASSERT_NE(last_row, std::string::npos);
      bytes.erase(last_row + 2);
    }
    std::ofstream(work + "/" + name, std::ios::binary) << bytes;
    files.emplace_back(name, work + "/" + name);
  }
  ASSERT_TRUE(production::WriteZip(root_ + "/tampered.zip", files).ok());
  const Outcome tampered = Verify(root_ + "/tampered.zip");
  EXPECT_EQ(tampered.exit_code, 1);
  EXPECT_THAT(tampered.err, HasSubstr("access_log.csv: its SHA-256 is not the manifest's"));
  EXPECT_EQ(json::parse(tampered.out)["ok"], false);

  // The ledger key given as the production key: exit 1, naming the key.
  const Outcome wrong_key = Verify(zip, "ledger.pub");
  EXPECT_EQ(wrong_key.exit_code, 1);
  EXPECT_THAT(wrong_key.err, HasSubstr("not the key given"));

  // Not a zip, no such file, a missing or malformed argument: exit 2.
  std::ofstream(root_ + "/not.zip") << "PK but not a zip";
  const Outcome not_zip = Verify(root_ + "/not.zip");
  EXPECT_EQ(not_zip.exit_code, 2);
  EXPECT_THAT(not_zip.err, HasSubstr("not a zip file"));
  EXPECT_EQ(Verify(root_ + "/nowhere.zip").exit_code, 2);
  const Outcome no_key = Run("verify " + zip);
  EXPECT_EQ(no_key.exit_code, 2);
  EXPECT_THAT(no_key.err, HasSubstr("--public-key"));
  EXPECT_EQ(Run("verify --public-key " + root_ + "/production.pub").exit_code, 2);
  std::ofstream(root_ + "/bad.pub") << "not base64 of 32 bytes\n";
  const Outcome bad_key = Verify(zip, "bad.pub");
  EXPECT_EQ(bad_key.exit_code, 2);
  EXPECT_THAT(bad_key.err, HasSubstr("--public-key: not a public key"));

  // Produced once only; an existing file is never overwritten.
  const Outcome again = Run("produce " + id + " --out " + root_ + "/again.zip --actor producer-1" + Data());
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_FALSE(fs::exists(root_ + "/again.zip"));
}


TEST_F(ProductionCliTest, VerifyTakesTheKeyAsTextAFileOrThePublishedKeysDocument) {
  const std::string id = Case();
  const std::string zip = root_ + "/p.zip";
  ASSERT_EQ(Run("produce " + id + " --out " + zip + " --actor producer-1" + Data()).exit_code, 0);
  ExportKeys();
  const std::string signed_by = json::parse(Run("keys list" + Data()).out)[0]["key_id"];
  // Two rotations later the instance signs with a third key; its keys document (GET
  // /api/v1/keys) still lists the one the package names.
  Ok("keys rotate-signing --production --actor operator");
  Ok("keys rotate-signing --production --actor operator");
  const json published = {{"ledger", json::parse(Run("keys list --ledger" + Data()).out)},
                          {"production", json::parse(Run("keys list" + Data()).out)}};
  ASSERT_EQ(published["production"].size(), 3u);
  std::ofstream(root_ + "/keys.json") << published.dump(2);

  const std::string text = ReadFile(root_ + "/production.pub");
  const std::string inline_key = text.substr(0, text.find('\n'));
  for (const std::string& keys : {Quoted(inline_key), root_ + "/production.pub", root_ + "/keys.json",
                                  Quoted(published.dump())}) {
    const std::string ledger = keys.ends_with("keys.json") ? keys : root_ + "/ledger.pub";
    const Outcome o = Run("verify " + zip + " --public-key " + keys + " --ledger-key " + ledger);
    EXPECT_EQ(o.exit_code, 0) << keys << "\n" << o.err;
    EXPECT_THAT(json::parse(o.out)["passed"], ElementsAre("files", "manifest", "hashes", "signature", "ledger"))
        << keys;
  }

  // A keys document without the key the manifest names: exit 1, naming it.
  json without = published;
  without["production"].erase(0);
  std::ofstream(root_ + "/rotated.json") << without.dump();
  const Outcome missing = Run("verify " + zip + " --public-key " + root_ + "/rotated.json");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "custodian: manifest.json/key_id: signed by key " + signed_by +
                             ", which is not among the production keys given\n");
  // The ledger's keys are no production keys, and a word is no key.
  const Outcome ledger_keys = Run("verify " + zip + " --public-key " + Quoted(published["ledger"].dump()));
  EXPECT_EQ(ledger_keys.exit_code, 2);
  EXPECT_EQ(ledger_keys.err, "--public-key: /0/purpose: not a production key (packages are signed with those)\n");
  const Outcome word = Run("verify " + zip + " --public-key nonsense");
  EXPECT_EQ(word.exit_code, 2);
  EXPECT_EQ(word.err, "--public-key: no such file, and not a key (base64 of 32 bytes, a file holding it, "
                      "or the keys document GET /api/v1/keys serves)\n");
}
TEST_F(ProductionCliTest, AServiceNamesItselfAloneAndTheCoverSaysEachSourceOnce) {
  // Two city databases of one build, as DB-IP's IPv4 and IPv6 files are: one source note.
  const std::string city = ProjectPath("testdata/mmdb/test-data/GeoIP2-City-Test.mmdb");
  fs::copy_file(city, root_ + "/city-copy.mmdb");
  std::ofstream(data_ + "/custodian.toml") << "[geo]\ncity_databases = [\"" << city << "\", \"" << root_
                                           << "/city-copy.mmdb\"]\n[production]\nservice_name = \"Example Mail\"\n";
  const std::string id = Case();
  const std::string zip = root_ + "/p.zip";
  const Outcome produced = Run("produce " + id + " --out " + zip + " --actor producer-1" + Data());
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  auto reader = production::ZipReader::Open(zip);
  ASSERT_TRUE(reader.ok());
  std::ofstream(root_ + "/record.pdf", std::ios::binary) << (*reader)->ReadAll("record.pdf", 1 << 26).value();

  const std::string text = testing::RunTool("pdftotext -enc UTF-8 " + root_ + "/record.pdf -");
  size_t notes = 0;
  for (size_t at = text.find("Location data:"); at != std::string::npos; at = text.find("Location data:", at + 1)) {
    ++notes;
  }
  EXPECT_EQ(notes, 1u) << text;
  EXPECT_THAT(text, HasSubstr("custodian of records of Example Mail")) << "the default declaration";
  EXPECT_THAT(text, HasSubstr("Custodian of Records")) << "the default custodian name";
  EXPECT_THAT(text, HasSubstr("Example Mail: business record")) << "each page's heading";
  EXPECT_THAT(text, Not(HasSubstr("the service")));
  const std::string info = testing::RunTool("pdfinfo " + root_ + "/record.pdf");
  EXPECT_THAT(info, ::testing::ContainsRegex("Author: +Example Mail"));
}

TEST_F(ProductionCliTest, AnUnapprovedCaseIsRefusedAndNothingIsWritten) {
  const std::string id = Case(/*approve=*/false);
  const std::string zip = root_ + "/early.zip";
  const Outcome refused = Run("produce " + id + " --out " + zip + " --actor producer-1" + Data());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("only an approved case is produced"));
  EXPECT_EQ(refused.out, "");
  EXPECT_FALSE(fs::exists(zip));
  for (const auto& entry : fs::directory_iterator(root_)) {
    EXPECT_THAT(entry.path().filename().string(), Not(HasSubstr("early.zip"))) << "no partial or work file";
  }
  EXPECT_EQ(Ok("case show " + id + " --actor auditor-1")["state"], "in_review");
  EXPECT_EQ(Run("produce C-2026-999999 --out " + zip + " --actor producer-1" + Data()).exit_code, 2);
  EXPECT_EQ(Run("produce " + id + " --actor producer-1" + Data()).exit_code, 2) << "--out is required";
  EXPECT_FALSE(fs::exists(zip));
}

// The progress line is drawn on a terminal: `script` runs produce under a pseudo-terminal.
TEST_F(ProductionCliTest, ProduceShowsItsProgressOnATerminal) {
  if (std::system("command -v script > /dev/null 2>&1") != 0) GTEST_SKIP() << "no script(1) (util-linux)";
  const std::string id = Case();
  const std::string zip = root_ + "/tty.zip";
  const std::string command = std::string(CUSTODIAN_BINARY) + " produce " + id + " --out " + zip +
                              " --actor producer-1" + Data();
  const std::string log = root_ + "/tty.log";
  const int status = std::system(("script -qec " + Quoted(command) + " /dev/null < /dev/null > " + log + " 2>&1").c_str());
  const std::string on_tty = ReadFile(log);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << on_tty;
  EXPECT_THAT(on_tty, HasSubstr("\rproduce 2 events")) << "the progress line, drawn";
  EXPECT_THAT(on_tty, HasSubstr("events/s"));
  EXPECT_THAT(on_tty, HasSubstr("\"events\": 2")) << "and the outcome after it";
  EXPECT_TRUE(fs::exists(zip));
}

// A production whose zip cannot be written is recorded and then resumed; the instance keeps
// the package sealed for the agency's requester, and staff list, reissue and revoke grants.
TEST_F(ProductionCliTest, AFailedPackageIsResumedAndDeliveryIsManagedFromTheCli) {
  const std::string id = Case();
  const Outcome failed = Run("produce " + id + " --out " + root_ + "/no-such-dir/p.zip --actor producer-1" + Data());
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_THAT(failed.err, HasSubstr("produce --resume"));
  EXPECT_EQ(Ok("case show " + id + " --actor auditor-1")["state"], "produced");

  const std::string zip = root_ + "/resumed.zip";
  const json resumed = Ok("produce " + id + " --resume --out " + zip + " --actor producer-2");
  EXPECT_EQ(resumed["case"], id);
  EXPECT_FALSE(resumed.contains("events")) << "a resumed production does not count again";
  EXPECT_EQ(resumed["download"]["agency_id"], "us-dhs-hsi");
  EXPECT_EQ(resumed["download"]["state"], "open");
  ExportKeys();
  const Outcome verified = Verify(zip);
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_EQ(Run("produce " + id + " --resume --out " + root_ + "/again.zip --actor producer-2" + Data()).exit_code, 2)
      << "nothing left to resume";
  EXPECT_TRUE(fs::exists(data_ + "/packages/" + resumed["production"].get<std::string>() + ".zip.sealed"));
  EXPECT_TRUE(fs::is_empty(data_ + "/productions")) << "the working files are gone";

  const json listed = Ok("delivery list " + id + " --actor auditor-1");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["package_bytes"], fs::file_size(zip));
  ASSERT_EQ(listed[0]["downloads"].size(), 1u);
  const std::string first = listed[0]["downloads"][0]["id"];
  const std::string production = listed[0]["id"];
  const json second = Ok("delivery grant " + id + " " + production + " --actor reviewer-1");
  EXPECT_EQ(second["state"], "open");
  EXPECT_NE(second["id"], first);
  EXPECT_EQ(Ok("delivery list " + id + " --actor auditor-1")[0]["downloads"][0]["state"], "revoked")
      << "one open grant at a time";
  EXPECT_EQ(Ok("delivery revoke " + second["id"].get<std::string>() + " --actor approver-1")["state"], "revoked");
  const Outcome twice = Run("delivery revoke " + second["id"].get<std::string>() + " --actor approver-1" + Data());
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_THAT(twice.err, HasSubstr("revoked"));
  EXPECT_EQ(Run("delivery grant " + id + " P-2026-999999 --actor reviewer-1" + Data()).exit_code, 2);
}

// The widest record (location and device) lays out: every column, the device on a second
// line of each event.
TEST_F(ProductionCliTest, ACaseWithLocationAndDeviceIsProduced) {
  const std::string id = Case(true, {"basic_subscriber", "access_log", "location", "device"});
  const std::string zip = root_ + "/wide.zip";
  const Outcome produced = Run("produce " + id + " --out " + zip + " --actor producer-1" + Data());
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  EXPECT_EQ(json::parse(produced.out)["events"], 2);
  EXPECT_EQ(Ok("case show " + id + " --actor auditor-1")["state"], "produced");
  ExportKeys();
  const Outcome verified = Verify(zip);
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
}

// An instance whose servers are to share no disk: `cases store-files` copies the packages kept
// so far into the case store (run again, it copies nothing and checks what is there), and once
// custodian.toml says [cases] files = "case_store", a production keeps its package there.
TEST_F(ProductionCliTest, PackagesGoIntoTheCaseStoreOnceTheInstanceSaysSo) {
  const auto store = [&](const std::string& query) {
    return testing::RunTool("sqlite3 " + data_ + "/cases.db " + Quoted(query));
  };
  const json first = Ok("produce " + Case() + " --out " + root_ + "/1.zip --actor producer-1");
  const json copied = Ok("cases store-files --actor operator");
  EXPECT_EQ(copied["packages"], json({{"copied", 1}, {"already_there", 0}}));
  EXPECT_EQ(copied["attachments"], json({{"copied", 0}, {"already_there", 0}}));
  EXPECT_EQ(Ok("cases store-files --actor operator")["packages"], json({{"copied", 0}, {"already_there", 1}}));
  EXPECT_EQ(store("SELECT name FROM blobs"), "packages/" + first["production"].get<std::string>() + ".zip.sealed\n");
  EXPECT_EQ(store("SELECT COUNT(*) FROM audit WHERE action = 'store_files' AND actor = 'operator'"), "2\n");

  std::ofstream(data_ + "/custodian.toml", std::ios::app) << "[cases]\nfiles = \"case_store\"\n";
  fs::remove_all(data_ + "/packages");
  const json second = Ok("produce " + Case() + " --out " + root_ + "/2.zip --actor producer-1");
  EXPECT_FALSE(fs::exists(data_ + "/packages")) << "nothing on this server's disk";
  EXPECT_EQ(store("SELECT bytes FROM blobs WHERE name = 'packages/" + second["production"].get<std::string>() +
                  ".zip.sealed'"),
            std::to_string(fs::file_size(root_ + "/2.zip") + 21 + 24 + 17 * (fs::file_size(root_ + "/2.zip") / 65536 + 1)) + "\n")
      << "the zip, sealed: its magic line, the stream's header and each 64 KiB chunk's tag";
  std::ofstream(data_ + "/custodian.toml", std::ios::trunc) << "[cases]\nfiles = \"disk\"\n";
  const Outcome wrong = Run("case list --actor auditor-1" + Data());
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_THAT(wrong.err, HasSubstr("'cases.files' must be \"data\" or \"case_store\""));
}

TEST_F(ProductionCliTest, AProductionThatCannotFinishIsAbortedAndTheCaseProducedAgain) {
  const std::string id = Case();
  const Outcome failed = Run("produce " + id + " --out " + root_ + "/no-such-dir/p.zip --actor producer-1" + Data());
  EXPECT_EQ(failed.exit_code, 2) << failed.err;
  EXPECT_EQ(Ok("case show " + id + " --actor auditor-1")["state"], "produced");

  const Outcome no_reason = Run("produce " + id + " --abort --actor reviewer-1" + Data());
  EXPECT_EQ(no_reason.exit_code, 2);
  EXPECT_THAT(no_reason.err, HasSubstr("--abort needs --reason"));
  EXPECT_EQ(Run("produce " + id + " --abort --reason x --out " + root_ + "/x.zip --actor r" + Data()).exit_code, 2);
  const json aborted = Ok("produce " + id + " --abort --reason \"the disk was replaced\" --actor reviewer-1");
  EXPECT_EQ(aborted["case"], id);
  EXPECT_EQ(aborted["state"], "aborted");
  EXPECT_TRUE(aborted["ledger_index"].is_number()) << "the log held its leaf: it says it was aborted";
  EXPECT_EQ(Ok("case show " + id + " --actor auditor-1")["state"], "approved");
  EXPECT_TRUE(fs::is_empty(data_ + "/productions")) << "its working files are gone";
  const json listed = Ok("delivery list " + id + " --actor auditor-1");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["state"], "aborted");
  EXPECT_EQ(listed[0]["reason"], "the disk was replaced");
  const Outcome again = Run("produce " + id + " --abort --reason again --actor reviewer-1" + Data());
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr("no unfinished production"));

  const std::string zip = root_ + "/after.zip";
  EXPECT_EQ(Ok("produce " + id + " --out " + zip + " --actor producer-1")["case"], id);
  EXPECT_EQ(Ok("case show " + id + " --actor auditor-1")["state"], "produced");
}

// Damage to a package's zip structure, where its directory still reads: `verify` exits 1
// naming it, as for any damaged package; 2 is kept for a file with no zip directory at all.
using PackageDamageCliTest = CliTest;

TEST_F(PackageDamageCliTest, ADuplicateEntryOrAFlippedLocalHeaderCrcExitsOne) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* name : {"record.pdf", "record.json", "access_log.csv", "manifest.json", "manifest.sig", "recorX.json"}) {
    const std::string path = root_ + "/" + name;
    std::ofstream(path, std::ios::binary) << "entry " << files.size() << "\n";
    files.emplace_back(name, path);
  }
  ASSERT_TRUE(production::WriteZip(root_ + "/written.zip", files).ok());
  const std::string written = ReadFile(root_ + "/written.zip");
  const std::string key = " --public-key AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

  // recorX.json renamed record.json in its local header and in the directory: a name twice.
  std::string duplicate = written;
  int renamed = 0;
  for (size_t at = duplicate.find("recorX.json"); at != std::string::npos; at = duplicate.find("recorX.json", at)) {
    duplicate[at + 5] = 'd';
    ++renamed;
  }
  ASSERT_EQ(renamed, 2) << "the local header's name and the directory's";
  std::ofstream(root_ + "/duplicate.zip", std::ios::binary) << duplicate;
  const Outcome twice = Run("verify " + root_ + "/duplicate.zip" + key);
  EXPECT_EQ(twice.exit_code, 1) << twice.err;
  EXPECT_THAT(twice.err, HasSubstr("a file twice in the package: record.json"));
  EXPECT_EQ(json::parse(twice.out)["ok"], false);

  // The six files rightly named, the first entry's CRC-32 flipped in its local header (offset
  // 14), the directory's intact.
  files.back().first = "ledger.json";
  ASSERT_TRUE(production::WriteZip(root_ + "/package.zip", files).ok());
  std::string flipped = ReadFile(root_ + "/package.zip");
  ASSERT_EQ(flipped.substr(0, 4), std::string("PK\x03\x04", 4));
  flipped[14] = static_cast<char>(flipped[14] ^ 0x01);
  std::ofstream(root_ + "/flipped.zip", std::ios::binary) << flipped;
  const Outcome crc = Run("verify " + root_ + "/flipped.zip" + key);
  EXPECT_EQ(crc.exit_code, 1) << crc.err;
  EXPECT_THAT(crc.err, HasSubstr("the package's zip is damaged: its local headers disagree with its directory"));
  EXPECT_EQ(json::parse(crc.out)["passed"].size(), 0u);

  // No zip directory at all: 2.
  std::ofstream(root_ + "/cut.zip", std::ios::binary) << written.substr(0, written.size() / 2);
  const Outcome cut = Run("verify " + root_ + "/cut.zip" + key);
  EXPECT_EQ(cut.exit_code, 2) << cut.err;
  EXPECT_THAT(cut.err, HasSubstr("not a zip file"));
}

}  // namespace
}  // namespace custodian
