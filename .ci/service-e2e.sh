#!/usr/bin/env bash
# The token service's tests (examples/service), including the deployment tests that start
# real redis-server, nginx and openssl processes on loopback ports. Installs the three Debian
# packages when missing (CI runs as root on Debian), then runs the package's tests.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { # binary, Debian package
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]
}

missing=()
need redis-server || missing+=(redis-server)
need nginx || missing+=(nginx)
need openssl || missing+=(openssl)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The Debian packages start system-wide services; the tests start their own instances on free
# ports and do not use those.

timeout 900 cargo test --locked -p webtoken-service
