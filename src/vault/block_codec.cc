#include "vault/block_codec.h"

#include <zstd.h>

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/coding.h"

namespace custodian::vault {
namespace {

// The first byte of a block: raw or zstd, and which columns' layout (docs/vault_format.md,
// "Event blocks"). Layout 2 (vault format 2) packs hex and UUID device ids as bytes; layout 1
// is still read.
enum BlockEncoding : uint8_t { kRaw = 0, kZstd = 1, kRaw2 = 2, kZstd2 = 3 };
// How a device id is stored in layout 2: its bytes as they are, or hex digits (an even number,
// all of one case) or a canonical UUID packed two digits to a byte.
enum DeviceForm : uint8_t { kAsIs = 0, kLowerHex = 1, kUpperHex = 2, kLowerUuid = 3, kUpperUuid = 4 };
constexpr uint64_t kDeviceForms = 5;
constexpr size_t kUuidChars = 36;
constexpr size_t kMaxDeviceBytes = 1 << 16;
enum EventBits : uint8_t {
  kKindMask = 0x07,
  kBitPort = 0x08,
  kBitUserAgent = 0x10,
  kBitDevice = 0x20,
  kBitEventId = 0x40,
};
constexpr size_t kCompressAbove = 384;  // smaller blocks rarely shrink enough to pay
constexpr int kZstdLevel = 3;
constexpr size_t kMaxDecodedBytes = 64 << 20;
constexpr uint64_t kMaxEvents = 16 << 20;

std::string_view IpBytes(const std::array<uint8_t, 16>& ip, bool v6) {
  return {reinterpret_cast<const char*>(ip.data()), v6 ? 16u : 4u};
}

constexpr char kLowerDigits[] = "0123456789abcdef";
constexpr char kUpperDigits[] = "0123456789ABCDEF";

// The value of hex digit `c` of the given case, or -1.
int DigitValue(char c, bool upper) {
  if (c >= '0' && c <= '9') return c - '0';
  const char a = upper ? 'A' : 'a';
  if (c >= a && c <= a + 5) return c - a + 10;
  return -1;
}

bool IsUuidDash(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

// Packs `hex` (digits of one case, dashes only where a UUID has them when `uuid`) into
// `out`; false, with `out` as it was, when it is not of that form.
bool PackHex(std::string_view hex, bool upper, bool uuid, std::string& out) {
  const size_t mark = out.size();
  int high = -1;
  for (size_t i = 0; i < hex.size(); ++i) {
    if (uuid && IsUuidDash(i)) {
      if (hex[i] != '-') break;
      continue;
    }
    const int v = DigitValue(hex[i], upper);
    if (v < 0) break;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<char>(high << 4 | v));
      high = -1;
    }
    if (i + 1 == hex.size() && high < 0) return true;
  }
  out.resize(mark);
  return false;
}

// Appends device id `d` in layout 2: varint (length << 3 | form), then the bytes.
void PutDevice(std::string& out, std::string_view d) {
  thread_local std::string packed;
  packed.clear();
  const bool uuid = d.size() == kUuidChars, even = !d.empty() && d.size() % 2 == 0;
  DeviceForm form = kAsIs;
  if (uuid && PackHex(d, false, true, packed)) {
    form = kLowerUuid;
  } else if (uuid && PackHex(d, true, true, packed)) {
    form = kUpperUuid;
  } else if (even && PackHex(d, false, false, packed)) {
    form = kLowerHex;
  } else if (even && PackHex(d, true, false, packed)) {
    form = kUpperHex;
  }
  const std::string_view bytes = form == kAsIs ? d : std::string_view(packed);
  PutVarint(out, static_cast<uint64_t>(bytes.size()) << 3 | form);
  out.append(bytes);
}

// Reads a device id of layout 2, unpacking it into `text` when packed; the view is of the
// block or of `text`.
bool GetDevice(Decoder& d, std::string& text, std::string_view& device) {
  const uint64_t head = d.Varint();
  const uint64_t form = head & 7, size = head >> 3;
  if (!d.ok() || form >= kDeviceForms || size > kMaxDeviceBytes) return false;
  const std::string_view bytes = d.Bytes(size);
  if (!d.ok()) return false;
  if (form == kAsIs) {
    device = bytes;
    return true;
  }
  const bool uuid = form == kLowerUuid || form == kUpperUuid;
  if (size == 0 || (uuid && size != 16)) return false;
  const char* digits = form == kUpperHex || form == kUpperUuid ? kUpperDigits : kLowerDigits;
  text.clear();
  for (const char b : bytes) {
    if (uuid && IsUuidDash(text.size())) text.push_back('-');
    text.push_back(digits[static_cast<uint8_t>(b) >> 4]);
    text.push_back(digits[static_cast<uint8_t>(b) & 0xF]);
  }
  device = text;
  return true;
}

void EncodeColumns(std::span<const PackedEvent> events, int64_t day_start, const StringSource& pool,
                   std::string& out) {
  PutVarint(out, events.size());
  int64_t previous = day_start;
  for (const PackedEvent& e : events) {
    PutVarint(out, static_cast<uint64_t>(e.ts - previous));
    previous = e.ts;
  }
  for (const PackedEvent& e : events) {
    out.push_back(static_cast<char>((e.kind & kKindMask) | (e.flags & PackedEvent::kHasPort ? kBitPort : 0) |
                                    (e.user_agent ? kBitUserAgent : 0) | (e.device ? kBitDevice : 0) |
                                    (e.event_id ? kBitEventId : 0)));
  }
  // Addresses: a dictionary, then an index per event when there is more than one. Most
  // blocks hold a handful of addresses: scan them; a map only for the rare large block.
  std::vector<const PackedEvent*> addresses;
  std::vector<uint32_t> address_of(events.size());
  std::unordered_map<std::string, uint32_t> address_ids;
  const auto same = [](const PackedEvent* a, const PackedEvent& e) {
    return a->ip == e.ip && (a->flags & PackedEvent::kIpV6) == (e.flags & PackedEvent::kIpV6);
  };
  for (size_t i = 0; i < events.size(); ++i) {
    const PackedEvent& e = events[i];
    uint32_t found = static_cast<uint32_t>(addresses.size());
    if (addresses.size() <= 16) {
      for (uint32_t a = 0; a < addresses.size(); ++a) {
        if (same(addresses[a], e)) {
          found = a;
          break;
        }
      }
    } else {
      if (address_ids.empty()) {
        for (uint32_t a = 0; a < addresses.size(); ++a) {
          address_ids.emplace(IpBytes(addresses[a]->ip, addresses[a]->flags & PackedEvent::kIpV6), a);
        }
      }
      auto [it, added] = address_ids.emplace(IpBytes(e.ip, e.flags & PackedEvent::kIpV6), found);
      found = it->second;
    }
    if (found == addresses.size()) addresses.push_back(&e);
    address_of[i] = found;
  }
  PutVarint(out, addresses.size());
  for (const PackedEvent* a : addresses) {
    const bool v6 = a->flags & PackedEvent::kIpV6;
    out.push_back(v6 ? 6 : 4);
    out.append(IpBytes(a->ip, v6));
  }
  if (addresses.size() > 1) {
    for (uint32_t a : address_of) PutVarint(out, a);
  }
  for (const PackedEvent& e : events) {
    if (e.flags & PackedEvent::kHasPort) {
      out.push_back(static_cast<char>(e.port & 0xFF));
      out.push_back(static_cast<char>(e.port >> 8));
    }
  }
  for (const PackedEvent& e : events) {
    if (e.user_agent) PutVarint(out, e.user_agent);
  }
  // Device ids: a dictionary of the block's own strings, then an index when more than one.
  // Compared by value: a source may name one string by several ids (a bulk import does).
  std::vector<std::string_view> devices;
  std::vector<uint32_t> device_of;
  std::unordered_map<std::string_view, uint32_t> device_ids;
  for (const PackedEvent& e : events) {
    if (!e.device) continue;
    const std::string_view d = pool.Get(e.device);
    uint32_t found = static_cast<uint32_t>(devices.size());
    if (devices.size() <= 8) {
      found = static_cast<uint32_t>(std::find(devices.begin(), devices.end(), d) - devices.begin());
    } else {
      if (device_ids.empty()) {
        for (uint32_t i = 0; i < devices.size(); ++i) device_ids.emplace(devices[i], i);
      }
      found = device_ids.emplace(d, found).first->second;
    }
    if (found == devices.size()) devices.push_back(d);
    device_of.push_back(found);
  }
  PutVarint(out, devices.size());
  for (std::string_view d : devices) PutDevice(out, d);
  if (devices.size() > 1) {
    for (uint32_t d : device_of) PutVarint(out, d);
  }
  for (const PackedEvent& e : events) {
    if (e.event_id) PutLengthPrefixed(out, pool.Get(e.event_id));
  }
}

}  // namespace

