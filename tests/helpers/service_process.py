"""The service as production runs it: Granian (scripts/web_server.py) in a
subprocess, on a free loopback port, against a given server and database;
or under gunicorn (gunicorn.conf.py), the alternative bench/servers.py
measures. The fault, load and metrics tests share it; it always stops what
it started."""
import http.client
import os
import signal
import subprocess
import sys
from pathlib import Path

import MySQLdb

from scripts.processes import ROOT, SERVERS, http_call
from tests.helpers import PASSWORD, TEST_SECRET, make_app

# Low driver timeouts: an unreachable database must turn into a quick 503.
FAST_FAIL_TIMEOUTS = {
    "MYSQL_CONNECT_TIMEOUT": "2",
    "MYSQL_READ_TIMEOUT": "2",
    "MYSQL_WRITE_TIMEOUT": "2",
}


def init_database(server, name):
    """Create database `name` on `server` with the same code as `init-db`."""
    result = make_app(server, name, LOG_LEVEL="WARNING").test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output


def threads_connected(server):
    """The server's Threads_connected, counting the connection that asks."""
    conn = server.connect()
    try:
        cursor = conn.cursor()
        cursor.execute("SHOW GLOBAL STATUS LIKE 'Threads_connected'")
        return int(cursor.fetchone()[1])
    finally:
        conn.close()


class ServiceProcess:
    """`python -m scripts.web_server wsgi:app` (or gunicorn, with
    `server_kind`) on `server`'s `database`, logging to `log_dir`/server.log;
    `with` starts it and waits for /health. Everything else (port,
    worker_pids, log_text, stop...) is the server process's
    (scripts/processes.py)."""

    def __init__(self, server, database, log_dir, workers=2, threads=4, server_kind="granian",
                 **extra_env):
        """`extra_env`: more environment variables (e.g. METRICS_TOKEN)."""
        self.workers = workers
        self.threads = threads
        env = {
            **os.environ,
            **server.environment(),
            **FAST_FAIL_TIMEOUTS,
            "MYSQL_DB": database,
            "SECRET_KEY": TEST_SECRET,
            "LOG_LEVEL": "WARNING",
            "WEB_WORKERS": str(workers),
            "WEB_THREADS": str(threads),
            **extra_env,
        }
        if "PROMETHEUS_MULTIPROC_DIR" not in extra_env:
            env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.process_ = SERVERS[server_kind]("wsgi:app", env, log_path=os.path.join(log_dir, "server.log"))

    def __getattr__(self, name):
        return getattr(self.process_, name)

    def start(self):
        self.process_.start()
        return self

    def __enter__(self):
        self.process_.__enter__()
        return self

    def __exit__(self, *exc):
        self.process_.__exit__(*exc)

    def connection(self, timeout=10):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def signup(self, name, password=PASSWORD):
        """A new user through the API: (user, bearer headers)."""
        email = f"{name}@example.com"
        user = http_call(self.port, "POST", "/users", {"name": name, "email": email, "password": password})
        assert user.status == 201, user.body
        login = http_call(self.port, "POST", "/auth/login", {"email": email, "password": password})
        assert login.status == 200, login.body
        return user.json(), {"Authorization": f"Bearer {login.json()['access_token']}"}


def query_all(server, database, sql, params=None):
    """Rows as dicts, on a new connection of the test's own."""
    conn = server.connect(database=database, cursorclass=MySQLdb.cursors.DictCursor)
    try:
        cursor = conn.cursor()
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        conn.close()


class WorkerProcess:
    """`flask --app app worker` on `server`'s `database`, its log in `log_path`."""

    def __init__(self, server, database, log_path):
        self.log_path = log_path
        self.env = {**os.environ, **server.environment(), **FAST_FAIL_TIMEOUTS, "MYSQL_DB": database,
                    "SECRET_KEY": TEST_SECRET, "LOG_LEVEL": "INFO"}
        self.process = None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "app", "worker"], cwd=ROOT, env=self.env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        return self

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Sends `sig`; returns the exit code (SIGKILL: -9)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def log_text(self):
        return Path(self.log_path).read_text(errors="replace")
