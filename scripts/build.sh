#!/usr/bin/env bash
# Configures and builds one flavour of custodian:
#   scripts/build.sh            release build in build/ (the binary is build/custodian)
#   scripts/build.sh asan       AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/
#   scripts/build.sh fuzz       libFuzzer targets with clang in build-fuzz/
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
  asan) dir=build-asan
        args=(-DCMAKE_BUILD_TYPE=Debug -DCUSTODIAN_SANITIZE=address,undefined -DCUSTODIAN_BUILD_TESTS="${tests:-ON}") ;;
  fuzz) dir=build-fuzz
        export CXX=clang++
        args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCUSTODIAN_FUZZ=ON -DCUSTODIAN_BUILD_TESTS=OFF) ;;
  *) echo "build.sh: unknown flavour '$flavour' (release, asan, fuzz)" >&2; exit 2 ;;
esac

# Configured once; again when the tests are asked for and the directory has none (or the
# reverse): the demo's build, then the test suite's, share one directory and its objects.
if [ ! -f "$dir/build.ninja" ] || { [ -n "$tests" ] && [ "$flavour" != fuzz ] &&
    ! grep -qx "CUSTODIAN_BUILD_TESTS:BOOL=$tests" "$dir/CMakeCache.txt"; }; then
  cmake -S . -B "$dir" -G Ninja "${args[@]}"
fi
targets=()
for target in "${@:2}"; do targets+=(--target "$target"); done
cmake --build "$dir" -j "$jobs" "${targets[@]}"
