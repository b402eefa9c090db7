#include "cli/vault_command.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include <soci/soci.h>

#include "cases/audit_log.h"
#include "cli/case_session.h"
#include "cli/exit_codes.h"
#include "cli/instance.h"
#include "cli/instance_flags.h"
#include "cli/progress.h"
#include "core/clock.h"

namespace custodian {
namespace {

constexpr size_t kChunkBytes = 256 << 20;  // input handed to the vault a run of lines at a time

// Lines in `text`, counting an unterminated last one.
uint64_t CountLines(std::string_view text) {
  uint64_t n = 0;
  for (const char* p = text.data(), *end = p + text.size();
       (p = static_cast<const char*>(std::memchr(p, '\n', end - p))); ++p) {
    ++n;
  }
  return n + (!text.empty() && text.back() != '\n');
}

struct VaultFlags {
  InstanceOptions instance;
  std::string input = "-";
};

nlohmann::ordered_json ReportJson(const vault::IngestReport& r) {
  nlohmann::ordered_json errors = nlohmann::ordered_json::array();
  for (const auto& e : r.errors) errors.push_back({{"line", e.line}, {"error", e.error}});
  return {{"accepted", r.accepted},
          {"rejected", r.rejected},
          {"duplicates", r.duplicates},
          {"errors", std::move(errors)}};
}

int RunInit(const InstanceOptions& o) {
  auto r = InitInstance(o);
  if (!r.ok()) return ReportFailure(r.status());
  nlohmann::ordered_json out = {{"data", o.data_dir},
                                {"instance_id", r->instance_id},
                                {"key_file", r->key_file},
                                {"case_store", r->case_store_id}};
  std::cout << out.dump(2) << "\n";
  std::cerr << "custodian: keep a copy of " << r->key_file
            << " somewhere safe and apart from the data: without it nothing can be read.\n";
  return kExitOk;
}

// The input of `custodian ingest`: a file mapped into memory (no copies), or standard input
// read a chunk at a time.
class IngestInput {
 public:
  ~IngestInput() {
    if (map_) ::munmap(map_, size_);
  }
  Status Open(const std::string& path) {
    if (path == "-") return Status::Ok();
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IoError(path + ": " + std::strerror(errno));
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return Status::IoError(path + ": not a regular file");
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* m = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (m == MAP_FAILED) {
        ::close(fd);
        return Status::IoError(path + ": " + std::strerror(errno));
      }
      map_ = static_cast<char*>(m);
      ::madvise(map_, size_, MADV_SEQUENTIAL);
    }
    ::close(fd);
    mapped_ = true;
    return Status::Ok();
  }
  uint64_t total() const { return mapped_ ? size_ : 0; }
  bool mapped() const { return mapped_; }
  // The whole file, when it is mapped.
  std::string_view contents() const { return {map_, size_}; }

  // The next run of whole lines (the last one may lack its newline at the end of input);
  // empty at the end. Stdin fails with IoError when it cannot be read.
  Result<std::string_view> Next() {
    if (mapped_) {
      if (offset_ >= size_) return std::string_view();
      size_t end = std::min(size_, offset_ + kChunkBytes);
      if (end < size_) {
        const char* nl = static_cast<const char*>(::memrchr(map_ + offset_, '\n', end - offset_));
        if (nl) end = static_cast<size_t>(nl - map_) + 1;
      }
      std::string_view out(map_ + offset_, end - offset_);
      offset_ = end;
      return out;
    }
    buffer_.erase(0, consumed_);
    consumed_ = 0;
    const size_t had = buffer_.size();
    buffer_.resize(had + kChunkBytes);
    const size_t n = std::fread(buffer_.data() + had, 1, kChunkBytes, stdin);
    buffer_.resize(had + n);
    if (n == 0 && std::ferror(stdin)) return Status::IoError("standard input: read failed");
    const bool eof = n == 0;
    size_t end = buffer_.size();
    if (!eof) {
      const size_t nl = buffer_.rfind('\n');
      end = nl == std::string::npos ? 0 : nl + 1;
      if (end == 0) return Next();  // a line longer than a chunk: read on
    }
    consumed_ = end;
    return std::string_view(buffer_.data(), end);
  }

