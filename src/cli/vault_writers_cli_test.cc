// End-to-end tests of several writers of one instance through the built binary: `custodian
// serve` ingesting over HTTP while `custodian ingest -` and `subscribers import -` run on the
// same data directory; a live pipe committed and acknowledged before its end; a writer that
// finds the lock busy; a damaged vault reported and left as it is.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <thread>

#include <httplib.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_harness.h"
#include "instance/instance_record.h"
#include "vault/writer_lock.h"

namespace custodian {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// A child process running the binary, its standard input and output on pipes.
class Child {
 public:
  Child(const std::string& args, const std::string& err_path) {
    int in[2], out[2];
    if (::pipe(in) != 0 || ::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]);
      const std::string command = "exec " + std::string(CUSTODIAN_BINARY) + " " + args + " 2> " + err_path;
      ::execl("/bin/sh", "sh", "-c", command.c_str(), nullptr);
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    in_ = in[1];
    out_ = out[0];
  }
  ~Child() {
    CloseInput();
    if (out_ >= 0) ::close(out_);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool Write(std::string_view text) {
    while (!text.empty()) {
      const ssize_t n = ::write(in_, text.data(), text.size());
      if (n <= 0) return false;
      text.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  void CloseInput() {
    if (in_ >= 0) ::close(in_);
    in_ = -1;
  }
  // The next line of its standard output; empty at its end, or when nothing came for a long
  // while (a guard against a hung test, not a measure of anything).
  std::string ReadLine() {
    while (true) {
      if (const size_t nl = buffered_.find('\n'); nl != std::string::npos) {
        std::string line = buffered_.substr(0, nl);
        buffered_.erase(0, nl + 1);
        return line;
      }
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, 120000) <= 0) return "";
      char chunk[4096];
      const ssize_t n = ::read(out_, chunk, sizeof chunk);
      if (n <= 0) return "";
      buffered_.append(chunk, static_cast<size_t>(n));
    }
  }
  std::string ReadAll() {
    std::string all = buffered_;
    char chunk[4096];
    for (ssize_t n; (n = ::read(out_, chunk, sizeof chunk)) > 0;) all.append(chunk, static_cast<size_t>(n));
    return all;
  }
  void Kill() { ::kill(pid_, SIGKILL); }
  int Wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  std::string buffered_;
};

// An access event whose user agent names its account.
std::string Line(uint64_t account, int n) {
  return "{\"account_id\": " + std::to_string(account) + ", \"ts\": \"" +
         At(-2 * kDay - n, "%Y-%m-%dT%H:%M:%SZ") + "\", \"kind\": \"login\", \"ip\": \"203.0.113.5\", " +
         "\"user_agent\": \"agent of " + std::to_string(account) + "\"}\n";
}

std::string Version(uint64_t account) {
  return "{\"account_id\": " + std::to_string(account) +
         ", \"effective_from\": \"2025-06-01T00:00:00Z\", \"username\": \"user" + std::to_string(account) + "\"}\n";
}

class NoAudit : public vault::ReadAudit {
 public:
  Status RecordRead(const vault::Grant&, const std::string&) override { return Status::Ok(); }
};

class VaultWritersCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ASSERT_EQ(Run("init" + Data()).exit_code, 0);
  }
  std::string ServiceToken() {
    Outcome token = Run("user token create --service backend --actor admin" + Data());
    EXPECT_EQ(token.exit_code, 0) << token.err;
    return token.exit_code == 0 ? json::parse(token.out)["token"].get<std::string>() : "";
  }
  // The port a server says it listens on, once it says so in `err_path`; 0 if it never does.
  int PortOf(const std::string& err_path) {
    std::string banner;
    for (int i = 0; i < 3000 && banner.find("/api/v1") == std::string::npos; ++i) {
      ::usleep(20000);  // waiting for the server to say where it listens
      banner = ReadFile(err_path);
    }
    const size_t at = banner.find("serving http://127.0.0.1:");
    return at == std::string::npos ? 0 : std::stoi(banner.substr(at + 25));
  }
  // Each account's events as the vault reads them: "user agent" per event.
  std::map<uint64_t, std::vector<std::string>> Read(const std::vector<uint64_t>& accounts) {
    std::map<uint64_t, std::vector<std::string>> out;
    auto vault = OpenVault({data_, key_});
    EXPECT_TRUE(vault.ok()) << vault.status().message();
    if (!vault.ok()) return out;
    const Timestamp now = SystemClock().Now();
    const Timestamp start{now.micros - 30 * kMicrosPerDay}, end = now;
    NoAudit audit;
    for (uint64_t account : accounts) {
      vault::GrantScope scope;
      scope.case_id = "C-2026-000001";
      scope.accounts = {account};
      scope.categories.Add(Category::kAccessLog);
      scope.categories.Add(Category::kDevice);
      scope.start = start;
      scope.end = end;
      scope.expires = Timestamp{now.micros + kMicrosPerDay};
      auto r = (*vault)->ReadAccount((*vault)->grants().Issue(std::move(scope)), account, start, end, audit);
      EXPECT_TRUE(r.ok()) << r.status().message();
      if (!r.ok()) continue;
      for (const auto& e : *r) out[account].push_back(std::string(e.user_agent.value_or("-")));
    }
    return out;
  }
};

