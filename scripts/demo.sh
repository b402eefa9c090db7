#!/usr/bin/env bash
# The main job: sets up, builds, decides every shipped example request under the built-in
# us-default standards with the example agency registry, keeps a small synthetic access log
# in a fresh instance (build/demo/): ingest, subscriber records, counts, retention; enters
# every example request as a case, with one demo user per role; produces one approved case's
# signed package and verifies it offline; then serves the HTTP API on 127.0.0.1:8080 until
# Ctrl-C, where the requester can download that package once.
# Usage: scripts/demo.sh        (DEMO_SERVE=0: stop before serving)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# The binary only: the demo runs no test (scripts/test.sh installs and builds those). A new
# build directory is configured without them, so that GoogleTest need not be installed.
if [ ! -f build/build.ninja ]; then export CUSTODIAN_BUILD_TESTS=OFF; fi
scripts/build.sh release custodian >/dev/null

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

# A vault with a week of synthetic logins of 50 accounts, dated from today backwards.
demo=build/demo
rm -rf "$demo"
mkdir -p "$demo"
export CUSTODIAN_KEY_FILE="$PWD/$demo/master.key"  # a demo key; a real one lives apart from the data
echo
echo "A vault in $demo/data:"
build/custodian init --data "$demo/data" > /dev/null 2> /dev/null
kinds=(login session_refresh session_refresh logout failed_login)
for day in 0 1 2 3 4 5 6; do
  date_of_day=$(date -u -d "-$day day" +%Y-%m-%d)
  for i in $(seq 0 199); do
    account=$((1000000 + (i * 7 + day) % 50))
    hour=$(( (i * 5) % 24 )); minute=$(( (i * 13) % 60 ))
    if [ "$day" -eq 0 ] && [ "$hour" -ge "$(date -u +%H | sed 's/^0//')" ]; then hour=0; fi
    printf '{"account_id": %d, "ts": "%sT%02d:%02d:%02d.%06dZ", "kind": "%s", "ip": "203.0.113.%d", "port": %d, "user_agent": "Mozilla/5.0 (demo)", "device_id": "dev-%d"}\n' \
      "$account" "$date_of_day" "$hour" "$minute" $((i % 60)) $((i * 7919 % 1000000)) \
      "${kinds[$((i % 5))]}" $((account % 250 + 1)) $((40000 + i)) "$account"
  done
done > "$demo/events.ndjson"
for a in $(seq 1000000 1000049); do
  printf '{"account_id": %d, "effective_from": "%sT00:00:00Z", "username": "user%d", "name": "Demo User %d", "emails": ["user%d@example.net"]}\n' \
    "$a" "$(date -u -d '-30 day' +%Y-%m-%d)" "$a" "$a" "$a"
done > "$demo/subscribers.ndjson"
printf 'ingest:              '
build/custodian ingest --data "$demo/data" "$demo/events.ndjson" | tr -d '\n ' ; echo
printf 'subscribers import:  '
build/custodian subscribers import --data "$demo/data" "$demo/subscribers.ndjson" | tr -d '\n '; echo
printf 'vault stats:         '
build/custodian vault stats --data "$demo/data" | tr -d '\n '; echo
printf 'retention run:       '
build/custodian retention run --data "$demo/data" | tr -d '\n '; echo

# Cases: the example registry, one demo user per role (made by the operator, as the first
# staff users are; case steps then name them), every example request entered by staff.
data=(--data "$demo/data")
password="demo password, not for use"
# Demo only: staff sign in by password; a real instance keeps the default (TOTP required).
printf '[auth]\nrequire_totp = false\n' > "$demo/data/custodian.toml"
# The service the demo's productions certify for (docs/operations.md, [production]).
printf '[production]\nservice_name = "Example Mail (demo)"\n' >> "$demo/data/custodian.toml"
build/custodian agencies import "${data[@]}" --actor demo examples/agencies.json > /dev/null
for role in intake reviewer approver auditor admin; do
  echo "$password" | build/custodian user add "$role" --role "$role" --actor demo "${data[@]}" > /dev/null
