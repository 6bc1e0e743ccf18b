#!/usr/bin/env bash
# Runs a Synapse homeserver for local mode: state in $1, HTTP on 127.0.0.1:$2, admin registration secret $3.
# Logs at SYNAPSE_LOG_LEVEL (default WARNING): the access log line of every request costs the homeserver CPU.
# Synapse lives in the chroot that scripts/install-synapse.sh builds; the state folder is bind-mounted into it
# inside a private mount namespace, so the mount disappears with the process and nothing leaks on the host.
set -euo pipefail
state="$1" port="$2" secret="$3"
root="${SYNAPSE_CHROOT:-/var/cache/gateway/synapse-chroot}"
[ -x "$root/usr/bin/python3" ] || { echo "Synapse chroot missing at $root: run scripts/install-synapse.sh" >&2; exit 1; }
mkdir -p "$state/media_store" "$state/appservices"
cat > "$state/log.yaml" <<YAML
version: 1
formatters: { precise: { format: '%(asctime)s - %(name)s - %(levelname)s - %(message)s' } }
handlers: { console: { class: logging.StreamHandler, formatter: precise } }
root: { level: ${SYNAPSE_LOG_LEVEL:-WARNING}, handlers: [console] }
disable_existing_loggers: false
YAML
# Application services (bridges) register by dropping a YAML file into $state/appservices before Synapse starts.
appservices=""
for file in "$state"/appservices/*.yaml; do
  [ -e "$file" ] && appservices="$appservices\"/data/appservices/$(basename "$file")\", "
done

# Written at every start so a changed port or secret takes effect; the keys and database persist.
cat > "$state/homeserver.yaml" <<YAML
server_name: "localhost"
public_baseurl: "http://127.0.0.1:$port/"
pid_file: /data/homeserver.pid
listeners:
  - port: $port
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: true
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: /data/homeserver.db
log_config: /data/log.yaml
media_store_path: /data/media_store
max_upload_size: 200M
signing_key_path: /data/signing.key
registration_shared_secret: "$secret"
macaroon_secret_key: "$secret-macaroon"
form_secret: "$secret-form"
report_stats: false
enable_registration: false
trusted_key_servers: []
suppress_key_server_warning: true
federation_domain_whitelist: []
app_service_config_files: [${appservices%, }]
url_preview_enabled: false
# Synapse caps /sync timelines at 100 events by default; a client asking for more (the benchmark's bare baseline
# client) gets them. The SyncWorker asks for 100 and pages the rest in from /messages.
filter_timeline_limit: 1000
presence:
  enabled: false
# The gateway is the only client: Synapse's per-user rate limits would throttle its bots and benchmarks.
rc_message: { per_second: 100000, burst_count: 100000 }
rc_registration: { per_second: 100000, burst_count: 100000 }
rc_login:
  address: { per_second: 100000, burst_count: 100000 }
  account: { per_second: 100000, burst_count: 100000 }
  failed_attempts: { per_second: 100000, burst_count: 100000 }
rc_joins:
  local: { per_second: 100000, burst_count: 100000 }
  remote: { per_second: 100000, burst_count: 100000 }
rc_joins_per_room: { per_second: 100000, burst_count: 100000 }
rc_invites:
  per_room: { per_second: 100000, burst_count: 100000 }
  per_user: { per_second: 100000, burst_count: 100000 }
  per_issuer: { per_second: 100000, burst_count: 100000 }
rc_admin_redaction: { per_second: 100000, burst_count: 100000 }
rc_media_create: { per_second: 100000, burst_count: 100000 }
rc_room_creation: { per_second: 100000, burst_count: 100000 }
rc_delayed_event_mgmt: { per_second: 100000, burst_count: 100000 }
YAML

exec unshare --mount --propagation private bash -c '
  set -e
  mkdir -p "$0/data" && mount --bind "$1" "$0/data"
  mountpoint -q "$0/proc" || mount -t proc proc "$0/proc"
  cd "$0/data"
  [ -f "$0/data/signing.key" ] || chroot "$0" python3 -m synapse.app.homeserver -c /data/homeserver.yaml --generate-keys
  exec chroot "$0" python3 -m synapse.app.homeserver -c /data/homeserver.yaml
' "$root" "$state"
