#include "vault/segment_writer.h"

#include <unordered_map>

#include "core/parallel.h"
#include "core/sha256.h"
#include "vault/block_codec.h"
#include "vault/tags.h"

namespace custodian::vault {
namespace {

// A segment of this many accounts or more is sealed in runs on the threads it is given.
constexpr size_t kParallelSealingAccounts = 2048;

}  // namespace

SegmentId RandomSegmentId() {
  SegmentId id;
  RandomBytes(id.data(), id.size());
  return id;
}

std::string SegmentFileName(const SegmentId& id) {
  return "seg-" + HexEncode(id.data(), id.size()) + ".seg";
}

Status WriteSegmentFile(const PartitionContext& ctx, const std::string& path, Date day,
                        const SegmentId& id, const JournalId& sealed_journal,
                        std::span<const AccountEvents> accounts, const StringSource& strings,
                        size_t threads) {
  const int64_t day_start = day.days * kMicrosPerDay;
  // Each account's block has its ordinal before it is sealed (its nonce depends on it), so
  // runs of accounts are sealed apart and their blocks added in order afterwards.
  std::vector<uint32_t> ordinals(accounts.size());
  uint32_t next = 0;
  for (size_t i = 0; i < accounts.size(); ++i) ordinals[i] = accounts[i].key ? next++ : 0;
  struct Run {
    std::string blocks;                   // the run's sealed blocks, one after another
    std::vector<uint32_t> lengths;        // of each, in order
    std::vector<AddressIndexEntry> addresses;
    std::vector<EventIdTag> event_ids;
  };
  const size_t wanted = accounts.size() >= kParallelSealingAccounts ? threads : 1;
  std::vector<Run> runs(std::max<size_t>(1, std::min(wanted, accounts.size())));
  const auto first_of_run = [&](size_t r) { return accounts.size() * r / runs.size(); };
  Parallel(runs.size(), threads, [&](size_t r) {
    Run& run = runs[r];
    std::string plain;
    std::unordered_map<uint64_t, AddressIndexEntry> addresses;
    for (size_t i = first_of_run(r); i < first_of_run(r + 1); ++i) {
      const AccountEvents& a = accounts[i];
      if (!a.key) continue;  // deleted: its events go with its key
      const uint32_t b = ordinals[i];
      plain.clear();
      EncodeBlock(a.events, day_start, strings, plain);
      const size_t before = run.blocks.size();
      SealTo(run.blocks, *a.key, BlockNonce(id, b), plain, BlockAssociatedData(a.account, day, id, b));
      run.lengths.push_back(static_cast<uint32_t>(run.blocks.size() - before));
      // One address entry per distinct address, with its first and last use (events in time order).
      addresses.clear();
      for (const PackedEvent& e : a.events) {
        const uint64_t t = AddressTag(ctx.vault_keys.address_index, e.ip, e.flags & PackedEvent::kIpV6);
        const uint64_t at = static_cast<uint64_t>(e.ts - day_start);
        auto [it, added] = addresses.try_emplace(t, AddressIndexEntry{t, b, at, at});
        it->second.last = at;
        if (e.event_id) {
          run.event_ids.push_back(EventIdTagOf(ctx.vault_keys.event_ids, a.account, strings.Get(e.event_id)));
        }
      }
      for (const auto& [t, entry] : addresses) run.addresses.push_back(entry);
    }
  });
  SegmentBuilder builder(day, id, sealed_journal);
  for (size_t r = 0; r < runs.size(); ++r) {
    const Run& run = runs[r];
    size_t offset = 0, sealed = 0;
    for (size_t i = first_of_run(r); i < first_of_run(r + 1); ++i) {
      if (!accounts[i].key) continue;
      const uint32_t length = run.lengths[sealed++];
      builder.AddBlock(accounts[i].tag, static_cast<uint32_t>(accounts[i].events.size()),
                       std::string_view(run.blocks).substr(offset, length));
      offset += length;
    }
    for (const AddressIndexEntry& entry : run.addresses) builder.AddAddress(entry);
    for (const EventIdTag& tag : run.event_ids) builder.AddEventId(tag);
  }
  const std::string bytes = builder.Finish(ctx.vault_keys.metadata);
  // Written, synced, then renamed: each step a point where the file-system seam injects faults.
  const std::string tmp = path + ".tmp";
  auto file = ctx.fs.OpenAppend(tmp, true);
  if (!file.ok()) return file.status();
  Status s = (*file)->Append(bytes);
  if (s.ok()) s = (*file)->Sync();
  Status c = (*file)->Close();
  if (s.ok()) s = c;
  if (s.ok()) s = ctx.fs.Rename(tmp, path);
  if (s.ok()) s = ctx.fs.SyncDir(path.substr(0, path.rfind('/')));
  if (!s.ok()) ctx.fs.Remove(tmp).IgnoreError();
  return s;
}

}  // namespace custodian::vault
