#!/usr/bin/env bash
# Runs redis-server for local mode on 127.0.0.1:$2 with its files in $1. Redis only holds ephemeral state here
# (pub/sub, latest QR frames, rate-limit counters), so nothing is persisted.
set -euo pipefail
dir="$1" port="$2"
mkdir -p "$dir"
exec redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no --protected-mode yes
