// A GeoDatabase is one MaxMind DB (MMDB) file opened read-only through libmaxminddb: its
// metadata, and the record it holds for an address, decoded into JSON. The file format and
// its test files are the MaxMind-DB project's (testdata/mmdb/).
// Thread-safe: after Open nothing changes, so every method may be called concurrently.
//
// libmaxminddb maps the file itself, so these reads do not go through core/file_system.h:
// they are reads of a file custodian never writes, and the fault tests truncate real files.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ip_address.h"
#include "core/status.h"
#include "core/time.h"

struct MMDB_s;

namespace custodian::geo {

// Records nested deeper than this are refused as corrupt: GeoIP2's go four levels down, and
// the cap keeps a hostile file from exhausting the stack of the decoder.
inline constexpr int kMaxRecordDepth = 32;

struct GeoMetadata {
  std::string database_type;  // "GeoIP2-City", "GeoLite2-ASN", "city ipv4", …
  uint64_t build_epoch = 0;   // seconds since 1970-01-01T00:00:00Z
  Date build_date;            // the UTC date of build_epoch
  int ip_version = 6;         // 4: IPv4 addresses only; 6: both (IPv4 under ::/96)
  std::vector<std::string> languages;               // of the names in the records
  std::map<std::string, std::string> descriptions;  // language -> text
};

class GeoDatabase {
 public:
  // Opens the MMDB file at `path` (memory-mapped). IoError when the file cannot be read,
  // Corruption when it is not a well-formed MMDB (missing or broken metadata, a search tree
  // that points outside the file, a build date past 9999-12-31); both messages start with
  // the path.
  static Result<std::unique_ptr<GeoDatabase>> Open(const std::string& path);

  ~GeoDatabase();
  GeoDatabase(const GeoDatabase&) = delete;
  GeoDatabase& operator=(const GeoDatabase&) = delete;

  const std::string& path() const { return path_; }
  const GeoMetadata& metadata() const { return metadata_; }

  // The record the database holds for `address`, or nullopt when it holds none (an IPv6
  // address in an IPv4 database holds none). Corruption, naming the path, when the search
  // tree or the record is broken. Record values become JSON: maps, arrays, UTF-8 strings
  // (anything else is corruption), unsigned and signed integers, booleans, doubles (32-bit
  // floats through their shortest decimal text, so 37.422f gives 37.422, not
  // 37.4220008850098), bytes as binary, and 128-bit integers as "0x…" hex strings.
  Result<std::optional<nlohmann::json>> Lookup(const IpAddress& address) const;

 private:
  GeoDatabase(std::string path, std::unique_ptr<MMDB_s> mmdb, GeoMetadata metadata);

  std::string path_;
  std::unique_ptr<MMDB_s> mmdb_;  // on the heap: lookups hand out pointers to it
  GeoMetadata metadata_;
};

}  // namespace custodian::geo
