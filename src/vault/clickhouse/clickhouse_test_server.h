// The ClickHouse server the vault's ClickHouse tests run against: the one CUSTODIAN_TEST_CLICKHOUSE
// names (http://127.0.0.1:PORT, which scripts/with-clickhouse.sh starts in a temp directory).
// Without it the tests are skipped, except under CI, where they fail.
#pragma once

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#define CUSTODIAN_REQUIRE_CLICKHOUSE()                                                        \
  do {                                                                                        \
    if (!std::getenv("CUSTODIAN_TEST_CLICKHOUSE")) {                                          \
      if (std::getenv("CI")) {                                                                \
        FAIL() << "CI runs the ClickHouse tests: run them through scripts/with-clickhouse.sh " \
                  "(scripts/test.sh does)";                                                   \
      }                                                                                       \
      GTEST_SKIP() << "no ClickHouse server: run through scripts/with-clickhouse.sh";         \
    }                                                                                         \
  } while (0)

namespace custodian::vault::clickhouse {

inline std::string TestServerUrl() {
  const char* url = std::getenv("CUSTODIAN_TEST_CLICKHOUSE");
  return url ? url : "";
}

}  // namespace custodian::vault::clickhouse
