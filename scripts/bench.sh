#!/usr/bin/env bash
# Installs what is missing, builds the benchmark in build-bench/ and runs it: custodian's
# vault against ClickHouse, PostgreSQL, SQLite and RocksDB on the same workload.
#   scripts/bench.sh                 scale 0.1 (2M events): about 3 minutes, all five peers
#   scripts/bench.sh 1               full scale (20M events, 200k accounts, 2M IPs)
#   scripts/bench.sh 0.01 --peers sqlite,rocksdb   further arguments go to vault_bench
#   scripts/bench.sh production [ARGS]   production_bench: an approved case to a signed
#                                        package, 10,000 events by default (--events 1000000
#                                        for the bounded-memory run), against the peers' CSV
#   scripts/bench.sh http [ARGS]         http_ingest_bench: 8 clients posting 1,000-event
#                                        batches to custodian serve for 60 s, then a kill -9,
#                                        beside ClickHouse's HTTP insert
# vault_bench's figures are printed and also written to build-bench/bench-results.json.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=vault
if [ "${1:-}" = production ] || [ "${1:-}" = http ]; then
  mode=$1
  shift
else
  scale=${1:-0.1}
  shift $(($# > 0 ? 1 : 0))
fi

scripts/setup-bench.sh

# ccache: hit across checkouts in different directories, as scripts/build.sh does.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
if [ ! -f build-bench/build.ninja ]; then
  # RelWithDebInfo (-O2), as the release build: GCC 12 at -O3 warns falsely (-Wrestrict).
  cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCUSTODIAN_BUILD_BENCH=ON -DCUSTODIAN_BUILD_TESTS=OFF
fi
if [ "$mode" = production ]; then
  cmake --build build-bench -j "$(nproc)" --target production_bench
  exec build-bench/bench/production_bench "$@"
fi
if [ "$mode" = http ]; then
  cmake --build build-bench -j "$(nproc)" --target http_ingest_bench custodian
  exec build-bench/bench/http_ingest_bench "$@"
fi
cmake --build build-bench -j "$(nproc)" --target vault_bench gen_workload

build-bench/bench/vault_bench --scale "$scale" --json build-bench/bench-results.json "$@"
