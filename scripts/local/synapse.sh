#!/usr/bin/env bash
# Runs a Synapse homeserver for local mode with the homeserver.yaml the AppHost wrote into its state folder $1
# (Gateway.AppHost/Matrix/HomeserverYaml.cs, the generator the containers use too).
# Logs at SYNAPSE_LOG_LEVEL (default WARNING): the access log line of every request costs the homeserver CPU.
# Synapse lives in the chroot that scripts/install-synapse.sh builds; the state folder is bind-mounted into it
# inside a private mount namespace, so the mount disappears with the process and nothing leaks on the host.
set -euo pipefail
state="$1"
root="${SYNAPSE_CHROOT:-/var/cache/gateway/synapse-chroot}"
[ -x "$root/usr/bin/python3" ] || { echo "Synapse chroot missing at $root: run scripts/install-synapse.sh" >&2; exit 1; }
[ -f "$state/homeserver.yaml" ] || { echo "No homeserver.yaml in $state: the AppHost writes it before Synapse starts" >&2; exit 1; }
mkdir -p "$state/media_store" "$state/appservices"
# SYNAPSE_ACCESS_LOG=1 writes the access log (one line per request) to access.log in the state folder instead: the
# identities benchmark counts the /sync requests in it.
access_handler="" access_logger=""
if [ "${SYNAPSE_ACCESS_LOG:-}" = 1 ]; then
  access_handler="
  access: { class: logging.FileHandler, formatter: precise, filename: /data/access.log }"
  access_logger="
loggers: { synapse.access: { level: INFO, handlers: [access], propagate: false } }"
fi
cat > "$state/log.yaml" <<YAML
version: 1
formatters: { precise: { format: '%(asctime)s - %(name)s - %(levelname)s - %(message)s' } }
handlers:
  console: { class: logging.StreamHandler, formatter: precise }${access_handler}
root: { level: ${SYNAPSE_LOG_LEVEL:-WARNING}, handlers: [console] }${access_logger}
disable_existing_loggers: false
YAML
exec unshare --mount --propagation private bash -c '
  set -e
  mkdir -p "$0/data" && mount --bind "$1" "$0/data"
  mountpoint -q "$0/proc" || mount -t proc proc "$0/proc"
  cd "$0/data"
  [ -f "$0/data/signing.key" ] || chroot "$0" python3 -m synapse.app.homeserver -c /data/homeserver.yaml --generate-keys
  exec chroot "$0" python3 -m synapse.app.homeserver -c /data/homeserver.yaml
' "$root" "$state"
