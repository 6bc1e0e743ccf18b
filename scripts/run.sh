#!/usr/bin/env bash
# Runs the whole gateway locally: PostgreSQL, Redis, Synapse, the sandbox bridge, Api, SyncWorker and the
# Aspire dashboard, all as local programs (no Docker). Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
cat <<INFO

  Gateway API        http://localhost:8080   (docs: http://localhost:8080/scalar)
  Sandbox bridge     http://localhost:8081   (control API, loopback only)
  Aspire dashboard   http://localhost:15080
  Credentials        $(pwd)/.env   (CLIENT_ID / CLIENT_SECRET)

INFO
export ASPIRE_ALLOW_UNSECURED_TRANSPORT=true
exec dotnet run --project Gateway.AppHost --launch-profile http -- \
  --Gateway:Infrastructure=local --Gateway:Sandbox=true --Gateway:ApiPort=8080 \
  --Gateway:AllowPrivateWebhooks=true
