#include "bench/csv_export.h"

#include <unistd.h>

#include <algorithm>

#include "core/csv_cell.h"
#include "core/time.h"

namespace custodian::bench {

Result<std::unique_ptr<CsvExport>> CsvExport::Create(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) return Status::IoError(path + ": cannot create");
  std::fwrite(kCsvHeader.data(), 1, kCsvHeader.size(), file);
  return std::unique_ptr<CsvExport>(new CsvExport(file, path));
}

CsvExport::~CsvExport() {
  if (file_) std::fclose(file_);
}

void CsvExport::Row(int64_t ts_us, std::string_view kind, const IpAddress& ip,
                    std::optional<uint16_t> port, std::string_view user_agent,
                    std::string_view device_id) {
  std::string line = FormatDateTimeMicros(Timestamp{ts_us});
  line += ',';
  line += kind;
  line += ',';
  line += ip.ToString();
  line += ',';
  if (port) line += std::to_string(*port);
  line += ',';
  line += CsvCell(user_agent);
  line += ',';
  line += CsvCell(device_id);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), file_);
  ++rows_;
}

void CsvExport::Raw(std::string_view bytes) {
  std::fwrite(bytes.data(), 1, bytes.size(), file_);
  rows_ += static_cast<uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
}

Result<uint64_t> CsvExport::Close() {
  std::FILE* file = file_;
  file_ = nullptr;
  const bool ok = std::fflush(file) == 0 && ::fsync(fileno(file)) == 0;
  if (std::fclose(file) != 0 || !ok) return Status::IoError(path_ + ": cannot write");
  return rows_;
}

}  // namespace custodian::bench
