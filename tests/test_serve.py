"""`make run` (scripts/serve.py): schema, then gunicorn with several workers
that must all accept the same tokens."""
import http.client
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from scripts.processes import free_port

REPO = Path(__file__).resolve().parent.parent
WORKER_KEY_WARNING = "tokens die with this process"
RUN_KEY_NOTICE = "SECRET_KEY is not set: using a random one for this run"


def call(port, method, path, body=None, headers=None):
    """One request on a new connection, so that any worker may take it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        payload = json.dumps(body) if body is not None else None
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        conn.request(method, path, body=payload, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else None
    finally:
        conn.close()


@pytest.fixture
def served(db_server, tmp_path):
    database = f"boards_test_serve_{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = {name: value for name, value in os.environ.items() if name != "SECRET_KEY"}
    env.update(db_server.environment(), MYSQL_DB=database, BIND=f"127.0.0.1:{port}",
               GUNICORN_WORKERS="2")
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "scripts/serve.py"], cwd=REPO, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text(errors="replace")[-2000:]
            try:
                if call(port, "GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "make run did not answer /health in 60 s"
            time.sleep(0.2)
        yield port, log_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        db_server.drop_database(database)


def test_every_worker_of_make_run_accepts_a_token_without_a_configured_key(served):
    port, log_path = served
    status, _ = call(port, "POST", "/users",
                     {"name": "runner", "email": "runner@example.com", "password": "long enough 1"})
    assert status == 201
    status, token = call(port, "POST", "/auth/login",
                         {"email": "runner@example.com", "password": "long enough 1"})
    assert status == 200
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    statuses = [call(port, "GET", "/me", headers=headers)[0] for _ in range(20)]
    assert statuses == [200] * 20
    log = log_path.read_text(errors="replace")
    assert RUN_KEY_NOTICE in log
    assert WORKER_KEY_WARNING not in log
