"""Requests counted by route and status, and their latency, when metrics
are on (METRICS_TOKEN set; metrics.py, metrics_routes.py).

The latency runs from the start web/request_log.py's middleware notes in
the WSGI environ to this hook."""
import time

from flask import request

import metrics
from errors import REQUEST_STARTED_KEY

UNMATCHED = "unmatched"  # no route: a 404 or 405 for a path of any shape


def init_request_metrics(app):
    if not app.config["METRICS_TOKEN"]:
        return
    metrics.enable()

    @app.after_request
    def observe_request(response):
        rule = request.url_rule
        started = request.environ.get(REQUEST_STARTED_KEY)
        seconds = time.perf_counter() - started if started is not None else 0.0
        metrics.observe_request(request.method, rule.rule if rule is not None else UNMATCHED,
                                response.status_code, seconds)
        return response
