#!/usr/bin/env bash
# Make sure Debian's Docker Distribution (`/usr/bin/docker-registry`, 2.8) and `htpasswd`
# (apache2-utils) are installed, for `labgrade registry up`, plus `openssl`, which the token-auth
# tests use to sign their JWTs. Idempotent: present tools are kept.
#
# The docker-registry package ships an init script and a systemd unit whose stock config listens
# on *:5000 (every interface). labgrade runs its own registry on 127.0.0.1 only, so the package's
# service must never run: we install under a policy-rc.d that forbids starting services, disable
# the init script, and stop the packaged daemon if it was started anyway (its pid file only; we
# never touch a process we cannot attribute to the package).
set -euo pipefail

BINARY=/usr/bin/docker-registry
PKG_PIDFILE=/var/run/docker-registry.pid

have_all() {
  [ -x "$BINARY" ] && command -v htpasswd >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1
}

neutralise_service() {
  # Boot-time start (sysvinit symlinks); harmless where no init system runs.
  if [ -x /etc/init.d/docker-registry ] && command -v update-rc.d >/dev/null 2>&1; then
    update-rc.d docker-registry disable >/dev/null 2>&1 || true
  fi
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
  fi
  # A packaged daemon started by the init script: stop it by its own pid file.
  if [ -f "$PKG_PIDFILE" ]; then
    pid=$(cat "$PKG_PIDFILE" 2>/dev/null || true)
    if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null || true)" = "$BINARY" ]; then
      echo "registry: stopping the packaged docker-registry service (pid $pid) that apt started"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$PKG_PIDFILE"
  fi
}

if have_all; then
  neutralise_service
  echo "registry: $BINARY, htpasswd and openssl present ($("$BINARY" --version 2>/dev/null | head -n1))"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "registry: need docker-registry, apache2-utils and openssl installed." >&2
  echo "Run: sudo apt-get install docker-registry apache2-utils openssl, or run this as root." >&2
  exit 3
fi

# Forbid service starts for the duration of the install, unless a policy already exists.
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\n# temporary, from labgrade scripts/ensure-registry-binary.sh\nexit 101\n' >"$POLICY"
  chmod 0755 "$POLICY"
  trap 'rm -f "$POLICY"' EXIT
fi

PACKAGES=(docker-registry apache2-utils openssl)
echo "registry: installing Debian's ${PACKAGES[*]} ..."
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null 2>&1; then
  apt-get update -qq  # a fresh machine has no package lists yet
  apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
fi
neutralise_service

if ! have_all; then
  echo "registry: install finished but $BINARY, htpasswd or openssl is still missing." >&2
  echo "Check: apt-cache policy ${PACKAGES[*]}" >&2
  exit 3
fi
echo "registry: installed $("$BINARY" --version 2>/dev/null | head -n1)"
