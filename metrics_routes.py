"""GET /metrics: Prometheus' text format, for a scraper holding METRICS_TOKEN
(`Authorization: Bearer <token>`); there is no such route without the
setting. Not in the OpenAPI document: it is for operators, not clients."""
import hmac

import MySQLdb
from flask import Blueprint, request

import metrics
from db import mark_connection_broken
from worker import backlog_of

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="metrics"'}


def create_metrics_blueprint(mysql, feeds, token):
    blp = Blueprint("metrics", __name__)
    expected = f"Bearer {token}".encode()

    def read_backlog():
        try:
            return backlog_of(feeds, mysql.connection)
        except MySQLdb.Error:
            mark_connection_broken()
            return None

    @blp.get("/metrics")
    def scrape():
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return "A bearer token (METRICS_TOKEN) is required.\n", 401, CHALLENGE
        body = metrics.exposition(metrics.WorkerBacklog(read_backlog))
        return body, 200, {"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"}

    return blp
