// EmbeddedVault::Import: a whole file of access events sealed straight into segments
// (docs/vault_format.md, "Bulk import").
#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/parallel.h"
#include "vault/event_admission.h"
#include "vault/ndjson_lines.h"
#include "vault/partition.h"
#include "vault/stored_order.h"
#include "vault/string_arena.h"
#include "vault/tags.h"
#include "vault/embedded_vault.h"

namespace custodian::vault {
namespace {

// Hashes strings and views alike, so that a map keyed by strings is looked up by a view.
struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

constexpr char kImportIntent[] = "vault/IMPORT";
constexpr char kCommitted[] =
    "the import is committed, and the vault puts the rest of it in place when next opened: ";

// A round is split into pieces parsed in parallel. A piece of at most 1 GiB holds fewer than
// 2^27 strings (each takes at least 15 bytes of JSON), so a string's id names its piece in
// the top 5 bits and its index in the rest.
constexpr size_t kMaxPieceBytes = size_t{1} << 30;
constexpr size_t kMaxPieces = 31;
constexpr int kIndexBits = 27;
constexpr uint32_t kIndexMask = (uint32_t{1} << kIndexBits) - 1;

// The device and event ids an import's round read, by piece. Each piece's strings are
// copied into blocks that never move, and named, not deduplicated: they live only until the
// round's segments are written.
class ImportStrings final : public StringSource {
 public:
  class Piece {
   public:
    explicit Piece(uint32_t number) : number_(number) {}
    // The id + 1 of a copy of `s`.
    uint32_t Add(std::string_view s) {
      views_.push_back(arena_.Copy(s));
      return (number_ << kIndexBits) | static_cast<uint32_t>(views_.size());
    }
    std::string_view Get(uint32_t index) const { return views_[index - 1]; }

   private:
    uint32_t number_;
    StringArena arena_;
    std::vector<std::string_view> views_;
  };

  explicit ImportStrings(size_t pieces) {
    for (uint32_t i = 0; i < pieces; ++i) pieces_.emplace_back(i);
  }
  Piece& piece(size_t i) { return pieces_[i]; }
  std::string_view Get(uint32_t id) const override {
    return pieces_[id >> kIndexBits].Get(id & kIndexMask);
  }

 private:
  std::vector<Piece> pieces_;
};

// One day's events of a piece, with their lines counted from the piece's first.
struct DayRun {
  std::vector<PackedEvent> events;
  std::vector<uint32_t> lines;
};

struct ParsedPiece {
  std::string_view text;
  std::map<int64_t, DayRun> days;
  IngestReport report;  // its rejected lines, counted from the piece's first
  uint64_t lines = 0;
};

// Splits `text` into `n` pieces of about equal size, each ending after a newline (the last
// at the end of the text).
std::vector<std::string_view> SplitLines(std::string_view text, size_t n) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  for (size_t i = 1; i <= n && start < text.size(); ++i) {
    size_t end = i == n ? text.size() : std::max(start, text.size() / n * i);
    if (end < text.size()) {
      end = text.find('\n', end);
      end = end == std::string_view::npos ? text.size() : end + 1;
    }
    if (end > start) pieces.push_back(text.substr(start, end - start));
    start = end;
  }
  return pieces;
}

}  // namespace

// A day's part of an import: what it wrote, and what it counts once committed.
struct EmbeddedVault::ImportedDay {
  std::shared_ptr<Partition> partition;
  std::string segment;  // its final path; written with kPendingSegmentSuffix
  uint64_t stored = 0;
  uint64_t duplicates = 0;
  IngestReport rejected;
  Status status;
};

Status EmbeddedVault::Import(std::string_view text, IngestReport& report,
                     const std::function<void(uint64_t, uint64_t)>& progress) {
  // The lock for the whole import: its segments name the dictionary's strings and the keys
  // it adds, which no other writer may add meanwhile.
  return Writing("import", [&](WriterLock&) { return ImportLocked(text, report, progress); });
}

