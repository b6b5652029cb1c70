"""Helpers for the browser tests: Debian's Chromium driven by Playwright,
kept off the network."""
import ipaddress
import os
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
INSTALL_HINT = "run `bash scripts/install_debian.sh /usr/bin/chromium chromium chromium-driver` (as root)"


def launch_chromium(playwright):
    """The system Chromium (never a browser Playwright downloads); a missing
    or broken one fails the test with one clear line."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"No browser at {CHROMIUM}: {INSTALL_HINT}.", pytrace=False)
    try:
        return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as error:  # Playwright raises its own Error with a long log
        first_line = str(error).strip().splitlines()[0]
        pytest.fail(f"Chromium at {CHROMIUM} did not start ({first_line}); {INSTALL_HINT}.", pytrace=False)


def is_loopback(url):
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def block_outside_loopback(page):
    """Aborts every request to a host off this machine; returns the list
    of (resource type, URL) that were blocked."""
    blocked = []

    def route(route):
        request = route.request
        if is_loopback(request.url) or not request.url.startswith(("http:", "https:")):
            route.continue_()
        else:
            blocked.append((request.resource_type, request.url))
            route.abort("internetdisconnected")

    page.route("**/*", route)
    return blocked
