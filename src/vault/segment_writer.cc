#include "vault/segment_writer.h"

#include <unordered_map>

#include "core/sha256.h"
#include "vault/block_codec.h"
#include "vault/tags.h"

namespace custodian::vault {

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
                        std::span<const AccountEvents> accounts, const StringSource& strings) {
  const int64_t day_start = day.days * kMicrosPerDay;
  SegmentBuilder builder(day, id, sealed_journal);
  std::string plain, sealed_block;
  std::unordered_map<uint64_t, AddressIndexEntry> addresses;
  uint64_t ordinal = 0;
  for (const AccountEvents& a : accounts) {
    const std::optional<SecretKey>& key = a.key;
    if (!key) continue;  // deleted: its events go with its key
    plain.clear();
    EncodeBlock(a.events, day_start, strings, plain);
    sealed_block.clear();
    SealTo(sealed_block, *key, BlockNonce(id, ordinal), plain,
           BlockAssociatedData(a.account, day, id, ordinal));
    const uint32_t b = builder.AddBlock(a.tag, static_cast<uint32_t>(a.events.size()), sealed_block);
    // One address entry per distinct address, with its first and last use (events in time order).
    addresses.clear();
    for (const PackedEvent& e : a.events) {
      const uint64_t t =
          AddressTag(ctx.vault_keys.address_index, e.ip, e.flags & PackedEvent::kIpV6);
      const uint64_t at = static_cast<uint64_t>(e.ts - day_start);
      auto [it, added] = addresses.try_emplace(t, AddressIndexEntry{t, b, at, at});
      it->second.last = at;
      if (e.event_id) {
        builder.AddEventId(
            EventIdTagOf(ctx.vault_keys.event_ids, a.account, strings.Get(e.event_id)));
      }
    }
    for (const auto& [t, entry] : addresses) builder.AddAddress(entry);
    ++ordinal;
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
