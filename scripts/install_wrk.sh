#!/usr/bin/env bash
# Install wrk (the HTTP load generator used by bench/) from Debian's packages
# when it is missing. Safe to run again.
set -euo pipefail

if command -v wrk >/dev/null; then
  exit 0
fi
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "Installing wrk (apt-get)..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
else
  echo "wrk is missing: run as root, or install it (apt-get install wrk)" >&2
  exit 1
fi
