#include "bench/account_scale.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "bench/child_process.h"
#include "bench/stats.h"
#include "bench/unrecorded_reads.h"
#include "core/clock.h"
#include "vault/embedded_vault.h"

namespace custodian::bench {
namespace {

namespace fs = std::filesystem;

// The events' day: yesterday, well inside any retention.
Date EventDay() { return SystemClock().Now().UtcDate().PlusDays(-1); }

// Accounts [first, end): two logins each, from an address and a port of their own.
std::string Events(uint64_t first, uint64_t end) {
  const std::string day = FormatDate(EventDay());
  std::string out;
  out.reserve((end - first) * 2 * 110);
  char line[160];
  for (uint64_t a = first; a < end; ++a) {
    for (int k = 0; k < 2; ++k) {
      const uint64_t second = (a * 7 + static_cast<uint64_t>(k) * 3600) % 86400;
      const int n = std::snprintf(
          line, sizeof line,
          "{\"account_id\": %llu, \"ts\": \"%sT%02llu:%02llu:%02llu.%06lluZ\", \"kind\": \"login\", "
          "\"ip\": \"10.%llu.%llu.%llu\", \"port\": %llu}\n",
          static_cast<unsigned long long>(a), day.c_str(), static_cast<unsigned long long>(second / 3600),
          static_cast<unsigned long long>(second / 60 % 60), static_cast<unsigned long long>(second % 60),
          static_cast<unsigned long long>(a % 1000000), static_cast<unsigned long long>(a >> 16 & 255),
          static_cast<unsigned long long>(a >> 8 & 255), static_cast<unsigned long long>(a & 255),
          static_cast<unsigned long long>(1024 + a % 60000));
      out.append(line, static_cast<size_t>(n));
    }
  }
  return out;
}

// Private resident memory (RssAnon) in kB: the pages of mapped files (segments, slots, the
// index) are the kernel's page cache, shared and given back under pressure.
uint64_t PrivateKb() { return ProcStatusKb("RssAnon:").value_or(0); }

std::string KeyPath(const std::string& dir) { return dir + "/../master.key"; }

Status WriteKey(const std::string& dir, const vault::SecretKey& key) {
  std::ofstream out(KeyPath(dir), std::ios::binary | std::ios::trunc);
  out.write(key.view().data(), static_cast<std::streamsize>(key.view().size()));
  out.close();
  ::chmod(KeyPath(dir).c_str(), 0600);
  return out ? Status::Ok() : Status::IoError("cannot write " + KeyPath(dir));
}

Result<vault::SecretKey> ReadKey(const std::string& dir) {
  std::ifstream in(KeyPath(dir), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() != vault::kKeyBytes) return Status::IoError("cannot read " + KeyPath(dir));
  return vault::SecretKey::FromBytes(bytes);
}

// Runs the probe in a fresh process: its one line of figures.
Result<std::string> Probe(const AccountScaleOptions& o, const std::string& dir, uint64_t accounts) {
  const std::string command = "'" + o.self + "' --accounts-probe '" + dir + "' --accounts " +
                              std::to_string(accounts) + " --queries " + std::to_string(o.reads);
  auto out = RunCapturing(command);
  if (!out.ok()) return out.status();
  while (!out->empty() && out->back() == '\n') out->pop_back();
  return out;
}

}  // namespace

int RunAccountProbe(const std::string& dir, uint64_t accounts, size_t reads) {
  auto key = ReadKey(dir);
  if (!key.ok()) {
    std::cout << "probe: " << key.status().message() << "\n";
    return 1;
  }
  ManualClock clock(SystemClock().Now());
  vault::VaultOptions options;
  options.clock = &clock;
  const uint64_t rss_before = PrivateKb();
  const Stopwatch opening;
  auto v = vault::EmbeddedVault::Open(dir, *key, options);
  const double open_s = opening.Seconds();
  if (!v.ok()) {
    std::cout << "probe: open: " << v.status().message() << "\n";
    return 1;
  }
  const uint64_t rss_open = PrivateKb();
  const Date day = EventDay();
  const Timestamp from{day.days * kMicrosPerDay}, to{day.PlusDays(1).days * kMicrosPerDay};
  UnrecordedReads audit;
  std::vector<double> micros;
  uint64_t x = 0x9e3779b97f4a7c15;
  for (size_t i = 0; i < reads; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift: accounts spread over the whole range
    const uint64_t account = 1 + x % accounts;
    vault::GrantScope scope;
    scope.case_id = "bench";
    scope.accounts = {account};
    scope.categories.Add(Category::kAccessLog);
    scope.start = from;
    scope.end = to;
    scope.expires = Timestamp{clock.Now().micros + kMicrosPerDay};
    const vault::Grant grant = (*v)->grants().Issue(std::move(scope));
    uint64_t rows = 0;
    const Stopwatch one;
    Status s = (*v)->ScanAccount(grant, account, from, to, audit, [&](const vault::AccessRecord&) { ++rows; });
    micros.push_back(one.Micros());
    if (!s.ok() || rows != 2) {
      std::cout << "probe: account " << account << ": " << (s.ok() ? std::to_string(rows) + " events, not 2" : s.message()) << "\n";
      return 1;
    }
  }
  std::printf("open_s=%.3f rss_open_mib=%.1f rss_after_reads_mib=%.1f read_p50_us=%.0f read_p99_us=%.0f\n",
              open_s, static_cast<double>(rss_open - rss_before) / 1024.0,
              static_cast<double>(PrivateKb() - rss_before) / 1024.0, Percentile(micros, 50),
              Percentile(micros, 99));
  return 0;
}

int RunAccountScale(const AccountScaleOptions& o) {
  const std::string dir = o.workdir + "/vault";
  fs::create_directories(dir);
  const vault::SecretKey master = vault::SecretKey::Random();
  if (Status s = WriteKey(dir, master); !s.ok() || !vault::EmbeddedVault::Create(dir, master).ok()) {
    std::cerr << "vault_bench: cannot create the vault in " << dir << "\n";
    return 1;
  }
  ManualClock clock(SystemClock().Now());
  vault::VaultOptions options;
  options.clock = &clock;
  std::vector<uint64_t> checkpoints = {o.accounts / 10, o.accounts / 2, o.accounts};
  std::cout << "account scale: " << o.accounts << " accounts, two events each on "
            << FormatDate(EventDay()) << ", imported 250,000 accounts at a time; " << o.reads
            << " accounts read by a fresh process at each mark\n"
            << "accounts     created in   us/account   open s   private MiB: open   after reads   read p50 us   read p99 us   slots MB\n";
  constexpr uint64_t kRound = 250'000;
  uint64_t created = 0;
  for (uint64_t mark : checkpoints) {
    if (mark <= created) continue;
    auto v = vault::EmbeddedVault::Open(dir, master, options);
    if (!v.ok()) {
      std::cerr << "vault_bench: open: " << v.status().message() << "\n";
      return 1;
    }
    const uint64_t from = created;
    const Stopwatch creating;
    while (created < mark) {
      const uint64_t end = std::min(mark, created + kRound);
      const std::string text = Events(created + 1, end + 1);
      vault::IngestReport report;
      if (Status s = (*v)->Import(text, report); !s.ok() || report.accepted != 2 * (end - created)) {
        std::cerr << "vault_bench: import: " << (s.ok() ? "not every event accepted" : s.message()) << "\n";
        return 1;
      }
      created = end;
    }
    const double seconds = creating.Seconds();
    v->reset();
    auto probe = Probe(o, dir, created);
    if (!probe.ok()) {
      std::cerr << "vault_bench: " << probe.status().message() << "\n";
      return 1;
    }
    double open_s = 0, rss_open = 0, rss_reads = 0, p50 = 0, p99 = 0;
    std::sscanf(probe->c_str(), "open_s=%lf rss_open_mib=%lf rss_after_reads_mib=%lf read_p50_us=%lf read_p99_us=%lf",
                &open_s, &rss_open, &rss_reads, &p50, &p99);
    std::printf("%-12llu %8.1f s %12.2f %8.3f %20.1f %17.1f %13.0f %13.0f %10.1f\n",
                static_cast<unsigned long long>(created), seconds,
                seconds * 1e6 / static_cast<double>(created - from), open_s, rss_open, rss_reads, p50, p99,
                static_cast<double>(fs::file_size(dir + "/keys/accounts.slots")) / 1e6);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace custodian::bench
