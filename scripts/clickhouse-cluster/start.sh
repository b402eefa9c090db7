#!/usr/bin/env bash
# start.sh DIR — a throw-away ClickHouse 18.16 cluster on loopback, in DIR:
#   one standalone ZooKeeper 3.8 (Debian package, run straight through java), and
#   four clickhouse-server processes: shard 01 replicas s1a/s1b, shard 02 replicas s2a/s2b,
#   cluster name "custodian" (2 shards x 2 replicas, internal_replication=true).
# Runs everything as the invoking user (no root needed; also works as root).
# Writes DIR/ports.env (sourceable), DIR/pids/*.pid, logs under DIR/*/logs.
# Environment knobs:
#   CH_LOG_LEVEL   (default information)   ClickHouse logger level
#   ZK_HEAP        (default 256m)          ZooKeeper -Xmx
#   ZK_SESSION_MS  (default 6000)          ClickHouse's ZooKeeper session timeout
#   START_TIMEOUT  (default 90)            seconds to wait for everything to answer
#   CH_RECEIVE_TIMEOUT (default 10)        receive/send_timeout of the default profile (s):
#                                          bounds Distributed reads stuck on a hung replica
set -euo pipefail

DIR=${1:?usage: start.sh DIR}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
CH_LOG_LEVEL=${CH_LOG_LEVEL:-information}
ZK_HEAP=${ZK_HEAP:-256m}
ZK_SESSION_MS=${ZK_SESSION_MS:-6000}
START_TIMEOUT=${START_TIMEOUT:-90}
CH_RECEIVE_TIMEOUT=${CH_RECEIVE_TIMEOUT:-10}
CH_BIN=/usr/sbin/clickhouse-server
ZK_CP=/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar
NODES=(s1a s1b s2a s2b)

for f in "$CH_BIN" /usr/share/java/zookeeper.jar /usr/bin/java /usr/bin/curl; do
  [[ -e $f ]] || { echo "missing $f (apt-get install -y clickhouse-server clickhouse-client zookeeper curl)" >&2; exit 1; }
