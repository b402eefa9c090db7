// One ClickHouse server's HTTP interface, as the vault's ClickHouse engine speaks to it: no
// client library, the query in the URL, an INSERT's rows as the body, settings as URL
// parameters (18.16 takes no SETTINGS clause on INSERT or ALTER: docs/clickhouse.md, §3).
// Every request waits for the end of its query (wait_end_of_query=1): an error in the middle
// of a result then arrives as an HTTP error, never as a 200 with the error appended to rows.
// The password goes in HTTP basic authentication, never in a URL or a message. Thread-safe:
// each query has a connection of its own.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace custodian::vault::clickhouse {

struct Endpoint {
  std::string host;
  int port = 8123;
  std::string user = "default";
  std::string password;

  // "HOST:PORT", for messages.
  std::string Name() const { return host + ":" + std::to_string(port); }
};

// http://[USER[:PASSWORD]@]HOST[:PORT][/] (no TLS: a ClickHouse of the instance's own network).
// InvalidArgument naming what is wrong, never echoing a password.
Result<Endpoint> ParseEndpoint(std::string_view url);

using Settings = std::vector<std::pair<std::string, std::string>>;

class Http {
 public:
  explicit Http(Endpoint endpoint, std::chrono::seconds timeout = std::chrono::seconds(60))
      : endpoint_(std::move(endpoint)), timeout_(timeout) {}

  // Runs `sql`; `rows`, for an INSERT, are its data in the format `sql` names. The answer's
  // body whole. Failures: Unavailable when the server cannot be reached or answers that the
  // client must retry (a quorum not reached, a replica away: the same bytes may be sent
  // again); InvalidArgument for a query the server refuses; Internal otherwise; each with the
  // server and ClickHouse's code and first line.
  Result<std::string> Query(std::string_view sql, std::string_view rows = {},
                            const Settings& settings = {}) const;

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  const Endpoint endpoint_;
  const std::chrono::seconds timeout_;
};

// ClickHouse's error code in an error answer ("Code: 62, e.displayText() = …"); 0 when none.
int ErrorCode(std::string_view answer);

}  // namespace custodian::vault::clickhouse
