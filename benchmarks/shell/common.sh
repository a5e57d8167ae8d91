# Sourced by the per-lab scripts: what every shell baseline does alike. Expects $lab set and the
# submission folder as $1; gives $dir, $tag, $df (the Dockerfile with CRLF undone and
# continuation lines joined), check NAME TEST POINTS, and cleanup of the container and image.
set -uo pipefail
dir=${1:?usage: $lab.sh SUBMISSION_DIR}
tag=bench-shell/$lab:$$-$RANDOM
export DOCKER_BUILDKIT=0 # labgrade builds with the classic builder too (a 20.10 daemon, no buildx)
score=0 cid=
ok() { echo "passed $1"; score=$((score + $2)); }
no() { echo "failed $1"; }
check() { if eval "$2"; then ok "$1" "$3"; else no "$1"; fi; }
cleanup() {
  [ -n "$cid" ] && docker rm -f -v "$cid" >/dev/null 2>&1
  docker rmi "$tag" >/dev/null 2>&1
}
trap cleanup EXIT
df=$(sed -e ':a' -e 's/\r$//' -e '/\\$/{N;s/\\\n/ /;ba' -e '}' "$dir/Dockerfile" 2>/dev/null)