 private:
  bool mapped_ = false;
  char* map_ = nullptr;
  size_t size_ = 0;
  size_t offset_ = 0;
  std::string buffer_;
  size_t consumed_ = 0;
};

enum class Feed { kEvents, kSubscribers };

// Counts only: the lines themselves are the vault's.
Status AuditIngest(const VaultFlags& f, Feed feed, const vault::IngestReport& report) {
  return AuditOperatorAction(f.instance, feed == Feed::kEvents ? "ingest_events" : "ingest_subscribers",
                             {{"accepted", report.accepted}, {"rejected", report.rejected},
                              {"duplicates", report.duplicates}});
}

int RunIngest(const VaultFlags& f, Feed feed) {
  auto vault = OpenVaultUnderStandards(f.instance);
  if (!vault.ok()) return ReportFailure(vault.status());
  IngestInput input;
  if (Status s = input.Open(f.input); !s.ok()) return ReportFailure(s);
  Progress progress(feed == Feed::kEvents ? "ingest" : "import", input.total());
  vault::IngestReport report;
  if (feed == Feed::kEvents && input.mapped()) {
    // A file: imported whole, each day sealed once, all or nothing.
    Status s = (*vault)->Import(input.contents(), report, [&](uint64_t bytes, uint64_t lines) {
      progress.Update(bytes, lines);
    });
    progress.Finish();
    if (!s.ok()) {
      std::cerr << "custodian: " << s.message() << "\n";
      return kExitFailure;
    }
    std::cout << ReportJson(report).dump(2) << "\n";
    if (Status a = AuditIngest(f, feed, report); !a.ok()) return ReportFailure(a);
    return report.rejected > 0 ? kExitBadInput : kExitOk;
  }
  uint64_t line = 1, done = 0;
  while (true) {
    auto chunk = input.Next();
    if (!chunk.ok()) return ReportFailure(chunk.status());
    if (chunk->empty()) break;
    Status s = feed == Feed::kEvents ? (*vault)->Ingest(*chunk, report, line)
                                     : (*vault)->IngestSubscribers(*chunk, report, line);
    line += CountLines(*chunk);
    if (!s.ok()) {
      progress.Finish();
      std::cout << ReportJson(report).dump(2) << "\n";
      std::cerr << "custodian: ingest stopped: " << s.message()
                << " (the lines counted as accepted above are stored)\n";
      return kExitFailure;
    }
    done += chunk->size();
    progress.Update(done, report.accepted + report.rejected);
  }
  // Days before yesterday are complete: seal them.
  Status s = (*vault)->Seal(SystemClock().Now().UtcDate().PlusDays(-1));
  progress.Finish();
  std::cout << ReportJson(report).dump(2) << "\n";
  if (!s.ok()) {
    std::cerr << "custodian: the events are stored, but sealing failed: " << s.message() << "\n";
    return kExitFailure;
  }
  if (Status a = AuditIngest(f, feed, report); !a.ok()) return ReportFailure(a);
  return report.rejected > 0 ? kExitBadInput : kExitOk;
}

int RunRetention(const InstanceOptions& o) {
  auto vault = OpenVaultUnderStandards(o);
  if (!vault.ok()) return ReportFailure(vault.status());
  auto r = (*vault)->RunRetention();
  if (!r.ok()) return ReportFailure(r.status());
  const nlohmann::ordered_json out = {{"partitions_deleted", r->partitions_deleted},
                                      {"partitions_kept_for_holds", r->partitions_kept_for_holds},
                                      {"holds_expired", r->holds_expired},
                                      {"deletions_completed", r->deletions_completed},
                                      {"subscriber_versions_deleted", r->subscriber_versions_deleted}};
  std::cout << out.dump(2) << "\n";
  if (Status a = AuditOperatorAction(o, "run_retention", out); !a.ok()) return ReportFailure(a);
  return kExitOk;
}

int RunDeleteAccount(const InstanceOptions& o, const std::string& id, const std::string& actor) {
  uint64_t account = 0;
  if (id.empty() || id.size() > 20 ||
      std::from_chars(id.data(), id.data() + id.size(), account).ptr != id.data() + id.size()) {
    return ReportFailure(Status::InvalidArgument("ID: not an account id (an unsigned 64-bit integer)"));
  }
  auto session = OpenCaseSession(o);
  if (!session.ok()) return ReportFailure(session.status());
  CaseSession& s = **session;
  auto outcome = s.vault->DeleteAccount(account);
  if (!outcome.ok()) return ReportFailure(outcome.status());
  const bool deleted = *outcome == vault::DeletionOutcome::kDeleted;
  // The audit log's details that concern the account go with it; the entries stay.
  Status recorded = s.db->Transaction([&](soci::session& sql) -> Status {
    if (deleted) {
      if (auto erased = cases::EraseAuditDetails(sql, id); !erased.ok()) return erased.status();
    }
    return cases::AppendAudit(sql, SystemClock().Now(), actor, std::nullopt, "delete_account",
                              nlohmann::json{{"outcome", deleted ? "deleted" : "deferred"}}.dump(),
                              {deleted ? std::nullopt : std::optional(id)})
        .status();
  });
  if (!recorded.ok()) return ReportFailure(recorded);
  nlohmann::ordered_json out = {{"account_id", id},
                                {"outcome", deleted ? "deleted" : "deferred"}};
  if (!deleted) out["reason"] = "a legal hold covers the account; its key is destroyed when the hold ends";
  std::cout << out.dump(2) << "\n";
  return kExitOk;
}

int RunStats(const InstanceOptions& o) {
  auto vault = OpenVaultUnderStandards(o);
  if (!vault.ok()) return ReportFailure(vault.status());
  auto stats = (*vault)->Stats();
  if (!stats.ok()) return ReportFailure(stats.status());
  const nlohmann::ordered_json out = {{"events", stats->events},
                                      {"subscriber_versions", stats->subscriber_versions},
                                      {"accounts", stats->accounts},
                                      {"deleted_accounts", stats->deleted_accounts},
                                      {"partitions", stats->partitions},
                                      {"segments", stats->segments},
                                      {"unsealed_events", stats->unsealed_events},
                                      {"bytes_on_disk", stats->bytes_on_disk}};
  std::cout << out.dump(2) << "\n";
  return kExitOk;
}

int RunSeal(const InstanceOptions& o) {
  auto vault = OpenVaultUnderStandards(o);
  if (!vault.ok()) return ReportFailure(vault.status());
  if (Status s = (*vault)->Seal(); !s.ok()) return ReportFailure(s);
  if (Status a = AuditOperatorAction(o, "seal_vault", nlohmann::ordered_json::object()); !a.ok()) {
    return ReportFailure(a);
  }
  return RunStats(o);
}

}  // namespace

