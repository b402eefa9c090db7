#!/usr/bin/env bash
# node.sh DIR ACTION NODE — one server of a cluster made by start.sh.
#   ACTION: kill9 | stop | start | pause (SIGSTOP) | resume (SIGCONT) | status
#   NODE:   s1a | s1b | s2a | s2b | zk (zk: kill9/pause/resume/status only)
# start restarts a ClickHouse node with the config start.sh wrote and waits for
# SELECT 1 (and a ZooKeeper session) on its http port.
set -euo pipefail
DIR=$(cd "${1:?usage: node.sh DIR ACTION NODE}" && pwd); ACTION=${2:?}; NODE=${3:?}
. "$DIR/ports.env"
pidf=$DIR/pids/$NODE.pid
pid() { cat "$pidf" 2>/dev/null || true; }
up() { local p; p=$(pid); [[ -n $p ]] && kill -0 "$p" 2>/dev/null; }

case $ACTION in
  kill9) up && kill -KILL "$(pid)"; while up; do sleep 0.05; done; rm -f "$pidf" ;;
  stop)  if up; then kill -TERM "$(pid)"; for _ in $(seq 300); do up || break; sleep 0.1; done; up && kill -KILL "$(pid)"; fi; rm -f "$pidf" ;;
  pause) kill -STOP "$(pid)" ;;
  resume) kill -CONT "$(pid)" ;;
  status) if up; then echo "$NODE up pid $(pid)"; else echo "$NODE down"; fi ;;
  start)
    [[ $NODE == zk ]] && { echo "restart ZooKeeper with start.sh" >&2; exit 2; }
    up && { echo "$NODE already up" >&2; exit 0; }
    d=$DIR/$NODE; v=HTTP_${NODE^^}; port=${!v}
    t0=$(date +%s.%N)
    (cd "$d" && exec setsid /usr/sbin/clickhouse-server --config-file="$d/config.xml" >> "$d/logs/stdout.log" 2>&1 < /dev/null) &
    echo $! > "$pidf"
    for _ in $(seq 600); do
      if [[ $(curl -s --max-time 2 "http://127.0.0.1:$port/" --data-binary 'SELECT 1') == 1 ]] &&
         curl -sf --max-time 2 "http://127.0.0.1:$port/" --data-binary "SELECT count() FROM system.zookeeper WHERE path = '/'" >/dev/null; then
        awk -v a="$t0" -v b="$(date +%s.%N)" -v n="$NODE" 'BEGIN{printf "%s up in %.2f s\n", n, b-a}'; exit 0
      fi
      up || { echo "$NODE exited" >&2; tail -5 "$d/logs/error.log" >&2; exit 1; }
      sleep 0.1
    done
    echo "$NODE did not come up" >&2; exit 1 ;;
  *) echo "unknown action $ACTION" >&2; exit 2 ;;
esac
