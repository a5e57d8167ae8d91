#!/usr/bin/env bash
# Make sure a Docker engine answers. Reuse one at $DOCKER_HOST or the default socket; otherwise
# install Debian's docker.io and start dockerd in the background (pid and log in $STATE).
# Idempotent: a second run with an engine up returns at once.
set -euo pipefail
STATE=${LABGRADE_STATE:-$(cd "$(dirname "$0")/.." && pwd)/.state}
mkdir -p "$STATE"

answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if command -v docker >/dev/null 2>&1 && answers; then
  echo "docker: engine answers ($(docker version --format '{{.Server.Version}}'))"
  exit 0
fi
if [ -n "${DOCKER_HOST:-}" ]; then
  echo "docker: DOCKER_HOST=$DOCKER_HOST is set but no engine answers there." >&2
  echo "Start that engine or unset DOCKER_HOST, then run this again." >&2
  exit 3
fi
if [ "$(id -u)" != 0 ]; then
  echo "docker: no engine answers and installing one needs root." >&2
  echo "Start Docker (sudo systemctl start docker) or run this as root." >&2
  exit 3
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "docker: installing Debian's docker.io ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

pidfile="$STATE/dockerd.pid"
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "docker: dockerd already started (pid $(cat "$pidfile")), waiting for it"
else
  echo "docker: starting dockerd (log: $STATE/dockerd.log)"
  # setsid: dockerd outlives this script and its terminal, like a service would.
  setsid dockerd --pidfile "$pidfile" --storage-driver overlay2 \
    >"$STATE/dockerd.log" 2>&1 </dev/null &
fi
for _ in $(seq 1 60); do
  if answers; then
    echo "docker: engine answers ($(docker version --format '{{.Server.Version}}'))"
    exit 0
  fi
  sleep 0.5
done
echo "docker: dockerd did not answer within 30 s; see $STATE/dockerd.log" >&2
tail -n 20 "$STATE/dockerd.log" >&2 || true
exit 3
