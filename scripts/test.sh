#!/usr/bin/env bash
# Sets up, builds and runs every test: the release build's suite (against SQLite and a
# PostgreSQL server started for it), the same suite under AddressSanitizer +
# UndefinedBehaviorSanitizer (clang; SQLite), a small run of each benchmark (vault_bench,
# production_bench) against the embedded peers (so that bench/ keeps building and agreeing),
# and a short fuzzing run of every libFuzzer target, built with the sanitizer build.
# Usage: scripts/test.sh   (.ci/run runs exactly this, on a copy of the repository alone)
# FUZZ_SECONDS sets each fuzz target's run (default 20; 0 skips fuzzing).
set -euo pipefail
cd "$(dirname "$0")/.."

# The benchmark's embedded peers need RocksDB to build (its servers are not needed here).
scripts/setup.sh --tests librocksdb-dev
# A build directory the demo configured without tests gets them.
export CUSTODIAN_BUILD_TESTS=ON
passed=0
failed=0
# What failed, by name, printed again at the end: CI shows only the end of the output.
failures=""
# Each phase's wall time, printed beside the totals: CI shows only the end of the output, and
# the suite must stay well inside CI's limit on a fresh machine.
timings=""
phase_start=$SECONDS
timed() {
  timings+="$1 $((SECONDS - phase_start)) s; "
  phase_start=$SECONDS
}

# Runs ctest in build directory $1 (further arguments go to ctest), with a throwaway PostgreSQL
# server for the case store's tests and a ClickHouse server for the vault's ClickHouse engine's,
# and adds its counts to the totals.
run_suite() {
  local dir=$1 log
  shift
  log=$(mktemp)
  if scripts/with-postgres.sh scripts/with-clickhouse.sh ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" "$@" 2>&1 |
      tee "$log"; then :; fi
  local line named
  line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -1 || true)
  named=$(sed -n '/^The following tests FAILED:/,$p' "$log" | grep -E '^[[:space:]]+[0-9]+ - ' |
    sed -E "s|^[[:space:]]+[0-9]+ - |  $dir: |" || true)
  [ -z "$named" ] || failures+="$named"$'\n'
  rm -f "$log"
  if [ -z "$line" ]; then
    echo "test.sh: ctest in $dir printed no summary" >&2
    failed=$((failed + 1))
    return
  fi
  local f t
  f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
  t=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$line")
  passed=$((passed + t - f))
  failed=$((failed + f))
}

echo "== release build"
scripts/build.sh release
run_suite build
timed "release:"

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
scripts/build.sh asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The browser tests once, in the release build: under the sanitizers they would test Chromium's
# patience, not the server's memory (the contract test holds the sanitized server to the API).
# The tests run on each case store run on SQLite only: the code above the store is the same on
# both, the release build runs them on PostgreSQL, and doing both here made CI too long.
run_suite build-asan -LE browser -E '/postgres'
timed "sanitizers:"

echo "== benchmarks, small: custodian, SQLite and RocksDB on 40,000 events of each shape; a production of 2,000; HTTP ingest and a kill -9"
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
if [ ! -f build-bench/build.ninja ]; then
  cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCUSTODIAN_BUILD_BENCH=ON -DCUSTODIAN_BUILD_TESTS=OFF > /dev/null
fi
# The build's output is kept for when it fails: a benchmark that no longer compiles must say why.
bench_log=$(mktemp)
if { cmake --build build-bench -j "$(nproc)" --target vault_bench production_bench http_ingest_bench \
      > "$bench_log" 2>&1 ||
      { grep -E -A12 '^FAILED|error:' "$bench_log" | head -60 >&2; false; }; } &&
    build-bench/bench/vault_bench --scale 0.002 --peers custodian,sqlite,rocksdb --queries 50 \
      --phase-seconds 10 &&
    build-bench/bench/vault_bench --workload sparse --scale 0.002 --queries 50 \
      --peers custodian,custodian-stream,sqlite --phase-seconds 10 &&
    build-bench/bench/http_ingest_bench --peers custodian --custodian build/custodian \
      --scale 0.002 --clients 4 --seconds 3 --kill-seconds 1 &&
    build-bench/bench/production_bench --events 2000 --noise-events 5000 --repeat 1 \
      --peers sqlite,rocksdb; then
  passed=$((passed + 1))
else
  echo "benchmark: FAILED" >&2
  failures+=$'  benchmarks\n'
  failed=$((failed + 1))
fi
rm -f "$bench_log"
timed "benchmarks:"

fuzz_seconds=${FUZZ_SECONDS:-20}
if [ "$fuzz_seconds" -gt 0 ]; then
  echo "== fuzzing, ${fuzz_seconds}s a target"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # Every target the sanitizer build has, with its seeds, as fuzz/CMakeLists.txt lists them: NAME,
  # then each corpus directory, tab-separated. New inputs go to $work, never into the tree.
  fuzzed=0
  targets=build-asan/fuzz/targets.tsv
  [ -f "$targets" ] || targets=/dev/null
  while IFS=$'\t' read -r -u 3 -a target; do
    name=${target[0]%_fuzzer}
    seeds=("${target[@]:1}")
    mkdir -p "$work/$name"
    dict=()
    [ -f "fuzz/$name.dict" ] && dict=(-dict="fuzz/$name.dict")
    max_len=16384
    [ "$name" = mmdb ] && max_len=65536  # room for the MaxMind test databases (most 1–25 KB)
    if build-asan/fuzz/${name}_fuzzer -max_total_time="$fuzz_seconds" -max_len="$max_len" \
        -artifact_prefix="$work/" "${dict[@]}" "$work/$name" "${seeds[@]}" \
        < /dev/null > "$work/$name.log" 2>&1; then
      echo "${name}_fuzzer: $(grep -E '^Done' "$work/$name.log")"
      passed=$((passed + 1))
    else
      tail -40 "$work/$name.log"
      # libFuzzer prints a failing input's bytes for some failures only; print every one it wrote.
      for unit in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
        if [ -f "$unit" ]; then
          echo "${name}_fuzzer: $(basename "$unit") in base64: $(base64 -w0 "$unit")"
        fi
      done
      echo "${name}_fuzzer: FAILED; the input that broke it is in the log above" >&2
      failures+="  ${name}_fuzzer"$'\n'
      failed=$((failed + 1))
    fi
    fuzzed=$((fuzzed + 1))
  done 3< "$targets"
  # Every libFuzzer binary built must have been fuzzed (a target missing from the list would
  # otherwise never run).
  built=$(find build-asan/fuzz -maxdepth 1 -name '*_fuzzer' -type f -executable | wc -l)
  if [ "$fuzzed" -eq 0 ] || [ "$fuzzed" -ne "$built" ]; then
    echo "fuzzing: $fuzzed targets fuzzed, $built built (build-asan/fuzz/targets.tsv)" >&2
    failed=$((failed + 1))
  fi
  timed "fuzzing:"
fi

echo
[ -n "$failures" ] && printf 'failed:\n%s' "$failures"
echo "time: ${timings}all $SECONDS s"
echo "custodian: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