Status EmbeddedVault::ImportLocked(std::string_view text, IngestReport& report,
                           const std::function<void(uint64_t, uint64_t)>& progress) {
  FileSystem& fs = *options_.fs;
  const Timestamp now = options_.clock->Now();
  const size_t round_bytes = std::clamp<size_t>(options_.import_round_bytes, 1,
                                                kMaxPieceBytes * kMaxPieces);
  // Event ids already imported, by day: a later round must not store them again.
  std::map<int64_t, std::unordered_set<EventIdTag, EventIdTagHash>> imported_ids;
  std::vector<ImportedDay> imported;
  IngestReport parsed;  // rejected while parsing
  std::atomic<uint64_t> bytes_read{0}, lines_read{0};

  const auto abandon = [&](Status failure) {
    for (const ImportedDay& d : imported) {
      if (!d.segment.empty()) fs.Remove(d.segment + std::string(kPendingSegmentSuffix)).IgnoreError();
    }
    return failure.WithContext("nothing of the import is stored: ");
  };

  uint64_t first_line = 1;
  for (std::string_view rest = text; !rest.empty();) {
    std::string_view round = SplitLines(rest, (rest.size() + round_bytes - 1) / round_bytes).front();
    rest.remove_prefix(round.size());

    // Parse: pieces in parallel, each into its days.
    const size_t n = std::clamp<size_t>((round.size() + kMaxPieceBytes - 1) / kMaxPieceBytes,
                                        options_.threads, kMaxPieces);
    std::vector<ParsedPiece> pieces;
    for (std::string_view t : SplitLines(round, n)) pieces.push_back({t, {}, {}, 0});
    ImportStrings strings(pieces.size());
    Parallel(pieces.size(), options_.threads, [&](size_t i) {
      ParsedPiece& piece = pieces[i];
      ImportStrings::Piece& table = strings.piece(i);
      EventAdmission admission(now, access_log_retention_days_.load(),
                               options_.future_tolerance_micros);
      const char* reported = piece.text.data();
      uint64_t reported_line = 0;
      // The piece's own memo of user agents' ids: a service has few, and the dictionary's
      // lock, shared by every parsing thread, would be taken for every event.
      std::unordered_map<std::string, uint32_t, TextHash, std::equal_to<>> agents;
      piece.lines = ForEachLine(piece.text, 0, [&](uint64_t line, std::string_view s) {
        if (Status st = admission.Admit(s); !st.ok()) {
          Reject(piece.report, options_.max_listed_errors, line, st.message());
          return true;
        }
        const AccessEvent& event = admission.event();
        PackedEvent pe = PackWithoutStrings(event);
        if (event.user_agent) {
          auto known = agents.find(*event.user_agent);
          if (known == agents.end()) {
            known = agents.emplace(*event.user_agent, dictionary_->Intern(*event.user_agent)).first;
          }
          pe.user_agent = known->second;
        }
        if (event.device_id) pe.device = table.Add(*event.device_id);
        if (event.event_id) pe.event_id = table.Add(*event.event_id);
        DayRun& run = piece.days[event.ts.UtcDate().days];
        run.events.push_back(pe);
        run.lines.push_back(static_cast<uint32_t>(line));
        // A line near the piece's end may be a padded copy (ForEachLine): not in the text.
        const bool in_text = s.data() >= piece.text.data() && s.data() < piece.text.data() + piece.text.size();
        if (in_text && s.data() - reported >= (16 << 20)) {
          bytes_read += static_cast<uint64_t>(s.data() - reported);
          lines_read += line - reported_line;
          reported = s.data();
          reported_line = line;
          if (i == 0 && progress) progress(bytes_read, lines_read);
        }
        return true;
      });
      bytes_read += static_cast<uint64_t>(piece.text.data() + piece.text.size() - reported);
      lines_read += piece.lines - reported_line;
    });
    if (progress) progress(bytes_read, lines_read);

    // Lines counted from the file's first; the round's days, each with its runs.
    std::vector<uint64_t> bases;
    for (ParsedPiece& piece : pieces) {
      bases.push_back(first_line);
      parsed.rejected += piece.report.rejected;
      for (IngestError& e : piece.report.errors) {
        if (parsed.errors.size() < options_.max_listed_errors) {
          parsed.errors.push_back({first_line + e.line, std::move(e.error)});
        }
      }
      first_line += piece.lines;
    }
    std::map<int64_t, std::vector<size_t>> days;  // day → pieces that hold events of it
    for (size_t i = 0; i < pieces.size(); ++i) {
      for (const auto& [day, run] : pieces[i].days) days[day].push_back(i);
    }

    // Seal: days in parallel, each into a pending segment of its own.
    std::vector<std::pair<int64_t, std::vector<size_t>>> work(days.begin(), days.end());
    std::vector<ImportedDay> sealed(work.size());
    for (const auto& [day, from] : work) imported_ids[day];  // no insertion while sealing
    // Fewer days than cores (an import of one day): a day's blocks on the cores left over.
    const size_t each = std::max<size_t>(1, options_.threads / std::max<size_t>(1, work.size()));
    Parallel(work.size(), options_.threads, [&](size_t w) {
      const auto& [day, from] = work[w];
      std::vector<PackedEvent> events;
      std::vector<uint64_t> lines;
      for (size_t i : from) {
        DayRun& run = pieces[i].days[day];
        events.insert(events.end(), run.events.begin(), run.events.end());
        for (uint32_t l : run.lines) lines.push_back(bases[i] + l);
        run = DayRun();
      }
      sealed[w] = SealImportedDay(Date{day}, events, lines, strings, imported_ids.at(day), each);
    });
    Status failure;
    for (ImportedDay& d : sealed) {
      if (failure.ok()) failure = d.status;
      imported.push_back(std::move(d));
    }
    if (!failure.ok()) return abandon(failure);
  }

  // Commit: what the segments depend on first, then the intent, which is the commit point.
  if (Status s = dictionary_->Commit(); !s.ok()) return abandon(s);
  if (Status s = store_->CommitNew(); !s.ok()) return abandon(s);
  std::string intent;
  for (const ImportedDay& d : imported) {
    if (!d.segment.empty()) intent += d.segment.substr(dir_.size() + 1) + "\n";
  }
  if (!intent.empty()) {
    if (Status s = fs.WriteAtomically(JoinPath(dir_, kImportIntent), intent); !s.ok()) {
      return abandon(s);
    }
    for (const ImportedDay& d : imported) {
      if (d.segment.empty()) continue;
      Status s = fs.Rename(d.segment + std::string(kPendingSegmentSuffix), d.segment);
      if (s.ok()) s = fs.SyncDir(d.partition->dir());
      if (s.ok()) {
        std::unique_lock lock(d.partition->mutex());
        s = d.partition->AdoptSegmentLocked(d.segment);
      }
      // Past the commit point: the next open finishes what is left.
      if (!s.ok()) return s.WithContext(kCommitted);
    }
    if (Status s = fs.Remove(JoinPath(dir_, kImportIntent)); !s.ok()) return s.WithContext(kCommitted);
    fs.SyncDir(JoinPath(dir_, "vault")).IgnoreError();  // the intent's removal may be redone
  }

  report.rejected += parsed.rejected;
  for (IngestError& e : parsed.errors) report.errors.push_back(std::move(e));
  for (ImportedDay& d : imported) {
    report.accepted += d.stored + d.duplicates;
    report.duplicates += d.duplicates;
    report.rejected += d.rejected.rejected;
    for (IngestError& e : d.rejected.errors) report.errors.push_back(std::move(e));
  }
  std::stable_sort(report.errors.begin(), report.errors.end(),
                   [](const IngestError& a, const IngestError& b) { return a.line < b.line; });
  if (report.errors.size() > options_.max_listed_errors) {
    report.errors.resize(options_.max_listed_errors);
  }
  return Status::Ok();
}

