"""Faults under a write load, with nothing lost.

Each test runs its own mariadbd (temp datadir, free port: never the shared
server) and the service under gunicorn, as production runs it, and under
Granian, the alternative bench/servers.py measures; drives several writer clients
(http.client, one keep-alive connection each), injects one fault in the
middle, and then checks every acknowledged write (201) against the database,
by id and content. The figures are printed (`-s`) for docs/reliability.md.
"""
import http.client
import os
import signal
import time
import uuid
from dataclasses import dataclass

import pytest

from scripts.client_threads import ClientThreads
from scripts.processes import SERVERS, http_call
from tests.helpers.service_process import ServiceProcess, init_database, query_all, threads_connected

pytestmark = pytest.mark.slow

CLIENTS = 6
MAX_REQUESTS_PER_CLIENT = 700
CLIENT_TIMEOUT = 10  # seconds: a request that takes longer counts as a hang
WRITES_BEFORE_FAULT = 1000
WRITES_AFTER_RECOVERY = 1000
OUTAGE_SECONDS = 1.5
RECOVERY_LIMIT_SECONDS = 5


@dataclass
class Attempt:
    kind: str  # "board" or "comment"
    body: dict
    started: float
    ended: float
    status: int = 0  # 0: no HTTP answer (see error)
    id: int = None
    retry_after: str = None
    error: str = None


class WriteLoad(ClientThreads):
    """CLIENTS threads, each alternating POST /boards and POST
    /boards/{id}/comments as its own user, until stopped or out of budget."""

    join_timeout = CLIENT_TIMEOUT * 2

    def __init__(self, service, accounts, budget=MAX_REQUESTS_PER_CLIENT):
        self.service = service
        self.accounts = accounts  # [(headers, board_id)]
        self.budget = budget  # requests per client at most
        self.attempts = []
        self.start_clients([(n, *account) for n, account in enumerate(accounts)])

    def acknowledged(self, since=0.0):
        with self.lock:
            return sum(1 for a in self.attempts if a.status == 201 and a.started >= since)

    def wait_for(self, count, since=0.0, timeout=60):
        deadline = time.monotonic() + timeout
        while self.acknowledged(since) < count and time.monotonic() < deadline:
            if not any(thread.is_alive() for thread in self.threads):
                break
            time.sleep(0.05)
        assert self.acknowledged(since) >= count, "the load did not reach its target"

    def _client(self, number, headers, board_id):
        conn = self.service.connection(CLIENT_TIMEOUT)
        for i in range(self.budget):
            if self.stop.is_set():
                break
            token = f"{number}-{i}-{uuid.uuid4().hex[:10]}"
            if i % 2 == 0:
                kind, path, body = "board", "/boards", {"title": f"t {token}", "content": f"c {token}"}
            else:
                kind, path, body = "comment", f"/boards/{board_id}/comments", {"content": f"c {token}"}
            attempt = Attempt(kind, body, started=time.monotonic(), ended=0.0)
            try:
                reply = http_call(self.service.port, "POST", path, body, headers, conn=conn)
                attempt.status = reply.status
                attempt.retry_after = reply.headers.get("Retry-After")
                if reply.status == 201:
                    attempt.id = reply.json()["id"]
            except TimeoutError:
                attempt.error = "timeout"
            except (OSError, http.client.HTTPException) as error:
                attempt.error = type(error).__name__
            attempt.ended = time.monotonic()
            with self.lock:
                self.attempts.append(attempt)
            if attempt.error:
                conn.close()
                conn = self.service.connection(CLIENT_TIMEOUT)
            elif attempt.status == 503:
                time.sleep(0.05)  # a polite client backs off a little
        conn.close()


