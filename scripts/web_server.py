"""The production server: Granian serving wsgi:app, with the settings below.

    python -m scripts.web_server [--bind 127.0.0.1:5000] [wsgi:app]

The Dockerfile, docker-compose.yml, `make run` and the tests start the
service this way. Why Granian and not gunicorn, and what was measured:
README.md ("Speed") and docs/performance.md. In short: on Linux each Granian
worker listens on its own SO_REUSEPORT socket, so the kernel spreads new
connections over the workers instead of the first worker awake taking them
all; its HTTP handling is Rust, outside the GIL; a graceful restart (SIGHUP)
loses no queued connection.

Settings from the environment:
- WEB_WORKERS (2): worker processes; WEB_THREADS (4): threads per worker
  running the app (each keeps one database connection, so connections =
  workers x threads). GUNICORN_WORKERS / GUNICORN_THREADS, their older
  names, are still read.
- With METRICS_TOKEN: PROMETHEUS_MULTIPROC_DIR, made or emptied here before
  the workers start (metrics.py).

A worker that dies is replaced. Granian itself exits when a worker dies
again within 5.5 s of being replaced (its crash-loop rule; a supervisor,
such as compose's `restart: unless-stopped`, starts it again).
"""
import argparse
import os
import sys
from pathlib import Path

from granian import Granian
from granian.constants import Interfaces

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.metrics_dir import prepare_metrics_dir, remove_metrics_dir  # noqa: E402

GRACEFUL_SECONDS = 10  # a worker still busy this long after SIGTERM is killed


def setting(env, name, older_name, default):
    return int(env.get(name) or env.get(older_name) or default)


def server_settings(env):
    return {
        "interface": Interfaces.WSGI,
        "workers": setting(env, "WEB_WORKERS", "GUNICORN_WORKERS", 2),
        "blocking_threads": setting(env, "WEB_THREADS", "GUNICORN_THREADS", 4),
        "respawn_failed_workers": True,
        "workers_kill_timeout": GRACEFUL_SECONDS,
        "websockets": False,
        "working_dir": ROOT,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bind", default="127.0.0.1:5000", help="host:port")
    parser.add_argument("target", nargs="?", default="wsgi:app")
    args = parser.parse_args(argv)
    host, _, port = args.bind.rpartition(":")
    made = prepare_metrics_dir(os.environ)
    try:
        Granian(args.target, address=host, port=int(port), **server_settings(os.environ)).serve()
    finally:
        remove_metrics_dir(made)


if __name__ == "__main__":
    main()
