#!/usr/bin/env bash
# Installs what the benchmark (bench/) needs beyond custodian's own packages: the peers'
# servers and libraries (bench/README.md; docs/dependencies.md). Only what is missing;
# sudo when not run as root. Usage: scripts/setup-bench.sh
exec "$(dirname "$0")/setup.sh" clickhouse-server postgresql-15 librocksdb-dev libsqlite3-dev \
  libpq-dev libcpp-httplib-dev
