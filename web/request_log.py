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


class LineFormatter(logging.Formatter):
    """logging's Formatter, with the date and time formatted once a second
    instead of once a line: `time.strftime` was a third of the cost of the
    access line that every request writes. The text is the same."""

    def __init__(self, fmt):
        super().__init__(fmt)
        self._stamp = (None, "")  # (whole second, its date and time)

    def formatTime(self, record, datefmt=None):
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        second = int(record.created)
        stamped_second, stamp = self._stamp
        if second != stamped_second:
            stamp = time.strftime(self.default_time_format, self.converter(record.created))
            self._stamp = (second, stamp)
        return self.default_msec_format % (stamp, record.msecs)


def configure_logging(level="INFO"):
    """One handler on the root logger, with the request id in every line.

    logging's process-wide switches that skip the caller, thread and process
    lookups (the Logging HOWTO's "Optimization") stay on: they would save 1 %
    of a request, but gunicorn's own lines show `%(process)d` and fail to
    format without it."""
    root = logging.getLogger()
    if getattr(root, "_boards_configured", False):
        return
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(LineFormatter(LINE_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    root._boards_configured = True


def new_request_id():
    """32 random hex characters, as a uuid4's hex but cheaper to make."""
    return secrets.token_hex(16)


def init_request_ids(app):
    """Both hooks run on every request, so each takes `request` and `g` from
    their proxies once."""

    @app.before_request
    def assign_request_id():
        given = request._get_current_object().environ.get("HTTP_X_REQUEST_ID", "")
        request_globals = g._get_current_object()
        request_globals.request_started = time.perf_counter()
        request_globals.request_id = (
            given if SANE_REQUEST_ID.fullmatch(given) else new_request_id()
        )

    @app.after_request
    def log_request(response):
        req, request_globals = request._get_current_object(), g._get_current_object()
        request_id = request_globals.get("request_id") or new_request_id()
        response.headers["X-Request-ID"] = request_id
        started = request_globals.get("request_started", time.perf_counter())
        elapsed_ms = (time.perf_counter() - started) * 1000
        query = req.query_string
        target = f"{req.path}?{query.decode('latin-1')}" if query else req.path
        write_access_line(req.method, target, response.status_code, elapsed_ms, request_id)
        return response


def write_access_line(method, target, status, elapsed_ms, request_id):
    """The access line as `access_log.info` would log it, without logging's
    walk up the call stack for the caller's file and line: it is always this
    function (`Logger.makeRecord` and `Logger.handle` are logging's API for
    records made by hand)."""
    if access_log.isEnabledFor(logging.INFO):
        record = access_log.makeRecord(
            access_log.name, logging.INFO, __file__, _ACCESS_LINE_NUMBER, "%s %s %s %.1fms",
            (method, target, status, elapsed_ms), None, extra={"request_id": request_id},
        )
        access_log.handle(record)


_ACCESS_LINE_NUMBER = write_access_line.__code__.co_firstlineno
