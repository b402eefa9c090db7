#!/usr/bin/env bash
# experiments.sh DIR [a|b1|b2|b3|c ...] — durability and failover experiments against a
# cluster started by start.sh DIR (all four servers up at the start of each one).
# Tables: exp_local (ReplicatedMergeTree) and exp (Distributed), recreated on each run.
#   a   insert_quorum=2 straight into s1a's exp_local; kill -9 s1b during the loop; restart it
#   a2  kill -9 s1b and restart it at once: how long until quorum INSERTs work again
#   b1  through the Distributed table (insert_distributed_sync=1) on s2a; kill -9 s1a (the
#       first replica of shard 1 in the cluster's order); restart it
#   b2  as b1 with insert_quorum=2 too; kill -9 s1b; restart it
#   b3  default (asynchronous) Distributed insert on s2a while both replicas of shard 1 are down,
#       then kill -9 s2a itself (its queue is on disk), restart everything
#   c   reads through exp with one replica of shard 1 killed, paused (SIGSTOP), both down
#   c2  reads with one replica of shard 1 stale (SYSTEM STOP FETCHES)
set -uo pipefail
DIR=$(cd "${1:?usage: experiments.sh DIR [a a2 b1 b2 b3 c c2]}" && pwd); shift
. "$(dirname "$0")/lib.sh"
NODE=$HERE/node.sh
NODES=(s1a s1b s2a s2b)
EXPS=("$@"); (( ${#EXPS[@]} )) || EXPS=(a a2 b1 b2 b3 c c2)
say() { echo "[$(date +%T.%3N)] $*"; }

setup() {
  for n in "${NODES[@]}"; do "$NODE" "$DIR" start "$n" >/dev/null; done
  for n in "${NODES[@]}"; do q "$n" "DROP TABLE IF EXISTS exp" >/dev/null; q "$n" "DROP TABLE IF EXISTS exp_local" >/dev/null; done
  for n in "${NODES[@]}"; do
    q "$n" "CREATE TABLE exp_local (day Date, account_tag FixedString(16), ts UInt64, block String)
      ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/exp_local', '{replica}')
      PARTITION BY day ORDER BY (account_tag, ts)" || { echo "create failed on $n"; exit 1; }
    q "$n" "CREATE TABLE exp AS exp_local ENGINE = Distributed(custodian, default, exp_local, cityHash64(account_tag))" || exit 1
  done
}

for n in "${NODES[@]}"; do "$NODE" "$DIR" start "$n" >/dev/null || exit 1; done
# Two 16-byte account tags, the first on shard 1 (cityHash64 % 2 = 0), the second on shard 2.
TAG1=$(q s1a "SELECT t FROM (SELECT concat('acct-s1-', leftPad(toString(number), 8, '0')) AS t FROM system.numbers LIMIT 100) WHERE cityHash64(toFixedString(t, 16)) % 2 = 0 LIMIT 1" 2>/dev/null || true)
TAG2=$(q s1a "SELECT t FROM (SELECT concat('acct-s2-', leftPad(toString(number), 8, '0')) AS t FROM system.numbers LIMIT 100) WHERE cityHash64(toFixedString(t, 16)) % 2 = 1 LIMIT 1" 2>/dev/null || true)
if [[ ${#TAG1} != 16 ]]; then  # 18.16 has no leftPad
  for k in $(seq 0 99); do t=$(printf 'acct-s1-%08d' "$k"); [[ $(q s1a "SELECT cityHash64(toFixedString('$t', 16)) % 2") == 0 ]] && { TAG1=$t; break; }; done
  for k in $(seq 0 99); do t=$(printf 'acct-s2-%08d' "$k"); [[ $(q s1a "SELECT cityHash64(toFixedString('$t', 16)) % 2") == 1 ]] && { TAG2=$t; break; }; done
fi
[[ ${#TAG1} == 16 && ${#TAG2} == 16 ]] || { echo "could not pick account tags: '$TAG1' '$TAG2'" >&2; exit 1; }
say "account tags: $TAG1 (shard 1), $TAG2 (shard 2)"

# insert_loop NODE TABLE SETTINGS DAY N INTERVAL ACTIONS...  (ACTIONS: "i:command" run before insert i)
# One INSERT per i: two rows (ts = i on TAG1, shard 1; ts = 1000000 + i on TAG2, shard 2).
# Writes $W/acked (i of HTTP 200), $W/failed, $W/payload.i and prints one line per insert.
insert_loop() {
  local node=$1 table=$2 set=$3 day=$4 n=$5 interval=$6; shift 6
  local i a t0 t1 out rc
  : > "$W/acked"; : > "$W/failed"
  t0=$(now)
  for i in $(seq 1 "$n"); do
    for a in "$@"; do
      if [[ ${a%%:*} == "$i" ]]; then say "before insert $i: ${a#*:}"; eval "${a#*:}"; fi
    done
    printf '%s\t%s\t%d\tblock-%d-a\n%s\t%s\t%d\tblock-%d-b\n' "$day" "$TAG1" "$i" "$i" "$day" "$TAG2" $((1000000 + i)) "$i" > "$W/payload.$i"
    t1=$(now)
    out=$(CURL_MAX_TIME=30 post "$node" "$set" "INSERT INTO $table FORMAT TabSeparated" "$W/payload.$i"); rc=$?
    if (( rc == 0 )); then echo "$i" >> "$W/acked"; printf '  insert %2d at %6.2fs: OK   %6.3fs\n' "$i" "$(since "$t0")" "$(since "$t1")"
    else echo "$i" >> "$W/failed"; printf '  insert %2d at %6.2fs: FAIL %6.3fs  %s\n' "$i" "$(since "$t0")" "$(since "$t1")" "$(echo "$out" | head -1 | sed 's/, e.what().*//' | cut -c1-200)"; fi
    sleep "$interval"
  done
}

# verify TABLE_ON_NODE DAY NODES... : every acknowledged i present on every listed replica?
verify() {
  local table=$1 day=$2; shift 2
  local n missing extra
  for n in "$@"; do
    q "$n" "SELECT ts FROM $table WHERE day = '$day' AND account_tag = '$TAG1' ORDER BY ts FORMAT TSV" > "$W/have.$n"
    missing=$(comm -23 <(sort "$W/acked") <(sort "$W/have.$n") | sort -n | tr '\n' ' ')
    extra=$(comm -13 <(sort "$W/acked") <(sort "$W/have.$n") | sort -n | tr '\n' ' ')
    say "  $n: $(wc -l < "$W/have.$n") rows on shard 1; acknowledged but missing: [${missing}]; present though the INSERT failed: [${extra}]"
  done
}

W=$(mktemp -d); trap 'rm -rf "$W"' EXIT

# wait_quorum NODE DAY: until a probe INSERT with insert_quorum=2 succeeds on NODE; prints the wait
wait_quorum() {
  local t0 k; t0=$(now)
  for k in $(seq 1 120); do
    printf '%s\t%s\t%d\tprobe\n' "$2" "$TAG1" $((900000 + k)) > "$W/probe"
    post "$1" "insert_quorum=2&insert_quorum_timeout=2000" "INSERT INTO exp_local FORMAT TabSeparated" "$W/probe" >/dev/null && { say "quorum INSERTs work again after $(since "$t0") s ($k probes)"; return 0; }
    sleep 0.5
  done
  say "quorum INSERTs still failing after $(since "$t0") s"
}

exp_a() {
  say "=== (a) insert_quorum=2 straight into s1a.exp_local, 0.5 s apart; kill -9 s1b before insert 6, restart it before insert 26 (~10 s later)"
  setup
  insert_loop s1a exp_local "insert_quorum=2&insert_quorum_timeout=3000" 2024-02-01 36 0.5 \
    "6:$NODE $DIR kill9 s1b" \
    "26:($NODE $DIR start s1b > $W/restart.log 2>&1 &)"
  say "acknowledged: $(tr '\n' ' ' < "$W/acked")"
  say "failed:       $(tr '\n' ' ' < "$W/failed")"
  for _ in $(seq 300); do [[ $("$NODE" "$DIR" status s1b) == *up* ]] && q s1b "SELECT 1" >/dev/null && break; sleep 0.1; done
  cat "$W/restart.log"
  q s1b "SYSTEM SYNC REPLICA exp_local" || say "sync failed"
  say "after restart + SYSTEM SYNC REPLICA:"
  verify exp_local 2024-02-01 s1a s1b
  say "retrying each failed INSERT with the same bytes (insert_quorum=2):"
  for i in $(cat "$W/failed"); do
    out=$(post s1a "insert_quorum=2&insert_quorum_timeout=3000" "INSERT INTO exp_local FORMAT TabSeparated" "$W/payload.$i") && r=OK || r="FAIL $(echo "$out" | head -1 | sed 's/, e.what().*//' | cut -c1-120)"
    say "  retry $i: $r; rows with ts=$i now: $(q s1a "SELECT count() FROM exp_local WHERE day = '2024-02-01' AND ts = $i")"
  done
}

exp_a2() {
  say "=== (a2) kill -9 s1b and restart it at once (inside the 6 s ZooKeeper session timeout): when do quorum INSERTs work again?"
  setup
  "$NODE" "$DIR" kill9 s1b; "$NODE" "$DIR" start s1b
  wait_quorum s1a 2024-02-06
  say "s1b log: $(grep -c 'appears to be already active' "$DIR/s1b/logs/error.log") x 'Replica ... appears to be already active. If you're sure it's not, try again in a minute or remove znode ... manually'"
  say "the same with a pause of 8 s (> session timeout) between kill and restart:"
  "$NODE" "$DIR" kill9 s1b; sleep 8; "$NODE" "$DIR" start s1b
  wait_quorum s1a 2024-02-06
}

exp_b1() {
  say "=== (b1) through s2a's Distributed exp, insert_distributed_sync=1 (no quorum); kill -9 s1a before insert 6, restart before 16"
  setup
  insert_loop s2a exp "insert_distributed_sync=1" 2024-02-02 24 0.2 \
    "6:$NODE $DIR kill9 s1a" \
    "16:($NODE $DIR start s1a > $W/restart.log 2>&1 &)"
  say "acknowledged: $(tr '\n' ' ' < "$W/acked")"; say "failed:       $(tr '\n' ' ' < "$W/failed")"
  for _ in $(seq 300); do q s1a "SELECT 1" >/dev/null 2>&1 && break; sleep 0.1; done
  cat "$W/restart.log"
  q s1a "SYSTEM SYNC REPLICA exp_local"; q s1b "SYSTEM SYNC REPLICA exp_local"
  verify exp_local 2024-02-02 s1a s1b
  say "shard 2 rows: s2a $(q s2a "SELECT count() FROM exp_local WHERE day='2024-02-02'") s2b $(q s2b "SELECT count() FROM exp_local WHERE day='2024-02-02'")"
}

exp_b2() {
  say "=== (b2) through s2a's Distributed exp, insert_distributed_sync=1 + insert_quorum=2; kill -9 s1b before insert 6, restart before 16"
  setup
  insert_loop s2a exp "insert_distributed_sync=1&insert_quorum=2&insert_quorum_timeout=3000" 2024-02-03 24 0.2 \
    "6:$NODE $DIR kill9 s1b" \
    "16:($NODE $DIR start s1b > $W/restart.log 2>&1 &)"
  say "acknowledged: $(tr '\n' ' ' < "$W/acked")"; say "failed:       $(tr '\n' ' ' < "$W/failed")"
  for _ in $(seq 300); do q s1b "SELECT 1" >/dev/null 2>&1 && break; sleep 0.1; done
  cat "$W/restart.log"
  q s1a "SYSTEM SYNC REPLICA exp_local"; q s1b "SYSTEM SYNC REPLICA exp_local"
  verify exp_local 2024-02-03 s1a s1b
  say "shard 2 rows (the failed INSERTs' shard-2 halves?): s2a $(q s2a "SELECT count() FROM exp_local WHERE day='2024-02-03'") s2b $(q s2b "SELECT count() FROM exp_local WHERE day='2024-02-03'") of $(wc -l < "$W/acked") acked + $(wc -l < "$W/failed") failed"
}

exp_b3() {
  say "=== (b3) default (async) Distributed insert on s2a with shard 1 entirely down; then kill -9 s2a"
  setup
  "$NODE" "$DIR" kill9 s1a; "$NODE" "$DIR" kill9 s1b
  say "shard 1 down (both replicas killed)"
  insert_loop s2a exp "" 2024-02-04 10 0.1
  say "acknowledged: $(tr '\n' ' ' < "$W/acked")"; say "failed: $(tr '\n' ' ' < "$W/failed")"
  say "queue on s2a's disk: $(cd "$DIR/s2a/data/data/default/exp" 2>/dev/null && find . -type f | head -5 | tr '\n' ' ') ($(find "$DIR/s2a/data/data/default/exp" -name '*.bin' | wc -l) .bin files)"
  say "s2a error log: $(grep -c 'DirectoryMonitor\|Connection refused' "$DIR/s2a/logs/error.log") monitor errors so far"
  "$NODE" "$DIR" kill9 s2a; say "s2a killed with its queue pending"
  "$NODE" "$DIR" start s1a; "$NODE" "$DIR" start s1b; "$NODE" "$DIR" start s2a
  for k in $(seq 100); do
    c=$(q s1a "SELECT count() FROM exp_local WHERE day='2024-02-04'")
    [[ $c == 10 ]] && break; sleep 0.2
  done
  say "after restarts: shard 1 has $c of 10 acknowledged rows (after ~$((k / 5)) s); queue files left: $(find "$DIR/s2a/data/data/default/exp" -name '*.bin' | wc -l)"
  q s1b "SYSTEM SYNC REPLICA exp_local"
  verify exp_local 2024-02-04 s1a s1b
}

qcount() { local o; o=$(CURL_MAX_TIME=2 q "$1" "SELECT value FROM system.events WHERE event = 'SelectQuery'" 2>/dev/null) && [[ $o =~ ^[0-9]+$ ]] && echo "$o" || echo "-"; }
read_try() {  # label node settings: count through exp, time, and which shard-1 replica served it
  local t0 out rc a0 b0 a1 b1 by=""
  a0=$( [[ ${PAUSED:-} == s1a ]] && echo - || qcount s1a); b0=$( [[ ${PAUSED:-} == s1b ]] && echo - || qcount s1b)
  t0=$(now); out=$(CURL_MAX_TIME=${READ_MAX_TIME:-40} qs "$2" "$3" "SELECT count() FROM exp"); rc=$?
  local el; el=$(since "$t0")
  a1=$( [[ ${PAUSED:-} == s1a ]] && echo - || qcount s1a); b1=$( [[ ${PAUSED:-} == s1b ]] && echo - || qcount s1b)
  [[ $a0 != - && $a1 != - ]] && (( a1 - a0 > 1 )) && by+="s1a "
  [[ $b0 != - && $b1 != - ]] && (( b1 - b0 > 1 )) && by+="s1b "
  if (( rc == 0 )); then say "  $1: count=$out in $el s; shard 1 served by: ${by:-?}"
  else say "  $1: FAIL in $el s: $(echo "$out" | head -1 | sed 's/, e.what().*//' | cut -c1-200)"; fi
}

exp_c() {
  say "=== (c) reads through the Distributed exp with shard 1 degraded (expected count 20)"
  setup
  for i in $(seq 1 10); do
    printf '2024-02-05\t%s\t%d\tx\n2024-02-05\t%s\t%d\tx\n' "$TAG1" "$i" "$TAG2" $((1000000 + i)) > "$W/p"
    post s2a "insert_distributed_sync=1" "INSERT INTO exp FORMAT TabSeparated" "$W/p" >/dev/null || { echo "insert failed"; exit 1; }
  done
  q s1b "SYSTEM SYNC REPLICA exp_local"; q s1a "SYSTEM SYNC REPLICA exp_local"
  read_try "all up, from s2a" s2a ""
  read_try "all up, from s2a" s2a ""
  for v in s1a s1b; do
    "$NODE" "$DIR" kill9 $v; say "$v killed"
    read_try "from s2a, defaults" s2a ""
    read_try "from s2a, defaults (again)" s2a ""
    "$NODE" "$DIR" start $v >/dev/null; say "$v restarted"
    read_try "from s2a after restart" s2a ""
  done
  for v in s1a s1b; do
    "$NODE" "$DIR" pause $v; PAUSED=$v; say "$v paused with SIGSTOP (the kernel still accepts its TCP connections)"
    say "  direct SELECT 1 on $v: $(CURL_MAX_TIME=2 q $v 'SELECT 1' | head -1 | cut -c1-80)"
    read_try "from s2a, defaults (receive_timeout=300)" s2a ""
    read_try "from s2a, receive_timeout=2" s2a "receive_timeout=2"
    read_try "from s2a, receive_timeout=2 (again)" s2a "receive_timeout=2"
    "$NODE" "$DIR" resume $v; PAUSED=; say "$v resumed"
    read_try "from s2a after resume" s2a ""
  done
  "$NODE" "$DIR" kill9 s1a; "$NODE" "$DIR" kill9 s1b; say "both replicas of shard 1 killed"
  read_try "from s2a, defaults" s2a ""
  read_try "from s2a, skip_unavailable_shards=1" s2a "skip_unavailable_shards=1"
  "$NODE" "$DIR" start s1a >/dev/null; "$NODE" "$DIR" start s1b >/dev/null
}

exp_c2() {
  say "=== (c2) a stale replica: s1a (first in the cluster's order) stops fetching, 5 rows go into shard 1 via s1b"
  setup
  for i in $(seq 1 10); do
    printf '2024-02-05\t%s\t%d\tx\n2024-02-05\t%s\t%d\tx\n' "$TAG1" "$i" "$TAG2" $((1000000 + i)) > "$W/p"
    post s2a "insert_distributed_sync=1" "INSERT INTO exp FORMAT TabSeparated" "$W/p" >/dev/null || { echo "insert failed"; exit 1; }
  done
  q s1a "SYSTEM SYNC REPLICA exp_local"; q s1b "SYSTEM SYNC REPLICA exp_local"
  # fresh initiators: no error counts left from earlier kills steer the choice of replica
  for n in s2a s2b; do "$NODE" "$DIR" stop $n; "$NODE" "$DIR" start $n >/dev/null; done
  read_try "all up, from s2a (expect 20)" s2a ""
  q s1a "SYSTEM STOP FETCHES exp_local"
  for i in $(seq 101 105); do
    printf '2024-02-05\t%s\t%d\tx\n' "$TAG1" "$i" > "$W/p"; post s1b "" "INSERT INTO exp_local FORMAT TabSeparated" "$W/p" >/dev/null || { echo "insert failed"; exit 1; }
  done
  sleep 4
  say "  s1a: $(q s1a "SELECT 'absolute_delay', absolute_delay, 'queue_size', queue_size FROM system.replicas WHERE table='exp_local' FORMAT TSV" | tr '\t' ' '); the up-to-date count is 25 (s1a alone has 20)"
  read_try "from s2a, defaults (max_replica_delay_for_distributed_queries=300)" s2a ""
  read_try "from s2a, max_replica_delay_for_distributed_queries=1" s2a "max_replica_delay_for_distributed_queries=1"
  read_try "from s2a, max_replica_delay=1, fallback_to_stale_replicas_for_distributed_queries=0" s2a "max_replica_delay_for_distributed_queries=1&fallback_to_stale_replicas_for_distributed_queries=0"
  read_try "from s1a itself (the stale local replica), defaults" s1a ""
  read_try "from s1a itself, max_replica_delay=1" s1a "max_replica_delay_for_distributed_queries=1"
  say "  s1a exp_local: $(q s1a "SELECT count() FROM exp_local"); with select_sequential_consistency=1: $(qs s1a select_sequential_consistency=1 "SELECT count() FROM exp_local" | head -1 | cut -c1-150)"
  say "  SELECT with select_sequential_consistency=1 after an insert_quorum=2 INSERT on s1b:"
  printf '2024-02-05\t%s\t%d\tx\n' "$TAG1" 200 > "$W/p"
  out=$(post s1b "insert_quorum=2&insert_quorum_timeout=3000" "INSERT INTO exp_local FORMAT TabSeparated" "$W/p") && say "    quorum INSERT on s1b: OK" || say "    quorum INSERT on s1b: FAIL $(echo "$out" | head -1 | sed 's/, e.what().*//' | cut -c1-160)"
  say "    s1a exp_local with select_sequential_consistency=1: $(qs s1a select_sequential_consistency=1 "SELECT count() FROM exp_local" | head -1 | sed 's/, e.what().*//' | cut -c1-200)"
  q s1a "SYSTEM START FETCHES exp_local"; q s1a "SYSTEM SYNC REPLICA exp_local"
  read_try "after START FETCHES + SYNC REPLICA on s1a" s2a ""
  say "    s1a exp_local with select_sequential_consistency=1: $(qs s1a select_sequential_consistency=1 "SELECT count() FROM exp_local" | head -1 | sed 's/, e.what().*//' | cut -c1-200)"
}

for e in "${EXPS[@]}"; do "exp_$e"; echo; done
