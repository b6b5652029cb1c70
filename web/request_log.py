"""Request ids and the one log line per request."""
import logging
import re
import secrets
import time

from flask import g, request

SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

access_log = logging.getLogger("boards.access")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record made while a request runs."""

    def filter(self, record):
        if hasattr(record, "request_id"):  # the access line brings its own
            return True
        try:
            record.request_id = g.get("request_id", "-")
        except RuntimeError:
            record.request_id = "-"
        return True


class RequestLogHandler(logging.StreamHandler):
    """The service's one handler on the root logger: every line with the
    request id."""

    def __init__(self):
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.setFormatter(logging.Formatter(LINE_FORMAT))


def configure_logging(level="INFO"):
    """The handler and level go on the root logger once per process: the
    first app decides (tests build many apps)."""
    root = logging.getLogger()
    if not any(isinstance(handler, RequestLogHandler) for handler in root.handlers):
        root.addHandler(RequestLogHandler())
        root.setLevel(level)


def new_request_id():
    """32 random hex characters, as a uuid4's hex but cheaper to make."""
    return secrets.token_hex(16)


def init_request_ids(app):
    @app.before_request
    def assign_request_id():
        given = request.headers.get("X-Request-ID", "")
        g.request_started = time.perf_counter()
        g.request_id = given if SANE_REQUEST_ID.fullmatch(given) else new_request_id()

    @app.after_request
    def log_request(response):
        request_id = g.get("request_id") or new_request_id()
        response.headers["X-Request-ID"] = request_id
        elapsed_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        path, query = request.path, request.query_string
        target = f"{path}?{query.decode('latin-1')}" if query else path
        access_log.info(
            "%s %s %s %.1fms", request.method, target, response.status_code, elapsed_ms,
            extra={"request_id": request_id},
        )
        return response
