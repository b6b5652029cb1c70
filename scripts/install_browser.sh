#!/usr/bin/env bash
# Debian's chromium and chromium-driver for the browser tests (tests/test_pages_browser.py).
# Playwright drives this system browser; it never downloads one of its own. The Noto
# fonts make Korean and emoji readable in the screenshots. Safe to run again.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "Installing chromium and chromium-driver (apt-get)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium chromium-driver fonts-noto-cjk fonts-noto-color-emoji >/dev/null
else
  echo "Missing /usr/bin/chromium: run as root or install Debian's chromium and chromium-driver;" \
       "the browser tests fail without it." >&2
fi
