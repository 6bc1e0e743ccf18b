#!/usr/bin/env bash
# Installs what the gateway needs on a fresh Debian machine (root, no Docker), skipping what is already there:
# PostgreSQL, redis-server and debootstrap from apt, chromium for the link page's browser tests, the Synapse chroot,
# and the repository's dotnet tools.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v unshare >/dev/null || missing+=(util-linux)
command -v curl >/dev/null || missing+=(curl)
# The tests drive Debian's chromium with Playwright: Playwright's own browser downloads are not reachable.
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]}..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts the packaged servers; the gateway runs its own instances, so stop the system ones if they came up.
if [[ " ${missing[*]} " == *" postgresql "* ]] || [[ " ${missing[*]} " == *" redis-server "* ]]; then
  service postgresql stop >/dev/null 2>&1 || true
  service redis-server stop >/dev/null 2>&1 || true
fi

command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet on PATH)." >&2; exit 1; }
scripts/install-synapse.sh
dotnet tool restore >/dev/null