def missing_writes(server, database, attempts):
    """The acknowledged writes that are not in the database as acknowledged,
    and how many rows exist that no 201 acknowledged."""
    boards = {
        row["id"]: row
        for row in query_all(server, database, "SELECT id, title, content FROM boards")
    }
    comments = {
        row["id"]: row for row in query_all(server, database, "SELECT id, content FROM comments")
    }
    missing = []
    for attempt in attempts:
        if attempt.status != 201:
            continue
        table = boards if attempt.kind == "board" else comments
        row = table.get(attempt.id)
        if row is None or any(row[key] != value for key, value in attempt.body.items()):
            missing.append(attempt)
    acknowledged = sum(1 for attempt in attempts if attempt.status == 201)
    # Each client's account made one board before the load: not an attempt.
    unacknowledged_rows = len(boards) + len(comments) - acknowledged - CLIENTS
    # A write may commit and still lose its answer (the database or the worker
    # died before the response); it may never appear twice or from nowhere.
    assert 0 <= unacknowledged_rows <= len(attempts) - acknowledged
    return missing, unacknowledged_rows


def figures(name, attempts, **extra):
    statuses = {}
    for attempt in attempts:
        key = attempt.status or attempt.error
        statuses[key] = statuses.get(key, 0) + 1
    line = f"\n{name}: attempted {len(attempts)}, acknowledged {statuses.get(201, 0)}, statuses {statuses}"
    print(line + "".join(f", {key} {value}" for key, value in extra.items()))


def mysql_client_ports(pid, server_port):
    """The local ports of a process's TCP connections to the database
    (its fds' socket inodes, looked up in /proc/net/tcp)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                local, remote, inode = fields[1], fields[2], fields[9]
                if inode in inodes and int(remote.rsplit(":", 1)[1], 16) == server_port:
                    ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports


def server_side_client_ports(server):
    """The client ports of the connections the database server holds."""
    conn = server.connect()
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT HOST FROM information_schema.PROCESSLIST")
        return {int(host.rsplit(":", 1)[1]) for (host,) in cursor.fetchall() if ":" in host}
    finally:
        conn.close()


def accounts_for(service, label):
    accounts = []
    for n in range(CLIENTS):
        _user, headers = service.signup(f"{label}{n}-{uuid.uuid4().hex[:6]}")
        board = http_call(service.port, "POST", "/boards", {"title": "comment here"}, headers)
        assert board.status == 201
        accounts.append((headers, board.json()["id"]))
    return accounts


@pytest.fixture(params=sorted(SERVERS))
def server_kind(request):
    return request.param


def wait_for_workers(service, replaced, timeout=30):
    """Until the service has its number of workers again, none of `replaced`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = service.worker_pids()
        if not set(replaced) & set(workers) and len(workers) == service.workers:
            return workers
        time.sleep(0.1)
    raise AssertionError(f"workers not replaced within {timeout} s: {service.worker_pids()}")


def test_database_killed_mid_write_loses_no_acknowledged_write(private_server, tmp_path, server_kind):
    server = private_server.server
    database = f"boards_fault_db_kill_{server_kind}"
    init_database(server, database)
    with ServiceProcess(server, database, tmp_path, server_kind=server_kind) as service:
        with WriteLoad(service, accounts_for(service, "dbkill")) as load:
            load.wait_for(WRITES_BEFORE_FAULT)
            killed_at = time.monotonic()
            private_server.kill()
            time.sleep(OUTAGE_SECONDS)
            restarting_at = time.monotonic()
            private_server.start()
            back_at = time.monotonic()  # the database answers again
            load.wait_for(WRITES_AFTER_RECOVERY, since=back_at)
        attempts = list(load.attempts)

        during = [a for a in attempts if killed_at <= a.started and a.ended <= restarting_at]
        recovered = min(a.ended for a in attempts if a.status == 201 and a.started >= back_at)
        missing, extra_rows = missing_writes(server, database, attempts)
        figures(
            "database killed mid-write", attempts,
            answered_during_outage=len(during),
            restart_s=round(back_at - restarting_at, 3),
            first_201_after_restart_s=round(recovered - back_at, 3),
            rows_found_for_acknowledged=sum(a.status == 201 for a in attempts) - len(missing),
            rows_not_acknowledged=extra_rows,
        )
        assert [a.error for a in attempts if a.error] == [], "hang or dropped connection"
        assert {a.status for a in attempts} <= {201, 503}
        assert during and {a.status for a in during} == {503}
        assert all(a.retry_after for a in attempts if a.status == 503)
        assert recovered - back_at <= RECOVERY_LIMIT_SECONDS
        assert missing == []
        assert "Traceback" not in service.log_text()


