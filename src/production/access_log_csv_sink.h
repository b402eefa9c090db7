// access_log.csv (spec/production.md): one row per access event — account_id, ts, kind, ip,
// port, then the location columns only when `location` is authorized and the device columns
// only when `device` is. Every cell from outside goes through CsvCell. Not thread-safe.
#pragma once

#include "production/hashed_file.h"
#include "production/record_sink.h"

namespace custodian::production {

class AccessLogCsvSink : public RecordSink {
 public:
  AccessLogCsvSink(HashedFile& file, RecordColumns columns) : file_(file), columns_(columns) {}

  Status BeginAccount(const AccountSection& account) override;
  Status AddEvent(const RecordEvent& event) override;
  Status EndAccount() override { return Status::Ok(); }
  Status Finish(const std::vector<Target>& not_found) override;

 private:
  Status Header();
  HashedFile& file_;
  const RecordColumns columns_;
  bool header_ = false;
  std::string account_;
};

}  // namespace custodian::production
