#!/usr/bin/env bash
# Prepare a fresh machine: the system packages mysqlclient builds against,
# then .venv with the pinned requirements; with `test`, also the browser, wrk,
# haproxy and mariadb-server the tests use; with `cluster` (`make cluster`),
# haproxy, mariadb-server and redis-server. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_system_packages() {
  ! { command -v pkg-config >/dev/null && { pkg-config --exists mysqlclient || pkg-config --exists libmariadb; } \
      && command -v gcc >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null; }
}

if need_system_packages; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "Installing build packages for mysqlclient (apt-get)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      default-libmysqlclient-dev pkg-config build-essential python3-dev python3-venv >/dev/null
  else
    echo "Missing system packages: run as root or install default-libmysqlclient-dev pkg-config build-essential python3-dev python3-venv" >&2
    exit 1
  fi
fi

if [ "${1:-}" = "test" ]; then
  # Chromium (and fonts for Korean and emoji in the screenshots) for the page tests
  bash scripts/install_debian.sh /usr/bin/chromium chromium chromium-driver fonts-noto-cjk fonts-noto-color-emoji
  bash scripts/install_debian.sh wrk wrk  # tests/test_load.py and bench/
fi
if [ "${1:-}" = "test" ] || [ "${1:-}" = "cluster" ]; then
  # HAProxy and private MariaDB servers: tests/test_deploy.py, tests/test_cluster.py, `make cluster`
  bash scripts/install_debian.sh haproxy haproxy
  bash scripts/install_debian.sh /usr/sbin/mariadbd mariadb-server
fi
if [ "${1:-}" = "cluster" ]; then
  bash scripts/install_debian.sh redis-server redis-server
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.requirements.sha
wanted=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  .venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
  echo "$wanted" > "$stamp"
fi