void EncodeBlock(std::span<const PackedEvent> events, int64_t day_start, const StringSource& pool,
                 std::string& out, bool compress) {
  thread_local std::string columns, compressed;
  thread_local std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> context(ZSTD_createCCtx(),
                                                                          &ZSTD_freeCCtx);
  columns.clear();
  EncodeColumns(events, day_start, pool, columns);
  if (compress && columns.size() > kCompressAbove) {
    compressed.resize(ZSTD_compressBound(columns.size()));
    const size_t n = ZSTD_compressCCtx(context.get(), compressed.data(), compressed.size(),
                                       columns.data(), columns.size(), kZstdLevel);
    if (!ZSTD_isError(n) && n + 8 < columns.size()) {
      out.push_back(static_cast<char>(kZstd2));
      PutVarint(out, columns.size());
      out.append(compressed.data(), n);
      return;
    }
  }
  out.push_back(static_cast<char>(kRaw2));
  out.append(columns);
}

Status DecodeBlock(std::string_view block, int64_t day_start, std::string& scratch,
                   const std::function<void(const BlockEvent&)>& visit) {
  const Status corrupt = Status::Corruption("event block does not decode");
  if (block.empty()) return corrupt;
  std::string_view columns = block.substr(1);
  const uint8_t encoding = static_cast<uint8_t>(block[0]);
  if (encoding > kZstd2) return corrupt;
  const bool layout2 = encoding == kRaw2 || encoding == kZstd2;
  if (encoding == kZstd || encoding == kZstd2) {
    Decoder d(columns);
    const uint64_t size = d.Varint();
    if (!d.ok() || size > kMaxDecodedBytes) return corrupt;
    const std::string_view compressed = d.Bytes(d.left());
    scratch.resize(size);
    // A context per thread: ZSTD_decompress would allocate (and map) a fresh one every call.
    thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> context(ZSTD_createDCtx(),
                                                                            &ZSTD_freeDCtx);
    const size_t n = ZSTD_decompressDCtx(context.get(), scratch.data(), scratch.size(),
                                         compressed.data(), compressed.size());
    if (ZSTD_isError(n) || n != size) return corrupt;
    columns = scratch;
  }
  Decoder d(columns);
  const uint64_t n = d.Varint();
  if (!d.ok() || n == 0 || n > kMaxEvents || n > d.left()) return corrupt;
  std::vector<BlockEvent> events(n);
  int64_t ts = day_start;
  for (BlockEvent& e : events) {
    ts += static_cast<int64_t>(d.Varint());
    e.ts = ts;
  }
  std::string_view bits = d.Bytes(n);
  if (!d.ok()) return corrupt;
  const uint64_t address_count = d.Varint();
  if (!d.ok() || address_count == 0 || address_count > n) return corrupt;
  std::vector<std::pair<std::array<uint8_t, 16>, bool>> addresses(address_count);
  for (auto& [ip, v6] : addresses) {
    const std::string_view family = d.Bytes(1);
    if (!d.ok() || (family[0] != 4 && family[0] != 6)) return corrupt;
    v6 = family[0] == 6;
    const std::string_view bytes = d.Bytes(v6 ? 16 : 4);
    if (!d.ok()) return corrupt;
    std::copy(bytes.begin(), bytes.end(), ip.begin());
  }
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t a = address_count > 1 ? d.Varint() : 0;
    if (!d.ok() || a >= address_count) return corrupt;
    BlockEvent& e = events[i];
    e.kind = static_cast<uint8_t>(bits[i]) & kKindMask;
    e.ip = addresses[a].first;
    e.flags = addresses[a].second ? PackedEvent::kIpV6 : 0;
  }
  for (uint64_t i = 0; i < n; ++i) {
    if (!(bits[i] & kBitPort)) continue;
    const std::string_view p = d.Bytes(2);
    if (!d.ok()) return corrupt;
    events[i].port = static_cast<uint16_t>(static_cast<uint8_t>(p[0]) | static_cast<uint8_t>(p[1]) << 8);
    events[i].flags |= PackedEvent::kHasPort;
  }
  for (uint64_t i = 0; i < n; ++i) {
    if (bits[i] & kBitUserAgent) events[i].user_agent = static_cast<uint32_t>(d.Varint());
  }
  const uint64_t device_count = d.Varint();
  if (!d.ok() || device_count > n) return corrupt;
  std::vector<std::string_view> devices(device_count);
  std::vector<std::string> unpacked(layout2 ? device_count : 0);  // what the views point into
  for (uint64_t k = 0; k < device_count; ++k) {
    if (!layout2) {
      devices[k] = d.LengthPrefixed(kMaxDeviceBytes);
    } else if (!GetDevice(d, unpacked[k], devices[k])) {
      return corrupt;
    }
  }
  for (uint64_t i = 0; i < n; ++i) {
    if (!(bits[i] & kBitDevice)) continue;
    const uint64_t k = device_count > 1 ? d.Varint() : 0;
    if (!d.ok() || k >= device_count) return corrupt;
    events[i].device = devices[k];
    events[i].has_device = true;
  }
  for (uint64_t i = 0; i < n; ++i) {
    if (!(bits[i] & kBitEventId)) continue;
    events[i].event_id = d.LengthPrefixed(1 << 16);
    events[i].has_event_id = true;
  }
  if (!d.ok() || !d.done()) return corrupt;
  for (const BlockEvent& e : events) visit(e);
  return Status::Ok();
}

}  // namespace custodian::vault
