"""The processes the tests, the bench and `make run` start (the production
server, Granian, or gunicorn, each in its own process group), a free
loopback port for them, and a small HTTP client."""
import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Reply(NamedTuple):
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        """The body as JSON; None when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


def http_call(port, method, path, body=None, headers=None, conn=None, timeout=10):
    """One request to 127.0.0.1:`port` with `body` as JSON: a Reply. On
    `conn` (an open http.client connection, kept alive) when given, else on
    a new connection of its own."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        all_headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=all_headers)
        response = conn.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        if own:
            conn.close()


def answers_ok(port, path, process, timeout):
    """True once GET `path` answers 200; False when `process` exits first or
    `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        with contextlib.suppress(OSError, http.client.HTTPException):
            if http_call(port, "GET", path, timeout=2).status == 200:
                return True
        time.sleep(0.1)
    return False


class StoppedOnExit:
    """A context manager over `start_ready()` and `stop()`: leaving the
    `with` stops it, and so does a start that fails half-way, so that what
    it had begun does not outlive it."""

    def __enter__(self):
        try:
            self.start_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()


class ServerProcess(StoppedOnExit):
    """A WSGI server serving `target` from the repo, as its own process
    group, so that stop() ends every process of it. Subclasses give the
    command (`server_command`)."""

    def __init__(self, target, env, *, log_path=None, bind=None, wrapper=(), name="server"):
        """`log_path`: where its output goes (None: this process's stdout);
        `bind`: 127.0.0.1 on a free port unless given; `wrapper`: a command
        the server runs under (valgrind, for bench/instructions.py)."""
        self.name = name
        self.target = target
        self.env = env
        self.log_path = Path(log_path) if log_path else None
        self.bind = bind or f"127.0.0.1:{free_port()}"
        port = self.bind.rpartition(":")[2]
        self.port = int(port) if port.isdigit() else None  # None: a Unix socket
        self.command = [*wrapper, sys.executable, "-m", *self.server_command()]
        self.process = None

    def server_command(self):
        raise NotImplementedError

    def start(self):
        log = open(self.log_path, "wb") if self.log_path else None
        try:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=log,
                stderr=subprocess.STDOUT if log else None, start_new_session=True,
            )
        finally:
            if log:
                log.close()
        return self

    def start_ready(self):
        self.start()
        self.wait_ready()

    def wait_ready(self, path="/health", timeout=60):
        if not answers_ok(self.port, path, self.process, timeout):
            state = "exited" if self.process.poll() is not None else f"did not answer within {timeout}s"
            raise RuntimeError(f"{self.name} {state}: {self.log_tail()}")

    def log_text(self):
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def log_tail(self):
        return self.log_text()[-2000:]

    def worker_pids(self):
        return children_of(self.process.pid)

    def stop(self, timeout=20):
        """SIGTERM to the master (it stops its workers gracefully), then
        SIGKILL to whatever is left of its process group."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def stop_process(process, timeout=10):
    """SIGTERM, then SIGKILL after `timeout` seconds; None or an ended process is left alone."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


class Gunicorn(ServerProcess):
    """`gunicorn -c gunicorn.conf.py <target>`, the server Granian replaced,
    for comparisons. gunicorn.conf.py turns reuse_port on (each worker
    listens on its own socket and the kernel spreads new connections over
    them) unless GUNICORN_REUSE_PORT=false is in `env`: then the workers race
    to accept on one socket and one often takes all of wrk's connections
    (docs/performance.md). `reuse_port` passes --reuse-port as well."""

    def __init__(self, target, env, *, reuse_port=False, name="gunicorn", **options):
        self.reuse_port = reuse_port
        super().__init__(target, env, name=name, **options)

    def server_command(self):
        return ["gunicorn", "-c", "gunicorn.conf.py", *(["--reuse-port"] if self.reuse_port else []),
                "--bind", self.bind, self.target]


class Granian(ServerProcess):
    """The production server, `python -m scripts.web_server` (Granian, with
    its settings and metrics directory): on Linux each worker listens on its
    own SO_REUSEPORT socket."""

    def __init__(self, target, env, *, name="granian", **options):
        super().__init__(target, env, name=name, **options)

    def server_command(self):
        return ["scripts.web_server", "--bind", self.bind, self.target]


SERVERS = {"gunicorn": Gunicorn, "granian": Granian}
Production = Granian


def children_of(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            status = (entry / "status").read_text()
            fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
            if int(fields["PPid"]) == pid:
                found.append(int(entry.name))
    return sorted(found)