done
if [[ -e $DIR/pids ]] && ls "$DIR"/pids/*.pid >/dev/null 2>&1; then
  echo "$DIR already has a cluster's pid files; run stop.sh $DIR first" >&2
  exit 1
fi

T0=$(date +%s.%N)

# ---- ports: random free loopback ports, none reused ----
declare -A TAKEN=()
free_port() {
  local p
  for _ in $(seq 200); do
    p=$(( 20000 + RANDOM % 30000 ))
    [[ -n ${TAKEN[$p]:-} ]] && continue
    # nothing listening or connected on it
    if [[ -z $(ss -Htan "( sport = :$p )" 2>/dev/null) ]]; then
      TAKEN[$p]=1; echo "$p"; return 0
    fi
  done
  echo "no free port found" >&2; return 1
}
ZK_PORT=$(free_port)
declare -A HTTP TCP ISH
for n in "${NODES[@]}"; do
  HTTP[$n]=$(free_port); TCP[$n]=$(free_port); ISH[$n]=$(free_port)
done

mkdir -p "$DIR/pids" "$DIR/zk/data" "$DIR/zk/logs"
{
  echo "DIR=$DIR"
  echo "ZK_PORT=$ZK_PORT"
  for n in "${NODES[@]}"; do
    u=${n^^}
    echo "HTTP_$u=${HTTP[$n]}"; echo "TCP_$u=${TCP[$n]}"; echo "ISH_$u=${ISH[$n]}"
  done
} > "$DIR/ports.env"

# ---- ZooKeeper (standalone) ----
cat > "$DIR/zk/zoo.cfg" <<EOF
tickTime=1000
initLimit=10
syncLimit=5
dataDir=$DIR/zk/data
clientPort=$ZK_PORT
clientPortAddress=127.0.0.1
maxClientCnxns=200
# sessions between 2 and 20 ticks
minSessionTimeout=2000
maxSessionTimeout=20000
# the AdminServer (Jetty) would otherwise listen on 0.0.0.0:8080
admin.enableServer=false
# ZooKeeper >= 3.5 answers only 'srvr' unless listed here
4lw.commands.whitelist=ruok,srvr,stat,mntr,cons,wchs
autopurge.snapRetainCount=3
autopurge.purgeInterval=1
EOF
# The server main class, not zkServer.sh: no /etc/zookeeper/conf, no /var/log/zookeeper.
setsid /usr/bin/java -Xmx"$ZK_HEAP" -Xms16m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k \
  -Djava.net.preferIPv4Stack=true -Dzookeeper.admin.enableServer=false \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.showDateTime=true \
  -cp "$ZK_CP" org.apache.zookeeper.server.ZooKeeperServerMain "$DIR/zk/zoo.cfg" \
  > "$DIR/zk/logs/stdout.log" 2>&1 < /dev/null &
echo $! > "$DIR/pids/zk.pid"

# ---- ClickHouse configs ----
shard_of() { case $1 in s1*) echo 01;; s2*) echo 02;; esac; }
remote_servers() {
  echo "    <custodian>"
  for s in 1 2; do
    echo "      <shard>"
    echo "        <internal_replication>true</internal_replication>"
    for r in a b; do
      echo "        <replica><host>127.0.0.1</host><port>${TCP[s$s$r]}</port></replica>"
    done
    echo "      </shard>"
  done
  echo "    </custodian>"
}

for n in "${NODES[@]}"; do
  d=$DIR/$n
  mkdir -p "$d"/{data,tmp,user_files,format_schemas,logs}
  cat > "$d/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>$CH_LOG_LEVEL</level>
    <log>$d/logs/server.log</log>
    <errorlog>$d/logs/error.log</errorlog>
    <size>50M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${HTTP[$n]}</http_port>
  <tcp_port>${TCP[$n]}</tcp_port>
  <interserver_http_port>${ISH[$n]}</interserver_http_port>
  <!-- Default is 'hostname -f': replicas would tell each other to fetch parts from it. -->
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <format_schema_path>$d/format_schemas/</format_schema_path>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <max_connections>256</max_connections>
  <max_concurrent_queries>32</max_concurrent_queries>
  <keep_alive_timeout>30</keep_alive_timeout>
  <!-- The package's defaults are 5 GiB and 8 GiB (allocated on demand). -->
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <!-- Tests drop tables and partitions of any size. -->
  <max_table_size_to_drop>0</max_table_size_to_drop>
  <max_partition_size_to_drop>0</max_partition_size_to_drop>
  <remote_servers>
$(remote_servers)
  </remote_servers>
  <zookeeper>
    <node index="1"><host>127.0.0.1</host><port>$ZK_PORT</port></node>
    <session_timeout_ms>$ZK_SESSION_MS</session_timeout_ms>
    <operation_timeout_ms>5000</operation_timeout_ms>
  </zookeeper>
  <macros>
    <cluster>custodian</cluster>
    <shard>$(shard_of "$n")</shard>
    <replica>$n</replica>
  </macros>
  <!-- Needed for ... ON CLUSTER (queue in ZooKeeper). -->
  <distributed_ddl>
    <path>/clickhouse/task_queue/ddl</path>
  </distributed_ddl>
</yandex>
EOF
  cat > "$d/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>1000000000</max_memory_usage>
      <max_memory_usage_for_all_queries>2000000000</max_memory_usage_for_all_queries>
      <!-- Threads per server for merges/fetches and for ZooKeeper-driven tasks (default 16 each). -->
      <background_pool_size>4</background_pool_size>
      <background_schedule_pool_size>4</background_schedule_pool_size>
      <max_threads>2</max_threads>
      <load_balancing>in_order</load_balancing>
      <!-- Bounds how long a Distributed query waits on a hung (not dead) replica before it
           fails over. The connection pools take it from this profile: passed per query over
           HTTP (?receive_timeout=2) it did not help in 18.16. Default 300 s. -->
      <receive_timeout>$CH_RECEIVE_TIMEOUT</receive_timeout>
      <send_timeout>$CH_RECEIVE_TIMEOUT</send_timeout>
      <!-- An idle native-protocol connection (the peers' Distributed pools) notices a SIGTERM
           only after this many seconds (default 10): stopping the four took ~10 s. -->
      <poll_interval>1</poll_interval>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
EOF
done

# ---- wait for ZooKeeper, then start ClickHouse ----
deadline=$(( $(date +%s) + START_TIMEOUT ))
# 'ruok' answers imok as soon as the port is open, before the database is loaded
# ("ZooKeeperServer not running"); 'srvr' says "Mode: standalone" only once it serves.
zk_ok() { local r; r=$( (exec 3<>/dev/tcp/127.0.0.1/"$ZK_PORT" && printf srvr >&3 && timeout 2 cat <&3) 2>/dev/null); [[ $r == *"Mode: standalone"* ]]; }
until zk_ok; do
  if ! kill -0 "$(cat "$DIR/pids/zk.pid")" 2>/dev/null; then
    echo "ZooKeeper exited:" >&2; tail -20 "$DIR/zk/logs/stdout.log" >&2; exit 1
  fi
  (( $(date +%s) < deadline )) || { echo "ZooKeeper did not answer" >&2; exit 1; }
  sleep 0.1
done
T_ZK=$(date +%s.%N)

for n in "${NODES[@]}"; do
  d=$DIR/$n
  # 18.16 takes --config-file=PATH (or -C PATH / --config=PATH); cwd matters for relative paths.
  (cd "$d" && exec setsid "$CH_BIN" --config-file="$d/config.xml" > "$d/logs/stdout.log" 2>&1 < /dev/null) &
  echo $! > "$DIR/pids/$n.pid"
done

for n in "${NODES[@]}"; do
  until [[ $(curl -s --max-time 2 "http://127.0.0.1:${HTTP[$n]}/" --data-binary 'SELECT 1' 2>/dev/null) == 1 ]]; do
    if ! kill -0 "$(cat "$DIR/pids/$n.pid")" 2>/dev/null; then
      echo "clickhouse-server $n exited:" >&2
      tail -20 "$DIR/$n/logs/error.log" "$DIR/$n/logs/stdout.log" >&2 || true
      exit 1
    fi
    (( $(date +%s) < deadline )) || { echo "clickhouse-server $n did not answer" >&2; exit 1; }
    sleep 0.1
  done
  # and its ZooKeeper session is up (replicated tables need it)
  until curl -sf --max-time 2 "http://127.0.0.1:${HTTP[$n]}/" --data-binary "SELECT count() FROM system.zookeeper WHERE path = '/'" >/dev/null 2>&1; do
    (( $(date +%s) < deadline )) || { echo "clickhouse-server $n has no ZooKeeper session" >&2; exit 1; }
    sleep 0.1
  done
done
T1=$(date +%s.%N)

awk -v a="$T0" -v z="$T_ZK" -v b="$T1" 'BEGIN{printf "cluster up in %.2f s (ZooKeeper ready after %.2f s)\n", b-a, z-a}' 
echo "zookeeper 127.0.0.1:$ZK_PORT pid $(cat "$DIR/pids/zk.pid")"
for n in "${NODES[@]}"; do
  echo "$n shard $(shard_of "$n") http ${HTTP[$n]} tcp ${TCP[$n]} interserver ${ISH[$n]} pid $(cat "$DIR/pids/$n.pid")"
done
echo "ports: $DIR/ports.env"