EmbeddedVault::ImportedDay EmbeddedVault::SealImportedDay(Date day, const std::vector<PackedEvent>& events,
                                          const std::vector<uint64_t>& lines,
                                          const StringSource& strings,
                                          std::unordered_set<EventIdTag, EventIdTagHash>& ids,
                                          size_t threads) {
  ImportedDay out;
  auto partition = PartitionFor(day, true);
  if (!partition.ok()) {
    out.status = partition.status();
    return out;
  }
  out.partition = *partition;
  Partition& p = **partition;

  const std::vector<StoredPosition> order = StoredOrder(events);

  // The day's accounts, each once, and their keys from one call.
  std::vector<uint64_t> day_accounts;
  for (size_t i = 0; i < order.size(); ++i) {
    if (i == 0 || order[i].account != order[i - 1].account) day_accounts.push_back(order[i].account);
  }
  std::vector<std::optional<SecretKey>> keys;
  if (Status s = store_->GetOrCreateMany(day_accounts, keys); !s.ok()) {
    out.status = s;
    return out;
  }

  std::vector<PackedEvent> stored;
  stored.reserve(events.size());
  struct Group {
    Tag96 tag;
    size_t account;  // in day_accounts
    size_t first, count;
  };
  std::vector<Group> groups;
  {
    std::shared_lock lock(p.mutex());  // for the events the day already holds
    size_t g = 0;
    for (size_t a = 0; a < day_accounts.size(); ++a) {
      const uint64_t account = day_accounts[a];
      size_t end = g;
      while (end < order.size() && order[end].account == account) ++end;
      if (!keys[a]) {
        for (size_t i = g; i < end; ++i) {
          Reject(out.rejected, options_.max_listed_errors, lines[order[i].index],
                 "account_id: the account was deleted");
        }
        g = end;
        continue;
      }
      const size_t first = stored.size();
      for (size_t i = g; i < end; ++i) {
        const PackedEvent& e = events[order[i].index];
        if (e.event_id) {
          const EventIdTag tag = EventIdTagOf(keys_.event_ids, account, strings.Get(e.event_id));
          auto held = p.HasEventIdLocked(tag);
          if (!held.ok()) {
            out.status = held.status();
            return out;
          }
          if (*held || !ids.insert(tag).second) {
            ++out.duplicates;
            continue;
          }
        }
        stored.push_back(e);
      }
      if (stored.size() > first) {
        groups.push_back({AccountTag(keys_.account_tags, account), a, first, stored.size() - first});
      }
      g = end;
    }
  }
  out.stored = stored.size();
  if (groups.empty()) return out;
  std::sort(groups.begin(), groups.end(), [&](const Group& a, const Group& b) {
    return std::tie(a.tag, day_accounts[a.account]) < std::tie(b.tag, day_accounts[b.account]);
  });
  std::vector<AccountEvents> accounts;
  accounts.reserve(groups.size());
  for (const Group& g : groups) {
    accounts.push_back({g.tag, day_accounts[g.account], std::span(stored).subspan(g.first, g.count),
                        std::move(keys[g.account])});
  }
  const SegmentId id = RandomSegmentId();
  out.segment = JoinPath(p.dir(), SegmentFileName(id));
  PartitionContext ctx = Context();
  out.status = WriteSegmentFile(ctx, out.segment + std::string(kPendingSegmentSuffix), day, id,
                                JournalId{}, accounts, strings, threads);
  if (!out.status.ok()) out.segment.clear();
  return out;
}

Status EmbeddedVault::RecoverImport(FileSystem& fs, const std::string& dir) {
  const std::string intent = JoinPath(dir, kImportIntent);
  if (!fs.Exists(intent)) return Status::Ok();
  auto text = fs.ReadAll(intent);
  if (!text.ok()) return text.status();
  // The intent is written once every pending segment is complete and synced.
  for (size_t pos = 0; pos < text->size();) {
    size_t nl = text->find('\n', pos);
    if (nl == std::string::npos) nl = text->size();
    const std::string segment = JoinPath(dir, text->substr(pos, nl - pos));
    pos = nl + 1;
    const std::string pending = segment + std::string(kPendingSegmentSuffix);
    if (!fs.Exists(pending)) continue;  // renamed before the crash
    if (Status s = fs.Rename(pending, segment); !s.ok()) return s;
    if (Status s = fs.SyncDir(segment.substr(0, segment.rfind('/'))); !s.ok()) return s;
  }
  if (Status s = fs.Remove(intent); !s.ok()) return s;
  return fs.SyncDir(JoinPath(dir, "vault"));
}

}  // namespace custodian::vault
