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
#include <thread>

#include <nlohmann/json.hpp>

#include <soci/soci.h>

#include "cases/ledgers/audit_log.h"
#include "cli/exit_codes.h"
#include "cli/instance_flags.h"
#include "cli/live_input.h"
#include "cli/progress.h"
#include "core/clock.h"
#include "instance/instance.h"
#include "instance/instance_record.h"
#include "vault/vault_stats_json.h"

namespace custodian {
namespace {

constexpr size_t kChunkBytes = 256 << 20;  // a file handed to the vault a run of lines at a time

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
  // Standard input, as it arrives: a commit every so many lines, or once its first line
  // waited so long; with `acks`, a JSON line on standard output for each.
  size_t commit_lines = 1 << 16;
  int commit_ms = 1000;
  bool acks = false;
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

// A file given to `custodian ingest` or `subscribers import`, mapped into memory (no copies).
class IngestInput {
 public:
  ~IngestInput() {
    if (map_) ::munmap(map_, size_);
  }
  Status Open(const std::string& path) {
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
    return Status::Ok();
  }
  uint64_t total() const { return size_; }
  // The whole file.
  std::string_view contents() const { return {map_, size_}; }

  // The next run of whole lines (the last one may lack its newline at the end); empty at
  // the end.
  std::string_view Next() {
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

 private:
  char* map_ = nullptr;
  size_t size_ = 0;
  size_t offset_ = 0;
};

enum class Feed { kEvents, kSubscribers };

// What an ingest stored, in the audit log: counts only (the lines themselves are the
// vault's). Each part is audited as it is committed: a live pipe that is killed, or a run
// that fails half-way, leaves no stored event outside an audited count.
class IngestAudit {
 public:
  IngestAudit(Feed feed, std::unique_ptr<cases::Database> store)
      : action_(feed == Feed::kEvents ? "ingest_events" : "ingest_subscribers"), store_(std::move(store)) {}
  // Audits what `report` counts beyond what was audited already (nothing when nothing more).
  Status Committed(const vault::IngestReport& report) {
    const uint64_t accepted = report.accepted - audited_.accepted, rejected = report.rejected - audited_.rejected,
                   duplicates = report.duplicates - audited_.duplicates;
    if (accepted + rejected + duplicates == 0) return Status::Ok();
    Status s = AuditOperatorAction(*store_, action_,
                                   {{"accepted", accepted}, {"rejected", rejected}, {"duplicates", duplicates}});
    if (s.ok()) {
      audited_.accepted = report.accepted, audited_.rejected = report.rejected,
      audited_.duplicates = report.duplicates;
    }
    return s;
  }

