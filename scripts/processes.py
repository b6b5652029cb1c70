"""The processes the tests, the bench and `make run` start (gunicorn masters
in their own process groups), a free loopback port for them, and a small
HTTP client."""
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

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """One gunicorn master in its own process group, logs to a file.

    With --reuse-port each worker listens on its own socket and the kernel
    spreads new connections over them; without it the workers race to
    accept and one often takes all of wrk's connections (load.run_wrk)."""

    def __init__(self, name, wsgi_target, env, log_dir, wrapper=()):
        """`wrapper`: a command gunicorn runs under (valgrind, for instructions.py)."""
        self.name = name
        self.port = free_port()
        self.log_path = Path(log_dir) / f"{name}.log"
        with open(self.log_path, "wb") as log_file:
            self.process = subprocess.Popen(
                [*wrapper, sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--reuse-port",
                 "--bind", f"127.0.0.1:{self.port}", wsgi_target],
                cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, path, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_tail()}")
            try:
                status, _ = http_call(self.port, "GET", path)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer within {timeout}s: {self.log_tail()}")

    def log_tail(self):
        return self.log_path.read_text(errors="replace")[-2000:]

    def worker_pids(self):
        return children_of(self.process.pid)

    def stop(self):
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


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


def http_call(port, method, path, headers=None, body=None, conn=None):
    """(status, body bytes); uses `conn` when given (keep-alive)."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        data = json.dumps(body).encode() if body is not None else None
        all_headers = dict(headers or {})
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=all_headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()
