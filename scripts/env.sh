#!/usr/bin/env bash
# Writes .env on first run: the super admin's CLIENT_ID/CLIENT_SECRET and the key that encrypts Matrix access
# tokens at rest. An existing .env is left alone (changing the key would make stored access tokens unreadable).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .env ] && exit 0
random() { head -c 32 /dev/urandom | base64 | tr -d '\n'; }
umask 077
cat > .env <<ENV
CLIENT_ID=admin
CLIENT_SECRET=$(random | tr -d '/+=' | head -c 40)
GATEWAY_ENCRYPTION_KEY=$(random)
ENV
echo "Wrote .env with new CLIENT_ID/CLIENT_SECRET and GATEWAY_ENCRYPTION_KEY."
