"""Load with wrk, and the server counters that say what a request costs."""
import http.client
import json
import os
import subprocess
import time
from pathlib import Path

from bench.procfs import clients_per_process
from scripts.processes import http_call

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"
STATUS_NAMES = ("Questions", "Connections", "Com_admin_commands")
SPREAD_CHECKS = 10  # reads of the spread, 50 ms apart, while wrk connects
SPREAD_ATTEMPTS = 20


def run_wrk(port, endpoint, headers, seconds, connections, worker_pids=(), even_only=True):
    """wrk's figures for one run. With `worker_pids`, the run only counts
    when wrk's connections are spread evenly over those gunicorn workers
    (2 + 2 for 4 connections over 2 workers): the workers race to accept,
    and one often takes 3 or all 4 (seen here: 26 of 30 runs), so the run
    would measure one process, not the app's two. wrk is restarted until
    the spread is even, up to SPREAD_ATTEMPTS times; the figures say the
    spread they were measured with and how many starts it took. With
    `even_only` false the first spread counts (bench/servers.py measures
    the spread a server gives)."""
    env = dict(os.environ)
    env["BENCH_METHOD"] = endpoint.method
    env["BENCH_BODY"] = json.dumps(endpoint.body) if endpoint.body is not None else ""
    env["BENCH_HEADERS"] = "\n".join(f"{name}: {value}" for name, value in headers.items())
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}{endpoint.path}"]
    for attempt in range(1, SPREAD_ATTEMPTS + 1):
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        spread = connection_spread(worker_pids, port, connections) if worker_pids else None
        if (even_only and spread is not None and not is_even(spread, connections)
                and attempt < SPREAD_ATTEMPTS):
            process.kill()
            process.communicate()
            continue
        out, err = process.communicate(timeout=seconds + 60)
        if process.returncode:
            raise subprocess.CalledProcessError(process.returncode, command, out, err)
        for line in out.splitlines():
            if line.startswith("BENCH_JSON "):
                figures = json.loads(line[len("BENCH_JSON "):])
                figures.update(spread=spread, starts=attempt,
                               even=None if spread is None else is_even(spread, connections))
                return figures
        raise RuntimeError(f"wrk printed no figures:\n{out}")


def connection_spread(worker_pids, port, connections):
    """Connections per worker, smallest first, once all are accepted (or
    after SPREAD_CHECKS reads)."""
    for _ in range(SPREAD_CHECKS):
        time.sleep(0.05)
        spread = sorted(clients_per_process(worker_pids, port).values())
        if sum(spread) >= connections:
            break
    return spread


def is_even(spread, connections):
    return sum(spread) == connections and spread[-1] - spread[0] <= 1


def paired_ratio(numerators, denominators):
    """The median of per-round ratios of two apps measured back to back in
    each round: a burst of other work on the machine moves one round's pair
    together and at worst one of the ratios, so it shifts the median less
    than a ratio of totals."""
    ratios = sorted(n["requests"] / n["duration_us"] / (d["requests"] / d["duration_us"])
                    for n, d in zip(numerators, denominators) if n["requests"] and d["requests"])
    if not ratios:
        return 0.0
    middle = len(ratios) // 2
    return ratios[middle] if len(ratios) % 2 else (ratios[middle - 1] + ratios[middle]) / 2


def combine_rounds(rounds):
    requests = sum(r["requests"] for r in rounds)
    seconds = sum(r["duration_us"] for r in rounds) / 1e6
    errors = sum(r[k] for r in rounds for k in r if k.startswith("errors_"))
    return {
        "rps": requests / seconds if seconds else 0.0,
        "p50_ms": sum(r["p50_us"] for r in rounds) / len(rounds) / 1000,
        "p99_ms": max(r["p99_us"] for r in rounds) / 1000,
        "requests": requests,
        "errors": errors,
        "rounds_rps": [r["requests"] / (r["duration_us"] / 1e6) for r in rounds],
        "wrk_restarts": sum(r.get("starts", 1) - 1 for r in rounds),
        "uneven_rounds": sum(1 for r in rounds if r.get("even") is False),
    }


class Admin:
    """The bench's own connection: server counters and clean-up."""

    def __init__(self, server, database):
        self.conn = server.connect(database=database)
        readings = [self.status() for _ in range(4)]
        self.calibration = {  # what reading the counters itself adds
            name: min(after[name] - before[name] for before, after in zip(readings, readings[1:]))
            for name in STATUS_NAMES
        }

    def status(self):
        with self.conn.cursor() as cursor:
            cursor.execute("SHOW GLOBAL STATUS WHERE Variable_name IN (%s, %s, %s)", STATUS_NAMES)
            return {name: int(value) for name, value in cursor.fetchall()}

    def delete_rows_after(self, last_board_id, last_comment_id):
        with self.conn.cursor() as cursor:
            comments = cursor.execute("DELETE FROM comments WHERE id > %s", (last_comment_id,))
            boards = cursor.execute("DELETE FROM boards WHERE id > %s", (last_board_id,))
        return boards + comments

    def close(self):
        self.conn.close()


def count_per_request(admin, port, endpoint, headers, requests):
    """Statements, new connections and pings per request, from server
    counters around `requests` sequential requests (after as many unmeasured
    ones, so every worker thread is past its first request)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for _ in range(requests):
            http_call(port, endpoint.method, endpoint.path, endpoint.body, headers, conn=conn)
        before = admin.status()
        statuses = [
            http_call(port, endpoint.method, endpoint.path, endpoint.body, headers, conn=conn).status
            for _ in range(requests)
        ]
        after = admin.status()
    finally:
        conn.close()
    delta = {n: (after[n] - before[n] - admin.calibration[n]) / requests for n in STATUS_NAMES}
    return {
        "statements": delta["Questions"],
        "connections": delta["Connections"],
        "pings": delta["Com_admin_commands"],
        "unexpected_status": sorted({s for s in statuses if s != endpoint.expect}),
    }