TEST_F(VaultWritersCliTest, ServeOverHttpAndCliIngestWriteSideBySide) {
  const std::string secret = ServiceToken();
  Child serve("serve --listen 127.0.0.1:0" + Data(), root_ + "/serve.err");
  const int port = PortOf(root_ + "/serve.err");
  ASSERT_GT(port, 0);

  // The CLI: events and subscriber versions from standard input, a commit every few lines.
  constexpr int kCliAccounts = 60, kHttpBatches = 30, kPerBatch = 4;
  std::string cli_events, cli_versions;
  for (int i = 0; i < kCliAccounts * 3; ++i) cli_events += Line(1 + i % kCliAccounts, i);
  for (int i = 0; i < kCliAccounts; ++i) cli_versions += Version(1 + i);
  Child events("ingest - --commit-lines 3" + Data(), root_ + "/events.err");
  Child versions("subscribers import - --commit-lines 2" + Data(), root_ + "/versions.err");
  std::thread feeder([&] {
    events.Write(cli_events);
    events.CloseInput();
    versions.Write(cli_versions);
    versions.CloseInput();
  });
  // Meanwhile the service over HTTP, new accounts (keys, strings) in every batch.
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(120);
  const httplib::Headers auth = {{"Authorization", "Bearer " + secret}};
  for (int b = 0; b < kHttpBatches; ++b) {
    std::string batch, subscribers;
    for (int i = 0; i < kPerBatch; ++i) {
      batch += Line(1000 + b * kPerBatch + i, b * kPerBatch + i);
      subscribers += Version(1000 + b * kPerBatch + i);
    }
    auto r = client.Post("/api/v1/ingest/events", auth, batch, "application/x-ndjson");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(json::parse(r->body)["accepted"], kPerBatch);
    r = client.Post("/api/v1/ingest/subscribers", auth, subscribers, "application/x-ndjson");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }
  feeder.join();
  EXPECT_EQ(events.Wait(), 0) << ReadFile(root_ + "/events.err");
  EXPECT_EQ(versions.Wait(), 0) << ReadFile(root_ + "/versions.err");

  // Everything from both is there, each event with its own account's user agent.
  std::vector<uint64_t> accounts;
  for (int i = 0; i < kCliAccounts; ++i) accounts.push_back(1 + i);
  for (int i = 0; i < kHttpBatches * kPerBatch; ++i) accounts.push_back(1000 + i);
  const auto read = Read(accounts);
  for (uint64_t account : accounts) {
    const size_t n = account < 1000 ? 3 : 1;
    EXPECT_EQ(read.count(account) ? read.at(account) : std::vector<std::string>{},
              std::vector<std::string>(n, "agent of " + std::to_string(account)))
        << account;
  }
  const json stats = json::parse(Run("vault stats" + Data()).out);
  EXPECT_EQ(stats["events"], kCliAccounts * 3 + kHttpBatches * kPerBatch);
  EXPECT_EQ(stats["accounts"], kCliAccounts + kHttpBatches * kPerBatch);
  EXPECT_EQ(stats["subscriber_versions"], kCliAccounts + kHttpBatches * kPerBatch);
  // The server reads what the CLI wrote: its retention run (over HTTP, none here) aside, a
  // batch it takes after them finds their keys and strings.
  auto r = client.Post("/api/v1/ingest/events", auth, Line(1, 999), "application/x-ndjson");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Read({1})[1], std::vector<std::string>(4, "agent of 1"));
}

