#!/usr/bin/env bash
# Make sure a Docker engine answers. Reuse one at $DOCKER_HOST or the default socket; otherwise
# install Debian's docker.io and start dockerd: through systemd where systemd runs, else in the
# background with its pid and log in $STATE (`make stop-docker` stops that one, and only it).
# Idempotent: a second run with an engine up returns at once.
#
# Any docker CLI first in PATH will do, including a newer client than the daemon (a 28.x
# /usr/local/bin/docker with Debian's 20.10 engine negotiates API 1.41 down by itself).
set -euo pipefail
STATE=${LABGRADE_STATE:-$(cd "$(dirname "$0")/.." && pwd)/.state}
mkdir -p "$STATE"
pidfile="$STATE/dockerd.pid"
log="$STATE/dockerd.log"

say() { echo "docker: $*"; }
die() {
  echo "docker: $1" >&2
  shift
  # Each further argument is one or more lines: indented, without terminal colours.
  printf '%s\n' "$@" | sed -e 's/\x1b\[[0-9;]*m//g' -e 's/^/  /' >&2
  exit 3
}
answers() { command -v docker >/dev/null 2>&1 && timeout 10 docker version >/dev/null 2>&1; }
report() {
  local server client driver
  server=$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?')
  client=$(docker version --format '{{.Client.Version}}' 2>/dev/null || echo '?')
  driver=$(docker info --format '{{.Driver}}' 2>/dev/null || echo '?')
  say "engine answers (server $server, client $client at $(command -v docker), storage $driver)"
  if [ "$driver" = vfs ]; then
    say "warning: the vfs storage driver copies every layer; builds will be slow" >&2
  fi
}
wait_answer() { # seconds: polls until an engine answers or the time is up
  local deadline=$((SECONDS + $1))
  while [ "$SECONDS" -lt "$deadline" ]; do
    timeout 5 docker version >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}
log_tail() { # the daemon's own reason if it gave one, else the end of its log
  local why
  why=$(grep -E 'failed to start daemon|level=(fatal|error)' "$log" 2>/dev/null | tail -n 3)
  if [ -n "$why" ]; then echo "$why"; else tail -n 15 "$log" 2>/dev/null; fi
}
alive_dockerd() { # prints the pid of a running dockerd process, if any
  local p
  for p in $(pgrep -x dockerd 2>/dev/null || true); do
    echo "$p"
    return 0
  done
  return 1
}

if answers; then
  report
  exit 0
fi
if [ -n "${DOCKER_HOST:-}" ]; then
  die "DOCKER_HOST=$DOCKER_HOST is set but no engine answers there." \
    "Start that engine, or unset DOCKER_HOST to use the local one, then run this again."
fi
if [ "$(id -u)" != 0 ]; then
  die "no Docker engine answers, and installing or starting one needs root." \
    "Start Docker yourself (sudo systemctl start docker) and make sure you may use it" \
    "(sudo usermod -aG docker \$USER, then log in again), or run this as root."
fi

# One starter at a time: two `make setup` at once must not start two daemons.
exec 9>"$STATE/docker.lock"
flock 9
if answers; then
  report
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  say "installing Debian's docker.io ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$STATE/apt.log" 2>&1 &&
    apt-get install -y -qq docker.io >>"$STATE/apt.log" 2>&1 ||
    die "apt-get install docker.io failed; the end of $STATE/apt.log:" \
      "$(tail -n 5 "$STATE/apt.log")" \
      "Fix apt (apt-get update must reach deb.debian.org), then run this again."
  # Where systemd runs, the package starts docker.service itself.
  if [ -d /run/systemd/system ] && wait_answer 10; then
    report
    exit 0
  fi
fi

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 \
  && systemctl cat docker.service >/dev/null 2>&1; then
  say "starting docker.service with systemctl"
  systemctl start docker.service ||
    die "systemctl start docker failed." "See: journalctl -u docker.service -n 50"
  wait_answer 30 || die "docker.service started but no engine answers within 30 s." \
    "See: journalctl -u docker.service -n 50"
  report
  exit 0
fi

if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  dpid=$(cat "$pidfile")
  say "dockerd already started by this script (pid $dpid); waiting for it"
elif other=$(alive_dockerd); then
  # Never start a second daemon on the same /var/lib/docker: it refuses, or worse.
  say "a dockerd we did not start is running (pid $other); waiting for it to answer"
  wait_answer 30 || die "dockerd (pid $other) runs but does not answer at the default socket." \
    "Is it listening elsewhere? Set DOCKER_HOST to its socket, or stop it and run this again."
  report
  exit 0
else
  say "starting dockerd (log: $log)"
  rm -f "$pidfile"
  # setsid: dockerd outlives this script and its terminal, like a service would. The storage
  # driver is left to dockerd: it keeps the one /var/lib/docker already uses, else overlay2.
  setsid dockerd --pidfile "$pidfile" >"$log" 2>&1 </dev/null 9>&- &
  dpid=$!
fi
deadline=$((SECONDS + 30))
while [ "$SECONDS" -lt "$deadline" ]; do
  if timeout 5 docker version >/dev/null 2>&1; then
    report
    exit 0
  fi
  if ! kill -0 "$dpid" 2>/dev/null && ! { sleep 1; alive_dockerd >/dev/null; }; then
    die "dockerd exited at once; from $log:" \
      "$(log_tail)" \
      "Fix what the log says, then run this again (make setup)."
  fi
  sleep 0.5
done
die "dockerd runs but did not answer within 30 s; from $log:" \
  "$(log_tail)" \
  "Wait and run this again (make setup), or stop it (make stop-docker) and read the log."
