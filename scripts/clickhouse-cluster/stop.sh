#!/usr/bin/env bash
# stop.sh DIR — stops what start.sh DIR started (by pid file only):
# the four clickhouse-server processes first (SIGTERM, SIGKILL after 20 s), then ZooKeeper.
# Leaves DIR (data, logs) in place; remove it yourself.
set -uo pipefail
DIR=${1:?usage: stop.sh DIR}
[[ -d $DIR/pids ]] || { echo "no $DIR/pids" >&2; exit 1; }

stop_pids() {  # pid files...
  local f pid live=()
  for f in "$@"; do
    [[ -f $f ]] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null; live+=("$pid"); fi
  done
  for _ in $(seq 200); do
    local any=0
    for pid in "${live[@]}"; do kill -0 "$pid" 2>/dev/null && any=1; done
    (( any )) || break
    sleep 0.1
  done
  for pid in "${live[@]}"; do
    kill -0 "$pid" 2>/dev/null && { echo "pid $pid still up after 20 s: SIGKILL" >&2; kill -KILL "$pid"; }
  done
  rm -f "$@"
}

shopt -s nullglob
ch=("$DIR"/pids/s*.pid)
stop_pids "${ch[@]}"
stop_pids "$DIR/pids/zk.pid"
echo "stopped"
