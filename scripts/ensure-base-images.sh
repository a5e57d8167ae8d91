#!/usr/bin/env bash
# Make sure the labs' base images exist: debian:12, golang:1.19, busybox:1.35.
# Pull each where a registry answers; otherwise build an offline stand-in from Debian's own
# packages. Idempotent: present images are kept, except stand-ins of an older recipe.
#
# Stand-ins mimic the real images, down to an empty Config.Labels: a label on a base image is
# inherited by every student image built FROM it and would show up in `labels` checks. They are
# recognised by their history instead ("labgrade stand-in rN" in the import comment or the first
# RUN line). Bump STANDIN_REV when a recipe changes so that older stand-ins get rebuilt;
# LABGRADE_REBUILD_STANDINS=1 rebuilds them all.
#
# Nothing half-built is ever tagged: each stand-in is created untagged, checked by running it
# (network off), and only then tagged; on any failure the untagged image and the scratch rootfs
# are removed.
set -euo pipefail
STATE=${LABGRADE_STATE:-$(cd "$(dirname "$0")/.." && pwd)/.state}
mkdir -p "$STATE"
STANDIN_REV=2
MARK="labgrade stand-in r$STANDIN_REV"
PATH_ENV='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
# The legacy builder: the only one a 20.10 daemon offers to a docker CLI without buildx
# (the 28.x client errors out when DOCKER_BUILDKIT=1 and buildx is missing).
export DOCKER_BUILDKIT=0

say() { echo "base images: $*"; }
die() {
  echo "base images: $1" >&2
  shift
  # Each further argument is one or more lines: indented, without terminal colours.
  printf '%s\n' "$@" | sed -e 's/\x1b\[[0-9;]*m//g' -e 's/^/  /' >&2
  exit 3
}

# debootstrap mounts /proc, /sys and, in some containers, pieces of /dev inside the rootfs; a
# hard kill leaves them mounted. Unmount them first, and never cross into another file system.
remove_rootfs() {
  awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$1"
}

scratch_dirs=()
scratch_images=()
replaced=()
cleanup() {
  local d i
  for d in "${scratch_dirs[@]}"; do remove_rootfs "$d"; done
  for i in "${scratch_images[@]}"; do docker rmi -f "$i" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

docker version >/dev/null 2>&1 ||
  die "no Docker engine answers." "Run scripts/ensure-docker.sh (or make setup) first."

# One run at a time per state folder (two `make test` at once would build everything twice);
# then clear what a run killed outright (SIGKILL skips the trap) left behind.
exec 9>"$STATE/base-images.lock"
if ! flock -n 9; then
  say "another run is building base images; waiting for it (lock: $STATE/base-images.lock)"
  flock 9
fi
for stale in "$STATE"/rootfs-*; do
  [ -e "$stale" ] && remove_rootfs "$stale"
done

have() { docker image inspect "$1" >/dev/null 2>&1; }

# The stand-in revision of an image: N for "labgrade stand-in rN", 1 for the first recipe
# (recognised by its label), nothing for a real image.
standin_rev() {
  local rev
  rev=$(docker history --no-trunc --format '{{.CreatedBy}} {{.Comment}}' "$1" 2>/dev/null |
    grep -o 'labgrade stand-in r[0-9]*' | head -n 1 | sed 's/.* r//') || true
  if [ -z "$rev" ] && [ "$(docker image inspect -f \
    '{{index .Config.Labels "org.labgrade.standin"}}' "$1" 2>/dev/null)" = true ]; then
    rev=1
  fi
  echo "$rev"
}

# Succeeds when $1 must be fetched or (re)built; says why.
wanted() {
  local rev
  if ! have "$1"; then
    return 0
  fi
  rev=$(standin_rev "$1")
  [ -n "$rev" ] || return 1 # a real image: keep it
  if [ "${LABGRADE_REBUILD_STANDINS:-}" = 1 ] || [ "$rev" -lt "$STANDIN_REV" ]; then
    say "$1 is a stand-in of recipe r$rev; rebuilding it with r$STANDIN_REV"
    replaced+=("$(docker image inspect -f '{{.Id}}' "$1")")
    return 0
  fi
  return 1
}

try_pull() {
  timeout 60 docker pull -q "$1" >/dev/null 2>&1 || return 1
  say "pulled $1"
}

apt_install() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "building the stand-ins needs ${missing[*]}." \
    "Install them (sudo apt-get install ${missing[*]}) or run this as root."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$STATE/apt.log" 2>&1 &&
    apt-get install -y -qq "${missing[@]}" >>"$STATE/apt.log" 2>&1 ||
    die "apt-get install ${missing[*]} failed; see $STATE/apt.log." \
      "apt-get must reach deb.debian.org; fix that and run this again."
}

# Check an untagged image by running $2 in it (network off), then tag it as $1.
check_and_tag() {
  local tag=$1 id=$2 probe=$3 out
  if ! out=$(docker run --rm --network none --entrypoint /bin/sh "$id" -c "$probe" 2>&1); then
    die "the new $tag stand-in failed its check; nothing was tagged:" "$out" \
      "Run this again; if it fails the same way, report it with the lines above."
  fi
  docker tag "$id" "$tag"
  local kept=() i
  for i in "${scratch_images[@]}"; do [ "$i" = "$id" ] || kept+=("$i"); done
  scratch_images=("${kept[@]}")
  say "built the $tag stand-in (${MARK})"
}

