// The vault: subscriber records and the access log, encrypted per account (DESIGN.md, Vault).
// Ingest makes events durable before it returns; reads take a grant the case workflow issued
// and are audited before any data leaves. This is what every engine of the vault answers to;
// embedded_vault.h is the engine on the instance's own disk (docs/vault_format.md).
// Implementations are thread-safe: ingest, sealing and reads may run concurrently from many
// threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.h"
#include "core/status.h"
#include "core/time.h"
#include "vault/access_event.h"
#include "vault/grant.h"
#include "vault/holds.h"
#include "vault/ingest_report.h"
#include "vault/parsed_events.h"
#include "vault/subscriber_record.h"

namespace custodian::vault {

// An access event as a read returns it.
struct AccessRecord {
  uint64_t account_id = 0;
  Timestamp ts;
  EventKind kind = EventKind::kLogin;
  IpAddress ip;
  std::optional<uint16_t> port;
  // Only when the grant has `device`. The user agent is a view of the vault's dictionary,
  // valid while the vault is open.
  std::optional<std::string_view> user_agent;
  std::optional<std::string> device_id;   // only when the grant has `device`
};

struct AddressReadResult {
  // More accounts matched than the cap allowed: nothing is returned, and the case goes back
  // to review ("likely shared address").
  bool withheld = false;
  size_t accounts = 0;
  std::vector<AccessRecord> records;  // the matching events, by account then time
};

struct RetentionReport {
  uint64_t partitions_deleted = 0;
  uint64_t partitions_kept_for_holds = 0;  // past retention, reduced to held accounts' data
  uint64_t holds_expired = 0;
  uint64_t deletions_completed = 0;  // accounts whose deletion waited for a hold
  uint64_t subscriber_versions_deleted = 0;  // superseded past retention, or of deleted accounts
};

enum class DeletionOutcome {
  kDeleted,   // the key is destroyed: the account's data is unreadable from now on
  kDeferred,  // a legal hold covers the account: its key is destroyed when the hold ends
};

struct VaultStats {
  uint64_t events = 0;
  uint64_t subscriber_versions = 0;
  uint64_t accounts = 0;
  uint64_t deleted_accounts = 0;
  uint64_t partitions = 0;
  uint64_t segments = 0;
  uint64_t unsealed_events = 0;
  uint64_t bytes_on_disk = 0;
  std::optional<Date> oldest_day, newest_day;  // of the access log held (none: no event)
  int64_t access_log_retention_days = 0;       // the retention periods in force
  int64_t subscriber_retention_days = 0;
  uint64_t active_holds = 0;  // legal holds not expired (one per held account)
};

class Vault {
 public:
  virtual ~Vault() = default;

  // Stores the events of `ndjson` (one per line; line numbers start at `first_line`). Every
  // good line is stored and durable when this returns ok; every bad one is in the report. A
  // storage failure (or a writer lock that stayed busy: Unavailable) returns its status: the
  // lines of batches committed before it stay stored and counted, the rest are not stored.
  virtual Status Ingest(std::string_view ndjson, IngestReport& report, uint64_t first_line = 1) = 0;
  // Ingest in two steps, for a caller feeding runs of lines one after another (standard
  // input): ParseEvents takes no lock and stores nothing, so the next run can be parsed while
  // this one commits. CommitEvents stores the events as Ingest does and puts the lines that
  // parsing refused into `report`.
  virtual ParsedEvents ParseEvents(std::string_view ndjson, uint64_t first_line = 1) = 0;
  virtual Status CommitEvents(ParsedEvents& events, IngestReport& report) = 0;

  // Stores the events of a whole file at once (the embedded engine: docs/vault_format.md,
  // "Bulk import"). Rejects the same lines as Ingest. Ok: every good line is stored and
  // durable; otherwise nothing is (a crash included). Other writers wait; reads do not.
  // `progress`, when given, is called now and then with the bytes and lines read so far.
  virtual Status Import(std::string_view ndjson, IngestReport& report,
                        const std::function<void(uint64_t bytes, uint64_t lines)>& progress = {}) = 0;

  // Stores subscriber record versions (NDJSON, spec/records.md), as Ingest does events.
  virtual Status IngestSubscribers(std::string_view ndjson, IngestReport& report, uint64_t first_line = 1) = 0;

