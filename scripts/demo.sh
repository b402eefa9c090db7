#!/usr/bin/env bash
# The main job: sets up, builds, and runs `custodian demo`: a synthetic service in a fresh demo
# instance (build/demo/data) — 20,000 accounts with names in many scripts, their subscriber
# records, two million logins over the retention period from addresses the default
# geolocation data places, the example agency registry, a staff user per role, and the
# example requests as cases in every state, one produced and waiting for its requester —
# then serves the console and the API on http://127.0.0.1:8080 until Ctrl-C. The demo
# instance's staff sign in by password alone (its own mark, which nothing else sets).
# Usage: scripts/demo.sh        (DEMO_SERVE=0: build the service, then stop)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# The binary only: the demo runs no test (scripts/test.sh installs and builds those). A new
# build directory is configured without them, so that GoogleTest need not be installed.
if [ ! -f build/build.ninja ]; then export CUSTODIAN_BUILD_TESTS=OFF; fi
scripts/build.sh release custodian >/dev/null

demo=build/demo
rm -rf "$demo"
mkdir -p "$demo"
export CUSTODIAN_KEY_FILE="$PWD/$demo/master.key"  # a demo key; a real one lives apart from the data
serve=()
if [ "${DEMO_SERVE:-1}" = 0 ]; then serve=(--no-serve); fi
exec build/custodian demo --data "$demo/data" "${serve[@]}"
