#!/usr/bin/env bash
# Builds, once per machine, a Debian-unstable chroot holding Synapse (Debian stable has no Synapse package).
# The chroot lives at a fixed path so every clone, test run and CI run on this machine shares it.
set -euo pipefail
root="${SYNAPSE_CHROOT:-/var/cache/gateway/synapse-chroot}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [ -x "$root/usr/bin/python3" ] && chroot "$root" python3 -c 'import synapse' 2>/dev/null; then
  exit 0
fi
command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }

echo "Building the Synapse chroot at $root (once per machine, about a minute)..."
rm -rf "$root.partial" && mkdir -p "$(dirname "$root")"
debootstrap --variant=minbase sid "$root.partial" "$mirror"
# The unstable Release file is often past its Valid-Until date on mirrors and snapshots.
echo 'Acquire::Check-Valid-Until "false";' > "$root.partial/etc/apt/apt.conf.d/99no-check-valid-until"
chroot "$root.partial" apt-get update -qq
chroot "$root.partial" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends matrix-synapse
chroot "$root.partial" apt-get clean
rm -rf "$root" && mv "$root.partial" "$root"
chroot "$root" python3 -c 'import synapse; print("synapse", synapse.__version__)'