  // Makes the days before `before` (all of them when absent) final: the embedded engine seals
  // their open partitions into segments; an engine that keeps no open days does nothing.
  virtual Status Seal(std::optional<Date> before = std::nullopt) = 0;

  // Finishes what a crashed writer left (every write does so first): in the embedded engine, a
  // torn tail cut, an interrupted import or retention run finished or undone, files it left
  // half-written deleted.
  virtual Status Recover() = 0;

  // The vault's grant authority, for the case workflow.
  virtual const GrantAuthority& grants() const = 0;

  // The access-log events of `account` in [start, end), in time order. The grant must name
  // the account, cover the window and the access_log category, and be valid now.
  virtual Result<std::vector<AccessRecord>> ReadAccount(const Grant& grant, uint64_t account,
                                                        Timestamp start, Timestamp end, ReadAudit& audit) = 0;
  // The same, handed to `visit` one at a time in time order, holding no more than one day of
  // the account's events at once: for productions of any size.
  virtual Status ScanAccount(const Grant& grant, uint64_t account, Timestamp start, Timestamp end,
                             ReadAudit& audit, const std::function<void(const AccessRecord&)>& visit) = 0;
  // The accounts (not deleted) seen at `address` (and its port, when it has one) in
  // [start, end). Opens no block it need not: the address index knows, sealed, when each
  // account first and last used the address each day.
  virtual Result<std::vector<uint64_t>> AccountsAtAddress(const Grant& grant, const IpEndpoint& address,
                                                          Timestamp start, Timestamp end,
                                                          ReadAudit& audit) = 0;
  // The events seen at `address` (and its port, when it has one) in [start, end), of every
  // account not deleted, unless more than `max_accounts` accounts match.
  virtual Result<AddressReadResult> ReadAddress(const Grant& grant, const IpEndpoint& address,
                                                Timestamp start, Timestamp end, size_t max_accounts,
                                                ReadAudit& audit) = 0;

  // The subscriber versions of `account` in force at some time in [start, end). The grant
  // must name the account and cover basic_subscriber.
  virtual Result<std::vector<SubscriberVersion>> ReadSubscriber(const Grant& grant, uint64_t account,
                                                                Timestamp start, Timestamp end,
                                                                ReadAudit& audit) = 0;
  // The accounts (not deleted) whose subscriber versions held the identifier at some time in
  // [start, end): a username, e-mail address or phone number, compared normalized. The grant
  // must name the identifier.
  virtual Result<std::vector<uint64_t>> ResolveIdentifier(const Grant& grant,
                                                          const GrantIdentifier& identifier,
                                                          Timestamp start, Timestamp end,
                                                          ReadAudit& audit) = 0;

  // Counts only: never personal data.
  virtual Result<VaultStats> Stats() = 0;

  // Legal holds (holds.h). An account without data yet can be held (events of the window that
  // arrive late are kept); a deleted one cannot: NotFound, its data is gone.
  virtual Status PlaceHold(const Hold& hold) = 0;
  virtual Status ReleaseHold(const std::string& id) = 0;
  virtual Status ExtendHold(const std::string& id, Timestamp expires) = 0;
  virtual std::vector<Hold> Holds() = 0;

  // Deletes an account: destroys its key at once (one durable write, whatever its size) and
  // tombstones it, unless a hold covers it. NotFound when the vault has no such account.
  virtual Result<DeletionOutcome> DeleteAccount(uint64_t account) = 0;

  // Waits until the days retention let go of are deleted from storage (they are out of the
  // vault as soon as RunRetention returns; the embedded engine removes their files on a thread
  // of its own).
  virtual void WaitForDeletions() = 0;

  // Applies retention: days older than the retention period are deleted whole, or, where a
  // hold covers some of their accounts, reduced to those accounts' data. Expired holds are
  // dropped and the deletions they held back are carried out.
  virtual Result<RetentionReport> RunRetention() = 0;
  // Changes the retention periods the vault opened with (the standards in force changed): ingest
  // refuses by the new access-log period at once; deletions wait for the next RunRetention.
  virtual void SetRetention(int64_t access_log_days, int64_t subscriber_days) = 0;

};

}  // namespace custodian::vault
