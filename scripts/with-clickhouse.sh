#!/usr/bin/env bash
# Runs a command with a throwaway ClickHouse server on loopback: Debian's clickhouse-server
# (18.16) with a config of its own in a temp directory (docs/clickhouse.md, §1), on free ports,
# stopped and deleted when the command ends, however it ends. The command finds the server in
# CUSTODIAN_TEST_CLICKHOUSE (http://127.0.0.1:PORT).
#   scripts/with-clickhouse.sh ctest --test-dir build
set -euo pipefail

dir=$(mktemp -d /tmp/custodian-ch.XXXXXX)
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2> /dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2> /dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
http=$(free_port)
tcp=$(free_port)
mkdir -p "$dir"/{data,tmp,user_files,format_schemas,logs}
cat > "$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/logs/server.log</log><errorlog>$dir/logs/error.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_table_size_to_drop>0</max_table_size_to_drop>
  <max_partition_size_to_drop>0</max_partition_size_to_drop>
</yandex>
XML
cat > "$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage><max_threads>2</max_threads>
    <background_pool_size>4</background_pool_size><background_schedule_pool_size>4</background_schedule_pool_size>
  </default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
XML
/usr/sbin/clickhouse-server --config-file="$dir/config.xml" > "$dir/logs/stdout.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  if curl -sf "http://127.0.0.1:$http/ping" > /dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2> /dev/null; then
    cat "$dir/logs/stdout.log" "$dir/logs/error.log" >&2 2> /dev/null || true
    echo "with-clickhouse: clickhouse-server exited" >&2
    exit 1
  fi
  sleep 0.1
done
curl -sf "http://127.0.0.1:$http/ping" > /dev/null || { echo "with-clickhouse: no answer in 30 s" >&2; exit 1; }

export CUSTODIAN_TEST_CLICKHOUSE="http://127.0.0.1:$http"
"$@"
