#include "geo/geo_database.h"

#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "core/unicode.h"

namespace custodian::geo {
namespace {

using json = nlohmann::json;

// 9999-12-31T23:59:59Z: a later build date is a broken file (the MaxMind-DB project's
// bad-data holds one at UINT64_MAX), and it would not fit the YYYY-MM-DD of `source`.
constexpr uint64_t kMaxBuildEpoch = 253402300799;

std::string Text(const char* s, size_t n) {
  return s == nullptr ? std::string() : std::string(s, n);
}

// Frees what MMDB_get_entry_data_list allocated, on every path out of a lookup.
struct EntryListDeleter {
  void operator()(MMDB_entry_data_list_s* list) const { MMDB_free_entry_data_list(list); }
};
using EntryList = std::unique_ptr<MMDB_entry_data_list_s, EntryListDeleter>;

// Decodes the value at `node` into `out` and moves `node` past it. libmaxminddb hands out a
// record as a flat list in document order, a map or an array first with its size; a size
// that runs past the end of the list is corruption, never a read past it.
Status Decode(const MMDB_entry_data_list_s*& node, int depth, json& out) {
  if (node == nullptr) return Status::Corruption("a record ends inside a map or an array");
  if (depth > kMaxRecordDepth) {
    return Status::Corruption("a record is nested deeper than " +
                              std::to_string(kMaxRecordDepth) + " levels");
  }
  const MMDB_entry_data_s& data = node->entry_data;
  node = node->next;
  switch (data.type) {
    case MMDB_DATA_TYPE_MAP: {
      out = json::object();
      for (uint32_t i = 0; i < data.data_size; ++i) {
        if (node == nullptr) return Status::Corruption("a record ends inside a map");
        const MMDB_entry_data_s& key = node->entry_data;
        if (key.type != MMDB_DATA_TYPE_UTF8_STRING) {
          return Status::Corruption("a map key is not a string");
        }
        std::string name = Text(key.utf8_string, key.data_size);
        if (!IsValidUtf8(name)) return Status::Corruption("a map key is not UTF-8");
        node = node->next;
        json value;
        if (Status s = Decode(node, depth + 1, value); !s.ok()) return s;
        out[name] = std::move(value);
      }
      return Status::Ok();
    }
    case MMDB_DATA_TYPE_ARRAY: {
      out = json::array();
      for (uint32_t i = 0; i < data.data_size; ++i) {
        json value;
        if (Status s = Decode(node, depth + 1, value); !s.ok()) return s;
        out.push_back(std::move(value));
      }
      return Status::Ok();
    }
    case MMDB_DATA_TYPE_UTF8_STRING: {
      std::string text = Text(data.utf8_string, data.data_size);
      if (!IsValidUtf8(text)) return Status::Corruption("a string is not UTF-8");
      out = std::move(text);
      return Status::Ok();
    }
    case MMDB_DATA_TYPE_DOUBLE:
      out = data.double_value;
      return Status::Ok();
    case MMDB_DATA_TYPE_FLOAT: {
      // Through the float's shortest decimal text: the value its writer meant.
      char buf[32];
      auto printed = std::to_chars(buf, buf + sizeof buf, data.float_value);
      double value = data.float_value;
      std::from_chars(buf, printed.ptr, value);
      out = value;
      return Status::Ok();
    }
    case MMDB_DATA_TYPE_BYTES:
      out = json::binary(std::vector<uint8_t>(data.bytes, data.bytes + data.data_size));
      return Status::Ok();
    case MMDB_DATA_TYPE_UINT16:
      out = data.uint16;
      return Status::Ok();
    case MMDB_DATA_TYPE_UINT32:
      out = data.uint32;
      return Status::Ok();
    case MMDB_DATA_TYPE_INT32:
      out = data.int32;
      return Status::Ok();
    case MMDB_DATA_TYPE_UINT64:
      out = data.uint64;
      return Status::Ok();
    case MMDB_DATA_TYPE_UINT128: {
      char hex[35] = "0x";
      mmdb_uint128_t v = data.uint128;
      for (int i = 33; i >= 2; --i, v >>= 4) hex[i] = "0123456789abcdef"[v & 0xf];
      out = std::string(hex, 34);
      return Status::Ok();
    }
    case MMDB_DATA_TYPE_BOOLEAN:
      out = data.boolean;
      return Status::Ok();
    default:
      return Status::Corruption("a record holds a value of unknown type " +
                                std::to_string(data.type));
  }
}

Result<GeoMetadata> ReadMetadata(const MMDB_metadata_s& m) {
  GeoMetadata metadata;
  if (m.ip_version != 4 && m.ip_version != 6) {
    return Status::Corruption("ip_version is " + std::to_string(m.ip_version) + ", not 4 or 6");
  }
  metadata.ip_version = m.ip_version;
  if (m.build_epoch > kMaxBuildEpoch) {
    return Status::Corruption("build_epoch " + std::to_string(m.build_epoch) +
                              " is after 9999-12-31");
  }
  metadata.build_epoch = m.build_epoch;
  metadata.build_date = Date{static_cast<int64_t>(m.build_epoch / 86400)};
  if (m.database_type != nullptr) metadata.database_type = m.database_type;
  if (!IsValidUtf8(metadata.database_type)) return Status::Corruption("database_type is not UTF-8");
  for (size_t i = 0; i < m.languages.count; ++i) {
    std::string language = m.languages.names[i] == nullptr ? "" : m.languages.names[i];
    if (!IsValidUtf8(language)) return Status::Corruption("a language is not UTF-8");
    metadata.languages.push_back(std::move(language));
  }
  for (size_t i = 0; i < m.description.count; ++i) {
    const MMDB_description_s* d = m.description.descriptions[i];
    if (d == nullptr || d->language == nullptr || d->description == nullptr) continue;
    if (!IsValidUtf8(d->language) || !IsValidUtf8(d->description)) {
      return Status::Corruption("a description is not UTF-8");
    }
    metadata.descriptions[d->language] = d->description;
  }
  return metadata;
}

}  // namespace

Result<std::unique_ptr<GeoDatabase>> GeoDatabase::Open(const std::string& path) {
  auto mmdb = std::make_unique<MMDB_s>();
  errno = 0;
  const int rc = MMDB_open(path.c_str(), MMDB_MODE_MMAP, mmdb.get());
  const int open_errno = errno;
  // On failure MMDB_open has already freed what it allocated.
  switch (rc) {
    case MMDB_SUCCESS:
      break;
    case MMDB_FILE_OPEN_ERROR:
      return Status::IoError(path + ": cannot open (" +
                             (open_errno != 0 ? std::strerror(open_errno) : "unknown reason") +
                             ")");
    case MMDB_IO_ERROR:
    case MMDB_OUT_OF_MEMORY_ERROR:
      return Status::IoError(path + ": cannot read (" + MMDB_strerror(rc) + ")");
    default:
      return Status::Corruption(path + ": not a valid MaxMind DB file (" + MMDB_strerror(rc) +
                                ")");
  }
  auto metadata = ReadMetadata(mmdb->metadata);
  if (!metadata.ok()) {
    MMDB_close(mmdb.get());
    return metadata.status().WithContext(path + ": not a valid MaxMind DB file: ");
  }
  return std::unique_ptr<GeoDatabase>(
      new GeoDatabase(path, std::move(mmdb), std::move(metadata).value()));
}

GeoDatabase::GeoDatabase(std::string path, std::unique_ptr<MMDB_s> mmdb, GeoMetadata metadata)
    : path_(std::move(path)), mmdb_(std::move(mmdb)), metadata_(std::move(metadata)) {}

GeoDatabase::~GeoDatabase() { MMDB_close(mmdb_.get()); }

Result<std::optional<json>> GeoDatabase::Lookup(const IpAddress& address) const {
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  const sockaddr* sa;
  if (address.is_v4()) {
    v4.sin_family = AF_INET;
    std::memcpy(&v4.sin_addr, address.bytes().data(), 4);
    sa = reinterpret_cast<const sockaddr*>(&v4);
  } else {
    if (metadata_.ip_version == 4) return std::optional<json>();
    v6.sin6_family = AF_INET6;
    std::memcpy(&v6.sin6_addr, address.bytes().data(), 16);
    sa = reinterpret_cast<const sockaddr*>(&v6);
  }
  int mmdb_error = MMDB_SUCCESS;
  MMDB_lookup_result_s found = MMDB_lookup_sockaddr(mmdb_.get(), sa, &mmdb_error);
  // The messages never name the address: addresses are personal data.
  if (mmdb_error != MMDB_SUCCESS) {
    return Status::Corruption(path_ + ": lookup failed (" + MMDB_strerror(mmdb_error) + ")");
  }
  if (!found.found_entry) return std::optional<json>();
  // libmaxminddb 1.7.1 hands back a partial list even when it fails: freed on every path.
  MMDB_entry_data_list_s* raw = nullptr;
  const int rc = MMDB_get_entry_data_list(&found.entry, &raw);
  EntryList list(raw);
  if (rc != MMDB_SUCCESS) {
    return Status::Corruption(path_ + ": broken record (" + MMDB_strerror(rc) + ")");
  }
  const MMDB_entry_data_list_s* node = list.get();
  json record;
  if (Status s = Decode(node, 0, record); !s.ok()) {
    return s.WithContext(path_ + ": broken record: ");
  }
  return std::optional<json>(std::move(record));
}

}  // namespace custodian::geo
