#!/usr/bin/env bash
# The main job: sets up, builds, and decides every shipped example request under the
# built-in us-default standards with the example agency registry.
# Usage: scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh release >/dev/null

decision=$(mktemp)
trap 'rm -f "$decision"' EXIT
# A field of the pretty-printed decision: its value on each line that holds "key".
field() { grep "\"$1\"" "$decision" | sed -E 's/.*: "?([^"]*)"?,?$/\1/' | paste -sd, -; }

printf '\n%-38s %-17s %s\n' "request" "action" "findings"
for request in examples/requests/*.json; do
  build/custodian policy check "$request" --agencies examples/agencies.json > "$decision"
  printf '%-38s %-17s %s\n' "$(basename "$request")" "$(field action)" "$(field code)"
done

echo
echo "One decision in full: examples/requests/emergency-verified-narrowed.json"
build/custodian policy check examples/requests/emergency-verified-narrowed.json \
  --agencies examples/agencies.json