def test_worker_killed_under_load_loses_no_write_and_leaks_no_connection(
        private_server, tmp_path, server_kind):
    server = private_server.server
    database = f"boards_fault_worker_kill_{server_kind}"
    init_database(server, database)
    with ServiceProcess(server, database, tmp_path, server_kind=server_kind) as service:
        limit = service.workers * service.threads + 1  # + the connection asking
        with WriteLoad(service, accounts_for(service, "workerkill")) as load:
            load.wait_for(WRITES_BEFORE_FAULT)
            level = threads_connected(server)
            victim = service.worker_pids()[0]
            victim_ports = mysql_client_ports(victim, server.port)
            assert victim_ports and victim_ports <= server_side_client_ports(server)
            os.kill(victim, signal.SIGKILL)
            wait_for_workers(service, [victim])
            replaced_at = time.monotonic()
            load.wait_for(WRITES_AFTER_RECOVERY, since=replaced_at)
        attempts = list(load.attempts)

        # The killed worker's connections close with it: poll (bounded) for
        # the server to drop every one of them.
        deadline = time.monotonic() + 10
        left = victim_ports & server_side_client_ports(server)
        while left and time.monotonic() < deadline:
            time.sleep(0.2)
            left = victim_ports & server_side_client_ports(server)
        after = threads_connected(server)
        missing, extra_rows = missing_writes(server, database, attempts)
        figures(
            "worker killed", attempts,
            threads_connected_before=level, threads_connected_after=after,
            killed_worker_connections=len(victim_ports), still_open=len(left),
            rows_not_acknowledged=extra_rows,
        )
        assert left == set(), "the killed worker's database connections stayed open"
        assert level <= limit and after <= limit
        assert {a.status for a in attempts if not a.error} == {201}
        # Only a request sent to the killed worker (at most one per client
        # connection) may go unanswered.
        assert sum(1 for a in attempts if a.error) <= CLIENTS
        assert "timeout" not in {a.error for a in attempts}
        assert missing == []
    assert threads_connected(server) == 1  # the service stopped: only ours is left


def test_graceful_restart_under_load_answers_every_write_it_takes(private_server, tmp_path, server_kind):
    """SIGHUP to the master: new workers replace the old ones, which finish
    what they hold. A request is either answered or never read: no 5xx, no
    row without its 201, no hang."""
    server = private_server.server
    database = f"boards_fault_restart_{server_kind}"
    init_database(server, database)
    with ServiceProcess(server, database, tmp_path, server_kind=server_kind) as service:
        # Granian replaces its workers one after the other, 3.5 s apart: the
        # clients write all along.
        with WriteLoad(service, accounts_for(service, "restart"), budget=4 * MAX_REQUESTS_PER_CLIENT) as load:
            load.wait_for(WRITES_BEFORE_FAULT)
            old = service.worker_pids()
            hup_at = time.monotonic()
            os.kill(service.process.pid, signal.SIGHUP)
            wait_for_workers(service, old, timeout=60)
            replaced_at = time.monotonic()
            load.wait_for(WRITES_AFTER_RECOVERY, since=replaced_at)
        attempts = list(load.attempts)
        missing, extra_rows = missing_writes(server, database, attempts)
        figures(
            "graceful restart", attempts, server=server_kind,
            workers_replaced_s=round(replaced_at - hup_at, 2),
            unanswered=sum(1 for a in attempts if a.error),
            rows_not_acknowledged=extra_rows,
        )
        assert {a.status for a in attempts if not a.error} == {201}
        # An old worker closes the keep-alive connections it holds idle; a
        # client whose next request crossed that close gets no answer, at
        # most once per connection, and that request was never run.
        assert sum(1 for a in attempts if a.error) <= CLIENTS
        assert "timeout" not in {a.error for a in attempts}
        assert extra_rows == 0
        assert missing == []
        assert "Traceback" not in service.log_text()
