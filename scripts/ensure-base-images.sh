#!/usr/bin/env bash
# Make sure the labs' base images exist: debian:12, golang:1.19, busybox:1.35.
# Pull each where a registry answers; otherwise build an offline stand-in, labelled
# org.labgrade.standin=true, from Debian's own packages. Idempotent: present images are kept.
set -euo pipefail
STATE=${LABGRADE_STATE:-$(cd "$(dirname "$0")/.." && pwd)/.state}
mkdir -p "$STATE"
STANDIN_LABEL="org.labgrade.standin=true"

have() { docker image inspect "$1" >/dev/null 2>&1; }
try_pull() { timeout 60 docker pull -q "$1" >/dev/null 2>&1; }
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "base images: need ${missing[*]} installed (apt-get install ${missing[*]}) or root." >&2
    exit 3
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

debian12() {
  have debian:12 && return 0
  try_pull debian:12 && { echo "base images: pulled debian:12"; return 0; }
  echo "base images: building the debian:12 stand-in with debootstrap (about 20 s)"
  apt_install debootstrap
  local root="$STATE/rootfs-bookworm"
  rm -rf "$root"
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$STATE/debootstrap.log" 2>&1 \
    || { echo "debootstrap failed; see $STATE/debootstrap.log" >&2; exit 3; }
  # Match the real image: sources for updates and security, and an empty apt cache.
  cat >"$root/etc/apt/sources.list" <<'SRC'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SRC
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import \
    -c 'CMD ["bash"]' -c "LABEL $STANDIN_LABEL" \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - debian:12 >/dev/null
  rm -rf "$root"
}

golang119() {
  have golang:1.19 && return 0
  try_pull golang:1.19 && { echo "base images: pulled golang:1.19"; return 0; }
  echo "base images: building the golang:1.19 stand-in (debian:12 + golang-go)"
  docker build -q -t golang:1.19 - >/dev/null <<'DOCKERFILE'
FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends golang-go ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV GOPATH=/go PATH=/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local
WORKDIR /go
LABEL org.labgrade.standin=true
DOCKERFILE
}

busybox135() {
  have busybox:1.35 && return 0
  try_pull busybox:1.35 && { echo "base images: pulled busybox:1.35"; return 0; }
  echo "base images: building the busybox:1.35 stand-in from busybox-static"
  apt_install busybox-static
  local root="$STATE/rootfs-busybox"
  rm -rf "$root" && mkdir -p "$root"/{bin,etc,tmp,root,var/www,home}
  cp /bin/busybox "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
  chmod 1777 "$root/tmp"
  tar -C "$root" -c . | docker import -c 'CMD ["sh"]' -c "LABEL $STANDIN_LABEL" \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - busybox:1.35 >/dev/null
  rm -rf "$root"
}

debian12
golang119
busybox135
echo "base images: debian:12 golang:1.19 busybox:1.35 present"
