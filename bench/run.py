"""`make bench`: the service against a bare reference app, same data, same run.

1. A database server of its own (a private mariadbd/mysqld on a free port, so
   the server-wide counters are quiet), or DATABASE_URL / --database-url.
2. A throwaway database seeded with SQL (bench/seed.py).
3. The service (wsgi:app) and the reference (bench/reference_app.py), each
   under gunicorn with the repo's gunicorn.conf.py, on free loopback ports.
4. Per endpoint: wrk at 4 connections for a fixed time, service and reference
   alternating (S R, then R S, ...); then SQL statements and new connections
   per request from SHOW GLOBAL STATUS deltas around sequential requests.
5. Worker RSS from /proc, an in-process profile of GET /boards page 1.
6. One table on stdout and in bench/RESULTS.md (or --results).

Everything it starts is stopped at the end (process groups, try/finally).
"""
import argparse
import contextlib
import http.client
import importlib.metadata
import json
import logging
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import seed as seeding  # noqa: E402
from scripts import dbserver  # noqa: E402

BENCH_DIR = ROOT / "bench"
WRK_SCRIPT = BENCH_DIR / "wrk_report.lua"
SECRET_KEY = "bench-secret-key-that-is-long-enough-for-hs256"
PAGE_SIZE = 20
DEEP_PAGE = 1000
TARGETS = {"page": 0.55, "single": 0.6, "write": 0.5}
DEEP_COST_LIMIT = 1.2
RSS_LIMIT_MB = 80
STATUS_NAMES = ("Questions", "Connections", "Com_admin_commands")

log = logging.getLogger("bench")


# Endpoints


@dataclass
class Endpoint:
    name: str
    kind: str  # page | single | write
    method: str
    path: str
    body: dict | None = None
    as_caller: bool = False  # service: bearer token; reference: X-User-Id
    expect: int = 200
    deep_of: str | None = None  # name of the page-1 endpoint this is the deep page of

    def headers(self, app, caller):
        if not self.as_caller:
            return {}
        if app == "service":
            return {"Authorization": f"Bearer {caller['token']}"}
        return {"X-User-Id": str(caller["user_id"])}


def endpoints(dataset, cursors):
    hot = dataset.hot_board_id
    boards_depth, boards_cursor = cursors["boards"]
    feed_depth, feed_cursor = cursors["feed"]
    return [
        Endpoint("GET /boards (page 1)", "page", "GET", "/boards"),
        Endpoint(f"GET /boards (page {boards_depth})", "page", "GET",
                 f"/boards?cursor={boards_cursor}", deep_of="GET /boards (page 1)"),
        Endpoint("GET /boards/<id>", "single", "GET", f"/boards/{hot}"),
        Endpoint("GET /users/<id>", "single", "GET", f"/users/{dataset.other_user_id}"),
        Endpoint("GET /boards/<id>/comments", "page", "GET", f"/boards/{hot}/comments"),
        Endpoint("GET /feed (page 1)", "page", "GET", "/feed", as_caller=True),
        Endpoint(f"GET /feed (page {feed_depth})", "page", "GET", f"/feed?cursor={feed_cursor}",
                 as_caller=True, deep_of="GET /feed (page 1)"),
        Endpoint("POST /boards", "write", "POST", "/boards", as_caller=True, expect=201,
                 body={"title": "A bench board", "content": "Written by wrk; deleted after the run."}),
        Endpoint("POST /boards/<id>/comments", "write", "POST", f"/boards/{hot}/comments",
                 as_caller=True, expect=201, body={"content": "A bench comment, deleted after the run."}),
    ]


