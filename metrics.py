"""The service's Prometheus metrics (prometheus-client) and the functions
that count them; `GET /metrics` (metrics_routes.py) shows them.

Nothing is counted until `enable()` (the app calls it when METRICS_TOKEN is
set), so each function below costs one test of a flag when metrics are off.
Under a server with several worker processes, every process writes its
values to files in PROMETHEUS_MULTIPROC_DIR (prometheus-client's
multiprocess mode, chosen when that variable is set before this module is
imported; scripts/web_server.py and gunicorn.conf.py set it) and a scrape
adds them up, so any worker answers for all of them, and a dead worker's
counts stay in the sums.

The connection layer (read replicas) reports through db_events.py's
listeners, which `enable()` points at these:
- count_statement(role): one SQL statement sent to "primary" or "replica";
- set_replica_lag(server, seconds): a replica's lag as last measured
  ("host:port"; None when it is not replicating);
- count_fallback(reason): a read that could not stay where it was routed,
  "unreachable", "behind", "no-replica" or "unknown-writes" (routing.py).
"""
import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

import db_events

ROLES = ("primary", "replica")
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("boards_http_requests", "HTTP requests answered, by route and status",
                   ["method", "endpoint", "status"], registry=None)
LATENCY = Histogram("boards_http_request_duration_seconds",
                    "Time from the request's arrival at the app to its response, by route",
                    ["method", "endpoint"], buckets=LATENCY_BUCKETS, registry=None)
STATEMENTS = Counter("boards_db_statements", "SQL statements sent, by server role", ["role"],
                     registry=None)
REPLICA_LAG = Gauge("boards_db_replica_lag_seconds",
                    "A replica's replication lag as last measured (NaN: not replicating)",
                    ["server"], multiprocess_mode="mostrecent", registry=None)
FALLBACKS = Counter("boards_db_fallbacks", "Reads that left the server they were routed to, by reason",
                    ["reason"], registry=None)
OWN_METRICS = (REQUESTS, LATENCY, STATEMENTS, REPLICA_LAG, FALLBACKS)

_enabled = False
_request_children = {}  # (method, endpoint, status) -> (requests child, latency child)
_role_children = {}


def enable():
    """Start counting, and listen to the connection layer (db_events.py):
    statements by server role, fallbacks, replica lag."""
    global _enabled
    if not _enabled:
        db_events.STATEMENT_LISTENERS.append(count_statement)
        db_events.FALLBACK_LISTENERS.append(count_fallback)
        db_events.REPLICA_LISTENERS.append(_replica_checked)
    _enabled = True


def _replica_checked(address, lag, serving):
    set_replica_lag(address, lag)


def count_statement(role):
    """One statement sent to a server of `role` ("primary" or "replica")."""
    if _enabled:
        child = _role_children.get(role)
        if child is None:
            if role not in ROLES:
                raise ValueError(f"role must be one of {ROLES}, not {role!r}")
            child = _role_children[role] = STATEMENTS.labels(role)
        child.inc()


def set_replica_lag(server, seconds):
    """The lag of replica `server` ("host:port"), or None: not replicating."""
    if _enabled:
        REPLICA_LAG.labels(server).set(float("nan") if seconds is None else seconds)


def count_fallback(reason):
    """A read that went elsewhere than routed, for `reason` (a short fixed name)."""
    if _enabled:
        FALLBACKS.labels(reason).inc()


def observe_request(method, endpoint, status, seconds):
    """One answered request: `endpoint` is its URL rule (bounded: never the
    raw path). The label children are made once per combination."""
    key = (method, endpoint, status)
    children = _request_children.get(key)
    if children is None:
        children = _request_children[key] = (REQUESTS.labels(method, endpoint, str(status)),
                                             LATENCY.labels(method, endpoint))
    children[0].inc()
    children[1].observe(seconds)


class WorkerBacklog:
    """The outbox worker's backlog, read when scraped (`read` returns
    worker.backlog_of's dict, or None when the database does not answer)."""

    def __init__(self, read):
        self.read = read

    def collect(self):
        backlog = self.read()
        if backlog is None:
            return
        yield GaugeMetricFamily("boards_worker_backlog_events",
                                "Outbox events waiting for the worker (counted up to a cap)",
                                value=backlog["events"])
        oldest = backlog["oldest_seconds"]
        yield GaugeMetricFamily("boards_worker_backlog_oldest_seconds",
                                "Age of the oldest waiting outbox event (0 when none waits)",
                                value=oldest or 0.0)


def exposition(*collectors):
    """The text a scrape gets: every worker's values (multiprocess mode) or
    this process's, then `collectors`' (read now)."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for metric in OWN_METRICS:
            registry.register(metric)
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry)
