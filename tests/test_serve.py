"""`make run` (scripts/serve.py): schema, then the server (Granian) with several workers
that must all accept the same tokens."""
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from scripts.processes import answers_ok, children_of, free_port, http_call

REPO = Path(__file__).resolve().parent.parent
WORKER_KEY_WARNING = "tokens die with this process"
RUN_KEY_NOTICE = "SECRET_KEY is not set: using a random one for this run"


@pytest.fixture
def served(db_server, tmp_path):
    database = f"boards_test_serve_{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = {name: value for name, value in os.environ.items() if name != "SECRET_KEY"}
    env.update(db_server.environment(), MYSQL_DB=database, BIND=f"127.0.0.1:{port}",
               WEB_WORKERS="2")
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "scripts/serve.py"], cwd=REPO, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert answers_ok(port, "/health", process, timeout=60), log_path.read_text(errors="replace")[-2000:]
        yield port, log_path, process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
        db_server.drop_database(database)


def test_every_worker_of_make_run_accepts_a_token_without_a_configured_key(served):
    port, log_path, _ = served
    signup = http_call(port, "POST", "/users",
                       {"name": "runner", "email": "runner@example.com", "password": "long enough 1"})
    assert signup.status == 201
    login = http_call(port, "POST", "/auth/login", {"email": "runner@example.com", "password": "long enough 1"})
    assert login.status == 200
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    # Each call on a new connection, so that any worker may take it.
    statuses = [http_call(port, "GET", "/me", headers=headers).status for _ in range(20)]
    assert statuses == [200] * 20
    log = log_path.read_text(errors="replace")
    assert RUN_KEY_NOTICE in log
    assert WORKER_KEY_WARNING not in log


def test_make_run_stopped_with_sigterm_stops_its_server_and_its_feed_worker(served):
    port, _, process = served
    started = children_of(process.pid)
    assert len(started) == 2  # the web server and the feed worker
    workers = [pid for child in started for pid in children_of(child)]
    assert len(workers) == 2
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 128 + signal.SIGTERM
    with pytest.raises(ConnectionRefusedError):
        http_call(port, "GET", "/health")
    assert not any(os.path.exists(f"/proc/{pid}") for pid in [*started, *workers])


def signed_up(port, name):
    email = f"{name}@example.com"
    user = http_call(port, "POST", "/users", {"name": name, "email": email, "password": "long enough 1"})
    login = http_call(port, "POST", "/auth/login", {"email": email, "password": "long enough 1"})
    return user.json(), {"Authorization": f"Bearer {login.json()['access_token']}"}


def test_make_run_keeps_the_feeds_with_its_worker(served):
    port, _, _ = served
    author, author_headers = signed_up(port, "author")
    _, reader_headers = signed_up(port, "reader")
    assert http_call(port, "PUT", f"/users/{author['id']}/follow", headers=reader_headers).status == 204
    board = http_call(port, "POST", "/boards", {"title": "news"}, author_headers).json()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        feed = http_call(port, "GET", "/feed", headers=reader_headers).json()["items"]
        if feed:
            break
        time.sleep(0.1)
    assert [item["id"] for item in feed] == [board["id"]]
