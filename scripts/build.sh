#!/usr/bin/env bash
# Configures and builds one flavour of custodian:
#   scripts/build.sh            release build in build/ (the binary is build/custodian)
#   scripts/build.sh asan       AddressSanitizer + UndefinedBehaviorSanitizer, with clang, in
#                               build-asan/: the test suite and the libFuzzer targets
#   scripts/build.sh asan fuzzers   only the libFuzzer targets
#   scripts/build.sh release custodian   only the named targets
# CUSTODIAN_BUILD_TESTS=ON|OFF configures the directory with or without the test suites
# (OFF: GoogleTest need not be installed); unset, a new directory gets them and a configured
# one stays as it is.
# Incremental: reruns only what changed; ccache makes fresh directories cheap too.
set -euo pipefail
cd "$(dirname "$0")/.."

flavour=${1:-release}
# ccache: hit across checkouts in different directories (CI clones afresh each run).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
jobs=$(nproc)
tests=${CUSTODIAN_BUILD_TESTS:-}

case "$flavour" in
  release) dir=build; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCUSTODIAN_BUILD_TESTS="${tests:-ON}") ;;
  # One sanitized build for the suite and the fuzzers: clang (libFuzzer is clang's), a Debug
  # build (assertions on) at -O1. Clang compiles it in about half GCC's time, and the fuzz
  # targets then share its objects instead of a build of their own.
  asan) dir=build-asan
        export CXX=clang++
        args=(-DCMAKE_BUILD_TYPE=Debug -DCUSTODIAN_SANITIZE=address,undefined -DCUSTODIAN_FUZZ=ON
              -DCUSTODIAN_BUILD_TESTS="${tests:-ON}") ;;
  *) echo "build.sh: unknown flavour '$flavour' (release, asan)" >&2; exit 2 ;;
esac

# A sanitizer build directory GCC configured (before it was clang's) is made afresh.
if [ "$flavour" = asan ] && [ -f "$dir/CMakeCache.txt" ] &&
    ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang' "$dir/CMakeCache.txt"; then
  rm -rf "$dir"
fi
# Configured once; again when the tests are asked for and the directory has none (or the
# reverse): the demo's build, then the test suite's, share one directory and its objects.
if [ ! -f "$dir/build.ninja" ] || { [ -n "$tests" ] &&
    ! grep -qx "CUSTODIAN_BUILD_TESTS:BOOL=$tests" "$dir/CMakeCache.txt"; }; then
  cmake -S . -B "$dir" -G Ninja "${args[@]}"
fi
targets=()
for target in "${@:2}"; do targets+=(--target "$target"); done
cmake --build "$dir" -j "$jobs" "${targets[@]}"