# Import a rootfs folder as an untagged image, into $imported (no subshell: it is tracked).
imported=
import_rootfs() {
  local root=$1 cmd=$2
  imported=$(tar -C "$root" --numeric-owner -c . |
    docker import -m "$MARK" -c "CMD $cmd" -c "$PATH_ENV" - 2>"$STATE/import.log") || {
    [ -n "$imported" ] && docker rmi -f "$imported" >/dev/null 2>&1
    die "docker import failed; see $STATE/import.log." \
      "Free disk space if the disk is full, then run this again."
  }
  scratch_images+=("$imported")
}

debian12() {
  wanted debian:12 || return 0
  try_pull debian:12 && return 0
  [ "$(id -u)" = 0 ] || die "debian:12 is missing, cannot be pulled, and building it needs root." \
    "Run this as root, or load the image yourself (docker load -i debian12.tar)."
  say "building the debian:12 stand-in with debootstrap (about a minute)"
  apt_install debootstrap
  local root
  root=$(mktemp -d "$STATE/rootfs-bookworm.XXXXXX")
  scratch_dirs+=("$root")
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian \
    >"$STATE/debootstrap.log" 2>&1 ||
    die "debootstrap failed; the end of $STATE/debootstrap.log:" \
      "$(tail -n 5 "$STATE/debootstrap.log")" \
      "It needs deb.debian.org over HTTP. Fix that, then run this again: nothing was kept."
  # Match the real image (debuerreotype): deb822 sources with updates and security, the
  # container-minded apt and dpkg settings, no service starts, and no host files.
  rm -f "$root/etc/apt/sources.list" "$root/etc/resolv.conf" "$root/etc/hostname"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  printf '#!/bin/sh\n# Services never start during docker build.\nexit 101\n' \
    >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  echo 'force-unsafe-io' >"$root/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
  local conf="$root/etc/apt/apt.conf.d" clean
  clean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true";'
  echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$conf/docker-autoremove-suggests"
  printf 'DPkg::Post-Invoke { %s };\nAPT::Update::Post-Invoke { %s };\nDir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n' \
    "$clean" "$clean" >"$conf/docker-clean"
  echo 'Acquire::GzipIndexes "true";' >"$conf/docker-gzip-indexes"
  echo 'Acquire::Languages "none";' >"$conf/docker-no-languages"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin \
    "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/var/log/apt/*
  mkdir -p "$root/var/lib/apt/lists/partial"
  import_rootfs "$root" '["bash"]'
  check_and_tag debian:12 "$imported" 'apt-get --version >/dev/null && test -x /bin/bash && grep -q bookworm /etc/os-release'
}

golang119() {
  wanted golang:1.19 || return 0
  try_pull golang:1.19 && return 0
  say "building the golang:1.19 stand-in (debian:12 + Debian's Go 1.19, about a minute)"
  local id
  # gcc and libc6-dev: cgo works as in the real image (Go 1.19 needs a C compiler for net).
  # GOPROXY=off: no module proxy is reachable offline; fail at once instead of timing out.
  if ! docker build --force-rm -q - >"$STATE/golang-build.out" 2>"$STATE/golang-build.log" <<DOCKERFILE
FROM debian:12
RUN : $MARK \\
 && apt-get update \\
 && apt-get install -y --no-install-recommends golang-go gcc libc6-dev ca-certificates \\
 && rm -rf /var/lib/apt/lists/*
ENV GOPATH=/go PATH=/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local
WORKDIR /go
DOCKERFILE
  then
    die "building the golang:1.19 stand-in failed; the end of $STATE/golang-build.log:" \
      "$(grep -v -e DEPRECATED -e buildx -e 'Removing intermediate' -e '^ *$' "$STATE/golang-build.log" | tail -n 5)" \
      "Its RUN step needs deb.debian.org; fix that, then run this again."
  fi
  id=$(grep -o 'sha256:[0-9a-f]*' "$STATE/golang-build.out" | tail -n 1)
  [ -n "$id" ] || die "docker build printed no image id; see $STATE/golang-build.out."
  scratch_images+=("$id")
  check_and_tag golang:1.19 "$id" 'go version | grep -q "go1\.19" && cd /tmp && mkdir h && cd h &&
    go mod init hello >/dev/null 2>&1 &&
    printf "package main\nimport \"fmt\"\nfunc main() { fmt.Println(\"ok\") }\n" >main.go &&
    go build -o hello && ./hello'
}

busybox135() {
  wanted busybox:1.35 || return 0
  try_pull busybox:1.35 && return 0
  say "building the busybox:1.35 stand-in from Debian's busybox-static"
  apt_install busybox-static
  local root applet
  root=$(mktemp -d "$STATE/rootfs-busybox.XXXXXX")
  scratch_dirs+=("$root")
  chmod 0755 "$root"
  mkdir -p "$root"/{bin,etc,tmp,root,home,usr/sbin,var/www}
  cp /bin/busybox "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
  chmod 1777 "$root/tmp"
  import_rootfs "$root" '["sh"]'
  check_and_tag busybox:1.35 "$imported" 'busybox | head -n 1 | grep -q "v1\.35" && echo ok | grep -q ok'
}

debian12
golang119
busybox135
# Old stand-ins replaced above; one still used by a container or image stays.
for old in "${replaced[@]}"; do docker rmi "$old" >/dev/null 2>&1 || true; done
say "debian:12 golang:1.19 busybox:1.35 present"
