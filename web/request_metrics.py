"""Requests counted by route and status, and their latency, when metrics
are on (METRICS_TOKEN set; metrics.py, metrics_routes.py).

The latency runs from `g.request_started`, which web/request_log.py's first
hook sets, to this hook, registered after the access line's so that it
runs before it."""
import time

from flask import g, request

import metrics

UNMATCHED = "unmatched"  # no route: a 404 or 405 for a path of any shape


def init_request_metrics(app):
    if not app.config["METRICS_TOKEN"]:
        return
    metrics.enable()

    @app.after_request
    def observe_request(response):
        rule = request.url_rule
        started = g.get("request_started")
        seconds = time.perf_counter() - started if started is not None else 0.0
        metrics.observe_request(request.method, rule.rule if rule is not None else UNMATCHED,
                                response.status_code, seconds)
        return response
