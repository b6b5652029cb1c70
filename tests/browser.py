"""Helpers for the browser tests: Debian's Chromium driven by Playwright,
and the real app served on a loopback port from a background thread."""
import contextlib
import ipaddress
import os
import threading
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

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
INSTALL_HINT = "run scripts/install_browser.sh (as root) to install Debian's chromium"


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


def close_db_connection_after_each_request(app):
    """WSGI wrapper: the threaded server runs each request on a new thread,
    so the connection that thread kept is closed as the request ends."""
    database = app.extensions["boards_db"]

    def wsgi(environ, start_response):
        try:
            return app(environ, start_response)
        finally:
            database.close_thread_connection()

    return wsgi


@contextlib.contextmanager
def serve_in_thread(app):
    """Serves the app on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, close_db_connection_after_each_request(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


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
