#!/usr/bin/env bash
# Install HAProxy from Debian's packages when it is missing: tests/test_deploy.py
# checks deploy/haproxy/haproxy.cfg with `haproxy -c`. Safe to run again.
set -euo pipefail

if command -v haproxy >/dev/null; then
  exit 0
fi
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "Installing haproxy (apt-get)..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy >/dev/null
else
  echo "haproxy is missing: run as root, or install it (apt-get install haproxy)" >&2
  exit 1
fi
