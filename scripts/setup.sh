#!/usr/bin/env bash
# Installs what the gateway needs on a fresh Debian machine (root, no Docker), skipping what is already there:
# PostgreSQL, redis-server, debootstrap, chromium (the link page's browser tests) and Node.js (npx) from apt, wscat from
# npm, the Synapse chroot, and the repository's dotnet tools (dotnet-tools.json: dotnet-ef, and Kiota for the
# generated-client test).
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
# The OpenAPI tests lint the served document with npx (@redocly/cli, fetched from the npm registry at the pinned version).
command -v npx >/dev/null || missing+=(nodejs npm)
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

# @redocly/cli 2 needs Node.js 20.19 or later (Debian 12's own nodejs is 18: the lint test then fails and says why).
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
  || echo "Warning: Node.js $(node --version) is older than 20.19, which the OpenAPI lint test's @redocly/cli needs." >&2
# The README's QR socket step uses wscat, npm's WebSocket client: Debian ships no websocat, and its curl (7.88) is built
# without WebSocket support. Pinned: the README's quick start test reads what it prints. Without it only that step fails.
command -v wscat >/dev/null || npm install --global --no-audit --no-fund --loglevel=error wscat@6.1.0 >/dev/null \
  || echo "Warning: could not install wscat (npm install --global wscat@6.1.0): the README's QR socket step needs it." >&2
command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet on PATH)." >&2; exit 1; }
scripts/install-synapse.sh
dotnet tool restore >/dev/null