// `producer | custodian ingest -`: lines are committed as they come, each commit acknowledged,
// and a kill before the end of the input loses none of them.
TEST_F(VaultWritersCliTest, ALivePipeIsCommittedAndAcknowledgedBeforeItsEnd) {
  Child ingest("ingest - --acks" + Data(), root_ + "/ingest.err");
  std::string lines;
  for (int i = 0; i < 100; ++i) lines += Line(1 + i % 10, i);
  ASSERT_TRUE(ingest.Write(lines));  // and the pipe stays open
  json ack;
  uint64_t acknowledged = 0;
  while (acknowledged < 100) {
    const std::string line = ingest.ReadLine();
    ASSERT_FALSE(line.empty()) << "no acknowledgement; " << ReadFile(root_ + "/ingest.err");
    ack = json::parse(line);
    ASSERT_TRUE(ack.contains("committed_offset")) << line;
    EXPECT_GT(ack["lines"].get<uint64_t>(), acknowledged);
    acknowledged = ack["lines"];
  }
  EXPECT_EQ(ack["lines"], 100);
  EXPECT_EQ(ack["events"], 100);
  EXPECT_EQ(ack["rejected"], 0);
  EXPECT_EQ(ack["committed_offset"], lines.size());
  ingest.Kill();
  ingest.Wait();
  Outcome stats = Run("vault stats" + Data());
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(json::parse(stats.out)["events"], 100);
  // What was committed is in the audit log already, though the pipe never ended.
  const std::string audited = "sqlite3 " + data_ + "/cases.db \"SELECT COUNT(*) > 0 FROM audit "
                              "WHERE action = 'ingest_events'\" > " + root_ + "/audited";
  ASSERT_EQ(std::system(audited.c_str()), 0);
  EXPECT_EQ(ReadFile(root_ + "/audited"), "1\n");

  // At its end, the last acknowledgement and then the report, one JSON object a line.
  Child to_the_end("ingest - --acks --commit-lines 4" + Data(), root_ + "/end.err");
  ASSERT_TRUE(to_the_end.Write(Line(50, 1) + Line(50, 2) + "not json\n" + Line(50, 3) + Line(51, 4)));
  to_the_end.CloseInput();
  std::vector<json> out;
  for (std::string line; !(line = to_the_end.ReadLine()).empty();) out.push_back(json::parse(line));
  EXPECT_EQ(to_the_end.Wait(), 2) << "a rejected line";
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], json::parse(R"({"lines": 4, "events": 3, "rejected": 1, "committed_offset": )" +
                                std::to_string(2 * Line(50, 1).size() + 9 + Line(50, 3).size()) + "}"));
  EXPECT_EQ(out[1]["lines"], 5);
  EXPECT_EQ(out[2]["accepted"], 4);
  EXPECT_EQ(out[2]["errors"][0]["line"], 3);
  Outcome misuse = Run("ingest --acks" + Data() + " " + root_ + "/stdin");
  EXPECT_EQ(misuse.exit_code, 2);
  EXPECT_THAT(misuse.err, HasSubstr("--acks, --commit-lines and --commit-ms are for standard input"));
}

// A writer waits for the lock up to [vault] lock_wait_seconds, then exits 1 saying who holds
// it; readers go on meanwhile.
TEST_F(VaultWritersCliTest, AWriterWaitsForTheLockThenNamesItsHolder) {
  std::ofstream(data_ + "/custodian.toml") << "[vault]\nlock_wait_seconds = 1\n";
  vault::SetLockHolderCommand("vault_writers_cli_test");
  auto held = vault::WriterLock::Acquire(PosixFileSystem(), vault::LockPath(data_), "import",
                                         std::chrono::seconds(5));
  ASSERT_TRUE(held.ok()) << held.status().message();
  vault::LockRecord record = (*held)->record();
  record.holder = (*held)->holder();
  ASSERT_TRUE((*held)->Publish(record, false).ok());
  Outcome busy = Run("ingest -" + Data(), Line(1, 1));
  EXPECT_EQ(busy.exit_code, 1);
  EXPECT_THAT(busy.err, HasSubstr(data_ + "/vault/LOCK: the vault's writer lock is held by pid " +
                                  std::to_string(::getpid()) + " (vault_writers_cli_test), import, since "));
  EXPECT_THAT(busy.err, HasSubstr("waited 1 s for it ([vault] lock_wait_seconds in custodian.toml)"));
  EXPECT_EQ(json::parse(busy.out)["accepted"], 0);
  // Fed by a pipe that stays open, the ingest reads the next lines while a run commits: the
  // failed commit ends it at once, not when the producer next writes or closes the pipe.
  Child live("ingest - --commit-ms 1" + Data(), root_ + "/live.err");
  ASSERT_TRUE(live.Write(Line(1, 1)));
  EXPECT_EQ(live.Wait(), 1) << ReadFile(root_ + "/live.err");
  EXPECT_THAT(ReadFile(root_ + "/live.err"), HasSubstr("ingest stopped: " + data_ + "/vault/LOCK"));
  Outcome stats = Run("vault stats" + Data());
  EXPECT_EQ(stats.exit_code, 0) << "reads go on: " << stats.err;
  held->reset();
  Outcome free = Run("ingest -" + Data(), Line(1, 1));
  EXPECT_EQ(free.exit_code, 0) << free.err;
  EXPECT_EQ(json::parse(Run("vault stats" + Data()).out)["events"], 1);
}

