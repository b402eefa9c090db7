#!/usr/bin/env bash
# Installs the Debian 12 packages custodian needs, and only those that are missing.
# Idempotent; uses sudo when not run as root.
# Usage: scripts/setup.sh [PACKAGE...]   (further packages, e.g. the benchmark's)
set -euo pipefail

# Build tools, libraries (DESIGN.md, Dependencies; ../shared/DEPENDENCIES.md) and test tools.
packages=(
  g++ cmake ninja-build pkg-config ccache
  libsodium-dev libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libsimdjson-dev libzstd-dev
  libsoci-dev libboost-dev libsqlite3-dev libpq-dev postgresql-15 libcpp-httplib-dev
  libzip-dev libcairo2-dev libpango1.0-dev fonts-noto-core fonts-noto-cjk
  libgtest-dev libgmock-dev sqlite3 poppler-utils
  clang libclang-rt-14-dev
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: every package is installed"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
echo "setup: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y \
  --no-install-recommends "${missing[@]}"
