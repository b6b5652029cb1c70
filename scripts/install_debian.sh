#!/usr/bin/env bash
# install_debian.sh COMMAND PACKAGE...: install Debian packages when COMMAND
# (a program on PATH, or an absolute path) is missing. The tests and the
# bench use Debian's chromium, wrk and haproxy; none downloads its own.
# Safe to run again.
set -euo pipefail
command_name=$1
shift

if command -v "$command_name" >/dev/null || [ -x "$command_name" ]; then
  exit 0
fi
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "Installing $* (apt-get)..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
else
  echo "$command_name is missing: run as root, or install it (apt-get install $*)" >&2
  exit 1
fi
