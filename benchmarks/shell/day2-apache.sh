#!/usr/bin/env bash
# The day2-apache checks as a plain shell script: docker CLI, curl, grep. The baseline that
# benchmarks/run.py times labgrade against ("the speed of Docker itself").
#
#   bash benchmarks/shell/day2-apache.sh SUBMISSION_DIR
#
# Same work as `labgrade grade day2-apache DIR`: the two Dockerfile checks, a classic-builder
# build, the image's config (one inspect), the two packages, `docker run -p` on 127.0.0.1, a
# readiness wait on HTTP (short polls, 30 s deadline), "still running 3 s after it started",
# HTTP 200 with "apache" in the body; then the container and the image are removed. Prints
# one line per check and the score; exits 0 at full marks, 1 otherwise.
lab=day2-apache
# shellcheck source=benchmarks/shell/common.sh
. "$(dirname "$0")/common.sh"
final_from=$(grep -iE '^\s*FROM\s' <<<"$df" | tail -n 1 | awk '{print $2}')
check base-image '[[ $final_from =~ ^(docker\.io/)?(library/)?debian:[^:]+$ && $final_from != *:latest ]]' 10
check apt-cache-cleaned "grep -qiE '^\s*RUN\s.*(apt-get (clean|autoclean)|rm -rf? +/var/lib/apt/lists)' <<<\"\$df\"" 5

if ! docker build -q -t "$tag" "$dir" >/dev/null 2>"${TMPDIR:-/tmp}/bench-build.$$"; then
  cat "${TMPDIR:-/tmp}/bench-build.$$" >&2; rm -f "${TMPDIR:-/tmp}/bench-build.$$"
  echo "build failed"; echo "score: $score/100"; exit 1
fi
rm -f "${TMPDIR:-/tmp}/bench-build.$$"
# The image's config in one inspect: env, labels, volumes, exposed ports, entrypoint + cmd.
config=$(docker image inspect -f '{{range .Config.Env}}env {{.}}
{{end}}{{range $k, $v := .Config.Labels}}label {{$k}}={{$v}}
{{end}}{{range $k, $v := .Config.Volumes}}volume {{$k}}
{{end}}{{range $k, $v := .Config.ExposedPorts}}port {{$k}}
{{end}}cmd {{json .Config.Entrypoint}} {{json .Config.Cmd}}' "$tag")
env_ok=1
for kv in APACHE_LOCK_DIR=/var/lock APACHE_PID_FILE=/var/run/apache2.pid APACHE_RUN_USER=www-data \
  APACHE_RUN_GROUP=www-data APACHE_LOG_DIR=/var/log/apache2; do
  grep -qxF "env $kv" <<<"$config" || env_ok=0
done
check apache-env '[ $env_ok = 1 ]' 10
check description-label "grep -q '^label description=' <<<\"\$config\"" 5
check html-volume "grep -qx 'volume /var/www/html' <<<\"\$config\"" 5
check exposes-80 "grep -qx 'port 80/tcp' <<<\"\$config\"" 10
check foreground-exec-form "grep -qE '^cmd .*(apache2?ctl|apache2)' <<<\"\$config\"" 10

# Create, read the package database from the host (docker cp), then start: as labgrade does.
cid=$(docker create -p 127.0.0.1::80 "$tag") || { echo "create failed"; exit 1; }
status=$(docker cp "$cid:/var/lib/dpkg/status" - 2>/dev/null | tar -xO 2>/dev/null)
installed() { awk -v RS= -v p="$1" '$0 ~ "(^|\n)Package: " p "\n" && /\nStatus: [^\n]* installed/ { f = 1 } END { exit !f }' <<<"$status"; }
check apache2-installed 'installed apache2' 10
check curl-installed 'installed curl' 10
docker start "$cid" >/dev/null || { echo "start failed"; exit 1; }
# When Docker says it started (as labgrade's container_running reads it) and the host port.
read -r started port < <(docker inspect -f \
  '{{.State.StartedAt}} {{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}' "$cid")
started=$(date -d "$started" +%s.%N)
deadline=$(($(date +%s) + 30))
until curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; do
  [ "$(date +%s)" -ge "$deadline" ] && break
  sleep 0.05
done
after=${BENCH_AFTER:-3} # the lab's `after: 3`; benchmarks/run.py's nowait mode sets 0
rest=$(awk -v a="$after" -v s="$started" -v n="$(date +%s.%N)" 'BEGIN { r = a - (n - s); print (r > 0 ? r : 0) }')
sleep "$rest"
check keeps-running "[ \"\$(docker inspect -f '{{.State.Running}}' $cid)\" = true ]" 10
body=$(curl -s -w '\n%{http_code}' "http://127.0.0.1:$port/")
check serves-http "[ \"\${body##*\$'\\n'}\" = 200 ] && grep -qi apache <<<\"\$body\"" 15
echo "score: $score/100"
[ "$score" = 100 ]