done
echo
printf '%-38s %-14s %s\n' "case" "id" "state"
value() { grep -m1 "\"$1\"" "$decision" | sed -E 's/.*: "([^"]*)".*/\1/'; }
for request in examples/requests/*.json; do
  build/custodian case submit "${data[@]}" --actor intake "$request" > "$decision"
  printf '%-38s %-14s %s\n' "$(basename "$request")" "$(value id)" "$(value state)"
done
build/custodian user token create --service demo-backend --actor demo "${data[@]}" > "$decision"
token=$(value token)

# A production: HSI's court order for one demo account over the last week, reviewed and
# approved by two people, produced as a signed package, verified offline with the published
# keys, and waiting for HSI's requester in the portal.
now=$(date -u +%Y-%m-%dT%H:00:00Z)
week_ago=$(date -u -d '-7 day' +%Y-%m-%dT00:00:00Z)
sed -e "s/\"received_at\": \"[^\"]*\"/\"received_at\": \"$now\"/" \
    -e "s/\"value\": \"1000042\"/\"value\": \"1000007\"/" \
    -e "s/\"start\": \"[^\"]*\"/\"start\": \"$week_ago\"/" \
    -e "s/\"end\": \"[^\"]*\"/\"end\": \"$now\"/" \
    examples/requests/hsi-child-safety-court-order.json > "$demo/hsi-order.json"
build/custodian case submit "${data[@]}" --actor intake "$demo/hsi-order.json" > "$decision"
case_id=$(value id)
build/custodian case review "${data[@]}" --actor reviewer "$case_id" --decision approve \
  --confirm-investigation > /dev/null
build/custodian case approve "${data[@]}" --actor approver "$case_id" > /dev/null
build/custodian produce "${data[@]}" --actor approver "$case_id" --out "$demo/$case_id.zip" > "$decision"
# The keys as GET /api/v1/keys publishes them: what a requester verifies with.
{ printf '{"ledger": '; build/custodian keys list --ledger "${data[@]}"
  printf ', "production": '; build/custodian keys list "${data[@]}"; printf '}\n'; } > "$demo/keys.json"
echo
echo "Production $(value production) of $case_id ($(grep -m1 '"events"' "$decision" | tr -dc 0-9) events): $demo/$case_id.zip"
printf 'verify:              '
build/custodian verify "$demo/$case_id.zip" --public-key "$demo/keys.json" \
  --ledger-key "$demo/keys.json" | tr -d '\n '; echo
build/custodian user token create --requester hsi-demo --agency us-dhs-hsi \
  --email l.whitmore@hsi.dhs.gov --actor demo "${data[@]}" > "$decision"
requester=$(value token)

if [ "${DEMO_SERVE:-1}" = 0 ]; then exit 0; fi
echo
echo "The HTTP API (docs/api.md) on 127.0.0.1:8080 until Ctrl-C. Users intake, reviewer,"
echo "approver, auditor and admin, password \"$password\"; a service token for ingest: $token"
echo "  curl -s -c cookies -H 'Content-Type: application/json' \\"
echo "    -d '{\"username\": \"auditor\", \"password\": \"$password\"}' http://127.0.0.1:8080/api/v1/auth/login"
echo "  curl -s -b cookies http://127.0.0.1:8080/api/v1/cases"
echo "HSI's requester lists the case's package, then downloads it once with the link it shows:"
echo "  curl -s -H 'Authorization: Bearer $requester' http://127.0.0.1:8080/api/v1/portal/requests/$case_id/productions"
echo "  curl -s -o package.zip -H 'Authorization: Bearer $requester' http://127.0.0.1:8080/api/v1/portal/downloads/D-…"
exec build/custodian serve "${data[@]}" --listen 127.0.0.1:8080