void AddVaultCommands(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<VaultFlags>();

  CLI::App* init = app.add_subcommand("init", "Create an instance: data directory and master key");
  AddInstanceFlags(init, flags->instance);
  init->callback([flags, exit_code] { *exit_code = RunInit(flags->instance); });

  CLI::App* ingest = app.add_subcommand(
      "ingest", "Store access events (NDJSON, spec/records.md) from FILE or standard input");
  AddInstanceFlags(ingest, flags->instance);
  ingest->add_option("FILE", flags->input, "NDJSON events; - or nothing for standard input");
  ingest->callback([flags, exit_code] { *exit_code = RunIngest(*flags, Feed::kEvents); });

  CLI::App* subscribers = app.add_subcommand("subscribers", "Subscriber record versions");
  subscribers->require_subcommand(1);
  CLI::App* import = subscribers->add_subcommand(
      "import", "Store subscriber records (NDJSON, spec/records.md) from FILE or standard input");
  AddInstanceFlags(import, flags->instance);
  import->add_option("FILE", flags->input, "NDJSON records; - or nothing for standard input");
  import->callback([flags, exit_code] { *exit_code = RunIngest(*flags, Feed::kSubscribers); });

  CLI::App* retention = app.add_subcommand("retention", "Retention of the access log");
  retention->require_subcommand(1);
  CLI::App* run = retention->add_subcommand(
      "run", "Delete days past retention (keeping what legal holds cover)");
  AddInstanceFlags(run, flags->instance);
  run->callback([flags, exit_code] { *exit_code = RunRetention(flags->instance); });

  auto account_id = std::make_shared<std::string>();
  CLI::App* account = app.add_subcommand("account", "Accounts");
  account->require_subcommand(1);
  CLI::App* del = account->add_subcommand(
      "delete", "Destroy an account's key at once (crypto-shredding), unless a hold covers it");
  AddInstanceFlags(del, flags->instance);
  del->add_option("ID", *account_id, "The account id")->required();
  auto deleter = std::make_shared<std::string>("operator");
  del->add_option("--actor", *deleter, "Who deletes (recorded)")->capture_default_str();
  del->callback([flags, account_id, deleter, exit_code] {
    *exit_code = RunDeleteAccount(flags->instance, *account_id, *deleter);
  });

  CLI::App* vault = app.add_subcommand("vault", "The vault: counts and maintenance");
  vault->require_subcommand(1);
  CLI::App* stats = vault->add_subcommand("stats", "Counts (never personal data), as JSON");
  AddInstanceFlags(stats, flags->instance);
  stats->callback([flags, exit_code] { *exit_code = RunStats(flags->instance); });
  CLI::App* seal = vault->add_subcommand("seal", "Seal every open partition into segments");
  AddInstanceFlags(seal, flags->instance);
  seal->callback([flags, exit_code] { *exit_code = RunSeal(flags->instance); });
}

}  // namespace custodian
