// record.json (spec/production.md), written as the record streams in: the case, production
// and scope first, then each account with its subscriber versions and access log, then the
// targets that matched nothing. Not thread-safe.
#pragma once

#include <memory>

#include "production/hashed_file.h"
#include "production/record_sink.h"

namespace custodian::production {

class RecordJsonSink : public RecordSink {
 public:
  // `head`: {"case", "production", "scope"}, written first.
  RecordJsonSink(HashedFile& file, nlohmann::ordered_json head, RecordColumns columns)
      : file_(file), head_(std::move(head)), columns_(columns) {}

  Status BeginAccount(const AccountSection& account) override;
  Status AddEvent(const RecordEvent& event) override;
  Status EndAccount() override;
  Status Finish(const std::vector<Target>& not_found) override;

 private:
  Status Start();
  HashedFile& file_;
  const nlohmann::ordered_json head_;
  const RecordColumns columns_;
  bool started_ = false;
  size_t accounts_ = 0;
  size_t events_ = 0;  // in the current account
  bool has_access_log_ = false;
};

}  // namespace custodian::production
