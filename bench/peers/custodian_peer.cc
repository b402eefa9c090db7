// custodian's embedded vault as a benchmark peer: the same library calls the CLI and the
// server make. Ingest is durable and sealed (every day into encrypted segments) before it
// returns, through either of the vault's two ingest paths; reads go through grants, as a production's would; dropping a day is a retention
// run; shredding is an account deletion (one key slot overwritten).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <set>

#include "bench/peers/peers.h"
#include "bench/unrecorded_reads.h"
#include "core/clock.h"
#include "vault/embedded_vault.h"

namespace custodian::bench {
namespace {

// The latest `ts` of an NDJSON file of events in time order: its last line's.
Result<Timestamp> LastTimestamp(std::string_view text) {
  size_t end = text.size();
  while (end > 0 && text[end - 1] == '\n') --end;
  const size_t start = text.rfind('\n', end - 1);
  const std::string_view line = text.substr(start == std::string_view::npos ? 0 : start + 1,
                                            end - (start == std::string_view::npos ? 0 : start + 1));
  const size_t key = line.find("\"ts\": \"");
  if (key == std::string_view::npos) return Status::InvalidArgument("the last line has no ts");
  const size_t from = key + 7;
  return ParseDateTime(line.substr(from, line.find('"', from) - from));
}

// How the events arrive: a file imported whole (`custodian ingest FILE`), or a stream
// acknowledged a batch at a time (`custodian ingest -`, the HTTP ingest), sealed at the end.
enum class Feed { kImport, kStream };

class CustodianPeer : public Peer {
 public:
  explicit CustodianPeer(Feed feed) : feed_(feed) {}
  std::string name() const override {
    return feed_ == Feed::kImport ? "custodian" : "custodian-stream";
  }

  Status Start(const std::string& workdir) override {
    dir_ = workdir + "/data";
    if (Status s = vault::EmbeddedVault::Create(dir_, master_); !s.ok()) return s;
    return Open();
  }

  Result<uint64_t> Ingest(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IoError(path + ": " + std::strerror(errno));
    struct stat st;
    ::fstat(fd, &st);
    const size_t size = static_cast<size_t>(st.st_size);
    void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (map == MAP_FAILED) return Status::IoError(path + ": " + std::strerror(errno));
    ::madvise(map, size, MADV_SEQUENTIAL);
    const std::string_view text(static_cast<const char*>(map), size);
    // The workload's days are in the past; ingest as if it were the hour after its last event.
    auto last = LastTimestamp(text);
    if (!last.ok()) {
      ::munmap(map, size);
      return last.status();
    }
    clock_.Set(Timestamp{last->micros + kMicrosPerHour});
    vault::IngestReport report;
    const auto start = std::chrono::steady_clock::now();
    Status s = feed_ == Feed::kImport ? vault_->Import(text, report) : vault_->Ingest(text, report);
    if (s.ok() && feed_ == Feed::kStream) {
      // Every batch is acknowledged (durable in the journal, readable) when Ingest returns;
      // sealing the days into segments is part of the row's time all the same. Both shown.
      const auto acknowledged = std::chrono::steady_clock::now();
      s = vault_->Seal();
      const std::chrono::duration<double> ingesting = acknowledged - start;
      const std::chrono::duration<double> sealing = std::chrono::steady_clock::now() - acknowledged;
      std::cout << "[" << name() << "] every batch acknowledged in " << ingesting.count()
                << " s (" << static_cast<uint64_t>(report.accepted / ingesting.count())
                << " events/s); the days sealed in " << sealing.count() << " s more" << std::endl;
    }
    ::munmap(map, size);
    if (!s.ok()) return s;
    if (report.rejected > 0) {
      return Status::Internal("the vault rejected " + std::to_string(report.rejected) +
                              " lines, first: " + report.errors.front().error);
    }
    return report.accepted;
  }

  Result<uint64_t> BytesOnDisk() override {
    auto stats = vault_->Stats();
    if (!stats.ok()) return stats.status();
    return stats->bytes_on_disk;
  }

  Result<uint64_t> QueryAccount(uint64_t account, int64_t from_us, int64_t to_us) override {
    vault::GrantScope scope;
    scope.case_id = "bench";
    scope.accounts = {account};
    scope.categories.Add(Category::kAccessLog);
    scope.categories.Add(Category::kDevice);
    scope.start = Timestamp{from_us};
    scope.end = Timestamp{to_us};
    scope.expires = Timestamp{clock_.Now().micros + kMicrosPerDay};
    // Every event is decoded into a record, as a production would, and counted.
    uint64_t rows = 0;
    Status s = vault_->ScanAccount(vault_->grants().Issue(std::move(scope)), account,
                                   Timestamp{from_us}, Timestamp{to_us}, audit_,
                                   [&](const vault::AccessRecord&) { ++rows; });
    if (!s.ok()) return s;
    return rows;
  }

  Result<uint64_t> QueryIp(const std::string& ip, int64_t from_us, int64_t to_us) override {
    auto address = IpEndpoint::Parse(ip);
    if (!address) return Status::InvalidArgument(ip + ": not an address");
    vault::GrantScope scope;
    scope.case_id = "bench";
    scope.addresses = {*address};
    scope.categories.Add(Category::kAccessLog);
    scope.start = Timestamp{from_us};
    scope.end = Timestamp{to_us};
    scope.expires = Timestamp{clock_.Now().micros + kMicrosPerDay};
    auto accounts = vault_->AccountsAtAddress(vault_->grants().Issue(std::move(scope)), *address,
                                              Timestamp{from_us}, Timestamp{to_us}, audit_);
    if (!accounts.ok()) return accounts.status();
    return accounts->size();
  }

  Status DropDay(Date day) override {
    // Retention deletes the days older than its period: make `day` the only such day.
    clock_.Set(Timestamp{day.PlusDays(options_.access_log_retention_days + 1).days * kMicrosPerDay});
    auto r = vault_->RunRetention();
    if (!r.ok()) return r.status();
    if (r->partitions_deleted != 1) {
      return Status::Internal("retention deleted " + std::to_string(r->partitions_deleted) +
                              " days, not one");
    }
    return Status::Ok();
  }

  Status ShredAccount(uint64_t account) override {
    auto outcome = vault_->DeleteAccount(account);
    if (!outcome.ok()) return outcome.status();
    return *outcome == vault::DeletionOutcome::kDeleted
               ? Status::Ok()
               : Status::Internal("deletion deferred by a hold");
  }

  void Stop() override { vault_.reset(); }

 private:
  Status Open() {
    options_.clock = &clock_;
    auto v = vault::EmbeddedVault::Open(dir_, master_, options_);
    if (!v.ok()) return v.status();
    vault_ = std::move(v).value();
    return Status::Ok();
  }

  const Feed feed_;
  std::string dir_;
  const vault::SecretKey master_ = vault::SecretKey::Random();
  ManualClock clock_{SystemClock().Now()};
  vault::VaultOptions options_;
  UnrecordedReads audit_;
  std::unique_ptr<vault::Vault> vault_;
};

}  // namespace

Result<std::unique_ptr<Peer>> MakeCustodianPeer() {
  return std::unique_ptr<Peer>(new CustodianPeer(Feed::kImport));
}

Result<std::unique_ptr<Peer>> MakeCustodianStreamPeer() {
  return std::unique_ptr<Peer>(new CustodianPeer(Feed::kStream));
}

}  // namespace custodian::bench
