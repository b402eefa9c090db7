// The account-window CSV that each peer writes in production_bench: the nearest thing a plain
// store does to a production (no signature, no PDF). One row an event: ts (RFC 3339 UTC with
// microseconds), kind, ip, port, user_agent, device_id, cells escaped as access_log.csv's are
// (core/csv_cell.h). Buffered; Close syncs the file, as a production's files are synced.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/ip_address.h"
#include "core/status.h"

namespace custodian::bench {

inline constexpr std::string_view kCsvHeader = "ts,kind,ip,port,user_agent,device_id\n";

class CsvExport {
 public:
  // Creates (or truncates) `path` and writes the header row.
  static Result<std::unique_ptr<CsvExport>> Create(const std::string& path);
  ~CsvExport();

  void Row(int64_t ts_us, std::string_view kind, const IpAddress& ip, std::optional<uint16_t> port,
           std::string_view user_agent, std::string_view device_id);
  // Bytes that are CSV already (a server's own CSV output).
  void Raw(std::string_view bytes);
  // Flushes and syncs; returns the rows written.
  Result<uint64_t> Close();

 private:
  CsvExport(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
  std::FILE* file_;
  std::string path_;
  uint64_t rows_ = 0;
};

}  // namespace custodian::bench
