"""Load: 32 concurrent connections for 30 s of mixed reads and writes (wrk)
against the service under its production server (Granian) on loopback, its own
private mariadbd.

Result to keep: no socket error, every answer 200 or 201, no write lost, and
MySQL connections never above workers x threads (polled during the run).
wrk comes from Debian's package (scripts/install_debian.sh, run by `make test`).
"""
import re
import shutil
import subprocess
import threading
import time
import uuid

import pytest

from scripts.dbserver import start_private
from scripts.processes import http_call
from tests.helpers.service_process import ServiceProcess, init_database, query_all, threads_connected

pytestmark = pytest.mark.slow

CONNECTIONS = 32
DURATION_SECONDS = 30
WRK_THREADS = 2

# One request in ten is a board, one a comment, the rest reads: the board
# list, single boards, a user's boards and a board's comments.
MIXED_LOAD_LUA = r"""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("BOARDS_TOKEN")
  user_id = os.getenv("BOARDS_USER_ID")
  ids = {}
  for id in string.gmatch(os.getenv("BOARDS_IDS"), "%d+") do table.insert(ids, id) end
  counter = 0
  statuses = {}
end

function request()
  counter = counter + 1
  local id = ids[(counter % #ids) + 1]
  local slot = counter % 10
  local write_headers = {["Content-Type"] = "application/json",
                         ["Authorization"] = "Bearer " .. token}
  if slot == 0 then
    return wrk.format("POST", "/boards", write_headers, '{"title": "load", "content": "wrk"}')
  elseif slot == 1 then
    return wrk.format("POST", "/boards/" .. id .. "/comments", write_headers, '{"content": "wrk"}')
  elseif slot <= 3 then
    return wrk.format("GET", "/boards/" .. id)
  elseif slot == 4 then
    return wrk.format("GET", "/users/" .. user_id .. "/boards?limit=10")
  elseif slot == 5 then
    return wrk.format("GET", "/boards/" .. id .. "/comments?limit=10")
  else
    return wrk.format("GET", "/boards?limit=20")
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + n
    end
  end
  for status, n in pairs(totals) do
    io.write(string.format("status %d %d\n", status, n))
  end
  local e = summary.errors
  io.write(string.format("socket_errors connect %d read %d write %d timeout %d\n",
                         e.connect, e.read, e.write, e.timeout))
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("latency_p99_ms %.1f\n", latency:percentile(99) / 1000))
end
"""


def wrk_binary():
    found = shutil.which("wrk")
    assert found, "wrk is missing: run scripts/install_debian.sh wrk wrk (apt-get install wrk)"
    return found


class ConnectionPoller(threading.Thread):
    """Polls Threads_connected on the private server while the load runs."""

    def __init__(self, server, interval=0.5):
        super().__init__(daemon=True)
        self.server = server
        self.interval = interval
        self.samples = []
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            self.samples.append(threads_connected(self.server))
            self.halt.wait(self.interval)


def parse_wrk(output):
    statuses = {int(code): int(n) for code, n in re.findall(r"^status (\d+) (\d+)$", output, re.M)}
    errors = dict(
        (name, int(n)) for name, n in re.findall(r"(connect|read|write|timeout) (\d+)", output)
    )
    requests = int(re.search(r"^requests (\d+)$", output, re.M).group(1))
    p99 = float(re.search(r"^latency_p99_ms ([\d.]+)$", output, re.M).group(1))
    return statuses, errors, requests, p99


def test_mixed_load_32_connections_30_seconds(tmp_path):
    wrk = wrk_binary()
    private = start_private()
    try:
        server = private.server
        database = "boards_load"
        init_database(server, database)
        with ServiceProcess(server, database, tmp_path) as service:
            user, headers = service.signup(f"load-{uuid.uuid4().hex[:6]}")
            board_ids = []
            for n in range(20):
                board = http_call(service.port, "POST", "/boards", {"title": f"seed {n}"}, headers)
                assert board.status == 201
                board_ids.append(board.json()["id"])
            rows_before = len(query_all(server, database, "SELECT id FROM boards")) + len(
                query_all(server, database, "SELECT id FROM comments")
            )
            script = tmp_path / "mixed.lua"
            script.write_text(MIXED_LOAD_LUA)
            env = {
                "BOARDS_TOKEN": headers["Authorization"].split()[1],
                "BOARDS_USER_ID": str(user["id"]),
                "BOARDS_IDS": ",".join(map(str, board_ids)),
                "PATH": "/usr/bin:/bin",
            }
            poller = ConnectionPoller(server)
            poller.start()
            try:
                run = subprocess.run(
                    [wrk, f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{DURATION_SECONDS}s",
                     "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{service.port}"],
                    capture_output=True, text=True, env=env, timeout=DURATION_SECONDS + 60,
                )
            finally:
                poller.halt.set()
                poller.join()
            assert run.returncode == 0, run.stderr
            # Requests still in flight when wrk stopped may have been written.
            time.sleep(0.5)
            rows_after = len(query_all(server, database, "SELECT id FROM boards")) + len(
                query_all(server, database, "SELECT id FROM comments")
            )
            limit = service.workers * service.threads + 1  # + the poller's own
    finally:
        private.stop()

    statuses, errors, requests, p99 = parse_wrk(run.stdout)
    created = rows_after - rows_before
    print(
        f"\nload: {requests} requests in {DURATION_SECONDS}s over {CONNECTIONS} connections, "
        f"statuses {statuses}, socket errors {errors}, p99 {p99} ms, "
        f"rows created {created}, Threads_connected max {max(poller.samples)} "
        f"(limit {limit}, {len(poller.samples)} samples)"
    )
    assert errors == {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    assert set(statuses) == {200, 201}
    assert sum(statuses.values()) == requests
    # Every 201 is a row; at most one request per connection was cut off by
    # the end of the run after its row was written.
    assert statuses[201] <= created <= statuses[201] + CONNECTIONS
    assert max(poller.samples) <= limit
