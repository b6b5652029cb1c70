"""gunicorn settings; each can be overridden by GUNICORN_* environment variables.

Threaded workers (gthread): the service waits on MySQL, not the CPU, and each
thread keeps its own database connection, so connections = workers x threads.
"""
import os

workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
accesslog = None
