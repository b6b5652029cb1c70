"""The worker as it runs in production (`flask --app app worker`, a process
of its own): killed in the middle of a fan-out it loses nothing and applies
nothing twice; it stops cleanly on SIGTERM; its backlog shows in the log
and in /health."""
import signal
import time
import uuid

import pytest

import feeds
from tests.helpers.service_process import WorkerProcess, init_database, query_all

FOLLOWERS = 3 * feeds.FAN_OUT_BATCH + 500  # four batches


def execute(db_server, database, statements):
    conn = db_server.connect(database=database)
    try:
        with conn.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
    finally:
        conn.close()


@pytest.fixture
def celebrity(db_server, module_database):
    """An author with FOLLOWERS followers (loaded with SQL, feeds made as
    `flask rebuild` would: an empty timeline row each), and one new board
    waiting in the outbox. Returns (author id, board id, follower ids)."""
    tag = uuid.uuid4().hex[:6]
    execute(db_server, module_database, [("DELETE FROM outbox", None)])
    conn = db_server.connect(database=module_database)
    try:
        with conn.cursor() as cursor:
            cursor.executemany("INSERT INTO users (name, email, password_hash) VALUES (%s, %s, 'x')",
                               [(f"w{tag}_{n}", f"w{tag}_{n}@example.com") for n in range(FOLLOWERS + 1)])
    finally:
        conn.close()
    ids = [row["id"] for row in query_all(
        db_server, module_database, "SELECT id FROM users WHERE name LIKE %s ORDER BY id", (f"w{tag}_%",))]
    author, followers = ids[0], ids[1:]
    execute(db_server, module_database, [
        ("INSERT INTO follows (follower_id, followee_id) SELECT id, %s FROM users WHERE id > %s AND id <= %s",
         (author, author, followers[-1])),
        ("INSERT INTO timelines (user_id) SELECT id FROM users WHERE id > %s AND id <= %s",
         (author, followers[-1])),
        ("INSERT INTO boards (user_id, title, content) VALUES (%s, 'news', '')", (author,)),
    ])
    board = query_all(db_server, module_database, "SELECT MAX(id) AS id FROM boards")[0]["id"]
    execute(db_server, module_database, [
        ("INSERT INTO outbox (kind, author_id, board_id, created_at) VALUES ('board_created', %s, %s, NOW(6))",
         (author, board)),
    ])
    return author, board, followers


def wait_for(condition, timeout=60, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def outbox(db_server, database):
    return query_all(db_server, database, "SELECT kind, progress FROM outbox")


def test_a_worker_killed_mid_batch_loses_nothing_and_applies_nothing_twice(
    db_server, module_database, celebrity, tmp_path
):
    author, board, followers = celebrity
    blocker = followers[2 * feeds.FAN_OUT_BATCH + 10]  # in the third batch
    lock = db_server.connect(database=module_database)
    lock.begin()
    with lock.cursor() as cursor:  # the third batch waits on this row, its transaction open
        cursor.execute("SELECT entries FROM timelines WHERE user_id = %s FOR UPDATE", (blocker,))
    first = WorkerProcess(db_server, module_database, tmp_path / "first.log").start()
    try:
        wait_for(lambda: outbox(db_server, module_database)[0]["progress"] == followers[2 * feeds.FAN_OUT_BATCH - 1],
                 what="two batches done")
        time.sleep(0.5)  # the third batch is under way, stuck on the lock
        assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    finally:
        lock.rollback()
        lock.close()
    entries = query_all(db_server, module_database,
                        "SELECT COUNT(*) AS n FROM timeline_entries WHERE board_id = %s", (board,))[0]["n"]
    assert entries == 2 * feeds.FAN_OUT_BATCH  # the killed batch left nothing behind

    second = WorkerProcess(db_server, module_database, tmp_path / "second.log").start()
    try:
        wait_for(lambda: not outbox(db_server, module_database), what="the outbox emptied")
    finally:
        assert second.stop() == 0
    rows = query_all(db_server, module_database,
                     "SELECT e.user_id, t.entries FROM timeline_entries AS e "
                     "JOIN timelines AS t ON t.user_id = e.user_id WHERE e.board_id = %s", (board,))
    assert sorted(row["user_id"] for row in rows) == followers  # every follower, once each
    assert {row["entries"] for row in rows} == {1}  # counted once each
    assert "worker stopped" in second.log_text()


def test_the_worker_stops_on_sigterm_and_logs_its_backlog(db_server, module_database, celebrity, tmp_path):
    worker = WorkerProcess(db_server, module_database, tmp_path / "worker.log").start()
    try:
        wait_for(lambda: not outbox(db_server, module_database), what="the outbox emptied")
    finally:
        assert worker.stop(signal.SIGTERM) == 0
    log = worker.log_text()
    assert "worker started" in log and "worker stopped" in log
    assert "outbox backlog: " in log


def test_health_shows_the_backlog_of_a_worker_that_is_not_running(client, db, signup):
    author, author_headers = signup()
    _, headers = signup()
    client.put(f"/users/{author['id']}/follow", headers=headers)
    for _ in range(3):
        client.post("/boards", json={"title": "t"}, headers=author_headers)
    worker = client.get("/health").json["worker"]
    assert worker["backlog"] == 3
    assert worker["oldest_seconds"] >= 0


def test_health_says_nothing_waits_when_the_outbox_is_empty(client, db):
    assert client.get("/health").json["worker"] == {"backlog": 0, "oldest_seconds": None}


def test_a_worker_waits_out_a_database_that_is_down(private_server, tmp_path):
    """The database goes away under the worker: it logs it, keeps trying,
    and applies the outbox once the database is back."""
    server = private_server.server
    name = "boards_worker_down"
    init_database(server, name)
    execute(server, name, [
        ("INSERT INTO users (id, name, email, password_hash) VALUES (1, 'a', 'a@x', 'x'), (2, 'b', 'b@x', 'x')",
         None),
        ("INSERT INTO follows (follower_id, followee_id) VALUES (2, 1)", None),
    ])
    worker = WorkerProcess(server, name, tmp_path / "worker.log").start()
    try:
        time.sleep(1)
        private_server.kill()
        wait_for(lambda: "database unreachable" in worker.log_text(), what="the worker noticing")
        private_server.start()
        execute(server, name, [
            ("INSERT INTO boards (id, user_id, title, content) VALUES (7, 1, 't', '')", None),
            ("INSERT INTO outbox (kind, author_id, board_id, created_at) VALUES ('board_created', 1, 7, NOW(6))",
             None),
        ])
        wait_for(lambda: query_all(server, name, "SELECT 1 FROM timeline_entries WHERE user_id = 2 AND board_id = 7"),
                 what="the board fanned out after the restart")
    finally:
        assert worker.stop() == 0
    assert worker.process.returncode == 0
