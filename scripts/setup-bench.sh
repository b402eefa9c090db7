#!/usr/bin/env bash
# Installs the Debian 12 packages the benchmark (bench/) needs beyond scripts/setup.sh's,
# and only those that are missing. Idempotent; uses sudo when not run as root.
# Usage: scripts/setup-bench.sh
set -euo pipefail

# The peers' servers and libraries, and what vault_bench parses and talks with
# (bench/README.md; ../shared/DEPENDENCIES.md).
packages=(
  clickhouse-server postgresql-15
  librocksdb-dev libsqlite3-dev libpq-dev libcpp-httplib-dev libsimdjson-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-bench: every package is installed"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
echo "setup-bench: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y \
  --no-install-recommends "${missing[@]}"
