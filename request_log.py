"""Request ids and the one log line per request."""
import logging
import re
import time
import uuid

from flask import g, request

SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

access_log = logging.getLogger("boards.access")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record made while a request runs."""

    def filter(self, record):
        try:
            record.request_id = g.get("request_id", "-")
        except RuntimeError:
            record.request_id = "-"
        return True


def configure_logging(level="INFO"):
    root = logging.getLogger()
    if getattr(root, "_boards_configured", False):
        return
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level)
    root._boards_configured = True


def init_request_ids(app):
    @app.before_request
    def assign_request_id():
        g.request_started = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex

    @app.after_request
    def log_request(response):
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        elapsed_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        query = request.query_string
        target = f"{request.path}?{query.decode('latin-1')}" if query else request.path
        access_log.info("%s %s %s %.1fms", request.method, target, response.status_code, elapsed_ms)
        return response
