"""gunicorn settings, for bench/servers.py and the tests that compare it with
the production server (Granian, scripts/web_server.py: README "Speed").

Threaded workers (gthread): the service waits on MySQL, not the CPU, and each
thread keeps its own database connection, so connections = workers x threads
(WEB_WORKERS, WEB_THREADS; their older names GUNICORN_WORKERS, _THREADS).
reuse_port: each worker listens on its own socket and the kernel spreads new
connections over them; without it (GUNICORN_REUSE_PORT=false) the first
worker awake takes them, often all (docs/performance.md).

With METRICS_TOKEN set, the workers share PROMETHEUS_MULTIPROC_DIR (a fresh
temporary directory unless given, emptied when the master starts; metrics.py).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scripts.metrics_dir import prepare_metrics_dir, remove_metrics_dir  # noqa: E402

workers = int(os.environ.get("WEB_WORKERS") or os.environ.get("GUNICORN_WORKERS") or "2")
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS") or os.environ.get("GUNICORN_THREADS") or "4")
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "true").lower() not in ("0", "false", "no")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
accesslog = None

_metrics_dir_made = None


def on_starting(server):
    global _metrics_dir_made
    _metrics_dir_made = prepare_metrics_dir(os.environ)


def on_exit(server):
    remove_metrics_dir(_metrics_dir_made)