def deep_cursors(admin, dataset):
    """(page number, cursor) of the deepest page to load: page 1,000 of
    /boards (or the last full page of a smaller set), the last full page of
    the feed. A cursor is the last id of the page before."""
    from app import create_app
    from pagination import encode_cursor

    with admin.conn.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM boards")
        (board_count,) = cursor.fetchone()
        cursor.execute(
            "SELECT b.id FROM boards AS b JOIN follows AS f ON f.followee_id = b.user_id "
            "WHERE f.follower_id = %s ORDER BY b.id DESC", (dataset.user_id,))
        feed_ids = [row[0] for row in cursor.fetchall()]
        boards_depth = max(2, min(DEEP_PAGE, board_count // PAGE_SIZE))
        cursor.execute("SELECT id FROM boards ORDER BY id DESC LIMIT 1 OFFSET %s",
                       ((boards_depth - 1) * PAGE_SIZE - 1,))
        (boards_last_id,) = cursor.fetchone()
    feed_depth = max(2, min(DEEP_PAGE, len(feed_ids) // PAGE_SIZE))
    feed_last_id = feed_ids[(feed_depth - 1) * PAGE_SIZE - 1]
    app = create_app({"SECRET_KEY": SECRET_KEY, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        return {"boards": (boards_depth, encode_cursor(boards_last_id)),
                "feed": (feed_depth, encode_cursor(feed_last_id))}


# Processes


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """One gunicorn master in its own process group, logs to a file."""

    def __init__(self, name, wsgi_target, env, log_dir):
        self.name = name
        self.port = free_port()
        self.log_path = Path(log_dir) / f"{name}.log"
        with open(self.log_path, "wb") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
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


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


# HTTP


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


def login(port, dataset):
    status, data = http_call(port, "POST", "/auth/login",
                             body={"email": dataset.email, "password": dataset.password})
    if status != 200:
        raise RuntimeError(f"bench login failed: {status} {data[:200]!r}")
    return json.loads(data)["access_token"]


# Load


def run_wrk(port, endpoint, headers, seconds, connections):
    env = dict(os.environ)
    env["BENCH_METHOD"] = endpoint.method
    env["BENCH_BODY"] = json.dumps(endpoint.body) if endpoint.body is not None else ""
    env["BENCH_HEADERS"] = "\n".join(f"{name}: {value}" for name, value in headers.items())
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}{endpoint.path}"]
    out = subprocess.run(command, env=env, capture_output=True, text=True,
                         timeout=seconds + 60, check=True).stdout
    for line in out.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    raise RuntimeError(f"wrk printed no figures:\n{out}")


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
            http_call(port, endpoint.method, endpoint.path, headers, endpoint.body, conn=conn)
        before = admin.status()
        statuses = [
            http_call(port, endpoint.method, endpoint.path, headers, endpoint.body, conn=conn)[0]
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


# Profile


def _in(fragment, *functions):
    """A frame in a file whose path contains `fragment`, optionally only these
    functions (decorator wrappers such as webargs' use_args nest the view, so
    they must not swallow it)."""
    def matches(frame):
        path = frame.file_path or ""
        return fragment in path and (not functions or frame.function in functions)
    return matches


def _any(*rules):
    return lambda frame: any(rule(frame) for rule in rules)


# The first rule that matches a frame, top-down, takes the frame's whole time.
PROFILE_CATEGORIES = (
    ("Flask routing (URL adapter + match)", _any(
        _in("/flask/ctx.py", "match_request"), _in("/flask/app.py", "create_url_adapter"))),
    ("argument parsing (webargs + marshmallow load + cursor)", _in("/webargs/core.py", "parse")),
    ("SQL round trip (aiosql + mysqlclient)", _any(_in("/aiosql/"), _in("/MySQLdb/"))),
    ("connection checkout/teardown (db.py)", _in(str(ROOT / "db.py"))),
    ("marshmallow dumping", _in("/marshmallow/schema.py", "dump")),
    ("JSON encoding + Response (flask.json)", _in("/flask/json/")),
    ("next cursor + Link header (pagination.page)", _in(str(ROOT / "pagination.py"), "page")),
    ("request id + access log line", _any(_in(str(ROOT / "request_log.py")), _in("/logging/"))),
    ("auth (flask-jwt-extended)", _any(
        _in("/flask_jwt_extended/view_decorators.py", "verify_jwt_in_request"), _in("/jwt/"))),
)


def _categorize(frame, totals):
    for name, matches in PROFILE_CATEGORIES:
        if matches(frame):
            totals[name] = totals.get(name, 0.0) + frame.time
            return
    for child in frame.children:
        _categorize(child, totals)


def _app_frames(frame):
    if frame.function == "wsgi_app" and (frame.file_path or "").endswith("flask/app.py"):
        return [frame]
    return [found for child in frame.children for found in _app_frames(child)]


@contextlib.contextmanager
def access_log_to_devnull():
    """The service logs one line per request at INFO; keep that cost in the
    profile, but not the output."""
    root = logging.getLogger()
    level = root.level
    streams = [(h, h.setStream(open(os.devnull, "w"))) for h in root.handlers
               if isinstance(h, logging.StreamHandler)]
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.setLevel(level)
        for handler, stream in streams:
            handler.setStream(stream).close()


def profile_page_one(server, dataset, requests):
    """GET /boards page 1 through the Flask test client, in this process,
    under pyinstrument; time per request split by where it goes."""
    from pyinstrument import Profiler

    from app import create_app

    app = create_app({**server.app_config(dataset.database), "SECRET_KEY": SECRET_KEY})
    client = app.test_client()
    with access_log_to_devnull():
        for _ in range(50):
            assert client.get("/boards").status_code == 200
        started = time.perf_counter()
        for _ in range(requests):
            client.get("/boards")
        plain_us = (time.perf_counter() - started) / requests * 1e6
        profiler = Profiler(interval=0.0001)
        with profiler:
            for _ in range(requests):
                client.get("/boards")
    app.extensions["boards_db"].close_thread_connection()
    root = profiler.last_session.root_frame()
    app_frames = _app_frames(root)
    app_time = sum(frame.time for frame in app_frames)
    totals = {}
    for frame in app_frames:
        _categorize(frame, totals)
    parts = [(name, totals.get(name, 0.0)) for name, _ in PROFILE_CATEGORIES]
    parts.append(("rest of Flask/flask-smorest/werkzeug (contexts, hooks, response)",
                  app_time - sum(totals.values())))
    return {
        "tree": profiler.output_text(unicode=True, color=False),
        "requests": requests,
        "plain_us_per_request": plain_us,
        "profiled_app_us_per_request": app_time / requests * 1e6,
        "client_us_per_request": root.time / requests * 1e6,
        "parts": [
            {"part": name, "us": t / requests * 1e6, "share": t / app_time if app_time else 0.0}
            for name, t in parts
        ],
    }


# Report


def versions(admin):
    def version_of(name):
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "?"

    with admin.conn.cursor() as cursor:
        cursor.execute("SELECT VERSION()")
        (server_version,) = cursor.fetchone()
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()
    found = {"python": platform.python_version(), "server": server_version,
             "wrk": wrk[1] if len(wrk) > 1 else "?"}
    for name in ("flask", "flask-smorest", "marshmallow", "webargs", "flask-mysqldb",
                 "mysqlclient", "aiosql", "flask-jwt-extended", "gunicorn", "pyinstrument"):
        found[name] = version_of(name)
    return found


def machine():
    model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_kb = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    return {"cores": os.cpu_count(), "cpu": model, "memory_gib": round(memory_kb / 1024**2, 1),
            "kernel": platform.release()}


def checks(results):
    """The issue's targets, each with its figure and met or not."""
    rows = {row["name"]: row for row in results["endpoints"]}
    found = []
    for row in results["endpoints"]:
        target = TARGETS[row["kind"]]
        found.append((f"{row['name']}: req/s ratio to the reference >= {target}",
                      f"{row['ratio']:.2f}", row["ratio"] >= target))
    for row in results["endpoints"]:
        if row["method"] != "GET":
            continue
        limit = 2 if row["as_caller"] else 1
        statements = row["service"]["statements"]
        found.append((f"{row['name']}: SQL statements per request <= {limit}",
                      f"{statements:.2f}", statements <= limit + 0.01))
    worst = max(row["service"]["connections"] for row in results["endpoints"])
    found.append(("new MySQL connections per request = 0 (steady state, every endpoint)",
                  f"max {worst:.2f}", worst <= 0.001))
    for row in results["endpoints"]:
        if row["deep_of"]:
            first = rows[row["deep_of"]]["service"]["rps"]
            cost = first / row["service"]["rps"] if row["service"]["rps"] else math.inf
            found.append((f"{row['name']} costs <= {DEEP_COST_LIMIT} x page 1 (req/s of page 1 / this)",
                          f"{cost:.2f}", cost <= DEEP_COST_LIMIT))
    rss = results["rss_mb"]["service"]
    found.append((f"service worker RSS < {RSS_LIMIT_MB} MB after the run",
                  ", ".join(f"{mb:.1f}" for mb in rss), bool(rss) and max(rss) < RSS_LIMIT_MB))
    return [{"target": t, "figure": f, "met": m} for t, f, m in found]


def text_table(results):
    head = ("endpoint", "target", "svc req/s", "ref req/s", "ratio", "svc p50/p99 ms",
            "ref p50/p99 ms", "SQL/req svc|ref", "conn/req svc|ref", "errors svc|ref")
    lines = [head]
    for row in results["endpoints"]:
        s, r = row["service"], row["reference"]
        lines.append((
            row["name"], f"{TARGETS[row['kind']]:.2f}", f"{s['rps']:.0f}", f"{r['rps']:.0f}",
            f"{row['ratio']:.2f}", f"{s['p50_ms']:.2f}/{s['p99_ms']:.2f}",
            f"{r['p50_ms']:.2f}/{r['p99_ms']:.2f}", f"{s['statements']:.2f}|{r['statements']:.2f}",
            f"{s['connections']:.2f}|{r['connections']:.2f}", f"{s['errors']}|{r['errors']}",
        ))
    return lines


def markdown(results):
    m, v, d, load = results["machine"], results["versions"], results["dataset"], results["load"]
    sizes = d["sizes"]
    out = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`bench/run.py`); rerun it to refresh this file. How it",
        "measures and what the figures mean: `bench/README.md`.",
        "",
        f"- Date: {results['date']}",
        f"- Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB memory, Linux {m['kernel']}",
        "- Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        f"- Database server: {results['server_origin']}",
        f"- Dataset: {sizes['users']:,} users, {sizes['boards']:,} boards, {sizes['comments']:,} "
        f"comments, {sizes['follows']:,} follows (user {d['user_id']} follows {sizes['followed']})",
        f"- Load: wrk, {load['connections']} connections, 1 thread, {load['rounds']} round(s) of "
        f"{load['seconds']} s per endpoint and app, service and reference alternating; both under "
        f"gunicorn ({load['gunicorn']})",
        f"- Counters: SHOW GLOBAL STATUS deltas (Questions, Connections, Com_admin_commands = "
        f"pings) around {load['count_requests']} sequential requests, after as many unmeasured ones",
        f"- Rows written by the POST runs and deleted afterwards: {results['rows_deleted']:,}",
        "",
        "## Results",
        "",
    ]
    table = text_table(results)
    out.append("| " + " | ".join(table[0]) + " |")
    out.append("|" + "---|" * len(table[0]))
    out.extend("| " + " | ".join(cells) + " |" for cells in table[1:])
    out += ["", "Pings per request (service | reference): " + ", ".join(
        f"{row['name']} {row['service']['pings']:.2f} | {row['reference']['pings']:.2f}"
        for row in results["endpoints"]) + "."]
    out += ["", "Service req/s per round: " + "; ".join(
        f"{row['name']} " + " / ".join(f"{x:.0f}" for x in row["service"]["rounds_rps"])
        for row in results["endpoints"]) + "."]
    out += ["", "Reference req/s per round: " + "; ".join(
        f"{row['name']} " + " / ".join(f"{x:.0f}" for x in row["reference"]["rounds_rps"])
        for row in results["endpoints"]) + "."]
    rss = results["rss_mb"]
    out += ["", "Worker RSS after the run (VmRSS, MB): service "
            + ", ".join(f"{x:.1f}" for x in rss["service"]) + "; reference "
            + ", ".join(f"{x:.1f}" for x in rss["reference"]) + ".", "", "## Targets", ""]
    out += [f"- [{'x' if c['met'] else ' '}] {c['target']}: **{c['figure']}**"
            + ("" if c["met"] else " (missed)") for c in results["checks"]]
    profile = results.get("profile")
    if profile:
        out += [
            "", "## Profile: GET /boards page 1", "",
            f"In-process, Flask test client against the seeded database, pyinstrument, "
            f"{profile['requests']:,} requests. Without the profiler a request takes "
            f"{profile['plain_us_per_request']:.0f} µs through the test client; under it, "
            f"{profile['profiled_app_us_per_request']:.0f} µs inside `Flask.wsgi_app` "
            f"(the split below is of that time). The whole call tree is in "
            f"`profile_boards_page1.txt` next to this file.",
            "", "| part | µs/request | share |", "|---|---|---|",
        ]
        out += [f"| {p['part']} | {p['us']:.0f} | {p['share']:.0%} |" for p in profile["parts"]]
    return "\n".join(out) + "\n"


def print_table(results):
    table = text_table(results)
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
    rss = results["rss_mb"]
    print(f"worker RSS MB: service {[round(x, 1) for x in rss['service']]}, "
          f"reference {[round(x, 1) for x in rss['reference']]}")
    for check in results["checks"]:
        print(f"[{'met' if check['met'] else 'MISSED'}] {check['target']}: {check['figure']}")
    if results.get("profile"):
        print("profile of GET /boards page 1 (µs/request):")
        for part in results["profile"]["parts"]:
            print(f"  {part['us']:7.0f}  {part['share']:4.0%}  {part['part']}")


# Main


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Benchmark the service against a bare reference.")
    seeding.add_size_arguments(parser)
    parser.add_argument("--seconds", type=int, default=5, help="wrk time per round (default 5)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per endpoint and app (default 2)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=2, help="wrk seconds per app before measuring")
    parser.add_argument("--count-requests", type=int, default=20,
                        help="sequential requests per counter measurement")
    parser.add_argument("--threads", type=int, default=None,
                        help="gunicorn threads per worker (default: gunicorn.conf.py's)")
    parser.add_argument("--profile-requests", type=int, default=2000, help="0: no profile")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="mysql://user:pass@host:port of a server to use (default: a private "
                             "mariadbd/mysqld started for the run; env DATABASE_URL)")
    parser.add_argument("--results", default=str(BENCH_DIR / "RESULTS.md"))
    parser.add_argument("--json", default=None, help="also write the figures as JSON here")
    return parser.parse_args(argv)


def ensure_wrk():
    subprocess.run(["bash", str(ROOT / "scripts" / "install_wrk.sh")], check=True)


def start_server(stack, database_url):
    if database_url:
        server = dbserver.from_url(database_url)
        if not dbserver.answers(server, timeout=5):
            raise SystemExit(f"--database-url names a server that does not answer: {server.host}")
        return server
    binary = dbserver.find_server_binary()
    if binary is None:
        raise SystemExit(dbserver.INSTALL_HINT)
    private = dbserver.start_private(binary)
    stack.callback(private.stop)
    return private.server


def app_env(server, dataset, threads):
    env = dict(os.environ)
    env.update(server.environment())
    env.update({"MYSQL_DB": dataset.database, "SECRET_KEY": SECRET_KEY,
                "BOARDS_ENV": "production", "PYTHONDONTWRITEBYTECODE": "1"})
    if threads:
        env["GUNICORN_THREADS"] = str(threads)
    env.pop("DATABASE_URL", None)
    return env


def gunicorn_settings(threads):
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_gunicorn_conf", ROOT / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return f"{conf.workers} workers, {conf.worker_class}, {threads or conf.threads} threads each"


def say(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def main(argv=None):
    args = parse_args(argv)
    sizes = seeding.sizes_from_arguments(args)
    ensure_wrk()
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        log_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="boards-bench-"))
        server = start_server(stack, args.database_url)
        database = f"{seeding.BENCH_PREFIX}{uuid.uuid4().hex[:12]}"
        stack.callback(seeding.drop, server, database)
        say(f"seeding {database} on {server.origin} {server.host}:{server.port}: {sizes}")
        dataset = seeding.seed(server, database, sizes, SECRET_KEY)
        admin = Admin(server, database)
        stack.callback(admin.close)
        cursors = deep_cursors(admin, dataset)

        env = app_env(server, dataset, args.threads)
        apps = {
            "service": Gunicorn("service", "wsgi:app", env, log_dir),
            "reference": Gunicorn("reference", "bench.reference_app:application", env, log_dir),
        }
        for app in apps.values():
            stack.callback(app.stop)
        apps["service"].wait_ready("/health")
        apps["reference"].wait_ready("/health")
        caller = {"token": login(apps["service"].port, dataset), "user_id": dataset.user_id}
        say(f"service on :{apps['service'].port}, reference on :{apps['reference'].port}")

        todo = endpoints(dataset, cursors)
        for name, app in apps.items():
            for endpoint in todo:
                status, body = http_call(app.port, "GET", endpoint.path,
                                         endpoint.headers(name, caller)) if endpoint.method == "GET" \
                    else (endpoint.expect, b"")
                if status != endpoint.expect:
                    raise RuntimeError(f"{name} {endpoint.path}: {status} {body[:300]!r}")
            if args.warmup:
                run_wrk(app.port, todo[0], {}, args.warmup, args.connections)

        rows, rows_deleted = [], 0
        for index, endpoint in enumerate(todo):
            rounds = {"service": [], "reference": []}
            for round_number in range(args.rounds):
                order = ["service", "reference"]
                if (index + round_number) % 2:
                    order.reverse()
                for name in order:
                    headers = endpoint.headers(name, caller)
                    rounds[name].append(run_wrk(apps[name].port, endpoint, headers,
                                                args.seconds, args.connections))
                    if endpoint.method != "GET":
                        rows_deleted += admin.delete_rows_after(sizes.boards, sizes.comments)
            row = {"name": endpoint.name, "kind": endpoint.kind, "method": endpoint.method,
                   "path": endpoint.path, "as_caller": endpoint.as_caller,
                   "deep_of": endpoint.deep_of}
            for name in ("service", "reference"):
                figures = combine_rounds(rounds[name])
                figures.update(count_per_request(admin, apps[name].port, endpoint,
                                                 endpoint.headers(name, caller),
                                                 args.count_requests))
                if endpoint.method != "GET":
                    rows_deleted += admin.delete_rows_after(sizes.boards, sizes.comments)
                row[name] = figures
            reference_rps = row["reference"]["rps"]
            row["ratio"] = row["service"]["rps"] / reference_rps if reference_rps else 0.0
            rows.append(row)
            say(f"{endpoint.name}: service {row['service']['rps']:.0f} req/s, reference "
                f"{reference_rps:.0f} req/s, ratio {row['ratio']:.2f}")

        workers = {name: app.worker_pids() for name, app in apps.items()}
        rss = {name: [rss_mb(pid) for pid in pids] for name, pids in workers.items()}
        pids = {name: [apps[name].process.pid, *workers[name]] for name in apps}
        for app in apps.values():
            app.stop()

        results = {
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "versions": versions(admin),
            "server_origin": server.origin,
            "dataset": dataset.as_dict(),
            "load": {"connections": args.connections, "seconds": args.seconds,
                     "rounds": args.rounds, "count_requests": args.count_requests,
                     "gunicorn": gunicorn_settings(args.threads)},
            "endpoints": rows,
            "rss_mb": rss,
            "gunicorn_pids": pids,
            "rows_deleted": rows_deleted,
        }
        if args.profile_requests:
            say("profiling GET /boards page 1 in-process")
            results["profile"] = profile_page_one(server, dataset, args.profile_requests)
        results["checks"] = checks(results)
        results["elapsed_s"] = round(time.monotonic() - started, 1)

    print_table(results)
    Path(args.results).write_text(markdown(results), encoding="utf-8")
    if results.get("profile"):
        profile_path = Path(args.results).with_name("profile_boards_page1.txt")
        profile_path.write_text(results["profile"].pop("tree"), encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    say(f"done in {results['elapsed_s']} s; wrote {args.results}")
    return results


if __name__ == "__main__":
    main()