// `vault stats` over and over while `custodian ingest FILE` imports: every one of them reads
// and changes nothing, and the import stores all of its events (readers used to delete its
// pending segments, and it then said "committed" with a fraction stored).
TEST_F(VaultWritersCliTest, StatsDuringAnImportChangeNothingAndTheImportIsWhole) {
  constexpr int kLines = 60000;
  // The case store made first: two commands that both find none race to make it (its own
  // matter, not the vault's).
  ASSERT_EQ(Run("vault stats" + Data()).exit_code, 0);
  {
    std::ofstream file(root_ + "/big.ndjson");
    for (int i = 0; i < kLines; ++i) file << Line(1 + i % 500, i % 80000);
  }
  Child import("ingest" + Data() + " " + root_ + "/big.ndjson", root_ + "/import.err");
  import.CloseInput();
  std::atomic<bool> done{false};
  int runs = 0;
  uint64_t last = 0;
  std::thread stats([&] {
    while (!done) {
      Outcome o = Run("vault stats" + Data());
      EXPECT_EQ(o.exit_code, 0) << o.err;
      if (o.exit_code != 0) return;
      const uint64_t events = json::parse(o.out)["events"];
      EXPECT_LE(events, static_cast<uint64_t>(kLines));
      EXPECT_GE(events, last) << "each day's segment appears whole, and stays";
      last = events;
      ++runs;
    }
  });
  const std::string report = import.ReadAll();
  EXPECT_EQ(import.Wait(), 0) << ReadFile(root_ + "/import.err");
  done = true;
  stats.join();
  EXPECT_EQ(json::parse(report)["accepted"], kLines);
  EXPECT_EQ(json::parse(Run("vault stats" + Data()).out)["events"], kLines);
  EXPECT_GT(runs, 0);
}

// Over HTTP, a batch that finds the lock busy past the wait is answered 503, naming the holder
// and counting what was stored; once the lock is free the batch goes in.
TEST_F(VaultWritersCliTest, ServeAnswers503WhileAnotherWriterHoldsTheLock) {
  std::ofstream(data_ + "/custodian.toml") << "[vault]\nlock_wait_seconds = 1\n";
  const std::string secret = ServiceToken();
  Child serve("serve --listen 127.0.0.1:0" + Data(), root_ + "/serve.err");
  const int port = PortOf(root_ + "/serve.err");
  ASSERT_GT(port, 0);
  vault::SetLockHolderCommand("vault_writers_cli_test");
  auto held = vault::WriterLock::Acquire(PosixFileSystem(), vault::LockPath(data_), "retention run",
                                         std::chrono::seconds(5));
  ASSERT_TRUE(held.ok()) << held.status().message();
  vault::LockRecord record = (*held)->record();
  record.holder = (*held)->holder();
  ASSERT_TRUE((*held)->Publish(record, false).ok());
  httplib::Client client("127.0.0.1", port);
  const httplib::Headers auth = {{"Authorization", "Bearer " + secret}};
  auto busy = client.Post("/api/v1/ingest/events", auth, Line(1, 1), "application/x-ndjson");
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->status, 503) << busy->body;
  const json problem = json::parse(busy->body);
  EXPECT_THAT(problem["detail"].get<std::string>(),
              HasSubstr("the vault's writer lock is held by pid " + std::to_string(::getpid()) +
                        " (vault_writers_cli_test), retention run, since "));
  EXPECT_EQ(problem["report"]["accepted"], 0);
  held->reset();
  auto free = client.Post("/api/v1/ingest/events", auth, Line(1, 1), "application/x-ndjson");
  ASSERT_TRUE(free);
  EXPECT_EQ(free->status, 200) << free->body;
}

// A length field damaged in the dictionary: `vault stats` and `ingest` say where, exit 1,
// and every file stays as it was (the dictionary used to be cut to nothing).
TEST_F(VaultWritersCliTest, ADamagedVaultIsReportedAndLeftAsItIs) {
  ASSERT_EQ(Run("ingest -" + Data(), Line(1, 1) + Line(2, 2)).exit_code, 0);
  ASSERT_EQ(Run("ingest -" + Data(), Line(3, 3)).exit_code, 0);
  const std::string dict = data_ + "/vault/strings.dict";
  std::string bytes = ReadFile(dict);
  bytes[1] ^= 0x10;  // the first record's length now runs past the end
  std::ofstream(dict, std::ios::binary | std::ios::trunc) << bytes;
  const auto before = ReadFile(dict);
  Outcome stats = Run("vault stats" + Data());
  EXPECT_EQ(stats.exit_code, 1);
  EXPECT_THAT(stats.err, HasSubstr(dict + ": the record at byte 0 is cut short, inside the "));
  Outcome ingest = Run("ingest -" + Data(), Line(4, 4));
  EXPECT_EQ(ingest.exit_code, 1);
  EXPECT_THAT(ingest.err, HasSubstr(dict + ": the record at byte 0 "));
  EXPECT_EQ(ReadFile(dict), before);
}

}  // namespace
}  // namespace custodian
