#!/usr/bin/env bash
# demo.sh DIR — against a cluster started by start.sh DIR, over HTTP only:
#   schema on each server, binary-safe inserts through the Distributed table (RowBinary and
#   TabSeparated), read-back byte-compared, DROP PARTITION (per shard and ON CLUSTER),
#   ALTER DELETE of one account (per shard and ON CLUSTER). Exits non-zero on any mismatch.
set -euo pipefail
DIR=$(cd "${1:?usage: demo.sh DIR}" && pwd)
. "$(dirname "$0")/lib.sh"
NODES=(s1a s1b s2a s2b)
RB="$PY $HERE/rowbin.py"
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo; echo "== $*"; }

step "schema: events_local (ReplicatedMergeTree) and events (Distributed) on each server"
for n in "${NODES[@]}"; do
  q "$n" "DROP TABLE IF EXISTS events" >/dev/null
  q "$n" "DROP TABLE IF EXISTS events_local" >/dev/null
done
for n in "${NODES[@]}"; do
  q "$n" "CREATE TABLE events_local (day Date, account_tag FixedString(16), ts UInt64, block String)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/events_local', '{replica}')
PARTITION BY day ORDER BY (account_tag, ts)" || fail "create events_local on $n"
  q "$n" "CREATE TABLE events AS events_local
ENGINE = Distributed(custodian, default, events_local, cityHash64(account_tag))" || fail "create events on $n"
done
q s1a "SELECT replica_name, total_replicas, active_replicas FROM system.replicas WHERE table = 'events_local' FORMAT TSV"

step "insert 40 rows of arbitrary bytes through events on s1a, RowBinary, insert_distributed_sync=1"
$RB gen 1 40 "$W/r1.bin" "$W/r1.tsv"
post s1a "insert_distributed_sync=1" "INSERT INTO events FORMAT RowBinary" "$W/r1.bin" || fail "RowBinary insert"
step "insert 40 more through events on s2b, TabSeparated (ClickHouse escaping), insert_distributed_sync=1"
$RB gen 2 40 "$W/r2.bin" "$W/r2.tsv"
post s2b "insert_distributed_sync=1" "INSERT INTO events FORMAT TabSeparated" "$W/r2.tsv" || fail "TSV insert"
want=$(cat "$W/r1.bin" "$W/r2.bin" > "$W/all.bin"; $RB sortcanon "$W/all.bin")
echo "sent:                $want"

step "wait for replication (SYSTEM SYNC REPLICA on every replica), then read back through events"
for n in "${NODES[@]}"; do q "$n" "SYSTEM SYNC REPLICA events_local" || fail "sync $n"; done
for n in "${NODES[@]}"; do
  q "$n" "SELECT * FROM events FORMAT RowBinary" -o "$W/out.bin" || fail "select RowBinary on $n"
  got=$($RB sortcanon "$W/out.bin"); echo "read RowBinary  ($n): $got"
  [[ $got == "$want" ]] || fail "RowBinary mismatch on $n"
done
q s1b "SELECT * FROM events FORMAT TabSeparated" -o "$W/out.tsv" || fail "select TSV"
got=$($RB tsvcanon "$W/out.tsv"); echo "read TabSeparated (s1b): $got"
[[ $got == "$want" ]] || fail "TSV mismatch"
echo "per replica:"; for n in "${NODES[@]}"; do echo "  $n $(q "$n" "SELECT count() FROM events_local")"; done

step "DROP PARTITION on one replica of shard 1 only: replicated to its partner, not to shard 2"
q s1a "ALTER TABLE events_local DROP PARTITION '2024-01-01'" || fail "drop partition"
for n in "${NODES[@]}"; do echo "  $n: $(q "$n" "SELECT count() FROM events_local WHERE day = '2024-01-01'") rows of 2024-01-01"; done
[[ $(q s1b "SELECT count() FROM events_local WHERE day = '2024-01-01'") == 0 ]] || fail "drop not replicated to s1b"
step "DROP PARTITION ... ON CLUSTER (needs <distributed_ddl>): every shard"
echo "  answer (host, port, status, error, hosts left, hosts active):"
q s1a "ALTER TABLE events_local ON CLUSTER custodian DROP PARTITION '2024-01-01'" | sed 's/^/    /' || fail "drop on cluster"
for n in "${NODES[@]}"; do echo "  $n: $(q "$n" "SELECT count() FROM events_local WHERE day = '2024-01-01'") rows of 2024-01-01"; done
[[ $(q s1a "SELECT count() FROM events WHERE day = '2024-01-01'") == 0 ]] || fail "partition still there"

step "ALTER DELETE of one account (a mutation: asynchronous, replicated inside the shard)"
tag=5C090A0D002722FFFE80000000000000   # the nasty tag of rowbin.py, on shard 2
echo "  rows of the account through events: $(q s1a "SELECT count() FROM events WHERE account_tag = unhex('$tag')")"
q s1a "ALTER TABLE events_local DELETE WHERE account_tag = unhex('$tag')" || fail "delete on s1a"
sleep 1
echo "  after DELETE on s1a (shard 1) only: $(q s1a "SELECT count() FROM events WHERE account_tag = unhex('$tag')") (the account lives on shard 2)"
t0=$(now)
q s1a "ALTER TABLE events_local ON CLUSTER custodian DELETE WHERE account_tag = unhex('$tag')" >/dev/null || fail "delete on cluster"
for _ in $(seq 100); do
  left=$(q s1a "SELECT count() FROM events WHERE account_tag = unhex('$tag')")
  done_all=$(for n in "${NODES[@]}"; do q "$n" "SELECT min(is_done) FROM system.mutations WHERE table = 'events_local'"; done | tr -d '\n')
  [[ $left == 0 && $done_all == 1111 ]] && break
  sleep 0.1
done
echo "  after ON CLUSTER DELETE: $left rows left, all mutations done after $(since "$t0") s"
for n in "${NODES[@]}"; do echo "  $n: $(q "$n" "SELECT count() FROM events_local WHERE account_tag = unhex('$tag')") rows; mutations: $(q "$n" "SELECT mutation_id, is_done FROM system.mutations WHERE table = 'events_local' FORMAT TSV" | tr '\t\n' ': ')"; done
[[ $left == 0 ]] || fail "account not deleted"
echo; echo "total rows now: $(q s1a "SELECT count() FROM events")"
echo "demo OK"
