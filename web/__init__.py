"""Per-request machinery no route imports, behind one `init_app`: request
ids and the access line, security headers and CORS, the JSON body checks,
the JSON provider, the `id` path converter, cookie-less sessions and, with
METRICS_TOKEN, requests counted for /metrics."""
from web.body import init_request_body
from web.converters import IdConverter
from web.json_provider import OrjsonProvider
from web.request_log import configure_logging, init_request_ids
from web.request_metrics import init_request_metrics
from web.security import init_security
from web.sessions import NoCookieSessions


def init_app(app):
    app.json = OrjsonProvider(app)
    app.json.ensure_ascii = False
    app.session_interface = NoCookieSessions()
    configure_logging(app.config["LOG_LEVEL"])
    app.url_map.converters["id"] = IdConverter
    init_request_ids(app)
    init_request_metrics(app)
    init_security(app)
    init_request_body(app)
