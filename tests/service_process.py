"""The service as production runs it: gunicorn (gunicorn.conf.py) in a
subprocess, on a free loopback port, against a given server and database.
The fault and load tests share it; it always stops what it started."""
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import MySQLdb

from app import create_app
from scripts.processes import free_port

REPO = Path(__file__).resolve().parent.parent
SECRET = "service-process-secret-key-long-enough-for-hs256"
# Low driver timeouts: an unreachable database must turn into a quick 503.
FAST_FAIL_TIMEOUTS = {
    "MYSQL_CONNECT_TIMEOUT": "2",
    "MYSQL_READ_TIMEOUT": "2",
    "MYSQL_WRITE_TIMEOUT": "2",
}


def init_database(server, name):
    """Create database `name` on `server` with the same code as `init-db`."""
    app = create_app({**server.app_config(name), "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING"})
    result = app.test_cli_runner().invoke(args=["init-db"])
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
    """`gunicorn -c gunicorn.conf.py wsgi:app` bound to 127.0.0.1:<free port>."""

    def __init__(self, server, database, workers=2, threads=4, env=None):
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.log = tempfile.NamedTemporaryFile(prefix="boards-gunicorn-", suffix=".log", delete=False)
        self.env = {
            **os.environ,
            **server.environment(),
            **FAST_FAIL_TIMEOUTS,
            "MYSQL_DB": database,
            "SECRET_KEY": SECRET,
            "LOG_LEVEL": "WARNING",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": str(threads),
            **(env or {}),
        }
        self.process = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self, timeout=30):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=REPO, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_text()[-2000:]}")
            try:
                if self.request("GET", "/health", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /health within {timeout}s")

    def stop(self):
        """SIGTERM (graceful), then SIGKILL to the whole process group."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=15)
        self.log.close()

    def log_text(self):
        return Path(self.log.name).read_text(errors="replace")

    def worker_pids(self):
        """The master's current children (its workers)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def connection(self, timeout=10):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=10):
        """One request on a new connection: (status, headers, parsed JSON or None)."""
        conn = self.connection(timeout)
        try:
            return send(conn, method, path, body, headers)
        finally:
            conn.close()

    def signup(self, name, password="correct horse 9"):
        """A new user through the API: (user, bearer headers)."""
        email = f"{name}@example.com"
        status, _, user = self.request(
            "POST", "/users", {"name": name, "email": email, "password": password}
        )
        assert status == 201, user
        status, _, login = self.request("POST", "/auth/login", {"email": email, "password": password})
        assert status == 200, login
        return user, {"Authorization": f"Bearer {login['access_token']}"}


def send(conn, method, path, body=None, headers=None):
    """A request on an open http.client connection: (status, headers, JSON or None)."""
    headers = dict(headers or {})
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return response.status, response.headers, parsed


def query_all(server, database, sql, params=None):
    """Rows as dicts, on a new connection of the test's own."""
    conn = server.connect(database=database, cursorclass=MySQLdb.cursors.DictCursor)
    try:
        cursor = conn.cursor()
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        conn.close()
