#!/usr/bin/env bash
# Configures and builds one flavour of custodian:
#   scripts/build.sh            release build in build/ (the binary is build/custodian)
#   scripts/build.sh asan       AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/
#   scripts/build.sh fuzz       libFuzzer targets with clang in build-fuzz/
#   scripts/build.sh release custodian   only the named targets (the demo builds no test)
# Incremental: reruns only what changed; ccache makes fresh directories cheap too.
set -euo pipefail
cd "$(dirname "$0")/.."

flavour=${1:-release}
# ccache: hit across checkouts in different directories (CI clones afresh each run).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
jobs=$(nproc)

case "$flavour" in
  release) dir=build; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) dir=build-asan; args=(-DCMAKE_BUILD_TYPE=Debug -DCUSTODIAN_SANITIZE=address,undefined) ;;
  fuzz) dir=build-fuzz
        export CXX=clang++
        args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCUSTODIAN_FUZZ=ON -DCUSTODIAN_BUILD_TESTS=OFF) ;;
  *) echo "build.sh: unknown flavour '$flavour' (release, asan, fuzz)" >&2; exit 2 ;;
esac

if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja "${args[@]}"
fi
targets=()
for target in "${@:2}"; do targets+=(--target "$target"); done
cmake --build "$dir" -j "$jobs" "${targets[@]}"
