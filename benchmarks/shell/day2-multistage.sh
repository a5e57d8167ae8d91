#!/usr/bin/env bash
# The day2-multistage checks as a plain shell script: docker CLI, tar, grep. The baseline that
# benchmarks/run.py times labgrade against.
#
#   bash benchmarks/shell/day2-multistage.sh SUBMISSION_DIR
#
# Same work as `labgrade grade day2-multistage DIR`: four Dockerfile checks, a classic-builder
# build, `docker run --rm` of the image (output "Hello, World!", exit 0, no network, 15 s), no Go
# toolchain in the final image (one `docker export` listing), size under 20 MB and the command
# running the binary (one inspect); then the containers and the image are removed. Prints one
# line per check and the score; exits 0 at full marks, 1 otherwise.
lab=day2-multistage
# shellcheck source=benchmarks/shell/common.sh
. "$(dirname "$0")/common.sh"
froms=$(grep -iE '^\s*FROM\s' <<<"$df")
stages=$(grep -ioE '\sAS\s+[^ ]+' <<<"$froms" | awk '{print tolower($2)}')
final_image=$(tail -n 1 <<<"$froms" | awk '{ for (i = 2; i <= NF; i++) if ($i !~ /^--/) { print $i; exit } }')
check two-stages '[ "$(grep -c . <<<"$froms")" -ge 2 ]' 10
check build-stage-named 'grep -qx build <<<"$stages"' 10
copy_from_ok=0
for from in $(grep -ioE '^\s*COPY\s.*--from=[^ ]+' <<<"$df" | sed 's/.*--from=//'); do
  grep -qxi "$from" <<<"$stages" && copy_from_ok=1
done
check copy-from-stage '[ $copy_from_ok = 1 ]' 15
check final-base-not-golang '[ -n "$final_image" ] && ! [[ ${final_image%%[:@]*} =~ ^(docker\.io/)?(library/)?golang$ ]]' 10

if ! docker build -q -t "$tag" "$dir" >/dev/null 2>"${TMPDIR:-/tmp}/bench-build.$$"; then
  cat "${TMPDIR:-/tmp}/bench-build.$$" >&2; rm -f "${TMPDIR:-/tmp}/bench-build.$$"
  echo "build failed"; echo "score: $score/100"; exit 1
fi
rm -f "${TMPDIR:-/tmp}/bench-build.$$"
out=$(timeout 15 docker run --rm --network none "$tag" 2>/dev/null); code=$?
check prints-hello '[ $code = 0 ] && [ "$out" = "Hello, World!" ]' 20
cid=$(docker create --network none "$tag" 2>/dev/null)
go_paths=$(docker export "$cid" 2>/dev/null | tar -t 2>/dev/null |
  grep -cE '^(usr/local/go|usr/lib/go|usr/bin/go|usr/local/bin/go|usr/lib/go-[^/]*)/?$')
check no-go-toolchain '[ -n "$cid" ] && [ "$go_paths" = 0 ]' 15
read -r size command < <(docker image inspect -f \
  '{{.Size}} {{join .Config.Entrypoint " "}} {{join .Config.Cmd " "}}' "$tag")
check under-20mb '[ "$size" -le 20000000 ]' 10
check runs-the-binary "grep -qE '(^|/)hello( |\$)' <<<\"\$command\"" 10
echo "score: $score/100"
[ "$score" = 100 ]
