"""Request ids and the one log line per request, as a WSGI middleware."""
import logging
import re
import secrets
import time

from errors import REQUEST_ID_KEY, REQUEST_STARTED_KEY, current_request_id

SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

access_log = logging.getLogger("boards.access")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record made while a request runs."""

    def filter(self, record):
        if hasattr(record, "request_id"):  # the access line brings its own
            return True
        record.request_id = current_request_id("-")
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


class RequestLog:
    """WSGI middleware around the app: a request id for every request
    (X-Request-ID echoed when sane), the same id in the response and in the
    one access line written when the response starts."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = environ[REQUEST_STARTED_KEY] = time.perf_counter()
        given = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = given if SANE_REQUEST_ID.fullmatch(given) else new_request_id()
        environ[REQUEST_ID_KEY] = request_id

        def start_and_log(status, headers, exc_info=None):
            headers.append(("X-Request-ID", request_id))
            path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
            query = environ.get("QUERY_STRING", "")
            access_log.info(
                "%s %s %s %.1fms", environ.get("REQUEST_METHOD"), f"{path}?{query}" if query else path,
                int(status[:3]), (time.perf_counter() - started) * 1000, extra={"request_id": request_id},
            )
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_and_log)


def init_request_ids(app):
    """The middleware goes around `app.wsgi_app`, as Flask's docs show for
    WSGI middleware: it reads the environ and the status line directly, so
    the access line costs no hooks and no proxy reads (5.7 % of a GET of
    one board, docs/performance.md)."""
    app.wsgi_app = RequestLog(app.wsgi_app)