 private:
  std::string action_;
  std::unique_ptr<cases::Database> store_;
  vault::IngestReport audited_;
};

int RunIngest(const VaultFlags& f, Feed feed) {
  const bool live = f.input == "-";
  if (!live && (f.acks || f.commit_lines != VaultFlags().commit_lines || f.commit_ms != VaultFlags().commit_ms)) {
    return ReportFailure(Status::InvalidArgument(
        "--acks, --commit-lines and --commit-ms are for standard input (FILE -)"));
  }
  auto vault = OpenVaultUnderStandards(f.instance);
  if (!vault.ok()) return ReportFailure(vault.status());
  auto store = OpenCaseStore(f.instance);
  if (!store.ok()) return ReportFailure(store.status());
  IngestAudit audit(feed, std::move(store).value());
  IngestInput file;
  if (!live) {
    if (Status s = file.Open(f.input); !s.ok()) return ReportFailure(s);
  }
  Progress progress(feed == Feed::kEvents ? "ingest" : "import", file.total());
  vault::IngestReport report;
  if (feed == Feed::kEvents && !live) {
    // A file: imported whole, each day sealed once, all or nothing.
    Status s = (*vault)->Import(file.contents(), report, [&](uint64_t bytes, uint64_t lines) {
      progress.Update(bytes, lines);
    });
    progress.Finish();
    if (!s.ok()) {
      std::cerr << "custodian: " << s.message() << "\n";
      return kExitFailure;
    }
    std::cout << ReportJson(report).dump(2) << "\n";
    if (Status a = audit.Committed(report); !a.ok()) return ReportFailure(a);
    return report.rejected > 0 ? kExitBadInput : kExitOk;
  }
  // A run of lines at a time, each committed (synced) before the next is read; standard
  // input as it arrives.
  LiveInput stdin_lines(STDIN_FILENO, f.commit_lines, std::chrono::milliseconds(f.commit_ms));
  const auto print_report = [&] {
    std::cout << (f.acks ? ReportJson(report).dump() : ReportJson(report).dump(2)) << "\n" << std::flush;
  };
  // A run of lines as read: its text (valid until the next is read), where it starts and
  // ends; events are parsed at once, so that the next run is read and parsed while this one
  // commits.
  struct Run {
    std::string_view text;
    uint64_t first_line = 1;
    uint64_t end_offset = 0;
    vault::ParsedEvents events;
    Status status;
  };
  const auto read_run = [&](uint64_t first_line) {
    Run r;
    r.first_line = first_line;
    if (live) {
      auto next = stdin_lines.Next();
      if (!next.ok()) {
        r.status = next.status();
        return r;
      }
      r.text = *next;
      r.end_offset = stdin_lines.offset();
    } else {
      r.text = file.Next();
    }
    if (feed == Feed::kEvents) r.events = (*vault)->ParseEvents(r.text, first_line);
    return r;
  };
  uint64_t done = 0;
  Run run = read_run(1);
  while (true) {
    if (!run.status.ok()) return ReportFailure(run.status);
    if (run.text.empty()) break;
    const uint64_t next_line = run.first_line + CountLines(run.text);
    const size_t run_bytes = run.text.size();
    Run next;
    std::thread reader;
    Status s;
    if (feed == Feed::kEvents) {
      reader = std::thread([&] { next = read_run(next_line); });
      s = (*vault)->CommitEvents(run.events, report);
    } else {
      s = (*vault)->IngestSubscribers(run.text, report, run.first_line);
    }
    const auto stop_reading = [&] {
      stdin_lines.Interrupt();
      if (reader.joinable()) reader.join();
    };
    if (!s.ok()) {
      stop_reading();
      progress.Finish();
      print_report();
      if (Status a = audit.Committed(report); !a.ok()) std::cerr << "custodian: " << a.message() << "\n";
      std::cerr << "custodian: ingest stopped: " << s.message()
                << " (the lines counted as accepted above are stored)\n";
      return kExitFailure;
    }
    if (Status a = audit.Committed(report); !a.ok()) {
      stop_reading();
      progress.Finish();
      print_report();
      return ReportFailure(a);
    }
    if (f.acks) {
      // Everything up to the offset is stored and synced, or rejected in the report.
      const nlohmann::ordered_json ack = {{"lines", next_line - 1},
                                          {"events", report.accepted},
                                          {"rejected", report.rejected},
                                          {"committed_offset", run.end_offset}};
      std::cout << ack.dump() << "\n" << std::flush;
    }
    done += run_bytes;
    progress.Update(done, report.accepted + report.rejected);
    if (reader.joinable()) {
      reader.join();
    } else {
      next = read_run(next_line);
    }
    run = std::move(next);
  }
  // Days before yesterday are complete: seal them.
  Status s = (*vault)->Seal(SystemClock().Now().UtcDate().PlusDays(-1));
  progress.Finish();
  print_report();
  if (!s.ok()) {
    std::cerr << "custodian: the events are stored, but sealing failed: " << s.message() << "\n";
    return kExitFailure;
  }
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
  auto instance = Instance::Open(o);
  if (!instance.ok()) return ReportFailure(instance.status());
  Instance& s = **instance;
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
  const nlohmann::ordered_json out = vault::VaultStatsToJson(*stats);
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

void AddLiveFlags(CLI::App* command, VaultFlags& flags) {
  command->add_option("--commit-lines", flags.commit_lines,
                      "Standard input: commit every N lines at most")
      ->check(CLI::Range(size_t{1}, size_t{1} << 24))
      ->capture_default_str();
  command->add_option("--commit-ms", flags.commit_ms,
                      "Standard input: commit lines once the first has waited this long")
      ->check(CLI::Range(1, 60000))
      ->capture_default_str();
  command->add_flag("--acks", flags.acks,
                    "Standard input: print a JSON line for each commit (lines, events, rejected, "
                    "committed_offset)");
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
  AddLiveFlags(ingest, *flags);
  ingest->callback([flags, exit_code] { *exit_code = RunIngest(*flags, Feed::kEvents); });

  CLI::App* subscribers = app.add_subcommand("subscribers", "Subscriber record versions");
  subscribers->require_subcommand(1);
  CLI::App* import = subscribers->add_subcommand(
      "import", "Store subscriber records (NDJSON, spec/records.md) from FILE or standard input");
  AddInstanceFlags(import, flags->instance);
  import->add_option("FILE", flags->input, "NDJSON records; - or nothing for standard input");
  AddLiveFlags(import, *flags);
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
